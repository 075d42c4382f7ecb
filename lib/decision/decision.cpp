#include "hemsim/decision.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace hemsim {

std::string to_string(DominanceStatus status) {
  switch (status) {
    case DominanceStatus::non_dominated: return "ND";
    case DominanceStatus::dominated: return "D";
    case DominanceStatus::extendedly_dominated: return "ED";
  }
  return "?";
}

IncrementalTable incremental_table(const std::vector<std::string>& strategies, const std::vector<double>& costs,
                                   const std::vector<double>& effects) {
  const std::size_t n = strategies.size();
  if (costs.size() != n || effects.size() != n)
    throw std::invalid_argument("incremental_table: strategies, costs and effects differ in length");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(costs[i]) || !std::isfinite(effects[i]))
      throw std::invalid_argument("incremental_table: cost or effect of '" + strategies[i] + "' is not finite");

  // Increasing cost; equal costs by decreasing effect; then input order.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (costs[a] != costs[b]) return costs[a] < costs[b];
    return effects[a] > effects[b];
  });

  std::vector<DominanceStatus> status(n, DominanceStatus::non_dominated);
  // Strong dominance: some other strategy costs no more and is no less effective, strictly
  // better in one; of identical strategies the first in input order is kept.
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      const bool no_worse = costs[j] <= costs[i] && effects[j] >= effects[i];
      const bool strictly = costs[j] < costs[i] || effects[j] > effects[i];
      if (no_worse && (strictly || j < i)) {
        status[i] = DominanceStatus::dominated;
        break;
      }
    }
  }
  // Extended dominance: along the frontier ICERs must not fall; drop the strategy before
  // a strict fall, and repeat until none is left. dampack drops every such strategy in a
  // pass; dropping one at a time ends on the same frontier (the lower convex hull, with
  // collinear points kept), because a strategy on the hull never has a larger ICER than
  // its successor, whichever other strategies are left.
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<std::size_t> frontier;
    for (std::size_t i : order)
      if (status[i] == DominanceStatus::non_dominated) frontier.push_back(i);
    for (std::size_t f = 1; f + 1 < frontier.size(); ++f) {
      const std::size_t a = frontier[f - 1], b = frontier[f], c = frontier[f + 1];
      const double icer_b = (costs[b] - costs[a]) / (effects[b] - effects[a]);
      const double icer_c = (costs[c] - costs[b]) / (effects[c] - effects[b]);
      if (icer_b > icer_c) {
        status[b] = DominanceStatus::extendedly_dominated;
        changed = true;
        break;
      }
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

Eigen::MatrixXd net_monetary_benefit(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, double wtp) {
  if (costs.rows() != effects.rows() || costs.cols() != effects.cols())
    throw std::invalid_argument("net_monetary_benefit: costs and effects differ in shape");
  return effects * wtp - costs;
}

namespace {

void check_table(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects) {
  if (costs.rows() != effects.rows() || costs.cols() != effects.cols())
    throw std::invalid_argument("costs and effects differ in shape");
  if (costs.rows() == 0 || costs.cols() == 0) throw std::invalid_argument("no draws or no strategies");
  if (!costs.allFinite() || !effects.allFinite()) throw std::invalid_argument("costs or effects are not finite");
}

}  // namespace

Eigen::MatrixXd acceptability_curves(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, const std::vector<double>& wtp) {
  check_table(costs, effects);
  const Eigen::Index draws = costs.rows(), strategies = costs.cols();
  Eigen::MatrixXd curves = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(wtp.size()), strategies);
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    const Eigen::MatrixXd nb = net_monetary_benefit(costs, effects, wtp[w]);
    for (Eigen::Index d = 0; d < draws; ++d) {
      const double best = nb.row(d).maxCoeff();
      const auto winners = (nb.row(d).array() == best).count();
      for (Eigen::Index s = 0; s < strategies; ++s)
        if (nb(d, s) == best) curves(static_cast<Eigen::Index>(w), s) += 1.0 / static_cast<double>(winners);
    }
  }
  return curves / static_cast<double>(draws);
}

std::vector<AcceptabilityFrontierPoint> acceptability_frontier(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                               const std::vector<double>& wtp) {
  const Eigen::MatrixXd curves = acceptability_curves(costs, effects, wtp);
  std::vector<AcceptabilityFrontierPoint> frontier;
  for (std::size_t w = 0; w < wtp.size(); ++w) {
    const Eigen::RowVectorXd expected = net_monetary_benefit(costs, effects, wtp[w]).colwise().mean();
    Eigen::Index best = 0;
    for (Eigen::Index s = 1; s < expected.size(); ++s)
      if (expected(s) > expected(best)) best = s;  // ties: the first strategy
    frontier.push_back({wtp[w], static_cast<int>(best), curves(static_cast<Eigen::Index>(w), best)});
  }
  return frontier;
}

std::vector<double> expected_value_of_perfect_information(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                          const std::vector<double>& wtp) {
  check_table(costs, effects);
  std::vector<double> evpi;
  for (double w : wtp) {
    const Eigen::MatrixXd nb = net_monetary_benefit(costs, effects, w);
    const double with_perfect_information = nb.rowwise().maxCoeff().mean();
    const double with_current_information = nb.colwise().mean().maxCoeff();
    evpi.push_back(std::max(0.0, with_perfect_information - with_current_information));
  }
  return evpi;
}

double effective_population(double annual_incidence, double horizon_years, double discount_rate, double prevalent) {
  if (annual_incidence < 0 || horizon_years < 0 || discount_rate < 0 || prevalent < 0)
    throw std::invalid_argument("effective_population: negative input");
  double total = prevalent;
  const auto whole_years = static_cast<int>(std::floor(horizon_years));
  for (int y = 0; y < whole_years; ++y) total += annual_incidence / std::pow(1.0 + discount_rate, y);
  const double part = horizon_years - whole_years;  // a final part-year counts pro rata
  if (part > 0) total += part * annual_incidence / std::pow(1.0 + discount_rate, whole_years);
  return total;
}

}  // namespace hemsim
