// Scenario files: states, the initial distribution, transitions, transition rewards,
// counters, events, background mortality and strategies (ScenarioParser,
// scenario_parser.hpp).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <set>

#include "core/csv_table.hpp"
#include "hemsim/error.hpp"
#include "hemsim/scenario_io.hpp"
#include "scenario/expression_engine.hpp"
#include "scenario/market_yaml.hpp"
#include "scenario/scenario_parser.hpp"
#include "scenario/scenario_variants.hpp"

namespace hemsim::detail::scenario_yaml {

std::map<std::string, Expression> ScenarioParser::costs(const YAML::Node& node, const std::string& path, const Scenario& s) {
  std::map<std::string, Expression> out;
  for (const auto& e : r_.map(node, path, {}, true)) {
    const std::string p = path + "." + e.key;
    if (std::none_of(s.cost_categories.begin(), s.cost_categories.end(), [&](const auto& c) { return c.name == e.key; })) {
      std::vector<std::string> names;
      for (const auto& c : s.cost_categories) names.push_back(c.name);
      r_.fail(e.key_node, p, fmt::format("unknown cost category '{}'", e.key), "one of: " + join(names));
    }
    out[e.key] = r_.expression(e.value, p);
  }
  return out;
}

void ScenarioParser::parse_states(const YAML::Node& node, Scenario& s) {
  for (const auto& e : r_.map(node, "states", {}, true)) {
    const std::string path = "states." + e.key;
    State st;
    st.name = r_.name(e.key_node, e.key, path, "state");
    st.label = st.name;
    st.where = r_.at(e.key_node, path);
    if (!e.value.IsNull()) {
      for (const auto& f : r_.map(e.value, path, {"label", "group", "costs", "outcomes", "utility", "life_years", "absorbing", "dead"})) {
        const std::string fp = path + "." + f.key;
        if (f.key == "label") st.label = r_.string(f.value, fp);
        if (f.key == "group") st.group = r_.string(f.value, fp);
        if (f.key == "costs") st.costs = costs(f.value, fp, s);
        if (f.key == "outcomes") st.outcomes = outcome_amounts(f.value, fp, s);
        if (f.key == "utility") st.utility = r_.expression(f.value, fp);
        if (f.key == "life_years") st.life_years = r_.expression(f.value, fp);
        if (f.key == "absorbing") st.absorbing = r_.boolean(f.value, fp);
        if (f.key == "dead") st.dead = r_.boolean(f.value, fp);
      }
    }
    if (st.dead) st.absorbing = true;
    s.states.push_back(std::move(st));
  }
  if (s.states.empty()) r_.fail(node, "states", "no states", "at least one state");
}

void ScenarioParser::require_state(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name,
                   bool allow_any) {
  if (allow_any && name == "*") return;
  if (s.state_index(name) < 0) {
    std::vector<std::string> names;
    for (const auto& st : s.states) names.push_back(st.name);
    r_.fail(node, path, fmt::format("unknown state '{}'", name), "one of: " + join(names) + (allow_any ? " or \"*\"" : ""));
  }
}

void ScenarioParser::parse_initial(const YAML::Node& node, Scenario& s) {
  s.initial_where = r_.at(node, "initial");
  for (const auto& e : r_.map(node, "initial", {}, true)) {
    const std::string path = "initial." + e.key;
    require_state(s, e.key_node, path, e.key);
    s.initial[e.key] = r_.expression(e.value, path);
  }
  if (s.initial.empty()) r_.fail(node, "initial", "no initial state", "at least one state with a probability");
}

void ScenarioParser::parse_transitions(const YAML::Node& node, const std::string& base, std::vector<Transition>& out, const Scenario& s) {
  for (const auto& row : r_.map(node, base, {}, true)) {
    const std::string row_path = base + "." + row.key;
    require_state(s, row.key_node, row_path, row.key);
    const State& from = s.states[static_cast<std::size_t>(s.state_index(row.key))];
    if (from.absorbing)
      r_.fail(row.key_node, row_path,
              fmt::format("state '{}' is {}: it has no transitions out", row.key, from.dead ? "dead" : "absorbing"),
              "no row for dead or absorbing states");
    int complements = 0;
    for (const auto& cell : r_.map(row.value, row_path, {}, true)) {
      const std::string path = row_path + "." + cell.key;
      require_state(s, cell.key_node, path, cell.key);
      Transition t;
      t.from = row.key;
      t.to = cell.key;
      t.where = r_.at(cell.value, path);
      if (cell.value.IsScalar() && cell.value.Scalar() == "complement") {
        t.kind = TransitionKind::complement;
        if (++complements > 1)
          r_.fail(cell.value, path, "a row may have only one complement", "one 'complement' per row");
      } else if (cell.value.IsMap()) {
        for (const auto& f : r_.map(cell.value, path, {"rate", "probability"})) {
          t.kind = f.key == "rate" ? TransitionKind::rate : TransitionKind::probability;
          t.value = r_.expression(f.value, path + "." + f.key);
        }
        if (t.value.text.empty()) r_.fail(cell.value, path, "empty transition", "{rate: expr} or {probability: expr}");
      } else {
        t.value = r_.expression(cell.value, path);
      }
      out.push_back(std::move(t));
    }
  }
}

void ScenarioParser::parse_transition_rewards(const YAML::Node& node, Scenario& s) {
  if (!node.IsSequence()) r_.fail(node, "transition_rewards", fmt::format("found {}", Reader::kind_name(node)), "a list of {from, to, costs, qalys}");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("transition_rewards[{}]", i);
    TransitionReward tr;
    tr.where = r_.at(node[i], path);
    for (const auto& f : r_.map(node[i], path, {"from", "to", "costs", "qalys"})) {
      const std::string fp = path + "." + f.key;
      if (f.key == "from" || f.key == "to") {
        const std::string name = r_.string(f.value, fp);
        require_state(s, f.value, fp, name, true);
        (f.key == "from" ? tr.from : tr.to) = name;
      }
      if (f.key == "costs") tr.costs = costs(f.value, fp, s);
      if (f.key == "qalys") tr.qalys = r_.expression(f.value, fp);
    }
    if (tr.from.empty() || tr.to.empty()) r_.fail(node[i], path, "a transition reward needs from and to", "from: STATE, to: STATE");
    s.transition_rewards.push_back(std::move(tr));
  }
}

