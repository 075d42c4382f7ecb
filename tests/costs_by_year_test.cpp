// Costs and outcomes by model year (results.hpp, YearOutcomes): a hand computation on a
// small cohort model, the years summing to the totals in both engines (static, per-
// individual, per-cycle and transition rewards, one-time costs, cycles longer than a
// year), the JSON round trip, and bit-identical years for 1, 2 and 8 threads.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <cmath>
#include <string>

#include "hemsim/hemsim.hpp"
#include "hemsim/results_io.hpp"
#include "support/inline_scenario.hpp"

namespace {

using hemsim::Method;
using hemsim::RunResults;
using hemsim_test::run;

// Quarterly cycles over three years: year y holds cycles 4(y-1)..4y-1.
const std::string kQuarterly = R"y(
schema_version: 1
name: quarterly
settings:
  cycle_length: 3 months
  horizon: {cycles: 12}
  discount: {costs: 0.04, effects: 0.015}
  reward_timing: start_of_cycle
  within_cycle_correction: none
cost_categories:
  care: {perspectives: [payer, societal]}
  drug: {perspectives: [payer, societal]}
  time: {perspectives: [societal]}
perspectives: [payer, societal]
states:
  A: {costs: {care: 100, time: 40}, utility: 0.8}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: 0.1, A: complement}
transition_rewards:
  - {from: A, to: D, costs: {care: 500}}
strategies:
  only: {one_time_costs: {drug: 1000}}
)y";

// Every cost and outcome by year added up, against the totals.
void expect_years_sum_to_totals(const RunResults& r, double relative) {
  for (const auto& s : r.strategies) {
    ASSERT_FALSE(s.by_year.empty());
    auto check = [&](const hemsim::DiscountedEstimate& total, auto pick, const std::string& what) {
      double d = 0, u = 0;
      for (const auto& y : s.by_year) {
        d += pick(y).discounted;
        u += pick(y).undiscounted;
      }
      EXPECT_NEAR(d, total.discounted.mean, relative * std::max(1.0, std::abs(total.discounted.mean))) << s.name << " " << what;
      EXPECT_NEAR(u, total.undiscounted.mean, relative * std::max(1.0, std::abs(total.undiscounted.mean))) << s.name << " " << what;
    };
    for (std::size_t c = 0; c < r.cost_categories.size(); ++c)
      check(s.costs_by_category[c], [&](const hemsim::YearOutcomes& y) { return y.costs_by_category[c]; }, r.cost_categories[c]);
    for (std::size_t p = 0; p < r.perspectives.size(); ++p)
      check(s.costs_by_perspective[p], [&](const hemsim::YearOutcomes& y) { return y.costs_by_perspective[p]; }, r.perspectives[p]);
    check(s.qalys, [](const hemsim::YearOutcomes& y) { return y.qalys; }, "qalys");
    check(s.life_years, [](const hemsim::YearOutcomes& y) { return y.life_years; }, "life_years");
  }
}

}  // namespace

TEST(CostsByYear, CohortMatchesHandComputationPerYear) {
  const RunResults r = run(kQuarterly, Method::cohort);
  ASSERT_EQ(r.strategies[0].by_year.size(), 3U);
  double alive = 1.0;
  for (int year = 0; year < 3; ++year) {
    double care = 0, care_u = 0, time = 0, qalys = 0, qalys_u = 0, ly = 0;
    for (int t = 4 * year; t < 4 * year + 4; ++t) {  // start of cycle: points 0..11 carry rewards
      const double dc = std::pow(1.04, -0.25 * t), de = std::pow(1.015, -0.25 * t);
      const double deaths = alive * 0.1;
      care += alive * 100 * dc + deaths * 500 * std::pow(1.04, -0.25 * (t + 1));
      care_u += alive * 100 + deaths * 500;
      time += alive * 40 * dc;
      qalys += alive * 0.8 * 0.25 * de;
      qalys_u += alive * 0.8 * 0.25;
      ly += alive * 0.25;
      alive -= deaths;
    }
    const hemsim::YearOutcomes& y = r.strategies[0].by_year[static_cast<std::size_t>(year)];
    const double drug = year == 0 ? 1000.0 : 0.0;
    EXPECT_NEAR(y.costs_by_category[0].discounted, care, 1e-9) << year;
    EXPECT_NEAR(y.costs_by_category[0].undiscounted, care_u, 1e-9) << year;
    EXPECT_NEAR(y.costs_by_category[1].discounted, drug, 1e-12) << year;
    EXPECT_NEAR(y.costs_by_category[2].discounted, time, 1e-9) << year;
    EXPECT_NEAR(y.costs_by_perspective[0].discounted, care + drug, 1e-9) << year;
    EXPECT_NEAR(y.costs_by_perspective[0].undiscounted, care_u + drug, 1e-9) << year;
    EXPECT_NEAR(y.costs_by_perspective[1].discounted, care + drug + time, 1e-9) << year;
    EXPECT_NEAR(y.qalys.discounted, qalys, 1e-12) << year;
    EXPECT_NEAR(y.qalys.undiscounted, qalys_u, 1e-12) << year;
    EXPECT_NEAR(y.life_years.undiscounted, ly, 1e-12) << year;
  }
  expect_years_sum_to_totals(r, 1e-12);
}

