#include "hemsim/dsa_io.hpp"

#include <algorithm>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "number_text.hpp"

namespace hemsim {

namespace {
std::string number(double v) { return detail::shortest_number(v); }
}  // namespace

namespace {

using nlohmann::json;

json value(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double value(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }

json to_json(const Evaluation& e) {
  json costs = json::array(), effects = json::array();
  for (double c : e.costs) costs.push_back(value(c));
  for (double x : e.effects) effects.push_back(value(x));
  return {{"costs", costs}, {"effects", effects}, {"incremental_cost", value(e.incremental_cost)},
          {"incremental_effect", value(e.incremental_effect)}, {"icer", value(e.icer)},
          {"incremental_net_benefit", value(e.incremental_net_benefit)}, {"optimal_strategy", e.optimal_strategy}};
}

Evaluation evaluation_from(const json& j) {
  Evaluation e;
  for (const auto& c : j.at("costs")) e.costs.push_back(value(c));
  for (const auto& x : j.at("effects")) e.effects.push_back(value(x));
  e.incremental_cost = value(j.at("incremental_cost"));
  e.incremental_effect = value(j.at("incremental_effect"));
  e.icer = value(j.at("icer"));
  e.incremental_net_benefit = value(j.at("incremental_net_benefit"));
  e.optimal_strategy = j.at("optimal_strategy").get<int>();
  return e;
}

json prices_to_json(const std::vector<PricePoint>& prices) {
  json out = json::array();
  for (const auto& p : prices)
    out.push_back({{"wtp", value(p.willingness_to_pay)}, {"price", value(p.price)}, {"next_best", p.next_best}, {"icer_at_price", value(p.check_icer)}});
  return out;
}

std::vector<PricePoint> prices_from_json(const json& j) {
  std::vector<PricePoint> out;
  for (const auto& p : j) out.push_back({value(p.at("wtp")), value(p.at("price")), p.at("next_best").get<int>(), value(p.at("icer_at_price"))});
  return out;
}

}  // namespace

std::string dsa_to_json(const DsaReport& r) {
  json j{{"kind", "dsa"}, {"scenario_name", r.scenario_name}, {"strategies", r.strategies}, {"strategy", r.strategy},
         {"comparator", r.comparator}, {"willingness_to_pay", r.willingness_to_pay}, {"price_parameter", r.price_parameter}};
  if (r.one_way) {
    json rows = json::array();
    for (const auto& p : r.one_way->parameters)
      rows.push_back({{"parameter", p.parameter}, {"source", p.source}, {"base_value", value(p.base_value)}, {"low_value", value(p.low_value)},
                      {"high_value", value(p.high_value)}, {"low", to_json(p.low)}, {"high", to_json(p.high)},
                      {"net_benefit_swing", value(p.net_benefit_swing)}});
    j["one_way"] = {{"base", to_json(r.one_way->base)}, {"parameters", rows}};
  }
  j["variants"] = json::array();
  for (const auto& v : r.variants) j["variants"].push_back({{"name", v.name}, {"evaluation", to_json(v.evaluation)}});
  if (r.two_way)
    j["two_way"] = {{"parameter_a", r.two_way->parameter_a}, {"parameter_b", r.two_way->parameter_b}, {"values_a", r.two_way->values_a},
                    {"values_b", r.two_way->values_b}, {"incremental_net_benefit", r.two_way->incremental_net_benefit},
                    {"optimal_strategy", r.two_way->optimal_strategy}};
  if (r.threshold)
    j["threshold"] = {{"parameter", r.threshold->parameter}, {"threshold", r.threshold->threshold ? value(*r.threshold->threshold) : json(nullptr)},
                      {"optimal_below", r.threshold->optimal_below}, {"optimal_above", r.threshold->optimal_above}};
  j["prices"] = prices_to_json(r.prices);
  j["headroom"] = prices_to_json(r.headroom);
  j["probabilistic_prices"] = json::array();
  for (const auto& p : r.probabilistic_prices)
    j["probabilistic_prices"].push_back({{"wtp", value(p.willingness_to_pay)}, {"probabilities", p.probabilities}, {"prices", p.prices},
                                         {"break_even", p.break_even}});
  return j.dump(1) + "\n";
}

DsaReport dsa_from_json(const std::string& text) {
  const json j = json::parse(text);
  if (j.value("kind", "") != "dsa") throw std::runtime_error("not a hemsim DSA result");
  DsaReport r;
  r.scenario_name = j.at("scenario_name").get<std::string>();
  r.strategies = j.at("strategies").get<std::vector<std::string>>();
  r.strategy = j.at("strategy").get<int>();
  r.comparator = j.at("comparator").get<int>();
  r.willingness_to_pay = j.at("willingness_to_pay").get<double>();
  r.price_parameter = j.at("price_parameter").get<std::string>();
  if (j.contains("one_way")) {
    OneWayAnalysis a;
    a.base = evaluation_from(j["one_way"].at("base"));
    for (const auto& p : j["one_way"].at("parameters"))
      a.parameters.push_back({p.at("parameter").get<std::string>(), p.at("source").get<std::string>(), value(p.at("base_value")),
                              value(p.at("low_value")), value(p.at("high_value")), evaluation_from(p.at("low")), evaluation_from(p.at("high")),
                              value(p.at("net_benefit_swing"))});
    r.one_way = std::move(a);
  }
  for (const auto& v : j.at("variants")) r.variants.push_back({v.at("name").get<std::string>(), evaluation_from(v.at("evaluation"))});
  if (j.contains("two_way")) {
    const auto& t = j["two_way"];
    r.two_way = TwoWayAnalysis{t.at("parameter_a").get<std::string>(), t.at("parameter_b").get<std::string>(),
                               t.at("values_a").get<std::vector<double>>(), t.at("values_b").get<std::vector<double>>(),
                               t.at("incremental_net_benefit").get<std::vector<std::vector<double>>>(),
                               t.at("optimal_strategy").get<std::vector<std::vector<int>>>()};
  }
  if (j.contains("threshold")) {
    const auto& t = j["threshold"];
    ThresholdResult result;
    result.parameter = t.at("parameter").get<std::string>();
    if (!t.at("threshold").is_null()) result.threshold = t.at("threshold").get<double>();
    result.optimal_below = t.at("optimal_below").get<int>();
    result.optimal_above = t.at("optimal_above").get<int>();
    r.threshold = result;
  }
  r.prices = prices_from_json(j.at("prices"));
  r.headroom = prices_from_json(j.at("headroom"));
  for (const auto& p : j.at("probabilistic_prices"))
    r.probabilistic_prices.push_back({value(p.at("wtp")), p.at("probabilities").get<std::vector<double>>(), p.at("prices").get<std::vector<double>>(),
                                      p.at("break_even").get<std::vector<double>>()});
  return r;
}

std::string one_way_csv(const OneWayAnalysis& a) {
  std::string out = "parameter,base_value,low_value,high_value,icer_low,icer_high,incremental_nmb_low,incremental_nmb_high,nmb_swing,source\n";
  out += fmt::format("(base case),,,,{},{},{},{},0,\n", number(a.base.icer), number(a.base.icer), number(a.base.incremental_net_benefit),
                     number(a.base.incremental_net_benefit));
  for (const auto& r : a.parameters)
    out += fmt::format("{},{},{},{},{},{},{},{},{},\"{}\"\n", r.parameter, number(r.base_value), number(r.low_value), number(r.high_value),
                       number(r.low.icer), number(r.high.icer), number(r.low.incremental_net_benefit),
                       number(r.high.incremental_net_benefit), number(r.net_benefit_swing), r.source);
  return out;
}

std::string two_way_csv(const TwoWayAnalysis& t, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("{},{},incremental_nmb,optimal_strategy\n", t.parameter_a, t.parameter_b);
  for (std::size_t i = 0; i < t.values_a.size(); ++i)
    for (std::size_t j = 0; j < t.values_b.size(); ++j)
      out += fmt::format("{},{},{},{}\n", number(t.values_a[i]), number(t.values_b[j]), number(t.incremental_net_benefit[i][j]),
                         strategies[static_cast<std::size_t>(t.optimal_strategy[i][j])]);
  return out;
}

std::string variants_csv(const std::vector<VariantResult>& variants) {
  std::string out = "variant,incremental_cost,incremental_effect,icer,incremental_nmb,optimal_strategy_index\n";
  for (const auto& v : variants)
    out += fmt::format("\"{}\",{},{},{},{},{}\n", v.name, number(v.evaluation.incremental_cost), number(v.evaluation.incremental_effect),
                       number(v.evaluation.icer), number(v.evaluation.incremental_net_benefit), v.evaluation.optimal_strategy);
  return out;
}

std::string price_csv(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies) {
  std::string out = "wtp,price,next_best,icer_at_price\n";
  for (const auto& p : prices)
    out += fmt::format("{},{},{},{}\n", number(p.willingness_to_pay), number(p.price), strategies[static_cast<std::size_t>(p.next_best)],
                       number(p.check_icer));
  return out;
}

std::string format_one_way(const OneWayAnalysis& a, const std::string& comparison) {
  std::string out = fmt::format("One-way sensitivity, {} (base: ΔC {:.0f}, ΔE {:.4f}, ICER {:.0f}, ΔNMB {:.0f})\n", comparison,
                                a.base.incremental_cost, a.base.incremental_effect, a.base.icer, a.base.incremental_net_benefit);
  std::size_t width = 22;  // wide enough for the longest parameter name
  for (const auto& r : a.parameters) width = std::max(width, r.parameter.size() + 2);
  out += fmt::format("{:<{}}{:>12}{:>12}{:>14}{:>14}{:>14}{:>14}\n", "Parameter", width, "low", "high", "ICER low", "ICER high", "ΔNMB low",
                     "ΔNMB high");
  for (const auto& r : a.parameters)
    out += fmt::format("{:<{}}{:>12.4g}{:>12.4g}{:>14.0f}{:>14.0f}{:>14.0f}{:>14.0f}\n", r.parameter, width, r.low_value, r.high_value,
                       r.low.icer, r.high.icer, r.low.incremental_net_benefit, r.high.incremental_net_benefit);
  return out;
}

std::string format_variants(const std::vector<VariantResult>& variants, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("\nScenario analysis\n{:<24}{:>14}{:>12}{:>14}{:>14}{:>16}\n", "Variant", "ΔCost", "ΔEffect", "ICER", "ΔNMB", "Optimal");
  for (const auto& v : variants)
    out += fmt::format("{:<24}{:>14.0f}{:>12.4f}{:>14.0f}{:>14.0f}{:>16}\n", v.name, v.evaluation.incremental_cost,
                       v.evaluation.incremental_effect, v.evaluation.icer, v.evaluation.incremental_net_benefit,
                       strategies[static_cast<std::size_t>(v.evaluation.optimal_strategy)]);
  return out;
}

std::string format_prices(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies, const std::string& parameter) {
  std::string out = fmt::format("Value-based price ({}): the price at which the ICER against the next best strategy equals the threshold\n", parameter);
  std::size_t width = 18;  // wide enough for the longest strategy name
  for (const auto& name : strategies) width = std::max(width, name.size() + 2);
  out += fmt::format("{:>14}{:>16}{:>{}}{:>18}\n", "WTP", "price", "next best", width, "ICER at price");
  for (const auto& p : prices)
    out += fmt::format("{:>14.0f}{:>16.2f}{:>{}}{:>18.0f}\n", p.willingness_to_pay, p.price, strategies[static_cast<std::size_t>(p.next_best)],
                       width, p.check_icer);
  return out;
}

}  // namespace hemsim
