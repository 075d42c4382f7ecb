#include "io/provenance_json.hpp"
#include "hemsim/dsa_io.hpp"

#include <algorithm>
#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/number_text.hpp"
#include "io/tpp_json.hpp"

namespace hemsim {

namespace {
std::string number(double v) { return detail::shortest_number(v); }
}  // namespace

namespace {

using nlohmann::json;

json value(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double value(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }
// A field added after the first dsa.json files were written: NaN (not recorded) when absent.
double added_value(const json& j, const char* key) { return j.contains(key) ? value(j.at(key)) : std::numeric_limits<double>::quiet_NaN(); }
json matrix(const std::vector<std::vector<double>>& m) {
  json out = json::array();
  for (const auto& row : m) {
    json r = json::array();
    for (double v : row) r.push_back(value(v));
    out.push_back(std::move(r));
  }
  return out;
}
std::vector<std::vector<double>> matrix_from(const json& j) {
  std::vector<std::vector<double>> out;
  for (const auto& row : j) {
    out.emplace_back();
    for (const auto& v : row) out.back().push_back(value(v));
  }
  return out;
}
// "1234 ± 56" (or the number alone when the MCSE is not recorded).
std::string with_mcse(double v, double mcse, int decimals) {
  return std::isfinite(mcse) ? fmt::format("{:.{}f} ± {:.{}f}", v, decimals, mcse, decimals) : fmt::format("{:.{}f}", v, decimals);
}

json to_json(const Evaluation& e) {
  json costs = json::array(), effects = json::array();
  for (double c : e.costs) costs.push_back(value(c));
  for (double x : e.effects) effects.push_back(value(x));
  return {{"costs", costs}, {"effects", effects}, {"incremental_cost", value(e.incremental_cost)},
          {"incremental_effect", value(e.incremental_effect)}, {"icer", value(e.icer)},
          {"incremental_net_benefit", value(e.incremental_net_benefit)}, {"optimal_strategy", e.optimal_strategy},
          {"incremental_cost_mcse", value(e.incremental_cost_mcse)}, {"incremental_effect_mcse", value(e.incremental_effect_mcse)},
          {"incremental_net_benefit_mcse", value(e.incremental_net_benefit_mcse)}};
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
  e.incremental_cost_mcse = added_value(j, "incremental_cost_mcse");
  e.incremental_effect_mcse = added_value(j, "incremental_effect_mcse");
  e.incremental_net_benefit_mcse = added_value(j, "incremental_net_benefit_mcse");
  return e;
}

json prices_to_json(const std::vector<PricePoint>& prices) {
  json out = json::array();
  for (const auto& p : prices)
    out.push_back({{"wtp", value(p.willingness_to_pay)},
                   {"price", value(p.price)},
                   {"next_best", p.next_best},
                   {"icer_at_price", value(p.check_icer)},
                   {"price_mcse", value(p.price_mcse)},
                   {"price_interval95", {value(p.price_low95()), value(p.price_high95())}},
                   {"icer_at_price_mcse", value(p.check_icer_mcse)}});
  return out;
}

std::vector<PricePoint> prices_from_json(const json& j) {
  std::vector<PricePoint> out;
  for (const auto& p : j)
    out.push_back({value(p.at("wtp")), value(p.at("price")), p.at("next_best").get<int>(), value(p.at("icer_at_price")),
                   added_value(p, "price_mcse"), added_value(p, "icer_at_price_mcse")});
  return out;
}

}  // namespace

std::string dsa_to_json(const DsaReport& r) {
  json j{{"kind", "dsa"}, {"scenario_name", r.scenario_name}, {"strategies", r.strategies}, {"strategy", r.strategy},
         {"comparator", r.comparator}, {"willingness_to_pay", r.willingness_to_pay}, {"price_parameter", r.price_parameter}};
  detail::write_provenance(j, r.provenance);
  if (!r.perspective.empty()) j["perspective"] = r.perspective;
  if (r.one_way) {
    json rows = json::array();
    for (const auto& p : r.one_way->parameters)
      rows.push_back({{"parameter", p.parameter}, {"source", p.source}, {"base_value", value(p.base_value)}, {"low_value", value(p.low_value)},
                      {"high_value", value(p.high_value)}, {"low", to_json(p.low)}, {"high", to_json(p.high)},
                      {"net_benefit_swing", value(p.net_benefit_swing)}, {"low_change_mcse", value(p.low_change_mcse)},
                      {"high_change_mcse", value(p.high_change_mcse)}, {"swing_mcse", value(p.swing_mcse)},
                      {"within_noise", p.within_noise}, {"low_within_noise", p.low_within_noise}, {"high_within_noise", p.high_within_noise}});
    j["one_way"] = {{"base", to_json(r.one_way->base)}, {"parameters", rows}};
  }
  j["variants"] = json::array();
  for (const auto& v : r.variants)
    j["variants"].push_back({{"name", v.name}, {"evaluation", to_json(v.evaluation)}, {"net_benefit_change", value(v.net_benefit_change)},
                             {"net_benefit_change_mcse", value(v.net_benefit_change_mcse)}});
  if (r.two_way)
    j["two_way"] = {{"parameter_a", r.two_way->parameter_a}, {"parameter_b", r.two_way->parameter_b}, {"values_a", r.two_way->values_a},
                    {"values_b", r.two_way->values_b}, {"incremental_net_benefit", r.two_way->incremental_net_benefit},
                    {"optimal_strategy", r.two_way->optimal_strategy},
                    {"incremental_net_benefit_mcse", matrix(r.two_way->incremental_net_benefit_mcse)}};
  if (r.threshold)
    j["threshold"] = {{"parameter", r.threshold->parameter}, {"threshold", r.threshold->threshold ? value(*r.threshold->threshold) : json(nullptr)},
                      {"optimal_below", r.threshold->optimal_below}, {"optimal_above", r.threshold->optimal_above},
                      {"threshold_mcse", value(r.threshold->threshold_mcse)}};
  j["prices"] = prices_to_json(r.prices);
  j["headroom"] = prices_to_json(r.headroom);
  j["probabilistic_prices"] = json::array();
  for (const auto& p : r.probabilistic_prices)
    j["probabilistic_prices"].push_back({{"wtp", value(p.willingness_to_pay)}, {"probabilities", p.probabilities}, {"prices", p.prices},
                                         {"break_even", p.break_even}});
  if (r.tpp) j["tpp"] = detail::tpp_to_json(*r.tpp);
  return j.dump(1) + "\n";
}

DsaReport dsa_from_json(const std::string& text) {
  const json j = json::parse(text);
  if (j.value("kind", "") != "dsa") throw std::runtime_error("not a hemsim DSA result");
  DsaReport r;
  r.scenario_name = j.at("scenario_name").get<std::string>();
  r.provenance = detail::read_provenance(j);
  r.perspective = j.value("perspective", std::string());
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
                              value(p.at("net_benefit_swing")), added_value(p, "low_change_mcse"), added_value(p, "high_change_mcse"),
                              added_value(p, "swing_mcse"), p.value("within_noise", false), p.value("low_within_noise", false),
                              p.value("high_within_noise", false)});
    r.one_way = std::move(a);
  }
  for (const auto& v : j.at("variants")) {
    const Evaluation e = evaluation_from(v.at("evaluation"));
    // Files written before the change from the base was saved: the change is not recorded.
    r.variants.push_back({v.at("name").get<std::string>(), e, added_value(v, "net_benefit_change"), added_value(v, "net_benefit_change_mcse")});
  }
  if (j.contains("two_way")) {
    const auto& t = j["two_way"];
    r.two_way = TwoWayAnalysis{t.at("parameter_a").get<std::string>(), t.at("parameter_b").get<std::string>(),
                               t.at("values_a").get<std::vector<double>>(), t.at("values_b").get<std::vector<double>>(),
                               t.at("incremental_net_benefit").get<std::vector<std::vector<double>>>(),
                               t.at("optimal_strategy").get<std::vector<std::vector<int>>>(),
                               t.contains("incremental_net_benefit_mcse") ? matrix_from(t["incremental_net_benefit_mcse"])
                                                                          : std::vector<std::vector<double>>{}};
  }
  if (j.contains("threshold")) {
    const auto& t = j["threshold"];
    ThresholdResult result;
    result.parameter = t.at("parameter").get<std::string>();
    if (!t.at("threshold").is_null()) result.threshold = t.at("threshold").get<double>();
    result.optimal_below = t.at("optimal_below").get<int>();
    result.optimal_above = t.at("optimal_above").get<int>();
    result.threshold_mcse = added_value(t, "threshold_mcse");
    r.threshold = result;
  }
  r.prices = prices_from_json(j.at("prices"));
  r.headroom = prices_from_json(j.at("headroom"));
  for (const auto& p : j.at("probabilistic_prices"))
    r.probabilistic_prices.push_back({value(p.at("wtp")), p.at("probabilities").get<std::vector<double>>(), p.at("prices").get<std::vector<double>>(),
                                      p.at("break_even").get<std::vector<double>>()});
  if (j.contains("tpp")) r.tpp = detail::tpp_from_json(j.at("tpp"));
  return r;
}

