// Decision outputs against numbers worked out by hand (percentiles by R's type-7 rule),
// against identities that hold whatever the data (the smallest expected loss is the
// EVPI; P(i beats j) + P(j beats i) = 1), and against a brute-force search for the
// thresholds at which the optimal strategy changes.

#include "hemsim/decision_outputs.hpp"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <utility>

#include "hemsim/decision.hpp"

namespace {

// 4 draws x 3 strategies. Against A: ΔC(B) = 200, 400, 150, 300; ΔE(B) = 1, 2, 0.5, 1.5;
// ΔC(C) = 50, 150, −50, 250; ΔE(C) = 0.2, 0, −0.2, 0.4 (changes sign).
struct HandTable {
  std::vector<std::string> names{"A", "B", "C"};
  Eigen::MatrixXd costs{{100, 300, 150}, {100, 500, 250}, {100, 250, 50}, {100, 400, 350}};
  Eigen::MatrixXd effects{{1, 2, 1.2}, {1, 3, 1.0}, {1, 1.5, 0.8}, {1, 2.5, 1.4}};
};

}  // namespace

TEST(DecisionOutputs, ComparisonsAgainstAReferenceMatchAHandComputation) {
  const HandTable t;
  const auto r = hemsim::compare_with_reference(t.names, t.costs, t.effects, "A", {100});
  EXPECT_EQ(r.reference, "A");
  ASSERT_EQ(r.comparisons.size(), 2U);
  const auto& b = r.comparisons[0];
  EXPECT_EQ(b.strategy, "B");
  // Type 7 with 4 values: the 2.5 % point sits 0.075 of the way from the 1st to the 2nd
  // sorted value, the 97.5 % point 0.925 of the way from the 3rd to the 4th.
  EXPECT_DOUBLE_EQ(b.incremental_cost.mean, 262.5);
  EXPECT_DOUBLE_EQ(b.incremental_cost.lower, 150 + 0.075 * 50);
  EXPECT_DOUBLE_EQ(b.incremental_cost.upper, 300 + 0.925 * 100);
  EXPECT_DOUBLE_EQ(b.incremental_effect.mean, 1.25);
  EXPECT_DOUBLE_EQ(b.incremental_effect.lower, 0.5 + 0.075 * 0.5);
  EXPECT_DOUBLE_EQ(b.incremental_effect.upper, 1.5 + 0.925 * 0.5);
  EXPECT_DOUBLE_EQ(*b.icer, 262.5 / 1.25);
  // Per-draw ICERs 200, 200, 300, 200.
  EXPECT_DOUBLE_EQ(*b.icer_lower, 200);
  EXPECT_DOUBLE_EQ(*b.icer_upper, 200 + 0.925 * 100);
  // INMB at 100: −100, −200, −100, −150.
  ASSERT_EQ(b.incremental_net_benefit.size(), 1U);
  EXPECT_DOUBLE_EQ(b.incremental_net_benefit[0].mean, -137.5);
  EXPECT_DOUBLE_EQ(b.incremental_net_benefit[0].lower, -200 + 0.075 * 50);
  EXPECT_DOUBLE_EQ(b.incremental_net_benefit[0].upper, -100);
  const auto& c = r.comparisons[1];
  EXPECT_EQ(c.strategy, "C");
  EXPECT_DOUBLE_EQ(*c.icer, 100 / 0.1);
  EXPECT_FALSE(c.icer_lower.has_value()) << "ΔE changes sign: no ICER interval";
  EXPECT_FALSE(c.icer_upper.has_value());
}

TEST(DecisionOutputs, AnyStrategyCanBeTheReferenceAndTheIntervalLevelIsTheCallers) {
  const HandTable t;
  const auto r = hemsim::compare_with_reference(t.names, t.costs, t.effects, "B", {0}, 0.5);
  ASSERT_EQ(r.comparisons.size(), 2U);
  EXPECT_EQ(r.comparisons[0].strategy, "A");
  EXPECT_EQ(r.comparisons[1].strategy, "C");
  // A against B: ΔC sorted −400, −300, −200, −150; the 25 % point at h = 3 x 0.25 = 0.75,
  // the 75 % point at h = 2.25.
  EXPECT_DOUBLE_EQ(r.comparisons[0].incremental_cost.lower, -400 + 0.75 * 100);
  EXPECT_DOUBLE_EQ(r.comparisons[0].incremental_cost.upper, -200 + 0.25 * 50);
  EXPECT_DOUBLE_EQ(*r.comparisons[0].icer, 262.5 / 1.25);
  // A deterministic table (one draw): every interval is the point.
  const auto one = hemsim::compare_with_reference({"UC", "B"}, Eigen::MatrixXd{{5000, 10000}}, Eigen::MatrixXd{{1, 2}}, "UC", {20000});
  EXPECT_EQ(one.comparisons[0].incremental_net_benefit[0].lower, 15000);
  EXPECT_EQ(one.comparisons[0].incremental_net_benefit[0].upper, 15000);
  EXPECT_EQ(*one.comparisons[0].icer, 5000);
}

