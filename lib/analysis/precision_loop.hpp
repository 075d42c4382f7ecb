#pragma once
// The one sizing loop behind every precision target: pilot, predict, re-run.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "hemsim/precision.hpp"

namespace hemsim::detail {

/// Individuals rounded up to a hundred (a thousand above 10,000), so printed commands
/// are readable.
inline std::uint64_t round_up_individuals(double individuals) {
  const double step = individuals > 10000 ? 1000.0 : 100.0;
  return static_cast<std::uint64_t>(std::ceil(individuals / step) * step);
}

/// Runs `mcse_at(n)` from n = pilot until it is at most `target` or n = max_individuals.
/// The MCSE falls as 1/sqrt(n), so the next n is 5 % more than the prediction
/// n (mcse / target)^2, so that one re-run usually suffices.
template <typename Measure>
SizedAnalysis size_to_precision(std::uint64_t pilot, double target, std::uint64_t max_individuals, Measure&& mcse_at) {
  SizedAnalysis sized;
  std::uint64_t n = std::min(pilot, max_individuals);
  for (;;) {
    sized.achieved_mcse = mcse_at(n);
    sized.individuals_tried.push_back(n);
    sized.individuals = n;
    sized.met = !(sized.achieved_mcse > target);
    if (sized.met || n >= max_individuals) return sized;
    const double ratio = sized.achieved_mcse / target;
    n = std::min(max_individuals, std::max(round_up_individuals(static_cast<double>(n) * ratio * ratio * 1.05), n + 1));
  }
}

}  // namespace hemsim::detail
