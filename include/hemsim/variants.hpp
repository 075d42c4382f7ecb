#pragma once
/// \file variants.hpp
/// The base case and the named variants of a scenario file (`scenarios:`) run side by
/// side with the same seed and individuals, so that every variant's change from the base
/// case is a paired difference with a small Monte Carlo error.
///
///     auto table = hemsim::compare_variants("scenarios/bmsc_cipn.yaml", {}, {}, {});
///     std::cout << hemsim::format_variant_comparison(table);

#include <string>
#include <vector>

#include "hemsim/results.hpp"
#include "hemsim/scenario_io.hpp"
#include "hemsim/simulation.hpp"

namespace hemsim {

/// One strategy in one variant. Increments are against the variant's reference strategy,
/// in the chosen perspective, with the scenario's ICER effect; NaN for the reference.
struct VariantStrategyRow {
  std::string strategy, label;
  Estimate cost, effect;  ///< discounted
  Estimate incremental_cost, incremental_effect, incremental_net_benefit;
  double icer = 0.0;  ///< NaN for the reference; +inf when dominated (more costly, no more effective)
  /// The incremental net benefit minus the base case's, paired (same seed and individuals);
  /// NaN when the base case has no such strategy or another reference.
  Estimate net_benefit_change;
};

struct VariantOutcome {
  std::string name;  ///< "base" for the base case
  std::string label, rationale;
  std::string reference;
  std::vector<VariantStrategyRow> rows;
};

struct VariantComparison {
  std::string scenario_name, scenario_file;
  std::string method, effect_measure, perspective, currency;
  std::uint64_t individuals = 0, seed = 0;
  double willingness_to_pay = 0.0;
  std::vector<std::pair<std::string, std::string>> overrides;  ///< --set applied to every variant
  std::vector<VariantOutcome> variants;                        ///< the base case first, then the file's order
};

struct VariantOptions {
  std::vector<std::string> only;  ///< variant names to run (empty = all); the base case always runs
  int perspective = 0;            ///< index into the scenario's perspectives
  double willingness_to_pay = 0;  ///< 0 = the scenario's first threshold (or 100,000)
};

/// Runs the base case and each variant of the file at `path` (with `choices.set` and
/// `choices.strategies` applied to all; `choices.variant` is ignored).
[[nodiscard]] VariantComparison compare_variants(const std::string& path, const ScenarioChoices& choices,
                                                 const SimulationOptions& simulation, const VariantOptions& options);

/// Terminal table: one row per (variant, strategy).
[[nodiscard]] std::string format_variant_comparison(const VariantComparison& comparison);
/// named_scenarios.json (format in docs/results-format.md) and its reader.
[[nodiscard]] std::string variants_to_json(const VariantComparison& comparison);
[[nodiscard]] VariantComparison variants_from_json(const std::string& text);
/// named_scenarios.csv: the same rows, one per (variant, strategy).
[[nodiscard]] std::string variants_to_csv(const VariantComparison& comparison);

}  // namespace hemsim
