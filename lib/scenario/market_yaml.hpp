#pragma once
// Reads the scenario's `market:` section (market.hpp); called by the scenario loader.

#include <yaml-cpp/yaml.h>

#include <string>

#include "hemsim/scenario.hpp"

namespace hemsim::detail {

/// Throws ScenarioError naming the file, line and key of the first mistake. `s` must
/// already hold the strategies, perspectives and parameters the section may name.
MarketSpec parse_market(const YAML::Node& node, const std::string& file, const Scenario& s);

}  // namespace hemsim::detail
