// Malformed input to every public decision function: each case either throws the
// documented std::invalid_argument or returns the documented value; none may end the
// process with a signal (before the fix, EVPPI segfaulted on a NaN cost, a NaN
// parameter value and a constant parameter). Cases are generated from tables: every
// function over a (draws x strategies) table meets every bad table and bad threshold,
// every labelled one every bad list of names.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/decision_json.hpp"
#include "hemsim/decision_outputs.hpp"

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Draws {
  Eigen::MatrixXd costs, effects, parameters;
  std::vector<std::string> names;
};

/// A well-formed PSA table: `draws` x `strategies`, two varying parameters.
Draws valid(Eigen::Index draws = 40, Eigen::Index strategies = 2) {
  std::mt19937_64 generator(42);
  std::normal_distribution<double> normal(0.0, 1.0);
  Draws d{Eigen::MatrixXd(draws, strategies), Eigen::MatrixXd(draws, strategies), Eigen::MatrixXd(draws, 2), {}};
  for (Eigen::Index r = 0; r < draws; ++r) {
    d.parameters(r, 0) = normal(generator);
    d.parameters(r, 1) = normal(generator);
    for (Eigen::Index s = 0; s < strategies; ++s) {
      d.costs(r, s) = 1000.0 * static_cast<double>(s) + 200.0 * d.parameters(r, 0) + 50.0 * normal(generator);
      d.effects(r, s) = 1.0 + 0.1 * static_cast<double>(s) + 0.05 * d.parameters(r, 1) + 0.01 * normal(generator);
    }
  }
  for (Eigen::Index s = 0; s < strategies; ++s) d.names.push_back(fmt::format("s{}", s));  // "s" + to_string trips GCC 12 -Wrestrict
  return d;
}

template <typename Mutate>
Draws valid_with(Mutate mutate) {
  Draws d = valid();
  mutate(d);
  return d;
}

struct Case {
  std::string name;
  std::function<void()> call;
  bool throws = true;  ///< std::invalid_argument expected; otherwise `call` checks what it returns
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.name; }

class DecisionMalformedInput : public ::testing::TestWithParam<Case> {};

TEST_P(DecisionMalformedInput, ThrowsInvalidArgumentOrReturnsTheDocumentedValue) {
  const Case& c = GetParam();
  if (c.throws)
    EXPECT_THROW(c.call(), std::invalid_argument);
  else
    EXPECT_NO_THROW(c.call());
}

// --- every function over a (draws x strategies) table -----------------------------

struct TableFunction {
  std::string name;
  std::function<void(const Draws&, const std::vector<double>&)> call;
  bool labelled = false;
  bool uses_wtp = true;
};

std::vector<TableFunction> table_functions() {
  return {
      {"AcceptabilityCurves", [](const Draws& d, const std::vector<double>& w) { (void)hemsim::acceptability_curves(d.costs, d.effects, w); }},
      {"AcceptabilityFrontier", [](const Draws& d, const std::vector<double>& w) { (void)hemsim::acceptability_frontier(d.costs, d.effects, w); }},
      {"Evpi", [](const Draws& d, const std::vector<double>& w) { (void)hemsim::expected_value_of_perfect_information(d.costs, d.effects, w); }},
      {"Evppi",
       [](const Draws& d, const std::vector<double>& w) {
         (void)hemsim::expected_value_of_partial_perfect_information(d.costs, d.effects, d.parameters.col(0), w, 0, 10);
       }},
      {"LabelledAcceptabilityCurves",
       [](const Draws& d, const std::vector<double>& w) { (void)hemsim::acceptability_curves(d.names, d.costs, d.effects, w); }, true},
      {"LabelledAcceptabilityFrontier",
       [](const Draws& d, const std::vector<double>& w) { (void)hemsim::acceptability_frontier(d.names, d.costs, d.effects, w); }, true},
      {"CompareWithReference",
       [](const Draws& d, const std::vector<double>& w) {
         (void)hemsim::compare_with_reference(d.names, d.costs, d.effects, d.names.empty() ? "s0" : d.names[0], w);
       },
       true},
      {"PairwiseAcceptability",
       [](const Draws& d, const std::vector<double>& w) { (void)hemsim::pairwise_acceptability(d.names, d.costs, d.effects, w); }, true},
      {"ExpectedLossCurves",
       [](const Draws& d, const std::vector<double>& w) { (void)hemsim::expected_loss_curves(d.names, d.costs, d.effects, w); }, true},
      {"OptimalStrategySwitches",
       [](const Draws& d, const std::vector<double>&) { (void)hemsim::optimal_strategy_switches(d.names, d.costs, d.effects); }, true,
       false},
  };
}

