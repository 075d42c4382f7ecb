// Lanes and walks of the microsimulation (engine/lanes.hpp): made once per simulator.

#include "engine/lanes.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

// Stay totals: each state's prefix columns side by side, and every state's uses of them
// with columns counted from the start of the lane's totals.
void lay_out_stay_totals(const StrategyModel& sm, Lane& lane) {
  std::size_t width = 0;
  for (const auto& st : sm.states) {
    lane.stay_offset.push_back(width);
    width += st.prefix_width;
  }
  lane.stay_totals.assign(width, 0.0);
  for (std::size_t st = 0; st < sm.states.size(); ++st) {
    lane.first_use.push_back(lane.stay_uses.size());
    for (StateModel::PrefixUse use : sm.states[st].prefix_uses) {
      use.column += lane.stay_offset[st];
      lane.stay_uses.push_back(use);
    }
  }
  lane.first_use.push_back(lane.stay_uses.size());
}

HotState hot_state(const CompiledModelData& m, const StrategyModel& sm, const Lane& lane, const std::vector<std::uint8_t>& flags, int st) {
  const int S = m.layout.states;
  const Row& row = sm.rows[static_cast<std::size_t>(st)];
  const StateModel& state = sm.states[static_cast<std::size_t>(st)];
  HotState h{row.thresholds.data(), row.sampling_order.data(), row.groups.data(), row.groups.size(),
             row.outcomes.size(), row.is_static, state.shortcut, !state.per_cycle_terms.empty(), false};
  h.quiet_stay = flags[static_cast<std::size_t>(st * S + st)] == 0;
  h.prefix = state.static_prefix.data();
  h.prefix_width = state.prefix_width;
  h.stay_offset = lane.stay_offset[static_cast<std::size_t>(st)];
  h.plain_stay = state.individual_terms.empty() && state.age_terms.empty();
  h.dead = m.dead_state[static_cast<std::size_t>(st)];
  h.visited_bit = std::uint64_t{1} << (st & 63);
  const auto& g = row.groups;
  h.deaths_then_moves = (g.size() == 1 && g[0].stream == kStreamMove) ||
                        (g.size() == 2 && g[0].stream == kStreamDeath && g[1].stream == kStreamMove);
  h.deaths = g.size() == 2 ? g[0].end : 0;
  const std::size_t last_start = g.size() > 1 ? g[g.size() - 2].end : 0;
  h.draws_moves = !g.empty() && g.back().stream == kStreamMove && g.back().end - last_start > 1;
  h.stay_first = row.stay_first;
  const bool stays_on_moves = !g.empty() && g.back().stream == kStreamMove &&
                              (g.back().end - last_start > 1 ? row.stay_first : row.sampling_order[last_start] == st);
  if (stays_on_moves && g.size() <= 4) h.clocks_before_moves = static_cast<int>(g.size()) - 1;
  return h;
}

Lane make_lane(const CompiledModelData& m, const StrategyModel& sm) {
  const int S = m.layout.states;
  Lane lane;
  lane.clocks.resize(static_cast<std::size_t>(m.layout.events) + 1);
  lane.visits.assign(static_cast<std::size_t>(S), 0);
  lay_out_stay_totals(sm, lane);
  std::size_t terms = 0;
  for (const auto& st : sm.states) {
    lane.individual_offset.push_back(terms);
    terms += st.individual_terms.size();
  }
  lane.individual_values.assign(terms, 0.0);
  lane.one_time_costs = std::any_of(sm.one_time_costs.begin(), sm.one_time_costs.end(), [](double c) { return c != 0.0; });
  std::vector<std::uint8_t> flags(static_cast<std::size_t>(S * S), 0);
  for (std::size_t pair = 0; pair < flags.size(); ++pair)
    flags[pair] = static_cast<std::uint8_t>((sm.transition_terms[pair].empty() ? 0 : 1) | (m.event_masks[pair] ? 2 : 0));
  for (int st = 0; st < S; ++st) lane.hot.push_back(hot_state(m, sm, lane, flags, st));
  lane.pair_flags = std::move(flags);
  return lane;
}

// Each output's stay uses in order: (column, factor bits).
std::vector<std::vector<std::pair<std::size_t, std::uint64_t>>> uses_by_output(const Lane& lane, int outputs) {
  std::vector<std::vector<std::pair<std::size_t, std::uint64_t>>> uses(static_cast<std::size_t>(outputs));
  for (const auto& use : lane.stay_uses) {
    std::uint64_t bits;
    std::memcpy(&bits, &use.factor, sizeof bits);
    uses[static_cast<std::size_t>(use.output)].emplace_back(use.column, bits);
  }
  return uses;
}

