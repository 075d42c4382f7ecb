#include "hemsim/decision.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "decision/checks.hpp"

namespace hemsim {

using detail::require;

std::string to_string(DominanceStatus status) {
  switch (status) {
    case DominanceStatus::non_dominated: return "ND";
    case DominanceStatus::dominated: return "D";
    case DominanceStatus::extendedly_dominated: return "ED";
  }
  throw std::invalid_argument("to_string: not a DominanceStatus");
}

namespace {

// Strategy j strongly dominates i: no more costly and no less effective (equal within the
// tolerance counts as equal), strictly better in one; of identical strategies the one
// listed first dominates the others.
bool strongly_dominates(std::size_t j, std::size_t i, const std::vector<double>& costs, const std::vector<double>& effects) {
  const bool same_cost = detail::nearly_equal(costs[j], costs[i]);
  const bool same_effect = detail::nearly_equal(effects[j], effects[i]);
  const bool no_more_costly = same_cost || costs[j] < costs[i];
  const bool no_less_effective = same_effect || effects[j] > effects[i];
  if (!no_more_costly || !no_less_effective) return false;
  return !same_cost || !same_effect || j < i;
}

// ICER b above ICER c by more than the tolerance: a strictly falling ICER, not rounding.
bool icer_falls(double icer_b, double icer_c) { return icer_b > icer_c && !detail::nearly_equal(icer_b, icer_c); }

std::vector<std::size_t> frontier_in_cost_order(const std::vector<std::size_t>& order, const std::vector<DominanceStatus>& status) {
  std::vector<std::size_t> frontier;
  for (std::size_t i : order)
    if (status[i] == DominanceStatus::non_dominated) frontier.push_back(i);
  return frontier;
}

}  // namespace

IncrementalTable incremental_table(const std::vector<std::string>& strategies, const std::vector<double>& costs,
                                   const std::vector<double>& effects) {
  constexpr std::string_view function = "incremental_table";
  const std::size_t n = strategies.size();
  require(costs.size() == n && effects.size() == n, function, "strategies, costs and effects differ in length");
  for (std::size_t i = 0; i < n; ++i)
    require(std::isfinite(costs[i]) && std::isfinite(effects[i]), function,
            "cost or effect of '" + strategies[i] + "' is not finite");
  if (n > 0) detail::check_strategy_names(function, strategies, static_cast<Eigen::Index>(n));

  // Increasing cost; equal costs by decreasing effect; then input order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (costs[a] != costs[b]) return costs[a] < costs[b];
    return effects[a] > effects[b];
  });

  std::vector<DominanceStatus> status(n, DominanceStatus::non_dominated);
  std::vector<std::vector<std::string>> dominated_by(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      if (i != j && strongly_dominates(j, i, costs, effects)) status[i] = DominanceStatus::dominated;
  // Name a dominator that is itself undominated (one always exists: dominance is transitive).
  for (std::size_t i = 0; i < n; ++i) {
    if (status[i] != DominanceStatus::dominated) continue;
    for (std::size_t j : order)
      if (status[j] != DominanceStatus::dominated && strongly_dominates(j, i, costs, effects)) {
        dominated_by[i] = {strategies[j]};
        break;
      }
  }
  // Extended dominance: along the frontier ICERs must not fall; drop the strategy before
  // a strict fall, and repeat until none is left. dampack drops every such strategy in a
  // pass; dropping one at a time ends on the same frontier (the lower convex hull, with
  // collinear points kept), because a strategy on the hull never has a larger ICER than
  // its successor, whichever other strategies are left.
  for (bool changed = true; changed;) {
    changed = false;
    const std::vector<std::size_t> frontier = frontier_in_cost_order(order, status);
    for (std::size_t f = 1; f + 1 < frontier.size(); ++f) {
      const std::size_t a = frontier[f - 1], b = frontier[f], c = frontier[f + 1];
      const double icer_b = (costs[b] - costs[a]) / (effects[b] - effects[a]);
      const double icer_c = (costs[c] - costs[b]) / (effects[c] - effects[b]);
      if (icer_falls(icer_b, icer_c)) {
        status[b] = DominanceStatus::extendedly_dominated;
        changed = true;
        break;
      }
    }
  }
  // An extendedly dominated strategy lies between two neighbours on the final frontier
  // (by effect), whose mix gives its effect for less.
  const std::vector<std::size_t> frontier = frontier_in_cost_order(order, status);
  for (std::size_t i = 0; i < n; ++i) {
    if (status[i] != DominanceStatus::extendedly_dominated) continue;
    for (std::size_t f = 1; f < frontier.size(); ++f)
      if (effects[frontier[f]] > effects[i]) {
        dominated_by[i] = {strategies[frontier[f - 1]], strategies[frontier[f]]};
        break;
      }
  }

  IncrementalTable table;
  const std::size_t none = n;
  std::size_t previous = none;
  for (DominanceStatus group : {DominanceStatus::non_dominated, DominanceStatus::extendedly_dominated, DominanceStatus::dominated}) {
    for (std::size_t i : order) {
      if (status[i] != group) continue;
      IncrementalRow row;
      row.strategy = strategies[i];
      row.cost = costs[i];
      row.effect = effects[i];
      row.status = group;
      row.dominated_by = dominated_by[i];
      if (group == DominanceStatus::non_dominated) {
        if (previous != none) {
          row.compared_with = strategies[previous];
          row.incremental_cost = costs[i] - costs[previous];
          row.incremental_effect = effects[i] - effects[previous];
          row.icer = *row.incremental_cost / *row.incremental_effect;
        }
        previous = i;
      }
      table.rows.push_back(std::move(row));
    }
  }
  return table;
}

