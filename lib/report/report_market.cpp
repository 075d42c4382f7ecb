// The report's "Market and budget impact" section: costs by year of every strategy, and
// when the scenario has a `market:` section, the eligible-population funnel with its
// sources, the budget impact by year (table and chart), revenue, the royalty NPV and the
// population net monetary benefit.

#include "report/report_market.hpp"

#include "core/quantile.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>

namespace hemsim::detail {
namespace {

using Format = ReportCell::Format;
using nlohmann::json;

ReportCell value(double v, Format format) { return std::isfinite(v) ? ReportCell::number(v, format) : ReportCell::empty(); }

ReportTable costs_by_year_table(const RunResults& run) {
  ReportTable t{"costs_by_year", "Costs and outcomes by model year",
                "Mean per individual; year y holds the cycles that start in it (docs/methods.md, \"Costs and outcomes by year\").",
                "Costs by year", false, {"Strategy", "Year"}, {}};
  for (const auto& p : run.perspectives) {
    t.columns.push_back("Cost " + p + " (undiscounted)");
    t.columns.push_back("Cost " + p + " (discounted)");
  }
  for (const auto& c : run.cost_categories) t.columns.push_back("Cost category " + c + " (undiscounted)");
  t.columns.insert(t.columns.end(), {"QALYs (undiscounted)", "QALYs (discounted)", "Life-years (undiscounted)", "Life-years (discounted)"});
  for (const auto& s : run.strategies)
    for (std::size_t y = 0; y < s.by_year.size(); ++y) {
      const YearOutcomes& year = s.by_year[y];
      std::vector<ReportCell> row{ReportCell::text(s.label.empty() ? s.name : s.label), ReportCell::number(static_cast<double>(y + 1), Format::integer)};
      for (const auto& c : year.costs_by_perspective) {
        row.push_back(value(c.undiscounted, Format::money));
        row.push_back(value(c.discounted, Format::money));
      }
      for (const auto& c : year.costs_by_category) row.push_back(value(c.undiscounted, Format::money));
      for (const auto* v : {&year.qalys, &year.life_years}) {
        row.push_back(value(v->undiscounted, Format::effect));
        row.push_back(value(v->discounted, Format::effect));
      }
      t.rows.push_back(std::move(row));
    }
  return t;
}

ReportTable funnel_table(const MarketResults& m) {
  ReportTable t{"market_funnel", "Eligible population", "Each step is a proportion of the one above; [A] marks an assumption.",
                "Market funnel", true, {"Step", "Proportion", "People", "Source"}, {}};
  for (const auto& f : m.funnel)
    t.rows.push_back({ReportCell::text(f.label + (f.assumption ? " [A]" : "")),
                      f.name == "population" ? ReportCell::empty() : value(f.proportion, Format::probability), value(f.people, Format::integer),
                      ReportCell::text(f.source)});
  return t;
}

ReportTable budget_impact_table(const MarketResults& m, const std::string& currency) {
  ReportTable t{"budget_impact", "Budget impact by year",
                fmt::format("Undiscounted {} costs of the patients switched to {} (each cohort followed through its own years since "
                            "starting), against the same patients on the current mix; revenue at {:.0f} {} per dose.",
                            m.perspective, m.strategy, m.price, currency),
                "Budget impact", true,
                {"Year", "Calendar year", "Eligible", "Uptake", "Treated", "Cost, current mix", "Cost, new mix", "Budget impact", "Revenue",
                 "Royalty", "Royalty (discounted)"},
                {}};
  for (const auto& y : m.years)
    t.rows.push_back({ReportCell::number(y.year, Format::integer),
                      y.calendar_year ? ReportCell::number(y.calendar_year, Format::integer) : ReportCell::empty(),
                      value(y.eligible, Format::integer), value(y.uptake, Format::probability), value(y.treated, Format::integer),
                      value(y.cost_current, Format::money), value(y.cost_new, Format::money), value(y.budget_impact, Format::money),
                      value(y.revenue, Format::money), value(y.royalty, Format::money), value(y.royalty_discounted, Format::money)});
  return t;
}

ReportTable value_table(const MarketResults& m) {
  ReportTable t{"market_value", "Population net benefit and licence value",
                "Per-patient INMB against the current mix (discounted, ± Monte Carlo standard error) times the patients treated over "
                "the market years.",
                "Market value", true, {"Measure", "Willingness to pay", "Value", "± MCSE"}, {}};
  for (std::size_t i = 0; i < m.willingness_to_pay.size(); ++i) {
    t.rows.push_back({ReportCell::text("INMB per patient"), value(m.willingness_to_pay[i], Format::money),
                      value(m.inmb_per_patient[i], Format::money), value(m.inmb_per_patient_mcse[i], Format::money)});
    t.rows.push_back({ReportCell::text("Population NMB"), value(m.willingness_to_pay[i], Format::money),
                      value(m.population_nmb[i], Format::money), value(m.population_nmb_mcse[i], Format::money)});
  }
  t.rows.push_back({ReportCell::text("Budget impact, all market years"), ReportCell::empty(), value(m.budget_impact_total, Format::money),
                    ReportCell::empty()});
  t.rows.push_back({ReportCell::text("Revenue, all market years"), ReportCell::empty(), value(m.revenue_total, Format::money), ReportCell::empty()});
  t.rows.push_back({ReportCell::text(fmt::format("Royalty NPV ({:.4g} % royalty, {:.4g} % discount)", 100 * m.royalty_rate, 100 * m.discount_rate)),
                    ReportCell::empty(), value(m.royalty_npv, Format::money), ReportCell::empty()});
  return t;
}

ReportChart budget_impact_chart(const MarketResults& m, const std::string& currency) {
  json values = json::array();
  for (const auto& y : m.years) values.push_back({{"year", y.year}, {"budget_impact", y.budget_impact}});
  json spec{{"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
            {"title", {{"text", "Budget impact by year"}, {"anchor", "start"}, {"fontSize", 14}}},
            {"width", 420},
            {"height", 260},
            {"background", "white"},
            {"config", {{"font", "DejaVu Sans, Helvetica, Arial, sans-serif"}, {"view", {{"stroke", nullptr}}}}},
            {"data", {{"values", values}}},
            {"mark", {{"type", "bar"}, {"color", "#4c78a8"}}},
            {"encoding",
             {{"x", {{"field", "year"}, {"type", "ordinal"}, {"title", "Year after launch"}}},
              {"y", {{"field", "budget_impact"}, {"type", "quantitative"}, {"title", fmt::format("Budget impact ({}, undiscounted)", currency)}}}}}};
  return {"budget_impact", "Budget impact by year", "New mix minus current mix, payer perspective, undiscounted.", spec.dump()};
}

// The market's measures over the PSA draws: mean and 95 % interval (2.5th and 97.5th
// percentiles of the draws in which the market's strategies were run).
ReportTable market_uncertainty_table(const PsaResults& psa) {
  ReportTable t{"market_psa", "Market and licence value under uncertainty (PSA)",
                fmt::format("Over {} draws of the probabilistic sensitivity analysis: the mean and the 2.5th and 97.5th percentiles.", psa.draws),
                "Market PSA", true, {"Measure", "Mean", "2.5 %", "97.5 %"}, {}};
  for (std::size_t j = 0; j < psa.market_measures.size(); ++j)
    if (const auto i = finite_draw_interval(psa.market.col(static_cast<Eigen::Index>(j))))
      t.rows.push_back({ReportCell::text(psa.market_measures[j]), value(i->mean, Format::money), value(i->low, Format::money),
                        value(i->high, Format::money)});
  return t;
}

}  // namespace

std::optional<ReportSection> market_section(const RunResults& run, const PsaResults* psa) {
  const bool has_years = !run.strategies.empty() && !run.strategies.front().by_year.empty();
  if (!has_years && !run.market) return std::nullopt;
  ReportSection s{"market", run.market ? "Market and budget impact" : "Costs and outcomes by year", {}, {}, {}};
  if (run.market) {
    const MarketResults& m = *run.market;
    std::string mix;
    for (const auto& [name, share] : m.current_mix) mix += fmt::format("{}{} {:.0f} %", mix.empty() ? "" : ", ", name, 100 * share);
    s.paragraphs.push_back(fmt::format(
        "Budget impact (ISPOR good practice, Sullivan et al. 2014) of {} displacing the current mix ({}), {} perspective, from the "
        "model's own undiscounted costs by year. {} eligible patients ({} basis).",
        m.strategy, mix, m.perspective, fmt::format("{:.0f}", m.eligible_per_year), m.basis));
    s.tables.push_back(funnel_table(m));
    s.tables.push_back(budget_impact_table(m, run.currency));
    s.tables.push_back(value_table(m));
    s.charts.push_back(budget_impact_chart(m, run.currency));
    if (psa && !psa->market_measures.empty()) s.tables.push_back(market_uncertainty_table(*psa));
  }
  if (has_years) {
    s.paragraphs.push_back(
        "Costs, QALYs and life-years of every strategy by model year (mean per individual; a year holds the cycles that start in "
        "it) are in the workbook's sheet \"Costs by year\" and in costs_by_year.csv.");
    s.tables.push_back(costs_by_year_table(run));
  }
  return s;
}

}  // namespace hemsim::detail
