#include "report/report_tpp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace hemsim::detail {
namespace {

using json = nlohmann::json;
using Format = ReportCell::Format;

ReportCell number(double v, Format f) { return std::isfinite(v) ? ReportCell::number(v, f) : ReportCell::empty(); }
ReportCell money(double v) { return number(v, Format::money); }
ReportCell text(std::string s) { return ReportCell::text(std::move(s)); }
std::string whole(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::integer).as_text() : "n/a"; }

const std::string& strategy_name(const PriceSurface& s, int k) { return s.strategies.at(static_cast<std::size_t>(k)); }

std::string level_name(const PriceSurface& s, std::size_t t, const std::string& per) {
  return t == 0 ? std::string("break-even (cost-neutral)") : fmt::format("{} {}", whole(s.thresholds[t - 1]), per);
}

// Every grid point, perspective and threshold (numbers as numbers, for the workbook).
ReportTable surface_table(const PriceSurface& s, const std::string& unit, const std::function<std::string(const std::string&)>& label) {
  ReportTable t{"tpp_surface",
                "Value-based price surface",
                "Threshold 0 is the break-even (cost-neutral) price. Intervals are 95 % Monte Carlo intervals (± 1.96 MCSE).",
                "TPP",
                false,
                {s.axis_a.parameter, s.axis_b.parameter, "Perspective", "Threshold (0: break-even)", "Next best strategy",
                 fmt::format("Price per dose ({})", unit), "MCSE", "95 % low", "95 % high", "Doses per patient", "MCSE",
                 fmt::format("Price per patient ({})", unit), "MCSE", "95 % low", "95 % high"},
                {}};
  for (const auto& p : s.points)
    for (const auto& q : p.prices) {
      const Estimate& d = p.doses_per_patient.at(static_cast<std::size_t>(q.perspective));
      t.rows.push_back({number(p.value_a, Format::number), number(p.value_b, Format::number),
                        text(s.perspectives.at(static_cast<std::size_t>(q.perspective))), money(q.willingness_to_pay),
                        text(label(strategy_name(s, q.next_best))), money(q.per_dose), money(q.per_dose_mcse),
                        money(q.per_dose - 1.96 * q.per_dose_mcse), money(q.per_dose + 1.96 * q.per_dose_mcse),
                        number(d.mean, Format::number), number(d.mcse, Format::number), money(q.per_patient), money(q.per_patient_mcse),
                        money(q.per_patient - 1.96 * q.per_patient_mcse), money(q.per_patient + 1.96 * q.per_patient_mcse)});
    }
  return t;
}

// One threshold as a grid (rows: axis a, columns: axis b), per dose and per patient with intervals.
ReportTable grid_table(const PriceSurface& s, std::size_t level, const std::string& unit, const std::string& per) {
  const int p = s.evidence_perspective;
  ReportTable t{
      fmt::format("tpp_grid_{}", level),
      fmt::format("Price per dose at {} ({} perspective)", level_name(s, level, per), s.perspectives.at(static_cast<std::size_t>(p))),
      fmt::format("{} per dose ± MCSE, with per patient (× doses per patient) and its 95 % interval below; rows {}, columns {}.", unit,
                  s.axis_a.parameter, s.axis_b.parameter),
      "",
      true,
      {fmt::format("{} \\ {}", s.axis_a.parameter, s.axis_b.parameter)},
      {}};
  for (double b : s.axis_b.values) t.columns.push_back(fmt::format("{:.4g}", b));
  for (std::size_t i = 0; i < s.axis_a.values.size(); ++i) {
    std::vector<ReportCell> row{text(fmt::format("{:.4g}", s.axis_a.values[i]))};
    for (std::size_t j = 0; j < s.axis_b.values.size(); ++j) {
      const SurfacePrice& q = s.price(s.at(i, j), p, level);
      const std::string mcse = q.per_dose_mcse > 0 ? " ± " + whole(q.per_dose_mcse) : "";
      const std::string patient = q.per_patient_mcse > 0 ? fmt::format(" ({} to {})", whole(q.per_patient - 1.96 * q.per_patient_mcse),
                                                                       whole(q.per_patient + 1.96 * q.per_patient_mcse))
                                                         : "";
      row.push_back(text(fmt::format("{}{}; per patient {}{}", whole(q.per_dose), mcse, whole(q.per_patient), patient)));
    }
    t.rows.push_back(std::move(row));
  }
  return t;
}

