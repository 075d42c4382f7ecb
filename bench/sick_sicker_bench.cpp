// Throughput of the engines on the Sick-Sicker validation models, loaded from their
// scenario files. Reports person-cycles per second (individuals x cycles x strategies).
//
//   build/bench/hemsim_bench --benchmark_filter=SickSicker

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include "hemsim/hemsim.hpp"
#include "sick_sicker_plain_loop.hpp"

namespace {

const hemsim::CompiledModel& sick_sicker() {
  static const hemsim::CompiledModel model =
      hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml"));
  return model;
}

void BM_SickSickerMicrosimulation(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  const auto individuals = static_cast<std::uint64_t>(state.range(1));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const hemsim::CompiledModel& model = sick_sicker();
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::simulate(model, options));
  const double person_cycles = static_cast<double>(individuals) * model.cycles() * model.strategy_count();
  // Person-cycles of one iteration: kIsIterationInvariantRate multiplies by the number of
  // iterations before dividing by the (real) time, so the counter is a true rate however
  // many iterations the library chooses; plain kIsRate would need the total over all
  // iterations as the value.
  state.counters["person_cycles_per_second"] =
      benchmark::Counter(person_cycles, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["per_thread"] =
      benchmark::Counter(person_cycles / static_cast<double>(threads), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SickSickerMicrosimulation)
    ->ArgNames({"threads", "individuals"})
    ->Args({1, 100000})
    ->Args({2, 100000})
    ->Args({1, 1000000})
    ->Args({2, 1000000})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

void BM_SickSickerCompile(benchmark::State& state) {
  const hemsim::Scenario scenario = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml");
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::compile_model(scenario));
}
BENCHMARK(BM_SickSickerCompile)->Unit(benchmark::kMicrosecond);

void BM_SickSickerIntroCohort(benchmark::State& state) {
  const hemsim::CompiledModel model =
      hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"));
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::simulate(model, options));
  state.counters["cohort_cycles_per_second"] = benchmark::Counter(
      static_cast<double>(model.cycles()) * model.strategy_count(), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_SickSickerIntroCohort)->UseRealTime()->Unit(benchmark::kMicrosecond);

// The yardstick the engine is judged against: sick_sicker_plain_loop.hpp.
void BM_SickSickerPlainLoop(benchmark::State& state) {
  const auto individuals = static_cast<std::uint64_t>(state.range(0));
  hemsim_bench::PlainLoopTotals totals;
  for (auto _ : state) {
    totals = hemsim_bench::sick_sicker_plain_loop(individuals);
    benchmark::DoNotOptimize(totals);
  }
  const double person_cycles = static_cast<double>(individuals) * 30 * 2;
  state.counters["person_cycles_per_second"] = benchmark::Counter(person_cycles, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["qalys_no_treatment"] = totals.qalys[0] / static_cast<double>(individuals);
  state.counters["qalys_treatment"] = totals.qalys[1] / static_cast<double>(individuals);
}
BENCHMARK(BM_SickSickerPlainLoop)->ArgName("individuals")->Arg(1000000)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// The general path: tabulated rows over age, sex, time in state and a counter,
// per-individual rows, 840 monthly cycles; most individuals die before the horizon.
void BM_LifetimeSyntheticMicrosimulation(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  static const hemsim::CompiledModel model =
      hemsim::compile_model(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/bench/scenarios/lifetime_synthetic.yaml"));
  hemsim::SimulationOptions options;
  options.individuals = 10000;
  for (auto _ : state) benchmark::DoNotOptimize(hemsim::simulate(model, options));
  state.counters["person_cycles_per_second"] = benchmark::Counter(
      static_cast<double>(options.individuals) * model.cycles() * model.strategy_count(), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_LifetimeSyntheticMicrosimulation)->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
