#include "engine/shared_walks.hpp"

#include <algorithm>
#include <cstring>

namespace hemsim::detail {

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

bool same_walk(const StrategyModel& a, const StrategyModel& b) {
  if (a.certain_initial_state != b.certain_initial_state) return false;
  if (a.certain_initial_state < 0 && (!(a.initial == b.initial) || !(a.attributes == b.attributes))) return false;
  for (std::size_t s = 0; s < a.rows.size(); ++s) {
    if (a.states[s].shortcut != b.states[s].shortcut) return false;
    if (a.states[s].shortcut) continue;  // absorbing: no row is drawn from
    const Row& x = a.rows[s];
    const Row& y = b.rows[s];
    if (!x.is_static || !y.is_static || x.sampling_order != y.sampling_order || !(x.groups == y.groups) ||
        !same_bits(x.thresholds, y.thresholds))
      return false;
  }
  return true;
}

bool same_prefix_columns(const StrategyModel& a, const StrategyModel& b) {
  for (std::size_t s = 0; s < a.states.size(); ++s) {
    const StateModel& x = a.states[s];
    const StateModel& y = b.states[s];
    const bool plain = x.individual_terms.empty() && x.age_terms.empty() && y.individual_terms.empty() && y.age_terms.empty();
    if (!plain || x.prefix_width != y.prefix_width || !same_bits(x.static_prefix, y.static_prefix)) return false;
  }
  return true;
}

}  // namespace

bool takes_fast_path(const CompiledModelData& m) { return !m.needs_coordinates_per_cycle && m.counters.empty(); }

WalkPlan::WalkPlan(const CompiledModelData& m) : walks(takes_fast_path(m) ? strategies_sharing_walks(m) : std::vector<std::vector<int>>{}) {
  totals_sources.resize(m.strategies.size());
  for (std::size_t k = 0; k < totals_sources.size(); ++k) totals_sources[k] = static_cast<int>(k);
  for (const std::vector<int>& walk : walks)
    for (const int k : walk)
      if (same_prefix_columns(m.strategies[static_cast<std::size_t>(walk.front())], m.strategies[static_cast<std::size_t>(k)]))
        totals_sources[static_cast<std::size_t>(k)] = walk.front();
  record_sources = totals_sources;
  for (std::size_t k = 0; k < record_sources.size(); ++k) {
    const auto& terms = m.strategies[k].transition_terms;
    if (std::any_of(terms.begin(), terms.end(), [](const auto& pair_terms) { return !pair_terms.empty(); }))
      record_sources[k] = static_cast<int>(k);
  }
}

std::vector<std::vector<int>> strategies_sharing_walks(const CompiledModelData& m) {
  std::vector<std::vector<int>> walks;
  for (std::size_t k = 0; k < m.strategies.size(); ++k) {
    const auto shared = std::find_if(walks.begin(), walks.end(), [&](const std::vector<int>& walk) {
      return same_walk(m.strategies[static_cast<std::size_t>(walk.front())], m.strategies[k]);
    });
    if (shared == walks.end())
      walks.push_back({static_cast<int>(k)});
    else
      shared->push_back(static_cast<int>(k));
  }
  return walks;
}

}  // namespace hemsim::detail