ReportTable evidence_table(const PriceSurface& s, const std::string& unit, const std::function<std::string(const std::string&)>& label) {
  ReportTable t{"tpp_evidence",
                fmt::format("Evidence thresholds at {} per dose", whole(s.assumed_price.value_or(NAN))),
                "Where the incremental net benefit against the best other strategy crosses 0 along one parameter, the other held at its "
                "base value or at a grid value; MCSE by the delta method. Empty value: no crossing over the grid.",
                "TPP evidence",
                true,
                {"Parameter", "Held", "Held at", "Base value held", "Threshold", fmt::format("Price ({})", unit), "Value", "MCSE",
                 "95 % low", "95 % high", "Cost-effective", "INMB at value", "MCSE", "Against"},
                {}};
  for (const auto& e : s.evidence) {
    const double v = e.value.value_or(NAN);
    t.rows.push_back({text(e.parameter), text(e.held), number(e.held_value, Format::number), text(e.held_at_base ? "yes" : "no"),
                      money(e.willingness_to_pay), money(e.price), number(v, Format::number), number(e.value_mcse, Format::number),
                      number(v - 1.96 * e.value_mcse, Format::number), number(v + 1.96 * e.value_mcse, Format::number),
                      text(e.value ? (e.cost_effective_above ? "above" : "below") : (e.cost_effective_above ? "everywhere" : "nowhere")),
                      money(e.net_benefit_at_value), money(e.net_benefit_at_value_mcse),
                      text(e.value ? label(strategy_name(s, e.next_best)) : std::string())});
  }
  return t;
}

// "Nice" contour levels across [low, high]: about `count` multiples of 1, 2 or 5 x 10^k.
std::vector<double> nice_levels(double low, double high, int count) {
  std::vector<double> levels;
  if (!(high > low)) return levels;
  const double raw = (high - low) / count, power = std::pow(10.0, std::floor(std::log10(raw)));
  const double step = raw / power < 1.5 ? power : raw / power < 3.5 ? 2 * power : raw / power < 7.5 ? 5 * power : 10 * power;
  for (double v = std::ceil(low / step) * step; v < high; v += step) levels.push_back(v);
  return levels;
}

