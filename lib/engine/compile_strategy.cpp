// compile_strategy (engine/compile_strategy.hpp): a strategy's starting distribution,
// rows, rewards and one-time costs.

#include "engine/compile_strategy.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <utility>

#include "engine/stay_rewards.hpp"
#include "hemsim/error.hpp"
#include "scenario/additive_terms.hpp"

namespace hemsim::detail {

namespace {

// A quality weight above 1 (full health) is nearly always a scale mistake (a 0-100 visual
// analogue score, a utility per month written as QALYs per year): refused, as a utility
// above 1 is not a utility. Other quantities go in `outcomes:`. Constant and tabulated
// utilities are checked here; ones drawn per individual are not bounded above.
// The highest value a constant or tabulated quantity takes (unreachable table entries
// included); nothing for one evaluated at run time.
std::optional<double> highest_value(const Quantity& q, const CompiledModelData& m) {
  if (q.kind == Quantity::Kind::constant) return q.constant;
  if (q.kind != Quantity::Kind::table) return std::nullopt;
  const std::size_t entries = q.dim_count == 0 ? 1 : std::size_t{q.strides[0]} * static_cast<std::size_t>(m.coordinate_sizes[q.dims[0]]);
  return *std::max_element(m.table_values.begin() + q.offset, m.table_values.begin() + q.offset + static_cast<std::ptrdiff_t>(entries));
}

void check_utility_at_most_one(const Quantity& q, const Expression& e, const std::string& state, const CompiledModelData& m) {
  const std::optional<double> highest_or_none = highest_value(q, m);
  if (!highest_or_none) return;
  const double highest = *highest_or_none;
  if (highest > 1.0)
    throw ScenarioError(e.where, fmt::format("utility in {} reaches {:.6g}, above 1 (full health)", state, highest),
                        "a quality weight of at most 1 (negative for states worse than death); other quantities belong in outcomes:");
}

// A reward that is a sum of terms reading different coordinates is tabulated term by term
// when its whole table would be large and the terms' tables are much smaller: the
// flagship's utility "u(severity, nsaid, age) - (t == 0) * loss" is one table of 7.6 M
// entries over (t, age, severity, nsaid), rebuilt at every PSA draw, but two of 18,000
// and 841 entries as terms. Only for rewards checked for finiteness (a sign check on the
// sum cannot be made term by term); a utility is split only when the terms' highest
// values sum to at most 1, so the check that it never exceeds 1 still holds exactly.
constexpr std::size_t kSplitRewardsAbove = std::size_t{1} << 16;

// `utility_state` names the state whose utility `e` is; empty for other rewards.
std::vector<Quantity> compile_sum(QuantityCompiler& compiler, const Expression& e, const std::string& what, const std::string& utility_state) {
  const bool is_utility = !utility_state.empty();
  auto whole = [&] {
    Quantity q = compiler.compile(e, what, ValueCheck::finite);
    if (is_utility) check_utility_at_most_one(q, e, utility_state, compiler.model());
    return std::vector<Quantity>{q};
  };
  const std::vector<Expression> terms = additive_terms(e);
  const std::size_t whole_entries = compiler.entries_if_tabulated(e, what);
  if (terms.size() < 2 || (whole_entries != 0 && whole_entries <= kSplitRewardsAbove)) return whole();
  std::size_t term_entries = 0;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const std::size_t entries = compiler.entries_if_tabulated(terms[k], what);
    if (entries == 0) return whole();  // a term evaluated at run time gains nothing
    term_entries += entries;
  }
  if (whole_entries != 0 && term_entries * 4 > whole_entries) return whole();
  std::vector<Quantity> quantities;
  double highest_sum = 0.0;
  for (std::size_t k = 0; k < terms.size(); ++k) {
    quantities.push_back(compiler.compile(terms[k], fmt::format("{}, term {} of {}", what, k + 1, terms.size()), ValueCheck::finite));
    if (is_utility) highest_sum += highest_value(quantities.back(), compiler.model()).value_or(0.0);
  }
  if (is_utility && highest_sum > 1.0) return whole();  // the exact check, on the whole table
  return quantities;
}

struct EffectiveState {
  std::map<std::string, Expression> costs;
  std::map<std::string, Expression> outcomes;
  std::optional<Expression> utility, life_years;
};

// The starting distribution; a certain starting state is noted for the engines.
void compile_initial(const Scenario& s, StrategyModel& sm, QuantityCompiler& compiler) {
  const int S = static_cast<int>(s.states.size());
  sm.initial.assign(static_cast<std::size_t>(S), Quantity{});
  double constant_sum = 0;
  bool all_constant = true;
  for (const auto& [name, e] : s.initial) {
    Quantity q = compiler.compile(e, "initial probability of " + name, ValueCheck::probability);
    if (q.uses_coordinate(kCoordT) || q.uses_coordinate(kCoordStateTime))
      throw ScenarioError(e.where, "an initial probability cannot depend on time", "an expression of parameters and attributes");
    all_constant = all_constant && q.kind == Quantity::Kind::constant;
    constant_sum += q.constant;
    sm.initial[static_cast<std::size_t>(s.state_index(name))] = q;
  }
  if (all_constant && std::abs(constant_sum - 1.0) > kProbabilitySumTolerance)
    throw ScenarioError(s.initial_where, fmt::format("initial probabilities sum to {:.12g}", constant_sum),
                        "probabilities summing to 1");
  if (all_constant)
    for (int i = 0; i < S; ++i)
      if (sm.initial[static_cast<std::size_t>(i)].constant == 1.0) sm.certain_initial_state = i;
}

// Each state's rewards after the strategy's overrides.
std::vector<EffectiveState> effective_states(const Scenario& s, const Strategy& strategy) {
  const int S = static_cast<int>(s.states.size());
  std::vector<EffectiveState> states(static_cast<std::size_t>(S));
  for (int i = 0; i < S; ++i) {
    const State& base = s.states[static_cast<std::size_t>(i)];
    EffectiveState& es = states[static_cast<std::size_t>(i)];
    es.costs = base.costs;
    es.outcomes = base.outcomes;
    es.utility = base.utility;
    es.life_years = base.life_years;
    if (auto it = strategy.states.find(base.name); it != strategy.states.end()) {
      for (const auto& [c, e] : it->second.costs) es.costs[c] = e;
      for (const auto& [o, e] : it->second.outcomes) es.outcomes[o] = e;
      if (it->second.utility) es.utility = it->second.utility;
      if (it->second.life_years) es.life_years = it->second.life_years;
    }
  }
  return states;
}

// The strategy's rows: the scenario's transitions with the strategy's overrides, the
// background mortality composed in, each in its canonical sampling order.
void compile_rows(const CompiledModelData& m, StrategyModel& sm, const Strategy& strategy, QuantityCompiler& compiler) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  std::vector<std::vector<const Transition*>> cells(static_cast<std::size_t>(S));
  auto place = [&](const Transition& t) {
    auto& row = cells[static_cast<std::size_t>(s.state_index(t.from))];
    for (auto& c : row)
      if (c->to == t.to) {
        c = &t;
        return;
      }
    row.push_back(&t);
  };
  for (const auto& t : s.transitions) place(t);
  for (const auto& t : strategy.transitions) place(t);

