// What docs/scenario-format.md says, sentence by sentence, for the parts issue 14 found
// unclear: how counters update (reset, increment_in with "*" and named states,
// increment_on_entry skipped for a stay, clamping, initial, and which value rewards at
// point t see), the expression functions floor, ceil, mod and %, costs on a dead
// state, a complement-only row under background mortality, and table files written
// by spreadsheets (a UTF-8 byte-order mark). Expected values are worked out by hand in
// the comments.

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hemsim/hemsim.hpp"
#include "support/inline_scenario.hpp"

namespace fs = std::filesystem;

namespace {

using hemsim::Method;
using hemsim::RunResults;

using hemsim_test::run;

// The message of the ScenarioError that a cost formula gives (parameter p = 2 exists),
// or "accepted".
std::string formula_message(const std::string& formula) {
  const std::string yaml = R"y(
schema_version: 1
name: formula
settings: {horizon: {cycles: 1}}
parameters:
  p: 2
  x: {formula: ")y" + formula + R"y("}
states:
  A: {costs: {cost: x}}
initial: {A: 1}
transitions:
  A: {A: 1}
strategies:
  only: {}
)y";
  try {
    (void)hemsim::compile_model(hemsim::parse_scenario(yaml, "formula.yaml"));
  } catch (const hemsim::ScenarioError& e) {
    return std::string(e.what());
  }
  return std::string("accepted");
}

// A deterministic path through three living states, driven by t:
//   point  0  1  2  3  4  5  6
//   state  A  A  B  B  C  A  A
// (cycle t moves from point t to t+1: A->B in cycle 1, B->C in cycle 3, C->A in cycle 4,
// A->A stays otherwise). Each counter's value at every point is read through outcomes
// `<counter>_at_<j>` = "t == j ? <counter> : 0" in every state, with weight 1 at every
// point (both ends, no correction, no discounting), so outcome <counter>_at_j is exactly
// the value rewards at point j see.
constexpr int kPoints = 7;

std::vector<std::vector<double>> counter_values(const std::string& counters, const std::vector<std::string>& names) {
  std::string outcomes, per_state;
  for (const auto& c : names)
    for (int j = 0; j < kPoints; ++j) {
      outcomes += fmt::format("  {}_at_{}: {{}}\n", c, j);
      per_state += fmt::format("{}{}_at_{}: \"t == {} ? {} : 0\"", per_state.empty() ? "" : ", ", c, j, j, c);
    }
  const std::string yaml = fmt::format(R"y(
schema_version: 1
name: counter semantics
settings:
  cycle_length: 1 year
  horizon: {{cycles: 6}}
  discount: {{costs: 0, effects: 0}}
  reward_timing: both_ends
  within_cycle_correction: none
outcomes:
{}counters:
{}states:
  A: {{outcomes: {{{}}}}}
  B: {{outcomes: {{{}}}}}
  C: {{outcomes: {{{}}}}}
initial: {{A: 1}}
transitions:
  A: {{B: "t == 1 ? 1 : 0", A: complement}}
  B: {{C: "t == 3 ? 1 : 0", B: complement}}
  C: {{A: 1}}
strategies:
  only: {{}}
)y",
                                       outcomes, counters, per_state, per_state, per_state);
  const RunResults r = run(yaml, Method::microsimulation, 2);
  std::vector<std::vector<double>> values;
  for (std::size_t c = 0; c < names.size(); ++c) {
    values.emplace_back();
    for (int j = 0; j < kPoints; ++j)
      values.back().push_back(r.strategies[0].outcomes[c * kPoints + static_cast<std::size_t>(j)].undiscounted.mean);
  }
  return values;
}

std::vector<double> one_counter(const std::string& spec) { return counter_values("  k: " + spec + "\n", {"k"})[0]; }

}  // namespace

