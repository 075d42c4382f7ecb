#pragma once
/// \file parameters.hpp
/// Evaluating a scenario's parameters (values and derived formulas) for one strategy.

#include <map>
#include <string>
#include <vector>

#include "hemsim/scenario.hpp"

namespace hemsim {

/// Replacement base values by parameter name (a PSA draw, a DSA point). Only plain
/// (non-formula) parameters may be overridden; derived ones follow.
using ParameterOverrides = std::map<std::string, double>;

/// All parameter values for one strategy, in the scenario's declaration order.
struct ParameterValues {
  std::vector<std::string> names;
  std::vector<double> values;
  /// Throws InternalError when absent (names are checked at load time).
  [[nodiscard]] double at(const std::string& name) const;
};

/// Evaluates every parameter for strategy `strategy` (index into Scenario::strategies):
/// `overrides` replace base values, except where the strategy sets the parameter itself
/// (its own value or formula stands, so write treatment effects as formulas of base
/// parameters, e.g. `p_treated: "p * hr"`, and they follow every draw); derived formulas
/// are then evaluated in dependency order. Throws ScenarioError on a dependency cycle or
/// a non-finite value.
[[nodiscard]] ParameterValues evaluate_parameters(const Scenario& scenario, int strategy,
                                                  const ParameterOverrides& overrides = {});

}  // namespace hemsim
