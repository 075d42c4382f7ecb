#include "hemsim/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <fmt/format.h>

#include "engine/compile_workspace.hpp"
#include "scenario/expression_engine.hpp"
#include "hemsim/error.hpp"

namespace hemsim {

double ParameterValues::at(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return values[i];
  throw InternalError("no parameter named " + name);
}

ParameterValues evaluate_parameters(const Scenario& scenario, int strategy, const ParameterOverrides& overrides) {
  detail::ExpressionContext ctx(scenario.tables);
  return detail::evaluate_parameters_in(ctx, scenario, strategy, overrides);
}

ParameterValues detail::evaluate_parameters_in(ExpressionContext& ctx, const Scenario& scenario, int strategy,
                                               const ParameterOverrides& overrides) {
  const auto& params = scenario.parameters;
  const std::size_t n = params.size();
  if (strategy < 0 || strategy >= static_cast<int>(scenario.strategies.size()))
    throw InternalError("evaluate_parameters: strategy index out of range");
  const Strategy& st = scenario.strategies[static_cast<std::size_t>(strategy)];

  for (const auto& p : params) ctx.declare(p.name);
  ctx.value(ctx.declare("cycle_years")) = scenario.settings.cycle_length_years;

  // What each parameter is, after the strategy's and the caller's overrides.
  std::vector<int> expression_id(n, -1);
  std::vector<bool> fixed(n, false);
  std::vector<double> value(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const Parameter& p = params[i];
    auto so = st.parameters.find(p.name);
    if (auto it = overrides.find(p.name); it != overrides.end()) {
      if (p.is_formula)
        throw ScenarioError(p.where, fmt::format("parameter '{}' is derived (a formula) and cannot be set directly", p.name),
                            "an override of a plain parameter");
      // A strategy that sets this parameter itself keeps its own value: a draw or a
      // sensitivity point changes the base value, which strategy formulas may build on.
      if (so == st.parameters.end()) {
        fixed[i] = true;
        value[i] = it->second;
        continue;
      }
    }
    expression_id[i] = ctx.compile(so != st.parameters.end() ? so->second : p.value, "parameter");
  }
  for (const auto& [name, v] : overrides)
    if (!scenario.find_parameter(name))
      throw ScenarioError({scenario.file, 0, 0, "parameters"}, fmt::format("override of unknown parameter '{}'", name),
                          "a parameter declared in the scenario");

  // Depth-first evaluation in dependency order; a grey node reached again is a cycle.
  enum class Mark { white, grey, black };
  std::vector<Mark> mark(n, Mark::white);
  std::vector<int> slot(n);
  for (std::size_t i = 0; i < n; ++i) slot[i] = ctx.slot_of(params[i].name);
  std::vector<std::size_t> by_slot(static_cast<std::size_t>(ctx.slot_of("cycle_years")) + 1, n);
  for (std::size_t i = 0; i < n; ++i) by_slot[static_cast<std::size_t>(slot[i])] = i;
  std::vector<std::size_t> path;

  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (mark[i] == Mark::black) return;
    if (mark[i] == Mark::grey) {
      std::string chain;
      auto start = std::find(path.begin(), path.end(), i);
      for (auto it = start; it != path.end(); ++it) chain += params[*it].name + " -> ";
      chain += params[i].name;
      throw ScenarioError(params[i].where, fmt::format("derived parameters depend on each other in a cycle: {}", chain),
                          "formulas that do not depend on themselves");
    }
    mark[i] = Mark::grey;
    path.push_back(i);
    if (!fixed[i]) {
      for (int used : ctx.used_slots(expression_id[i])) {
        const std::size_t j = by_slot[static_cast<std::size_t>(used)];
        if (j < n) visit(j);
      }
      value[i] = ctx.evaluate(expression_id[i]);
      if (!std::isfinite(value[i]))
        throw ScenarioError(ctx.source(expression_id[i]).where,
                            fmt::format("parameter '{}' evaluates to {}", params[i].name, value[i]), "a finite number");
    }
    ctx.value(slot[i]) = value[i];
    path.pop_back();
    mark[i] = Mark::black;
  };
  for (std::size_t i = 0; i < n; ++i) visit(i);

  ParameterValues out;
  for (std::size_t i = 0; i < n; ++i) {
    out.names.push_back(params[i].name);
    out.values.push_back(value[i]);
  }
  return out;
}

}  // namespace hemsim
