// Decision results as JSON (nlohmann-json); shapes in docs/results-format.md.

#include "hemsim/decision_json.hpp"

#include <nlohmann/json.hpp>

#include "decision/checks.hpp"

namespace hemsim {

namespace {

using nlohmann::json;

template <typename T>
json optional_value(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

// Names are the caller's bytes: invalid UTF-8 becomes U+FFFD rather than an exception.
std::string text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json summary(const DrawSummary& s) { return {{"mean", s.mean}, {"lower", s.lower}, {"upper", s.upper}}; }

std::vector<double> column(const Eigen::MatrixXd& m, Eigen::Index c) {
  const Eigen::VectorXd v = m.col(c);
  return {v.data(), v.data() + v.size()};
}

// One entry per strategy: {"strategy": name, key: [value per threshold]}.
json curves_by_strategy(const std::vector<std::string>& strategies, const Eigen::MatrixXd& by_threshold, const char* key) {
  json curves = json::array();
  for (std::size_t s = 0; s < strategies.size(); ++s)
    curves.push_back({{"strategy", strategies[s]}, {key, column(by_threshold, static_cast<Eigen::Index>(s))}});
  return curves;
}

}  // namespace

std::string to_json(const IncrementalTable& table) {
  json rows = json::array();
  for (const IncrementalRow& row : table.rows)
    rows.push_back({{"strategy", row.strategy},
                    {"cost", row.cost},
                    {"effect", row.effect},
                    {"status", to_string(row.status)},
                    {"compared_with", optional_value(row.compared_with)},
                    {"incremental_cost", optional_value(row.incremental_cost)},
                    {"incremental_effect", optional_value(row.incremental_effect)},
                    {"icer", optional_value(row.icer)},
                    {"dominated_by", row.dominated_by}});
  return text(json{{"perspective", table.perspective}, {"rows", rows}});
}

std::string to_json(const AcceptabilityCurves& curves) {
  return text(json{{"wtp", curves.wtp}, {"curves", curves_by_strategy(curves.strategies, curves.probability, "probability")}});
}

std::string to_json(const std::vector<AcceptabilityFrontierPoint>& frontier) {
  json points = json::array();
  for (const auto& point : frontier) {
    detail::require(!point.strategy.empty(), "to_json", "an acceptability frontier point has no strategy name");
    points.push_back({{"wtp", point.wtp}, {"strategy", point.strategy}, {"probability", point.probability}});
  }
  return text(points);
}

std::string to_json(const EvppiResult& evppi) {
  return text(json{{"method", evppi.method}, {"wtp", evppi.wtp}, {"evppi", evppi.evppi}, {"standard_error", evppi.standard_error}});
}

std::string to_json(const ReferenceComparisons& comparisons) {
  json rows = json::array();
  for (const auto& c : comparisons.comparisons) {
    json inmb = json::array();
    for (const auto& s : c.incremental_net_benefit) inmb.push_back(summary(s));
    json interval = c.icer_lower ? json{{"lower", *c.icer_lower}, {"upper", *c.icer_upper}} : json(nullptr);
    rows.push_back({{"strategy", c.strategy},
                    {"incremental_cost", summary(c.incremental_cost)},
                    {"incremental_effect", summary(c.incremental_effect)},
                    {"icer", optional_value(c.icer)},
                    {"icer_interval", interval},
                    {"incremental_net_benefit", inmb}});
  }
  return text(json{{"reference", comparisons.reference},
              {"interval_level", comparisons.interval_level},
              {"wtp", comparisons.wtp},
              {"comparisons", rows}});
}

std::string to_json(const PairwiseAcceptability& acceptability) {
  json pairs = json::array();
  const auto n = acceptability.strategies.size();
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      if (i == j) continue;
      std::vector<double> by_threshold;
      for (const auto& p : acceptability.probability) by_threshold.push_back(p(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)));
      pairs.push_back({{"strategy", acceptability.strategies[i]}, {"comparator", acceptability.strategies[j]}, {"probability", by_threshold}});
    }
  return text(json{{"wtp", acceptability.wtp}, {"pairs", pairs}});
}

std::string to_json(const ExpectedLossCurves& curves) {
  return text(json{{"wtp", curves.wtp}, {"curves", curves_by_strategy(curves.strategies, curves.expected_loss, "expected_loss")}});
}

std::string to_json(const std::vector<OptimalStrategySwitch>& switches) {
  json points = json::array();
  for (const auto& s : switches) points.push_back({{"wtp", s.wtp}, {"from", s.from}, {"to", s.to}});
  return text(points);
}

}  // namespace hemsim