  const int bg_to = s.background_mortality ? s.state_index(s.background_mortality->to) : -1;
  sm.rows.assign(static_cast<std::size_t>(S), Row{});
  for (int i = 0; i < S; ++i) {
    const State& state = s.states[static_cast<std::size_t>(i)];
    Row& row = sm.rows[static_cast<std::size_t>(i)];
    row.where = state.where;
    row.where.key_path = "transitions." + state.name;
    if (state.absorbing) {
      row.outcomes = {i};
      row.has_complement = true;
      row.is_static = true;
      set_sampling_order(row, i, m);
      continue;
    }
    const auto& row_cells = cells[static_cast<std::size_t>(i)];
    if (row_cells.empty())
      throw ScenarioError(state.where, fmt::format("state '{}' has no transitions", state.name),
                          "a row under transitions, or absorbing: true");
    if (!row_cells.empty()) row.where = row_cells.front()->where, row.where.key_path = "transitions." + state.name;
    if (bg_to >= 0) {
      const auto& bm = *s.background_mortality;
      std::string hr = "1";
      if (auto it = bm.hazard_ratios.find(state.name); it != bm.hazard_ratios.end()) hr = it->second.text;
      Expression composed{fmt::format("1 - (1 - ({}))^(cycle_years * ({}))", bm.annual_probability.text, hr),
                          bm.annual_probability.where};
      row.has_background = true;
      row.outcomes.push_back(bg_to);
      row.probabilities.push_back(compiler.compile(composed, "background mortality in " + state.name, ValueCheck::probability));
    }
    const Transition* complement = nullptr;
    for (const Transition* t : row_cells) {
      if (t->kind == TransitionKind::complement) {
        if (complement)
          throw ScenarioError(t->where, fmt::format("row {} has two complements after strategy overrides", state.name),
                              "one 'complement' per row");
        complement = t;
        continue;
      }
      const std::string what = fmt::format("transition {} -> {}", t->from, t->to);
      Expression e = t->value;
      if (t->kind == TransitionKind::rate) e.text = fmt::format("1 - exp(-({}) * cycle_years)", t->value.text);
      if (t->kind == TransitionKind::rate) {
        // A negative rate is reported as such, not as a probability problem.
        Quantity rate = compiler.compile(t->value, what + " (rate)", ValueCheck::nonnegative);
        (void)rate;
      }
      row.outcomes.push_back(s.state_index(t->to));
      row.probabilities.push_back(compiler.compile(e, what, ValueCheck::probability));
    }
    if (complement) {
      row.outcomes.push_back(s.state_index(complement->to));
      row.has_complement = true;
    }
    row.is_static = std::all_of(row.probabilities.begin(), row.probabilities.end(), [](const Quantity& q) { return q.is_static(); });
    set_sampling_order(row, i, m);
  }
}