TEST(DecisionOutputs, ZeroMeanIncrementalEffectHasNoIcer) {
  const auto r = hemsim::compare_with_reference({"A", "B"}, Eigen::MatrixXd{{0, 10}, {0, 20}}, Eigen::MatrixXd{{1, 2}, {1, 0}}, "A", {});
  EXPECT_FALSE(r.comparisons[0].icer.has_value());
}

TEST(DecisionOutputs, LabelledAcceptabilityCurvesCarryTheNames) {
  const HandTable t;
  const auto curves = hemsim::acceptability_curves(t.names, t.costs, t.effects, {0, 1000});
  EXPECT_EQ(curves.strategies, t.names);
  EXPECT_EQ(curves.wtp, (std::vector<double>{0, 1000}));
  EXPECT_EQ(curves.probability, hemsim::acceptability_curves(t.costs, t.effects, {0, 1000}));
  // At 0 the cheapest wins every draw except draw 3, where C (50) is cheaper than A.
  EXPECT_DOUBLE_EQ(curves.probability(0, 0), 0.75);
  EXPECT_DOUBLE_EQ(curves.probability(0, 2), 0.25);
}

TEST(DecisionOutputs, ExpectedLossOnAHandBuiltTable) {
  // At 100: NB(A) = 0, NB(B) = 50, −50, 0, −10. Loss(A) = 50 / 4; loss(B) = (50 + 10) / 4.
  Eigen::MatrixXd costs{{0, 50}, {0, 150}, {0, 100}, {0, 20}};
  Eigen::MatrixXd effects{{0, 1}, {0, 1}, {0, 1}, {0, 0.1}};
  const auto loss = hemsim::expected_loss_curves({"A", "B"}, costs, effects, {100});
  EXPECT_DOUBLE_EQ(loss.expected_loss(0, 0), 12.5);
  EXPECT_DOUBLE_EQ(loss.expected_loss(0, 1), 15.0);
  EXPECT_DOUBLE_EQ(loss.expected_loss.row(0).minCoeff(), hemsim::expected_value_of_perfect_information(costs, effects, {100})[0]);
}

TEST(DecisionOutputs, SmallestExpectedLossIsTheEvpiAndBelongsToTheOptimalStrategy) {
  std::mt19937_64 generator(5);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd costs(500, 4), effects(500, 4);
  for (Eigen::Index d = 0; d < 500; ++d)
    for (Eigen::Index s = 0; s < 4; ++s) {
      costs(d, s) = 1000.0 * static_cast<double>(s) + 400 * normal(generator);
      effects(d, s) = 0.05 * static_cast<double>(s) + 0.1 * normal(generator);
    }
  const std::vector<double> wtp{0, 10000, 20000, 50000};
  const auto loss = hemsim::expected_loss_curves({"a", "b", "c", "d"}, costs, effects, wtp);
  const auto evpi = hemsim::expected_value_of_perfect_information(costs, effects, wtp);
  const auto frontier = hemsim::acceptability_frontier(costs, effects, wtp);
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    Eigen::Index best = 0;
    const double smallest = loss.expected_loss.row(static_cast<Eigen::Index>(w)).minCoeff(&best);
    EXPECT_NEAR(smallest, evpi[w], 1e-9 * (1 + evpi[w])) << wtp[w];
    EXPECT_EQ(best, frontier[w].optimal_strategy) << wtp[w];
  }
}

TEST(DecisionOutputs, PairwiseAcceptabilityOnAHandBuiltTable) {
  Eigen::MatrixXd costs{{0, 50}, {0, 150}, {0, 100}, {0, 20}};
  Eigen::MatrixXd effects{{0, 1}, {0, 1}, {0, 1}, {0, 0.1}};
  const auto p = hemsim::pairwise_acceptability({"A", "B"}, costs, effects, {100});
  // NB(B) − NB(A) = 50, −50, 0 (half), −10.
  EXPECT_DOUBLE_EQ(p.beats(0, "B", "A"), 1.5 / 4);
  EXPECT_DOUBLE_EQ(p.beats(0, "A", "B"), 2.5 / 4);
  EXPECT_DOUBLE_EQ(p.beats(0, "A", "A"), 0.5);
}

