#pragma once
/// \file dsa.hpp
/// Deterministic sensitivity analysis and pricing: one-way (tornado), two-way grids,
/// scenario variants, threshold values and the value-based price of a strategy.
/// Every evaluation re-runs the scenario with parameter overrides; microsimulation
/// runs share the same random numbers (same seed and draw), so differences between
/// points are not blurred by Monte Carlo noise.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/parameters.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/simulation.hpp"

namespace hemsim {

/// What to compare: `strategy` against `comparator` (indices into Scenario::strategies)
/// in `perspective`, with net monetary benefit at `willingness_to_pay`.
struct DsaOptions {
  SimulationOptions simulation;  ///< method, individuals, seed (draw is ignored)
  int strategy = -1;             ///< -1: the last strategy
  int comparator = -1;           ///< -1: the reference strategy
  int perspective = 0;
  double willingness_to_pay = 0.0;  ///< 0: the scenario's first threshold (or 100,000)
};

/// Discounted costs (of the perspective) and effects (the ICER measure) per strategy.
struct Evaluation {
  std::vector<double> costs, effects;
  /// Incremental cost, effect, ICER and incremental NMB of strategy vs comparator.
  double incremental_cost = 0, incremental_effect = 0, icer = 0, incremental_net_benefit = 0;
  int optimal_strategy = 0;  ///< highest net monetary benefit at the threshold
};

/// Runs the scenario with `overrides` and summarises it for `options`.
[[nodiscard]] Evaluation evaluate(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options);

struct OneWayResult {
  std::string parameter;
  std::string source;
  double base_value = 0, low_value = 0, high_value = 0;
  Evaluation low, high;
  /// Width of the tornado bar on incremental NMB (|high - low|), used to order rows.
  double net_benefit_swing = 0;
};

/// One-way analysis over every parameter that has a `range:`, ordered for a tornado
/// diagram (largest swing in incremental net benefit first).
struct OneWayAnalysis {
  Evaluation base;
  std::vector<OneWayResult> parameters;
};
[[nodiscard]] OneWayAnalysis one_way_sensitivity(const Scenario& scenario, const DsaOptions& options);

/// Two-way grid: incremental NMB and the optimal strategy at every (a, b) pair over the
/// two parameters' ranges (`steps` points each, ends included).
struct TwoWayAnalysis {
  std::string parameter_a, parameter_b;
  std::vector<double> values_a, values_b;
  std::vector<std::vector<double>> incremental_net_benefit;  ///< [a][b]
  std::vector<std::vector<int>> optimal_strategy;            ///< [a][b]
};
[[nodiscard]] TwoWayAnalysis two_way_sensitivity(const Scenario& scenario, const DsaOptions& options,
                                                 const std::string& parameter_a, const std::string& parameter_b, int steps);

/// A named change to the scenario (another horizon, discount rate, ...).
struct ScenarioVariant {
  std::string name;
  std::function<void(Scenario&)> apply;
};
struct VariantResult {
  std::string name;
  Evaluation evaluation;
};
[[nodiscard]] std::vector<VariantResult> scenario_analysis(const Scenario& scenario, const DsaOptions& options,
                                                           const std::vector<ScenarioVariant>& variants);
/// Variants for horizons in years and for (equal) discount rates.
[[nodiscard]] std::vector<ScenarioVariant> horizon_variants(const std::vector<double>& years);
[[nodiscard]] std::vector<ScenarioVariant> discount_variants(const std::vector<double>& rates);

/// The value of `parameter` within [low, high] at which the optimal strategy (highest
/// NMB at the threshold) changes, if it does: located on a grid, then refined by
/// bisection to `tolerance` (relative to the range).
struct ThresholdResult {
  std::string parameter;
  std::optional<double> threshold;
  int optimal_below = 0, optimal_above = 0;
};
[[nodiscard]] ThresholdResult threshold_analysis(const Scenario& scenario, const DsaOptions& options, const std::string& parameter,
                                                 double low, double high, int grid = 20, double tolerance = 1e-6);

/// The value-based price of `options.strategy` whose price is `price_parameter`: at each
/// threshold, the price at which its net benefit equals the best of the other strategies
/// (so that it is cost-effective at any lower price; its ICER against the next best
/// equals the threshold). Costs are linear in a price, so two runs give the slope, and
/// a third run at each price checks it.
struct PricePoint {
  double willingness_to_pay = 0;
  double price = 0;
  int next_best = 0;           ///< the strategy it ties with at that price
  double check_icer = 0;       ///< ICER against next_best when re-run at `price`
};
[[nodiscard]] std::vector<PricePoint> value_based_price(const Scenario& scenario, const DsaOptions& options,
                                                        const std::string& price_parameter, const std::vector<double>& thresholds);

}  // namespace hemsim
