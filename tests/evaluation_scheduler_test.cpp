// The seam through which DSA and price evaluations are scheduled (evaluation_scheduler.hpp):
// a packed run unpacks to the same numbers bit for bit, and every analysis gives the same
// results when its rounds are run out of order and passed through packing, as MPI ranks
// run and return them.

#include "hemsim/evaluation_scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::Scenario intro() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"); }
hemsim::Scenario krijkamp() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml"); }

hemsim::DsaOptions options_for(hemsim::Method method) {
  hemsim::DsaOptions o;
  o.simulation.method = method;
  o.simulation.individuals = 300;
  o.willingness_to_pay = 100000;
  return o;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// Rounds seen and jobs run by the scheduler below.
struct Calls {
  int rounds = 0;
  std::size_t jobs = 0;
};

// Runs each round's jobs last to first and hands back what unpack_evaluated_run makes of
// each, as an MPI rank receives the others' jobs.
hemsim::EvaluationScheduler reversed_and_packed(Calls& calls, std::size_t concurrency) {
  hemsim::EvaluationScheduler scheduler;
  scheduler.concurrency = concurrency;
  scheduler.run = [&calls](const hemsim::EvaluationWork& work) {
    ++calls.rounds;
    calls.jobs += work.jobs;
    std::vector<std::vector<double>> packed(work.jobs);
    for (std::size_t job = work.jobs; job-- > 0;) packed[job] = hemsim::pack_evaluated_run(work.compute(job));
    std::vector<hemsim::EvaluatedRun> runs;
    for (const auto& p : packed) runs.push_back(hemsim::unpack_evaluated_run(p));
    return runs;
  };
  return scheduler;
}

// Every analysis of dsa.json, with the given options.
hemsim::DsaReport all_analyses(const hemsim::DsaOptions& o) {
  const hemsim::Scenario s = intro();
  hemsim::DsaReport report;
  report.strategies = {"SoC", "A", "B", "AB"};
  report.one_way = hemsim::one_way_sensitivity(s, o);
  report.two_way = hemsim::two_way_sensitivity(s, o, "c_trtA", "u_trtA", 3);
  report.variants = hemsim::scenario_analysis(s, o, hemsim::horizon_variants({10, 30}));
  const hemsim::Scenario k = krijkamp();
  hemsim::DsaOptions price = o;
  price.strategy = 1;
  price.comparator = 0;
  report.threshold = hemsim::threshold_analysis(k, price, "c_Trt", 0, 24000, 8, 1e-4);
  report.prices = hemsim::value_based_price(k, price, "c_Trt", {0, 50000, 100000, 150000});
  return report;
}

}  // namespace

TEST(EvaluationScheduler, APackedRunUnpacksToTheSameNumbers) {
  for (auto method : {hemsim::Method::microsimulation, hemsim::Method::cohort}) {
    SCOPED_TRACE(hemsim::to_string(method));
    const hemsim::Scenario s = intro();
    const hemsim::DsaOptions o = options_for(method);
    const hemsim::EvaluatedRun run = hemsim::evaluate_run(s, {{"c_trtB", 14000}}, o);
    const hemsim::EvaluatedRun back = hemsim::unpack_evaluated_run(hemsim::pack_evaluated_run(run));
    const hemsim::Evaluation &a = run.evaluation, &b = back.evaluation;
    EXPECT_EQ(a.costs, b.costs);
    EXPECT_EQ(a.effects, b.effects);
    EXPECT_EQ(a.optimal_strategy, b.optimal_strategy);
    for (auto [x, y] : {std::pair{a.icer, b.icer}, {a.incremental_cost, b.incremental_cost}, {a.incremental_effect, b.incremental_effect},
                        {a.incremental_net_benefit, b.incremental_net_benefit}, {a.incremental_net_benefit_mcse, b.incremental_net_benefit_mcse},
                        {a.incremental_cost_mcse, b.incremental_cost_mcse}, {a.incremental_effect_mcse, b.incremental_effect_mcse}})
      EXPECT_TRUE(same_bits(x, y)) << x << " vs " << y;
    EXPECT_EQ(back.run.seed, run.run.seed);
    EXPECT_EQ(back.run.individuals, run.run.individuals);
    EXPECT_EQ(back.run.batches.counts, run.run.batches.counts);
    EXPECT_EQ(back.run.batches.sums, run.run.batches.sums);
    EXPECT_EQ(back.run.batches.batch_size, run.run.batches.batch_size);
    // A difference against another run is paired the same way: the same mean and MCSE.
    const hemsim::EvaluatedRun base = hemsim::evaluate_run(s, {}, o);
    for (const hemsim::RunResults* r : {&run.run, &back.run}) {
      const auto expected = hemsim::paired_estimate({hemsim::net_benefit_terms(run.run, 2, 0, 0, 1e5, hemsim::EffectMeasure::qalys, 1.0),
                                                     hemsim::net_benefit_terms(base.run, 2, 0, 0, 1e5, hemsim::EffectMeasure::qalys, -1.0)});
      const auto got = hemsim::paired_estimate({hemsim::net_benefit_terms(*r, 2, 0, 0, 1e5, hemsim::EffectMeasure::qalys, 1.0),
                                                hemsim::net_benefit_terms(base.run, 2, 0, 0, 1e5, hemsim::EffectMeasure::qalys, -1.0)});
      EXPECT_TRUE(same_bits(expected.mean, got.mean));
      EXPECT_TRUE(same_bits(expected.mcse, got.mcse));
    }
    if (method == hemsim::Method::microsimulation) {
      EXPECT_GT(back.run.batches.counts.size(), 1U);
    }
  }
}