std::string one_way_csv(const OneWayAnalysis& a) {
  std::string out =
      "parameter,base_value,low_value,high_value,icer_low,icer_high,incremental_nmb_low,incremental_nmb_high,nmb_swing,source,"
      "nmb_change_low_mcse,nmb_change_high_mcse,nmb_swing_mcse,within_noise\n";
  out += fmt::format("(base case),,,,{},{},{},{},0,,,,,\n", number(a.base.icer), number(a.base.icer), number(a.base.incremental_net_benefit),
                     number(a.base.incremental_net_benefit));
  for (const auto& r : a.parameters)
    out += fmt::format("{},{},{},{},{},{},{},{},{},\"{}\",{},{},{},{}\n", r.parameter, number(r.base_value), number(r.low_value),
                       number(r.high_value), number(r.low.icer), number(r.high.icer), number(r.low.incremental_net_benefit),
                       number(r.high.incremental_net_benefit), number(r.net_benefit_swing), r.source, number(r.low_change_mcse),
                       number(r.high_change_mcse), number(r.swing_mcse), r.within_noise ? "true" : "false");
  return out;
}

std::string two_way_csv(const TwoWayAnalysis& t, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("{},{},incremental_nmb,optimal_strategy,incremental_nmb_mcse\n", t.parameter_a, t.parameter_b);
  for (std::size_t i = 0; i < t.values_a.size(); ++i)
    for (std::size_t j = 0; j < t.values_b.size(); ++j)
      out += fmt::format("{},{},{},{},{}\n", number(t.values_a[i]), number(t.values_b[j]), number(t.incremental_net_benefit[i][j]),
                         strategies[static_cast<std::size_t>(t.optimal_strategy[i][j])],
                         i < t.incremental_net_benefit_mcse.size() && j < t.incremental_net_benefit_mcse[i].size()
                             ? number(t.incremental_net_benefit_mcse[i][j])
                             : std::string());
  return out;
}

