#pragma once
/// \file dsa.hpp
/// Deterministic sensitivity analysis and pricing: one-way (tornado), two-way grids,
/// scenario variants, threshold values and the value-based price of a strategy.
/// Every evaluation re-runs the scenario with parameter overrides; microsimulation
/// runs share the same random numbers (same seed and draw), so differences between
/// points are not blurred by Monte Carlo noise. What noise is left is reported: every
/// output carries its Monte Carlo standard error (MCSE), and every difference between
/// points (a tornado end against the base case, the swing, a variant against the base)
/// the MCSE of that paired difference (paired.hpp), so a reader can tell a real effect
/// from noise. Cohort runs have no Monte Carlo error: every MCSE is 0.

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/evaluation_scheduler.hpp"
#include "hemsim/parameters.hpp"
#include "hemsim/results.hpp"
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
  /// Who runs the model evaluations; empty `run`: this process (see mpi.hpp for ranks).
  EvaluationScheduler scheduler;
};

/// Discounted costs (of the perspective) and effects (the ICER measure) per strategy.
struct Evaluation {
  std::vector<double> costs, effects;
  /// Incremental cost, effect, ICER and incremental NMB of strategy vs comparator.
  double incremental_cost = 0, incremental_effect = 0, icer = 0, incremental_net_benefit = 0;
  int optimal_strategy = 0;  ///< highest net monetary benefit at the threshold
  /// Monte Carlo standard errors of the three increments, paired within the run (the
  /// batch estimator of paired.hpp); 0 for a cohort run, NaN when not recorded (a
  /// dsa.json written before they were).
  double incremental_cost_mcse = 0, incremental_effect_mcse = 0, incremental_net_benefit_mcse = 0;
};

/// Runs the scenario with `overrides` and summarises it for `options`.
[[nodiscard]] Evaluation evaluate(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options);

/// An evaluation together with the run behind it, so that it can be paired with other
/// runs of the same seed and individuals (paired.hpp), e.g. a DSA end against the base.
struct EvaluatedRun {
  Evaluation evaluation;
  RunResults run;
};
[[nodiscard]] EvaluatedRun evaluate_run(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options);

/// A difference is "within noise" when it is no larger than twice its MCSE (a
/// difference of exactly 0 is within noise too, whatever the method).
[[nodiscard]] inline bool within_noise(double difference, double mcse) { return !(std::abs(difference) > 2.0 * mcse); }

struct OneWayResult {
  std::string parameter;
  std::string source;
  double base_value = 0, low_value = 0, high_value = 0;
  Evaluation low, high;
  /// Width of the tornado bar on incremental NMB (|high - low|), used to order rows.
  double net_benefit_swing = 0;
  /// MCSEs, paired with the base case's run: of low.INMB - base.INMB, of
  /// high.INMB - base.INMB, and of the swing (high.INMB - low.INMB).
  double low_change_mcse = 0, high_change_mcse = 0, swing_mcse = 0;
  /// The swing is within noise: |high - low| <= 2 x swing_mcse (so a parameter with no
  /// effect is flagged); likewise each end's change from the base case.
  bool within_noise = false, low_within_noise = false, high_within_noise = false;
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
  std::vector<std::vector<double>> incremental_net_benefit_mcse;  ///< [a][b]; empty when not recorded
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
  /// The variant's INMB minus the base case's (run alongside with the same random
  /// numbers), and its paired MCSE (NaN when not recorded).
  double net_benefit_change = 0, net_benefit_change_mcse = 0;
};
[[nodiscard]] std::vector<VariantResult> scenario_analysis(const Scenario& scenario, const DsaOptions& options,
                                                           const std::vector<ScenarioVariant>& variants);
/// Variants for horizons in years and for (equal) discount rates.
[[nodiscard]] std::vector<ScenarioVariant> horizon_variants(const std::vector<double>& years);
[[nodiscard]] std::vector<ScenarioVariant> discount_variants(const std::vector<double>& rates);

/// The value of `parameter` within [low, high] at which the optimal strategy (highest
/// NMB at the threshold) changes, if it does: located on a grid, then refined by
/// bisection to `tolerance` (relative to the range).
///
/// Its MCSE is by the delta method: at the threshold t the net benefits of the two
/// strategies tie, D(t) = NB_above(t) - NB_below(t) = 0, so noise e in D moves the
/// threshold by about -e / D'(t): MCSE(t) = MCSE(D(t)) / |D'(t)|, with D(t)'s MCSE from
/// the run at t (paired within it) and the slope D' from the two grid points that bracket
/// the change. NaN when the slope is 0 (or no threshold); 0 for a cohort run.
struct ThresholdResult {
  std::string parameter;
  std::optional<double> threshold;
  int optimal_below = 0, optimal_above = 0;
  double threshold_mcse = 0;
};
[[nodiscard]] ThresholdResult threshold_analysis(const Scenario& scenario, const DsaOptions& options, const std::string& parameter,
                                                 double low, double high, int grid = 20, double tolerance = 1e-6);

/// The value-based price of `options.strategy` whose price is `price_parameter`: at each
/// threshold, the price at which its net benefit equals the best of the other strategies
/// (so that it is cost-effective at any lower price; its ICER against the next best
/// equals the threshold). Costs are linear in a price, so two runs give the slope, and
/// a third run at each price checks it.
///
/// With p0 the base price, N the INMB of the strategy against next_best at p0 and S the
/// slope of its discounted cost in price (from runs at p0 and p1, same random numbers),
/// price = p0 + N / S. Its MCSE is by the delta method on the ratio, paired over the
/// batches of individuals the runs share: the MCSE of the linear combination
/// N / S - (N / S^2) S, i.e. of (N_b - (N / S) S_b) / S over batches b (paired.hpp). The
/// choice of next_best is taken as given.
struct PricePoint {
  double willingness_to_pay = 0;
  double price = 0;
  int next_best = 0;           ///< the strategy it ties with at that price
  double check_icer = 0;       ///< ICER against next_best when re-run at `price` (NaN for a negative price: not re-run)
  double price_mcse = 0;       ///< 0 for a cohort run, NaN when not recorded
  /// MCSE of check_icer, by the delta method: of (dC - ICER dE) / dE, paired within the run.
  double check_icer_mcse = 0;
  /// The 95 % Monte Carlo interval of the price: price -/+ 1.96 price_mcse.
  [[nodiscard]] double price_low95() const { return price - 1.96 * price_mcse; }
  [[nodiscard]] double price_high95() const { return price + 1.96 * price_mcse; }
};
[[nodiscard]] std::vector<PricePoint> value_based_price(const Scenario& scenario, const DsaOptions& options,
                                                        const std::string& price_parameter, const std::vector<double>& thresholds);

}  // namespace hemsim
