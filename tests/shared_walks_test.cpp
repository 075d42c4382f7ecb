// Strategies with the same static rows share one microsimulation walk (lib/engine/
// shared_walks.cpp): each member settles its own rewards, transition rewards and events
// from it. A strategy's results must not depend on whether it leads a walk, follows one,
// or runs alone.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine/shared_walks.hpp"
#include "hemsim/hemsim.hpp"
#include "support/identical_results.hpp"

namespace {

using hemsim::RunResults;
using hemsim_test::expect_identical;

// `treated` has the rows of `usual` (it changes only costs, a utility and the transition
// reward); `faster` changes a move. An event, a one-off reward on falling ill and one on
// staying ill make the members record different things on the same walk.
const std::string kModel = R"y(
schema_version: 1
name: shared walks
settings:
  cycle_length: 1 year
  horizon: {cycles: 40}
  discount: {costs: 0.03, effects: 0.015}
  reference_strategy: usual
cost_categories:
  care: {}
  drug: {}
parameters:
  p_ill: 0.1
  p_recover: 0.3
  p_die_well: 0.01
  p_die_ill: 0.05
  c_ill: 1000
  c_drug: 0
  c_onset: 200
  c_stay: 10
  u_ill: 0.6
states:
  Well: {costs: {care: 100}, utility: 0.9}
  Ill: {costs: {care: c_ill, drug: c_drug}, utility: u_ill}
  Dead: {dead: true}
initial: {Well: 1}
transitions:
  Well: {Ill: p_ill, Dead: p_die_well, Well: complement}
  Ill: {Well: p_recover, Dead: p_die_ill, Ill: complement}
transition_rewards:
  - {from: Well, to: Ill, costs: {care: c_onset}, qalys: -0.02}
  - {from: Ill, to: Ill, costs: {care: c_stay}}
events:
  fell_ill: {enter: [Ill], report_years: [5, 20]}
strategies:
  usual: {}
  treated: {parameters: {c_drug: 3000, u_ill: 0.7, c_onset: 50, c_stay: 40}}
  faster: {parameters: {p_recover: 0.5}}
)y";

RunResults run(const std::string& yaml, std::uint64_t individuals, std::uint64_t seed) {
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  options.seed = seed;
  options.seed_set = true;
  return hemsim::run_scenario(hemsim::parse_scenario(yaml, "inline.yaml"), options);
}

// The model with only `keep` among its strategies (the first of them the reference).
std::string with_strategies(const std::string& keep_yaml, const std::string& reference) {
  std::string yaml = kModel;
  yaml.replace(yaml.find("  reference_strategy: usual"), std::string("  reference_strategy: usual").size(), "  reference_strategy: " + reference);
  yaml.replace(yaml.find("strategies:\n  usual"), std::string::npos, "strategies:\n" + keep_yaml);
  return yaml;
}

// The model without its transition rewards.
std::string without_transition_rewards(std::string yaml) {
  const auto first = yaml.find("transition_rewards:");
  return yaml.erase(first, yaml.find("events:") - first);
}

TEST(SharedWalks, GroupsStrategiesWhoseRowsAndStartAreTheSame) {
  const auto model = hemsim::compile_model(hemsim::parse_scenario(kModel, "inline.yaml"));
  EXPECT_EQ(hemsim::detail::strategies_sharing_walks(model.data()), (std::vector<std::vector<int>>{{0, 1}, {2}}));
  // `treated` changes only the factors of the weight columns: `usual` totals its stays and
  // counts its trace for both.
  const hemsim::detail::WalkPlan plan(model.data());
  EXPECT_EQ(plan.walks, (std::vector<std::vector<int>>{{0, 1}, {2}}));
  EXPECT_EQ(plan.totals_sources, (std::vector<int>{0, 0, 2}));
  // `treated` has transition rewards of its own, so it records its own walk; without them
  // it takes `usual`'s records.
  EXPECT_EQ(plan.record_sources, (std::vector<int>{0, 1, 2}));
  const auto quiet = hemsim::compile_model(hemsim::parse_scenario(without_transition_rewards(kModel), "inline.yaml"));
  EXPECT_EQ(hemsim::detail::WalkPlan(quiet.data()).record_sources, (std::vector<int>{0, 0, 2}));
  // Alarid-Escudero et al.: A changes only rewards; B and AB lower the same progression.
  const auto sick_sicker = hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"));
  EXPECT_EQ(hemsim::detail::strategies_sharing_walks(sick_sicker.data()), (std::vector<std::vector<int>>{{0, 1}, {2, 3}}));
}

