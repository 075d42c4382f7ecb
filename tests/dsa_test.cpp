// Deterministic sensitivity analysis and pricing, checked against direct runs and
// against each other: the threshold found by bisection equals the value-based price
// found from the linearity of costs in price.

#include "hemsim/dsa.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::Scenario intro() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"); }
hemsim::Scenario general() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml"); }

hemsim::DsaOptions cohort_options(int strategy, double wtp) {
  hemsim::DsaOptions o;
  o.simulation.method = hemsim::Method::cohort;
  o.strategy = strategy;
  o.willingness_to_pay = wtp;
  return o;
}

double cost_of(const hemsim::Scenario& s, const hemsim::ParameterOverrides& overrides, int k) {
  hemsim::SimulationOptions cohort;
  cohort.method = hemsim::Method::cohort;
  return hemsim::simulate(hemsim::compile_model(s, overrides), cohort).strategies[static_cast<std::size_t>(k)].costs_by_perspective[0].discounted.mean;
}

}  // namespace

TEST(Dsa, OneWayEndsEqualDirectRunsAndAreOrderedBySwing) {
  const auto s = intro();
  const auto a = hemsim::one_way_sensitivity(s, cohort_options(2, 100000));  // B vs SoC
  EXPECT_NEAR(a.base.icer, 72987.636067, 1e-5);
  ASSERT_EQ(a.parameters.size(), 16U);
  for (std::size_t i = 1; i < a.parameters.size(); ++i) EXPECT_GE(a.parameters[i - 1].net_benefit_swing, a.parameters[i].net_benefit_swing);
  const auto& top = a.parameters.front();
  EXPECT_EQ(top.parameter, "hr_S1S2_trtB");
  EXPECT_EQ(top.low_value, 0.4);
  EXPECT_EQ(top.high_value, 0.8);
  EXPECT_EQ(top.low.costs[2], cost_of(s, {{"hr_S1S2_trtB", 0.4}}, 2));
  EXPECT_EQ(top.high.costs[0], cost_of(s, {{"hr_S1S2_trtB", 0.8}}, 0));
  EXPECT_NEAR(top.low.incremental_net_benefit, 100000 * top.low.incremental_effect - top.low.incremental_cost, 1e-6);
  // A parameter only strategy A uses cannot move B vs SoC.
  const auto only_a = std::find_if(a.parameters.begin(), a.parameters.end(), [](const auto& r) { return r.parameter == "c_trtA"; });
  ASSERT_NE(only_a, a.parameters.end());
  EXPECT_EQ(only_a->net_benefit_swing, 0.0);
}

TEST(Dsa, ScenarioVariantsReproduceTheBaseCaseWhenUnchanged) {
  const auto s = intro();
  const auto options = cohort_options(2, 100000);
  const auto variants = hemsim::scenario_analysis(s, options, {hemsim::horizon_variants({75})[0], hemsim::discount_variants({0.03})[0],
                                                               hemsim::horizon_variants({5})[0]});
  const auto base = hemsim::evaluate(s, {}, options);
  EXPECT_EQ(variants[0].evaluation.icer, base.icer);
  EXPECT_EQ(variants[1].evaluation.icer, base.icer);
  EXPECT_LT(variants[2].evaluation.incremental_effect, base.incremental_effect);  // a 5-year horizon captures less benefit
  EXPECT_EQ(variants[2].name, "horizon 5 years");
}

TEST(Dsa, TwoWayCornersMatchDirectEvaluations) {
  const auto s = intro();
  const auto options = cohort_options(2, 100000);
  const auto grid = hemsim::two_way_sensitivity(s, options, "c_trtB", "hr_S1S2_trtB", 3);
  ASSERT_EQ(grid.values_a.size(), 3U);
  EXPECT_EQ(grid.values_a[1], 13000);
  const auto corner = hemsim::evaluate(s, {{"c_trtB", 16000}, {"hr_S1S2_trtB", 0.4}}, options);
  EXPECT_EQ(grid.incremental_net_benefit[2][0], corner.incremental_net_benefit);
  EXPECT_EQ(grid.optimal_strategy[2][0], corner.optimal_strategy);
}

TEST(Dsa, ValueBasedPriceGivesTheThresholdIcerAndMatchesThresholdAnalysis) {
  const auto s = general();
  for (hemsim::Method method : {hemsim::Method::cohort, hemsim::Method::microsimulation}) {
    auto options = cohort_options(1, 50000);
    options.simulation.method = method;
    options.simulation.individuals = 4000;
    const auto prices = hemsim::value_based_price(s, options, "c_drug", {20000, 50000, 100000});
    ASSERT_EQ(prices.size(), 3U);
    for (const auto& p : prices) EXPECT_NEAR(p.check_icer, p.willingness_to_pay, 1e-6 * p.willingness_to_pay);
    EXPECT_LT(prices[0].price, prices[1].price);
    EXPECT_LT(prices[1].price, prices[2].price);
    // Independently: bisection on the price where the optimal strategy changes at 50,000.
    const auto t = hemsim::threshold_analysis(s, options, "c_drug", 0, 5000, 10, 1e-9);
    ASSERT_TRUE(t.threshold.has_value());
    EXPECT_EQ(t.optimal_below, 1);
    EXPECT_EQ(t.optimal_above, 0);
    EXPECT_NEAR(*t.threshold, prices[1].price, 1e-4);
  }
}

TEST(Dsa, RejectsPriceParametersThatAreNotTheStrategysOwn) {
  const auto s = intro();
  EXPECT_THROW((void)hemsim::value_based_price(s, cohort_options(2, 100000), "c_trtB", {100000}), hemsim::ScenarioError);  // AB too
  EXPECT_THROW((void)hemsim::value_based_price(s, cohort_options(2, 100000), "p_S1S2", {100000}), hemsim::ScenarioError);  // derived
}
