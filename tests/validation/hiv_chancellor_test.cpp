// Chancellor et al. (1997) HIV model as in Briggs, Claxton & Sculpher (2006), Exercise 2.5,
// scenarios/validation/hiv_chancellor.yaml: costs and life-years of both arms and the
// ICER per life-year gained to a relative error of 1e-8 (the Excel solution's values, as
// asserted by heemod's regression test).

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::RunResults cohort() {
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  return hemsim::run_scenario(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/hiv_chancellor.yaml"), options);
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

TEST(HivChancellor1997, ReproducesBriggsExcelModel) {
  const auto r = cohort();
  ASSERT_EQ(r.strategies.size(), 2U);
  EXPECT_EQ(r.cycles, 20);
  const auto& mono = r.strategies[0];
  const auto& comb = r.strategies[1];
  EXPECT_LT(relative(mono.costs_by_perspective[0].discounted.mean, 44663.4535637), 1e-8);
  EXPECT_LT(relative(mono.life_years.undiscounted.mean, 7.9912066), 1e-8);
  EXPECT_LT(relative(comb.costs_by_perspective[0].discounted.mean, 50601.6513312), 1e-8);
  EXPECT_LT(relative(comb.life_years.undiscounted.mean, 8.9373889), 1e-8);
  // Effects are not discounted: the discounted life-years are the undiscounted ones.
  EXPECT_EQ(mono.life_years.discounted.mean, mono.life_years.undiscounted.mean);
  EXPECT_EQ(comb.life_years.discounted.mean, comb.life_years.undiscounted.mean);

  EXPECT_EQ(r.effect_measure, "life_years");
  const auto& row = r.incremental_tables[0].rows[1];
  EXPECT_EQ(row.strategy, "comb");
  ASSERT_TRUE(row.icer.has_value());
  EXPECT_LT(relative(*row.icer, 6275.95560), 1e-8);
}

TEST(HivChancellor1997, LamivudineOnlyInTheCombinationArmAtPointsOneAndTwo) {
  const auto r = cohort();
  ASSERT_EQ(r.cost_categories, (std::vector<std::string>{"health_care", "zidovudine", "lamivudine"}));
  EXPECT_EQ(r.strategies[0].costs_by_category[2].discounted.mean, 0.0);
  // 2086.5 x (alive at 1 / 1.06 + alive at 2 / 1.06^2) with the rr = 0.509 matrix for
  // both transitions: independent recomputation (tests/validation/oracle.py).
  EXPECT_LT(relative(r.strategies[1].costs_by_category[2].discounted.mean, 3789.1320765955), 1e-10);
  // After one cycle the combination arm has moved by the first row of the reduced matrix.
  const auto& trace = r.strategies[1].trace;
  EXPECT_NEAR(trace[4 + 1], 0.509 * 350 / 1734, 1e-15);
  EXPECT_NEAR(trace[4 + 3], 0.509 * 17 / 1734, 1e-15);
  EXPECT_NEAR(trace[4 + 0], 1 - 0.509 * 483 / 1734, 1e-15);
}
