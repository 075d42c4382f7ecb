// The flagship models (scenarios/bmsc_*.yaml): base case of all strategies, 10,000
// individuals, lifetime monthly cycles (issue target: under 2 s on this 2-core machine,
// compile included), and the compile step alone (paid once per PSA draw).
#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "hemsim/hemsim.hpp"

namespace {

const char* const kCipn = HEMSIM_SOURCE_DIR "/scenarios/bmsc_cipn.yaml";
const char* const kNeuropathic = HEMSIM_SOURCE_DIR "/scenarios/bmsc_neuropathic.yaml";

// Person-cycles actually simulated are fewer (the dead stop early); the counter uses the
// nominal individuals x cycles x strategies, as for the other benchmarks.
void simulate_flagship(benchmark::State& state, const char* file) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const hemsim::CompiledModel model = hemsim::compile_model(hemsim::load_scenario(file));
  hemsim::SimulationOptions options;
  options.individuals = 10000;
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::simulate(model, options));
  state.counters["person_cycles_per_second"] = benchmark::Counter(
      static_cast<double>(options.individuals) * model.cycles() * model.strategy_count(), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_BmscCipnBaseCase(benchmark::State& state) { simulate_flagship(state, kCipn); }
BENCHMARK(BM_BmscCipnBaseCase)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BmscNeuropathicBaseCase(benchmark::State& state) { simulate_flagship(state, kNeuropathic); }
BENCHMARK(BM_BmscNeuropathicBaseCase)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BmscCipnCompile(benchmark::State& state) {
  const hemsim::Scenario scenario = hemsim::load_scenario(kCipn);
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::compile_model(scenario));
}
BENCHMARK(BM_BmscCipnCompile)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// Precision, the quantity decisions rest on: the Monte Carlo standard errors of BMSC's
// increments against usual care at 10,000 individuals (counters, in QALYs and
// life-years), and the seconds to a decision-grade answer: a run sized by
// simulate_to_precision until the incremental QALYs' MCSE is at most 0.005.
void BM_BmscCipnIncrementMcse(benchmark::State& state) {
  const hemsim::CompiledModel model = hemsim::compile_model(hemsim::load_scenario(kCipn));
  hemsim::SimulationOptions options;
  options.individuals = 10000;
  hemsim::RunResults r;
  for (auto _ : state) benchmark::DoNotOptimize(r = hemsim::simulate(model, options));
  for (const auto& inc : r.increments)
    if (inc.name == "bmsc") {
      state.counters["dQALY_mcse"] = inc.qalys.discounted.mcse;
      state.counters["dLY_mcse"] = inc.life_years.discounted.mcse;
    }
}
BENCHMARK(BM_BmscCipnIncrementMcse)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_BmscCipnSecondsToDeltaQalyMcse0005(benchmark::State& state) {
  const hemsim::CompiledModel model = hemsim::compile_model(hemsim::load_scenario(kCipn));
  hemsim::SimulationOptions options;
  options.individuals = 10000;  // the pilot
  hemsim::PrecisionTarget target;
  target.mcse = 0.005;
  for (int k = 0; k < static_cast<int>(model.scenario().strategies.size()); ++k)
    if (model.scenario().strategies[static_cast<std::size_t>(k)].name == "bmsc") target.strategy = k;
  hemsim::PrecisionRun run;
  for (auto _ : state) benchmark::DoNotOptimize(run = hemsim::simulate_to_precision(model, options, target));
  state.counters["individuals"] = static_cast<double>(run.results.individuals);
  state.counters["dQALY_mcse"] = run.achieved_mcse;
}
BENCHMARK(BM_BmscCipnSecondsToDeltaQalyMcse0005)->UseRealTime()->Unit(benchmark::kSecond)->Iterations(1);

// The decision-grade PSA (issue 9's target: at most 5 % of the spread of BMSC's
// incremental QALYs is Monte Carlo noise, 1,000 draws, all strategies, in under 2
// minutes on 2 cores): a 50-draw pilot of 2,000 individuals sizes the inner sample
// (size_psa_inner_sample), then the full PSA. Counters: the individuals per draw and the
// noise share reached. About a minute and a half: run it by name,
// --benchmark_filter=BmscCipnPsaAtFivePercentNoise.
void BM_BmscCipnPsaAtFivePercentNoise(benchmark::State& state) {
  const hemsim::Scenario scenario = hemsim::load_scenario(kCipn);
  hemsim::PsaOptions options;
  options.draws = 50;
  options.individuals = 2000;
  hemsim::InnerSampleSize size;
  hemsim::PsaResults psa;
  for (auto _ : state) {
    size = hemsim::size_psa_inner_sample(hemsim::run_psa(scenario, options), 0.05, 1000000, {"bmsc"});
    hemsim::PsaOptions full = options;
    full.draws = 1000;
    full.individuals = size.individuals;
    benchmark::DoNotOptimize(psa = hemsim::run_psa(scenario, full));
  }
  state.counters["individuals"] = static_cast<double>(size.individuals);
  for (const auto& row : hemsim::noise_shares(psa).increments)
    if (row.strategy == "bmsc") state.counters["dQALY_noise_share"] = row.effects;
}
BENCHMARK(BM_BmscCipnPsaAtFivePercentNoise)->UseRealTime()->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
