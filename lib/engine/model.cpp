// compile_model: evaluates parameters, analyses every expression once and tabulates it
// at the coarsest level its dependencies allow.

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "engine/compile_workspace.hpp"
#include "engine/compiled_model.hpp"
#include "engine/row_tables.hpp"
#include "engine/stay_rewards.hpp"
#include "scenario/additive_terms.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"

namespace hemsim {

namespace detail {

namespace {

constexpr std::size_t kMaxTableEntries = std::size_t{1} << 23;  // beyond this an expression is evaluated at run time

std::string check_name(ValueCheck check) {
  switch (check) {
    case ValueCheck::probability: return "a probability in [0, 1]";
    case ValueCheck::nonnegative: return "a value >= 0";
    case ValueCheck::finite: return "a finite number";
  }
  return "";
}

// Within-cycle correction weight of point t (0..T), given the timing convention.
double cycle_weight(const Settings& s, int t, int T) {
  switch (s.reward_timing) {
    case RewardTiming::start_of_cycle: return t < T ? 1.0 : 0.0;
    case RewardTiming::end_of_cycle: return t > 0 ? 1.0 : 0.0;
    case RewardTiming::both_ends: break;
  }
  const bool end = t == 0 || t == T;
  switch (s.correction) {
    case WithinCycleCorrection::none: return 1.0;
    case WithinCycleCorrection::half_cycle:
    case WithinCycleCorrection::trapezoid: return end ? 0.5 : 1.0;
    case WithinCycleCorrection::simpson: return end ? 1.0 / 3 : (t % 2 == 1 ? 4.0 / 3 : 2.0 / 3);
    case WithinCycleCorrection::simpson_darth: return end ? 1.0 / 3 : (t % 2 == 1 ? 2.0 / 3 : 4.0 / 3);
  }
  return 1.0;
}

// Lowest and highest possible value of a distribution (for age bounds).
double lowest_value(const Distribution& d) {
  switch (d.kind) {
    case DistributionKind::fixed: return d.a;
    case DistributionKind::uniform:
    case DistributionKind::triangular:
    case DistributionKind::pert: return d.a;
    case DistributionKind::beta: return std::max(0.0, d.lower);
    case DistributionKind::gamma:
    case DistributionKind::lognormal: return std::max(0.0, d.lower);
    default: return d.lower;
  }
}
double highest_value(const Distribution& d) {
  switch (d.kind) {
    case DistributionKind::fixed: return d.a;
    case DistributionKind::uniform: return d.b;
    case DistributionKind::triangular:
    case DistributionKind::pert: return d.c;
    case DistributionKind::beta: return std::min(1.0, d.upper);
    default: return d.upper;
  }
}

enum class Role { constant, t, time, age, state_time, counter, discrete, continuous };

// Tables already built, keyed by expression text, check, grid and the values of the
// constants the expression reads: states and strategies that share an expression (and
// the parameter values it uses) share one table instead of tabulating it again.
using TableCache = std::map<std::string, std::uint32_t>;

class Compiler {
 public:
  // `context` is shared by the strategies' compilers (one after the other), so that an
  // expression is parsed once per model, not once per strategy.
  Compiler(CompiledModelData& model, int strategy, ExpressionContext& context, TableCache& cache)
      : m_(model), k_(strategy), ctx_(context), cache_(cache) {
    const Scenario& s = m_.scenario;
    StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k_)];
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
      const int slot = ctx_.declare(s.parameters[i].name);
      ctx_.value(slot) = sm.parameters.values[i];
      roles_.push_back({slot, Role::constant, -1});
    }
    for (std::size_t a = 0; a < s.attributes.size(); ++a) {
      const int slot = ctx_.declare(s.attributes[a].name);
      const Distribution& d = sm.attributes[a];
      if (static_cast<int>(a) == m_.age_attribute) {
        roles_.push_back({slot, Role::age, kCoordAge});
      } else if (m_.discrete_attribute_coordinate[a] >= 0) {
        roles_.push_back({slot, Role::discrete, m_.discrete_attribute_coordinate[a]});
      } else if (m_.continuous_attribute[a]) {
        roles_.push_back({slot, Role::continuous, -1});
      } else {
        ctx_.value(slot) = d.a;  // fixed
        roles_.push_back({slot, Role::constant, -1});
      }
    }
    for (std::size_t c = 0; c < s.counters.size(); ++c)
      roles_.push_back({ctx_.declare(s.counters[c].name), Role::counter, kFirstCounterCoord + static_cast<int>(c)});
    roles_.push_back({ctx_.declare("t"), Role::t, kCoordT});
    roles_.push_back({ctx_.declare("time"), Role::time, kCoordT});
    roles_.push_back({ctx_.declare("state_time"), Role::state_time, kCoordStateTime});
    const int cy = ctx_.declare("cycle_years");
    ctx_.value(cy) = s.settings.cycle_length_years;
    roles_.push_back({cy, Role::constant, -1});
    std::sort(roles_.begin(), roles_.end(), [](const auto& a, const auto& b) { return a.slot < b.slot; });
    // Tabulating sets coordinates once per table entry: only the few variables of that
    // coordinate are visited (scanning every parameter's slot made a flagship compile take
    // seconds).
    coordinate_roles_.resize(static_cast<std::size_t>(m_.coordinate_count));
    for (const auto& r : roles_)
      if (r.coordinate >= 0) coordinate_roles_.at(static_cast<std::size_t>(r.coordinate)).push_back(r);
  }

