// The price surface and evidence thresholds as JSON (dsa.json "tpp"), CSV and terminal text.

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/number_text.hpp"
#include "io/tpp_json.hpp"

namespace hemsim {

namespace {

using nlohmann::json;

json value(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double value(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }
std::string number(double v) { return detail::shortest_number(v); }

json axis_to_json(const SurfaceAxis& a) { return {{"parameter", a.parameter}, {"values", a.values}, {"base_value", value(a.base_value)}}; }
SurfaceAxis axis_from(const json& j) {
  return {j.at("parameter").get<std::string>(), j.at("values").get<std::vector<double>>(), value(j.at("base_value"))};
}

const std::string& name_of(const std::vector<std::string>& names, int k) { return names.at(static_cast<std::size_t>(k)); }

// Whole money with thousands separators: 30,000.
std::string grouped(double v) {
  if (!std::isfinite(v)) return "n/a";
  std::string digits = fmt::format("{:.0f}", std::abs(v)), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 && digits != "0" ? "-" : "") + out;
}

}  // namespace

namespace detail {

json tpp_to_json(const PriceSurface& s) {
  json points = json::array();
  for (const auto& p : s.points) {
    json doses = json::array(), prices = json::array();
    for (const auto& d : p.doses_per_patient) doses.push_back({{"mean", value(d.mean)}, {"mcse", value(d.mcse)}});
    for (const auto& q : p.prices)
      prices.push_back({{"perspective", q.perspective},
                        {"wtp", value(q.willingness_to_pay)},
                        {"next_best", q.next_best},
                        {"per_dose", value(q.per_dose)},
                        {"per_dose_mcse", value(q.per_dose_mcse)},
                        {"per_patient", value(q.per_patient)},
                        {"per_patient_mcse", value(q.per_patient_mcse)}});
    points.push_back({{"value_a", value(p.value_a)}, {"value_b", value(p.value_b)}, {"doses_per_patient", doses}, {"prices", prices}});
  }
  json evidence = json::array();
  for (const auto& e : s.evidence)
    evidence.push_back({{"parameter", e.parameter},
                        {"held", e.held},
                        {"held_value", value(e.held_value)},
                        {"held_at_base", e.held_at_base},
                        {"wtp", value(e.willingness_to_pay)},
                        {"price", value(e.price)},
                        {"value", e.value ? value(*e.value) : json(nullptr)},
                        {"value_mcse", value(e.value_mcse)},
                        {"net_benefit_at_value", value(e.net_benefit_at_value)},
                        {"net_benefit_at_value_mcse", value(e.net_benefit_at_value_mcse)},
                        {"next_best", e.next_best},
                        {"cost_effective_above", e.cost_effective_above},
                        {"runs", e.runs}});
  return {{"price_parameter", s.price_parameter},
          {"base_price", value(s.base_price)},
          {"strategy", s.strategy},
          {"strategies", s.strategies},
          {"perspectives", s.perspectives},
          {"effect_measure", s.effect_measure},
          {"thresholds", s.thresholds},
          {"axis_a", axis_to_json(s.axis_a)},
          {"axis_b", axis_to_json(s.axis_b)},
          {"points", points},
          {"assumed_price", s.assumed_price ? value(*s.assumed_price) : json(nullptr)},
          {"evidence_perspective", s.evidence_perspective},
          {"evidence", evidence}};
}

PriceSurface tpp_from_json(const json& j) {
  PriceSurface s;
  s.price_parameter = j.at("price_parameter").get<std::string>();
  s.base_price = value(j.at("base_price"));
  s.strategy = j.at("strategy").get<int>();
  s.strategies = j.at("strategies").get<std::vector<std::string>>();
  s.perspectives = j.at("perspectives").get<std::vector<std::string>>();
  s.effect_measure = j.at("effect_measure").get<std::string>();
  s.thresholds = j.at("thresholds").get<std::vector<double>>();
  s.axis_a = axis_from(j.at("axis_a"));
  s.axis_b = axis_from(j.at("axis_b"));
  for (const auto& p : j.at("points")) {
    SurfacePoint point{value(p.at("value_a")), value(p.at("value_b")), {}, {}};
    for (const auto& d : p.at("doses_per_patient")) point.doses_per_patient.push_back({value(d.at("mean")), value(d.at("mcse"))});
    for (const auto& q : p.at("prices"))
      point.prices.push_back({q.at("perspective").get<int>(), value(q.at("wtp")), q.at("next_best").get<int>(), value(q.at("per_dose")),
                              value(q.at("per_dose_mcse")), value(q.at("per_patient")), value(q.at("per_patient_mcse"))});
    s.points.push_back(std::move(point));
  }
  if (!j.at("assumed_price").is_null()) s.assumed_price = j.at("assumed_price").get<double>();
  s.evidence_perspective = j.at("evidence_perspective").get<int>();
  for (const auto& e : j.at("evidence")) {
    EvidenceThreshold t;
    t.parameter = e.at("parameter").get<std::string>();
    t.held = e.at("held").get<std::string>();
    t.held_value = value(e.at("held_value"));
    t.held_at_base = e.at("held_at_base").get<bool>();
    t.willingness_to_pay = value(e.at("wtp"));
    t.price = value(e.at("price"));
    if (!e.at("value").is_null()) t.value = e.at("value").get<double>();
    t.value_mcse = value(e.at("value_mcse"));
    t.net_benefit_at_value = value(e.at("net_benefit_at_value"));
    t.net_benefit_at_value_mcse = value(e.at("net_benefit_at_value_mcse"));
    t.next_best = e.at("next_best").get<int>();
    t.cost_effective_above = e.at("cost_effective_above").get<bool>();
    t.runs = e.at("runs").get<int>();
    s.evidence.push_back(std::move(t));
  }
  return s;
}

}  // namespace detail

std::string price_surface_csv(const PriceSurface& s) {
  std::string out = fmt::format(
      "{},{},perspective,wtp,next_best,price_per_dose,price_per_dose_mcse,doses_per_patient,doses_per_patient_mcse,price_per_patient,"
      "price_per_patient_mcse\n",
      s.axis_a.parameter, s.axis_b.parameter);
  for (const auto& p : s.points)
    for (const auto& q : p.prices) {
      const Estimate& d = p.doses_per_patient.at(static_cast<std::size_t>(q.perspective));
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", number(p.value_a), number(p.value_b), name_of(s.perspectives, q.perspective),
                         number(q.willingness_to_pay), name_of(s.strategies, q.next_best), number(q.per_dose), number(q.per_dose_mcse),
                         number(d.mean), number(d.mcse), number(q.per_patient), number(q.per_patient_mcse));
    }
  return out;
}