// "increment_in[from state] is added for every cycle spent in that state; "*" means any
// living state and adds to a named state's amount." From A: 1 + 10, from B or C: 1.
TEST(CounterSemantics, StarAndNamedIncrementsAdd) {
  EXPECT_EQ(one_counter(R"({max: 1000, increment_in: {"*": 1, A: 10}})"), (std::vector<double>{0, 11, 22, 23, 24, 25, 36}));
}

// "increment_on_entry[to state] is added on entering that state from another; staying
// (a self-loop) is not an entry." A is entered only at point 5; the stays at points 1
// and 6 add nothing.
TEST(CounterSemantics, IncrementOnEntryIsSkippedForAStay) {
  EXPECT_EQ(one_counter("{max: 1000, increment_on_entry: {A: 100, B: 1}}"), (std::vector<double>{0, 0, 1, 1, 1, 101, 101}));
}

// "On entering a state listed in reset_on_entry the value is set to that state's
// increment_on_entry (0 if none): the increment_in of the cycle just ended is not added."
// Entering C at point 4: 5, not 3 + 1 + 5 = 9 and not 0 + 1 + 5 = 6.
TEST(CounterSemantics, ResetSetsTheValueToIncrementOnEntryAlone) {
  EXPECT_EQ(one_counter(R"({max: 1000, increment_in: {"*": 1}, increment_on_entry: {C: 5}, reset_on_entry: [C]})"),
            (std::vector<double>{0, 1, 2, 3, 5, 6, 7}));
  // Entering B at point 2 with no increment_on_entry: 0, not 0 + 1.
  EXPECT_EQ(one_counter(R"({max: 1000, increment_in: {"*": 1}, reset_on_entry: [B]})"), (std::vector<double>{0, 1, 0, 1, 2, 3, 4}));
}

// "A reset applies only on entry from another state": a stay in a reset state counts on.
TEST(CounterSemantics, StayingInAResetStateDoesNotReset) {
  EXPECT_EQ(one_counter(R"({max: 1000, increment_in: {"*": 1}, reset_on_entry: [A]})"), (std::vector<double>{0, 1, 2, 3, 4, 0, 1}));
}

// "The result is clamped to [0, max]."
TEST(CounterSemantics, ValueIsClampedToMax) {
  EXPECT_EQ(one_counter(R"({max: 2, increment_in: {"*": 1}})"), (std::vector<double>{0, 1, 2, 2, 2, 2, 2}));
}

// "initial sets the value at entry into the model (point 0)."
TEST(CounterSemantics, InitialIsTheValueAtPointZero) {
  EXPECT_EQ(one_counter("{initial: 3, max: 10, increment_on_entry: {B: 1}}"), (std::vector<double>{3, 3, 4, 4, 4, 4, 4}));
}

// "Counters are updated at the end of each cycle, with its transition: rewards at point t
// and the transition of cycle t see the value after the update of cycle t - 1." The
// counter of cycles spent in B is 0 at point 2 (B entered at point 2), 1 at point 3, and
// 2 at point 4 (where the individual is already in C).
TEST(CounterSemantics, RewardsAtPointTSeeTheValueBeforeCycleTsUpdate) {
  EXPECT_EQ(one_counter("{max: 10, increment_in: {B: 1}}"), (std::vector<double>{0, 0, 0, 1, 2, 2, 2}));
}

// "*" counts living states only: a dead state's cycles do not add.
TEST(CounterSemantics, StarSkipsDeadStates) {
  const std::string yaml = R"y(
schema_version: 1
name: star and dead
settings:
  horizon: {cycles: 4}
  discount: {costs: 0, effects: 0}
  reward_timing: both_ends
  within_cycle_correction: none
outcomes:
  final: {}
counters:
  k: {max: 10, increment_in: {"*": 1}}
states:
  A: {}
  D: {dead: true, outcomes: {final: "t == 4 ? k : 0"}}
initial: {A: 1}
transitions:
  A: {D: 1}
strategies:
  only: {}
)y";
  // One cycle in A (k = 1 at point 1), then dead: k stays 1.
  EXPECT_EQ(run(yaml, Method::microsimulation, 2).strategies[0].outcomes[0].undiscounted.mean, 1.0);
}