TEST(SharedWalks, AStrategysResultsDoNotDependOnWhoSharesItsWalk) {
  for (const std::uint64_t seed : {1U, 7U}) {
    const RunResults all = run(kModel, 3000, seed);
    // `treated` follows `usual`'s walk above; alone, or first, it leads its own.
    const RunResults alone = run(with_strategies("  treated: {parameters: {c_drug: 3000, u_ill: 0.7, c_onset: 50, c_stay: 40}}\n", "treated"), 3000, seed);
    const RunResults first = run(with_strategies("  treated: {parameters: {c_drug: 3000, u_ill: 0.7, c_onset: 50, c_stay: 40}}\n  usual: {}\n", "treated"), 3000, seed);
    const auto& treated = all.strategies.at(static_cast<std::size_t>(all.strategy_index("treated")));
    expect_identical(treated, alone.strategies.at(0));
    expect_identical(treated, first.strategies.at(0));
    expect_identical(all.strategies.at(0), first.strategies.at(1));  // `usual` following `treated`
    // The members record different things on the same walk.
    EXPECT_NE(treated.costs_by_category.at(0).discounted.mean, all.strategies.at(0).costs_by_category.at(0).discounted.mean);
    EXPECT_EQ(treated.life_years.discounted.mean, all.strategies.at(0).life_years.discounted.mean);
    EXPECT_GT(treated.events.at(0).count.mean, 0.0);
  }
}

// Without transition rewards `treated` records nothing as it walks: it copies where
// `usual`'s walk ended, its events and first events, and its trace (WalkPlan::record_sources).
TEST(SharedWalks, AStrategyThatCopiesTheLeadersRecordsGetsWhatItWouldRecordAlone) {
  const std::string model = without_transition_rewards(kModel);
  const std::string treated = "  treated: {parameters: {c_drug: 3000, u_ill: 0.7}}\n";
  for (const std::uint64_t seed : {1U, 7U}) {
    const RunResults all = run(model, 3000, seed);
    std::string alone_yaml = model;
    alone_yaml.replace(alone_yaml.find("  reference_strategy: usual"), std::string("  reference_strategy: usual").size(), "  reference_strategy: treated");
    alone_yaml.replace(alone_yaml.find("strategies:\n  usual"), std::string::npos, "strategies:\n" + treated);
    const RunResults alone = run(alone_yaml, 3000, seed);
    const auto& follower = all.strategies.at(static_cast<std::size_t>(all.strategy_index("treated")));
    expect_identical(follower, alone.strategies.at(0));
    EXPECT_GT(follower.events.at(0).count.mean, 0.0);
    EXPECT_NE(follower.costs_by_category.at(1).discounted.mean, all.strategies.at(0).costs_by_category.at(1).discounted.mean);
  }
}

