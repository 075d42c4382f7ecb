#include "report/report_charts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace hemsim::detail {

namespace {

using nlohmann::json;

/// Points 0..count-1 to draw: every point up to kMaxCurvePoints, else an even thinning
/// that keeps the last point (a lifetime of monthly cycles would otherwise put tens of
/// thousands of points per curve into the page without changing what it shows).
constexpr std::size_t kMaxCurvePoints = 400;
std::vector<std::size_t> curve_points(std::size_t count) {
  std::vector<std::size_t> points;
  const std::size_t step = count <= kMaxCurvePoints ? 1 : (count + kMaxCurvePoints - 1) / kMaxCurvePoints;
  for (std::size_t t = 0; t < count; t += step) points.push_back(t);
  if (count > 0 && points.back() != count - 1) points.push_back(count - 1);
  return points;
}

json quantitative(const std::string& field, const std::string& title) { return {{"field", field}, {"type", "quantitative"}, {"title", title}}; }

// Panels side by side, two to a row, sharing the colour legend.
constexpr int kPanelColumns = 2;

}  // namespace

json base_spec(const std::string& title, int width, int height) {
  return {{"$schema", "https://vega.github.io/schema/vega-lite/v5.json"},
          {"title", {{"text", title}, {"anchor", "start"}, {"fontSize", 14}}},
          {"width", width},
          {"height", height},
          {"background", "white"},
          {"config",
           {{"font", "DejaVu Sans, Helvetica, Arial, sans-serif"},
            {"view", {{"stroke", nullptr}}},
            {"axis", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"titleFontWeight", "normal"}, {"grid", true}, {"gridOpacity", 0.35}}},
            {"legend", {{"labelFontSize", 11}, {"titleFontSize", 12}, {"orient", "right"}, {"labelLimit", 0}}},
            {"header", {{"labelFontSize", 12}, {"titleFontSize", 12}}}}}};
}

TraceSeries trace_series(const RunResults& r, const ReportLabels& labels) {
  TraceSeries s;
  for (const auto& state : r.states) {
    const std::string group = labels.state_group(state);
    s.grouped = s.grouped || !group.empty();
    const std::string name = group.empty() ? labels.state(state) : group;
    auto it = std::find(s.names.begin(), s.names.end(), name);
    if (it == s.names.end()) it = s.names.insert(s.names.end(), name);
    s.of_state.push_back(static_cast<std::size_t>(it - s.names.begin()));
  }
  return s;
}

