// Paired Monte Carlo errors between runs (paired.hpp), checked against the engine's own
// per-individual standard errors and against exact zeros.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "hemsim/hemsim.hpp"

namespace {

const hemsim::Scenario& sick_sicker() {
  static const hemsim::Scenario s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml");
  return s;
}

hemsim::RunResults run(const hemsim::ParameterOverrides& overrides, std::uint64_t individuals, std::uint64_t seed = 1) {
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  options.seed = seed;
  options.seed_set = true;
  return hemsim::simulate(hemsim::compile_model(sick_sicker(), overrides), options);
}

TEST(Paired, BatchErrorOfAnIncrementAgreesWithThePerIndividualError) {
  // The increment's MCSE from individuals (sum of squared differences) and from 391
  // batches of 256 estimate the same standard error; their ratio has a relative
  // sampling error of about 1 / sqrt(2 x 390) = 3.6 %.
  const hemsim::RunResults r = run({}, 100000);
  ASSERT_EQ(r.batches.batches(), 391U);
  const auto cost = hemsim::paired_estimate(hemsim::incremental_cost_terms(r, 1, 0, 0));
  const auto& inc = r.increments.at(0).costs_by_perspective.at(0).discounted;
  EXPECT_NEAR(cost.mean, inc.mean, 1e-9 * std::abs(inc.mean));
  EXPECT_NEAR(cost.mcse, inc.mcse, 0.15 * inc.mcse);
  const auto qalys = hemsim::paired_estimate(hemsim::incremental_effect_terms(r, 1, 0, hemsim::EffectMeasure::qalys));
  EXPECT_NEAR(qalys.mcse, r.increments.at(0).qalys.discounted.mcse, 0.15 * r.increments.at(0).qalys.discounted.mcse);
}

TEST(Paired, SameRunTwiceDiffersByExactlyZero) {
  const hemsim::RunResults a = run({}, 5000);
  const hemsim::RunResults b = run({}, 5000);
  const auto difference = hemsim::paired_estimate({hemsim::net_benefit_terms(a, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, +1.0),
                                                   hemsim::net_benefit_terms(b, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, -1.0)});
  EXPECT_EQ(difference.mean, 0.0);
  EXPECT_EQ(difference.mcse, 0.0);
}

TEST(Paired, DifferenceBetweenParameterValuesHasTheErrorOfItsPerIndividualDifference) {
  // Raising the annual treatment cost from 10,000 to 14,000 changes each individual's
  // incremental net benefit by -(4,000 / 12,000) x their treatment cost at 12,000 (the
  // same individuals follow the same paths at every price), so the paired swing has
  // the mean and the standard error of a third of the treatment-cost category.
  const hemsim::RunResults low = run({{"c_Trt", 10000.0}}, 20000);
  const hemsim::RunResults base = run({}, 20000);
  const hemsim::RunResults high = run({{"c_Trt", 14000.0}}, 20000);
  const auto swing = hemsim::paired_estimate({hemsim::net_benefit_terms(high, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, +1.0),
                                              hemsim::net_benefit_terms(low, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, -1.0)});
  std::size_t treatment = 0;
  while (base.cost_categories.at(treatment) != "treatment") ++treatment;
  const auto& cost = base.strategies[1].costs_by_category[treatment].discounted;
  EXPECT_NEAR(swing.mean, -cost.mean / 3.0, 1e-9 * cost.mean);
  EXPECT_NEAR(swing.mcse, cost.mcse / 3.0, 0.15 * cost.mcse / 3.0);
}

TEST(Paired, RunsThatDoNotShareIndividualsAreRefused) {
  const hemsim::RunResults a = run({}, 5000, 1);
  const hemsim::RunResults b = run({}, 5000, 2);
  const hemsim::RunResults c = run({}, 6000, 1);
  EXPECT_THROW((void)hemsim::paired_estimate({hemsim::PairedTerm{&a, 1, 0, 1.0}, hemsim::PairedTerm{&b, 1, 0, -1.0}}),
               std::invalid_argument);
  EXPECT_THROW((void)hemsim::paired_estimate({hemsim::PairedTerm{&a, 1, 0, 1.0}, hemsim::PairedTerm{&c, 1, 0, -1.0}}),
               std::invalid_argument);
}

TEST(Paired, CohortRunsHaveNoMonteCarloError) {
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  const hemsim::RunResults r = hemsim::run_scenario(sick_sicker(), options);
  EXPECT_TRUE(r.batches.counts.empty());
  const auto inmb = hemsim::paired_estimate(hemsim::net_benefit_terms(r, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys));
  const double expected =
      100000.0 * (r.strategies[1].qalys.discounted.mean - r.strategies[0].qalys.discounted.mean) -
      (r.strategies[1].costs_by_perspective[0].discounted.mean - r.strategies[0].costs_by_perspective[0].discounted.mean);
  EXPECT_DOUBLE_EQ(inmb.mean, expected);
  EXPECT_EQ(inmb.mcse, 0.0);
}

}  // namespace
