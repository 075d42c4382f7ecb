// Decision outputs labelled by strategy: comparisons against a reference, acceptability
// (labelled and pairwise), expected loss and the thresholds where the optimal strategy
// changes. Definitions in docs/methods.md#decision-outputs.

#include "hemsim/decision_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "core/quantile.hpp"
#include "decision/checks.hpp"
#include "hemsim/decision.hpp"

namespace hemsim {

namespace {

void check_labelled_draws(std::string_view function, const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                          const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  detail::check_draws(function, costs, effects);
  detail::check_strategy_names(function, strategies, costs.cols());
  detail::check_thresholds(function, wtp);
}

DrawSummary summarise(const Eigen::VectorXd& draws, double level) {
  const double tail = (1.0 - level) / 2.0;
  return {draws.mean(), detail::empirical_quantile(draws, tail), detail::empirical_quantile(draws, 1.0 - tail)};
}

std::size_t index_of(std::string_view function, const std::vector<std::string>& strategies, const std::string& name) {
  const auto it = std::find(strategies.begin(), strategies.end(), name);
  detail::require(it != strategies.end(), function, "'" + name + "' is not one of the strategies");
  return static_cast<std::size_t>(it - strategies.begin());
}

// The per-draw ICERs' interval, when the incremental effect keeps one strict sign.
void add_icer_interval(ReferenceComparison& comparison, const Eigen::VectorXd& dc, const Eigen::VectorXd& de, double level) {
  const bool all_positive = (de.array() > 0).all(), all_negative = (de.array() < 0).all();
  if (!all_positive && !all_negative) return;
  const DrawSummary ratio = summarise(dc.cwiseQuotient(de), level);
  comparison.icer_lower = ratio.lower;
  comparison.icer_upper = ratio.upper;
}

}  // namespace

ReferenceComparisons compare_with_reference(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                            const Eigen::MatrixXd& effects, const std::string& reference,
                                            const std::vector<double>& wtp, double interval_level) {
  constexpr std::string_view function = "compare_with_reference";
  check_labelled_draws(function, strategies, costs, effects, wtp);
  detail::require(interval_level > 0 && interval_level < 1, function, "interval_level must lie strictly between 0 and 1");
  const auto r = static_cast<Eigen::Index>(index_of(function, strategies, reference));
  ReferenceComparisons result{reference, interval_level, wtp, {}};
  for (Eigen::Index s = 0; s < costs.cols(); ++s) {
    if (s == r) continue;
    const Eigen::VectorXd dc = costs.col(s) - costs.col(r), de = effects.col(s) - effects.col(r);
    ReferenceComparison comparison;
    comparison.strategy = strategies[static_cast<std::size_t>(s)];
    comparison.incremental_cost = summarise(dc, interval_level);
    comparison.incremental_effect = summarise(de, interval_level);
    const double effect_scale = std::max(effects.col(s).cwiseAbs().mean(), effects.col(r).cwiseAbs().mean());
    if (!detail::within_tolerance(comparison.incremental_effect.mean, 0.0, effect_scale))
      comparison.icer = comparison.incremental_cost.mean / comparison.incremental_effect.mean;
    add_icer_interval(comparison, dc, de, interval_level);
    for (double w : wtp) comparison.incremental_net_benefit.push_back(summarise(w * de - dc, interval_level));
    result.comparisons.push_back(std::move(comparison));
  }
  return result;
}

AcceptabilityCurves acceptability_curves(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                         const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  check_labelled_draws("acceptability_curves", strategies, costs, effects, wtp);
  return {strategies, wtp, acceptability_curves(costs, effects, wtp)};
}

double PairwiseAcceptability::beats(std::size_t w, const std::string& strategy, const std::string& comparator) const {
  constexpr std::string_view function = "PairwiseAcceptability::beats";
  detail::require(w < probability.size(), function, "threshold index out of range");
  const auto i = static_cast<Eigen::Index>(index_of(function, strategies, strategy));
  const auto j = static_cast<Eigen::Index>(index_of(function, strategies, comparator));
  return probability[w](i, j);
}

PairwiseAcceptability pairwise_acceptability(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                             const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  check_labelled_draws("pairwise_acceptability", strategies, costs, effects, wtp);
  const Eigen::Index draws = costs.rows(), n = costs.cols();
  PairwiseAcceptability result{strategies, wtp, {}};
  for (double w : wtp) {
    const Eigen::MatrixXd nb = effects * w - costs;
    Eigen::MatrixXd wins = Eigen::MatrixXd::Zero(n, n);
    for (Eigen::Index d = 0; d < draws; ++d) {
      const double scale = detail::net_benefit_scale(costs.row(d), effects.row(d), w);
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
          wins(i, j) += detail::within_tolerance(nb(d, i), nb(d, j), scale) ? 0.5 : (nb(d, i) > nb(d, j) ? 1.0 : 0.0);
    }
    result.probability.push_back(wins / static_cast<double>(draws));
  }
  return result;
}

ExpectedLossCurves expected_loss_curves(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                        const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  check_labelled_draws("expected_loss_curves", strategies, costs, effects, wtp);
  ExpectedLossCurves result{strategies, wtp, Eigen::MatrixXd(static_cast<Eigen::Index>(wtp.size()), costs.cols())};
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    const Eigen::MatrixXd nb = effects * wtp[w] - costs;
    const Eigen::VectorXd best = nb.rowwise().maxCoeff();
    result.expected_loss.row(static_cast<Eigen::Index>(w)) = ((-nb).colwise() + best).colwise().mean();
  }
  return result;
}

std::vector<OptimalStrategySwitch> optimal_strategy_switches(const std::vector<std::string>& strategies,
                                                             const std::vector<double>& expected_costs,
                                                             const std::vector<double>& expected_effects) {
  detail::require(!strategies.empty(), "optimal_strategy_switches", "no strategies");
  const IncrementalTable table = incremental_table(strategies, expected_costs, expected_effects);
  std::vector<OptimalStrategySwitch> switches;
  for (const IncrementalRow& row : table.rows)
    if (row.status == DominanceStatus::non_dominated && row.icer) switches.push_back({*row.icer, *row.compared_with, row.strategy});
  return switches;
}

std::vector<OptimalStrategySwitch> optimal_strategy_switches(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                             const Eigen::MatrixXd& effects) {
  check_labelled_draws("optimal_strategy_switches", strategies, costs, effects, {});
  const Eigen::RowVectorXd mean_costs = costs.colwise().mean(), mean_effects = effects.colwise().mean();
  return optimal_strategy_switches(strategies, std::vector<double>(mean_costs.begin(), mean_costs.end()),
                                   std::vector<double>(mean_effects.begin(), mean_effects.end()));
}

}  // namespace hemsim