TEST(DecisionOutputs, PairwiseAcceptabilityIsComplementaryAndDiffersFromTheMultiwayCurve) {
  // Three strategies, two draws. NB at 0 = −cost: draw 1: A 0, B −1, C −2; draw 2: A −2, B −1, C 0.
  Eigen::MatrixXd costs{{0, 1, 2}, {2, 1, 0}};
  const Eigen::MatrixXd effects = Eigen::MatrixXd::Zero(2, 3);
  const auto p = hemsim::pairwise_acceptability({"A", "B", "C"}, costs, effects, {0});
  // B beats A in draw 2 only, B beats C in draw 1 only: 1/2 each, yet B is never best.
  EXPECT_DOUBLE_EQ(p.beats(0, "B", "A"), 0.5);
  EXPECT_DOUBLE_EQ(p.beats(0, "B", "C"), 0.5);
  EXPECT_DOUBLE_EQ(hemsim::acceptability_curves(costs, effects, {0})(0, 1), 0.0);
  for (const auto& [i, j] : std::vector<std::pair<std::string, std::string>>{{"A", "B"}, {"A", "C"}, {"B", "C"}})
    EXPECT_DOUBLE_EQ(p.beats(0, i, j) + p.beats(0, j, i), 1.0);
}

namespace {

// The optimal strategy at λ by brute force: the highest λE − C, the first on ties.
std::size_t optimal_at(double wtp, const std::vector<double>& costs, const std::vector<double>& effects) {
  std::size_t best = 0;
  for (std::size_t s = 1; s < costs.size(); ++s)
    if (wtp * effects[s] - costs[s] > wtp * effects[best] - costs[best]) best = s;
  return best;
}

}  // namespace

TEST(DecisionOutputs, OptimalStrategySwitchesAreTheFrontierIcersOfTheHercExample) {
  const std::vector<std::string> names{"E", "D", "C", "B", "A", "UC"};
  const std::vector<double> costs{55000, 35000, 25000, 10000, 12000, 5000}, effects{5, 4, 3, 2, 1.5, 1};
  const auto switches = hemsim::optimal_strategy_switches(names, costs, effects);
  ASSERT_EQ(switches.size(), 3U);
  const std::vector<std::tuple<double, std::string, std::string>> expected{{5000, "UC", "B"}, {12500, "B", "D"}, {20000, "D", "E"}};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(switches[k].wtp, std::get<0>(expected[k]));
    EXPECT_EQ(switches[k].from, std::get<1>(expected[k]));
    EXPECT_EQ(switches[k].to, std::get<2>(expected[k]));
  }
  // Brute force on a grid of 1 (money unit): the optimum changes exactly there (at each
  // switch the two strategies tie, and the one listed first, here the costlier, wins).
  std::vector<double> changes;
  for (double wtp = 1; wtp <= 30000; ++wtp)
    if (optimal_at(wtp, costs, effects) != optimal_at(wtp - 1, costs, effects)) changes.push_back(wtp);
  EXPECT_EQ(changes, (std::vector<double>{5000, 12500, 20000}));
}

TEST(DecisionOutputs, OptimalStrategySwitchesFromDrawsUseTheMeans) {
  // Two draws around the HERC means (±1000 in cost, ±0.5 in effect, opposite signs).
  const std::vector<double> c{5000, 10000, 35000, 55000}, e{1, 2, 4, 5};
  Eigen::MatrixXd costs(2, 4), effects(2, 4);
  for (Eigen::Index s = 0; s < 4; ++s) {
    const auto i = static_cast<std::size_t>(s);
    costs.col(s) << c[i] - 1000, c[i] + 1000;
    effects.col(s) << e[i] + 0.5, e[i] - 0.5;
  }
  const auto switches = hemsim::optimal_strategy_switches({"UC", "B", "D", "E"}, costs, effects);
  ASSERT_EQ(switches.size(), 3U);
  EXPECT_EQ(switches[1].wtp, 12500);
  // The acceptability frontier agrees on either side of each switch.
  for (const auto& s : switches) {
    const auto below = hemsim::acceptability_frontier({"UC", "B", "D", "E"}, costs, effects, {s.wtp - 1});
    const auto above = hemsim::acceptability_frontier({"UC", "B", "D", "E"}, costs, effects, {s.wtp + 1});
    EXPECT_EQ(below[0].strategy, s.from);
    EXPECT_EQ(above[0].strategy, s.to);
  }
}

TEST(DecisionOutputs, CollinearFrontierGivesTwoSwitchesAtOneThreshold) {
  const auto switches = hemsim::optimal_strategy_switches({"A", "B", "C"}, std::vector<double>{0, 10, 20}, {0, 1, 2});
  ASSERT_EQ(switches.size(), 2U);
  EXPECT_EQ(switches[0].wtp, 10);
  EXPECT_EQ(switches[0].from, "A");
  EXPECT_EQ(switches[0].to, "B");
  EXPECT_EQ(switches[1].wtp, 10);
  EXPECT_EQ(switches[1].to, "C");
  // A strategy optimal at every threshold: no switch.
  EXPECT_TRUE(hemsim::optimal_strategy_switches({"A", "B"}, std::vector<double>{0, 10}, {2, 1}).empty());
}
