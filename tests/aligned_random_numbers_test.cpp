// Aligned random numbers (common random numbers that couple outcomes, not just uniforms):
// a death or an event whose probability is the same in two strategies happens to the
// same individuals in the same cycle in both, whatever else their rows hold, and a higher
// death probability never spares someone who died under a lower one (Stout & Goldie,
// Health Care Manag Sci 2008). Checked per individual: a paired increment with mean 0
// and Monte Carlo error 0 has every individual's difference equal to 0.

#include <gtest/gtest.h>

#include <string>

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

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
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
        const std::size_t j = hemsim::detail::sample_outcome(thresholds, groups, 3, [&](std::uint32_t stream) {
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
