// Precision targets (precision.hpp): runs sized to a target Monte Carlo error, and the
// inner sample of a PSA sized to a noise share, checked against hand computations and
// against plain runs.

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

namespace {

const hemsim::CompiledModel& sick_sicker() {
  static const hemsim::CompiledModel m =
      hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml"));
  return m;
}

TEST(Precision, RunReachesTheTargetAndEqualsAPlainRunOfThatSize) {
  hemsim::SimulationOptions options;
  options.individuals = 2000;
  hemsim::PrecisionTarget target;
  target.mcse = 0.004;  // incremental QALYs (the pilot's MCSE is checked to be larger below)
  const hemsim::PrecisionRun run = hemsim::simulate_to_precision(sick_sicker(), options, target);
  ASSERT_TRUE(run.met);
  ASSERT_GE(run.individuals_tried.size(), 2U);  // the pilot fell short
  EXPECT_EQ(run.individuals_tried.front(), 2000U);
  EXPECT_EQ(run.individuals_tried.back(), run.results.individuals);
  EXPECT_LE(run.achieved_mcse, target.mcse);
  EXPECT_EQ(run.achieved_mcse, run.results.increments[0].qalys.discounted.mcse);
  // MCSE falls as 1/sqrt(n): the final size is about (pilot MCSE / target)^2 x pilot.
  options.individuals = 2000;
  const double pilot_mcse = hemsim::simulate(sick_sicker(), options).increments[0].qalys.discounted.mcse;
  EXPECT_GT(pilot_mcse, target.mcse);
  const double predicted = 2000.0 * std::pow(pilot_mcse / target.mcse, 2);
  EXPECT_NEAR(static_cast<double>(run.results.individuals), 1.05 * predicted, 0.1 * predicted);
  // Exactly the results of `hemsim run -n N` with the same seed.
  options.individuals = run.results.individuals;
  const hemsim::RunResults plain = hemsim::simulate(sick_sicker(), options);
  EXPECT_EQ(plain.strategies[1].qalys.discounted.mean, run.results.strategies[1].qalys.discounted.mean);
  EXPECT_EQ(plain.increments[0].costs_by_perspective[0].discounted.mcse, run.results.increments[0].costs_by_perspective[0].discounted.mcse);
}

TEST(Precision, CapIsReportedAsNotMet) {
  hemsim::SimulationOptions options;
  options.individuals = 1000;
  hemsim::PrecisionTarget target;
  target.mcse = 1e-6;
  target.max_individuals = 3000;
  const hemsim::PrecisionRun run = hemsim::simulate_to_precision(sick_sicker(), options, target);
  EXPECT_FALSE(run.met);
  EXPECT_EQ(run.results.individuals, 3000U);
  EXPECT_GT(run.achieved_mcse, target.mcse);
}

TEST(Precision, NetBenefitTargetUsesThePairedErrorOfCostsAndEffectsTogether) {
  hemsim::SimulationOptions options;
  options.individuals = 5000;
  const hemsim::RunResults r = hemsim::simulate(sick_sicker(), options);
  hemsim::PrecisionTarget target;
  target.measure = hemsim::IncrementMeasure::net_benefit;
  target.willingness_to_pay = 100000;
  const double nmb = hemsim::increment_mcse(r, target);
  const double expected = hemsim::paired_estimate(hemsim::net_benefit_terms(r, 1, 0, 0, 100000, hemsim::EffectMeasure::qalys)).mcse;
  EXPECT_EQ(nmb, expected);
  target.measure = hemsim::IncrementMeasure::costs;
  EXPECT_EQ(hemsim::increment_mcse(r, target), r.increments[0].costs_by_perspective[0].discounted.mcse);
}

TEST(Precision, BadTargetsAreUserErrors) {
  hemsim::SimulationOptions options;
  hemsim::PrecisionTarget target;
  target.mcse = 0;
  EXPECT_THROW((void)hemsim::simulate_to_precision(sick_sicker(), options, target), hemsim::ScenarioError);
  target.mcse = 0.01;
  options.method = hemsim::Method::cohort;
  EXPECT_THROW((void)hemsim::simulate_to_precision(sick_sicker(), options, target), hemsim::ScenarioError);
  // The reference strategy has no increment: a target on it alone would be met by any
  // pilot (its MCSE is 0), so it is refused; so is a strategy that does not exist.
  options.method = hemsim::Method::microsimulation;
  options.individuals = 200;
  target.strategy = sick_sicker().scenario().strategy_index(sick_sicker().scenario().settings.reference_strategy);
  EXPECT_THROW((void)hemsim::simulate_to_precision(sick_sicker(), options, target), hemsim::ScenarioError);
  target.strategy = 7;
  EXPECT_THROW((void)hemsim::simulate_to_precision(sick_sicker(), options, target), hemsim::ScenarioError);
  target.strategy = 1 - sick_sicker().scenario().strategy_index(sick_sicker().scenario().settings.reference_strategy);
  EXPECT_GT(hemsim::simulate_to_precision(sick_sicker(), options, target).achieved_mcse, 0.0);
}

TEST(Precision, InnerSampleSizeFollowsTheVarianceDecomposition) {
  // Three draws whose incremental effects are 1, 2, 3 (variance 1) with MCSE 0.1 at 1,000
  // individuals: noise 0.01, parameter 1 - 0.01, per-individual variance 10. With two
  // degrees of freedom the chi-square quantile has a closed form, q(c) = -2 ln(1 - c), so
  // the lower bound at confidence c is 1 x 2 / q(c) - 0.01: at 0.8, 1 / ln 5 - 0.01.
  // Share 5 %: n = 10 x 0.95 / (0.05 x (1 / ln 5 - 0.01)) = 310.8.
  hemsim::PsaResults pilot;
  pilot.method = "microsimulation";
  pilot.draws = 3;
  pilot.individuals = 1000;
  pilot.reference = 0;
  pilot.strategies = {"a", "b"};
  pilot.effects = Eigen::MatrixXd::Zero(3, 2);
  pilot.effects.col(1) << 1, 2, 3;
  pilot.increment_effects_mcse = Eigen::MatrixXd::Constant(3, 2, 0.1);
  pilot.costs = {Eigen::MatrixXd::Zero(3, 2)};
  pilot.costs[0].col(1) << 10, 10, 10;  // no parameter variance: unreachable, capped
  pilot.increment_costs_mcse = {Eigen::MatrixXd::Constant(3, 2, 1.0)};
  const auto only_effects = hemsim::size_psa_inner_sample(pilot, 0.05, 1000000, {"b"});
  ASSERT_EQ(only_effects.increments.size(), 2U);
  EXPECT_EQ(only_effects.confidence, 0.8);
  const auto& effects = only_effects.increments[0];
  EXPECT_DOUBLE_EQ(effects.within_variance, 10.0);
  EXPECT_DOUBLE_EQ(effects.parameter_variance, 1.0 - 0.01);
  EXPECT_NEAR(effects.parameter_lower, 1.0 / std::log(5.0) - 0.01, 1e-12);
  EXPECT_NEAR(effects.needed, 10.0 * 0.95 / (0.05 * (1.0 / std::log(5.0) - 0.01)), 1e-9);
  EXPECT_EQ(only_effects.increments[1].parameter_lower, 0.0);
  EXPECT_TRUE(only_effects.capped);  // the cost increment cannot reach any share
  EXPECT_EQ(only_effects.individuals, 1000000U);
  // At confidence 0.5 the bound is 2 / (2 ln 2) - 0.01 = 1 / ln 2 - 0.01, above the
  // estimate (the chi-square's median is below its mean), so fewer individuals.
  const auto median = hemsim::size_psa_inner_sample(pilot, 0.05, 1000000, {"b"}, 0.5);
  EXPECT_NEAR(median.increments[0].parameter_lower, 1.0 / std::log(2.0) - 0.01, 1e-12);
  EXPECT_LT(median.increments[0].needed, effects.needed);
  // Costs 10, 20, 30 (variance 100) with MCSE 3: per-individual variance 9,000, bound
  // 100 / ln 5 - 9, needing 9000 x 0.95 / (0.05 x (100 / ln 5 - 9)) = 3,218.6 individuals.
  pilot.costs[0].col(1) << 10, 20, 30;
  pilot.increment_costs_mcse = {Eigen::MatrixXd::Constant(3, 2, 3.0)};
  const auto both = hemsim::size_psa_inner_sample(pilot, 0.05, 1000000);
  EXPECT_FALSE(both.capped);
  EXPECT_NEAR(both.increments[1].needed, 9000 * 0.95 / (0.05 * (100.0 / std::log(5.0) - 9)), 1e-9);
  EXPECT_EQ(both.individuals, 3300U);  // the larger need, rounded up to a hundred
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(pilot, 0.05, 1000000, {}, 1.0), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(pilot, 0.05, 1000000, {}, 0.4), hemsim::ScenarioError);
}

