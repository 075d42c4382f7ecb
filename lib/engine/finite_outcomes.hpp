#pragma once
// The check that a run's outcomes are finite numbers, made before decision analysis.

#include <string>

#include "hemsim/results.hpp"

namespace hemsim::detail {

/// Throws ScenarioError naming the first outcome (and strategy) whose mean or Monte Carlo
/// standard error is not finite. Values that are each finite (a cost of 1e308) can
/// overflow when summed over individuals and cycles: that is the scenario's doing, not a
/// bug, and is reported as such. `scenario_file` is where the error points.
void require_finite_outcomes(const RunResults& results, const std::string& scenario_file);

}  // namespace hemsim::detail
