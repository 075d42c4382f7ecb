// Parameter evaluation: derived formulas in dependency order, strategy and caller
// overrides, and cycles reported by name.

#include "hemsim/parameters.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hemsim/error.hpp"
#include "hemsim/scenario_io.hpp"

namespace {

std::string scenario(const std::string& parameters) {
  return "schema_version: 1\nname: p\nsettings: {horizon: {cycles: 1}}\nparameters:\n" + parameters +
         "states: {A: {}}\ninitial: {A: 1}\ntransitions: {A: {A: complement}}\n"
         "strategies: {base: {}, alt: {parameters: {p_HD: 0.01}}}\n";
}

}  // namespace

TEST(Parameters, DerivedFormulasFollowDependenciesAndOverrides) {
  // Declared out of order on purpose: p_S1D needs r_HD, which needs p_HD.
  const auto s = hemsim::parse_scenario(scenario("  p_S1D: {formula: \"1 - exp(-rr * r_HD)\"}\n"
                                                 "  r_HD: {formula: \"-ln(1 - p_HD)\"}\n"
                                                 "  p_HD: 0.005\n  rr: 3\n"),
                                        "p.yaml");
  const auto base = hemsim::evaluate_parameters(s, 0);
  EXPECT_NEAR(base.at("p_S1D"), 1 - std::pow(0.995, 3), 1e-15);
  const auto alt = hemsim::evaluate_parameters(s, 1);
  EXPECT_NEAR(alt.at("p_S1D"), 1 - std::pow(0.99, 3), 1e-15);
  const auto over = hemsim::evaluate_parameters(s, 0, {{"rr", 10}});
  EXPECT_NEAR(over.at("p_S1D"), 1 - std::pow(0.995, 10), 1e-15);
  EXPECT_THROW((void)hemsim::evaluate_parameters(s, 0, {{"r_HD", 1.0}}), hemsim::ScenarioError);
}

TEST(Parameters, AStrategysOwnValueStandsOverACallersOverride) {
  // Strategy alt sets p_HD itself: a draw of p_HD changes the base strategy only.
  const auto s = hemsim::parse_scenario(scenario("  p_HD: 0.005\n  q: {formula: \"2 * p_HD\"}\n"), "p.yaml");
  EXPECT_EQ(hemsim::evaluate_parameters(s, 0, {{"p_HD", 0.2}}).at("q"), 0.4);
  EXPECT_EQ(hemsim::evaluate_parameters(s, 1, {{"p_HD", 0.2}}).at("q"), 0.02);
}

TEST(Parameters, CycleIsReportedWithItsChain) {
  const auto s = hemsim::parse_scenario(scenario("  a: {formula: \"b + 1\"}\n  b: {formula: \"c * 2\"}\n"
                                                 "  c: {formula: \"a\"}\n  p_HD: 0.1\n"),
                                        "cycle.yaml");
  try {
    (void)hemsim::evaluate_parameters(s, 0);
    FAIL() << "expected a ScenarioError";
  } catch (const hemsim::ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cycle.yaml:"), std::string::npos) << what;
    EXPECT_NE(what.find("a -> b -> c -> a"), std::string::npos) << what;
  }
}
