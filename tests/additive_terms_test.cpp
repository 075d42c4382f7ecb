// Rewards split into the terms of their top-level sum (lib/scenario/additive_terms.cpp):
// the split is checked against muparser's value of the whole expression, and a model
// whose utility is split gives the results of the same model with the split prevented.

#include <gtest/gtest.h>

#include <muParser.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "hemsim/error.hpp"
#include "hemsim/hemsim.hpp"
#include "scenario/additive_terms.hpp"

namespace {

using hemsim::Expression;
using hemsim::detail::additive_terms;

std::vector<std::string> texts(const std::string& text) {
  std::vector<std::string> out;
  for (const Expression& term : additive_terms({text, {}})) out.push_back(term.text);
  return out;
}

TEST(AdditiveTerms, SplitsTopLevelSumsKeepingSigns) {
  EXPECT_EQ(texts("a - b*c + d"), (std::vector<std::string>{"a", "-(b*c)", "d"}));
  EXPECT_EQ(texts("-a + (b - c) * 2"), (std::vector<std::string>{"-a", "(b - c) * 2"}));
  EXPECT_EQ(texts("1e-5 + 2.5E+3 * x - .5"), (std::vector<std::string>{"1e-5", "2.5E+3 * x", "-(.5)"}));
  EXPECT_EQ(texts("a * -b - -c"), (std::vector<std::string>{"a * -b", "-(-c)"}));
  EXPECT_EQ(texts("f(a + b, c) - g(d)"), (std::vector<std::string>{"f(a + b, c)", "-(g(d))"}));
}

TEST(AdditiveTerms, LeavesWholeWhatIsNotAPlainSum) {
  for (const std::string text : {"a + b > c", "x ? a + b : c", "a + b == c", "a && b + c", "(a + b)", "a - (b", "a +", "a = b + c",
                                  "a + b ? c : d", "single"})
    EXPECT_EQ(texts(text), std::vector<std::string>{text}) << text;
}

// The terms' values sum to the expression's value at random points, muparser evaluating both.
TEST(AdditiveTerms, TermsSumToTheWholeExpression) {
  const std::vector<std::string> expressions = {
      "a - b*c + d", "-a^2 + b/c - 3*(a - d)", "(a > b ? a : b) - c * (d == 1) + 2e-3", "a % 2 + b - c^2 - -d",
      "sin(a) + cos(b) * c - min(a, b) + 1.5"};
  double a = 0, b = 0, c = 0, d = 0;
  auto parser_for = [&](const std::string& text) {
    mu::Parser p;
    p.DefineVar("a", &a);
    p.DefineVar("b", &b);
    p.DefineVar("c", &c);
    p.DefineVar("d", &d);
    p.DefineOprt("%", [](double x, double y) { return std::fmod(x, y); }, mu::prMUL_DIV, mu::oaLEFT);
    p.SetExpr(text);
    return p;
  };
  unsigned seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return static_cast<double>((seed >> 8) % 2000) / 100.0 - 10.0;
  };
  for (const std::string& text : expressions) {
    const auto terms = additive_terms({text, {}});
    ASSERT_GT(terms.size(), 1u) << text;
    for (int trial = 0; trial < 50; ++trial) {
      a = next(), b = next(), c = next(), d = std::round(next() / 10);
      if (c == 0) c = 1;
      double sum = 0;
      for (const Expression& term : terms) sum += parser_for(term.text).Eval();
      const double whole = parser_for(text).Eval();
      EXPECT_NEAR(sum, whole, 1e-9 * (1 + std::abs(whole))) << text;
    }
  }
}

// A lifetime monthly model whose utility reads time and age (a table over t x age, the
// shape of the flagship's injection states) is tabulated term by term, with the results
// of the whole table: the parenthesised copy cannot be split.
const std::string kLifetime = R"y(
schema_version: 1
name: split rewards
settings:
  cycle_length: 1 month
  horizon: lifetime
  discount: {costs: 0.03, effects: 0.03}
population:
  age: AGE
states:
  well: {utility: UTILITY, outcomes: {score: OUTCOME}}
  dead: {dead: true}
initial: {well: 1}
outcomes:
  score: {label: "a score"}
transitions:
  well: {dead: "0.002 + 0.0001 * (age - 40)", well: complement}
strategies:
  only: {}
)y";

std::string with(std::string yaml, const std::string& utility, const std::string& outcome,
                 const std::string& age = "{type: uniform, min: 40, max: 70}") {
  yaml.replace(yaml.find("AGE"), 3, age);
  yaml.replace(yaml.find("UTILITY"), 7, "\"" + utility + "\"");
  yaml.replace(yaml.find("OUTCOME"), 7, "\"" + outcome + "\"");
  return yaml;
}

TEST(AdditiveTerms, SplitRewardsGiveTheResultsOfTheWholeTable) {
  const std::string utility = "0.85 - 0.002 * (age - 40) - (t == 0) * 0.3";
  const std::string outcome = "3 * age - (t < 12) * 5";
  // The cohort follows a fixed entry age; the microsimulation a uniform one.
  for (const auto method : {hemsim::Method::cohort, hemsim::Method::microsimulation}) {
    const std::string age = method == hemsim::Method::cohort ? "40" : "{type: uniform, min: 40, max: 70}";
    const auto split = hemsim::parse_scenario(with(kLifetime, utility, outcome, age), "split.yaml");
    const auto whole = hemsim::parse_scenario(with(kLifetime, "(" + utility + ")", "(" + outcome + ")", age), "whole.yaml");

    const auto split_levels = hemsim::compile_model(split).describe_levels();
    const auto whole_levels = hemsim::compile_model(whole).describe_levels();
    auto has = [](const std::vector<std::string>& levels, const std::string& text) {
      return std::any_of(levels.begin(), levels.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has(split_levels, "utility in well, term 3 of 3: table over [t], ")) << "the utility was not split";
    EXPECT_TRUE(has(split_levels, "outcome score in well, term 2 of 2: table over [t], "));
    EXPECT_TRUE(has(whole_levels, "utility in well: table over [t, age]"));

    hemsim::SimulationOptions options;
    options.method = method;
    options.individuals = 2000;
    const auto a = hemsim::run_scenario(split, options);
    const auto b = hemsim::run_scenario(whole, options);
    const auto& x = a.strategies[0];
    const auto& y = b.strategies[0];
    EXPECT_NEAR(x.qalys.discounted.mean, y.qalys.discounted.mean, 1e-12 * y.qalys.discounted.mean);
    EXPECT_NEAR(x.qalys.undiscounted.mean, y.qalys.undiscounted.mean, 1e-12 * y.qalys.undiscounted.mean);
    EXPECT_NEAR(x.outcomes[0].discounted.mean, y.outcomes[0].discounted.mean, 1e-12 * y.outcomes[0].discounted.mean);
    EXPECT_EQ(x.life_years.discounted.mean, y.life_years.discounted.mean);
    EXPECT_GT(x.qalys.discounted.mean, 5.0);  // the model ran for decades, not a cycle
  }
}

TEST(AdditiveTerms, ASplitUtilityStillNeverExceedsOne) {
  // 0.5 + 0.01 * (100 - 40) = 1.1 at age 100: refused exactly as the whole table would be.
  const auto scenario = hemsim::parse_scenario(with(kLifetime, "0.5 + 0.01 * (age - 40) - (t == 0) * 0.1", "0"), "above.yaml");
  try {
    (void)hemsim::compile_model(scenario);
    FAIL() << "a utility above 1 was accepted";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("above 1"), std::string::npos) << e.what();
  }
}

}  // namespace