// Where each reward term goes (RewardTerm): constant over an individual's life (read once
// per individual), static (tabulated with its weights over t, with suffix sums), or
// evaluated as the individual goes.
class RewardTerms {
 public:
  explicit RewardTerms(const CompiledModelData& m) : m_(m), coords_(static_cast<std::size_t>(m.coordinate_count), 0) {}

  void add(StateModel& target, int output, int weights, const Quantity& q) {
    const int T = m_.cycles;
    if (q.kind == Quantity::Kind::constant && q.constant == 0.0) return;
    RewardTerm term{output, weights, q, {}, {}};
    if (!q.is_static() && constant_over_life(q)) {
      target.individual_terms.push_back(std::move(term));
    } else if (q.is_static()) {
      term.table.resize(static_cast<std::size_t>(T) + 1);
      for (int t = 0; t <= T; ++t) {
        coords_[kCoordT] = t;
        term.table[static_cast<std::size_t>(t)] =
            table_value(q, m_.table_values.data(), coords_.data()) * m_.weights[static_cast<std::size_t>(weights)][static_cast<std::size_t>(t)];
      }
      term.suffix.assign(static_cast<std::size_t>(T) + 2, 0.0);
      for (int t = T; t >= 0; --t)
        term.suffix[static_cast<std::size_t>(t)] = term.suffix[static_cast<std::size_t>(t) + 1] + term.table[static_cast<std::size_t>(t)];
      target.static_terms.push_back(std::move(term));
    } else {
      target.dynamic_terms.push_back(std::move(term));
    }
  }

  int category_index(const std::string& name) const {
    const auto& categories = m_.scenario.cost_categories;
    for (std::size_t c = 0; c < categories.size(); ++c)
      if (categories[c].name == name) return static_cast<int>(c);
    throw InternalError("unknown cost category " + name);
  }

