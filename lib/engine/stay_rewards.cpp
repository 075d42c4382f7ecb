#include "engine/stay_rewards.hpp"

#include <algorithm>
#include <optional>

namespace hemsim::detail {

namespace {

// The age coordinates where some slice of the table `q` (over age and other coordinates)
// differs from the slice one age below; starts with 0.
std::vector<int> age_run_starts(const CompiledModelData& m, const Quantity& q, int age_dim) {
  std::size_t entries = 1;
  for (int d = 0; d < q.dim_count; ++d) entries *= static_cast<std::size_t>(m.coordinate_sizes[q.dims[static_cast<std::size_t>(d)]]);
  const auto age_size = static_cast<std::size_t>(m.coordinate_sizes[kCoordAge]);
  const std::size_t stride = q.strides[static_cast<std::size_t>(age_dim)];
  // Entry (outer, age, inner) is at outer * age_size * stride + age * stride + inner.
  const std::size_t outer_count = entries / (age_size * stride);
  const double* table = m.table_values.data() + q.offset;
  std::vector<int> starts{0};
  for (std::size_t a = 1; a < age_size; ++a) {
    bool changed = false;
    for (std::size_t outer = 0; outer < outer_count && !changed; ++outer) {
      const double* slice = table + (outer * age_size + a) * stride;
      changed = !std::equal(slice, slice + stride, slice - stride);
    }
    if (changed) starts.push_back(static_cast<int>(a));
  }
  return starts;
}

}  // namespace

void use_life_years_by_survival(CompiledModelData& m) {
  const OutputLayout& L = m.layout;
  const auto S = static_cast<std::size_t>(L.states);
  m.dead_state.assign(S, false);
  for (std::size_t i = 0; i < S; ++i) m.dead_state[i] = m.scenario.states[i].dead;
  auto is_life_years = [&](const RewardTerm& term) {
    return term.output == L.life_years_discounted() || term.output == L.life_years_undiscounted();
  };
  std::optional<double> weight;
  for (const StrategyModel& sm : m.strategies) {
    for (std::size_t i = 0; i < S; ++i) {
      const StateModel& state = sm.states[i];
      const auto varying = std::count_if(state.dynamic_terms.begin(), state.dynamic_terms.end(), is_life_years) +
                           std::count_if(state.individual_terms.begin(), state.individual_terms.end(), is_life_years);
      std::vector<double> constants;
      for (const RewardTerm& term : state.static_terms)
        if (term.output == L.life_years_discounted()) {
          if (term.value.kind != Quantity::Kind::constant) return;
          constants.push_back(term.value.constant);
        }
      if (varying > 0) return;
      if (m.dead_state[i]) {
        if (!constants.empty()) return;
        continue;
      }
      const double w = constants.empty() ? 0.0 : constants.front();
      if (constants.size() > 1 || (weight && *weight != w)) return;
      weight = w;
    }
  }
  if (!weight) return;
  m.life_years_weight = *weight;
  for (int series = 0; series < 2; ++series) {
    const auto& w = m.weights[static_cast<std::size_t>(series == 0 ? kEffectDiscounted : kEffectUndiscounted)];
    auto& prefix = m.life_years_prefix[static_cast<std::size_t>(series)];
    prefix.assign(static_cast<std::size_t>(m.cycles) + 2, 0.0);
    for (int t = 0; t <= m.cycles; ++t) prefix[static_cast<std::size_t>(t) + 1] = prefix[static_cast<std::size_t>(t)] + w[static_cast<std::size_t>(t)];
  }
  for (StrategyModel& sm : m.strategies)
    for (StateModel& state : sm.states)
      std::erase_if(state.prefix_uses, [&](const StateModel::PrefixUse& use) {
        return use.output == L.life_years_discounted() || use.output == L.life_years_undiscounted();
      });
}

void split_age_settled_terms(const CompiledModelData& m, StateModel& state, std::map<std::uint32_t, std::vector<int>>& runs_by_table) {
  const auto& attributes = m.discrete_attribute_coordinate;
  for (std::size_t j = 0; j < state.dynamic_terms.size(); ++j) {
    const RewardTerm& term = state.dynamic_terms[j];
    const Quantity& q = term.value;
    int age_dim = -1;
    bool settled = q.kind == Quantity::Kind::table && term.weights < 4;
    for (int d = 0; settled && d < q.dim_count; ++d) {
      const int c = q.dims[static_cast<std::size_t>(d)];
      if (c == kCoordAge) age_dim = d;
      else if (std::find(attributes.begin(), attributes.end(), c) == attributes.end()) settled = false;
    }
    if (!settled || age_dim < 0) {
      state.per_cycle_terms.push_back(static_cast<std::uint32_t>(j));
      continue;
    }
    auto runs = runs_by_table.find(q.offset);
    if (runs == runs_by_table.end()) runs = runs_by_table.emplace(q.offset, age_run_starts(m, q, age_dim)).first;
    state.age_terms.push_back({term.output, term.weights, q, age_dim, runs->second});
  }
}

}  // namespace hemsim::detail
