// Aligned random numbers (common random numbers that couple outcomes, not just uniforms):
// a death or an event whose probability is the same in two strategies happens to the
// same individuals in the same cycle in both, whatever else their rows hold, and a higher
// death probability never spares someone who died under a lower one (Stout & Goldie,
// Health Care Manag Sci 2008). Checked per individual: a paired increment with mean 0
// and Monte Carlo error 0 has every individual's difference equal to 0.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/compiled_model.hpp"
#include "hemsim/hemsim.hpp"

namespace {

using hemsim::Method;
using hemsim::RunResults;

RunResults run(const std::string& yaml, std::uint64_t individuals, std::uint64_t seed = 1) {
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  options.seed = seed;
  options.seed_set = true;
  return hemsim::run_scenario(hemsim::parse_scenario(yaml, "inline.yaml"), options);
}

// Two treatment sequences that differ in every move except death: a strategy-specific
// progression P1 -> P2, a way back only in `sequence_b`, and the same death risk
// (`p_die`, and background mortality by age) in every living state. The rows of the two
// strategies differ, so one uniform inverted over each row would decouple the deaths.
const std::string kSequences = R"y(
schema_version: 1
name: sequences
settings:
  cycle_length: 1 month
  horizon: {cycles: 240}
  discount: {costs: 0.03, effects: 0.03}
parameters:
  p_progress: 0.05
  p_back: 0
  p_die: 0.004
  p_die_p2: 0.004
population:
  age: {type: uniform, min: 40, max: 80}
states:
  P1: {costs: {cost: 100}, utility: 0.7}
  P2: {costs: {cost: 300}, utility: 0.6}
  D: {dead: true}
initial: {P1: 1}
background_mortality:
  to: D
  annual_probability: "0.002 * exp(0.08 * (age - 40))"
transitions:
  P1: {P2: p_progress, D: p_die, P1: complement}
  P2: {P1: p_back, D: p_die_p2, P2: complement}
strategies:
  sequence_a: {}
  sequence_b: {parameters: {p_progress: 0.2, p_back: 0.1}}
)y";

// Every point of `later` from `shift` on equals `now` that many points earlier.
void expect_shifted(const std::vector<double>& now, const std::vector<double>& later, std::size_t shift) {
  ASSERT_EQ(now.size(), later.size());
  for (std::size_t point = 0; point + shift < later.size(); ++point) ASSERT_EQ(now[point], later[point + shift]) << point;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

// The microsimulation (with `individuals` and `seed`) and the cohort (exact
// expectations) of one model.
struct MicroAndCohort {
  RunResults micro, cohort;
};
MicroAndCohort micro_and_cohort(const std::string& yaml, std::uint64_t individuals, std::uint64_t seed) {
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  options.seed = seed;
  options.seed_set = true;
  const auto scenario = hemsim::parse_scenario(yaml, "inline.yaml");
  MicroAndCohort runs{hemsim::run_scenario(scenario, options), {}};
  options.method = Method::cohort;
  runs.cohort = hemsim::run_scenario(scenario, options);
  return runs;
}

// Life-years, QALYs and costs of every strategy within 4 Monte Carlo errors of the cohort.
void expect_cohort_agreement(const MicroAndCohort& runs) {
  for (std::size_t k = 0; k < runs.micro.strategies.size(); ++k) {
    const auto& m = runs.micro.strategies[k];
    const auto& c = runs.cohort.strategies[k];
    EXPECT_NEAR(m.life_years.undiscounted.mean, c.life_years.undiscounted.mean, 4 * m.life_years.undiscounted.mcse) << k;
    EXPECT_NEAR(m.qalys.discounted.mean, c.qalys.discounted.mean, 4 * m.qalys.discounted.mcse) << k;
    EXPECT_NEAR(m.costs_by_perspective[0].discounted.mean, c.costs_by_perspective[0].discounted.mean,
                4 * m.costs_by_perspective[0].discounted.mcse) << k;
  }
}

TEST(AlignedRandomNumbers, EqualDeathRiskGivesEqualLifeYearsForEveryIndividual) {
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    const RunResults r = run(kSequences, 20000, seed);
    const hemsim::Increment& inc = r.increments.at(0);
    EXPECT_EQ(inc.life_years.undiscounted.mean, 0.0) << seed;
    EXPECT_EQ(inc.life_years.undiscounted.mcse, 0.0) << seed;  // every individual's difference is 0
    EXPECT_EQ(inc.life_years.discounted.mcse, 0.0) << seed;
    // The same deaths at the same points: the dead state's trace is identical.
    const std::size_t S = r.states.size();
    for (std::size_t t = 0; t < r.strategies[0].trace.size() / S; ++t)
      ASSERT_EQ(r.strategies[0].trace[t * S + 2], r.strategies[1].trace[t * S + 2]) << "point " << t;
    // The strategies do differ elsewhere: the increment in QALYs is not 0.
    EXPECT_GT(inc.qalys.discounted.mcse, 0.0);
  }
}

