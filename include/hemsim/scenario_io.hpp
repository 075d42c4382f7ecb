#pragma once
/// \file scenario_io.hpp
/// Reading scenario files. Every key is checked; every mistake is a ScenarioError
/// naming the file, line, column and key.

#include <string>
#include <utility>
#include <vector>

#include "hemsim/scenario.hpp"

namespace hemsim {

/// What to change in a scenario file as it is loaded (the CLI's `--scenario`, `--set`
/// and `--strategy`). Applied to the YAML document before it is checked, so a mistake in
/// a variant or an override is reported like one in the file.
struct ScenarioChoices {
  /// A variant of the file's `scenarios:` section; empty = the base case.
  std::string variant;
  /// Parameter overrides NAME -> value or formula, applied in order after the variant.
  /// A value replaces the parameter's base value and fixes it (no PSA distribution, no
  /// DSA range); strategies that set the parameter themselves keep their own.
  std::vector<std::pair<std::string, std::string>> set;
  /// Strategies to run (the reference is always added); empty = `settings.strategies`,
  /// or all.
  std::vector<std::string> strategies;
};

/// Loads and validates a YAML scenario (tables are read from CSV files beside it).
/// Structural and reference checks happen here; numeric checks that need evaluated
/// expressions (probabilities in [0,1], rows summing to 1) happen in compile_model.
[[nodiscard]] Scenario load_scenario(const std::string& path, const ScenarioChoices& choices = {});

/// Same, from text; `file_name` is used in messages and to resolve table paths.
[[nodiscard]] Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name,
                                      const ScenarioChoices& choices = {});

/// Splits "NAME=VALUE" (the CLI's --set); throws ScenarioError when there is no '='.
[[nodiscard]] std::pair<std::string, std::string> parse_override(const std::string& text);

}  // namespace hemsim
