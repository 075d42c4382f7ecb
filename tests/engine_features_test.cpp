// Engine features checked against hand calculations: rate conversion, reward timing and
// within-cycle corrections, discounting, background mortality from a life table with
// hazard ratios, transition rewards, tunnels (time in state), counters, events,
// discrete and continuous individual heterogeneity, run-time expressions, Weibull
// hazards and strategy overrides. Every expected value is computed here, independently
// of the engine.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "hemsim/hemsim.hpp"
#include "support/inline_scenario.hpp"

namespace {

using hemsim::Method;
using hemsim::RunResults;

using hemsim_test::run;

double trace(const RunResults& r, int strategy, int t, int state) {
  return r.strategies[static_cast<std::size_t>(strategy)].trace[static_cast<std::size_t>(t) * r.states.size() + static_cast<std::size_t>(state)];
}

const std::string kTwoState = R"y(
schema_version: 1
name: two-state
settings:
  cycle_length: 1 month
  horizon: {cycles: 24}
  discount: {costs: 0.05, effects: 0.02}
  reward_timing: REWARD_TIMING
  within_cycle_correction: CORRECTION
parameters:
  r_death: {value: 0.3, source: "test"}
  c_alive: 100
states:
  A: {costs: {cost: c_alive}, utility: 0.8}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: {rate: r_death}, A: complement}
strategies:
  only: {}
)y";

std::string with(std::string text, const std::string& key, const std::string& value) {
  const auto at = text.find(key);
  return text.replace(at, key.size(), value);
}

// Weight of point t under each convention, written out independently of the engine.
double weight(const std::string& timing, const std::string& correction, int t, int T) {
  if (timing == "start_of_cycle") return t < T ? 1.0 : 0.0;
  if (timing == "end_of_cycle") return t > 0 ? 1.0 : 0.0;
  const bool end = t == 0 || t == T;
  if (correction == "half_cycle" || correction == "trapezoid") return end ? 0.5 : 1.0;
  if (correction == "simpson") return end ? 1.0 / 3 : (t % 2 ? 4.0 / 3 : 2.0 / 3);
  if (correction == "simpson_darth") return end ? 1.0 / 3 : (t % 2 ? 2.0 / 3 : 4.0 / 3);
  return 1.0;
}

}  // namespace

TEST(EngineFeatures, RateConvertsToPerCycleProbabilityAndTraceIsExponential) {
  const RunResults r = run(with(with(kTwoState, "REWARD_TIMING", "both_ends"), "CORRECTION", "none"), Method::cohort);
  for (int t = 0; t <= 24; ++t) EXPECT_NEAR(trace(r, 0, t, 0), std::exp(-0.3 * t / 12.0), 1e-13) << t;
}

TEST(EngineFeatures, RewardTimingAndWithinCycleCorrectionsMatchHandSums) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"both_ends", "none"},          {"start_of_cycle", "none"}, {"end_of_cycle", "none"},
      {"both_ends", "half_cycle"},    {"both_ends", "trapezoid"}, {"both_ends", "simpson"},
      {"both_ends", "simpson_darth"}};
  for (const auto& [timing, correction] : cases) {
    const RunResults r = run(with(with(kTwoState, "REWARD_TIMING", timing), "CORRECTION", correction), Method::cohort);
    double cost = 0, qalys = 0, life_years_undiscounted = 0;
    for (int t = 0; t <= 24; ++t) {
      const double alive = std::exp(-0.3 * t / 12.0);
      const double w = weight(timing, correction, t, 24);
      cost += w * alive * 100 / std::pow(1.05, t / 12.0);
      qalys += w * alive * 0.8 / 12 / std::pow(1.02, t / 12.0);
      life_years_undiscounted += w * alive / 12;
    }
    const auto& o = r.strategies[0];
    EXPECT_NEAR(o.costs_by_perspective[0].discounted.mean, cost, 1e-9 * cost) << timing << " " << correction;
    EXPECT_NEAR(o.qalys.discounted.mean, qalys, 1e-12) << timing << " " << correction;
    EXPECT_NEAR(o.life_years.undiscounted.mean, life_years_undiscounted, 1e-12) << timing << " " << correction;
    EXPECT_NEAR(o.years_in_state[0].mean, life_years_undiscounted, 1e-12);
  }
}

