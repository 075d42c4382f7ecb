// The report's "One-way sensitivity analysis" and "Value-based price" sections
// (report_sections.hpp).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "hemsim/decision.hpp"
#include "hemsim/dsa_io.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results_io.hpp"
#include "report/report_answer.hpp"
#include "report/report_cells.hpp"
#include "report/report_charts.hpp"
#include "report/report_sections.hpp"
#include "report/report_style.hpp"

namespace hemsim::detail {

using namespace report_cells;

namespace {

// The tornado diagram of the largest swings (a slide holds about 15 bars; the table and
// the workbook have every parameter).
ReportChart tornado_chart(const OneWayAnalysis& a, const std::string& strategy, const std::string& comparator, const std::string& unit) {
  std::vector<std::size_t> by_swing(a.parameters.size());
  for (std::size_t i = 0; i < by_swing.size(); ++i) by_swing[i] = i;
  std::stable_sort(by_swing.begin(), by_swing.end(),
                   [&](std::size_t x, std::size_t y) { return a.parameters[x].net_benefit_swing > a.parameters[y].net_benefit_swing; });
  if (by_swing.size() > kMaxTornadoBars) by_swing.resize(kMaxTornadoBars);
  json values = json::array();
  int rank = 0;
  for (std::size_t i : by_swing) {
    const auto& p = a.parameters[i];
    const std::string full =
        fmt::format("{} ({:.6g} to {:.6g}){}", p.parameter, p.low_value, p.high_value, p.within_noise ? " [within noise]" : "");
    // Cut here, not by Vega: its width estimate without a browser (the figures) cuts
    // far earlier than the page would. The tooltip and the table keep the whole label.
    const std::string label = full.size() <= kMaxTornadoLabel ? full : full.substr(0, kMaxTornadoLabel - 1) + "\u2026";
    ++rank;
    values.push_back({{"parameter", label},
                      {"full", full},
                      {"rank", rank},
                      {"end", "Low value"},
                      {"base", a.base.incremental_net_benefit},
                      {"inmb", p.low.incremental_net_benefit}});
    values.push_back({{"parameter", label},
                      {"full", full},
                      {"rank", rank},
                      {"end", "High value"},
                      {"base", a.base.incremental_net_benefit},
                      {"inmb", p.high.incremental_net_benefit}});
  }
  json spec = base_spec(fmt::format("Tornado diagram: INMB of {} vs {}", strategy, comparator), 480,
                        std::max(120, 24 * static_cast<int>(by_swing.size())));
  const json y{{"field", "parameter"},
               {"type", "nominal"},
               {"title", nullptr},
               {"sort", {{"field", "rank"}, {"order", "ascending"}}},
               // Long labels end in an ellipsis (the tooltip and the table hold them whole).
               {"axis", {{"labelLimit", 0}, {"labelPadding", 6}}}};
  // Few enough ticks that amounts in the millions never run together.
  json x = quantitative("inmb", fmt::format("Incremental net monetary benefit ({})", unit));
  x["axis"] = {{"format", ",.0f"}, {"tickCount", 5}, {"labelOverlap", "greedy"}, {"labelFlush", true}};
  spec["layer"] = json::array({{{"data", {{"values", values}}},
                                {"mark", {{"type", "bar"}, {"height", 14}}},
                                {"encoding",
                                 {{"y", y},
                                  {"x", x},
                                  {"tooltip", json::array({{{"field", "full"}, {"title", "Parameter"}},
                                                           {{"field", "end"}, {"title", "At"}},
                                                           {{"field", "inmb"}, {"title", "INMB"}, {"format", ",.0f"}}})},
                                  {"x2", {{"field", "base"}}},
                                  {"color",
                                   {{"field", "end"},
                                    {"type", "nominal"},
                                    {"title", "Parameter at"},
                                    {"scale", {{"domain", {"Low value", "High value"}}, {"range", {"#4c78a8", "#f58518"}}}}}}}}},
                               {{"data", {{"values", json::array({{{"base", a.base.incremental_net_benefit}}})}}},
                                {"mark", {{"type", "rule"}, {"color", "black"}}},
                                {"encoding", {{"x", {{"field", "base"}, {"type", "quantitative"}}}}}}});
  return {"tornado", "Tornado diagram",
                      fmt::format("Bars run from the base-case INMB to the INMB at each end of a parameter's range{}.",
                                  by_swing.size() < a.parameters.size()
                                      ? fmt::format("; the {} largest swings of {} parameters (all are in the table)", by_swing.size(),
                                                    a.parameters.size())
                                      : std::string()),
                      dump(spec)};
}

// The one-way analysis: base case, the table of every parameter with the Monte Carlo
// errors of its ends and swing, and the tornado.
void add_one_way(ReportSection& s, const OneWayAnalysis& a, const std::string& strategy, const std::string& comparator,
                 const std::string& unit, const std::string& per) {
  s.paragraphs.push_back(fmt::format("Base case: incremental cost {:.2f}, incremental effect {:.6g}, ICER {:.2f}, INMB {:.2f} ({}).",
                                     a.base.incremental_cost, a.base.incremental_effect, a.base.icer, a.base.incremental_net_benefit,
                                     unit));
  ReportTable t{"one_way",
                "One-way sensitivity analysis (tornado data, largest swing first)",
                "",
                "DSA",
                true,
                {"Parameter", "Source", "Base value", "Low value", "High value", fmt::format("ICER at low ({})", per),
                 fmt::format("ICER at high ({})", per), fmt::format("INMB at low ({})", unit), fmt::format("INMB at high ({})", unit),
                 fmt::format("Swing in INMB ({})", unit), fmt::format("MCSE of INMB change at low ({})", unit),
                 fmt::format("MCSE of INMB change at high ({})", unit), fmt::format("MCSE of swing ({})", unit), "Within noise"},
                {}};
  std::size_t within = 0, no_effect = 0;
  bool recorded = false;
  for (const auto& p : a.parameters) {
    const std::string noise = p.within_noise                              ? "swing"
                              : p.low_within_noise && p.high_within_noise ? "both ends"
                              : p.low_within_noise                        ? "low end"
                              : p.high_within_noise                       ? "high end"
                                                                          : "";
    within += p.within_noise ? 1 : 0;
    no_effect += p.net_benefit_swing == 0 && p.swing_mcse == 0 ? 1 : 0;
    recorded = recorded || std::isfinite(p.swing_mcse);
    t.rows.push_back({text(p.parameter), text(p.source), plain(p.base_value), plain(p.low_value), plain(p.high_value), money(p.low.icer),
                      money(p.high.icer), money(p.low.incremental_net_benefit), money(p.high.incremental_net_benefit),
                      money(p.net_benefit_swing), money(p.low_change_mcse), money(p.high_change_mcse), money(p.swing_mcse), text(noise)});
  }
  if (recorded)
    s.paragraphs.push_back(fmt::format(
        "Monte Carlo error: each end's change in INMB from the base case and each swing carry their Monte Carlo standard error (MCSE), "
        "paired over the individuals the runs share (base-case INMB {:.2f} ± {:.2f}). {} of {} swings are within noise (no larger "
        "than 2 MCSE{}){}: for those parameters the simulation cannot tell the effect from zero, and a larger sample is needed "
        "before reading their order in the tornado.",
        a.base.incremental_net_benefit, a.base.incremental_net_benefit_mcse, within, a.parameters.size(),
        within ? "; marked \"swing\" in the table and \"[within noise]\" in the diagram" : "",
        no_effect ? fmt::format(", {} of them exactly 0 (the parameter does not affect this comparison)", no_effect) : std::string()));
  s.tables.push_back(std::move(t));
  s.charts.push_back(tornado_chart(a, strategy, comparator, unit));
}

// The named scenarios' incremental results and their change from the base case.
void add_variants(ReportSection& s, const DsaReport& r, const Names& names, const std::string& unit, const std::string& per) {
  ReportTable t{"scenario_analyses",
                "Scenario analyses",
                "",
                "Scenarios",
                true,
                {"Scenario", fmt::format("Incremental cost ({})", unit), "Incremental effect", fmt::format("ICER ({})", per),
                 fmt::format("INMB ({})", unit), "Optimal strategy", fmt::format("MCSE of INMB ({})", unit),
                 fmt::format("Change in INMB from base ({})", unit), fmt::format("MCSE of change ({})", unit)},
                {}};
  for (const auto& v : r.variants)
    t.rows.push_back({text(v.name), money(v.evaluation.incremental_cost), effect(v.evaluation.incremental_effect),
                      money(v.evaluation.icer), money(v.evaluation.incremental_net_benefit),
                      text(names(r.strategies.at(static_cast<std::size_t>(v.evaluation.optimal_strategy)))),
                      money(v.evaluation.incremental_net_benefit_mcse), money(v.net_benefit_change), money(v.net_benefit_change_mcse)});
  s.tables.push_back(std::move(t));
}

// The two-way grid: INMB per cell, and a map of the optimal strategy.
void add_two_way(ReportSection& s, const DsaReport& r, const Names& names, const std::string& strategy, const std::string& comparator,
                 const std::string& unit, const std::string& per) {
  const TwoWayAnalysis& g = *r.two_way;
  ReportTable t{"two_way", fmt::format("Two-way analysis: INMB over {} (rows) and {} (columns)", g.parameter_a, g.parameter_b),
                "",        "Two-way",
                true,      {g.parameter_a + " \\ " + g.parameter_b},
                {}};
  for (double b : g.values_b) t.columns.push_back(fmt::format("{:.6g}", b));
  for (std::size_t i = 0; i < g.values_a.size(); ++i) {
    std::vector<ReportCell> row{plain(g.values_a[i])};
    for (std::size_t j = 0; j < g.values_b.size(); ++j) row.push_back(money(g.incremental_net_benefit[i][j]));
    t.rows.push_back(std::move(row));
  }
  s.tables.push_back(std::move(t));
  double largest_mcse = -1;
  for (const auto& row : g.incremental_net_benefit_mcse)
    for (double m : row)
      if (std::isfinite(m)) largest_mcse = std::max(largest_mcse, m);
  if (largest_mcse >= 0)
    s.paragraphs.push_back(fmt::format("Two-way analysis: the Monte Carlo standard error of INMB is at most {:.2f} {} over the grid.",
                                       largest_mcse, unit));
  // The grid as a map: each cell coloured by the optimal strategy, labelled with INMB.
  json values = json::array();
  std::vector<std::string> a_order, b_order;
  for (double a : g.values_a) a_order.push_back(fmt::format("{:.6g}", a));
  for (double b : g.values_b) b_order.push_back(fmt::format("{:.6g}", b));
  for (std::size_t i = 0; i < g.values_a.size(); ++i)
    for (std::size_t j = 0; j < g.values_b.size(); ++j)
      values.push_back({{"a", a_order[i]},
                        {"b", b_order[j]},
                        {"optimal", names(r.strategies.at(static_cast<std::size_t>(g.optimal_strategy[i][j])))},
                        {"inmb", g.incremental_net_benefit[i][j]}});
  std::vector<std::string> all_labels, optimal;
  for (const auto& n : r.strategies) all_labels.push_back(names(n));
  for (const auto& v : values)
    if (std::find(optimal.begin(), optimal.end(), v["optimal"].get<std::string>()) == optimal.end())
      optimal.push_back(v["optimal"].get<std::string>());
  json spec = base_spec(fmt::format("Two-way analysis: optimal strategy and INMB ({})", unit), 420, 300);
  spec["data"] = {{"values", values}};
  const json x{
      {"field", "b"}, {"type", "ordinal"}, {"title", g.parameter_b}, {"sort", b_order}, {"axis", {{"labelAngle", 0}, {"grid", false}}}};
  const json y{{"field", "a"}, {"type", "ordinal"}, {"title", g.parameter_a}, {"sort", a_order}, {"axis", {{"grid", false}}}};
  spec["layer"] =
      json::array({{{"mark", {{"type", "rect"}, {"stroke", "white"}, {"fillOpacity", 0.35}}},
                    {"encoding",
                     {{"x", x},
                      {"y", y},
                      {"color", detail::StrategyColours(all_labels).encoding("optimal", optimal, "Optimal strategy")}}}},
                   {{"mark", {{"type", "text"}, {"fontSize", 10}}},
                    {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "inmb"}, {"type", "quantitative"}, {"format", ",.0f"}}}}}}});
  s.charts.push_back({"two_way", "Two-way analysis",
                      fmt::format("Cells: the strategy with the highest net benefit at {:.0f} {}; numbers: INMB of {} vs {}.",
                                  r.willingness_to_pay, per, strategy, comparator),
                      dump(spec)});
}

