#pragma once
/// \file decision_outputs.hpp
/// Decision outputs that reporting tools show beside the incremental table, each
/// labelled by strategy name (serialise any of them with decision_json.hpp):
/// comparisons against a chosen reference with intervals from PSA draws, labelled
/// acceptability curves, pairwise acceptability, expected loss curves, and the
/// thresholds at which the optimal strategy changes (BCEA's kstar).
/// Definitions, conventions and references: docs/methods.md#decision-outputs.
///
///     std::vector<std::string> names{"UC", "A", "B"};
///     auto vs_uc = hemsim::compare_with_reference(names, costs, effects, "UC", {50000, 100000});
///     auto kstar = hemsim::optimal_strategy_switches(names, costs, effects);
///
/// Errors: every function throws std::invalid_argument for bad arguments: costs and
/// effects of different shapes, without draws or strategies, or with a value that is not
/// finite; a threshold that is negative or not finite; strategy names that are not one
/// per column, empty or repeated; a reference that is not one of the names. An empty list
/// of thresholds gives results without thresholds.

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace hemsim {

/// The mean of a quantity over draws and its equal-tailed percentile interval
/// (R's type-7 quantiles; a single draw gives lower = upper = mean).
struct DrawSummary {
  double mean = 0.0;
  double lower = 0.0;
  double upper = 0.0;
};

/// One strategy against the reference.
struct ReferenceComparison {
  std::string strategy;
  DrawSummary incremental_cost;
  DrawSummary incremental_effect;
  /// Mean incremental cost / mean incremental effect; empty when the mean incremental
  /// effect is zero (within kDecisionRelativeTolerance of the effects).
  std::optional<double> icer;
  /// Percentile interval of the per-draw ICERs, given only when the incremental effect has
  /// the same strict sign in every draw (otherwise the ratio's percentiles mean nothing).
  std::optional<double> icer_lower, icer_upper;
  /// Incremental net monetary benefit λΔE − ΔC at each threshold of the comparisons.
  std::vector<DrawSummary> incremental_net_benefit;
};

struct ReferenceComparisons {
  std::string reference;
  double interval_level = 0.95;
  std::vector<double> wtp;
  std::vector<ReferenceComparison> comparisons;  ///< every other strategy, in input order
};

/// Incremental costs, effects, ICER and net monetary benefit of every strategy against
/// `reference` (not only against the frontier), over the draws of a PSA or a single
/// deterministic row. `interval_level` in (0, 1): 0.95 gives the 2.5 and 97.5 percentiles.
/// Throws std::invalid_argument as above, or if `interval_level` is outside (0, 1).
[[nodiscard]] ReferenceComparisons compare_with_reference(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                          const Eigen::MatrixXd& effects, const std::string& reference,
                                                          const std::vector<double>& wtp, double interval_level = 0.95);

/// Cost-effectiveness acceptability curves labelled by strategy: `probability`
/// (thresholds x strategies) as acceptability_curves in decision.hpp. Throws
/// std::invalid_argument as above.
struct AcceptabilityCurves {
  std::vector<std::string> strategies;
  std::vector<double> wtp;
  Eigen::MatrixXd probability;
};
[[nodiscard]] AcceptabilityCurves acceptability_curves(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                       const Eigen::MatrixXd& effects, const std::vector<double>& wtp);

/// Pairwise acceptability (BCEA's ceac for each comparison, as opposed to its mce): at
/// each threshold, probability[w](i, j) = P(NB_i > NB_j) over draws, net benefits equal
/// within kDecisionRelativeTolerance counting one half (so (i, j) + (j, i) = 1 and the
/// diagonal is 0.5). Throws std::invalid_argument as above.
struct PairwiseAcceptability {
  std::vector<std::string> strategies;
  std::vector<double> wtp;
  std::vector<Eigen::MatrixXd> probability;  ///< one strategies x strategies matrix per threshold
  /// P(`strategy` beats `comparator`) at threshold index `w`; throws std::invalid_argument
  /// for an unknown name or index.
  [[nodiscard]] double beats(std::size_t w, const std::string& strategy, const std::string& comparator) const;
};
[[nodiscard]] PairwiseAcceptability pairwise_acceptability(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                           const Eigen::MatrixXd& effects, const std::vector<double>& wtp);

/// Expected loss curves (dampack's calc_exp_loss; Eckermann & Willan 2008): the expected
/// net benefit forgone by choosing each strategy, E_d[max_k NB_dk − NB_ds], at each
/// threshold. The smallest loss at a threshold is that of the optimal strategy and
/// equals the EVPI. Throws std::invalid_argument as above.
struct ExpectedLossCurves {
  std::vector<std::string> strategies;
  std::vector<double> wtp;
  Eigen::MatrixXd expected_loss;  ///< thresholds x strategies, in money per person
};
[[nodiscard]] ExpectedLossCurves expected_loss_curves(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                      const Eigen::MatrixXd& effects, const std::vector<double>& wtp);

/// A threshold at which the strategy with the highest expected net benefit changes.
struct OptimalStrategySwitch {
  double wtp = 0.0;
  std::string from;  ///< optimal just below wtp
  std::string to;    ///< optimal just above wtp
};

/// The thresholds λ ≥ 0 at which the optimal strategy changes (BCEA's kstar), exactly:
/// expected net benefit is linear in λ, so they are the ICERs along the efficiency
/// frontier of the expected costs and effects (incremental_table). At λ = 0 the cheapest
/// strategy is optimal (of equally cheap ones the most effective). Collinear frontier
/// strategies give switches at the same λ, in frontier order. No switch when one
/// strategy is optimal at every threshold. Throws std::invalid_argument as above (for the
/// expected costs and effects: lengths that differ from the names, a value that is not
/// finite, no strategies).
[[nodiscard]] std::vector<OptimalStrategySwitch> optimal_strategy_switches(const std::vector<std::string>& strategies,
                                                                           const std::vector<double>& expected_costs,
                                                                           const std::vector<double>& expected_effects);
/// The same from PSA draws (the means of the columns). Throws std::invalid_argument as above.
[[nodiscard]] std::vector<OptimalStrategySwitch> optimal_strategy_switches(const std::vector<std::string>& strategies,
                                                                           const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects);

}  // namespace hemsim