TEST(AlignedRandomNumbers, HigherDeathRiskNeverSparesSomeoneWhoDiedUnderALowerOne) {
  // sequence_b: death risk 0.012 in P2 (0.004 in P1), never lower than sequence_a's in any
  // state. Runs of two individuals: a positive life-year difference in any of them would
  // be an individual alive in sequence_b after dying in sequence_a.
  const std::string yaml = replace(kSequences, "sequence_b: {parameters: {p_progress: 0.2, p_back: 0.1}}",
                                   "sequence_b: {parameters: {p_progress: 0.2, p_back: 0.1, p_die_p2: 0.012}}");
  int strictly_fewer = 0;
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    const RunResults r = run(yaml, 2, seed);
    const double difference = r.increments.at(0).life_years.undiscounted.mean;
    ASSERT_LE(difference, 0.0) << "seed " << seed;
    strictly_fewer += difference < 0.0 ? 1 : 0;
  }
  EXPECT_GT(strictly_fewer, 30);  // the higher risk does bite
}

TEST(AlignedRandomNumbers, EventWithEqualProbabilityHappensToTheSameIndividualsAtTheSameTime) {
  // OUD onset at 0.01 a month from every state on opioids, whichever opioid and whatever
  // else the rows hold; the strategies reach the opioids by different routes.
  const std::string yaml = R"y(
schema_version: 1
name: events
settings:
  cycle_length: 1 month
  horizon: {cycles: 120}
parameters:
  p_switch: 0.1
  p_oud: 0.01
states:
  low_dose: {costs: {cost: 50}, utility: 0.7}
  high_dose: {costs: {cost: 90}, utility: 0.65}
  tapered: {costs: {cost: 10}, utility: 0.72}
  OUD: {costs: {cost: 500}, utility: 0.5}
  D: {dead: true}
initial: {low_dose: 1}
transitions:
  low_dose: {OUD: p_oud, high_dose: p_switch, D: 0.001, low_dose: complement}
  high_dose: {OUD: p_oud, D: 0.001, high_dose: complement}
  tapered: {OUD: p_oud, D: 0.001, tapered: complement}
  OUD: {D: 0.001, OUD: complement}
events:
  oud_onset: {enter: [OUD]}
strategies:
  escalate: {}
  taper:
    transitions:
      low_dose: {OUD: p_oud, tapered: 0.3, D: 0.001, low_dose: complement}
)y";
  const RunResults r = run(yaml, 20000);
  ASSERT_EQ(r.events.at(0), "oud_onset");
  const auto& a = r.strategies[0].events[0];
  const auto& b = r.strategies[1].events[0];
  EXPECT_EQ(a.cumulative_incidence, b.cumulative_incidence);  // the same first onsets at every point
  EXPECT_EQ(a.ever.mean, b.ever.mean);
  EXPECT_GT(a.ever.mean, 0.3);
  EXPECT_EQ(r.increments.at(0).life_years.undiscounted.mcse, 0.0);
  EXPECT_GT(r.increments.at(0).costs_by_perspective.at(0).discounted.mcse, 0.0);
}

