#pragma once
// Named variants (`scenarios:`), --set overrides and strategy subsets, applied to the
// YAML document before it is parsed, so that the parser checks the result as it checks
// any file and its messages point at the lines the changes came from.

#include <yaml-cpp/yaml.h>

#include <string>

#include "hemsim/scenario_io.hpp"

namespace hemsim::detail {

/// The keys a variant may hold.
inline const std::vector<std::string> kVariantKeys{"label", "rationale", "parameters", "settings", "initial", "transitions", "strategies"};

/// Changes `root` (a scenario mapping) as `choices` ask. Throws ScenarioError for an
/// unknown variant, parameter, row or key.
void apply_choices(YAML::Node& root, const ScenarioChoices& choices, const std::string& file);

}  // namespace hemsim::detail
