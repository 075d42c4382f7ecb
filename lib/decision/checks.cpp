#include "decision/checks.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <unordered_set>

#include "hemsim/decision.hpp"

namespace hemsim::detail {

void require(bool ok, std::string_view function, std::string_view problem) {
  if (!ok) throw std::invalid_argument(std::string(function) + ": " + std::string(problem));
}

void check_draws(std::string_view function, const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects) {
  require(costs.rows() == effects.rows() && costs.cols() == effects.cols(), function, "costs and effects differ in shape");
  require(costs.cols() > 0, function, "no strategies");
  require(costs.rows() > 0, function, "no draws");
  require(costs.allFinite(), function, "a cost is not finite");
  require(effects.allFinite(), function, "an effect is not finite");
}

void check_thresholds(std::string_view function, const std::vector<double>& wtp) {
  for (double w : wtp) {
    require(std::isfinite(w), function, "a willingness-to-pay threshold is not finite");
    require(w >= 0, function, "a willingness-to-pay threshold is negative");
  }
}

void check_strategy_names(std::string_view function, const std::vector<std::string>& strategies, Eigen::Index columns) {
  require(static_cast<Eigen::Index>(strategies.size()) == columns, function, "not one strategy name per column");
  std::unordered_set<std::string> seen;
  for (const auto& name : strategies) {
    require(!name.empty(), function, "a strategy name is empty");
    require(seen.insert(name).second, function, "strategy name '" + name + "' is repeated");
  }
}

bool within_tolerance(double a, double b, double scale) { return std::abs(a - b) <= kDecisionRelativeTolerance * scale; }

bool nearly_equal(double a, double b) { return within_tolerance(a, b, std::max(std::abs(a), std::abs(b))); }

double net_benefit_scale(const Eigen::RowVectorXd& costs, const Eigen::RowVectorXd& effects, double wtp) {
  return (wtp * effects.array().abs() + costs.array().abs()).maxCoeff();
}

Eigen::Index first_best(const Eigen::RowVectorXd& values, double scale) {
  Eigen::Index best = 0;
  values.maxCoeff(&best);
  for (Eigen::Index s = 0; s < best; ++s)
    if (within_tolerance(values(s), values(best), scale)) return s;
  return best;
}

}  // namespace hemsim::detail
