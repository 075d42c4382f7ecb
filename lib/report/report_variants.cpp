#include "report/report_variants.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hemsim::detail {
namespace {

using Format = ReportCell::Format;

ReportCell value(double v, Format format) { return std::isfinite(v) ? ReportCell::number(v, format) : ReportCell::empty(); }

ReportCell icer(double v) {
  if (std::isinf(v)) return ReportCell::text("dominated");
  return value(v, Format::money);
}

}  // namespace

ReportSection variants_section(const VariantComparison& c) {
  ReportSection s{"named_scenarios", "Named scenarios", {}, {}, {}};
  const std::string effect = c.effect_measure == "life_years" ? "life-years" : "QALYs";
  s.paragraphs.push_back(fmt::format(
      "The base case and each scenario of the file, run with the same {} individuals and random numbers (seed {}), so that each "
      "scenario's change in incremental net benefit from the base case is a paired difference with a small Monte Carlo error. "
      "Increments are against each scenario's reference strategy, {} perspective, net benefit at {:.0f} {} per {}.",
      c.individuals, c.seed, c.perspective, c.willingness_to_pay, c.currency, effect == "QALYs" ? "QALY" : "life-year"));
  if (!c.overrides.empty()) {
    std::string set;
    for (const auto& [name, v] : c.overrides) set += (set.empty() ? "" : ", ") + name + " = " + v;
    s.paragraphs.push_back("Every scenario was run with these parameters set: " + set + ".");
  }
  ReportTable t{"named_scenarios",
                "Named scenarios side by side",
                "± columns are Monte Carlo standard errors; an empty change means the base case has no such comparison.",
                "Scenarios",
                true,
                {"Scenario", "Strategy", "Reference", "Incremental cost", "± MCSE", "Incremental " + effect, "± MCSE", "ICER",
                 "Incremental NMB", "± MCSE", "Change in INMB vs base", "± MCSE"},
                {}};
  for (const auto& v : c.variants)
    for (const auto& r : v.rows) {
      if (r.strategy == v.reference) continue;
      t.rows.push_back({ReportCell::text(v.label), ReportCell::text(r.label.empty() ? r.strategy : r.label), ReportCell::text(v.reference),
                        value(r.incremental_cost.mean, Format::money), value(r.incremental_cost.mcse, Format::money),
                        value(r.incremental_effect.mean, Format::effect), value(r.incremental_effect.mcse, Format::effect), icer(r.icer),
                        value(r.incremental_net_benefit.mean, Format::money), value(r.incremental_net_benefit.mcse, Format::money),
                        value(r.net_benefit_change.mean, Format::money), value(r.net_benefit_change.mcse, Format::money)});
    }
  s.tables.push_back(std::move(t));
  ReportTable why{"named_scenario_rationale", "What each scenario changes, and why", "", "", true, {"Scenario", "Label", "Rationale"}, {}};
  for (const auto& v : c.variants)
    if (v.name != "base") why.rows.push_back({ReportCell::text(v.name), ReportCell::text(v.label), ReportCell::text(v.rationale)});
  if (!why.rows.empty()) s.tables.push_back(std::move(why));
  return s;
}

}  // namespace hemsim::detail
