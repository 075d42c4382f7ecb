#pragma once
/// \file decision.hpp
/// Decision analysis as pure functions over costs and effects: the incremental
/// cost-effectiveness table with strong and extended dominance, net benefit, and the
/// acceptability and value-of-information results of a PSA. More outputs labelled by
/// strategy are in decision_outputs.hpp, JSON in decision_json.hpp. See docs/methods.md
/// for definitions and references.
///
/// Errors: every function here throws std::invalid_argument for bad arguments (a value
/// that is not finite, shapes that differ, a negative or non-finite threshold, duplicate
/// strategy names, ...), never a signal; what() names the function and the problem.
///
///     std::vector<std::string> names{"UC", "A", "B"};
///     auto table = hemsim::incremental_table(names, {5000, 12000, 10000}, {1, 1.5, 2});
///     // table.rows: UC (ND), B (ND, ICER 5000), A (D, dominated_by {"B"})

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hemsim {

/// Two costs, effects, ICERs or net benefits closer than this share of their magnitude
/// count as equal, so that rounding does not decide a tie: equal ICERs keep collinear
/// strategies on the frontier, equal expected net benefits go to the strategy listed
/// first, equal net benefits in a draw share it. See docs/methods.md#ties-and-collinearity.
inline constexpr double kDecisionRelativeTolerance = 1e-9;

enum class DominanceStatus {
  non_dominated,          ///< on the efficiency frontier ("ND")
  dominated,              ///< strongly dominated: another costs no more and is no less effective ("D")
  extendedly_dominated,   ///< a mix of two others would be better ("ED")
};

/// "ND", "D" or "ED". Throws std::invalid_argument for a value outside the enum.
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
  /// Why a strategy is off the frontier: for "D", the strategy that strongly dominates it
  /// (the first in cost order that is not itself strongly dominated); for "ED", the two
  /// frontier strategies whose mix dominates it (the neighbours that bracket its effect).
  /// Empty on the frontier.
  std::vector<std::string> dominated_by;
};

/// Rows: the frontier in increasing cost, then extendedly dominated, then dominated
/// strategies (each group in increasing cost), as dampack's calculate_icers orders them.
struct IncrementalTable {
  std::string perspective;  ///< set by the caller; empty by default
  std::vector<IncrementalRow> rows;
};

/// Builds the incremental table. Ties: of strategies with equal cost and effect (within
/// kDecisionRelativeTolerance) the first in input order is kept, later ones are marked
/// dominated; strategies with equal ICERs (collinear) all stay on the frontier. No
/// strategies give an empty table. Throws std::invalid_argument if the sizes differ, a
/// value is not finite, or two strategies share a name.
[[nodiscard]] IncrementalTable incremental_table(const std::vector<std::string>& strategies,
                                                 const std::vector<double>& costs,
                                                 const std::vector<double>& effects);

/// Net monetary benefit: effect x wtp - cost. Throws std::invalid_argument if a value is
/// not finite or wtp is negative.
[[nodiscard]] double net_monetary_benefit(double cost, double effect, double wtp);
/// Net health benefit: effect - cost / wtp. Throws std::invalid_argument if a value is not
/// finite or wtp is not positive.
[[nodiscard]] double net_health_benefit(double cost, double effect, double wtp);

// ---------------------------------------------------------------------------------
// Probabilistic analysis over a (draws x strategies) table of costs and effects.
// Unless said otherwise, each function below throws std::invalid_argument when costs
// and effects differ in shape, have no draws or no strategies, hold a value that is not
// finite, or a threshold is negative or not finite. An empty list of thresholds gives
// an empty result.
// ---------------------------------------------------------------------------------

/// Net monetary benefit of every draw and strategy: effects x wtp - costs. Throws
/// std::invalid_argument as above (an empty table gives an empty matrix).
[[nodiscard]] Eigen::MatrixXd net_monetary_benefit(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, double wtp);

/// Cost-effectiveness acceptability curves: for each threshold (rows) and strategy
/// (columns), the proportion of draws in which the strategy has the highest net
/// monetary benefit (net benefits equal within kDecisionRelativeTolerance of their terms
/// share the draw equally). Throws std::invalid_argument as above.
[[nodiscard]] Eigen::MatrixXd acceptability_curves(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                   const std::vector<double>& wtp);

/// The cost-effectiveness acceptability frontier: at each threshold, the strategy with
/// the highest expected net benefit (the optimal decision) and its probability of being
/// cost-effective. Ties in expected net benefit (within kDecisionRelativeTolerance of
/// its terms) go to the strategy listed first. Throws std::invalid_argument as above.
struct AcceptabilityFrontierPoint {
  double wtp = 0.0;
  int optimal_strategy = 0;
  double probability = 0.0;
  std::string strategy;  ///< the optimal strategy's name, when names were given
};
[[nodiscard]] std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const Eigen::MatrixXd& costs,
                                                                            const Eigen::MatrixXd& effects,
                                                                            const std::vector<double>& wtp);
/// The same, labelled: each point also names its optimal strategy. Throws
/// std::invalid_argument as above, and if the names are not one per column or repeat.
[[nodiscard]] std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const std::vector<std::string>& strategies,
                                                                            const Eigen::MatrixXd& costs,
                                                                            const Eigen::MatrixXd& effects,
                                                                            const std::vector<double>& wtp);

/// Expected value of perfect information per person at each threshold:
/// E[max_s NB] - max_s E[NB], in money; 0 for a single strategy. Throws
/// std::invalid_argument as above.
[[nodiscard]] std::vector<double> expected_value_of_perfect_information(const Eigen::MatrixXd& costs,
                                                                        const Eigen::MatrixXd& effects,
                                                                        const std::vector<double>& wtp);

/// Expected value of partial perfect information per person for the parameters in
/// `parameters` (draws x parameters of interest), at each threshold, by nonparametric
/// regression (Strong, Oakley & Brennan 2014): P-splines for one or two parameters,
/// Gaussian-process regression for groups (at most 3000 draws). Incremental costs and
/// effects against `reference` are regressed separately. The standard error samples the
/// regressions' posterior `posterior_samples` times. Needs at least 30 draws.
///
/// A parameter that does not vary across draws (within kDecisionRelativeTolerance) carries
/// no information: it is left out of its group, and a group of only such parameters (or
/// a table of one strategy) has EVPPI 0 with standard error 0 (method "constant").
/// Throws std::invalid_argument if the shapes differ, there are fewer than 30 draws, a
/// cost, effect or parameter value is not finite, `parameters` has no columns, a
/// threshold is negative or not finite, `reference` is not a column, posterior_samples
/// is below 2, or a group of 3 or more varying parameters has more than 3000 draws.
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
/// year 0). Throws std::invalid_argument if an input is negative or not finite.
[[nodiscard]] double effective_population(double annual_incidence, double horizon_years, double discount_rate,
                                          double prevalent = 0.0);

}  // namespace hemsim