// Expressions: floor, ceil, mod and % (mod has the sign of the divisor, as R's %%).
TEST(ExpressionFunctions, FloorCeilModAndPercent) {
  auto value = [](const std::string& expression) {
    const std::string yaml = fmt::format(R"y(
schema_version: 1
name: functions
settings: {{horizon: {{cycles: 1}}, discount: {{costs: 0, effects: 0}}, reward_timing: start_of_cycle}}
parameters:
  x: {{formula: "{}"}}
states:
  A: {{costs: {{cost: x}}}}
initial: {{A: 1}}
transitions:
  A: {{A: 1}}
strategies:
  only: {{}}
)y",
                                         expression);
    return run(yaml, Method::cohort).strategies[0].costs_by_category[0].undiscounted.mean;
  };
  EXPECT_EQ(value("floor(2.7)"), 2.0);
  EXPECT_EQ(value("ceil(2.1)"), 3.0);
  EXPECT_EQ(value("mod(7, 3)"), 1.0);
  EXPECT_EQ(value("7 % 3"), 1.0);
  EXPECT_EQ(value("mod(-7, 3) + 10"), 12.0);  // -7 mod 3 = 2, as R's -7 %% 3
  EXPECT_EQ(value("1 + 7 % 3 * 2"), 3.0);     // % binds like * and /, left to right
  EXPECT_EQ(value("max(floor(5.5), ceil(4.5))"), 5.0);
}

// "Costs on a dead state are allowed and accrue for every cycle spent dead" (for a one-off
// cost of dying use a transition reward).
TEST(DeadStates, CostsOnADeadStateAccruePerCycle) {
  const std::string yaml = R"y(
schema_version: 1
name: dead costs
settings:
  horizon: {cycles: 5}
  discount: {costs: 0, effects: 0}
  reward_timing: both_ends
  within_cycle_correction: none
states:
  A: {costs: {cost: 1}}
  D: {dead: true, costs: {cost: 100}}
initial: {A: 1}
transitions:
  A: {D: 1}
strategies:
  only: {}
)y";
  // Point 0 in A (1), points 1..5 dead (5 x 100).
  EXPECT_EQ(run(yaml, Method::cohort).strategies[0].costs_by_category[0].undiscounted.mean, 501.0);
}

// "A row holding only a complement is not absorbing: background mortality applies to it;
// only absorbing: true (or dead: true) exempts a state."
TEST(BackgroundMortality, ComplementOnlyRowIsNotAbsorbing) {
  auto alive_at_end = [](const std::string& chronic_state, const std::string& transitions) {
    const std::string yaml = fmt::format(R"y(
schema_version: 1
name: complement only
settings: {{horizon: {{cycles: 2}}}}
states:
  chronic: {}
  D: {{dead: true}}
initial: {{chronic: 1}}
{}
background_mortality:
  to: D
  annual_probability: "0.5"
strategies:
  only: {{}}
)y",
                                         chronic_state, transitions);
    const RunResults r = run(yaml, Method::cohort);
    return r.strategies[0].trace[2 * r.states.size()];
  };
  EXPECT_DOUBLE_EQ(alive_at_end("{}", "transitions:\n  chronic: {chronic: complement}"), 0.25);
  EXPECT_DOUBLE_EQ(alive_at_end("{absorbing: true}", "transitions: {}"), 1.0);
}

// Spreadsheets save CSV with a UTF-8 byte-order mark; it is not part of the first column's name.
TEST(TableFiles, ByteOrderMarkIsIgnored) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_bom_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "lt.csv", std::ios::binary) << "\xEF\xBB\xBF" "age,qx\r\n0,0.5\r\n";
  const std::string yaml = R"y(