 private:
  // A quantity that reads only discrete attributes or per-individual values keeps its
  // value for an individual's whole life.
  bool constant_over_life(const Quantity& q) const {
    if (q.kind == Quantity::Kind::per_individual) return true;
    if (q.kind != Quantity::Kind::table) return false;
    const auto& attributes = m_.discrete_attribute_coordinate;
    return std::all_of(q.dims.begin(), q.dims.begin() + q.dim_count,
                       [&](int c) { return std::find(attributes.begin(), attributes.end(), c) != attributes.end(); });
  }

  const CompiledModelData& m_;
  std::vector<int> coords_;  // t only: static terms read nothing else
};

// State i's prefix sums, which the microsimulation pays its static rewards from, one
// stay at a time (StateModel::static_prefix).
void build_static_prefix(const CompiledModelData& m, int i, StateModel& sm_state) {
  const OutputLayout& L = m.layout;
  const int T = m.cycles;
  // Prefix sums: the four state weight series, then one column per time-varying reward.
  static_assert(kCostDiscounted == 0 && kCostUndiscounted == 1 && kEffectDiscounted == 2 && kEffectUndiscounted == 3);
  std::vector<const RewardTerm*> varying;
  sm_state.prefix_uses = {{L.years_in_state(i), std::size_t{kEffectUndiscounted}, 1.0}};
  for (const auto& term : sm_state.static_terms) {
    if (term.value.kind == Quantity::Kind::constant) {
      sm_state.prefix_uses.push_back({term.output, static_cast<std::size_t>(term.weights), term.value.constant});
    } else {
      sm_state.prefix_uses.push_back({term.output, 4 + varying.size(), 1.0});
      varying.push_back(&term);
    }
  }
  const std::size_t width = 4 + varying.size();
  sm_state.prefix_width = width;
  sm_state.static_prefix.assign((static_cast<std::size_t>(T) + 2) * width, 0.0);
  for (int t = 0; t <= T; ++t) {
    double* next = &sm_state.static_prefix[(static_cast<std::size_t>(t) + 1) * width];
    const double* previous = next - width;
    for (std::size_t c = 0; c < 4; ++c) next[c] = previous[c] + m.weights[c][static_cast<std::size_t>(t)];
    for (std::size_t v = 0; v < varying.size(); ++v) next[4 + v] = previous[4 + v] + varying[v]->table[static_cast<std::size_t>(t)];
  }
}

// Each state's costs, outcomes, utility and life-year weight.
void compile_state_rewards(const CompiledModelData& m, StrategyModel& sm, const std::vector<EffectiveState>& states, QuantityCompiler& compiler,
                           RewardTerms& terms) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  std::map<std::uint32_t, std::vector<int>> age_runs;  // per table offset
  const OutputLayout& L = m.layout;
  sm.states.assign(static_cast<std::size_t>(S), StateModel{});
  for (int i = 0; i < S; ++i) {
    const State& state = s.states[static_cast<std::size_t>(i)];
    const EffectiveState& es = states[static_cast<std::size_t>(i)];
    StateModel& sm_state = sm.states[static_cast<std::size_t>(i)];
    sm_state.absorbing = state.absorbing;
    for (const auto& [category, e] : es.costs) {
      const int c = terms.category_index(category);
      Quantity q = compiler.compile(e, fmt::format("cost {} in {}", category, state.name), ValueCheck::nonnegative);
      terms.add(sm_state, L.cost_discounted(c), kCostDiscounted, q);
      terms.add(sm_state, L.cost_undiscounted(c), kCostUndiscounted, q);
    }
    for (const auto& [name, e] : es.outcomes) {
      int o = 0;
      while (s.outcomes[static_cast<std::size_t>(o)].name != name) ++o;
      for (const Quantity& q : compile_sum(compiler, e, fmt::format("outcome {} in {}", name, state.name), "")) {
        terms.add(sm_state, L.outcome_discounted(o), kCostDiscounted, q);
        terms.add(sm_state, L.outcome_undiscounted(o), kCostUndiscounted, q);
      }
    }
    if (es.utility) {
      for (const Quantity& q : compile_sum(compiler, *es.utility, "utility in " + state.name, state.name)) {
        terms.add(sm_state, L.qalys_discounted(), kEffectDiscounted, q);
        terms.add(sm_state, L.qalys_undiscounted(), kEffectUndiscounted, q);
      }
    }
    Quantity ly;
    if (es.life_years) {
      ly = compiler.compile(*es.life_years, "life-year weight in " + state.name, ValueCheck::nonnegative);
    } else {
      ly.constant = state.dead ? 0.0 : 1.0;
    }
    terms.add(sm_state, L.life_years_discounted(), kEffectDiscounted, ly);
    terms.add(sm_state, L.life_years_undiscounted(), kEffectUndiscounted, ly);
    split_age_settled_terms(m, sm_state, age_runs);
    sm_state.shortcut = state.absorbing && sm_state.per_cycle_terms.empty();
    for (std::size_t d = 1; d < sm_state.dynamic_terms.size(); ++d)
      sm_state.dynamic_terms[d].same_value_as_previous = sm_state.dynamic_terms[d].value == sm_state.dynamic_terms[d - 1].value;
    build_static_prefix(m, i, sm_state);
  }
}

