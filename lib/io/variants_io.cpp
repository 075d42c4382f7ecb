// scenarios.json, scenarios.csv and the terminal table of compare_variants().

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/number_text.hpp"
#include "hemsim/error.hpp"
#include "hemsim/variants.hpp"

namespace hemsim {
namespace {

using json = nlohmann::ordered_json;
constexpr int kVariantsFormatVersion = 1;

json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double number(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }
json estimate(const Estimate& e) { return {{"mean", number(e.mean)}, {"mcse", number(e.mcse)}}; }
Estimate estimate(const json& j) { return {number(j.at("mean")), number(j.at("mcse"))}; }

/// The ICER as written: a number, "dominated" (costs more, gains nothing) or null.
json icer(double v) { return std::isinf(v) ? json("dominated") : number(v); }
double icer(const json& j) { return j.is_string() ? std::numeric_limits<double>::infinity() : number(j); }

std::string csv_text(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

/// "1,234 ± 56" for the terminal; "" when not applicable.
std::string with_error(const Estimate& e, int decimals) {
  if (!std::isfinite(e.mean)) return "";
  if (!std::isfinite(e.mcse) || e.mcse == 0) return fmt::format("{:.{}f}", e.mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", e.mean, decimals, e.mcse, decimals);
}

}  // namespace

std::string variants_to_json(const VariantComparison& c) {
  json j;
  j["kind"] = "scenarios";
  j["format_version"] = kVariantsFormatVersion;
  j["scenario"] = {{"name", c.scenario_name}, {"file", c.scenario_file}};
  j["method"] = c.method;
  j["individuals"] = c.individuals;
  j["seed"] = c.seed;
  j["effect_measure"] = c.effect_measure;
  j["perspective"] = c.perspective;
  j["currency"] = c.currency;
  j["willingness_to_pay"] = number(c.willingness_to_pay);
  json set = json::array();
  for (const auto& [name, value] : c.overrides) set.push_back({{"parameter", name}, {"value", value}});
  j["set"] = set;
  json variants = json::array();
  for (const auto& v : c.variants) {
    json rows = json::array();
    for (const auto& r : v.rows)
      rows.push_back({{"strategy", r.strategy},
                      {"label", r.label},
                      {"cost", estimate(r.cost)},
                      {"effect", estimate(r.effect)},
                      {"incremental_cost", estimate(r.incremental_cost)},
                      {"incremental_effect", estimate(r.incremental_effect)},
                      {"icer", icer(r.icer)},
                      {"incremental_net_benefit", estimate(r.incremental_net_benefit)},
                      {"net_benefit_change", estimate(r.net_benefit_change)}});
    variants.push_back({{"name", v.name}, {"label", v.label}, {"rationale", v.rationale}, {"reference", v.reference}, {"rows", rows}});
  }
  j["variants"] = variants;
  return j.dump(2) + "\n";
}

VariantComparison variants_from_json(const std::string& text) {
  try {
    const json j = json::parse(text);
    if (j.value("kind", std::string()) != "scenarios")
      throw ScenarioError({"named_scenarios.json", 0, 0, "kind"}, "not a scenarios file",
                          "a named_scenarios.json written by hemsim run --scenario all");
    if (j.at("format_version").get<int>() > kVariantsFormatVersion)
      throw ScenarioError({"named_scenarios.json", 0, 0, "format_version"}, "written by a newer hemsim", "a file this version reads");
    VariantComparison c;
    c.scenario_name = j.at("scenario").at("name").get<std::string>();
    c.scenario_file = j.at("scenario").at("file").get<std::string>();
    c.method = j.at("method").get<std::string>();
    c.individuals = j.at("individuals").get<std::uint64_t>();
    c.seed = j.at("seed").get<std::uint64_t>();
    c.effect_measure = j.at("effect_measure").get<std::string>();
    c.perspective = j.at("perspective").get<std::string>();
    c.currency = j.at("currency").get<std::string>();
    c.willingness_to_pay = number(j.at("willingness_to_pay"));
    for (const auto& o : j.at("set")) c.overrides.emplace_back(o.at("parameter").get<std::string>(), o.at("value").get<std::string>());
    for (const auto& v : j.at("variants")) {
      VariantOutcome out{v.at("name").get<std::string>(),
                         v.at("label").get<std::string>(),
                         v.at("rationale").get<std::string>(),
                         v.at("reference").get<std::string>(),
                         {}};
      for (const auto& r : v.at("rows"))
        out.rows.push_back({r.at("strategy").get<std::string>(), r.at("label").get<std::string>(), estimate(r.at("cost")),
                            estimate(r.at("effect")), estimate(r.at("incremental_cost")), estimate(r.at("incremental_effect")),
                            estimate(r.at("incremental_net_benefit")), icer(r.at("icer")), estimate(r.at("net_benefit_change"))});
      c.variants.push_back(std::move(out));
    }
    return c;
  } catch (const json::exception& e) {
    throw ScenarioError({"named_scenarios.json", 0, 0, ""}, std::string("unreadable: ") + e.what(),
                        "a named_scenarios.json written by hemsim");
  }
}

std::string variants_to_csv(const VariantComparison& c) {
  std::string out =
      "variant,label,strategy,reference,cost,cost_mcse,effect,effect_mcse,incremental_cost,incremental_cost_mcse,incremental_effect,"
      "incremental_effect_mcse,icer,incremental_nmb,incremental_nmb_mcse,nmb_change_vs_base,nmb_change_mcse\n";
  auto n = [](double v) { return detail::shortest_number(v); };
  for (const auto& v : c.variants)
    for (const auto& r : v.rows)
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", csv_text(v.name), csv_text(v.label), csv_text(r.strategy),
                         csv_text(v.reference), n(r.cost.mean), n(r.cost.mcse), n(r.effect.mean), n(r.effect.mcse),
                         n(r.incremental_cost.mean), n(r.incremental_cost.mcse), n(r.incremental_effect.mean), n(r.incremental_effect.mcse),
                         std::isinf(r.icer) ? std::string("dominated") : n(r.icer), n(r.incremental_net_benefit.mean),
                         n(r.incremental_net_benefit.mcse), n(r.net_benefit_change.mean), n(r.net_benefit_change.mcse));
  return out;
}

std::string format_variant_comparison(const VariantComparison& c) {
  const std::string effect = c.effect_measure == "life_years" ? "LYs" : "QALYs";
  std::string out = fmt::format("{} — named scenarios side by side ({}, {} individuals, seed {}; {} perspective; ± MCSE)\n",
                                c.scenario_name, c.method, c.individuals, c.seed, c.perspective);
  for (const auto& [name, value] : c.overrides) out += fmt::format("  set {} = {}\n", name, value);
  out += fmt::format("\n{:<28} {:<24} {:>20} {:>18} {:>14} {:>22} {:>22}\n", "Scenario", "Strategy", "Δ cost", "Δ " + effect, "ICER",
                     fmt::format("INMB @ {:g}", c.willingness_to_pay), "Δ INMB vs base");
  for (const auto& v : c.variants) {
    for (const auto& r : v.rows) {
      if (r.strategy == v.reference) continue;
      const std::string icer_text = std::isinf(r.icer)      ? std::string("dominated")
                                    : std::isfinite(r.icer) ? fmt::format("{:.0f}", r.icer)
                                                            : "";
      out += fmt::format("{:<28} {:<24} {:>20} {:>18} {:>14} {:>22} {:>22}\n", v.label.substr(0, 28), r.strategy.substr(0, 24),
                         with_error(r.incremental_cost, 0), with_error(r.incremental_effect, 4), icer_text,
                         with_error(r.incremental_net_benefit, 0), v.name == "base" ? std::string() : with_error(r.net_benefit_change, 0));
    }
  }
  out += "\nIncrements are against each scenario's reference strategy";
  if (!c.variants.empty()) out += fmt::format(" ({} in the base case)", c.variants.front().reference);
  out += "; every scenario runs with the same individuals and random numbers, so Δ INMB vs base is a paired difference.\n";
  return out;
}

}  // namespace hemsim