schema_version: 1
name: bom
settings: {horizon: {cycles: 1}}
population: {age: 50}
tables:
  lt: {file: lt.csv, key: age}
states:
  A: {}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: "lt_qx(age)", A: complement}
strategies:
  only: {}
)y";
  RunResults r;
  EXPECT_NO_THROW(r = run(yaml, Method::cohort, 0, (dir / "s.yaml").string()));
  if (!r.strategies.empty()) {
    EXPECT_DOUBLE_EQ(r.strategies[0].trace[1 * r.states.size()], 0.5);
  }
  fs::remove_all(dir);
}

// A huge expression is not echoed whole into the message: its first 120 characters and
// its length are, and the name at fault still is.
TEST(ExpressionMessages, HugeExpressionIsTruncated) {
  auto message = formula_message;
  auto long_sum = [](std::size_t size) {
    std::string text = "0.1";
    while (text.size() < size) text += " + 0 * 0.123456789";
    return text;
  };
  const std::string huge = long_sum(1000000);  // muparser refuses it as too long
  const std::string what = message(huge);
  EXPECT_LT(what.size(), 600U) << what.substr(0, 2000);
  EXPECT_NE(what.find(fmt::format("... ({} characters)", huge.size())), std::string::npos) << what.substr(0, 2000);
  const std::string unknown = long_sum(4000) + " + unknown_name";
  const std::string named = message(unknown);
  EXPECT_LT(named.size(), 600U) << named.substr(0, 2000);
  EXPECT_NE(named.find("unknown name 'unknown_name'"), std::string::npos) << named.substr(0, 2000);
  EXPECT_NE(named.find(fmt::format("... ({} characters)", unknown.size())), std::string::npos) << named.substr(0, 2000);
}

// An unknown function is named (not a number's exponent before it, not a parameter
// followed by a parenthesis), with the functions that exist.
TEST(ExpressionMessages, UnknownFunctionIsNamedWithTheKnownOnes) {
  auto message = formula_message;
  const std::string what = message("2e1 * p + trunc(1.5)");
  EXPECT_NE(what.find("calls unknown function 'trunc'"), std::string::npos) << what;
  EXPECT_NE(what.find("floor, ceil, mod"), std::string::npos) << what;
  EXPECT_EQ(message("floor(2e1) + p").find("unknown function"), std::string::npos);
}

namespace {

// A probability is checked only where some individual can be: at cycle t, ages from the
// youngest to the oldest starting age plus t (issue 14: "age 90 at cycle 0" was rejected
// when everyone starts at 40 to 60).
TEST(ReachableGrid, ProbabilityAboveOneOnlyWhereNobodyIsIsAcceptedAndWhereSomeoneIsRejected) {
  const std::string base = R"y(
schema_version: 1
name: reachable
settings: {cycle_length: 1 year, horizon: {cycles: 10}}
population:
  age: {type: uniform, min: 40, max: 60}
states:
  A: {utility: 1}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: "RISK", A: complement}
strategies:
  only: {}
)y";
  auto with_risk = [&](const std::string& risk) {
    std::string yaml = base;
    return yaml.replace(yaml.find("RISK"), 4, risk);
  };
  // Above 1 only at cycle 0 beyond age 62: nobody is older than 60 at the start.
  const auto r = run(with_risk("t == 0 && age > 62 ? 1.5 : 0.01"), Method::microsimulation, 1000);
  EXPECT_GT(r.strategies[0].life_years.undiscounted.mean, 9.0);
  // Above 1 at cycle 0 from age 56: reachable, rejected at a point someone reaches.
  try {
    (void)hemsim::compile_model(hemsim::parse_scenario(with_risk("t == 0 && age > 55 ? 1.5 : 0.01"), "reachable.yaml"));
    ADD_FAILURE() << "accepted";
  } catch (const hemsim::ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("cycle 0, age 5"), std::string::npos) << what;  // an age of 56 to 60
  }
}

}  // namespace
