#pragma once
// Argument checks shared by the decision functions: one place that turns a bad argument
// into std::invalid_argument, naming the function, before any arithmetic can misbehave.

#include <Eigen/Core>

#include <string>
#include <string_view>
#include <vector>

namespace hemsim::detail {

/// Throws std::invalid_argument("function: problem") unless `ok`.
void require(bool ok, std::string_view function, std::string_view problem);

/// Costs and effects of the same (draws x strategies) shape, at least one of each, all finite.
void check_draws(std::string_view function, const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects);

/// Every threshold finite and not negative.
void check_thresholds(std::string_view function, const std::vector<double>& wtp);

/// One name per strategy column, none empty, none repeated.
void check_strategy_names(std::string_view function, const std::vector<std::string>& strategies, Eigen::Index columns);

/// a and b equal within kDecisionRelativeTolerance x scale.
[[nodiscard]] bool within_tolerance(double a, double b, double scale);

/// a and b equal within kDecisionRelativeTolerance of the larger magnitude.
[[nodiscard]] bool nearly_equal(double a, double b);

/// The magnitude of the terms of net benefits at `wtp` (λ|E| + |C|, largest over the
/// strategies): rounding in λE - C is relative to this, not to the difference.
[[nodiscard]] double net_benefit_scale(const Eigen::RowVectorXd& costs, const Eigen::RowVectorXd& effects, double wtp);

/// Index of the largest value; values within kDecisionRelativeTolerance x scale of the
/// largest count as equal to it, and the first of them wins.
[[nodiscard]] Eigen::Index first_best(const Eigen::RowVectorXd& values, double scale);

}  // namespace hemsim::detail