ReportChart contour_chart(const PriceSurface& s, std::size_t level, const std::string& unit, const std::string& per) {
  const int p = s.evidence_perspective;
  const auto& xs = s.axis_b.values;  // x: axis b (e.g. durability), y: axis a (e.g. response)
  const auto& ys = s.axis_a.values;
  auto edges = [](const std::vector<double>& v, std::size_t i) {
    const double lo = i == 0 ? v[0] - 0.5 * (v[1] - v[0]) : 0.5 * (v[i - 1] + v[i]);
    const double hi = i + 1 == v.size() ? v[i] + 0.5 * (v[i] - v[i - 1]) : 0.5 * (v[i] + v[i + 1]);
    return std::pair{lo, hi};
  };
  json cells = json::array();
  std::vector<std::vector<double>> z(xs.size(), std::vector<double>(ys.size()));  // z[x][y]
  double low = INFINITY, high = -INFINITY;
  for (std::size_t i = 0; i < ys.size(); ++i)
    for (std::size_t j = 0; j < xs.size(); ++j) {
      const SurfacePrice& q = s.price(s.at(i, j), p, level);
      z[j][i] = q.per_dose;
      if (!std::isfinite(q.per_dose)) continue;
      low = std::min(low, q.per_dose);
      high = std::max(high, q.per_dose);
      const auto [x0, x1] = edges(xs, j);
      const auto [y0, y1] = edges(ys, i);
      cells.push_back({{"x0", x0},
                       {"x1", x1},
                       {"y0", y0},
                       {"y1", y1},
                       {"x", xs[j]},
                       {"y", ys[i]},
                       {"price", q.per_dose},
                       {"mcse", q.per_dose_mcse},
                       {"per_patient", q.per_patient}});
    }
  json lines = json::array();
  int id = 0;
  auto add_level = [&](double value, bool assumed) {
    for (const auto& seg : contour_segments(xs, ys, z, value)) {
      lines.push_back({{"x", seg.x0}, {"y", seg.y0}, {"segment", id}, {"order", 0}, {"level", value}, {"assumed", assumed}});
      lines.push_back({{"x", seg.x1}, {"y", seg.y1}, {"segment", id}, {"order", 1}, {"level", value}, {"assumed", assumed}});
      ++id;
    }
  };
  for (double v : nice_levels(low, high, 6)) add_level(v, false);
  if (s.assumed_price) add_level(*s.assumed_price, true);
  const std::string title = fmt::format("Value-based price per dose at {}", level_name(s, level, per));
  json spec = {{"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
               {"title", {{"text", title}, {"anchor", "start"}, {"fontSize", 14}}},
               {"width", 520},
               {"height", 360},
               {"background", "white"},
               {"config", {{"font", "DejaVu Sans, Helvetica, Arial, sans-serif"}, {"view", {{"stroke", nullptr}}}}}};
  const json x = {{"field", "x"}, {"type", "quantitative"}, {"title", s.axis_b.parameter}, {"scale", {{"zero", false}, {"nice", false}}}};
  const json y = {{"field", "y"}, {"type", "quantitative"}, {"title", s.axis_a.parameter}, {"scale", {{"zero", false}, {"nice", false}}}};
  json layers = json::array();
  layers.push_back(
      {{"data", {{"values", cells}}},
       {"mark", {{"type", "rect"}}},
       {"encoding",
        {{"x", {{"field", "x0"}, {"type", "quantitative"}, {"title", s.axis_b.parameter}, {"scale", {{"zero", false}, {"nice", false}}}}},
         {"x2", {{"field", "x1"}}},
         {"y", {{"field", "y0"}, {"type", "quantitative"}, {"title", s.axis_a.parameter}, {"scale", {{"zero", false}, {"nice", false}}}}},
         {"y2", {{"field", "y1"}}},
         {"color",
          {{"field", "price"},
           {"type", "quantitative"},
           {"title", fmt::format("Price per dose ({})", unit)},
           {"scale", {{"scheme", "viridis"}}},
           {"legend", {{"format", ",.0f"}}}}},
         {"tooltip", json::array({{{"field", "x"}, {"type", "quantitative"}, {"title", s.axis_b.parameter}},
                                  {{"field", "y"}, {"type", "quantitative"}, {"title", s.axis_a.parameter}},
                                  {{"field", "price"}, {"type", "quantitative"}, {"format", ",.0f"}, {"title", "per dose"}},
                                  {{"field", "mcse"}, {"type", "quantitative"}, {"format", ",.0f"}, {"title", "MCSE"}},
                                  {{"field", "per_patient"}, {"type", "quantitative"}, {"format", ",.0f"}, {"title", "per patient"}}})}}}});
  layers.push_back({{"data", {{"values", cells}}},
                    {"mark", {{"type", "text"}, {"fontSize", 10}, {"color", "white"}}},
                    {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "price"}, {"type", "quantitative"}, {"format", ",.0f"}}}}}});
  // Contours, then the assumed price's on top; a layer only when it has data (an empty
  // layer makes Vega warn of an infinite extent).
  for (const bool assumed : {false, true}) {
    json values = json::array();
    for (const auto& v : lines)
      if (v.at("assumed").get<bool>() == assumed) values.push_back(v);
    if (values.empty()) continue;
    const json mark = assumed ? json{{"type", "line"}, {"color", "#d62728"}, {"strokeWidth", 3}}
                              : json{{"type", "line"}, {"strokeDash", json::array({4, 3})}, {"color", "white"}, {"strokeWidth", 1}};
    layers.push_back({{"data", {{"values", values}}},
                      {"mark", mark},
                      {"encoding",
                       {{"x", x},
                        {"y", y},
                        {"detail", {{"field", "segment"}, {"type", "nominal"}}},
                        {"order", {{"field", "order"}, {"type", "quantitative"}}}}}});
  }
  spec["layer"] = layers;
  const std::string caption = fmt::format(
      "Each cell: the price per dose at which the strategy's ICER against the next best equals the threshold ({} perspective). "
      "Dashed white lines: contours of that price (linear interpolation between grid points){}.",
      s.perspectives.at(static_cast<std::size_t>(p)),
      s.assumed_price ? fmt::format("; thick red line: the assumed price of {} per dose (above and right of it, when prices rise "
                                    "that way, the strategy is cost-effective at that price)",
                                    whole(*s.assumed_price))
                      : std::string());
  return {fmt::format("tpp_contour_{}", level), title, caption, spec.dump()};
}

}  // namespace