TEST(EngineFeatures, CorrectionWithoutBothEndsIsRejected) {
  EXPECT_THROW(run(with(with(kTwoState, "REWARD_TIMING", "end_of_cycle"), "CORRECTION", "half_cycle"), Method::cohort),
               hemsim::ScenarioError);
}

TEST(EngineFeatures, MicrosimulationOfTwoStateModelAgreesWithCohort) {
  const std::string yaml = with(with(kTwoState, "REWARD_TIMING", "both_ends"), "CORRECTION", "half_cycle");
  const RunResults cohort = run(yaml, Method::cohort);
  const RunResults micro = run(yaml, Method::microsimulation, 40000);
  const auto& c = cohort.strategies[0];
  const auto& m = micro.strategies[0];
  EXPECT_NEAR(m.qalys.discounted.mean, c.qalys.discounted.mean, 4 * m.qalys.discounted.mcse);
  EXPECT_NEAR(m.costs_by_perspective[0].discounted.mean, c.costs_by_perspective[0].discounted.mean,
              4 * m.costs_by_perspective[0].discounted.mcse);
  EXPECT_GT(m.qalys.discounted.mcse, 0.0);
  EXPECT_EQ(c.qalys.discounted.mcse, 0.0);
}

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("hemsim_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                                      "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(EngineFeatures, BackgroundMortalityFromLifeTableWithHazardRatio) {
  TempDir dir;
  std::ofstream(dir.path / "lt.csv") << "# test life table\nage,qx_male,qx_female\n60,0.01,0.008\n61,0.02,0.015\n62,0.04,0.03\n";
  const std::string yaml = R"y(
schema_version: 1
name: life table
settings:
  cycle_length: 1 month
  horizon: {years: 3}
population:
  age: 60
  sex: 1
tables:
  lt: {file: lt.csv, key: age}
states:
  well: {utility: 1}
  sick: {utility: 0.5}
  dead: {dead: true}
initial: {well: 1}
transitions:
  well: {sick: 0.1, well: complement}
  sick: {sick: complement}
background_mortality:
  to: dead
  annual_probability: "sex == 1 ? lt_qx_female(age) : lt_qx_male(age)"
  hazard_ratios: {sick: 2}
strategies:
  only: {}
)y";
  const RunResults r = run(yaml, Method::cohort, 0, (dir.path / "scenario.yaml").string());
  // Independent recursion: death first, other moves conditional on surviving it.
  double well = 1, sick = 0, dead = 0;
  const double qx[] = {0.008, 0.015, 0.03};
  for (int t = 0; t < 36; ++t) {
    EXPECT_NEAR(trace(r, 0, t, 0), well, 1e-13) << t;
    EXPECT_NEAR(trace(r, 0, t, 1), sick, 1e-13) << t;
    EXPECT_NEAR(trace(r, 0, t, 2), dead, 1e-13) << t;
    const double q = qx[std::min(t / 12, 2)];
    const double p_well = 1 - std::pow(1 - q, 1.0 / 12);
    const double p_sick = 1 - std::pow(1 - q, 2.0 / 12);
    const double well_next = well * (1 - p_well) * 0.9;
    const double sick_next = well * (1 - p_well) * 0.1 + sick * (1 - p_sick);
    dead += well * p_well + sick * p_sick;
    well = well_next;
    sick = sick_next;
  }
}

