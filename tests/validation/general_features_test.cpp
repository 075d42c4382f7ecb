// scenarios/validation/general_features.yaml: age- and sex-specific life-table mortality,
// a Weibull hazard in calendar time, a one-cycle tunnel, a transition reward, time-in-state
// dependence, different discount rates for costs and effects, half-cycle correction and a
// lifetime horizon.
//
// * The cohort engine equals an independent cohort calculation written out below from the
//   model's description (no hemsim code), to 1e-9.
// * The microsimulation agrees with the cohort within 4 Monte Carlo standard errors.
// * With every disease transition switched off, life expectancy equals a plain life-table
//   calculation from the CSV, with the same timing and correction.

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hemsim/hemsim.hpp"
#include "support/life_table.hpp"

namespace {

const char* const kFile = HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml";
constexpr int kCycles = 60;  // lifetime: age 40 to max_age 100

hemsim::RunResults run(hemsim::Method method, const hemsim::ParameterOverrides& overrides = {}, std::uint64_t n = 0) {
  hemsim::SimulationOptions options;
  options.method = method;
  options.individuals = n;
  return hemsim::simulate(hemsim::compile_model(hemsim::load_scenario(kFile), overrides), options);
}

double relative(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

// qx by age 0..100 for males [0] and females [1], read from the CSV without hemsim.
std::vector<std::array<double, 2>> life_table() {
  return hemsim_test::read_life_table(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv");
}

double half_cycle_weight(int t) { return (t == 0 || t == kCycles) ? 0.5 : 1.0; }

struct Totals {
  double care = 0, surgery = 0, qalys = 0, life_years = 0, life_years_discounted = 0, surgeries = 0;
};

// The model as described in the scenario file, as a cohort of (sex) x (state, completed
// cycles in state). Values as in the file; `well_cost` and `scale` differ by strategy.
Totals independent_cohort(double scale, double well_cost, bool disease) {
  const auto qx = life_table();
  const double shape = 1.4, p_recover = 0.3, hr_sick = 1.5;
  const double c_sick = 8000, c_surgery = 25000, u_well = 0.85, u_sick = 0.6, u_post = 0.5;
  const double on = disease ? 1.0 : 0.0;
  Totals out;
  for (std::size_t sex = 0; sex < 2; ++sex) {
    const double share = 0.5;  // bernoulli(0.5)
    double well = 1, post = 0;
    std::vector<double> sick(kCycles + 2, 0.0);  // by completed cycles in sick
    for (int t = 0; t <= kCycles; ++t) {
      const double w = half_cycle_weight(t), dc = std::pow(1.035, -t), de = std::pow(1.015, -t);
      double sick_total = 0, sick_care = 0;
      for (std::size_t s = 0; s < sick.size(); ++s) {
        sick_total += sick[s];
        sick_care += sick[s] * c_sick * (s < 2 ? 1.5 : 1.0);
      }
      const double alive = well + post + sick_total;
      out.care += share * w * dc * (well * well_cost + post * c_sick + sick_care);
      out.qalys += share * w * de * (well * u_well + post * u_post + sick_total * u_sick);
      out.life_years += share * w * alive;
      out.life_years_discounted += share * w * de * alive;
      if (t == kCycles) break;
      const double q = qx.at(static_cast<std::size_t>(40 + t))[sex];
      const double die = q;                                          // 1 - (1 - q)^1
      const double die_sick = 1 - std::pow(1 - q, disease ? hr_sick : 1.0);
      const double time = t;                                         // years, annual cycles
      const double surgery = on * (1 - std::exp(scale * (std::pow(time, shape) - std::pow(time + 1, shape))));
      const double to_post = well * (1 - die) * surgery;
      double next_well = well * (1 - die) * (1 - surgery);
      std::vector<double> next_sick(sick.size(), 0.0);
      next_sick[0] = post * (1 - die);  // the tunnel always moves on (or dies)
      for (std::size_t s = 0; s < sick.size(); ++s) {
        const double recover = on * p_recover * (s >= 1 ? 1.0 : 0.5);
        next_well += sick[s] * (1 - die_sick) * recover;
        next_sick[std::min(s + 1, sick.size() - 1)] += sick[s] * (1 - die_sick) * (1 - recover);
      }
      // Transition reward at t + 1, outside the within-cycle correction.
      out.surgery += share * to_post * c_surgery * std::pow(1.035, -(t + 1));
      out.qalys += share * to_post * -0.05 * std::pow(1.015, -(t + 1));
      out.surgeries += share * to_post;
      well = next_well;
      post = to_post;
      sick = next_sick;
    }
  }
  return out;
}

void expect_matches(const hemsim::RunResults& r, std::size_t k, const Totals& e) {
  ASSERT_EQ(r.cost_categories, (std::vector<std::string>{"care", "surgery"}));
  const auto& s = r.strategies[k];
  EXPECT_LT(relative(s.costs_by_category[0].discounted.mean, e.care), 1e-9) << s.name;
  EXPECT_LT(relative(s.costs_by_category[1].discounted.mean, e.surgery), 1e-9) << s.name;
  EXPECT_LT(relative(s.costs_by_perspective[0].discounted.mean, e.care + e.surgery), 1e-9) << s.name;
  EXPECT_LT(relative(s.qalys.discounted.mean, e.qalys), 1e-9) << s.name;
  EXPECT_LT(relative(s.life_years.undiscounted.mean, e.life_years), 1e-9) << s.name;
  EXPECT_LT(relative(s.life_years.discounted.mean, e.life_years_discounted), 1e-9) << s.name;
  EXPECT_LT(relative(s.events[0].count.mean, e.surgeries), 1e-9) << s.name;
}

}  // namespace

TEST(GeneralFeatures, CohortEqualsAnIndependentCalculation) {
  const auto cohort = run(hemsim::Method::cohort);
  EXPECT_EQ(cohort.cycles, kCycles);
  ASSERT_EQ(cohort.strategies.size(), 2U);
  expect_matches(cohort, 0, independent_cohort(0.01, 500, true));               // usual care
  expect_matches(cohort, 1, independent_cohort(0.01 * 0.7, 500 + 1500, true));  // drug: scale x hr_event
}

TEST(GeneralFeatures, MicrosimulationAgreesWithCohort) {
  const auto cohort = run(hemsim::Method::cohort);
  const auto micro = run(hemsim::Method::microsimulation, {}, 20000);
  ASSERT_EQ(micro.individuals, 20000U);
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& c = cohort.strategies[k];
    const auto& m = micro.strategies[k];
    EXPECT_NEAR(m.qalys.discounted.mean, c.qalys.discounted.mean, 4 * m.qalys.discounted.mcse) << k;
    EXPECT_NEAR(m.life_years.undiscounted.mean, c.life_years.undiscounted.mean, 4 * m.life_years.undiscounted.mcse) << k;
    for (std::size_t p = 0; p < c.costs_by_perspective.size(); ++p)
      EXPECT_NEAR(m.costs_by_perspective[p].discounted.mean, c.costs_by_perspective[p].discounted.mean,
                  4 * m.costs_by_perspective[p].discounted.mcse) << k;
    for (std::size_t g = 0; g < c.costs_by_category.size(); ++g)
      EXPECT_NEAR(m.costs_by_category[g].discounted.mean, c.costs_by_category[g].discounted.mean,
                  4 * m.costs_by_category[g].discounted.mcse) << k << " category " << g;
    EXPECT_NEAR(m.events[0].count.mean, c.events[0].count.mean, 4 * m.events[0].count.mcse) << k;
  }
  // Paired increments (common random numbers) against the cohort's exact difference.
  const auto& mi = micro.increments[0];
  const auto& ci = cohort.increments[0];
  EXPECT_NEAR(mi.qalys.discounted.mean, ci.qalys.discounted.mean, 4 * mi.qalys.discounted.mcse);
  EXPECT_NEAR(mi.costs_by_perspective[0].discounted.mean, ci.costs_by_perspective[0].discounted.mean,
              4 * mi.costs_by_perspective[0].discounted.mcse);
  // The drug lowers the hazard of surgery.
  EXPECT_LT(cohort.strategies[1].events[0].count.mean, cohort.strategies[0].events[0].count.mean);
}

TEST(GeneralFeatures, LifeExpectancyMatchesLifeTableWithoutDisease) {
  // Plain life table: survival sum over points 0..60 with half-cycle weights, ages 40..99
  // for the transitions, half the cohort male and half female.
  const auto qx = life_table();
  double expected = 0;
  for (std::size_t sex = 0; sex < 2; ++sex) {
    double alive = 1;
    for (int t = 0; t <= kCycles; ++t) {
      expected += 0.5 * half_cycle_weight(t) * alive;
      if (t < kCycles) alive *= 1 - qx.at(static_cast<std::size_t>(40 + t))[sex];
    }
  }
  EXPECT_NEAR(expected, 40.805566528337, 1e-9);  // tests/validation/oracle.py
  const auto cohort = run(hemsim::Method::cohort, {{"disease_on", 0}});
  for (const auto& s : cohort.strategies) {
    EXPECT_NEAR(s.life_years.undiscounted.mean, expected, 1e-9) << s.name;
    EXPECT_EQ(s.events[0].count.mean, 0.0) << s.name;
  }
  const auto micro = run(hemsim::Method::microsimulation, {{"disease_on", 0}}, 20000);
  const auto& ly = micro.strategies[0].life_years.undiscounted;
  EXPECT_NEAR(ly.mean, expected, 4 * ly.mcse);
}