TEST(CostsByYear, MicrosimulationYearsSumToTotalsAndAgreeWithCohort) {
  const RunResults cohort = run(kQuarterly, Method::cohort);
  const RunResults micro = run(kQuarterly, Method::microsimulation, 40000);
  expect_years_sum_to_totals(micro, 1e-12);
  // Year by year against the exact cohort values; 4 MCSE of the total bounds each year's
  // error here (every year's cost is a positive part of the total).
  const auto& total = micro.strategies[0].costs_by_perspective[1].undiscounted;
  for (std::size_t y = 0; y < 3; ++y)
    EXPECT_NEAR(micro.strategies[0].by_year[y].costs_by_perspective[1].undiscounted,
                cohort.strategies[0].by_year[y].costs_by_perspective[1].undiscounted, 4 * total.mcse)
        << y;
  // Everyone pays the one-time cost in year 1, exactly.
  EXPECT_EQ(micro.strategies[0].by_year[0].costs_by_category[1].undiscounted, 1000.0);
}

namespace {

// Monthly cycles over 30 months, half-cycle correction: a per-individual cost (continuous
// attribute), a per-cycle utility (continuous attribute and t), a time-varying cost, a
// transition reward, life-years by survival, and two strategies.
const std::string kMixed = R"y(
schema_version: 1
name: mixed rewards
settings:
  cycle_length: 1 month
  horizon: {cycles: 30}
  discount: {costs: 0.03, effects: 0.03}
  within_cycle_correction: half_cycle
population:
  x: {type: uniform, min: 1, max: 3}
  sex: {type: bernoulli, p: 0.4}
parameters:
  p_sick: 0.05
states:
  H: {costs: {cost: "20 * x + 5 * sex"}, utility: "0.9 - 0.001 * x * t"}
  S: {costs: {cost: "300 + t"}, utility: 0.5}
  D: {dead: true}
initial: {H: 1}
transitions:
  H: {S: p_sick, D: 0.01, H: complement}
  S: {H: 0.1, D: 0.03, S: complement}
transition_rewards:
  - {from: H, to: S, costs: {cost: 250}}
strategies:
  usual: {}
  better: {parameters: {p_sick: 0.03}}
)y";

}  // namespace

TEST(CostsByYear, EveryKindOfRewardIsSplitIntoYearsThatSumToTheTotals) {
  const RunResults micro = run(kMixed, Method::microsimulation, 3000);
  ASSERT_EQ(micro.strategies[0].by_year.size(), 3U);  // months 0-11, 12-23, 24-29 (and the end point)
  expect_years_sum_to_totals(micro, 1e-12);
  for (const auto& y : micro.strategies[1].by_year) EXPECT_GT(y.costs_by_perspective[0].undiscounted, 0.0);
  // Discounting: the third year is discounted, the first barely (half a year on average).
  const auto& y3 = micro.strategies[0].by_year[2].costs_by_perspective[0];
  EXPECT_LT(y3.discounted, y3.undiscounted / std::pow(1.03, 2.0));
}

TEST(CostsByYear, CyclesLongerThanAYearLeaveEmptyYears) {
  std::string yaml = kQuarterly;
  yaml.replace(yaml.find("3 months"), 8, "2 years");
  yaml.replace(yaml.find("cycles: 12"), 10, "cycles: 3");
  for (Method method : {Method::cohort, Method::microsimulation}) {
    const RunResults r = run(yaml, method, 500);
    ASSERT_EQ(r.strategies[0].by_year.size(), 5U);  // cycles start at 0, 2 and 4 years
    for (std::size_t y : {1U, 3U}) EXPECT_EQ(r.strategies[0].by_year[y].costs_by_perspective[1].undiscounted, 0.0) << y;
    EXPECT_GT(r.strategies[0].by_year[4].costs_by_perspective[1].undiscounted, 0.0);
    expect_years_sum_to_totals(r, 1e-12);
  }
}

TEST(CostsByYear, BitIdenticalForAnyThreadCountAndRoundTripThroughJson) {
  auto years = [&](std::size_t threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return run(kMixed, Method::microsimulation, 5000);
  };
  const RunResults one = years(1), two = years(2), eight = years(8);
  for (std::size_t k = 0; k < one.strategies.size(); ++k)
    for (std::size_t y = 0; y < one.strategies[k].by_year.size(); ++y) {
      const auto& a = one.strategies[k].by_year[y];
      for (const RunResults* other : {&two, &eight}) {
        const auto& b = other->strategies[k].by_year[y];
        for (std::size_t c = 0; c < a.costs_by_category.size(); ++c) {
          EXPECT_EQ(a.costs_by_category[c].discounted, b.costs_by_category[c].discounted);
          EXPECT_EQ(a.costs_by_category[c].undiscounted, b.costs_by_category[c].undiscounted);
        }
        EXPECT_EQ(a.qalys.discounted, b.qalys.discounted);
        EXPECT_EQ(a.life_years.undiscounted, b.life_years.undiscounted);
      }
    }
  const RunResults back = hemsim::results_from_json(hemsim::results_to_json(one));
  ASSERT_EQ(back.strategies[1].by_year.size(), one.strategies[1].by_year.size());
  EXPECT_EQ(back.strategies[1].by_year[2].costs_by_perspective[0].discounted, one.strategies[1].by_year[2].costs_by_perspective[0].discounted);
  EXPECT_EQ(back.strategies[1].by_year[1].qalys.undiscounted, one.strategies[1].by_year[1].qalys.undiscounted);
}