TEST(AlignedRandomNumbers, EventWithTheSameTotalHazardLaterHappensToTheSameIndividuals) {
  // Twelve months of OUD risk (0.03 a month), from the start in `now` and a year later in
  // `later`. The event clock (cumulative hazard against Exp(1) arrivals) gives onset to
  // the same individuals, twelve months apart: the shifted cumulative incidence curves are
  // equal point by point. Uniforms keyed by cycle would draw `later`'s onsets afresh.
  const std::string yaml = R"y(
schema_version: 1
name: shifted_exposure
settings:
  cycle_length: 1 month
  horizon: {cycles: 36}
parameters:
  p_oud: 0.03
  first: 1
states:
  wait: {utility: 0.8}
  exposed: {utility: 0.7}
  after: {utility: 0.75}
  OUD: {utility: 0.5}
initial: {exposed: first, wait: "1 - first"}
transitions:
  wait: {exposed: "t >= 11 ? 1 : 0", wait: complement}
  exposed: {OUD: p_oud, after: "t >= 11 + 12 * (1 - first) ? 1 - p_oud : 0", exposed: complement}
  after: {after: complement}
  OUD: {OUD: complement}
events:
  oud_onset: {enter: [OUD]}
strategies:
  now: {}
  later: {parameters: {first: 0}}
)y";
  const RunResults r = run(yaml, 20000);
  const auto& now = r.strategies[0].events[0].cumulative_incidence;
  const auto& later = r.strategies[1].events[0].cumulative_incidence;
  EXPECT_GT(now[12], 0.25);  // 1 - 0.97^12 = 0.306
  EXPECT_EQ(later[12], 0.0);
  expect_shifted(now, later, 12);
  EXPECT_EQ(r.strategies[0].events[0].ever.mean, r.strategies[1].events[0].ever.mean);
}

TEST(AlignedRandomNumbers, TheSameStayInAStateMakesTheSameMovesWheneverItBegins) {
  // A drug trial (response 0.4), then relapse at 0.05 a month, starting at once in `now`
  // and after two months' wait in `later`. Moves are drawn from the stay's own stream
  // (state, visit, cycle of the stay), so each individual responds and relapses in both
  // or in neither, two months apart.
  const std::string yaml = R"y(
schema_version: 1
name: shifted_trial
settings:
  cycle_length: 1 month
  horizon: {cycles: 40}
parameters:
  first: 1
states:
  wait: {utility: 0.6}
  trial: {utility: 0.6}
  responding: {utility: 0.8}
  not_responding: {utility: 0.6}
initial: {trial: first, wait: "1 - first"}
transitions:
  wait: {trial: "t >= 1 ? 1 : 0", wait: complement}
  trial: {responding: 0.4, not_responding: complement}
  responding: {not_responding: 0.05, responding: complement}
  not_responding: {not_responding: complement}
events:
  response: {enter: [responding]}
  relapse: {transitions: ["responding -> not_responding"]}
strategies:
  now: {}
  later: {parameters: {first: 0}}
)y";
  const RunResults r = run(yaml, 20000);
  for (std::size_t e = 0; e < 2; ++e) {
    SCOPED_TRACE(r.events[e]);
    expect_shifted(r.strategies[0].events[e].cumulative_incidence, r.strategies[1].events[e].cumulative_incidence, 2);
  }
  EXPECT_NEAR(r.strategies[0].events[0].ever.mean, 0.4, 0.02);
}

TEST(AlignedRandomNumbers, ClocksAndStayStreamsGiveEveryOutcomeItsProbability) {
  // A recurring flare with a probability that changes every cycle, competing with
  // state-specific deaths and a way back: the microsimulation's expected counts, deaths
  // and trace agree with the cohort (exact expectations) within 4 Monte Carlo errors.
  const std::string yaml = R"y(
schema_version: 1
name: clocks
settings:
  cycle_length: 1 month
  horizon: {cycles: 60}
  discount: {costs: 0.03, effects: 0.03}
parameters:
  p_flare: 0.08
states:
  calm: {costs: {cost: 10}, utility: 0.8}
  flare: {costs: {cost: 400}, utility: 0.5}
  D: {dead: true}
initial: {calm: 1}
transitions:
  calm: {flare: "p_flare * (1 + (t % 3))", D: 0.004, calm: complement}
  flare: {calm: 0.6, D: 0.02, flare: complement}
events:
  flare_onset: {enter: [flare]}
strategies:
  base: {}
  more: {parameters: {p_flare: 0.1}}
)y";
  const MicroAndCohort runs = micro_and_cohort(yaml, 100000, 3);
  expect_cohort_agreement(runs);
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& m = runs.micro.strategies[k];
    EXPECT_NEAR(m.events[0].count.mean, runs.cohort.strategies[k].events[0].count.mean, 4 * m.events[0].count.mcse) << k;
    EXPECT_GT(m.events[0].count.mean, 3.0) << k;  // recurring: several flares each
  }
  // More flare hazard in every cycle never delays the first flare.
  const auto& base = runs.micro.strategies[0].events[0].cumulative_incidence;
  const auto& more = runs.micro.strategies[1].events[0].cumulative_incidence;
  for (std::size_t point = 0; point < base.size(); ++point) ASSERT_GE(more[point], base[point]) << point;
}