// Where the optimal strategy changes along the threshold parameter, with its error.
void add_threshold(ReportSection& s, const DsaReport& r, const Names& names) {
  const ThresholdResult& t = *r.threshold;
  const std::string error =
      t.threshold && std::isfinite(t.threshold_mcse)
          ? fmt::format(" ± {:.4g} (Monte Carlo standard error by the delta method; 95 % interval {:.6g} to {:.6g})", t.threshold_mcse,
                        *t.threshold - 1.96 * t.threshold_mcse, *t.threshold + 1.96 * t.threshold_mcse)
          : std::string();
  s.paragraphs.push_back(t.threshold
                             ? fmt::format("Threshold analysis: at {} = {:.6g}{} the optimal strategy changes from {} to {}.", t.parameter,
                                           *t.threshold, error, names(r.strategies.at(static_cast<std::size_t>(t.optimal_below))),
                                           names(r.strategies.at(static_cast<std::size_t>(t.optimal_above))))
                             : fmt::format("Threshold analysis: {} is optimal over the whole range of {}.",
                                           names(r.strategies.at(static_cast<std::size_t>(t.optimal_below))), t.parameter));
}

}  // namespace

ReportSection dsa_section(const DsaReport& r, const Names& names, const std::string& unit, const std::string& per) {
  ReportSection s{"dsa", "Deterministic sensitivity analysis", {}, {}, {}};
  const std::string strategy = names(r.strategies.at(static_cast<std::size_t>(r.strategy)));
  const std::string comparator = names(r.strategies.at(static_cast<std::size_t>(r.comparator)));
  s.paragraphs.push_back(fmt::format("{} compared with {}; incremental net monetary benefit (INMB) at a threshold of {:.0f} {}.", strategy,
                                     comparator, r.willingness_to_pay, per));
  if (r.one_way && !r.one_way->parameters.empty()) add_one_way(s, *r.one_way, strategy, comparator, unit, per);
  if (!r.variants.empty()) add_variants(s, r, names, unit, per);
  if (r.two_way) add_two_way(s, r, names, strategy, comparator, unit, per);
  if (r.threshold) add_threshold(s, r, names);
  return s;
}

