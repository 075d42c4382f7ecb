// Throughput of the engines on the Sick-Sicker validation models, loaded from their
// scenario files. Reports person-cycles per second (individuals x cycles x strategies).
//
//   build/bench/hemsim_bench --benchmark_filter=SickSicker

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <array>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>

#include "hemsim/hemsim.hpp"

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

// The yardstick the engine is judged against: a plain single-purpose loop of the same
// model (Krijkamp et al. 2018, the scenario's parameters), one uniform per person-cycle
// from one Mersenne Twister, each strategy walked with the same uniforms (common random
// numbers), rewards at points 0..30 discounted at 3 %. No Monte Carlo errors, no trace,
// no events, no aligned clocks: what the engine does on top of it is its cost.
void BM_SickSickerPlainLoop(benchmark::State& state) {
  const auto individuals = static_cast<std::uint64_t>(state.range(0));
  constexpr int kCycles = 30;
  const double r_hd = -std::log(1 - 0.005);
  const double p_s1d = 1 - std::exp(-3 * r_hd), p_s2d = 1 - std::exp(-10 * r_hd);
  // Cumulative probabilities per state (unconditional competing probabilities): the
  // destination is the first whose bound exceeds the uniform.
  const std::array<std::array<double, 4>, 4> bound = {{{0.005, 0.005 + 0.15, 2, 2},          // H: D, S1, H
                                                        {p_s1d, p_s1d + 0.5, p_s1d + 0.5 + 0.105, 2},  // S1: D, H, S2, S1
                                                        {p_s2d, 2, 2, 2},                      // S2: D, S2
                                                        {2, 2, 2, 2}}};                        // D
  const std::array<std::array<int, 4>, 4> destination = {{{3, 1, 0, 0}, {3, 0, 2, 1}, {3, 2, 2, 2}, {3, 3, 3, 3}}};
  const std::array<std::array<double, 4>, 2> cost = {{{2000, 4000, 15000, 0}, {2000, 16000, 27000, 0}}};
  const std::array<std::array<double, 4>, 2> utility = {{{1, 0.75, 0.5, 0}, {1, 0.95, 0.5, 0}}};
  std::array<double, kCycles + 1> discount{};
  for (int t = 0; t <= kCycles; ++t) discount[static_cast<std::size_t>(t)] = std::pow(1.03, -t);
  std::array<double, 2> costs{}, qalys{};
  for (auto _ : state) {
    costs = {};
    qalys = {};
    for (std::size_t k = 0; k < 2; ++k) {
      boost::random::mt19937 generator(1);  // the same uniforms for both strategies
      boost::random::uniform_01<double> uniform;
      for (std::uint64_t i = 0; i < individuals; ++i) {
        int s = 0;
        for (int t = 0;; ++t) {
          costs[k] += cost[k][static_cast<std::size_t>(s)] * discount[static_cast<std::size_t>(t)];
          qalys[k] += utility[k][static_cast<std::size_t>(s)] * discount[static_cast<std::size_t>(t)];
          if (t == kCycles) break;
          const double u = uniform(generator);
          int j = 0;
          while (!(u < bound[static_cast<std::size_t>(s)][static_cast<std::size_t>(j)])) ++j;
          s = destination[static_cast<std::size_t>(s)][static_cast<std::size_t>(j)];
        }
      }
    }
    benchmark::DoNotOptimize(costs);
    benchmark::DoNotOptimize(qalys);
  }
  const double person_cycles = static_cast<double>(individuals) * kCycles * 2;
  state.counters["person_cycles_per_second"] = benchmark::Counter(person_cycles, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["qalys_no_treatment"] = qalys[0] / static_cast<double>(individuals);
  state.counters["qalys_treatment"] = qalys[1] / static_cast<double>(individuals);
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
