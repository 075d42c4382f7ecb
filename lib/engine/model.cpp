// compile_model: evaluates parameters, sets the model's horizon, coordinates, weights and
// output layout, and compiles each strategy (engine/compile_strategy.hpp), whose
// expressions are tabulated at the coarsest level their dependencies allow
// (engine/quantity_compiler.hpp).

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <utility>

#include "engine/compile_workspace.hpp"
#include "engine/compile_strategy.hpp"
#include "engine/compiled_model.hpp"
#include "engine/quantity_compiler.hpp"
#include "engine/row_tables.hpp"
#include "engine/stay_rewards.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"

namespace hemsim {

namespace detail {

namespace {

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
      QuantityCompiler compiler(m, k, w.model(), table_cache);
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