ReportSection price_section(const DsaReport& r, const Names& names, const std::string& unit, const std::string& per) {
  ReportSection s{"price", "Value-based price", {}, {}, {}};
  const std::string strategy = names(r.strategies.at(static_cast<std::size_t>(r.strategy)));
  s.paragraphs.push_back(
      fmt::format("The value of the price parameter {} of {} at which its ICER against the next best strategy equals each threshold "
                  "(it is cost-effective at any lower price){}.",
                  r.price_parameter, strategy, r.perspective.empty() ? std::string() : ", costs in the " + r.perspective + " perspective"));
  ReportTable t{"value_based_price",
                "Value-based price",
                "",
                "Price",
                true,
                {fmt::format("WTP ({})", per), fmt::format("Price ({})", r.price_parameter), "Next best strategy",
                 fmt::format("Check: ICER at that price ({})", per), fmt::format("MCSE of price ({})", unit),
                 fmt::format("95 % interval, low ({})", unit), fmt::format("95 % interval, high ({})", unit),
                 fmt::format("MCSE of ICER at that price ({})", per)},
                {}};
  bool recorded = false;
  for (const auto& p : r.prices) {
    recorded = recorded || std::isfinite(p.price_mcse);
    t.rows.push_back({money(p.willingness_to_pay), money(p.price), text(names(r.strategies.at(static_cast<std::size_t>(p.next_best)))),
                      money(p.check_icer), money(p.price_mcse), money(p.price_low95()), money(p.price_high95()), money(p.check_icer_mcse)});
  }
  s.tables.push_back(std::move(t));
  if (recorded)
    s.paragraphs.push_back(
        "Each price carries its Monte Carlo standard error (MCSE), by the delta method on price = base price + INMB / slope, paired over "
        "the individuals the runs share; the 95 % interval is the price ± 1.96 MCSE. It covers the noise of the simulation only (not "
        "parameter uncertainty) and takes the next best strategy as given; prices from runs of different sizes should agree within "
        "their intervals.");
  if (!r.probabilistic_prices.empty()) {
    ReportTable q{"probabilistic_price",
                  "Price at which the probability of being cost-effective reaches a level",
                  "",
                  "Price (probabilistic)",
                  true,
                  {fmt::format("WTP ({})", per), "Probability", fmt::format("Price ({})", r.price_parameter)},
                  {}};
    for (const auto& level : r.probabilistic_prices)
      for (std::size_t i = 0; i < level.prices.size() && i < level.probabilities.size(); ++i)
        q.rows.push_back({money(level.willingness_to_pay), probability(level.probabilities[i]), money(level.prices[i])});
    s.tables.push_back(std::move(q));
  }
  if (!r.headroom.empty()) {
    json values = json::array(), marks = json::array();
    for (const auto& p : r.headroom)
      values.push_back({{"wtp", p.willingness_to_pay},
                        {"price", p.price},
                        {"low", std::isfinite(p.price_mcse) ? p.price_low95() : p.price},
                        {"high", std::isfinite(p.price_mcse) ? p.price_high95() : p.price}});
    for (const auto& p : r.prices) marks.push_back({{"wtp", p.willingness_to_pay}, {"price", p.price}});
    json spec = base_spec("Headroom: value-based price of " + strategy);
    std::vector<std::string> all_labels;
    for (const auto& n : r.strategies) all_labels.push_back(names(n));
    const std::string colour = detail::StrategyColours(all_labels).colour(strategy);  // the priced strategy's
    const json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
    const json y = quantitative("price", fmt::format("Value-based price, {} ({})", r.price_parameter, unit), ",.0f");
    // The 95 % Monte Carlo band under the line (zero width for a cohort run).
    spec["layer"] =
        json::array({{{"data", {{"values", values}}},
                      {"mark", {{"type", "area"}, {"opacity", 0.25}, {"color", colour}}},
                      {"encoding", {{"x", x}, {"y", quantitative("low", fmt::format("Value-based price, {} ({})", r.price_parameter, unit), ",.0f")},
                                    {"y2", {{"field", "high"}}}}}},
                     {{"data", {{"values", values}}},
                      {"mark", {{"type", "line"}, {"strokeWidth", 2}, {"color", colour}}},
                      {"encoding", {{"x", x}, {"y", y}}}},
                     {{"data", {{"values", marks}}},
                      {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}, {"color", "black"}}},
                      {"encoding", {{"x", x}, {"y", y}}}}});
    s.charts.push_back(
        {"headroom", "Headroom curve",
         "The maximum price at which the strategy remains cost-effective, by threshold; the band is its 95 % Monte Carlo interval.", dump(spec)});
    ReportTable h{"headroom",
                  "Headroom curve",
                  "",
                  "Headroom",
                  false,
                  {fmt::format("WTP ({})", per), fmt::format("Price ({})", r.price_parameter), fmt::format("MCSE of price ({})", unit),
                   fmt::format("95 % interval, low ({})", unit), fmt::format("95 % interval, high ({})", unit)},
                  {}};
    for (const auto& p : r.headroom)
      h.rows.push_back({money(p.willingness_to_pay), money(p.price), money(p.price_mcse), money(p.price_low95()), money(p.price_high95())});
    s.tables.push_back(std::move(h));
  }
  return s;
}

}  // namespace hemsim::detail