std::map<std::string, int> ScenarioParser::state_amounts(const YAML::Node& node, const std::string& path, const Scenario& s, bool allow_any) {
  std::map<std::string, int> out;
  for (const auto& e : r_.map(node, path, {}, true)) {
    require_state(s, e.key_node, path + "." + e.key, e.key, allow_any);
    out[e.key] = static_cast<int>(r_.integer(e.value, path + "." + e.key, -1000000, "a whole number"));
  }
  return out;
}

void ScenarioParser::parse_counters(const YAML::Node& node, Scenario& s) {
  for (const auto& e : r_.map(node, "counters", {}, true)) {
    const std::string path = "counters." + e.key;
    Counter c;
    c.name = r_.name(e.key_node, e.key, path, "counter");
    c.where = r_.at(e.key_node, path);
    bool has_max = false;
    for (const auto& f : r_.map(e.value, path, {"initial", "max", "increment_in", "increment_on_entry", "reset_on_entry"})) {
      const std::string fp = path + "." + f.key;
      if (f.key == "initial") c.initial = static_cast<int>(r_.integer(f.value, fp, 0, "a whole number >= 0"));
      if (f.key == "max") {
        c.max = static_cast<int>(r_.integer(f.value, fp, 1, "a whole number between 1 and 100000"));
        if (c.max > 100000) r_.fail(f.value, fp, "max is too large", "a whole number between 1 and 100000");
        has_max = true;
      }
      if (f.key == "increment_in") c.increment_in = state_amounts(f.value, fp, s, true);
      if (f.key == "increment_on_entry") c.increment_on_entry = state_amounts(f.value, fp, s, false);
      if (f.key == "reset_on_entry") {
        c.reset_on_entry = r_.string_list(f.value, fp);
        for (const auto& st : c.reset_on_entry) require_state(s, f.value, fp, st);
      }
    }
    if (!has_max) r_.fail(e.value, path + ".max", "missing max", "max: the largest value the counter can take");
    if (c.initial > c.max) r_.fail(e.value, path + ".initial", "initial value above max", "initial <= max");
    s.counters.push_back(std::move(c));
  }
}

