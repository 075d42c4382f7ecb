// Alarid-Escudero et al. (2023) introductory cohort model: four strategies to every
// published digit (full-precision recomputation), strategy A strongly dominated, the
// published trace, and the within-cycle corrections the paper contrasts.

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::Scenario scenario() {
  return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml");
}

hemsim::RunResults cohort(const hemsim::Scenario& s) {
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  return hemsim::run_scenario(s, options);
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

TEST(SickSickerAlaridEscudero2023, FourStrategiesToFullPrecision) {
  const auto r = cohort(scenario());
  const std::vector<std::pair<double, double>> expected{
      {151579.865957, 20.71133146}, {284804.513371, 21.49866281}, {259100.410617, 22.18446514}, {378875.198394, 23.13684414}};
  ASSERT_EQ(r.strategies.size(), 4U);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_LT(relative(r.strategies[k].costs_by_perspective[0].discounted.mean, expected[k].first), 1e-9) << k;
    EXPECT_LT(relative(r.strategies[k].qalys.discounted.mean, expected[k].second), 1e-9) << k;
  }
  const auto& rows = r.incremental_tables[0].rows;
  ASSERT_EQ(rows.size(), 4U);
  EXPECT_EQ(rows[0].strategy, "soc");
  EXPECT_EQ(rows[1].strategy, "B");
  EXPECT_EQ(rows[2].strategy, "AB");
  EXPECT_EQ(rows[3].strategy, "A");
  EXPECT_EQ(rows[3].status, hemsim::DominanceStatus::dominated);
  EXPECT_LT(relative(*rows[1].icer, 72987.636067), 1e-9);
  EXPECT_LT(relative(*rows[2].icer, 125763.785754), 1e-9);
  // Published rounding: $107,521 and 1.473 QALYs for B vs SoC.
  EXPECT_EQ(std::round(*rows[1].incremental_cost), 107521);
  EXPECT_EQ(std::round(*rows[1].incremental_effect * 1000), 1473);
}

TEST(SickSickerAlaridEscudero2023, PublishedTrace) {
  const auto r = cohort(scenario());
  const double published[6][4] = {{1.000, 0.000, 0.000, 0.000}, {0.859, 0.139, 0.000, 0.002}, {0.792, 0.189, 0.014, 0.005},
                                  {0.755, 0.206, 0.032, 0.008}, {0.729, 0.208, 0.052, 0.011}, {0.707, 0.206, 0.072, 0.015}};
  for (int t = 0; t < 6; ++t)
    for (int s = 0; s < 4; ++s)
      EXPECT_NEAR(r.strategies[0].trace[static_cast<std::size_t>(t * 4 + s)], published[t][s], 0.0005 + 1e-12) << t << " " << s;
}

TEST(SickSickerAlaridEscudero2023, WithinCycleCorrectionsAsContrastedInThePaper) {
  const std::vector<std::pair<hemsim::WithinCycleCorrection, double>> cases{
      {hemsim::WithinCycleCorrection::simpson_darth, 20.711},
      {hemsim::WithinCycleCorrection::half_cycle, 21.038},
      {hemsim::WithinCycleCorrection::none, 21.554}};
  for (const auto& [correction, qalys] : cases) {
    auto s = scenario();
    s.settings.correction = correction;
    EXPECT_NEAR(cohort(s).strategies[0].qalys.discounted.mean, qalys, 0.0005);
  }
  // Textbook Simpson needs an even number of cycles: 74 + the same model.
  auto s = scenario();
  s.settings.correction = hemsim::WithinCycleCorrection::simpson;
  s.settings.horizon_cycles = 76;
  const double simpson_76 = cohort(s).strategies[0].qalys.discounted.mean;
  EXPECT_GT(simpson_76, 20.9);
  EXPECT_LT(simpson_76, 21.2);
}
