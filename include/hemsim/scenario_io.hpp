#pragma once
/// \file scenario_io.hpp
/// Reading scenario files. Every key is checked; every mistake is a ScenarioError
/// naming the file, line, column and key.

#include <string>

#include "hemsim/scenario.hpp"

namespace hemsim {

/// Loads and validates a YAML scenario (tables are read from CSV files beside it).
/// Structural and reference checks happen here; numeric checks that need evaluated
/// expressions (probabilities in [0,1], rows summing to 1) happen in compile_model.
[[nodiscard]] Scenario load_scenario(const std::string& path);

/// Same, from text; `file_name` is used in messages and to resolve table paths.
[[nodiscard]] Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name);

}  // namespace hemsim
