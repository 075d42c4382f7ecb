#pragma once
// The yardstick the engine is judged against (issue 9): a plain single-purpose loop of the
// Sick-Sicker model (Krijkamp et al. 2018, the scenario's parameters), one uniform per
// person-cycle from one Mersenne Twister, each strategy walked with the same uniforms
// (common random numbers), rewards at points 0..30 discounted at 3 %. No Monte Carlo
// errors, no trace, no events, no aligned clocks: what the engine does on top of it is
// its cost. Used by BM_SickSickerPlainLoop and by the program hemsim_plain_loop (whole
// process, for bench/engine_vs_plain.sh).

#include <array>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_01.hpp>
#include <cmath>
#include <cstdint>

namespace hemsim_bench {

struct PlainLoopTotals {
  std::array<double, 2> costs{}, qalys{};  // per strategy: no treatment, treatment
};

inline PlainLoopTotals sick_sicker_plain_loop(std::uint64_t individuals) {
  constexpr int kCycles = 30;
  const double r_hd = -std::log(1 - 0.005);
  const double p_s1d = 1 - std::exp(-3 * r_hd), p_s2d = 1 - std::exp(-10 * r_hd);
  // Cumulative probabilities per state (unconditional competing probabilities): the
  // destination is the first whose bound exceeds the uniform.
  const std::array<std::array<double, 4>, 4> bound = {{{0.005, 0.005 + 0.15, 2, 2},                 // H: D, S1, H
                                                        {p_s1d, p_s1d + 0.5, p_s1d + 0.5 + 0.105, 2},  // S1: D, H, S2, S1
                                                        {p_s2d, 2, 2, 2},                             // S2: D, S2
                                                        {2, 2, 2, 2}}};                               // D
  const std::array<std::array<int, 4>, 4> destination = {{{3, 1, 0, 0}, {3, 0, 2, 1}, {3, 2, 2, 2}, {3, 3, 3, 3}}};
  const std::array<std::array<double, 4>, 2> cost = {{{2000, 4000, 15000, 0}, {2000, 16000, 27000, 0}}};
  const std::array<std::array<double, 4>, 2> utility = {{{1, 0.75, 0.5, 0}, {1, 0.95, 0.5, 0}}};
  std::array<double, kCycles + 1> discount{};
  for (int t = 0; t <= kCycles; ++t) discount[static_cast<std::size_t>(t)] = std::pow(1.03, -t);
  PlainLoopTotals totals;
  for (std::size_t k = 0; k < 2; ++k) {
    boost::random::mt19937 generator(1);  // the same uniforms for both strategies
    boost::random::uniform_01<double> uniform;
    for (std::uint64_t i = 0; i < individuals; ++i) {
      int s = 0;
      for (int t = 0;; ++t) {
        totals.costs[k] += cost[k][static_cast<std::size_t>(s)] * discount[static_cast<std::size_t>(t)];
        totals.qalys[k] += utility[k][static_cast<std::size_t>(s)] * discount[static_cast<std::size_t>(t)];
        if (t == kCycles) break;
        const double u = uniform(generator);
        int j = 0;
        while (!(u < bound[static_cast<std::size_t>(s)][static_cast<std::size_t>(j)])) ++j;
        s = destination[static_cast<std::size_t>(s)][static_cast<std::size_t>(j)];
      }
    }
  }
  return totals;
}

}  // namespace hemsim_bench