void ScenarioParser::parse_events(const YAML::Node& node, Scenario& s) {
  for (const auto& e : r_.map(node, "events", {}, true)) {
    const std::string path = "events." + e.key;
    Event ev;
    ev.name = r_.name(e.key_node, e.key, path, "event");
    ev.label = ev.name;
    ev.where = r_.at(e.key_node, path);
    for (const auto& f : r_.map(e.value, path, {"label", "enter", "transitions", "report_years"})) {
      const std::string fp = path + "." + f.key;
      if (f.key == "label") ev.label = r_.string(f.value, fp);
      if (f.key == "enter") {
        ev.enter = r_.string_list(f.value, fp);
        for (const auto& st : ev.enter) require_state(s, f.value, fp, st);
      }
      if (f.key == "transitions") {
        for (const auto& text : r_.string_list(f.value, fp)) {
          const auto arrow = text.find("->");
          if (arrow == std::string::npos) r_.fail(f.value, fp, fmt::format("'{}' is not a transition", text), "\"FROM -> TO\"");
          auto trim = [](std::string x) {
            x.erase(0, x.find_first_not_of(" \t"));
            x.erase(x.find_last_not_of(" \t") + 1);
            return x;
          };
          const std::string from = trim(text.substr(0, arrow)), to = trim(text.substr(arrow + 2));
          require_state(s, f.value, fp, from, true);
          require_state(s, f.value, fp, to);
          ev.transitions.emplace_back(from, to);
        }
      }
      if (f.key == "report_years") {
        if (!f.value.IsSequence()) r_.fail(f.value, fp, fmt::format("found {}", Reader::kind_name(f.value)), "a list of years");
        for (std::size_t i = 0; i < f.value.size(); ++i) {
          const double y = r_.number(f.value[i], fmt::format("{}[{}]", fp, i), "a time in years > 0");
          if (!(y > 0)) r_.fail(f.value[i], fmt::format("{}[{}]", fp, i), "report time must be positive", "a time in years > 0");
          ev.report_years.push_back(y);
        }
      }
    }
    if (ev.enter.empty() && ev.transitions.empty())
      r_.fail(e.value, path, "an event needs enter or transitions", "enter: [STATE, ...] or transitions: [\"A -> B\"]");
    s.events.push_back(std::move(ev));
  }
}

void ScenarioParser::parse_background(const YAML::Node& node, Scenario& s) {
  BackgroundMortality b;
  b.where = r_.at(node, "background_mortality");
  for (const auto& f : r_.map(node, "background_mortality", {"to", "annual_probability", "hazard_ratios"})) {
    const std::string fp = "background_mortality." + f.key;
    if (f.key == "to") {
      b.to = r_.string(f.value, fp);
      require_state(s, f.value, fp, b.to);
      if (!s.states[static_cast<std::size_t>(s.state_index(b.to))].dead)
        r_.fail(f.value, fp, fmt::format("state '{}' is not a dead state", b.to), "a state with dead: true");
    }
    if (f.key == "annual_probability") b.annual_probability = r_.expression(f.value, fp);
    if (f.key == "hazard_ratios") {
      for (const auto& h : r_.map(f.value, fp, {}, true)) {
        require_state(s, h.key_node, fp + "." + h.key, h.key);
        b.hazard_ratios[h.key] = r_.expression(h.value, fp + "." + h.key);
      }
    }
  }
  if (b.to.empty()) r_.fail(node, "background_mortality.to", "missing death state", "to: <dead state>");
  if (b.annual_probability.text.empty())
    r_.fail(node, "background_mortality.annual_probability", "missing annual probability", "annual_probability: <expression>");
  s.background_mortality = std::move(b);
}