TEST(Precision, BadSizingOptionsAreRefusedBeforeThePilotRuns) {
  const hemsim::Scenario s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml");
  hemsim::PsaOptions options;
  options.draws = 30;
  options.individuals = 300;
  bool pilot_ran = false;
  options.progress = [&](double) { pilot_ran = true; };
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(s, options, 0.10, 200000, {}, 1.0), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(s, options, 0.0, 200000), hemsim::ScenarioError);
  // Sizing for the reference alone would size for nothing (2 individuals per draw).
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(s, options, 0.10, 200000, {s.settings.reference_strategy}), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::size_psa_inner_sample(s, options, 0.10, 200000, {"no_such_arm"}), hemsim::ScenarioError);
  EXPECT_FALSE(pilot_ran);
  (void)hemsim::size_psa_inner_sample(s, options, 0.5, 200000, {"A"});  // the same pilot, valid options
  EXPECT_TRUE(pilot_ran);
}

TEST(Precision, SizedPsaMeetsTheNoiseShare) {
  // Pilot of 30 draws at 300 individuals, sized for 10 % noise, then a PSA of 60 draws at
  // that size: the share measured on it is near 10 % or below. At 300 individuals AB's
  // incremental effects are mostly noise (about half their spread), so the pilot is run
  // again with the individuals it gave, and sized from that one at the lower 80 % bound
  // of the parameter variance. The measured share is itself an estimate from 60 draws:
  // over seeds 1-20 (2026-11-30, `psa ... --draws 60 --max-noise-share 0.10 --pilot-draws
  // 30 -n 300 --noise-strategy AB`) it ranged from 0.052 to 0.099 (median 0.076), and never
  // passed the target. Sized from one pilot's estimate, as before, it ranged from 0.066
  // to 0.381 (median 0.131) and passed 0.10 in 12 of 20; here, 0.145.
  const hemsim::Scenario s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml");
  hemsim::PsaOptions options;
  options.method = hemsim::Method::microsimulation;
  options.draws = 30;
  options.individuals = 300;
  const std::string ab = s.strategies.back().name;
  const auto size = hemsim::size_psa_inner_sample(s, options, 0.10, 200000, {ab});
  ASSERT_FALSE(size.capped);
  ASSERT_EQ(size.pilot_individuals.size(), 2U);
  EXPECT_EQ(size.pilot_individuals[0], 300U);
  EXPECT_GT(size.pilot_individuals[1], 300U);
  EXPECT_LE(size.pilot_individuals[1], 3000U);  // at most ten times the first
  EXPECT_LT(size.increments[0].pilot_noise_share, 0.25);  // the second pilot is not mostly noise
  EXPECT_GT(size.individuals, 300U);
  options.draws = 60;
  options.individuals = size.individuals;
  const auto psa = hemsim::run_psa(s, options);
  const int k = static_cast<int>(psa.strategies.size()) - 1;
  const auto v = hemsim::decompose_variance(psa.effects.col(k) - psa.effects.col(psa.reference), psa.increment_effects_mcse.col(k));
  EXPECT_LT(v.monte_carlo_share, 0.10);
  // The same pilot sized from its estimate alone needs fewer individuals.
  options.draws = 30;
  options.individuals = size.pilot_individuals.back();
  const auto from_estimate = hemsim::size_psa_inner_sample(hemsim::run_psa(s, options), 0.10, 200000, {ab}, 0.5);
  EXPECT_LT(from_estimate.individuals, size.individuals);
}

}  // namespace

