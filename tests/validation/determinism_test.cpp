// Reproducibility of the microsimulation: the same scenario and seed give bit-identical
// results on 1, 2 and 8 threads (fixed-order reductions, random streams keyed by
// individual rather than by thread); another seed gives other numbers; and common random
// numbers across strategies make paired increments far more precise than independent
// runs would.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

namespace {

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

void expect_identical(const hemsim::Estimate& a, const hemsim::Estimate& b, const std::string& what) {
  EXPECT_EQ(a.mean, b.mean) << what;
  EXPECT_EQ(a.mcse, b.mcse) << what;
}

void expect_identical(const hemsim::DiscountedEstimate& a, const hemsim::DiscountedEstimate& b, const std::string& what) {
  expect_identical(a.discounted, b.discounted, what + " (discounted)");
  expect_identical(a.undiscounted, b.undiscounted, what + " (undiscounted)");
}

void expect_identical(const hemsim::RunResults& a, const hemsim::RunResults& b) {
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t k = 0; k < a.strategies.size(); ++k) {
    const auto& x = a.strategies[k];
    const auto& y = b.strategies[k];
    ASSERT_EQ(x.costs_by_category.size(), y.costs_by_category.size());
    for (std::size_t c = 0; c < x.costs_by_category.size(); ++c)
      expect_identical(x.costs_by_category[c], y.costs_by_category[c], x.name + " cost category " + std::to_string(c));
    ASSERT_EQ(x.costs_by_perspective.size(), y.costs_by_perspective.size());
    for (std::size_t p = 0; p < x.costs_by_perspective.size(); ++p)
      expect_identical(x.costs_by_perspective[p], y.costs_by_perspective[p], x.name + " cost perspective " + std::to_string(p));
    expect_identical(x.qalys, y.qalys, x.name + " QALYs");
    expect_identical(x.life_years, y.life_years, x.name + " life-years");
    ASSERT_EQ(x.years_in_state.size(), y.years_in_state.size());
    for (std::size_t s = 0; s < x.years_in_state.size(); ++s)
      expect_identical(x.years_in_state[s], y.years_in_state[s], x.name + " years in state " + std::to_string(s));
    EXPECT_EQ(x.trace, y.trace) << x.name;
    ASSERT_EQ(x.events.size(), y.events.size());
    for (std::size_t e = 0; e < x.events.size(); ++e) {
      expect_identical(x.events[e].ever, y.events[e].ever, x.name + " event ever");
      expect_identical(x.events[e].count, y.events[e].count, x.name + " event count");
      EXPECT_EQ(x.events[e].cumulative_incidence, y.events[e].cumulative_incidence) << x.name;
    }
  }
  ASSERT_EQ(a.increments.size(), b.increments.size());
  for (std::size_t i = 0; i < a.increments.size(); ++i) {
    const auto& x = a.increments[i];
    const auto& y = b.increments[i];
    for (std::size_t p = 0; p < x.costs_by_perspective.size(); ++p)
      expect_identical(x.costs_by_perspective[p], y.costs_by_perspective[p], x.name + " incremental cost");
    expect_identical(x.qalys, y.qalys, x.name + " incremental QALYs");
    expect_identical(x.life_years, y.life_years, x.name + " incremental life-years");
  }
  ASSERT_EQ(a.incremental_tables.size(), b.incremental_tables.size());
  for (std::size_t t = 0; t < a.incremental_tables.size(); ++t) {
    ASSERT_EQ(a.incremental_tables[t].rows.size(), b.incremental_tables[t].rows.size());
    for (std::size_t r = 0; r < a.incremental_tables[t].rows.size(); ++r) {
      EXPECT_EQ(a.incremental_tables[t].rows[r].strategy, b.incremental_tables[t].rows[r].strategy);
      EXPECT_EQ(a.incremental_tables[t].rows[r].icer, b.incremental_tables[t].rows[r].icer);
    }
  }
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
