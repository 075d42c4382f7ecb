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