TEST(AlignedRandomNumbers, StayClocksGiveEveryMoveItsProbabilityAndMoreRiskNeverLengthensAStay) {
  // Moves out of `sick` with a probability of staying that changes every cycle, split
  // between two destinations, competing with death; no event marks them, so they run on
  // the stay's clock (one uniform per stay against the product of the probabilities of
  // staying). The microsimulation agrees with the cohort (exact expectations) within 4
  // Monte Carlo errors, `better` and `worse` each getting their share. In `sooner` the
  // probability of getting better is 0.2 % higher in every cycle: far below the noise of
  // two independent runs, yet no individual stays in `sick` longer, so its share of
  // `sick` is never above `base`'s at any point.
  const std::string yaml = R"y(
schema_version: 1
name: stay_clocks
settings:
  cycle_length: 1 month
  horizon: {cycles: 48}
  discount: {costs: 0.03, effects: 0.03}
parameters:
  p_better: 0.05
states:
  sick: {costs: {cost: 100}, utility: 0.5}
  better: {costs: {cost: 10}, utility: 0.8}
  worse: {costs: {cost: 900}, utility: 0.3}
  D: {dead: true}
initial: {sick: 1}
transitions:
  sick: {better: "p_better * (1 + (t % 4))", worse: "0.03 + 0.02 * (t % 3)", D: 0.01, sick: complement}
  better: {D: 0.002, better: complement}
  worse: {D: 0.04, worse: complement}
strategies:
  base: {}
  sooner: {parameters: {p_better: 0.0501}}
)y";
  const MicroAndCohort runs = micro_and_cohort(yaml, 50000, 5);
  expect_cohort_agreement(runs);
  const RunResults& micro = runs.micro;
  const std::size_t S = micro.states.size();
  for (std::size_t point = 0; point < micro.strategies[0].trace.size() / S; ++point)
    ASSERT_LE(micro.strategies[1].trace[point * S], micro.strategies[0].trace[point * S]) << point;  // state 0: sick
  EXPECT_LT(micro.strategies[1].years_in_state[0].mean, micro.strategies[0].years_in_state[0].mean);  // some leave sooner
}

TEST(AlignedRandomNumbers, SamplerDrawsEachOutcomeWithItsProbability) {
  // Groups: a death (0.1), an event move (0.2), then moves staying 0.5 / elsewhere 0.2.
  // Frequencies over a grid of the three uniforms, within the grid's resolution.
  double thresholds[] = {0.1, 0.3, 0.8, 1.0};  // cumulative, then turned into thresholds
  const hemsim::detail::OutcomeGroup groups[] = {
      {1, hemsim::detail::kStreamDeath}, {2, hemsim::detail::kStreamFirstEvent}, {4, hemsim::detail::kStreamMove}};
  hemsim::detail::cumulative_to_thresholds(thresholds, groups, 3);
  EXPECT_EQ(thresholds[0], 0.1);               // death: its plain probability
  EXPECT_DOUBLE_EQ(thresholds[1], 0.2 / 0.9);  // the event, given no death
  EXPECT_DOUBLE_EQ(thresholds[2], 0.5 / 0.7);  // staying, given neither
  EXPECT_EQ(thresholds[3], 1.0);
  constexpr int kGrid = 200;
  double counts[4] = {0, 0, 0, 0};
  for (int a = 0; a < kGrid; ++a)
    for (int b = 0; b < kGrid; ++b)
      for (int c = 0; c < kGrid; ++c) {
        const double u[3] = {(a + 0.5) / kGrid, (b + 0.5) / kGrid, (c + 0.5) / kGrid};
        const std::size_t j = hemsim::detail::sample_outcome(thresholds, groups, 3, [&](std::uint32_t stream, double, std::size_t) {
          return stream == hemsim::detail::kStreamDeath ? u[0] : stream == hemsim::detail::kStreamMove ? u[2] : u[1];
        });
        counts[j] += 1.0;
      }
  const double total = double{kGrid} * kGrid * kGrid;
  EXPECT_NEAR(counts[0] / total, 0.1, 1e-12);
  EXPECT_NEAR(counts[1] / total, 0.2, 5e-3);
  EXPECT_NEAR(counts[2] / total, 0.5, 5e-3);
  EXPECT_NEAR(counts[3] / total, 0.2, 5e-3);
}

}  // namespace