struct BadInput {
  std::string name;
  Draws draws;
  std::vector<double> wtp;
};

std::vector<BadInput> bad_tables() {
  const std::vector<double> wtp{0, 50000};
  return {
      {"NanCost", valid_with([](Draws& d) { d.costs(3, 1) = kNan; }), wtp},
      {"InfiniteCost", valid_with([](Draws& d) { d.costs(0, 0) = kInf; }), wtp},
      {"NanEffect", valid_with([](Draws& d) { d.effects(39, 1) = kNan; }), wtp},
      {"MinusInfiniteEffect", valid_with([](Draws& d) { d.effects(5, 0) = -kInf; }), wtp},
      {"FewerEffectRows", valid_with([](Draws& d) { d.effects.conservativeResize(39, 2); }), wtp},
      {"FewerEffectColumns", valid_with([](Draws& d) { d.effects.conservativeResize(40, 1); }), wtp},
      {"ZeroStrategies", valid_with([](Draws& d) {
         d.costs.resize(40, 0);
         d.effects.resize(40, 0);
         d.names.clear();
       }),
       wtp},
      {"ZeroDraws", valid_with([](Draws& d) {
         d.costs.resize(0, 2);
         d.effects.resize(0, 2);
         d.parameters.resize(0, 2);
       }),
       wtp},
  };
}

std::vector<BadInput> bad_thresholds() {
  return {{"NanThreshold", valid(), {1000, kNan}},
          {"InfiniteThreshold", valid(), {kInf}},
          {"MinusInfiniteThreshold", valid(), {-kInf}},
          {"NegativeThreshold", valid(), {-1}}};
}

std::vector<BadInput> bad_names() {
  return {{"DuplicateNames", valid_with([](Draws& d) { d.names = {"same", "same"}; }), {0}},
          {"TooFewNames", valid_with([](Draws& d) { d.names = {"s0"}; }), {0}},
          {"TooManyNames", valid_with([](Draws& d) { d.names = {"s0", "s1", "s2"}; }), {0}},
          {"EmptyName", valid_with([](Draws& d) { d.names = {"s0", ""}; }), {0}}};
}