std::vector<ContourSegment> contour_segments(const std::vector<double>& x, const std::vector<double>& y,
                                             const std::vector<std::vector<double>>& z, double level) {
  std::vector<ContourSegment> out;
  for (std::size_t i = 0; i + 1 < x.size(); ++i)
    for (std::size_t j = 0; j + 1 < y.size(); ++j) {
      // Corners counter-clockwise; a crossing on an edge where the sign of z - level changes.
      const double cx[4] = {x[i], x[i + 1], x[i + 1], x[i]}, cy[4] = {y[j], y[j], y[j + 1], y[j + 1]};
      const double cz[4] = {z[i][j], z[i + 1][j], z[i + 1][j + 1], z[i][j + 1]};
      if (!std::all_of(cz, cz + 4, [](double v) { return std::isfinite(v); })) continue;
      std::vector<std::pair<double, double>> crossings;
      for (int e = 0; e < 4; ++e) {
        const int f = (e + 1) % 4;
        const bool above_e = cz[e] >= level, above_f = cz[f] >= level;
        if (above_e == above_f) continue;
        const double t = (level - cz[e]) / (cz[f] - cz[e]);
        crossings.emplace_back(cx[e] + t * (cx[f] - cx[e]), cy[e] + t * (cy[f] - cy[e]));
      }
      // Two crossings: one segment; four (a saddle): pair them in order around the cell.
      for (std::size_t k = 0; k + 1 < crossings.size(); k += 2)
        out.push_back({crossings[k].first, crossings[k].second, crossings[k + 1].first, crossings[k + 1].second});
    }
  return out;
}

std::vector<std::string> tpp_headlines(const PriceSurface& s) {
  std::vector<std::string> out;
  if (!s.assumed_price) return out;
  for (const auto& e : s.evidence)
    if (e.held_at_base) out.push_back(describe_evidence_threshold(s, e));
  return out;
}

ReportSection tpp_section(const PriceSurface& s, const std::string& unit, const std::string& per,
                          const std::function<std::string(const std::string&)>& label) {
  ReportSection section{"tpp", "Target product profile: price over the evidence", {}, {}, {}};
  section.paragraphs.push_back(fmt::format(
      "The value-based price of {} ({} per dose) over a grid of {} ({} values, base {:.4g}) and {} ({} values, base {:.4g}): at each "
      "point, the price at which its ICER against the next best strategy equals each threshold, and the break-even price at which "
      "its discounted cost equals that of the cheapest other strategy. Every point is run with the same random numbers, so the surface "
      "is smooth; each price carries its Monte Carlo standard error (delta method, paired). Per patient: per dose × the mean number of "
      "doses a patient is charged (undiscounted), read from the model as the slope of the strategy's undiscounted cost in the price.",
      label(strategy_name(s, s.strategy)), s.price_parameter, s.axis_a.parameter, s.axis_a.values.size(), s.axis_a.base_value,
      s.axis_b.parameter, s.axis_b.values.size(), s.axis_b.base_value));
  if (s.assumed_price) {
    section.paragraphs.push_back(fmt::format("Evidence thresholds at the assumed price of {} per dose ({} perspective):",
                                             whole(*s.assumed_price), s.perspectives.at(static_cast<std::size_t>(s.evidence_perspective))));
    for (const auto& line : tpp_headlines(s)) section.paragraphs.push_back(line);
  }
  for (std::size_t t = 1; t <= s.thresholds.size(); ++t) section.charts.push_back(contour_chart(s, t, unit, per));
  for (std::size_t t = 0; t <= s.thresholds.size(); ++t) section.tables.push_back(grid_table(s, t, unit, per));
  section.tables.push_back(surface_table(s, unit, label));
  if (s.assumed_price) section.tables.push_back(evidence_table(s, unit, label));
  section.charts_first = true;
  return section;
}

}  // namespace hemsim::detail
