// Scenario files: the names every section declares must not collide, and every
// expression must parse and read only names it may see (ScenarioParser,
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

// Names must not collide; every expression must parse and use only names it may see.
void ScenarioParser::check_names_and_expressions(Scenario& s) {
  finish_horizon(s.settings);
  std::map<std::string, std::string> owner;  // name -> what declared it
  auto claim = [&](const std::string& name, const std::string& what, const SourceLocation& where) {
    for (const auto& r : detail::reserved_variable_names())
      if (r == name) throw ScenarioError(where, fmt::format("'{}' is a reserved variable name", name), "another name");
    auto [it, inserted] = owner.try_emplace(name, what);
    if (!inserted)
      throw ScenarioError(where, fmt::format("{} '{}' has the same name as a {}", what, name, it->second), "distinct names");
  };
  for (const auto& p : s.parameters) claim(p.name, "parameter", p.where);
  for (const auto& a : s.attributes) claim(a.name, "attribute", a.where);
  for (const auto& c : s.counters) claim(c.name, "counter", c.where);
  for (const auto& t : s.tables)
    for (const auto& c : t.columns) claim(t.name + "_" + c, "table function", t.where);

  // Parameters only.
  detail::ExpressionContext params(s.tables);
  for (const auto& p : s.parameters) params.declare(p.name);
  params.declare("cycle_years");
  for (const auto& p : s.parameters) {
    params.compile(p.value, "parameter");
    if (p.distribution) check_distribution(params, *p.distribution);
    if (p.has_range) {
      params.compile(p.range_low, "range");
      params.compile(p.range_high, "range");
    }
  }
  for (const auto& st : s.strategies)
    for (const auto& [name, e] : st.parameters) params.compile(e, "parameter override");
  for (const auto& a : s.attributes) check_distribution(params, a.distribution);

  // Parameters and attributes (entry values).
  detail::ExpressionContext entry(s.tables);
  for (const auto& p : s.parameters) entry.declare(p.name);
  for (const auto& a : s.attributes) entry.declare(a.name);
  entry.declare("cycle_years");
  for (const auto& [state, e] : s.initial) entry.compile(e, "initial probability");

  // Everything.
  detail::ExpressionContext all(s.tables);
  for (const auto& p : s.parameters) all.declare(p.name);
  for (const auto& a : s.attributes) all.declare(a.name);
  for (const auto& c : s.counters) all.declare(c.name);
  for (const auto& r : detail::reserved_variable_names()) all.declare(r);
  auto check_state_values = [&](const std::map<std::string, Expression>& cs, const std::optional<Expression>& u,
                                const std::optional<Expression>& ly) {
    for (const auto& [c, e] : cs) all.compile(e, "cost");
    if (u) all.compile(*u, "utility");
    if (ly) all.compile(*ly, "life-year weight");
  };
  for (const auto& st : s.states) {
    check_state_values(st.costs, st.utility, st.life_years);
    for (const auto& [o, e] : st.outcomes) all.compile(e, "outcome");
  }
  for (const auto& t : s.transitions)
    if (t.kind != TransitionKind::complement) all.compile(t.value, "transition");
  for (const auto& tr : s.transition_rewards) check_state_values(tr.costs, tr.qalys, std::nullopt);
  if (s.background_mortality) {
    all.compile(s.background_mortality->annual_probability, "background mortality");
    for (const auto& [st, e] : s.background_mortality->hazard_ratios) all.compile(e, "hazard ratio");
  }
  for (const auto& st : s.strategies) {
    for (const auto& [name, o] : st.states) {
      check_state_values(o.costs, o.utility, o.life_years);
      for (const auto& [out, e] : o.outcomes) all.compile(e, "outcome");
    }
    for (const auto& t : st.transitions)
      if (t.kind != TransitionKind::complement) all.compile(t.value, "transition");
    for (const auto& [c, e] : st.one_time_costs) params.compile(e, "one-time cost");
  }
}

void ScenarioParser::check_distribution(detail::ExpressionContext& ctx, const DistributionSpec& d) {
  for (const auto& [name, e] : d.arguments) ctx.compile(e, "distribution argument");
  for (const auto& e : d.vector_argument) ctx.compile(e, "distribution argument");
  if (d.has_lower) ctx.compile(d.lower, "truncation bound");
  if (d.has_upper) ctx.compile(d.upper, "truncation bound");
}

}  // namespace hemsim::detail::scenario_yaml