double net_monetary_benefit(double cost, double effect, double wtp) {
  require(std::isfinite(cost) && std::isfinite(effect), "net_monetary_benefit", "cost or effect is not finite");
  detail::check_thresholds("net_monetary_benefit", {wtp});
  return effect * wtp - cost;
}

double net_health_benefit(double cost, double effect, double wtp) {
  require(std::isfinite(cost) && std::isfinite(effect), "net_health_benefit", "cost or effect is not finite");
  detail::check_thresholds("net_health_benefit", {wtp});
  require(wtp > 0, "net_health_benefit", "the willingness-to-pay threshold must be positive");
  return effect - cost / wtp;
}

Eigen::MatrixXd net_monetary_benefit(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, double wtp) {
  constexpr std::string_view function = "net_monetary_benefit";
  require(costs.rows() == effects.rows() && costs.cols() == effects.cols(), function, "costs and effects differ in shape");
  require(costs.allFinite() && effects.allFinite(), function, "a cost or effect is not finite");
  detail::check_thresholds(function, {wtp});
  return effects * wtp - costs;
}

Eigen::MatrixXd acceptability_curves(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  constexpr std::string_view function = "acceptability_curves";
  detail::check_draws(function, costs, effects);
  detail::check_thresholds(function, wtp);
  const Eigen::Index draws = costs.rows(), strategies = costs.cols();
  Eigen::MatrixXd curves = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(wtp.size()), strategies);
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    const Eigen::MatrixXd nb = effects * wtp[w] - costs;
    for (Eigen::Index d = 0; d < draws; ++d) {
      const double best = nb.row(d).maxCoeff();
      const double scale = detail::net_benefit_scale(costs.row(d), effects.row(d), wtp[w]);
      std::vector<Eigen::Index> winners;
      for (Eigen::Index s = 0; s < strategies; ++s)
        if (detail::within_tolerance(nb(d, s), best, scale)) winners.push_back(s);
      for (Eigen::Index s : winners) curves(static_cast<Eigen::Index>(w), s) += 1.0 / static_cast<double>(winners.size());
    }
  }
  return curves / static_cast<double>(draws);
}

std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                               const std::vector<double>& wtp) {
  const Eigen::MatrixXd curves = acceptability_curves(costs, effects, wtp);
  const Eigen::RowVectorXd mean_costs = costs.colwise().mean(), mean_effects = effects.colwise().mean();
  std::vector<AcceptabilityFrontierPoint> frontier;
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    const Eigen::RowVectorXd expected = mean_effects * wtp[w] - mean_costs;
    const Eigen::Index best = detail::first_best(expected, detail::net_benefit_scale(mean_costs, mean_effects, wtp[w]));
    frontier.push_back({wtp[w], static_cast<int>(best), curves(static_cast<Eigen::Index>(w), best), {}});
  }
  return frontier;
}

std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const std::vector<std::string>& strategies, const Eigen::MatrixXd& costs,
                                                               const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  auto frontier = acceptability_frontier(costs, effects, wtp);
  detail::check_strategy_names("acceptability_frontier", strategies, costs.cols());
  for (auto& point : frontier) point.strategy = strategies[static_cast<std::size_t>(point.optimal_strategy)];
  return frontier;
}

std::vector<double> expected_value_of_perfect_information(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                          const std::vector<double>& wtp) {
  constexpr std::string_view function = "expected_value_of_perfect_information";
  detail::check_draws(function, costs, effects);
  detail::check_thresholds(function, wtp);
  std::vector<double> evpi;
  for (double w : wtp) {
    const Eigen::MatrixXd nb = effects * w - costs;
    const double with_perfect_information = nb.rowwise().maxCoeff().mean();
    const double with_current_information = nb.colwise().mean().maxCoeff();
    evpi.push_back(std::max(0.0, with_perfect_information - with_current_information));
  }
  return evpi;
}

double effective_population(double annual_incidence, double horizon_years, double discount_rate, double prevalent) {
  constexpr std::string_view function = "effective_population";
  for (double value : {annual_incidence, horizon_years, discount_rate, prevalent}) {
    require(std::isfinite(value), function, "an input is not finite");
    require(value >= 0, function, "negative input");
  }
  // Whole years as a geometric sum (no loop, so a huge horizon costs nothing); a final
  // part-year counts pro rata.
  const double whole_years = std::floor(horizon_years), part = horizon_years - whole_years;
  const double v = 1.0 / (1.0 + discount_rate);
  const double whole = v == 1.0 ? whole_years : (1.0 - std::pow(v, whole_years)) / (1.0 - v);
  double total = prevalent + annual_incidence * whole;
  if (part > 0) total += part * annual_incidence * std::pow(v, whole_years);
  return total;
}

}  // namespace hemsim
