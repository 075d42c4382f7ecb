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

}  // namespace

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
