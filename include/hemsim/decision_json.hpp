#pragma once
/// \file decision_json.hpp
/// Each decision result as a JSON document of its own, so that a host tool can dump any
/// of them without knowing the others. Shapes: docs/results-format.md#decision-results-as-json.
/// Numbers are written in full precision; an absent optional value (and a NaN) is null;
/// bytes of a name that are not UTF-8 become U+FFFD. Only the frontier's to_json throws.
///
///     std::cout << hemsim::to_json(hemsim::incremental_table(names, costs, effects));

#include <string>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/decision_outputs.hpp"

namespace hemsim {

[[nodiscard]] std::string to_json(const IncrementalTable& table);
[[nodiscard]] std::string to_json(const AcceptabilityCurves& curves);
/// Throws std::invalid_argument if a point has no strategy name (use the labelled
/// acceptability_frontier).
[[nodiscard]] std::string to_json(const std::vector<AcceptabilityFrontierPoint>& frontier);
[[nodiscard]] std::string to_json(const EvppiResult& evppi);
[[nodiscard]] std::string to_json(const ReferenceComparisons& comparisons);
[[nodiscard]] std::string to_json(const PairwiseAcceptability& acceptability);
[[nodiscard]] std::string to_json(const ExpectedLossCurves& curves);
[[nodiscard]] std::string to_json(const std::vector<OptimalStrategySwitch>& switches);

}  // namespace hemsim