// Lane::own_outputs and own_uses for lane k, which records nothing and takes its stay
// totals from lane j: on the fast path its outputs differ from j's only where its one-time
// costs or its stay uses differ, where j pays transition rewards (k has none), and in the
// perspectives summed from them. Events, life-years and years by state come from the
// same walk, settled alike.
void plan_output_copies(const CompiledModelData& m, const Lane& leader, int j, Lane& lane, int k) {
  const OutputLayout& L = m.layout;
  const StrategyModel& a = m.strategies[static_cast<std::size_t>(j)];
  const StrategyModel& b = m.strategies[static_cast<std::size_t>(k)];
  const auto leader_uses = uses_by_output(leader, L.size()), own = uses_by_output(lane, L.size());
  std::vector<double> initial(static_cast<std::size_t>(L.size()), 0.0);
  std::vector<bool> differs(static_cast<std::size_t>(L.size()), false);
  for (int o = 0; o < L.size(); ++o) differs[static_cast<std::size_t>(o)] = leader_uses[static_cast<std::size_t>(o)] != own[static_cast<std::size_t>(o)];
  for (int c = 0; c < L.categories; ++c) {
    const double cost = b.one_time_costs[static_cast<std::size_t>(c)];
    initial[static_cast<std::size_t>(L.cost_discounted(c))] = initial[static_cast<std::size_t>(L.cost_undiscounted(c))] = cost;
    if (std::memcmp(&cost, &a.one_time_costs[static_cast<std::size_t>(c)], sizeof cost) != 0)
      differs[static_cast<std::size_t>(L.cost_discounted(c))] = differs[static_cast<std::size_t>(L.cost_undiscounted(c))] = true;
  }
  for (const auto& terms : a.transition_terms)
    for (const RewardTerm& term : terms) differs[static_cast<std::size_t>(term.output)] = true;
  for (int p = 0; p < L.perspectives; ++p)  // summed again from the categories, from 0
    differs[static_cast<std::size_t>(L.perspective_discounted(p))] = differs[static_cast<std::size_t>(L.perspective_undiscounted(p))] = true;
  for (int o = 0; o < L.size(); ++o)
    if (differs[static_cast<std::size_t>(o)]) lane.own_outputs.emplace_back(o, initial[static_cast<std::size_t>(o)]);
  for (const auto& use : lane.stay_uses)
    if (differs[static_cast<std::size_t>(use.output)]) lane.own_uses.push_back(use);
}

}  // namespace

std::vector<Lane> make_lanes(const CompiledModelData& m, const WalkPlan& plan) {
  std::vector<Lane> lanes;
  for (const StrategyModel& sm : m.strategies) lanes.push_back(make_lane(m, sm));
  for (std::size_t k = 0; k < lanes.size(); ++k) {
    if (plan.totals_sources[k] != static_cast<int>(k)) lanes[k].totals_from = plan.totals_sources[k];
    if (plan.record_sources[k] != static_cast<int>(k)) lanes[k].records_from = plan.record_sources[k];
    const int j = lanes[k].records_from;
    if (j < 0) continue;
    // WalkPlan: a record source is also the totals source, and the walk's first member,
    // so it finishes first.
    if (lanes[k].totals_from != j || j > static_cast<int>(k))
      throw InternalError(fmt::format("strategy {} takes its walk records from {} but not its stay totals, or before it finishes", k, j));
    plan_output_copies(m, lanes[static_cast<std::size_t>(j)], j, lanes[k], static_cast<int>(k));
  }
  return lanes;
}

std::vector<Walk> make_walks(const WalkPlan& plan, const std::vector<Lane>& lanes, int states) {
  std::vector<Walk> walks;
  for (const std::vector<int>& members : plan.walks) {
    Walk walk{{}, std::vector<std::uint8_t>(static_cast<std::size_t>(states), 1)};
    for (const int k : members)
      if (lanes[static_cast<std::size_t>(k)].records_from < 0) walk.recorders.push_back(k);
    for (const int k : walk.recorders)
      for (int st = 0; st < states; ++st)
        if (!lanes[static_cast<std::size_t>(k)].hot[static_cast<std::size_t>(st)].quiet_stay) walk.quiet_stay[static_cast<std::size_t>(st)] = 0;
    walks.push_back(std::move(walk));
  }
  return walks;
}

}  // namespace hemsim::detail