// A strategy that takes its walk's records and stay totals from the leader starts from a
// copy of the leader's outputs and settles only those that differ (Lane::own_outputs).
// Here the leader pays transition rewards (costs of care, QALYs) that the follower does
// not, and the follower has a one-time cost the leader lacks: the follower must still get
// the bits it gets alone, in every output, and the leader its own.
TEST(SharedWalks, AStrategyThatCopiesTheLeadersOutputsSettlesThoseThatDiffer) {
  std::string model = kModel;
  model.replace(model.find("qalys: -0.02"), std::string("qalys: -0.02").size(), "qalys: q_onset");
  model.replace(model.find("  u_ill: 0.6\n"), 0, "  q_onset: -0.02\n");
  model.replace(model.find("  drug: {}\n"), 0, "  admin: {}\n");  // paid only as the follower's one-time cost
  const std::string follower = "  treated: {parameters: {c_drug: 3000, u_ill: 0.7, c_onset: 0, c_stay: 0, q_onset: 0}, one_time_costs: {admin: 500}}\n";
  model.replace(model.find("  treated: {"), model.find("  faster:") - model.find("  treated: {"), follower);
  const auto compiled = hemsim::compile_model(hemsim::parse_scenario(model, "inline.yaml"));
  const hemsim::detail::WalkPlan plan(compiled.data());
  ASSERT_EQ(plan.record_sources, (std::vector<int>{0, 0, 2}));  // the case under test: `treated` follows `usual`
  ASSERT_EQ(plan.totals_sources, (std::vector<int>{0, 0, 2}));
  std::string alone_yaml = model, usual_yaml = model;
  alone_yaml.replace(alone_yaml.find("  reference_strategy: usual"), std::string("  reference_strategy: usual").size(), "  reference_strategy: treated");
  alone_yaml.replace(alone_yaml.find("strategies:\n  usual"), std::string::npos, "strategies:\n" + follower);
  usual_yaml.replace(usual_yaml.find("strategies:\n  usual"), std::string::npos, "strategies:\n  usual: {}\n");
  for (const std::uint64_t seed : {1U, 7U}) {
    const RunResults all = run(model, 3000, seed);
    const auto& treated = all.strategies.at(static_cast<std::size_t>(all.strategy_index("treated")));
    expect_identical(treated, run(alone_yaml, 3000, seed).strategies.at(0));
    expect_identical(all.strategies.at(0), run(usual_yaml, 3000, seed).strategies.at(0));
    // What the copy must not carry over: the leader's transition rewards and its costs.
    EXPECT_NE(treated.qalys.discounted.mean, all.strategies.at(0).qalys.discounted.mean);
    EXPECT_NE(treated.costs_by_category.at(0).discounted.mean, all.strategies.at(0).costs_by_category.at(0).discounted.mean);
    EXPECT_EQ(treated.costs_by_category.at(1).discounted.mean, 500.0);  // the one-time cost, at time 0
    EXPECT_EQ(all.strategies.at(0).costs_by_category.at(1).discounted.mean, 0.0);
    // What it carries: the same walk's life-years and events.
    EXPECT_EQ(treated.life_years.discounted.mean, all.strategies.at(0).life_years.discounted.mean);
    EXPECT_EQ(treated.events.at(0).count.mean, all.strategies.at(0).events.at(0).count.mean);
  }
}

// The fast path walks stay by stay (lib/engine/microsimulation.cpp, run_walk); a model
// that also keeps a counter takes the general path, cycle by cycle, with the same random
// numbers. A counter that nothing reads changes no outcome, so both must give the same
// bits. `Frail` is a stay that only death can end, `Well` draws the event group, and the
// transition reward on staying ill makes some stays record every cycle.
TEST(SharedWalks, TheStayByStayWalkGivesTheBitsOfTheCycleByCycleEngine) {
  std::string fast = kModel;
  fast.replace(fast.find("initial:"), 0, "  Frail: {costs: {care: 500}, utility: 0.5}\n");
  fast.replace(fast.find("  Ill: {Well: p_recover, Dead: p_die_ill, Ill: complement}"),
               std::string("  Ill: {Well: p_recover, Dead: p_die_ill, Ill: complement}").size(),
               "  Ill: {Well: p_recover, Frail: 0.04, Dead: p_die_ill, Ill: complement}\n  Frail: {Dead: 0.12, Frail: complement}");
  std::string general = fast;
  general.replace(general.find("states:"), 0, "counters:\n  ill_spells: {max: 50, increment_on_entry: {Ill: 1}}\n");
  for (const std::uint64_t seed : {1U, 7U}) {
    const RunResults walked = run(fast, 3000, seed);
    const RunResults cycled = run(general, 3000, seed);
    ASSERT_EQ(walked.strategies.size(), cycled.strategies.size());
    for (std::size_t k = 0; k < walked.strategies.size(); ++k) expect_identical(walked.strategies[k], cycled.strategies[k]);
    const auto frail = static_cast<std::size_t>(std::find(walked.states.begin(), walked.states.end(), "Frail") - walked.states.begin());
    EXPECT_GT(walked.strategies.at(0).years_in_state.at(frail).mean, 0.1);  // Frail is reached
  }
}

}  // namespace