TEST(EngineFeatures, TransitionRewardsAreDiscountedAtTheEndOfTheCycle) {
  const std::string yaml = R"y(
schema_version: 1
name: transition rewards
settings:
  horizon: {cycles: 5}
  discount: {costs: 0.04, effects: 0.01}
states:
  H: {}
  S: {}
  D: {dead: true}
initial: {H: 1}
transitions:
  H: {S: 0.2, D: 0.05, H: complement}
  S: {D: 0.1, S: complement}
transition_rewards:
  - {from: H, to: S, costs: {cost: 1000}, qalys: -0.1}
  - {from: "*", to: D, costs: {cost: 500}}
events:
  got_sick: {enter: [S]}
strategies:
  only: {}
)y";
  const RunResults r = run(yaml, Method::cohort);
  double h = 1, s = 0, cost = 0, qalys = 0, sick_events = 0;
  for (int t = 0; t < 5; ++t) {
    const double onset = h * 0.2, deaths = h * 0.05 + s * 0.1;
    cost += (onset * 1000 + deaths * 500) / std::pow(1.04, t + 1);
    qalys += -0.1 * onset / std::pow(1.01, t + 1);
    sick_events += onset;
    s = s * 0.9 + onset;
    h = h * 0.75;
  }
  EXPECT_NEAR(r.strategies[0].costs_by_perspective[0].discounted.mean, cost, 1e-9);
  EXPECT_NEAR(r.strategies[0].qalys.discounted.mean, qalys, 1e-12);
  EXPECT_NEAR(r.strategies[0].events[0].count.mean, sick_events, 1e-12);

  const RunResults micro = run(yaml, Method::microsimulation, 50000);
  const auto& m = micro.strategies[0];
  EXPECT_NEAR(m.costs_by_perspective[0].discounted.mean, cost, 4 * m.costs_by_perspective[0].discounted.mcse);
  EXPECT_NEAR(m.events[0].ever.mean, sick_events, 4 * m.events[0].ever.mcse);  // S is entered at most once
  EXPECT_NEAR(m.events[0].cumulative_incidence.back(), m.events[0].ever.mean, 1e-15);
}

TEST(EngineFeatures, TunnelByTimeInStateIsExactInBothEngines) {
  // Everyone is sick for exactly three cycles, then recovers: deterministic.
  const std::string yaml = R"y(
schema_version: 1
name: tunnel
settings:
  horizon: {cycles: 8}
states:
  H: {}
  S: {costs: {cost: "100 * (state_time + 1)"}}
initial: {S: 1}
transitions:
  S: {H: "state_time >= 2 ? 1 : 0", S: complement}
  H: {H: complement}
strategies:
  only: {}
)y";
  for (Method method : {Method::cohort, Method::microsimulation}) {
    const RunResults r = run(yaml, method, 100);
    for (int t = 0; t <= 8; ++t) EXPECT_EQ(trace(r, 0, t, 1), t < 3 ? 1.0 : 0.0) << t;
    EXPECT_DOUBLE_EQ(r.strategies[0].costs_by_perspective[0].undiscounted.mean, 100 + 200 + 300);
  }
}

TEST(EngineFeatures, CountersDriveTransitionsInMicrosimulationAndAreRejectedByCohort) {
  // Death exactly when the counter of cycles in S reaches 3; S is left for H and re-entered.
  const std::string yaml = R"y(
schema_version: 1
name: counter
settings:
  horizon: {cycles: 12}
counters:
  cycles_in_S: {max: 10, increment_in: {S: 1}}
  entries: {max: 10, increment_on_entry: {S: 1}}
states:
  H: {}
  S: {}
  D: {dead: true}
initial: {S: 1}
transitions:
  S: {D: "cycles_in_S >= 3 ? 1 : 0", H: "cycles_in_S < 3 ? 1 : 0"}
  H: {S: 1}
events:
  entered_S: {enter: [S]}
strategies:
  only: {}
)y";
  const RunResults r = run(yaml, Method::microsimulation, 10);
  // S(0) H(1) S(2) H(3) S(4) H(5) S(6) D(7...): cycles_in_S is 0, 1, 2, 3 at the four
  // visits, so only the fourth visit ends in death; S is entered three times.
  const std::vector<int> path{1, 0, 1, 0, 1, 0, 1, 2, 2, 2, 2, 2, 2};
  for (int t = 0; t <= 12; ++t) EXPECT_EQ(trace(r, 0, t, path[static_cast<std::size_t>(t)]), 1.0) << t;
  EXPECT_EQ(r.strategies[0].events[0].count.mean, 3.0);
  EXPECT_THROW(run(yaml, Method::cohort), hemsim::ScenarioError);
}

