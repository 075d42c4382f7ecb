// Chancellor et al. (1997) HIV model as in Briggs et al. (2006): costs and life-years of
// both arms and the ICER to a relative error of 1e-8.

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

TEST(HivChancellor1997, ReproducesBriggsExcelModel) {
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  const auto r = hemsim::run_scenario(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/hiv_chancellor.yaml"), options);
  auto relative = [](double a, double b) { return std::abs(a - b) / std::abs(b); };
  EXPECT_LT(relative(r.strategies[0].costs_by_perspective[0].discounted.mean, 44663.4535637), 1e-8);
  EXPECT_LT(relative(r.strategies[0].life_years.undiscounted.mean, 7.9912066), 1e-8);
  EXPECT_LT(relative(r.strategies[1].costs_by_perspective[0].discounted.mean, 50601.6513312), 1e-8);
  EXPECT_LT(relative(r.strategies[1].life_years.undiscounted.mean, 8.9373889), 1e-8);
  ASSERT_TRUE(r.incremental_tables[0].rows[1].icer.has_value());
  EXPECT_LT(relative(*r.incremental_tables[0].rows[1].icer, 6275.95560), 1e-8);
  EXPECT_EQ(r.effect_measure, "life_years");
}
