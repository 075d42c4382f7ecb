// Rewards that read only age and discrete attributes are paid per stay, run by run of
// equal values along age (AgeSettledTerm in lib/engine/compiled_model.hpp), not looked up
// every cycle. The same rewards made to read time in state (which forces the per-cycle
// path without changing a value) must give the same results, and the cohort, whose
// engine never settles per stay, the same at a fixed entry age.

#include <gtest/gtest.h>

#include <string>

#include "hemsim/hemsim.hpp"

namespace {

const std::string kModel = R"y(
schema_version: 1
name: age-settled rewards
settings:
  cycle_length: 1 month
  horizon: {years: 45}
  discount: {costs: 0.03, effects: 0.015}
population:
  age: AGE
  sex: SEX
cost_categories:
  care: {}
states:
  well: {utility: "(0.95 - 0.004 * floor(age) - 0.05 * sex) FACTOR", costs: {care: "(100 * floor(age) + 50 * sex + (age >= 65) * 400) FACTOR"}}
  sick: {utility: "(0.6 - 0.002 * floor(age)) FACTOR", costs: {care: "(2000 + 10 * floor(age)) FACTOR"}}
  dead: {dead: true}
initial: {well: 1}
transitions:
  well: {sick: 0.01, dead: "0.0005 + 0.00002 * floor(age - 40)", well: complement}
  sick: {well: 0.02, dead: "0.004 + 0.0001 * floor(age - 40)", sick: complement}
strategies:
  only: {}
)y";

hemsim::RunResults run(const std::string& age, const std::string& sex, bool per_cycle, hemsim::Method method) {
  std::string yaml = kModel;
  yaml.replace(yaml.find("AGE"), 3, age);
  yaml.replace(yaml.find("SEX"), 3, sex);
  for (std::size_t at; (at = yaml.find("FACTOR")) != std::string::npos;) yaml.replace(at, 6, per_cycle ? "* (state_time >= 0)" : "");
  hemsim::SimulationOptions options;
  options.method = method;
  options.individuals = 3000;
  return hemsim::run_scenario(hemsim::parse_scenario(yaml, "age_settled.yaml"), options);
}

void expect_same(const hemsim::RunResults& a, const hemsim::RunResults& b, double tolerance) {
  const auto& x = a.strategies[0];
  const auto& y = b.strategies[0];
  for (const auto& [u, v] : {std::pair{x.qalys.discounted.mean, y.qalys.discounted.mean}, {x.qalys.undiscounted.mean, y.qalys.undiscounted.mean},
                             {x.costs_by_category[0].discounted.mean, y.costs_by_category[0].discounted.mean},
                             {x.costs_by_category[0].undiscounted.mean, y.costs_by_category[0].undiscounted.mean}})
    EXPECT_NEAR(u, v, tolerance * v);
}

TEST(AgeSettledRewards, EqualThePerCycleRewardsInTheMicrosimulation) {
  const auto settled = run("{type: uniform, min: 40, max: 75}", "{type: bernoulli, p: 0.5}", false, hemsim::Method::microsimulation);
  const auto per_cycle = run("{type: uniform, min: 40, max: 75}", "{type: bernoulli, p: 0.5}", true, hemsim::Method::microsimulation);
  expect_same(settled, per_cycle, 1e-12);
  EXPECT_GT(settled.strategies[0].qalys.undiscounted.mean, 5.0);
  EXPECT_EQ(settled.strategies[0].life_years.discounted.mean, per_cycle.strategies[0].life_years.discounted.mean);
}

TEST(AgeSettledRewards, AgreeWithTheCohortAtAFixedAge) {
  const auto microsimulation = run("52", "1", false, hemsim::Method::microsimulation);
  const auto cohort = run("52", "1", false, hemsim::Method::cohort);
  const auto& m = microsimulation.strategies[0];
  const auto& c = cohort.strategies[0];
  EXPECT_NEAR(m.qalys.discounted.mean, c.qalys.discounted.mean, 3 * m.qalys.discounted.mcse);
  EXPECT_NEAR(m.costs_by_category[0].discounted.mean, c.costs_by_category[0].discounted.mean, 3 * m.costs_by_category[0].discounted.mcse);
}

}  // namespace