TEST(EngineFeatures, DiscreteAttributesAreWeightedInCohortAndSampledInMicrosimulation) {
  const std::string yaml = R"y(
schema_version: 1
name: heterogeneity
settings:
  horizon: {cycles: 10}
population:
  sex: {type: bernoulli, p: 0.3}
  severity: {type: categorical, probabilities: [0.5, 0.3, 0.2]}
states:
  A: {utility: 1}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: "0.02 + 0.03 * sex + 0.01 * severity", A: complement}
strategies:
  only: {}
)y";
  double expected = 0;  // undiscounted life-years, both ends, no correction
  for (int sex = 0; sex < 2; ++sex)
    for (int severity = 0; severity < 3; ++severity) {
      const double w = (sex ? 0.3 : 0.7) * std::vector<double>{0.5, 0.3, 0.2}[static_cast<std::size_t>(severity)];
      const double p = 0.02 + 0.03 * sex + 0.01 * severity;
      for (int t = 0; t <= 10; ++t) expected += w * std::pow(1 - p, t);
    }
  const RunResults cohort = run(yaml, Method::cohort);
  EXPECT_NEAR(cohort.strategies[0].life_years.undiscounted.mean, expected, 1e-12);
  const RunResults micro = run(yaml, Method::microsimulation, 50000);
  const auto& ly = micro.strategies[0].life_years.undiscounted;
  EXPECT_NEAR(ly.mean, expected, 4 * ly.mcse);
}

TEST(EngineFeatures, ContinuousAttributesEvaluatedPerIndividualAndPerCycle) {
  // x ~ Uniform(1, 3); death probability 0.01 x (t + 1) needs run-time evaluation.
  const std::string yaml = R"y(
schema_version: 1
name: continuous
settings:
  horizon: {cycles: 6}
population:
  x: {type: uniform, min: 1, max: 3}
states:
  A: {utility: "x / 3"}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: "0.01 * x * (t + 1)", A: complement}
strategies:
  only: {}
)y";
  const hemsim::CompiledModel model = hemsim::compile_model(hemsim::parse_scenario(yaml, "inline.yaml"));
  std::string levels;
  for (const auto& d : model.describe_levels()) levels += d + "\n";
  EXPECT_NE(levels.find("per individual, at entry"), std::string::npos) << levels;
  EXPECT_NE(levels.find("per individual and cycle"), std::string::npos) << levels;

  // E[sum_t survival_t(x) * x/3] by Simpson's rule over x (independent of the engine).
  auto value = [](double x) {
    double survival = 1, total = 0;
    for (int t = 0; t <= 6; ++t) {
      total += survival * x / 3;
      survival *= 1 - 0.01 * x * (t + 1);
    }
    return total;
  };
  const int n = 2000;
  double integral = value(1) + value(3);
  for (int i = 1; i < n; ++i) integral += (i % 2 ? 4 : 2) * value(1 + 2.0 * i / n);
  const double expected = integral * (2.0 / n) / 3 / 2;  // mean over Uniform(1, 3)
  hemsim::SimulationOptions options;
  options.individuals = 60000;
  const RunResults r = hemsim::simulate(model, options);
  EXPECT_NEAR(r.strategies[0].qalys.undiscounted.mean, expected, 4 * r.strategies[0].qalys.undiscounted.mcse);
  hemsim::SimulationOptions cohort;
  cohort.method = Method::cohort;
  EXPECT_THROW(hemsim::simulate(model, cohort), hemsim::ScenarioError);
}