std::string variants_csv(const std::vector<VariantResult>& variants) {
  std::string out =
      "variant,incremental_cost,incremental_effect,icer,incremental_nmb,optimal_strategy_index,incremental_nmb_mcse,nmb_change_vs_base,"
      "nmb_change_mcse\n";
  for (const auto& v : variants)
    out += fmt::format("\"{}\",{},{},{},{},{},{},{},{}\n", v.name, number(v.evaluation.incremental_cost), number(v.evaluation.incremental_effect),
                       number(v.evaluation.icer), number(v.evaluation.incremental_net_benefit), v.evaluation.optimal_strategy,
                       number(v.evaluation.incremental_net_benefit_mcse), number(v.net_benefit_change), number(v.net_benefit_change_mcse));
  return out;
}

std::string price_csv(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies) {
  std::string out = "wtp,price,next_best,icer_at_price,price_mcse,price_low95,price_high95,icer_at_price_mcse\n";
  for (const auto& p : prices)
    out += fmt::format("{},{},{},{},{},{},{},{}\n", number(p.willingness_to_pay), number(p.price), strategies[static_cast<std::size_t>(p.next_best)],
                       number(p.check_icer), number(p.price_mcse), number(p.price_low95()), number(p.price_high95()), number(p.check_icer_mcse));
  return out;
}