void ScenarioParser::parse_strategies(const YAML::Node& node, Scenario& s) {
  if (node.IsNull() || (node.IsMap() && node.size() == 0))
    r_.fail(node, "strategies", "no strategies", "at least one strategy");
  for (const auto& e : r_.map(node, "strategies", {}, true)) {
    const std::string path = "strategies." + e.key;
    Strategy st;
    st.name = r_.name(e.key_node, e.key, path, "strategy");
    st.label = st.name;
    st.where = r_.at(e.key_node, path);
    if (!e.value.IsNull()) {
      for (const auto& f : r_.map(e.value, path, {"label", "description", "parameters", "states", "transitions", "one_time_costs"})) {
        const std::string fp = path + "." + f.key;
        if (f.key == "label") st.label = r_.string(f.value, fp);
        if (f.key == "description") st.description = r_.string(f.value, fp);
        if (f.key == "parameters") {
          for (const auto& p : r_.map(f.value, fp, {}, true)) {
            if (!s.find_parameter(p.key))
              r_.fail(p.key_node, fp + "." + p.key, fmt::format("unknown parameter '{}'", p.key), "a parameter declared under parameters");
            st.parameters[p.key] = r_.expression(p.value, fp + "." + p.key);
          }
        }
        if (f.key == "states") {
          for (const auto& so : r_.map(f.value, fp, {}, true)) {
            const std::string sp = fp + "." + so.key;
            require_state(s, so.key_node, sp, so.key);
            StateOverride o;
            o.where = r_.at(so.key_node, sp);
            for (const auto& g : r_.map(so.value, sp, {"costs", "outcomes", "utility", "life_years"})) {
              if (g.key == "costs") o.costs = costs(g.value, sp + ".costs", s);
              if (g.key == "outcomes") o.outcomes = outcome_amounts(g.value, sp + ".outcomes", s);
              if (g.key == "utility") o.utility = r_.expression(g.value, sp + ".utility");
              if (g.key == "life_years") o.life_years = r_.expression(g.value, sp + ".life_years");
            }
            st.states[so.key] = std::move(o);
          }
        }
        if (f.key == "transitions") parse_transitions(f.value, fp, st.transitions, s);
        if (f.key == "one_time_costs") st.one_time_costs = costs(f.value, fp, s);
      }
    }
    s.strategies.push_back(std::move(st));
  }
  if (s.settings.reference_strategy.empty()) {
    s.settings.reference_strategy = s.strategies.front().name;
  } else if (s.strategy_index(s.settings.reference_strategy) < 0) {
    std::vector<std::string> names;
    for (const auto& st : s.strategies) names.push_back(st.name);
    r_.fail(reference_node_, "settings.reference_strategy",
            fmt::format("unknown strategy '{}'", s.settings.reference_strategy), "one of: " + join(names));
  }
}

/// Drops the strategies `settings.strategies` leaves out (the reference always stays).
void ScenarioParser::keep_strategies_run(Scenario& s) {
  if (s.settings.strategies.empty()) return;
  for (std::size_t i = 0; i < s.settings.strategies.size(); ++i)
    if (s.strategy_index(s.settings.strategies[i]) < 0)
      r_.fail(strategies_node_.IsSequence() && i < strategies_node_.size() ? strategies_node_[i] : strategies_node_,
              fmt::format("settings.strategies[{}]", i), fmt::format("unknown strategy '{}'", s.settings.strategies[i]),
              "a strategy defined under strategies");
  const std::string reference = s.settings.reference_strategy.empty() ? s.strategies.front().name : s.settings.reference_strategy;
  std::erase_if(s.strategies, [&](const Strategy& st) {
    return st.name != reference && std::ranges::find(s.settings.strategies, st.name) == s.settings.strategies.end();
  });
}

}  // namespace hemsim::detail::scenario_yaml
