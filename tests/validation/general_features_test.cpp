// The general-features scenario: microsimulation agrees with the cohort engine within
// Monte Carlo error, and with disease switched off the life expectancy equals an
// independent calculation from the life table (same timing and correction).

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "hemsim/hemsim.hpp"

namespace {

const char* const kFile = HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml";

hemsim::RunResults run(hemsim::Method method, const hemsim::ParameterOverrides& overrides = {}, std::uint64_t n = 0) {
  hemsim::SimulationOptions options;
  options.method = method;
  options.individuals = n;
  return hemsim::simulate(hemsim::compile_model(hemsim::load_scenario(kFile), overrides), options);
}

// qx by age for males (column 1) and females (column 2), read without hemsim.
std::vector<std::array<double, 2>> life_table() {
  std::ifstream in(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv");
  std::vector<std::array<double, 2>> qx(101, {0, 0});
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line[0] == 'a') continue;
    std::stringstream row(line);
    std::string age, male, female;
    std::getline(row, age, ',');
    std::getline(row, male, ',');
    std::getline(row, female, ',');
    if (male.empty()) continue;
    qx[static_cast<std::size_t>(std::stoi(age))] = {std::stod(male), std::stod(female)};
  }
  return qx;
}

}  // namespace

TEST(GeneralFeatures, MicrosimulationAgreesWithCohort) {
  const auto cohort = run(hemsim::Method::cohort);
  const auto micro = run(hemsim::Method::microsimulation, {}, 40000);
  EXPECT_EQ(cohort.cycles, 60);  // lifetime: age 40 to 100
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& c = cohort.strategies[k];
    const auto& m = micro.strategies[k];
    EXPECT_NEAR(m.qalys.discounted.mean, c.qalys.discounted.mean, 4 * m.qalys.discounted.mcse) << k;
    EXPECT_NEAR(m.life_years.undiscounted.mean, c.life_years.undiscounted.mean, 4 * m.life_years.undiscounted.mcse) << k;
    for (std::size_t p = 0; p < c.costs_by_perspective.size(); ++p)
      EXPECT_NEAR(m.costs_by_perspective[p].discounted.mean, c.costs_by_perspective[p].discounted.mean,
                  4 * m.costs_by_perspective[p].discounted.mcse) << k;
    EXPECT_NEAR(m.events[0].count.mean, c.events[0].count.mean, 4 * m.events[0].count.mcse) << k;
  }
  // The drug lowers the hazard of surgery.
  EXPECT_LT(cohort.strategies[1].events[0].count.mean, cohort.strategies[0].events[0].count.mean);
}

TEST(GeneralFeatures, LifeExpectancyMatchesLifeTableWithoutDisease) {
  const auto qx = life_table();
  double expected = 0;
  for (int sex = 0; sex < 2; ++sex) {
    double alive = 1;
    for (int t = 0; t <= 60; ++t) {
      const double w = (t == 0 || t == 60) ? 0.5 : 1.0;  // half-cycle correction
      expected += 0.5 * w * alive;
      alive *= 1 - qx[static_cast<std::size_t>(std::min(40 + t, 100))][static_cast<std::size_t>(sex)];
    }
  }
  const auto cohort = run(hemsim::Method::cohort, {{"disease_on", 0}});
  EXPECT_NEAR(cohort.strategies[0].life_years.undiscounted.mean, expected, 1e-9);
  const auto micro = run(hemsim::Method::microsimulation, {{"disease_on", 0}}, 40000);
  const auto& ly = micro.strategies[0].life_years.undiscounted;
  EXPECT_NEAR(ly.mean, expected, 4 * ly.mcse);
}