TEST(EvaluationScheduler, UnpackRefusesWhatPackDidNotMake) {
  const hemsim::EvaluatedRun run = hemsim::evaluate_run(intro(), {}, options_for(hemsim::Method::microsimulation));
  std::vector<double> packed = hemsim::pack_evaluated_run(run);
  std::vector<double> shorter(packed.begin(), packed.end() - 1), longer = packed;
  longer.push_back(0);
  EXPECT_THROW((void)hemsim::unpack_evaluated_run(shorter), std::invalid_argument);
  EXPECT_THROW((void)hemsim::unpack_evaluated_run(longer), std::invalid_argument);
  EXPECT_THROW((void)hemsim::unpack_evaluated_run({}), std::invalid_argument);
  packed[1] = 2.5;  // a strategy count that is not a whole number
  EXPECT_THROW((void)hemsim::unpack_evaluated_run(packed), std::invalid_argument);
}

TEST(EvaluationScheduler, EveryAnalysisIsTheSameWhateverRunsItsRounds) {
  for (auto method : {hemsim::Method::microsimulation, hemsim::Method::cohort}) {
    SCOPED_TRACE(hemsim::to_string(method));
    const std::string here = hemsim::dsa_to_json(all_analyses(options_for(method)));
    for (std::size_t concurrency : {1, 3}) {
      SCOPED_TRACE(concurrency);
      Calls calls;
      hemsim::DsaOptions o = options_for(method);
      o.scheduler = reversed_and_packed(calls, concurrency);
      EXPECT_EQ(hemsim::dsa_to_json(all_analyses(o)), here);
      EXPECT_GE(calls.rounds, 6);  // one-way, two-way, variants, the threshold's rounds, the price's two
    }
    // The bisection actually ran: c_Trt has a threshold in [0, 24000] at 100,000 per QALY.
    EXPECT_NE(here.find("\"threshold\""), std::string::npos);
  }
}

TEST(EvaluationScheduler, OneWayIsOneRoundOfTheBaseCaseAndBothEndsOfEveryRange) {
  const hemsim::Scenario s = intro();
  std::size_t ranged = 0;
  for (const auto& p : s.parameters) ranged += p.has_range ? 1 : 0;
  Calls calls;
  hemsim::DsaOptions o = options_for(hemsim::Method::cohort);
  o.scheduler = reversed_and_packed(calls, 2);
  (void)hemsim::one_way_sensitivity(s, o);
  EXPECT_EQ(calls.rounds, 1);
  EXPECT_EQ(calls.jobs, 1 + 2 * ranged);
  EXPECT_EQ(ranged, 16U);
}

TEST(EvaluationScheduler, AThresholdGridStopsAtTheFirstChangeInRoundsOfTheSchedulersWidth) {
  // The 9 grid points 0, 3000, ..., 24000 in rounds of 4: the grid stops after the round
  // holding the first point past the change, then bisects the 3000-wide bracket one run
  // at a time down to 1e-2 of the range (3000 -> 1500 -> 750 -> 375 -> 187.5: 4 runs),
  // and reruns the threshold itself for its MCSE.
  const hemsim::Scenario k = krijkamp();
  hemsim::DsaOptions o = options_for(hemsim::Method::cohort);
  o.strategy = 1;
  o.comparator = 0;
  const auto here = hemsim::threshold_analysis(k, o, "c_Trt", 0, 24000, 8, 1e-2);
  ASSERT_TRUE(here.threshold.has_value());
  Calls calls;
  o.scheduler = reversed_and_packed(calls, 4);
  const auto scheduled = hemsim::threshold_analysis(k, o, "c_Trt", 0, 24000, 8, 1e-2);
  ASSERT_TRUE(scheduled.threshold.has_value());
  EXPECT_TRUE(same_bits(*here.threshold, *scheduled.threshold));
  const int first_past = static_cast<int>(std::ceil(*here.threshold / 3000));  // grid index
  const int grid_rounds = first_past / 4 + 1;
  EXPECT_EQ(calls.rounds, grid_rounds + 4 + 1);
  EXPECT_EQ(calls.jobs, static_cast<std::size_t>(std::min(9, 4 * grid_rounds) + 4 + 1));
}
