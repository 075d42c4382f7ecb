// Same scenario and seed: bit-identical results on 1, 2 and 8 threads; another seed
// gives other numbers.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::RunResults run_with_threads(const hemsim::CompiledModel& model, std::size_t threads, std::uint64_t seed) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  hemsim::SimulationOptions options;
  options.individuals = 20000;
  options.seed = seed;
  options.seed_set = true;
  return hemsim::simulate(model, options);
}

void expect_identical(const hemsim::RunResults& a, const hemsim::RunResults& b) {
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t k = 0; k < a.strategies.size(); ++k) {
    const auto& x = a.strategies[k];
    const auto& y = b.strategies[k];
    for (std::size_t p = 0; p < x.costs_by_perspective.size(); ++p) {
      EXPECT_EQ(x.costs_by_perspective[p].discounted.mean, y.costs_by_perspective[p].discounted.mean);
      EXPECT_EQ(x.costs_by_perspective[p].discounted.mcse, y.costs_by_perspective[p].discounted.mcse);
    }
    EXPECT_EQ(x.qalys.discounted.mean, y.qalys.discounted.mean);
    EXPECT_EQ(x.qalys.discounted.mcse, y.qalys.discounted.mcse);
    EXPECT_EQ(x.life_years.undiscounted.mean, y.life_years.undiscounted.mean);
    EXPECT_EQ(x.trace, y.trace);
    for (std::size_t e = 0; e < x.events.size(); ++e) EXPECT_EQ(x.events[e].cumulative_incidence, y.events[e].cumulative_incidence);
  }
  for (std::size_t i = 0; i < a.increments.size(); ++i) {
    EXPECT_EQ(a.increments[i].qalys.discounted.mean, b.increments[i].qalys.discounted.mean);
    EXPECT_EQ(a.increments[i].qalys.discounted.mcse, b.increments[i].qalys.discounted.mcse);
    EXPECT_EQ(a.increments[i].costs_by_perspective[0].discounted.mcse, b.increments[i].costs_by_perspective[0].discounted.mcse);
  }
}

}  // namespace

TEST(Determinism, BitIdenticalForOneTwoAndEightThreads) {
  for (const char* file : {"/scenarios/validation/sick_sicker_microsim.yaml", "/scenarios/validation/general_features.yaml"}) {
    const auto model = hemsim::compile_model(hemsim::load_scenario(std::string(HEMSIM_SOURCE_DIR) + file));
    const auto one = run_with_threads(model, 1, 7);
    const auto two = run_with_threads(model, 2, 7);
    const auto eight = run_with_threads(model, 8, 7);
    expect_identical(one, two);
    expect_identical(one, eight);
    const auto other_seed = run_with_threads(model, 2, 8);
    EXPECT_NE(one.strategies[0].qalys.discounted.mean, other_seed.strategies[0].qalys.discounted.mean) << file;
  }
}