std::optional<ReportChart> state_trace_chart(const RunResults& r, const ReportLabels& labels, const StrategyColours& colours,
                                             std::optional<double> years) {
  const std::size_t S = r.states.size();
  if (S == 0 || r.strategies.empty()) return std::nullopt;
  const double horizon = r.cycles * r.cycle_length_years;
  if (years && !(horizon > *years)) return std::nullopt;
  const TraceSeries series = trace_series(r, labels);
  json values = json::array();
  for (const auto& st : r.strategies) {
    const std::size_t points = st.trace.size() / S;
    std::vector<std::size_t> drawn;
    if (years) {
      for (std::size_t t = 0; t < points && t * r.cycle_length_years <= *years + 1e-9; ++t) drawn.push_back(t);
    } else {
      drawn = curve_points(points);
    }
    for (std::size_t t : drawn) {
      std::vector<double> share(series.names.size(), 0.0);
      for (std::size_t k = 0; k < S; ++k) share[series.of_state[k]] += st.trace[t * S + k];
      for (std::size_t g = 0; g < share.size(); ++g)
        values.push_back({{"time", static_cast<double>(t) * r.cycle_length_years},
                          {"strategy", labels(st.name)},
                          {"series", series.names[g]},
                          {"order", g},
                          {"proportion", share[g]}});
    }
  }
  const std::string what = series.grouped ? "State group" : "State";
  const std::string title = years ? fmt::format("State trace, first {:g} years", *years) : std::string("State trace by strategy");
  json spec = base_spec(title);
  spec.erase("width");
  spec.erase("height");
  spec["data"] = {{"values", values}};
  spec["columns"] = kPanelColumns;
  json color{{"field", "series"}, {"type", "nominal"}, {"title", what}, {"sort", series.names}, {"scale", {{"domain", series.names}}}};
  if (series.names.size() > 10) color["scale"]["scheme"] = "tableau20";  // 10 colours would repeat
  json panels = json::array();
  for (const auto& st : r.strategies) {
    const std::string label = labels(st.name);
    json y = quantitative("proportion", "Proportion of the cohort");
    y["stack"] = "zero";
    y["axis"] = percent_axis(0, 1);
    y["scale"] = {{"domain", {0, 1}}};
    panels.push_back({{"title", {{"text", label}, {"color", colours.colour(label)}, {"fontSize", 12}, {"anchor", "start"}}},
                      {"width", 300},
                      {"height", 180},
                      {"transform", json::array({{{"filter", {{"field", "strategy"}, {"equal", label}}}}})},
                      {"mark", {{"type", "area"}, {"interpolate", "step-after"}}},
                      {"encoding",
                       {{"x", quantitative("time", "Time (years)")},
                        {"y", y},
                        {"color", color},
                        {"order", {{"field", "order"}, {"type", "quantitative"}}},
                        {"tooltip", json::array({{{"field", "series"}, {"title", what}},
                                                 {{"field", "time"}, {"title", "Years"}},
                                                 {{"field", "proportion"}, {"title", "Proportion"}, {"format", ".2%"}}})}}}});
  }
  spec["concat"] = panels;
  const std::string id = years ? "state_trace_early" : "state_trace";
  const std::string caption =
      std::string("Share of the cohort in each ") + (series.grouped ? "group of states (the scenario's state groups)" : "state") +
      (years ? fmt::format(" over the first {:g} years, every cycle drawn", *years) : std::string(" over the time horizon")) +
      "; one panel per strategy, titled in the strategy's colour.";
  return ReportChart{id, years ? "State trace, early years" : "State trace", caption, spec.dump()};
}

ReportTable trace_table(const RunResults& r, const ReportLabels& labels) {
  ReportTable t{"trace", "State trace (proportion of the cohort in each state)", "Every point of the trace.", "Trace", false,
                {"Strategy", "Time (years)"}, {}};
  for (const auto& s : r.states) t.columns.push_back(labels.state(s));
  const std::size_t S = r.states.size();
  if (S == 0) return t;
  for (const auto& st : r.strategies)
    for (std::size_t p = 0; p < st.trace.size() / S; ++p) {
      std::vector<ReportCell> row{ReportCell::text(labels(st.name)),
                                  ReportCell::number(static_cast<double>(p) * r.cycle_length_years, ReportCell::Format::number)};
      for (std::size_t k = 0; k < S; ++k) row.push_back(ReportCell::number(st.trace[p * S + k], ReportCell::Format::probability));
      t.rows.push_back(std::move(row));
    }
  return t;
}

std::optional<ReportChart> incidence_chart(const RunResults& r, const ReportLabels& labels, const StrategyColours& colours) {
  if (r.events.empty()) return std::nullopt;
  json values = json::array(), panels = json::array();
  for (std::size_t e = 0; e < r.events.size(); ++e) {
    const std::string event = labels.event(r.events[e]);
    double top = 0;
    for (const auto& st : r.strategies) {
      const auto& inc = st.events[e].cumulative_incidence;
      for (std::size_t t : curve_points(inc.size())) {
        values.push_back({{"time", static_cast<double>(t) * r.cycle_length_years},
                          {"strategy", labels(st.name)},
                          {"event", event},
                          {"incidence", inc[t]}});
        top = std::max(top, inc[t]);
      }
    }
    json y = quantitative("incidence", "Cumulative incidence");
    y["axis"] = percent_axis(0, top);
    panels.push_back({{"title", {{"text", event}, {"fontSize", 12}, {"anchor", "start"}}},
                      {"width", 300},
                      {"height", 200},
                      {"transform", json::array({{{"filter", {{"field", "event"}, {"equal", event}}}}})},
                      {"mark", {{"type", "line"}, {"strokeWidth", 1.8}, {"interpolate", "step-after"}}},
                      {"encoding",
                       {{"x", quantitative("time", "Time (years)")},
                        {"y", y},
                        {"color", colours.encoding("strategy")},
                        {"tooltip", json::array({{{"field", "strategy"}, {"title", "Strategy"}},
                                                 {{"field", "time"}, {"title", "Years"}},
                                                 {{"field", "incidence"}, {"title", "Cumulative incidence"}, {"format", ".3%"}}})}}}});
  }
  json spec = base_spec("Cumulative incidence of events");
  spec.erase("width");
  spec.erase("height");
  spec["data"] = {{"values", values}};
  spec["columns"] = kPanelColumns;
  spec["concat"] = panels;
  spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  return ReportChart{"cumulative_incidence", "Cumulative incidence",
                     "Proportion with a first occurrence of each event by time; each panel's axis fits its own range.", spec.dump()};
}