  // Compiles `e` into a quantity; `what` names it in messages (e.g. "transition S1 -> S2").
  Quantity compile(const Expression& e, const std::string& what, ValueCheck check, bool allow_runtime = true) {
    const int id = ctx_.compile(e, what);
    Quantity q;
    q.check = check;
    bool continuous = false;
    const std::vector<int> coordinates = coordinates_read(id, continuous);
    for (int c : coordinates) q.uses |= std::uint64_t{1} << c;
    const std::size_t entries = table_entries(coordinates);

    if (continuous || entries > kMaxTableEntries) {
      if (!allow_runtime)
        throw ScenarioError(e.where, fmt::format("{} \"{}\" cannot depend on continuous individual attributes here", what, shown_expression(e.text)),
                            "an expression of parameters and discrete attributes");
      StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k_)];
      const bool per_individual = coordinates.empty();
      q.kind = per_individual ? Quantity::Kind::per_individual : Quantity::Kind::dynamic;
      q.slot = static_cast<int>(sm.runtime_expressions.size());
      sm.runtime_expressions.push_back({e, what, check, per_individual});
      describe(what, per_individual ? "per individual, at entry" : "per individual and cycle (run time)");
      return q;
    }
    if (coordinates.empty()) {
      q.kind = Quantity::Kind::constant;
      q.constant = ctx_.evaluate(id);
      check_value(check, q.constant, e.where, what, "");
      return q;
    }
    q.kind = Quantity::Kind::table;
    q.dim_count = static_cast<std::uint8_t>(coordinates.size());
    if (coordinates.size() > static_cast<std::size_t>(kMaxTableDims))
      throw ScenarioError(e.where, fmt::format("{} depends on too many variables", what), "at most 8 of t, age, state_time, counters and discrete attributes");
    std::uint32_t stride = 1;
    for (std::size_t d = coordinates.size(); d-- > 0;) {
      q.dims[d] = static_cast<std::uint8_t>(coordinates[d]);
      q.strides[d] = stride;
      stride *= static_cast<std::uint32_t>(m_.coordinate_sizes[static_cast<std::size_t>(coordinates[d])]);
    }
    std::string over;
    for (int c : coordinates) over += (over.empty() ? "" : ", ") + coordinate_name(c);
    std::string key = fmt::format("{}\x1f{}\x1f{}", e.text, static_cast<int>(check), over);
    for (int slot : ctx_.used_slots(id)) {
      const SlotRole& r = roles_[static_cast<std::size_t>(slot)];
      if (r.role != Role::constant) continue;
      const double v = ctx_.value(slot);
      key.append(reinterpret_cast<const char*>(&v), sizeof v);
      key += '\x1f';
    }
    if (auto hit = cache_.find(key); hit != cache_.end()) {
      q.offset = hit->second;
      describe(what, fmt::format("table over [{}], {} entries (shared)", over, entries));
      return q;
    }
    q.offset = static_cast<std::uint32_t>(m_.table_values.size());
    if (m_.table_values.size() + entries > (std::size_t{1} << 31))
      throw ScenarioError(e.where, "the model's tables are too large", "fewer cycles, ages or counter values");
    m_.table_values.resize(m_.table_values.size() + entries);
    std::vector<int> coords(static_cast<std::size_t>(m_.coordinate_count), 0);
    std::vector<int> index(coordinates.size(), 0);
    const bool uses_t = std::find(coordinates.begin(), coordinates.end(), kCoordT) != coordinates.end();
    const bool uses_age = std::find(coordinates.begin(), coordinates.end(), kCoordAge) != coordinates.end();
    for (std::size_t n = 0; n < entries; ++n) {
      for (std::size_t d = 0; d < coordinates.size(); ++d) set_coordinate(coordinates[d], index[d], coords);
      const double v = ctx_.evaluate(id);
      if (!passes(check, v) && reachable(m_, coords.data(), uses_t, uses_age))
        check_value(check, v, e.where, what, describe_coordinates(m_, coords.data()));
      m_.table_values[q.offset + n] = v;
      for (std::size_t d = coordinates.size(); d-- > 0;) {  // odometer, last coordinate fastest
        if (++index[d] < m_.coordinate_sizes[static_cast<std::size_t>(coordinates[d])]) break;
        index[d] = 0;
      }
    }
    cache_.emplace(std::move(key), q.offset);
    describe(what, fmt::format("table over [{}], {} entries", over, entries));
    return q;
  }

  const CompiledModelData& model() const { return m_; }

  /// Entries a table of `e` would hold; 0 when it would be evaluated at run time (it reads
  /// continuous attributes or exceeds the table limit).
  std::size_t entries_if_tabulated(const Expression& e, const std::string& what) {
    bool continuous = false;
    const std::size_t entries = table_entries(coordinates_read(ctx_.compile(e, what), continuous));
    return continuous || entries > kMaxTableEntries ? 0 : entries;
  }

 private:
  // The coordinates (sorted) that compiled expression `id` reads; `continuous` is set when
  // it reads a continuous attribute.
  std::vector<int> coordinates_read(int id, bool& continuous) const {
    std::vector<int> coordinates;
    for (int slot : ctx_.used_slots(id)) {
      const SlotRole& r = roles_[static_cast<std::size_t>(slot)];
      if (r.role == Role::continuous) continuous = true;
      if (r.coordinate >= 0 && std::find(coordinates.begin(), coordinates.end(), r.coordinate) == coordinates.end())
        coordinates.push_back(r.coordinate);
    }
    std::sort(coordinates.begin(), coordinates.end());
    return coordinates;
  }

  std::size_t table_entries(const std::vector<int>& coordinates) const {
    std::size_t entries = 1;
    for (int c : coordinates) entries *= static_cast<std::size_t>(m_.coordinate_sizes[static_cast<std::size_t>(c)]);
    return entries;
  }

  struct SlotRole {
    int slot;
    Role role;
    int coordinate;
  };

  std::string coordinate_name(int c) const {
    const Scenario& s = m_.scenario;
    if (c == kCoordT) return "t";
    if (c == kCoordAge) return "age";
    if (c == kCoordStateTime) return "state_time";
    if (c < kFirstCounterCoord + static_cast<int>(s.counters.size()))
      return s.counters[static_cast<std::size_t>(c - kFirstCounterCoord)].name;
    for (std::size_t a = 0; a < s.attributes.size(); ++a)
      if (m_.discrete_attribute_coordinate[a] == c) return s.attributes[a].name;
    return "?";
  }

  void set_coordinate(int c, int v, std::vector<int>& coords) {
    coords[static_cast<std::size_t>(c)] = v;
    for (const auto& r : coordinate_roles_[static_cast<std::size_t>(c)]) {
      double& x = ctx_.value(r.slot);
      switch (r.role) {
        case Role::t: x = v; break;
        case Role::time: x = v * m_.scenario.settings.cycle_length_years; break;
        case Role::age: x = (v + m_.age_grid_start) * m_.scenario.settings.cycle_length_years; break;
        default: x = v; break;
      }
    }
  }

  void describe(const std::string& what, const std::string& how) {
    m_.level_descriptions.push_back(fmt::format("{}: {}: {}", m_.strategies[static_cast<std::size_t>(k_)].name, what, how));
  }

  CompiledModelData& m_;
  int k_;
  ExpressionContext& ctx_;
  TableCache& cache_;
  std::vector<SlotRole> roles_;
  std::vector<std::vector<SlotRole>> coordinate_roles_;  // per coordinate: the variables it sets
};

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
std::vector<Quantity> compile_sum(Compiler& compiler, const Expression& e, const std::string& what, const std::string& utility_state) {
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
void compile_initial(const Scenario& s, StrategyModel& sm, Compiler& compiler) {
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
void compile_rows(const CompiledModelData& m, StrategyModel& sm, const Strategy& strategy, Compiler& compiler) {
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
void compile_state_rewards(const CompiledModelData& m, StrategyModel& sm, const std::vector<EffectiveState>& states, Compiler& compiler,
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
void compile_transition_rewards(const CompiledModelData& m, StrategyModel& sm, Compiler& compiler, RewardTerms& terms) {
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

void compile_strategy(CompiledModelData& m, int k, Compiler& compiler, RowGridCache& grid_cache) {
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

// Each strategy's parameters and attribute distributions; the PSA distributions and DSA
// ranges are checked now, so a scenario that validates can be sampled.
void evaluate_strategy_parameters(CompiledModelData& m, CompileWorkspace& w, const Scenario& scenario, const ParameterOverrides& overrides) {
  const Scenario& s = m.scenario;
  const Settings& st = s.settings;
  const int K = static_cast<int>(s.strategies.size());
  m.strategies.resize(static_cast<std::size_t>(K));
  for (int k = 0; k < K; ++k) {
    StrategyModel& sm = m.strategies[static_cast<std::size_t>(k)];
    sm.name = s.strategies[static_cast<std::size_t>(k)].name;
    sm.label = s.strategies[static_cast<std::size_t>(k)].label;
    sm.parameters = evaluate_parameters_in(w.parameters(), scenario, k, overrides);
    ExpressionContext& ctx = w.distributions();
    for (std::size_t i = 0; i < s.parameters.size(); ++i) ctx.value(ctx.declare(s.parameters[i].name)) = sm.parameters.values[i];
    ctx.value(ctx.declare("cycle_years")) = st.cycle_length_years;
    auto evaluate = [&](const Expression& e) { return ctx.evaluate(ctx.compile(e, "distribution argument")); };
    for (const auto& a : s.attributes) sm.attributes.push_back(resolve_distribution(a.distribution, evaluate));
    // PSA distributions and DSA ranges are checked now, so a scenario that validates can be sampled.
    if (k == 0) {
      for (const auto& p : s.parameters) {
        if (p.distribution) (void)resolve_distribution(*p.distribution, evaluate);
        if (p.has_range) {
          const double low = evaluate(p.range_low), high = evaluate(p.range_high);
          for (const auto& [bound, value] : {std::pair{&p.range_low, low}, std::pair{&p.range_high, high}})
            if (!std::isfinite(value))
              throw ScenarioError(bound->where, fmt::format("range bound of '{}' is {}", p.name, value), "a finite number");
          if (!(low <= high))
            throw ScenarioError(p.range_low.where, fmt::format("range [{}, {}] of '{}' is reversed", low, high, p.name), "[low, high] with low <= high");
        }
      }
    }
  }
}

// The attribute that is age, if any (it must be continuous or fixed).
const Distribution* age_distribution(CompiledModelData& m) {
  const Scenario& s = m.scenario;
  for (std::size_t a = 0; a < s.attributes.size(); ++a) {
    const Distribution& d = m.strategies[0].attributes[a];
    if (s.attributes[a].name == "age") {
      if (d.is_discrete())
        throw ScenarioError(s.attributes[a].where, "age cannot be a discrete (bernoulli/categorical) attribute",
                            "a fixed age or a continuous distribution");
      m.age_attribute = static_cast<int>(a);
    }
  }
  return m.age_attribute >= 0 ? &m.strategies[0].attributes[static_cast<std::size_t>(m.age_attribute)] : nullptr;
}

// The number of cycles: the scenario's, or for a lifetime horizon enough for the
// youngest to reach max_age.
void set_horizon(CompiledModelData& m, const Distribution* age) {
  const Scenario& s = m.scenario;
  const Settings& st = s.settings;
  if (st.lifetime) {
    if (!age)
      throw ScenarioError(st.where, "a lifetime horizon needs an 'age' attribute in population", "population: {age: ...}");
    const double youngest = lowest_value(*age);
    if (!std::isfinite(youngest))
      throw ScenarioError(s.attributes[static_cast<std::size_t>(m.age_attribute)].where,
                          "a lifetime horizon needs a lowest possible starting age", "a fixed age or a distribution with a lower bound");
    if (youngest >= st.max_age)
      throw ScenarioError(st.where, fmt::format("the youngest starting age {} is not below max_age {}", youngest, st.max_age),
                          "max_age above the starting ages");
    m.cycles = static_cast<int>(std::ceil((st.max_age - youngest) / st.cycle_length_years - 1e-9));
  } else {
    m.cycles = st.horizon_cycles;
  }
  const int T = m.cycles;
  if (T < 1) throw ScenarioError(st.where, "the horizon has no cycles", "a horizon of at least one cycle");
  m.reference_strategy = s.strategy_index(st.reference_strategy);
}

// The coordinates tables are laid out over: t, age (reachable ages only), state time,
// then counters and discrete attributes.
void set_coordinates(CompiledModelData& m, const Distribution* age) {
  const Scenario& s = m.scenario;
  const Settings& st = s.settings;
  const int T = m.cycles;
  m.state_time_cap = st.state_time_cap > 0 ? std::min(st.state_time_cap, T) : T;
  int age_points = 1;
  if (age) {
    // Only reachable ages are tabulated (life tables may be blank below the cohort's ages).
    const double youngest = lowest_value(*age);
    const double oldest = std::isfinite(highest_value(*age)) ? highest_value(*age) : st.max_age;
    m.age_grid_start = std::isfinite(youngest) && youngest > 0
                           ? static_cast<int>(std::floor(youngest / st.cycle_length_years + 1e-9))
                           : 0;
    age_points = static_cast<int>(std::ceil((std::max(oldest, 0.0) + T * st.cycle_length_years) / st.cycle_length_years)) + 1 -
                 m.age_grid_start;
    // As the microsimulation maps a starting age to its coordinate.
    m.oldest_start_age = std::max(0, static_cast<int>(std::floor(std::max(oldest, 0.0) / st.cycle_length_years + 1e-9)) - m.age_grid_start);
  }
  m.coordinate_sizes = {T + 1, age_points, m.state_time_cap + 1};
  for (const auto& c : s.counters) m.coordinate_sizes.push_back(c.max + 1);
  m.discrete_attribute_coordinate.assign(s.attributes.size(), -1);
  m.continuous_attribute.assign(s.attributes.size(), false);
  for (std::size_t a = 0; a < s.attributes.size(); ++a) {
    if (static_cast<int>(a) == m.age_attribute) continue;
    const Distribution& d = m.strategies[0].attributes[a];
    if (d.is_discrete()) {
      m.discrete_attribute_coordinate[a] = static_cast<int>(m.coordinate_sizes.size());
      m.coordinate_sizes.push_back(d.categories());
    } else if (d.kind != DistributionKind::fixed) {
      m.continuous_attribute[a] = true;
    }
  }
  m.coordinate_count = static_cast<int>(m.coordinate_sizes.size());
  if (m.coordinate_count > 64)
    throw ScenarioError(st.where, "too many counters and discrete attributes", "at most 61 in all");
}

// Reward weights per point: within-cycle correction, discounting, cycle length.
void set_reward_weights(CompiledModelData& m) {
  const Settings& st = m.scenario.settings;
  const int T = m.cycles;
  const double cy = st.cycle_length_years;
  for (auto& w : m.weights) w.assign(static_cast<std::size_t>(T) + 1, 0.0);
  for (int t = 0; t <= T; ++t) {
    const double w = cycle_weight(st, t, T);
    const double dc = std::pow(1.0 + st.discount_costs, -t * cy);
    const double de = std::pow(1.0 + st.discount_effects, -t * cy);
    const auto i = static_cast<std::size_t>(t);
    m.weights[kCostDiscounted][i] = w * dc;
    m.weights[kCostUndiscounted][i] = w;
    m.weights[kEffectDiscounted][i] = w * de * cy;
    m.weights[kEffectUndiscounted][i] = w * cy;
    // A move made in cycle t is paid at point t + 1, with that point's within-cycle
    // weight only if the scenario asks for it.
    const double destination = st.transition_rewards_corrected ? (t < T ? cycle_weight(st, t + 1, T) : 0.0) : 1.0;
    m.weights[kTransitionCostDiscounted][i] = destination * std::pow(1.0 + st.discount_costs, -(t + 1) * cy);
    m.weights[kTransitionEffectDiscounted][i] = destination * std::pow(1.0 + st.discount_effects, -(t + 1) * cy);
    m.weights[kTransitionUndiscounted][i] = destination;
  }
  m.years_suffix.assign(static_cast<std::size_t>(T) + 2, 0.0);
  for (int t = T; t >= 0; --t)
    m.years_suffix[static_cast<std::size_t>(t)] = m.years_suffix[static_cast<std::size_t>(t) + 1] + m.weights[kEffectUndiscounted][static_cast<std::size_t>(t)];
}

// The per-individual output vector and which cost categories each perspective sums.
void set_output_layout(CompiledModelData& m) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  m.layout.categories = static_cast<int>(s.cost_categories.size());
  m.layout.perspectives = static_cast<int>(s.perspectives.size());
  m.layout.states = S;
  m.layout.events = static_cast<int>(s.events.size());
  m.layout.outcomes = static_cast<int>(s.outcomes.size());
  for (const auto& p : s.perspectives) {
    std::vector<int> cats;
    for (std::size_t c = 0; c < s.cost_categories.size(); ++c) {
      const auto& ps = s.cost_categories[c].perspectives;
      if (std::find(ps.begin(), ps.end(), p) != ps.end()) cats.push_back(static_cast<int>(c));
    }
    m.perspective_categories.push_back(std::move(cats));
  }
}

// Which events each move (from, to) records.
void set_event_masks(CompiledModelData& m) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  if (s.events.size() > 32) throw ScenarioError(s.events[32].where, "too many events", "at most 32 events");
  m.event_masks.assign(static_cast<std::size_t>(S * S), 0U);
  for (std::size_t e = 0; e < s.events.size(); ++e) {
    const std::uint32_t bit = std::uint32_t{1} << e;
    for (const auto& name : s.events[e].enter) {
      const int to = s.state_index(name);
      for (int from = 0; from < S; ++from)
        if (from != to) m.event_masks[static_cast<std::size_t>(from * S + to)] |= bit;
    }
    for (const auto& [from_name, to_name] : s.events[e].transitions) {
      const int to = s.state_index(to_name);
      for (int from = 0; from < S; ++from)
        if ((from_name == "*" && from != to) || s.states[static_cast<std::size_t>(from)].name == from_name)
          m.event_masks[static_cast<std::size_t>(from * S + to)] |= bit;
    }
  }
}

// Each counter's change per move (from, to).
void compile_counters(CompiledModelData& m) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  for (const auto& c : s.counters) {
    CompiledModelData::CounterRule rule;
    rule.max = c.max;
    rule.initial = c.initial;
    rule.before.assign(static_cast<std::size_t>(S * S), 0);
    rule.after.assign(static_cast<std::size_t>(S * S), 0);
    rule.reset.assign(static_cast<std::size_t>(S * S), 0);
    for (int from = 0; from < S; ++from) {
      int in = 0;
      if (auto it = c.increment_in.find("*"); it != c.increment_in.end() && !s.states[static_cast<std::size_t>(from)].dead) in += it->second;
      if (auto it = c.increment_in.find(s.states[static_cast<std::size_t>(from)].name); it != c.increment_in.end()) in += it->second;
      for (int to = 0; to < S; ++to) {
        const auto i = static_cast<std::size_t>(from * S + to);
        rule.before[i] = in;
        if (from == to) continue;
        const std::string& to_name = s.states[static_cast<std::size_t>(to)].name;
        if (auto it = c.increment_on_entry.find(to_name); it != c.increment_on_entry.end()) rule.after[i] = it->second;
        if (std::find(c.reset_on_entry.begin(), c.reset_on_entry.end(), to_name) != c.reset_on_entry.end()) rule.reset[i] = 1;
      }
    }
    m.counters.push_back(std::move(rule));
  }
}

// What the engines need to know about dependencies: which counters matter, which states
// read state time, and whether anything needs the coordinates every cycle.
void note_dependencies(CompiledModelData& m) {
  const Scenario& s = m.scenario;
  const int S = static_cast<int>(s.states.size());
  m.counter_used.assign(s.counters.size(), false);
  m.state_uses_state_time.assign(static_cast<std::size_t>(S), false);
  auto note = [&](int state, const Quantity& q) {
    for (std::size_t c = 0; c < s.counters.size(); ++c)
      if (q.uses_coordinate(kFirstCounterCoord + static_cast<int>(c))) m.counter_used[c] = true;
    if (q.uses_coordinate(kCoordStateTime)) {
      m.state_uses_state_time[static_cast<std::size_t>(state)] = true;
      m.uses_state_time_any = true;
    }
  };
  for (const auto& sm : m.strategies) {
    for (int i = 0; i < S; ++i) {
      const auto& row = sm.rows[static_cast<std::size_t>(i)];
      const auto& state = sm.states[static_cast<std::size_t>(i)];
      if (!row.is_static || !state.dynamic_terms.empty()) m.needs_coordinates_per_cycle = true;
      for (int j = 0; j < S; ++j)
        for (const auto& term : sm.transition_terms[static_cast<std::size_t>(i * S + j)])
          if (term.table.empty()) m.needs_coordinates_per_cycle = true;
      for (const auto& q : row.probabilities) note(i, q);
      for (const auto& term : sm.states[static_cast<std::size_t>(i)].dynamic_terms) note(i, term.value);
      for (int j = 0; j < S; ++j)
        for (const auto& term : sm.transition_terms[static_cast<std::size_t>(i * S + j)]) note(i, term.value);
    }
  }
}

}  // namespace

void check_value(ValueCheck check, double value, const SourceLocation& where, const std::string& what,
                 const std::string& context) {
  const std::string at = context.empty() ? std::string() : " at " + context;
  if (!std::isfinite(value))
    throw ScenarioError(where, fmt::format("{} is {}{}", what, value, at), check_name(check));
  switch (check) {
    case ValueCheck::probability:
      if (value < 0.0) throw ScenarioError(where, fmt::format("{}: probability {:.6g} is below 0{}", what, value, at), check_name(check));
      if (value > 1.0) throw ScenarioError(where, fmt::format("{}: probability {:.6g} is above 1{}", what, value, at), check_name(check));
      break;
    case ValueCheck::nonnegative:
      if (value < 0.0) throw ScenarioError(where, fmt::format("{}: value {:.6g} is negative{}", what, value, at), check_name(check));
      break;
    case ValueCheck::finite: break;
  }
}

}  // namespace detail

CompiledModel::CompiledModel(std::shared_ptr<const detail::CompiledModelData> data) : data_(std::move(data)) {}
const Scenario& CompiledModel::scenario() const { return data_->scenario; }
int CompiledModel::cycles() const { return data_->cycles; }
int CompiledModel::strategy_count() const { return static_cast<int>(data_->strategies.size()); }
std::vector<std::string> CompiledModel::describe_levels() const { return data_->level_descriptions; }

CompiledModel compile_model(const Scenario& scenario, const ParameterOverrides& overrides) {
  return detail::compile_model_in(nullptr, scenario, overrides);
}

CompiledModel detail::compile_model_in(CompileWorkspace* workspace, const Scenario& scenario, const ParameterOverrides& overrides) {
  using namespace detail;
  // Without a workspace, fresh contexts that live as long as this compile.
  CompileWorkspace local;
  CompileWorkspace& w = workspace ? *workspace : local;
  w.bind(scenario);
  auto data = std::make_shared<CompiledModelData>();
  CompiledModelData& m = *data;
  m.scenario = scenario;
  const Scenario& s = m.scenario;
  const int K = static_cast<int>(s.strategies.size());
  if (K == 0) throw ScenarioError(s.settings.where, "no strategies", "at least one strategy");

  evaluate_strategy_parameters(m, w, scenario, overrides);
  const Distribution* age = age_distribution(m);
  set_horizon(m, age);
  set_coordinates(m, age);
  set_reward_weights(m);
  set_output_layout(m);
  set_event_masks(m);
  compile_counters(m);

  // Expressions, per strategy. A value can be wrong in one strategy only (through its
  // overrides), so the message names the strategy.
  TableCache table_cache;
  RowGridCache grid_cache;
  for (int k = 0; k < K; ++k) {
    try {
      Compiler compiler(m, k, w.model(), table_cache);
      compile_strategy(m, k, compiler, grid_cache);
    } catch (const ScenarioError& e) {
      if (K == 1) throw;
      throw ScenarioError(e.where(), fmt::format("strategy '{}': {}", s.strategies[static_cast<std::size_t>(k)].name, e.problem()),
                          e.expected());
    }
  }

  use_life_years_by_survival(m);
  note_dependencies(m);
  return CompiledModel(std::move(data));
}

}  // namespace hemsim