std::string format_one_way(const OneWayAnalysis& a, const std::string& comparison) {
  const Evaluation& b = a.base;
  std::string out = fmt::format("One-way sensitivity, {} (base: ΔC {}, ΔE {}, ICER {:.0f}, ΔNMB {})\n", comparison,
                                with_mcse(b.incremental_cost, b.incremental_cost_mcse, 0), with_mcse(b.incremental_effect, b.incremental_effect_mcse, 4),
                                b.icer, with_mcse(b.incremental_net_benefit, b.incremental_net_benefit_mcse, 0));
  std::size_t width = 22;  // wide enough for the longest parameter name
  for (const auto& r : a.parameters) width = std::max(width, r.parameter.size() + 2);
  // "±" after each end: the MCSE of that end's change from the base case; after the
  // swing, of the swing (all paired with the base run).
  out += fmt::format("{:<{}}{:>12}{:>12}{:>14}{:>14}{:>14}{:>10}{:>14}{:>10}{:>12}{:>10}  {}\n", "Parameter", width, "low", "high", "ICER low",
                     "ICER high", "ΔNMB low", "± MCSE", "ΔNMB high", "± MCSE", "swing", "± MCSE", "within noise");
  std::size_t flagged = 0;
  for (const auto& r : a.parameters) {
    const char* noise = r.within_noise                              ? "swing"
                        : r.low_within_noise && r.high_within_noise ? "both ends"
                        : r.low_within_noise                        ? "low end"
                        : r.high_within_noise                       ? "high end"
                                                                    : "";
    flagged += r.within_noise ? 1 : 0;
    out += fmt::format("{:<{}}{:>12.4g}{:>12.4g}{:>14.0f}{:>14.0f}{:>14.0f}{:>10.0f}{:>14.0f}{:>10.0f}{:>12.0f}{:>10.0f}  {}\n", r.parameter, width,
                       r.low_value, r.high_value, r.low.icer, r.high.icer, r.low.incremental_net_benefit, r.low_change_mcse,
                       r.high.incremental_net_benefit, r.high_change_mcse, r.net_benefit_swing, r.swing_mcse, noise);
  }
  if (!a.parameters.empty())
    out += fmt::format("± MCSE: Monte Carlo standard error of each end's change from the base case and of the swing (paired). "
                       "Within noise: no larger than 2 MCSE ({} of {} swings).\n",
                       flagged, a.parameters.size());
  return out;
}

std::string format_variants(const std::vector<VariantResult>& variants, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("\nScenario analysis\n{:<24}{:>14}{:>12}{:>14}{:>14}{:>10}{:>16}{:>10}{:>16}\n", "Variant", "ΔCost", "ΔEffect", "ICER",
                                "ΔNMB", "± MCSE", "vs base", "± MCSE", "Optimal");
  for (const auto& v : variants)
    out += fmt::format("{:<24}{:>14.0f}{:>12.4f}{:>14.0f}{:>14.0f}{:>10.0f}{:>16.0f}{:>10.0f}{:>16}\n", v.name, v.evaluation.incremental_cost,
                       v.evaluation.incremental_effect, v.evaluation.icer, v.evaluation.incremental_net_benefit,
                       v.evaluation.incremental_net_benefit_mcse, v.net_benefit_change, v.net_benefit_change_mcse,
                       strategies[static_cast<std::size_t>(v.evaluation.optimal_strategy)]);
  return out;
}

std::string format_prices(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies, const std::string& parameter) {
  std::string out = fmt::format("Value-based price ({}): the price at which the ICER against the next best strategy equals the threshold\n", parameter);
  std::size_t width = 18;  // wide enough for the longest strategy name
  for (const auto& name : strategies) width = std::max(width, name.size() + 2);
  out += fmt::format("{:>14}{:>16}{:>12}{:>28}{:>{}}{:>18}{:>12}\n", "WTP", "price", "± MCSE", "95% interval", "next best", width,
                     "ICER at price", "± MCSE");
  for (const auto& p : prices)
    out += fmt::format("{:>14.0f}{:>16.2f}{:>12.2f}{:>28}{:>{}}{:>18.0f}{:>12.0f}\n", p.willingness_to_pay, p.price, p.price_mcse,
                       fmt::format("{:.2f} to {:.2f}", p.price_low95(), p.price_high95()), strategies[static_cast<std::size_t>(p.next_best)],
                       width, p.check_icer, p.check_icer_mcse);
  out += "± MCSE: Monte Carlo standard error (delta method, paired over the runs' individuals); 95% interval: price ± 1.96 MCSE.\n";
  return out;
}

}  // namespace hemsim
