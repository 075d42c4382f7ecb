// Reproducibility of the microsimulation: the same scenario and seed give bit-identical
// results on 1, 2 and 8 threads (fixed-order reductions, random streams keyed by
// individual rather than by thread); another seed gives other numbers; and common random
// numbers across strategies make paired increments far more precise than independent
// runs would.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>

#include "hemsim/hemsim.hpp"
#include "support/identical_results.hpp"

namespace {

using hemsim_test::expect_identical;

constexpr std::uint64_t kIndividuals = 20000;

hemsim::CompiledModel compiled(const char* file) {
  return hemsim::compile_model(hemsim::load_scenario(std::string(HEMSIM_SOURCE_DIR) + file));
}

hemsim::RunResults run_with_threads(const hemsim::CompiledModel& model, std::size_t threads, std::uint64_t seed) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  hemsim::SimulationOptions options;
  options.individuals = kIndividuals;
  options.seed = seed;
  options.seed_set = true;
  return hemsim::simulate(model, options);
}

}  // namespace

TEST(Determinism, SickSickerBitIdenticalForOneTwoAndEightThreads) {
  const auto model = compiled("/scenarios/validation/sick_sicker_microsim.yaml");
  const auto one = run_with_threads(model, 1, 1);
  const auto two = run_with_threads(model, 2, 1);
  const auto eight = run_with_threads(model, 8, 1);
  expect_identical(one, two);
  expect_identical(one, eight);
  expect_identical(one, run_with_threads(model, 8, 1));  // and run to run
}

TEST(Determinism, GeneralFeaturesBitIdenticalForOneTwoAndEightThreads) {
  // Attributes, a life table, state-time tables and transition rewards on the same path.
  const auto model = compiled("/scenarios/validation/general_features.yaml");
  const auto one = run_with_threads(model, 1, 7);
  expect_identical(one, run_with_threads(model, 2, 7));
  expect_identical(one, run_with_threads(model, 8, 7));
}

TEST(Determinism, AnotherSeedGivesOtherNumbers) {
  const auto model = compiled("/scenarios/validation/sick_sicker_microsim.yaml");
  const auto a = run_with_threads(model, 2, 1);
  const auto b = run_with_threads(model, 2, 2);
  EXPECT_EQ(a.seed, 1U);
  EXPECT_EQ(b.seed, 2U);
  for (std::size_t k = 0; k < a.strategies.size(); ++k) {
    EXPECT_NE(a.strategies[k].qalys.discounted.mean, b.strategies[k].qalys.discounted.mean);
    EXPECT_NE(a.strategies[k].costs_by_perspective[0].discounted.mean, b.strategies[k].costs_by_perspective[0].discounted.mean);
    EXPECT_NE(a.strategies[k].trace, b.strategies[k].trace);
  }
}

TEST(Determinism, CommonRandomNumbersAcrossStrategies) {
  const auto r = run_with_threads(compiled("/scenarios/validation/sick_sicker_microsim.yaml"), 2, 1);
  const auto& none = r.strategies[0];
  const auto& treat = r.strategies[1];
  const auto& inc = r.increments[0];
  // Independent samples would give sqrt(mcse_a^2 + mcse_b^2). Paired draws remove the
  // variation in paths: the exact ratios, from the chain's first and second moments (see
  // sick_sicker_test.cpp), are 0.422 for costs and 0.050 for QALYs at any n.
  const double independent_cost = std::hypot(none.costs_by_perspective[0].discounted.mcse, treat.costs_by_perspective[0].discounted.mcse);
  const double independent_qalys = std::hypot(none.qalys.discounted.mcse, treat.qalys.discounted.mcse);
  EXPECT_LT(inc.costs_by_perspective[0].discounted.mcse, 0.5 * independent_cost);
  EXPECT_LT(inc.qalys.discounted.mcse, 0.1 * independent_qalys);
  // Both strategies share the transition probabilities, so with common random numbers
  // every individual takes the same path in both: identical traces, events and survival.
  EXPECT_EQ(none.trace, treat.trace);
  EXPECT_EQ(none.events[0].count.mean, treat.events[0].count.mean);
  EXPECT_EQ(inc.life_years.undiscounted.mean, 0.0);
  EXPECT_EQ(inc.life_years.undiscounted.mcse, 0.0);
}