std::vector<Case> table_cases() {
  std::vector<Case> cases;
  for (const auto& f : table_functions()) {
    const auto add = [&](const BadInput& bad) {
      cases.push_back({f.name + "_" + bad.name, [call = f.call, bad] { call(bad.draws, bad.wtp); }, true});
    };
    for (const auto& bad : bad_tables()) add(bad);
    if (f.uses_wtp)
      for (const auto& bad : bad_thresholds()) add(bad);
    if (f.labelled)
      for (const auto& bad : bad_names()) add(bad);
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(TableFunctions, DecisionMalformedInput, ::testing::ValuesIn(table_cases()), case_name);

// --- degenerate but valid tables: the documented values ------------------------------

std::vector<Case> documented_value_cases() {
  const Draws one = valid(40, 1);
  Draws twins = valid();
  twins.costs.col(1) = twins.costs.col(0);
  twins.effects.col(1) = twins.effects.col(0);
  const Draws d = valid();
  return {
      {"OneStrategyIsAlwaysAcceptable", [one] { EXPECT_EQ(hemsim::acceptability_curves(one.costs, one.effects, {0, 1e5})(1, 0), 1.0); }, false},
      {"OneStrategyHasNoEvpi", [one] { EXPECT_EQ(hemsim::expected_value_of_perfect_information(one.costs, one.effects, {1e5})[0], 0.0); }, false},
      {"OneStrategyHasNoEvppi",
       [one] {
         const auto r = hemsim::expected_value_of_partial_perfect_information(one.costs, one.effects, one.parameters, {1e5});
         EXPECT_EQ(r.method, "constant");
         EXPECT_EQ(r.evppi, std::vector<double>{0.0});
         EXPECT_EQ(r.standard_error, std::vector<double>{0.0});
       },
       false},
      {"OneStrategyHasNoComparisons",
       [one] { EXPECT_TRUE(hemsim::compare_with_reference(one.names, one.costs, one.effects, "s0", {1e5}).comparisons.empty()); }, false},
      {"OneStrategyHasNoLossAndNoSwitch",
       [one] {
         EXPECT_EQ(hemsim::expected_loss_curves(one.names, one.costs, one.effects, {1e5}).expected_loss(0, 0), 0.0);
         EXPECT_TRUE(hemsim::optimal_strategy_switches(one.names, one.costs, one.effects).empty());
       },
       false},
      {"IdenticalStrategiesShareEveryDraw",
       [twins] {
         const Eigen::MatrixXd ceac = hemsim::acceptability_curves(twins.costs, twins.effects, {0, 1e5});
         EXPECT_EQ(ceac(1, 0), 0.5);
         EXPECT_EQ(ceac(1, 1), 0.5);
         EXPECT_EQ(hemsim::pairwise_acceptability(twins.names, twins.costs, twins.effects, {1e5}).beats(0, "s0", "s1"), 0.5);
         EXPECT_EQ(hemsim::acceptability_frontier(twins.names, twins.costs, twins.effects, {1e5})[0].strategy, "s0");
       },
       false},
      {"NoThresholdsGiveEmptyResults",
       [d] {
         EXPECT_EQ(hemsim::acceptability_curves(d.costs, d.effects, {}).rows(), 0);
         EXPECT_TRUE(hemsim::expected_value_of_perfect_information(d.costs, d.effects, {}).empty());
         EXPECT_TRUE(hemsim::expected_value_of_partial_perfect_information(d.costs, d.effects, d.parameters.col(0), {}).evppi.empty());
         EXPECT_EQ(hemsim::expected_loss_curves(d.names, d.costs, d.effects, {}).expected_loss.rows(), 0);
       },
       false},
      {"NoStrategiesGiveAnEmptyIncrementalTable", [] { EXPECT_TRUE(hemsim::incremental_table({}, {}, {}).rows.empty()); }, false},
      {"NetBenefitOfAnEmptyTableIsEmpty",
       [] { EXPECT_EQ(hemsim::net_monetary_benefit(Eigen::MatrixXd(0, 2), Eigen::MatrixXd(0, 2), 1.0).size(), 0); }, false},
      {"HugeHorizonIsFinite", [] { EXPECT_NEAR(hemsim::effective_population(100, 1e300, 0.03), 100 * 1.03 / 0.03, 1e-6); }, false},
  };
}

INSTANTIATE_TEST_SUITE_P(DocumentedValues, DecisionMalformedInput, ::testing::ValuesIn(documented_value_cases()), case_name);

// --- EVPPI's own arguments --------------------------------------------------------------

hemsim::EvppiResult evppi(const Draws& d, const Eigen::MatrixXd& parameters, int reference = 0, int posterior_samples = 20) {
  return hemsim::expected_value_of_partial_perfect_information(d.costs, d.effects, parameters, {0, 50000}, reference, posterior_samples);
}

std::vector<Case> evppi_cases() {
  const Draws d = valid();
  const auto with_parameters = [d](auto mutate) {
    Eigen::MatrixXd p = d.parameters;
    mutate(p);
    return p;
  };
  const Eigen::MatrixXd nan_parameter = with_parameters([](Eigen::MatrixXd& p) { p(7, 0) = kNan; });
  const Eigen::MatrixXd inf_parameter = with_parameters([](Eigen::MatrixXd& p) { p(0, 1) = kInf; });
  const Eigen::MatrixXd short_parameter = d.parameters.topRows(39);
  const Eigen::MatrixXd constant = Eigen::MatrixXd::Constant(40, 1, 3.5);
  Eigen::MatrixXd constant_in_group(40, 2), all_constant(40, 2);
  constant_in_group << d.parameters.col(0), constant;
  all_constant << constant, Eigen::MatrixXd::Zero(40, 1);
  Draws few = d;
  few.costs = d.costs.topRows(29);
  few.effects = d.effects.topRows(29);
  const Draws many = valid(3001, 2);
  Eigen::MatrixXd three_varying(3001, 3);
  three_varying << many.parameters, many.parameters.col(0).array().square().matrix();
  return {
      {"NanParameter", [=] { (void)evppi(d, nan_parameter); }},
      {"InfiniteParameter", [=] { (void)evppi(d, inf_parameter); }},
      {"ParameterRowsDiffer", [=] { (void)evppi(d, short_parameter); }},
      {"NoParameterColumns", [=] { (void)evppi(d, Eigen::MatrixXd(40, 0)); }},
      {"FewerThan30Draws", [=] { (void)evppi(few, few.parameters.topRows(29)); }},
      {"NegativePosteriorSamples", [=] { (void)evppi(d, d.parameters.col(0), 0, -1); }},
      {"ZeroPosteriorSamples", [=] { (void)evppi(d, d.parameters.col(0), 0, 0); }},
      {"OnePosteriorSample", [=] { (void)evppi(d, d.parameters.col(0), 0, 1); }},
      {"NegativeReference", [=] { (void)evppi(d, d.parameters.col(0), -1); }},
      {"ReferenceBeyondTheStrategies", [=] { (void)evppi(d, d.parameters.col(0), 2); }},
      {"GaussianProcessGroupAbove3000Draws", [=] { (void)evppi(many, three_varying); }},
      {"ConstantParameterHasEvppiZero",
       [=] {
         const auto r = evppi(d, constant);
         EXPECT_EQ(r.method, "constant");
         EXPECT_EQ(r.evppi, (std::vector<double>{0.0, 0.0}));
         EXPECT_EQ(r.standard_error, (std::vector<double>{0.0, 0.0}));
       },
       false},
      {"GroupOfConstantParametersHasEvppiZero", [=] { EXPECT_EQ(evppi(d, all_constant).evppi, (std::vector<double>{0.0, 0.0})); }, false},
      {"ConstantParameterAddsNothingToAGroup",
       [=] {
         const auto group = evppi(d, constant_in_group), alone = evppi(d, d.parameters.col(0));
         EXPECT_EQ(group.method, "P-spline (GCV)");
         EXPECT_EQ(group.evppi, alone.evppi);
         EXPECT_EQ(group.standard_error, alone.standard_error);
       },
       false},
  };
}

INSTANTIATE_TEST_SUITE_P(Evppi, DecisionMalformedInput, ::testing::ValuesIn(evppi_cases()), case_name);

// --- the scalar helpers, the incremental table and the labelled results ---------------------

std::vector<Case> other_cases() {
  const Draws d = valid();
  const auto pairwise = hemsim::pairwise_acceptability(d.names, d.costs, d.effects, {0});
  return {
      {"NetMonetaryBenefitNanCost", [] { (void)hemsim::net_monetary_benefit(kNan, 1.0, 1.0); }},
      {"NetMonetaryBenefitInfiniteEffect", [] { (void)hemsim::net_monetary_benefit(1.0, kInf, 1.0); }},
      {"NetMonetaryBenefitNanThreshold", [] { (void)hemsim::net_monetary_benefit(1.0, 1.0, kNan); }},
      {"NetMonetaryBenefitInfiniteThreshold", [] { (void)hemsim::net_monetary_benefit(1.0, 1.0, kInf); }},
      {"NetMonetaryBenefitNegativeThreshold", [] { (void)hemsim::net_monetary_benefit(1.0, 1.0, -1.0); }},
      {"NetBenefitMatrixShapesDiffer", [d] { (void)hemsim::net_monetary_benefit(d.costs, d.effects.leftCols(1), 1.0); }},
      {"NetBenefitMatrixNan", [] { (void)hemsim::net_monetary_benefit(Eigen::MatrixXd::Constant(2, 2, kNan), Eigen::MatrixXd::Zero(2, 2), 1.0); }},
      {"NetBenefitMatrixNegativeThreshold", [d] { (void)hemsim::net_monetary_benefit(d.costs, d.effects, -5.0); }},
      {"NetHealthBenefitZeroThreshold", [] { (void)hemsim::net_health_benefit(1.0, 1.0, 0.0); }},
      {"NetHealthBenefitNegativeThreshold", [] { (void)hemsim::net_health_benefit(1.0, 1.0, -1.0); }},
      {"NetHealthBenefitNanCost", [] { (void)hemsim::net_health_benefit(kNan, 1.0, 1.0); }},
      {"NetHealthBenefitInfiniteThreshold", [] { (void)hemsim::net_health_benefit(1.0, 1.0, kInf); }},
      {"EffectivePopulationNan", [] { (void)hemsim::effective_population(kNan, 1, 0.03); }},
      {"EffectivePopulationInfiniteHorizon", [] { (void)hemsim::effective_population(1, kInf, 0.03); }},
      {"EffectivePopulationNegativeRate", [] { (void)hemsim::effective_population(1, 1, -0.03); }},
      {"EffectivePopulationNanPrevalent", [] { (void)hemsim::effective_population(1, 1, 0.03, kNan); }},
      {"IncrementalTableNanCost", [] { (void)hemsim::incremental_table({"a", "b"}, {1, kNan}, {1, 2}); }},
      {"IncrementalTableInfiniteEffect", [] { (void)hemsim::incremental_table({"a", "b"}, {1, 2}, {kInf, 2}); }},
      {"IncrementalTableLengthsDiffer", [] { (void)hemsim::incremental_table({"a", "b"}, {1}, {1, 2}); }},
      {"IncrementalTableDuplicateNames", [] { (void)hemsim::incremental_table({"a", "a"}, {1, 2}, {1, 2}); }},
      {"IncrementalTableEmptyName", [] { (void)hemsim::incremental_table({"a", ""}, {1, 2}, {1, 2}); }},
      {"IncrementalTableOneStrategy",
       [] { EXPECT_EQ(hemsim::incremental_table({"only"}, {1}, {1}).rows.at(0).status, hemsim::DominanceStatus::non_dominated); }, false},
      {"DominanceStatusOutOfRange", [] { (void)hemsim::to_string(static_cast<hemsim::DominanceStatus>(7)); }},
      {"SwitchesFromMeansLengthsDiffer", [] { (void)hemsim::optimal_strategy_switches({"a", "b"}, std::vector<double>{1}, {1, 2}); }},
      {"SwitchesFromMeansNan", [] { (void)hemsim::optimal_strategy_switches({"a", "b"}, std::vector<double>{1, kNan}, {1, 2}); }},
      {"SwitchesFromMeansDuplicateNames", [] { (void)hemsim::optimal_strategy_switches({"a", "a"}, std::vector<double>{1, 2}, {1, 2}); }},
      {"SwitchesFromMeansNoStrategies", [] { (void)hemsim::optimal_strategy_switches({}, std::vector<double>{}, {}); }},
      {"UnknownReference", [d] { (void)hemsim::compare_with_reference(d.names, d.costs, d.effects, "nobody", {0}); }},
      {"IntervalLevelZero", [d] { (void)hemsim::compare_with_reference(d.names, d.costs, d.effects, "s0", {0}, 0.0); }},
      {"IntervalLevelOne", [d] { (void)hemsim::compare_with_reference(d.names, d.costs, d.effects, "s0", {0}, 1.0); }},
      {"IntervalLevelNan", [d] { (void)hemsim::compare_with_reference(d.names, d.costs, d.effects, "s0", {0}, kNan); }},
      {"PairwiseUnknownStrategy", [pairwise] { (void)pairwise.beats(0, "s0", "nobody"); }},
      {"PairwiseThresholdIndexOutOfRange", [pairwise] { (void)pairwise.beats(1, "s0", "s1"); }},
      {"FrontierJsonWithoutNames", [d] { (void)hemsim::to_json(hemsim::acceptability_frontier(d.costs, d.effects, {0})); }},
  };
}

INSTANTIATE_TEST_SUITE_P(Other, DecisionMalformedInput, ::testing::ValuesIn(other_cases()), case_name);

}  // namespace
