// The report's "Probabilistic sensitivity analysis" section (report_sections.hpp).

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>

#include "hemsim/decision.hpp"
#include "hemsim/dsa_io.hpp"
#include "hemsim/precision.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results_io.hpp"
#include "report/report_answer.hpp"
#include "report/report_cells.hpp"
#include "report/report_charts.hpp"
#include "report/report_sections.hpp"
#include "report/report_style.hpp"

namespace hemsim::detail {
namespace {

using namespace report_cells;

// How much of the spread across draws is Monte Carlo noise (O'Hagan et al. 2007), for
// each strategy and each increment against the reference; none for a cohort PSA.
std::optional<ReportTable> noise_table(const PsaResults& p, const Names& names) {
  const NoiseShares noise = noise_shares(p);
  if (noise.strategies.empty()) return std::nullopt;
  ReportTable t{"psa_noise",
                "Share of the spread across draws that is Monte Carlo noise",
                fmt::format("Mean squared MCSE over the variance of the draws' means (O'Hagan et al. 2007); above {:.0f} % the "
                            "inner sample ({} individuals) is too small for what the row measures.",
                            100 * noise.warning_share, p.individuals),
                "PSA noise",
                true,
                {"What", "Strategy", "Costs", effect_plural(p.effect_measure)},
                {}};
  for (const auto& row : noise.strategies)
    t.rows.push_back({text("Strategy"), text(names(row.strategy)), probability(row.costs), probability(row.effects)});
  for (const auto& row : noise.increments)
    t.rows.push_back({text("Increment against " + names(p.strategies[static_cast<std::size_t>(p.reference)])), text(names(row.strategy)),
                      probability(row.costs), probability(row.effects)});
  return t;
}

// How `psa --max-noise-share` sized the inner sample (inner_sample.json): a paragraph on
// the target and the pilots, and per increment the variances and the individuals each
// needed (docs/methods.md, "Precision targets").
void add_sizing(ReportSection& s, const InnerSampleSize& size, const PsaResults& p, const Names& names) {
  std::string pilots;
  for (const std::uint64_t n : size.pilot_individuals) pilots += fmt::format("{}{}", pilots.empty() ? "" : ", then ", n);
  s.paragraphs.push_back(fmt::format(
      "The inner sample was sized for Monte Carlo noise of at most {:.3g} % of each increment's spread across draws: pilot PSAs of "
      "{} draws{}, each parameter variance taken at its lower {:.3g} % confidence bound. {} individuals per draw{}.",
      100 * size.max_share, size.pilot_draws, pilots.empty() ? "" : " with " + pilots + " individuals", 100 * size.confidence,
      size.individuals, size.capped ? " (capped by --max-individuals: the target is not met)" : ""));
  ReportTable t{"psa_sizing",
                "How the inner sample was sized",
                "Per individual, the variance of the increment within a draw; across draws, the variance of the increment's true "
                "mean (estimate and lower bound). Individuals needed = within × (1 − share) / (share × lower bound).",
                "PSA sizing",
                true,
                {"Strategy", "Against", "Measure", "Within (per individual)", "Across draws (estimate)", "Lower bound", "Pilot noise share",
                 "Individuals needed"},
                {}};
  const std::string reference = names(p.strategies[static_cast<std::size_t>(p.reference)]);
  for (const auto& inc : size.increments)
    t.rows.push_back({text(names(inc.strategy)), text(reference), text(to_string(inc.measure)), plain(inc.within_variance),
                      plain(inc.parameter_variance), plain(inc.parameter_lower), probability(inc.pilot_noise_share),
                      inc.reachable() ? integer(inc.needed) : text("unreachable")});
  s.tables.push_back(std::move(t));
}

// The cost-effectiveness plane: each draw's incremental cost and effect against the
// reference, the means, and the thresholds as lines through the origin, clipped to the
// cloud.
ReportChart ce_plane_chart(const PsaResults& p, const Eigen::MatrixXd& costs, const std::vector<std::string>& order,
                           const StrategyColours& colours, const std::vector<double>& thresholds, const std::string& unit,
                           const std::string& suffix, const std::string& id_suffix) {
  const auto K = static_cast<Eigen::Index>(p.strategies.size());
  const Eigen::Index D = p.effects.rows();
  json points = json::array(), means = json::array();
  double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
  for (Eigen::Index k = 0; k < K; ++k) {
    if (k == p.reference) continue;
    double sx = 0, sy = 0;
    for (Eigen::Index d = 0; d < D; ++d) {
      const double dx = p.effects(d, k) - p.effects(d, p.reference), dy = costs(d, k) - costs(d, p.reference);
      sx += dx, sy += dy;
      if (d >= kMaxPlaneDraws) continue;
      points.push_back({{"strategy", order[static_cast<std::size_t>(k)]}, {"draw", d + 1}, {"delta_effect", dx}, {"delta_cost", dy}});
      xmin = std::min(xmin, dx), xmax = std::max(xmax, dx), ymin = std::min(ymin, dy), ymax = std::max(ymax, dy);
    }
    means.push_back({{"strategy", order[static_cast<std::size_t>(k)]},
                     {"delta_effect", sx / static_cast<double>(D)},
                     {"delta_cost", sy / static_cast<double>(D)}});
  }
  // An explicit window (the cloud and the origin, 5 % margin) so that the threshold
  // labels can be placed where Vega will draw them.
  const double mx = 0.05 * std::max(xmax - xmin, 1e-12), my = 0.05 * std::max(ymax - ymin, 1e-9);
  const detail::PlotFrame frame{xmin - mx, xmax + mx, ymin - my, ymax + my, 560, 340};
  json lines = json::array();
  for (double w : thresholds) {
    if (!(w > 0)) continue;
    const double x0 = std::max(frame.x0, frame.y0 / w), x1 = std::min(frame.x1, frame.y1 / w);
    if (!(x0 < x1)) continue;
    const std::string label = detail::threshold_label(w);
    lines.push_back({{"threshold", label}, {"delta_effect", x0}, {"delta_cost", w * x0}});
    lines.push_back({{"threshold", label}, {"delta_effect", x1}, {"delta_cost", w * x1}});
  }
  json spec = base_spec("Cost-effectiveness plane" + suffix);
  json x = quantitative("delta_effect",
                        "Incremental " + effect_plural(p.effect_measure) + " vs " + order[static_cast<std::size_t>(p.reference)]);
  json y = quantitative("delta_cost", fmt::format("Incremental cost ({})", unit), ",.0f");
  x["scale"] = {{"domain", {frame.x0, frame.x1}}, {"nice", false}, {"zero", false}};
  y["scale"] = {{"domain", {frame.y0, frame.y1}}, {"nice", false}, {"zero", false}};
  std::vector<std::string> compared;
  for (Eigen::Index k = 0; k < K; ++k)
    if (k != p.reference) compared.push_back(order[static_cast<std::size_t>(k)]);
  json layers = json::array();
  layers.push_back({{"data", {{"values", points}}},
                    {"mark", {{"type", "point"}, {"filled", true}, {"size", 14}, {"opacity", 0.45}}},
                    {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", compared)}}}});
  if (!lines.empty()) {
    layers.push_back({{"data", {{"values", lines}}},
                      {"mark", {{"type", "line"}, {"color", "#444"}, {"strokeDash", {6, 4}}, {"strokeWidth", 1.2}}},
                      {"encoding", {{"x", x}, {"y", y}, {"detail", {{"field", "threshold"}, {"type", "nominal"}}}}}});
    layers.push_back(detail::threshold_label_layer(detail::ce_plane_threshold_labels(thresholds, frame), x, y));
  }
  layers.push_back(
      {{"data", {{"values", means}}},
       {"mark", {{"type", "point"}, {"shape", "diamond"}, {"size", 120}, {"filled", true}, {"stroke", "black"}, {"strokeWidth", 1}}},
       {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", compared)}}}});
  layers.push_back({{"mark", {{"type", "rule"}, {"color", "#888"}}},
                    {"data", {{"values", json::array({json::object()})}}},
                    {"encoding", {{"y", {{"datum", 0}}}}}});
  layers.push_back({{"mark", {{"type", "rule"}, {"color", "#888"}}},
                    {"data", {{"values", json::array({json::object()})}}},
                    {"encoding", {{"x", {{"datum", 0}}}}}});
  spec["layer"] = layers;
  return {"ce_plane" + id_suffix, "Cost-effectiveness plane" + suffix,
          fmt::format("Each point is one parameter draw{}; diamonds are the means of all {} draws; dashed lines are the "
                      "willingness-to-pay thresholds.",
                      D > kMaxPlaneDraws ? fmt::format(" (the first {} are drawn)", kMaxPlaneDraws) : std::string(), D),
          dump(spec)};
}

// The acceptability curves, with the scenario's thresholds marked.
ReportChart ceac_chart(const json& ceac_values, const std::vector<double>& grid, const std::vector<double>& thresholds,
                       const StrategyColours& colours, const std::string& per, const std::string& suffix, const std::string& id_suffix) {
  json rules = json::array();
  for (double w : thresholds) rules.push_back({{"wtp", w}});
  json spec = base_spec("Cost-effectiveness acceptability curves" + suffix);
  json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
  json y = quantitative("probability", "Probability cost-effective");
  x["scale"] = {{"domain", {grid.front(), grid.back()}}, {"nice", false}, {"zero", false}};
  y["scale"] = {{"domain", {0, 1}}, {"nice", false}};
  y["axis"] = detail::percent_axis(0, 1);
  const detail::PlotFrame frame{grid.front(), grid.back(), 0, 1, 560, 340};
  spec["layer"] = json::array({{{"data", {{"values", ceac_values}}},
                                {"mark", {{"type", "line"}, {"strokeWidth", 2}}},
                                {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy")}}}},
                               {{"data", {{"values", rules}}},
                                {"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", "#666"}}},
                                {"encoding", {{"x", {{"field", "wtp"}, {"type", "quantitative"}}}}}},
                               detail::threshold_label_layer(detail::rule_threshold_labels(thresholds, frame), x, y)});
  return {"ceac" + id_suffix, "CEAC" + suffix,
                      "Probability that each strategy has the highest net monetary benefit; dashed: the scenario's thresholds.",
                      dump(spec)};
}

// The acceptability frontier: the strategy with the highest expected net benefit at each
// threshold and its probability of being cost-effective.
ReportChart ceaf_chart(const json& ceaf_values, const StrategyColours& colours, const std::string& per, const std::string& suffix,
                       const std::string& id_suffix) {
  json spec = base_spec("Cost-effectiveness acceptability frontier" + suffix);
  const json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
  json y = quantitative("probability", "Probability optimal is cost-effective");
  y["scale"] = {{"domain", {0, 1}}};
  y["axis"] = detail::percent_axis(0, 1);
  std::vector<std::string> optimal;  // the strategies the frontier passes through
  for (const auto& v : ceaf_values)
    if (std::find(optimal.begin(), optimal.end(), v["strategy"].get<std::string>()) == optimal.end())
      optimal.push_back(v["strategy"].get<std::string>());
  spec["layer"] = json::array({{{"data", {{"values", ceaf_values}}},
                                {"mark", {{"type", "line"}, {"color", "#999"}, {"strokeWidth", 1}}},
                                {"encoding", {{"x", x}, {"y", y}}}},
                               {{"data", {{"values", ceaf_values}}},
                                {"mark", {{"type", "point"}, {"filled", true}, {"size", 30}}},
                                {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", optimal, "Optimal strategy")}}}}});
  return {"ceaf" + id_suffix, "CEAF" + suffix,
       "The strategy with the highest expected net benefit at each threshold and its probability of being cost-effective.",
       dump(spec)};
}

// The expected value of perfect information per person, over the threshold grid.
ReportChart evpi_chart(const json& evpi_values, const std::string& per, const std::string& unit, const std::string& suffix,
                       const std::string& id_suffix) {
  json spec = base_spec("Expected value of perfect information" + suffix);
  spec["data"] = {{"values", evpi_values}};
  spec["mark"] = {{"type", "line"}, {"strokeWidth", 2}, {"color", "#1f77b4"}};
  spec["encoding"] = {{"x", quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f")},
                      {"y", quantitative("evpi", fmt::format("EVPI per person ({})", unit), ",.0f")}};
  return {"evpi" + id_suffix, "EVPI" + suffix,
                      "Per person; multiply by the effective population for the value of further research.", dump(spec)};
}

// The EVPPI table and its bars: computed at a few thresholds only, so bars per threshold,
// not a curve.
void add_evppi(ReportSection& s, const std::vector<ReportInputs::EvppiRow>& evppi, const std::string& per, const std::string& unit) {
  ReportTable t{"evppi", "Expected value of partial perfect information (first perspective)",
                "",      "EVPPI",
                true,    {"Parameters", "Method", "WTP (" + per + ")", fmt::format("EVPPI per person ({})", unit), "Standard error"},
                {}};
  json values = json::array();
  std::vector<std::string> thresholds_seen;
  for (const auto& row : evppi) {
    t.rows.push_back({text(row.parameters), text(row.method), money(row.wtp), money(row.evppi), money(row.standard_error)});
    const std::string at = integer(row.wtp).as_text();
    if (std::find(thresholds_seen.begin(), thresholds_seen.end(), at) == thresholds_seen.end()) thresholds_seen.push_back(at);
    values.push_back({{"parameters", row.parameters},
                      {"wtp", at},
                      {"evppi", row.evppi},
                      {"low", std::max(0.0, row.evppi - 1.96 * row.standard_error)},
                      {"high", row.evppi + 1.96 * row.standard_error}});
  }
  s.tables.push_back(std::move(t));
  // EVPPI is computed at a few thresholds only: bars per threshold, not a curve.
  json spec = base_spec("Expected value of partial perfect information");
  const json x{{"field", "wtp"},
               {"type", "ordinal"},
               {"title", "Willingness to pay (" + per + ")"},
               {"sort", thresholds_seen},
               {"axis", {{"labelAngle", 0}}}};
  const json offset{{"field", "parameters"}, {"type", "nominal"}};
  spec["data"] = {{"values", values}};
  spec["layer"] = json::array(
      {{{"mark", {{"type", "bar"}}},
        {"encoding",
         {{"x", x},
          {"xOffset", offset},
          {"y", quantitative("evppi", fmt::format("EVPPI per person ({})", unit), ",.0f")},
          {"color", nominal("parameters", "Parameters")}}}},
       {{"mark", {{"type", "rule"}, {"color", "black"}}},
        {"encoding",
         {{"x", x}, {"xOffset", offset}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}}}}});
  s.charts.push_back(
      {"evppi", "EVPPI", "Per person, by parameter or group, with 95 % intervals from the regression's standard error.", dump(spec)});
}

// The sampled parameters' means and intervals, and every draw (workbook only).
void add_parameters_and_draws(ReportSection& s, const PsaResults& p, const std::vector<std::string>& order) {
  const auto K = static_cast<Eigen::Index>(p.strategies.size());
  const Eigen::Index D = p.effects.rows();
  if (!p.parameters.empty()) {
    ReportTable t{"psa_parameters",
                  "Sampled parameters: mean and 95 % interval over draws",
                  "",
                  "",
                  true,
                  {"Parameter", "Mean", "2.5 %", "97.5 %"},
                  {}};
    for (std::size_t j = 0; j < p.parameters.size(); ++j) {
      const Eigen::VectorXd v = p.parameter_values.col(static_cast<Eigen::Index>(j));
      t.rows.push_back({text(p.parameters[j]), plain(mean(v)), plain(empirical_quantile(v, 0.025)), plain(empirical_quantile(v, 0.975))});
    }
    s.tables.push_back(std::move(t));
  }
  ReportTable draws{"psa_draws", "Every parameter draw", "", "PSA draws", false, {"Draw"}, {}};
  for (const auto& n : p.parameters) draws.columns.push_back(n);
  for (std::size_t pi = 0; pi < p.perspectives.size(); ++pi)
    for (const auto& n : order) draws.columns.push_back(fmt::format("Cost {} ({})", n, p.perspectives[pi]));
  for (const auto& n : order) draws.columns.push_back(effect_plural(p.effect_measure) + " " + n);
  for (Eigen::Index d = 0; d < D; ++d) {
    std::vector<ReportCell> row{integer(static_cast<double>(d + 1))};
    for (Eigen::Index j = 0; j < p.parameter_values.cols(); ++j) row.push_back(plain(p.parameter_values(d, j)));
    for (const auto& costs : p.costs)
      for (Eigen::Index k = 0; k < K; ++k) row.push_back(money(costs(d, k)));
    for (Eigen::Index k = 0; k < K; ++k) row.push_back(effect(p.effects(d, k)));
    draws.rows.push_back(std::move(row));
  }
  s.tables.push_back(std::move(draws));
}

}  // namespace

ReportSection psa_section(const ReportInputs& in, const Names& names) {
  const PsaResults& p = *in.psa;
  ReportSection s{"psa", "Probabilistic sensitivity analysis", {}, {}, {}};
  s.charts_first = true;
  const std::string currency = in.run ? in.run->currency : std::string();
  const std::string unit = money_unit(currency, in.run ? in.run->price_year : 0);
  const std::string per = fmt::format("{} per {}", money_unit(currency, 0), effect_name(p.effect_measure));
  const auto K = static_cast<Eigen::Index>(p.strategies.size());
  s.paragraphs.push_back(fmt::format("{} parameter draws ({}{}, seed {}); {} parameters sampled. Effects: discounted {}.", p.draws,
                                     p.method, p.method == "cohort" ? "" : fmt::format(", {} individuals per draw", p.individuals), p.seed,
                                     p.parameters.size(), effect_plural(p.effect_measure)));
  std::vector<std::string> order;
  for (const auto& n : p.strategies) order.push_back(names(n));
  const detail::StrategyColours colours(order);

  // Thresholds: the same default grid as `hemsim psa --out` (0 to twice the largest
  // scenario threshold in 100 steps, plus the scenario's own).
  double top = 0;
  for (double w : p.willingness_to_pay) top = std::max(top, 2 * w);
  if (top <= 0) top = 100000;
  const std::vector<double> grid = willingness_to_pay_grid(p, top, top / 100);
  const std::vector<double> thresholds = p.willingness_to_pay.empty() ? std::vector<double>{100000} : p.willingness_to_pay;

  ReportTable summary{"psa_summary",
                      "Means and 95 % intervals over draws",
                      "",
                      "PSA summary",
                      true,
                      {"Perspective", "Strategy", fmt::format("Mean cost ({})", unit), "2.5 %", "97.5 %",
                       "Mean " + effect_plural(p.effect_measure), "2.5 %", "97.5 %"},
                      {}};
  for (double w : thresholds) summary.columns.push_back(fmt::format("P(cost-effective) at {:.0f}", w));
  ReportTable ceac_table{"ceac", "Acceptability curves and frontier", "", "CEAC", false, {"Perspective", "WTP (" + per + ")"}, {}};
  for (const auto& n : order) ceac_table.columns.push_back(fmt::format("P({} cost-effective)", n));
  ceac_table.columns.push_back("Optimal strategy (CEAF)");
  ceac_table.columns.push_back("P(optimal cost-effective)");
  ReportTable evpi_table{"evpi", "Expected value of perfect information",
                         "",     "EVPI",
                         false,  {"Perspective", "WTP (" + per + ")", fmt::format("EVPI per person ({})", unit)},
                         {}};
  if (p.effective_population > 0)
    evpi_table.columns.push_back(fmt::format("EVPI, population of {:.6g} ({})", p.effective_population, unit));
  ReportTable evpi_at{"evpi_thresholds", "EVPI at the scenario's thresholds", "", "", true, evpi_table.columns, {}};

  for (std::size_t pi = 0; pi < p.perspectives.size(); ++pi) {
    const Eigen::MatrixXd& costs = p.costs[pi];
    const Eigen::MatrixXd ceac_at = acceptability_curves(costs, p.effects, thresholds);
    for (Eigen::Index k = 0; k < K; ++k) {
      const Eigen::VectorXd c = costs.col(k), e = p.effects.col(k);
      std::vector<ReportCell> row{text(p.perspectives[pi]),
                                  text(order[static_cast<std::size_t>(k)]),
                                  money(mean(c)),
                                  money(empirical_quantile(c, 0.025)),
                                  money(empirical_quantile(c, 0.975)),
                                  effect(mean(e)),
                                  effect(empirical_quantile(e, 0.025)),
                                  effect(empirical_quantile(e, 0.975))};
      for (std::size_t w = 0; w < thresholds.size(); ++w) row.push_back(probability(ceac_at(static_cast<Eigen::Index>(w), k)));
      summary.rows.push_back(std::move(row));
    }
    const Eigen::MatrixXd ceac = acceptability_curves(costs, p.effects, grid);
    const auto ceaf = acceptability_frontier(costs, p.effects, grid);
    const auto evpi = expected_value_of_perfect_information(costs, p.effects, grid);
    json ceac_values = json::array(), ceaf_values = json::array(), evpi_values = json::array();
    for (std::size_t w = 0; w < grid.size(); ++w) {
      std::vector<ReportCell> row{text(p.perspectives[pi]), money(grid[w])};
      for (Eigen::Index k = 0; k < K; ++k) {
        const double prob = ceac(static_cast<Eigen::Index>(w), k);
        row.push_back(probability(prob));
        ceac_values.push_back({{"wtp", grid[w]}, {"strategy", order[static_cast<std::size_t>(k)]}, {"probability", prob}});
      }
      const std::string optimal = order[static_cast<std::size_t>(ceaf[w].optimal_strategy)];
      row.push_back(text(optimal));
      row.push_back(probability(ceaf[w].probability));
      ceac_table.rows.push_back(std::move(row));
      ceaf_values.push_back({{"wtp", grid[w]}, {"strategy", optimal}, {"probability", ceaf[w].probability}});
      std::vector<ReportCell> erow{text(p.perspectives[pi]), money(grid[w]), money(evpi[w])};
      if (p.effective_population > 0) erow.push_back(money(evpi[w] * p.effective_population));
      if (std::find(thresholds.begin(), thresholds.end(), grid[w]) != thresholds.end()) evpi_at.rows.push_back(erow);
      evpi_table.rows.push_back(std::move(erow));
      evpi_values.push_back({{"wtp", grid[w]}, {"evpi", evpi[w]}});
    }
    const std::string suffix = p.perspectives.size() > 1 ? " (" + p.perspectives[pi] + " perspective)" : "";
    const std::string id_suffix = p.perspectives.size() > 1 ? fmt::format("_{}", pi + 1) : std::string();
    if (K > 1) s.charts.push_back(ce_plane_chart(p, costs, order, colours, thresholds, unit, suffix, id_suffix));
    s.charts.push_back(ceac_chart(ceac_values, grid, thresholds, colours, per, suffix, id_suffix));
    s.charts.push_back(ceaf_chart(ceaf_values, colours, per, suffix, id_suffix));
    s.charts.push_back(evpi_chart(evpi_values, per, unit, suffix, id_suffix));
  }
  s.tables.push_back(std::move(summary));
  if (auto noise = noise_table(p, names)) s.tables.push_back(std::move(*noise));
  if (in.inner_sample) add_sizing(s, *in.inner_sample, p, names);
  for (const auto& warning : noise_shares(p).warnings) s.paragraphs.push_back("Warning: " + warning + ".");
  s.tables.push_back(std::move(evpi_at));
  s.tables.push_back(std::move(evpi_table));
  s.tables.push_back(std::move(ceac_table));

  if (!in.evppi.empty()) add_evppi(s, in.evppi, per, unit);
  add_parameters_and_draws(s, p, order);
  return s;
}

}  // namespace hemsim::detail