TEST(EngineFeatures, WeibullTimeDependentHazardGivesWeibullSurvival) {
  const std::string yaml = R"y(
schema_version: 1
name: weibull
settings:
  cycle_length: 3 months
  horizon: {years: 10}
parameters:
  lambda: 0.08
  gamma: 1.7
states:
  A: {}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: "1 - exp(lambda * (time^gamma - (time + cycle_years)^gamma))", A: complement}
strategies:
  only: {}
)y";
  const RunResults r = run(yaml, Method::cohort);
  EXPECT_EQ(r.cycles, 40);
  for (int t = 0; t <= 40; ++t) EXPECT_NEAR(trace(r, 0, t, 0), std::exp(-0.08 * std::pow(t * 0.25, 1.7)), 1e-12) << t;
}

TEST(EngineFeatures, StrategyOverridesReplaceParametersStatesAndTransitionCells) {
  const std::string yaml = R"y(
schema_version: 1
name: overrides
settings:
  horizon: {cycles: 3}
cost_categories:
  care: {}
  drug: {}
parameters:
  p: 0.1
  p_treated: {formula: "p / 2"}
states:
  A: {costs: {care: 10}, utility: 1}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: p, A: complement}
strategies:
  usual: {}
  treat:
    parameters: {p: 0.2}
    states: {A: {costs: {drug: 5}}}
    transitions: {A: {D: p_treated}}
    one_time_costs: {drug: 100}
)y";
  const RunResults r = run(yaml, Method::cohort);
  auto alive_sum = [](double p) { return 1 + (1 - p) + (1 - p) * (1 - p) + (1 - p) * (1 - p) * (1 - p); };
  EXPECT_NEAR(r.strategies[0].costs_by_category[0].undiscounted.mean, 10 * alive_sum(0.1), 1e-12);
  EXPECT_NEAR(r.strategies[1].costs_by_category[0].undiscounted.mean, 10 * alive_sum(0.1), 1e-12);  // p_treated = 0.2 / 2
  EXPECT_NEAR(r.strategies[1].costs_by_category[1].undiscounted.mean, 100 + 5 * alive_sum(0.1), 1e-12);
  EXPECT_NEAR(r.increments[0].costs_by_perspective[0].undiscounted.mean, 100 + 5 * alive_sum(0.1), 1e-12);
}

TEST(EngineFeatures, CancellationStopsARunAndReturnsNothing) {
  const auto model = hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml"));
  std::atomic<int> polls{0};
  hemsim::SimulationOptions options;
  options.individuals = 200000;
  options.cancelled = [&] { return ++polls > 3; };  // let a few blocks run, then stop
  EXPECT_THROW((void)hemsim::simulate(model, options), hemsim::Cancelled);
  EXPECT_GT(polls.load(), 3);
  options.cancelled = [] { return false; };
  EXPECT_NO_THROW((void)hemsim::simulate(model, options));
}

TEST(EngineFeatures, UserDefinedOutcomesAccumulateLikeCosts) {
  // Workdays lost: 4 per cycle in A (6 under the strategy), discounted at the cost rate.
  const std::string yaml = R"y(
schema_version: 1
name: outcomes
settings:
  cycle_length: 1 month
  horizon: {cycles: 24}
  discount: {costs: 0.05, effects: 0.02}
  within_cycle_correction: half_cycle
outcomes:
  workdays_lost: {label: Workdays lost}
parameters:
  r_death: 0.3
states:
  A: {outcomes: {workdays_lost: 4}, utility: 0.8}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: {rate: r_death}, A: complement}