std::string evidence_thresholds_csv(const PriceSurface& s) {
  std::string out =
      "parameter,held,held_value,held_at_base,wtp,price,value,value_mcse,cost_effective_above,net_benefit_at_value,"
      "net_benefit_at_value_mcse,next_best,runs\n";
  for (const auto& e : s.evidence)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", e.parameter, e.held, number(e.held_value),
                       e.held_at_base ? "true" : "false", number(e.willingness_to_pay), number(e.price),
                       e.value ? number(*e.value) : std::string(), number(e.value_mcse), e.cost_effective_above ? "true" : "false",
                       number(e.net_benefit_at_value), number(e.net_benefit_at_value_mcse), name_of(s.strategies, e.next_best), e.runs);
  return out;
}

std::string describe_evidence_threshold(const PriceSurface& s, const EvidenceThreshold& e) {
  const std::string& strategy = name_of(s.strategies, s.strategy);
  const std::string per = s.effect_measure == "life_years" ? "life-year" : "QALY";
  const std::string at = fmt::format("At {} = {} per dose, {} is", s.price_parameter, grouped(e.price), strategy);
  const std::string held = e.held_at_base ? fmt::format("{} at its base value {:.4g}", e.held, e.held_value)
                                          : fmt::format("{} = {:.4g}", e.held, e.held_value);
  const auto& values = e.parameter == s.axis_a.parameter ? s.axis_a.values : s.axis_b.values;
  if (!e.value)
    return fmt::format("{} {} at {} per {} over the whole range {:.4g} to {:.4g} of {} ({}).", at,
                       e.cost_effective_above ? "cost-effective" : "not cost-effective", grouped(e.willingness_to_pay), per,
                       values.front(), values.back(), e.parameter, held);
  const std::string noise = std::isfinite(e.value_mcse) && e.value_mcse > 0 ? fmt::format(" (± {:.3g} MCSE)", e.value_mcse) : "";
  return fmt::format("{} cost-effective at {} per {} once {} {} {:.4g}{} ({}; against {}).", at, grouped(e.willingness_to_pay), per,
                     e.parameter, e.cost_effective_above ? ">=" : "<=", *e.value, noise, held, name_of(s.strategies, e.next_best));
}

std::string format_price_surface(const PriceSurface& s, int perspective) {
  std::string out =
      fmt::format("\nValue-based price surface of {} ({} per dose; {} perspective) over {} x {}\n", name_of(s.strategies, s.strategy),
                  s.price_parameter, name_of(s.perspectives, perspective), s.axis_a.parameter, s.axis_b.parameter);
  for (std::size_t t = 0; t <= s.thresholds.size(); ++t) {
    out += t == 0 ? std::string("\nBreak-even (cost-neutral) price per dose ± MCSE [per patient]\n")
                  : fmt::format("\nAt {:.0f} per unit of effect: price per dose ± MCSE [per patient]\n", s.thresholds[t - 1]);
    out += fmt::format("{:>14}", "");
    for (double b : s.axis_b.values) out += fmt::format("{:>30}", fmt::format("{}={:.4g}", s.axis_b.parameter.substr(0, 20), b));
    out += "\n";
    for (std::size_t i = 0; i < s.axis_a.values.size(); ++i) {
      out += fmt::format("{:>14.4g}", s.axis_a.values[i]);
      for (std::size_t j = 0; j < s.axis_b.values.size(); ++j) {
        const SurfacePrice& q = s.price(s.at(i, j), perspective, t);
        out += fmt::format("{:>30}", fmt::format("{:.0f} ± {:.0f} [{:.0f}]", q.per_dose, q.per_dose_mcse, q.per_patient));
      }
      out += "\n";
    }
  }
  out += fmt::format("(rows: {}; per patient = per dose x doses charged per patient; ± MCSE paired, delta method)\n", s.axis_a.parameter);
  if (s.assumed_price) {
    out += fmt::format("\nEvidence thresholds at {:.0f} per dose ({} perspective)\n", *s.assumed_price,
                       name_of(s.perspectives, s.evidence_perspective));
    for (const auto& e : s.evidence) out += describe_evidence_threshold(s, e) + "\n";
  }
  return out;
}

}  // namespace hemsim