// One-off rewards of moves, per (from, to).
void compile_transition_rewards(const CompiledModelData& m, StrategyModel& sm, QuantityCompiler& compiler, RewardTerms& terms) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  const OutputLayout& L = m.layout;
  sm.transition_terms.assign(static_cast<std::size_t>(S * S), {});
  for (const auto& tr : s.transition_rewards) {
    for (int from = 0; from < S; ++from) {
      if (tr.from != "*" && s.states[static_cast<std::size_t>(from)].name != tr.from) continue;
      for (int to = 0; to < S; ++to) {
        if (tr.to != "*" && s.states[static_cast<std::size_t>(to)].name != tr.to) continue;
        if ((tr.from == "*" || tr.to == "*") && from == to) continue;
        StateModel holder;
        const std::string what = fmt::format("transition reward {} -> {}", s.states[static_cast<std::size_t>(from)].name,
                                             s.states[static_cast<std::size_t>(to)].name);
        for (const auto& [category, e] : tr.costs) {
          const int c = terms.category_index(category);
          Quantity q = compiler.compile(e, what, ValueCheck::nonnegative);
          terms.add(holder, L.cost_discounted(c), kTransitionCostDiscounted, q);
          terms.add(holder, L.cost_undiscounted(c), kTransitionUndiscounted, q);
        }
        if (tr.qalys) {
          Quantity q = compiler.compile(*tr.qalys, what, ValueCheck::finite);
          terms.add(holder, L.qalys_discounted(), kTransitionEffectDiscounted, q);
          terms.add(holder, L.qalys_undiscounted(), kTransitionUndiscounted, q);
        }
        auto& terms = sm.transition_terms[static_cast<std::size_t>(from * S + to)];
        for (auto& term : holder.static_terms) terms.push_back(std::move(term));
        for (auto& term : holder.dynamic_terms) terms.push_back(std::move(term));
      }
    }
  }
}

}  // namespace

void compile_strategy(CompiledModelData& m, int k, QuantityCompiler& compiler, RowGridCache& grid_cache) {
  const Scenario& s = m.scenario;
  const Strategy& strategy = s.strategies[static_cast<std::size_t>(k)];
  StrategyModel& sm = m.strategies[static_cast<std::size_t>(k)];
  compile_initial(s, sm, compiler);
  compile_rows(m, sm, strategy, compiler);
  tabulate_static_rows(m, sm);
  grid_tabulated_rows(m, sm, grid_cache);
  RewardTerms terms(m);
  compile_state_rewards(m, sm, effective_states(s, strategy), compiler, terms);
  compile_transition_rewards(m, sm, compiler, terms);
  // One-time costs at time 0.
  sm.one_time_costs.assign(s.cost_categories.size(), 0.0);
  for (const auto& [category, e] : strategy.one_time_costs) {
    Quantity q = compiler.compile(e, "one-time cost " + category, ValueCheck::nonnegative, false);
    sm.one_time_costs[static_cast<std::size_t>(terms.category_index(category))] = q.constant;
  }
}

}  // namespace hemsim::detail
