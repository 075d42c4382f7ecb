#include "hemsim/decision.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace hemsim {

std::string to_string(DominanceStatus status) {
  switch (status) {
    case DominanceStatus::non_dominated: return "ND";
    case DominanceStatus::dominated: return "D";
    case DominanceStatus::extendedly_dominated: return "ED";
  }
  return "?";
}

IncrementalTable incremental_table(const std::vector<std::string>& strategies, const std::vector<double>& costs,
                                   const std::vector<double>& effects) {
  const std::size_t n = strategies.size();
  if (costs.size() != n || effects.size() != n)
    throw std::invalid_argument("incremental_table: strategies, costs and effects differ in length");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(costs[i]) || !std::isfinite(effects[i]))
      throw std::invalid_argument("incremental_table: cost or effect of '" + strategies[i] + "' is not finite");

  // Increasing cost; equal costs by decreasing effect; then input order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (costs[a] != costs[b]) return costs[a] < costs[b];
    return effects[a] > effects[b];
  });

  std::vector<DominanceStatus> status(n, DominanceStatus::non_dominated);
  // Strong dominance: some other strategy costs no more and is no less effective, strictly
  // better in one; of identical strategies the first in input order is kept.
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const bool no_worse = costs[j] <= costs[i] && effects[j] >= effects[i];
      const bool strictly = costs[j] < costs[i] || effects[j] > effects[i];
      if (no_worse && (strictly || j < i)) {
        status[i] = DominanceStatus::dominated;
        break;
      }
    }
  }
  // Extended dominance: along the frontier ICERs must increase; drop the strategy before
  // any fall, and repeat until none is left.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<std::size_t> frontier;
    for (std::size_t i : order)
      if (status[i] == DominanceStatus::non_dominated) frontier.push_back(i);
    for (std::size_t f = 1; f + 1 < frontier.size(); ++f) {
      const std::size_t a = frontier[f - 1], b = frontier[f], c = frontier[f + 1];
      const double icer_b = (costs[b] - costs[a]) / (effects[b] - effects[a]);
      const double icer_c = (costs[c] - costs[b]) / (effects[c] - effects[b]);
      if (icer_b > icer_c) {
        status[b] = DominanceStatus::extendedly_dominated;
        changed = true;
        break;
      }
    }
  }

  IncrementalTable table;
  const std::size_t none = n;
  std::size_t previous = none;
  for (DominanceStatus group : {DominanceStatus::non_dominated, DominanceStatus::extendedly_dominated, DominanceStatus::dominated}) {
    for (std::size_t i : order) {
      if (status[i] != group) continue;
      IncrementalRow row;
      row.strategy = strategies[i];
      row.cost = costs[i];
      row.effect = effects[i];
      row.status = group;
      if (group == DominanceStatus::non_dominated) {
        if (previous != none) {
          row.compared_with = strategies[previous];
          row.incremental_cost = costs[i] - costs[previous];
          row.incremental_effect = effects[i] - effects[previous];
          row.icer = *row.incremental_cost / *row.incremental_effect;
        }
        previous = i;
      }
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

}  // namespace hemsim
