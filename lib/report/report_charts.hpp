#pragma once
// Charts of the report built on report_style: the state trace (by state group, whole
// horizon and early years), cumulative incidence (one panel per event, each with its own
// percent axis) and the willingness-to-pay lines with labels that never overprint.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/report.hpp"
#include "report/report_style.hpp"

namespace hemsim::detail {

/// Axis and legend style shared by every chart: labelled axes, readable fonts, no chart
/// border (a publication look rather than a dashboard).
[[nodiscard]] nlohmann::json base_spec(const std::string& title, int width = 560, int height = 340);

/// The series the trace draws: each state's group (scenario `group:`), or the state's
/// label when it has none; in the scenario's order of first appearance.
struct TraceSeries {
  std::vector<std::string> names;      ///< legend entries, in order
  std::vector<std::size_t> of_state;   ///< index into names, per state of RunResults::states
  bool grouped = false;                ///< some state has a group
};
[[nodiscard]] TraceSeries trace_series(const RunResults& r, const ReportLabels& labels);

/// The trace as stacked areas, one panel per strategy (titled in its colour), over the
/// whole horizon or, with `years`, over the first `years` (every point drawn). Nothing
/// when the run has no states or, with `years`, a horizon no longer than `years`.
[[nodiscard]] std::optional<ReportChart> state_trace_chart(const RunResults& r, const ReportLabels& labels, const StrategyColours& colours,
                                                           std::optional<double> years = std::nullopt);

/// The trace in full (every point of every strategy): strategy, time, one column per state.
[[nodiscard]] ReportTable trace_table(const RunResults& r, const ReportLabels& labels);

/// Cumulative incidence, one panel per event (titled with its label), each with a percent
/// axis whose decimals fit its own range.
[[nodiscard]] std::optional<ReportChart> incidence_chart(const RunResults& r, const ReportLabels& labels, const StrategyColours& colours);

/// A rectangular chart's data window and plot size in pixels (explicit scale domains, so
/// that label positions computed here are where Vega draws them).
struct PlotFrame {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  double width = 560, height = 340;
  [[nodiscard]] double px(double x) const { return (x - x0) / (x1 - x0) * width; }
  [[nodiscard]] double py(double y) const { return (y1 - y) / (y1 - y0) * height; }
  [[nodiscard]] double x_at(double px) const { return x0 + px / width * (x1 - x0); }
  [[nodiscard]] double y_at(double py) const { return y1 - py / height * (y1 - y0); }
};

/// Font size and box height of threshold labels.
constexpr double kLabelFontSize = 10, kLabelHeight = 13;

/// "WTP 50,000": the label of a threshold line.
[[nodiscard]] std::string threshold_label(double willingness_to_pay);

/// A label's chosen box with the text and its anchor in data units (align left, baseline top).
struct PlacedLabel {
  std::string text;
  LabelBox box;
  double x = 0, y = 0;
};

/// Labels of the lines cost = wtp x effect on a CE plane: each along its own line, the
/// first of its candidate places (from the far end inwards, above then below the line)
/// that overlaps no other label and stays in the plot.
[[nodiscard]] std::vector<PlacedLabel> ce_plane_threshold_labels(const std::vector<double>& thresholds, const PlotFrame& frame);

/// Labels of vertical threshold rules at x = wtp (the CEAC): near the top, beside the rule,
/// in rows as needed so that none overprints another.
[[nodiscard]] std::vector<PlacedLabel> rule_threshold_labels(const std::vector<double>& thresholds, const PlotFrame& frame);

/// A text layer for placed labels (named "threshold_labels": the SVG group's class holds
/// threshold_labels_marks, which the report's browser test measures).
[[nodiscard]] nlohmann::json threshold_label_layer(const std::vector<PlacedLabel>& labels, const nlohmann::json& x_field,
                                                   const nlohmann::json& y_field);

}  // namespace hemsim::detail