namespace {

const hemsim::Scenario& sick_sicker_scenario() {
  static const hemsim::Scenario s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml");
  return s;
}

TEST(Precision, PriceSizedToATargetHasThatErrorWhenRunAtTheReportedSize) {
  hemsim::DsaOptions options;
  options.simulation.individuals = 2000;
  options.strategy = 1;
  const std::vector<double> thresholds{50000, 150000};
  const auto sized = hemsim::size_price_to_precision(sick_sicker_scenario(), options, "c_Trt", thresholds, 200.0);
  ASSERT_TRUE(sized.met);
  ASSERT_GE(sized.individuals_tried.size(), 2U);
  EXPECT_LE(sized.achieved_mcse, 200.0);
  // The pilot fell short; at the reported size the largest price MCSE is the achieved one.
  options.simulation.individuals = 2000;
  double pilot = 0;
  for (const auto& p : hemsim::value_based_price(sick_sicker_scenario(), options, "c_Trt", thresholds))
    pilot = std::max(pilot, p.price_mcse);
  EXPECT_GT(pilot, 200.0);
  options.simulation.individuals = sized.individuals;
  double worst = 0;
  for (const auto& p : hemsim::value_based_price(sick_sicker_scenario(), options, "c_Trt", thresholds))
    worst = std::max(worst, p.price_mcse);
  EXPECT_EQ(worst, sized.achieved_mcse);
}

TEST(Precision, DsaSizedToATargetNetBenefitError) {
  hemsim::DsaOptions options;
  options.simulation.individuals = 1000;
  options.strategy = 1;
  options.willingness_to_pay = 100000;
  const auto sized = hemsim::size_dsa_to_precision(sick_sicker_scenario(), options, 300.0);
  ASSERT_TRUE(sized.met);
  EXPECT_GE(sized.individuals_tried.size(), 2U);  // the pilot of 1,000 fell short
  options.simulation.individuals = sized.individuals;
  const auto base = hemsim::evaluate(sick_sicker_scenario(), {}, options);
  EXPECT_EQ(base.incremental_net_benefit_mcse, sized.achieved_mcse);
  EXPECT_LE(base.incremental_net_benefit_mcse, 300.0);
  options.simulation.method = hemsim::Method::cohort;
  EXPECT_THROW((void)hemsim::size_dsa_to_precision(sick_sicker_scenario(), options, 300.0), hemsim::ScenarioError);
}

}  // namespace