std::string threshold_label(double willingness_to_pay) {
  return "WTP " + ReportCell::number(willingness_to_pay, ReportCell::Format::integer).as_text();
}

namespace {

// The candidate boxes, in order of preference, become data-unit anchors of the chosen one.
std::vector<PlacedLabel> place(const std::vector<std::string>& texts, const std::vector<std::vector<LabelBox>>& candidates,
                               const PlotFrame& frame) {
  const auto chosen = place_labels(candidates, {0, 0, frame.width, frame.height});
  std::vector<PlacedLabel> out;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (!chosen[i]) continue;
    const LabelBox& b = candidates[i][*chosen[i]];
    out.push_back({texts[i], b, frame.x_at(b.x0), frame.y_at(b.y0)});
  }
  return out;
}

}  // namespace

std::vector<PlacedLabel> ce_plane_threshold_labels(const std::vector<double>& thresholds, const PlotFrame& f) {
  std::vector<std::string> texts;
  std::vector<std::vector<LabelBox>> candidates;
  for (double w : thresholds) {
    if (!(w > 0)) continue;
    // The visible part of cost = w x effect: effects where the line is inside the window.
    const double a = std::max(f.x0, f.y0 / w), b = std::min(f.x1, f.y1 / w);
    if (!(a < b)) continue;
    const std::string text = threshold_label(w);
    const double width = label_width(text, kLabelFontSize);
    std::vector<LabelBox> boxes;
    for (int step = 0; step <= 16; ++step) {
      const double x = b - (b - a) * step / 20.0;  // from the far end inwards
      const double px = f.px(x), py = f.py(w * x);
      boxes.push_back({px - width - 4, py - 3 - kLabelHeight, px - 4, py - 3});  // above the line, ending at it
      boxes.push_back({px + 4, py + 3, px + 4 + width, py + 3 + kLabelHeight});  // below the line, starting at it
    }
    texts.push_back(text);
    candidates.push_back(std::move(boxes));
  }
  return place(texts, candidates, f);
}

std::vector<PlacedLabel> rule_threshold_labels(const std::vector<double>& thresholds, const PlotFrame& f) {
  std::vector<std::string> texts;
  std::vector<std::vector<LabelBox>> candidates;
  for (double w : thresholds) {
    if (!(w >= f.x0 && w <= f.x1)) continue;
    const std::string text = threshold_label(w);
    const double width = label_width(text, kLabelFontSize), px = f.px(w);
    std::vector<LabelBox> boxes;
    for (int row = 0; row < 8; ++row) {
      const double top = 2 + row * (kLabelHeight + 2);
      boxes.push_back({px + 3, top, px + 3 + width, top + kLabelHeight});  // right of the rule
      boxes.push_back({px - 3 - width, top, px - 3, top + kLabelHeight});  // left of it
    }
    texts.push_back(text);
    candidates.push_back(std::move(boxes));
  }
  return place(texts, candidates, f);
}

json threshold_label_layer(const std::vector<PlacedLabel>& labels, const json& x_field, const json& y_field) {
  json values = json::array();
  for (const auto& l : labels) values.push_back({{"label", l.text}, {"lx", l.x}, {"ly", l.y}});
  json x = x_field, y = y_field;
  x["field"] = "lx";
  y["field"] = "ly";
  return {{"name", "threshold_labels"},
          {"data", {{"values", values}}},
          {"mark", {{"type", "text"}, {"align", "left"}, {"baseline", "top"}, {"fontSize", kLabelFontSize}, {"color", "#444"}}},
          {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "label"}}}}}};
}

}  // namespace hemsim::detail