strategies:
  base: {}
  more: {states: {A: {outcomes: {workdays_lost: 6}}}}
)y";
  double undiscounted = 0, discounted = 0;
  for (int t = 0; t <= 24; ++t) {
    const double w = (t == 0 || t == 24) ? 0.5 : 1.0;
    const double alive = std::exp(-0.3 * t / 12.0);
    undiscounted += 4 * w * alive;
    discounted += 4 * w * alive / std::pow(1.05, t / 12.0);
  }
  const RunResults cohort = run(yaml, Method::cohort);
  ASSERT_EQ(cohort.outcomes, std::vector<std::string>{"workdays_lost"});
  EXPECT_NEAR(cohort.strategies[0].outcomes[0].undiscounted.mean, undiscounted, 1e-10);
  EXPECT_NEAR(cohort.strategies[0].outcomes[0].discounted.mean, discounted, 1e-10);
  EXPECT_NEAR(cohort.strategies[1].outcomes[0].undiscounted.mean, 1.5 * undiscounted, 1e-10);
  const RunResults micro = run(yaml, Method::microsimulation, 40000);
  const auto& m = micro.strategies[0].outcomes[0].undiscounted;
  EXPECT_NEAR(m.mean, undiscounted, 4 * m.mcse);
  EXPECT_GT(m.mcse, 0.0);
  const auto back = hemsim::results_from_json(hemsim::results_to_json(micro));
  EXPECT_EQ(back.strategies[1].outcomes[0].discounted.mean, micro.strategies[1].outcomes[0].discounted.mean);
  EXPECT_EQ(back.outcome_labels[0], "Workdays lost");
  EXPECT_NE(hemsim::format_results_table(micro).find(": Workdays lost"), std::string::npos);
}

namespace {

// Transition rewards weighted by the discount alone (default) or also by the within-cycle
// weight of the destination point, against a hand computation of the cohort.
TEST(TransitionRewardWeight, DestinationPointWeightsTheRewardLikeAStateRewardAtThatPoint) {
  const std::string base = R"y(
schema_version: 1
name: transition weight
settings:
  cycle_length: 1 month
  horizon: {cycles: 12}
  discount: {costs: 0.05, effects: 0.05}
  within_cycle_correction: simpson
  WEIGHT
parameters:
  p_die: 0.05
states:
  A: {utility: 1}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: p_die, A: complement}
transition_rewards:
  - {from: A, to: D, costs: {cost: 1000}}
strategies:
  only: {}
)y";
  const int T = 12;
  auto simpson = [&](int t) { return t == 0 || t == T ? 1.0 / 3 : (t % 2 == 1 ? 4.0 / 3 : 2.0 / 3); };
  for (const bool corrected : {false, true}) {
    const RunResults r = run(with(base, "WEIGHT", corrected ? "transition_reward_weight: destination_point" : ""), Method::cohort);
    double alive = 1, expected = 0;
    for (int t = 0; t < T; ++t) {
      const double weight = (corrected ? simpson(t + 1) : 1.0) * std::pow(1.05, -(t + 1) / 12.0);
      expected += alive * 0.05 * 1000 * weight;
      alive *= 0.95;
    }
    EXPECT_NEAR(r.strategies[0].costs_by_perspective[0].discounted.mean, expected, 1e-9) << corrected;
    // The microsimulation pays the same weights.
    const RunResults micro = run(with(base, "WEIGHT", corrected ? "transition_reward_weight: destination_point" : ""), Method::microsimulation, 20000);
    const auto& cost = micro.strategies[0].costs_by_perspective[0].discounted;
    EXPECT_NEAR(cost.mean, expected, 4 * cost.mcse) << corrected;
  }
  EXPECT_THROW((void)run(with(base, "WEIGHT", "transition_reward_weight: sometimes"), Method::cohort), hemsim::ScenarioError);
}

}  // namespace
