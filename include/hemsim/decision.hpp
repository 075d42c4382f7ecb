#pragma once
/// \file decision.hpp
/// Decision analysis as pure functions over costs and effects: the incremental
/// cost-effectiveness table with strong and extended dominance, and net benefit.
/// See docs/methods.md for definitions and references.
///
///     std::vector<std::string> names{"UC", "A", "B"};
///     auto table = hemsim::incremental_table(names, {5000, 12000, 10000}, {1, 1.5, 2});
///     // table.rows: UC (ND), B (ND, ICER 5000), A (D)

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hemsim {

enum class DominanceStatus {
  non_dominated,          ///< on the efficiency frontier ("ND")
  dominated,              ///< strongly dominated: another costs no more and is no less effective ("D")
  extendedly_dominated,   ///< a mix of two others would be better ("ED")
};

/// "ND", "D" or "ED".
[[nodiscard]] std::string to_string(DominanceStatus status);

struct IncrementalRow {
  std::string strategy;
  double cost = 0.0;
  double effect = 0.0;
  DominanceStatus status = DominanceStatus::non_dominated;
  /// Against the next less costly non-dominated strategy; empty for the first frontier
  /// strategy and for dominated ones.
  std::optional<std::string> compared_with;
  std::optional<double> incremental_cost;
  std::optional<double> incremental_effect;
  std::optional<double> icer;
};

/// Rows: the frontier in increasing cost, then extendedly dominated, then dominated
/// strategies (each group in increasing cost), as dampack's calculate_icers orders them.
struct IncrementalTable {
  std::string perspective;  ///< set by the caller; empty by default
  std::vector<IncrementalRow> rows;
};

/// Builds the incremental table. Ties: strategies with equal cost and effect are kept
/// together on the frontier by input order (the first is retained, later ones are marked
/// dominated). Throws std::invalid_argument if the sizes differ or a value is not finite.
[[nodiscard]] IncrementalTable incremental_table(const std::vector<std::string>& strategies,
                                                 const std::vector<double>& costs,
                                                 const std::vector<double>& effects);

/// Net monetary benefit: effect x wtp - cost.
[[nodiscard]] inline double net_monetary_benefit(double cost, double effect, double wtp) {
  return effect * wtp - cost;
}
/// Net health benefit: effect - cost / wtp.
[[nodiscard]] inline double net_health_benefit(double cost, double effect, double wtp) {
  return effect - cost / wtp;
}

// ---------------------------------------------------------------------------------
// Probabilistic analysis over a (draws x strategies) table of costs and effects.
// ---------------------------------------------------------------------------------

/// Net monetary benefit of every draw and strategy: effects x wtp - costs.
[[nodiscard]] Eigen::MatrixXd net_monetary_benefit(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, double wtp);

/// Cost-effectiveness acceptability curves: for each threshold (rows) and strategy
/// (columns), the proportion of draws in which the strategy has the highest net
/// monetary benefit (ties share the draw equally).
[[nodiscard]] Eigen::MatrixXd acceptability_curves(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                   const std::vector<double>& wtp);

/// The cost-effectiveness acceptability frontier: at each threshold, the strategy with
/// the highest expected net benefit (the optimal decision) and its probability of being
/// cost-effective.
struct AcceptabilityFrontierPoint {
  double wtp = 0.0;
  int optimal_strategy = 0;
  double probability = 0.0;
};
[[nodiscard]] std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const Eigen::MatrixXd& costs,
                                                                            const Eigen::MatrixXd& effects,
                                                                            const std::vector<double>& wtp);

/// Expected value of perfect information per person at each threshold:
/// E[max_s NB] - max_s E[NB], in money.
[[nodiscard]] std::vector<double> expected_value_of_perfect_information(const Eigen::MatrixXd& costs,
                                                                        const Eigen::MatrixXd& effects,
                                                                        const std::vector<double>& wtp);

/// Expected value of partial perfect information per person for the parameters in
/// `parameters` (draws x parameters of interest), at each threshold, by nonparametric
/// regression (Strong, Oakley & Brennan 2014): P-splines for one or two parameters,
/// Gaussian-process regression for groups (at most 3000 draws). Incremental costs and
/// effects against `reference` are regressed separately. The standard error samples the
/// regressions' posterior `posterior_samples` times. Needs at least 30 draws.
struct EvppiResult {
  std::string method;
  std::vector<double> wtp, evppi, standard_error;
};
[[nodiscard]] EvppiResult expected_value_of_partial_perfect_information(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                                        const Eigen::MatrixXd& parameters, const std::vector<double>& wtp,
                                                                        int reference = 0, int posterior_samples = 200,
                                                                        std::uint64_t seed = 1);

/// Population scaling of a per-person value: the discounted number of people affected,
/// sum over years y = 0..horizon-1 of incidence / (1 + rate)^y (plus `prevalent` at
/// year 0).
[[nodiscard]] double effective_population(double annual_incidence, double horizon_years, double discount_rate,
                                          double prevalent = 0.0);

}  // namespace hemsim
