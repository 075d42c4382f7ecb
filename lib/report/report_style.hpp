#pragma once
// What every chart of the report shares, so that a reader can compare them: one colour
// per strategy, the scenario's labels instead of codes, percent axes with enough decimals
// and text labels that never overprint. Any section (report.cpp, report_market.cpp,
// report_tpp.cpp, ...) builds its charts with these.
//
//     const auto labels = hemsim::detail::report_labels(inputs);
//     const auto colours = hemsim::detail::StrategyColours(labels.strategy_order());
//     spec["encoding"]["color"] = colours.encoding("strategy");          // every strategy
//     spec["encoding"]["color"] = colours.encoding("strategy", {"bmsc"}); // a subset, same colours
//     spec["encoding"]["y"]["axis"] = hemsim::detail::percent_axis(0.0, 0.004);  // ".1%"

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/report.hpp"

namespace hemsim::detail {

/// Display labels of the scenario's strategies, states and events (the scenario's `label:`,
/// else the name) and the group of each state (`group:`, else none).
struct ReportLabels {
  std::vector<std::string> strategies;  ///< names, in the scenario's order
  std::map<std::string, std::string> strategy_labels, state_labels, event_labels, state_groups;

  /// The label of strategy `name` (so that `labels(name)` reads like the old Names).
  [[nodiscard]] std::string operator()(const std::string& name) const { return strategy(name); }
  [[nodiscard]] std::string strategy(const std::string& name) const;
  [[nodiscard]] std::string state(const std::string& name) const;
  [[nodiscard]] std::string event(const std::string& name) const;
  /// The state's group, empty when the scenario gives it none.
  [[nodiscard]] std::string state_group(const std::string& name) const;
  /// The strategies' labels in the scenario's order: the domain of StrategyColours.
  [[nodiscard]] std::vector<std::string> strategy_order() const;
};

/// Labels from whatever the inputs hold: strategy labels from results.json, state and event
/// labels and groups from the scenario file when the report could load it.
[[nodiscard]] ReportLabels report_labels(const ReportInputs& in);

/// The colour of the strategy at position `index` in the scenario (Okabe-Ito's
/// colour-blind-safe palette without its yellow, then darker Tableau colours; repeats after 11).
[[nodiscard]] std::string strategy_colour(std::size_t index);

/// One colour per strategy, fixed by the strategy's position in the scenario, whatever
/// subset a chart shows: the CE plane (no reference), the CEAF (optimal strategies only)
/// and the CEAC (all) colour a strategy alike.
class StrategyColours {
 public:
  explicit StrategyColours(std::vector<std::string> labels) : labels_(std::move(labels)) {}
  /// The colour of the strategy labelled `label`; grey for a label it does not know.
  [[nodiscard]] std::string colour(const std::string& label) const;
  /// A Vega-Lite colour channel on `field` (whose values are strategy labels): domain the
  /// shown strategies (all by default) in scenario order, range their colours.
  [[nodiscard]] nlohmann::json encoding(const std::string& field, const std::vector<std::string>& shown = {},
                                        const std::string& title = "Strategy") const;
  [[nodiscard]] const std::vector<std::string>& labels() const { return labels_; }

 private:
  std::vector<std::string> labels_;
};

/// The step between the ticks d3 (hence Vega) draws for `count` ticks over [lo, hi]
/// (d3-array's tickIncrement: 1, 2 or 5 times a power of ten).
[[nodiscard]] double tick_step(double lo, double hi, int count);

/// The number of ticks percent axes ask for (percent_axis sets it).
constexpr int kPercentTicks = 5;

/// A d3 percent format with just enough decimals that the ticks over the data's range
/// [lo, hi] (0 is always on the axis) read differently: ".0%" for 0 to 60 %, ".1%" for
/// 0 to 0.4 %, ".2%" for 0 to 0.04 %.
[[nodiscard]] std::string percent_format(double lo, double hi);

/// A Vega-Lite axis object: percent_format and kPercentTicks.
[[nodiscard]] nlohmann::json percent_axis(double lo, double hi);

/// A rectangle in a chart's pixels (x to the right, y down).
struct LabelBox {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  [[nodiscard]] bool overlaps(const LabelBox& other) const {
    return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1;
  }
  [[nodiscard]] bool inside(const LabelBox& area) const { return x0 >= area.x0 && x1 <= area.x1 && y0 >= area.y0 && y1 <= area.y1; }
};

/// The width in pixels of `text` in the report's font (DejaVu Sans) at `font_size`: an
/// upper estimate (0.64 em per character, DejaVu's digit width) so that boxes built
/// from it contain the drawn text.
[[nodiscard]] double label_width(const std::string& text, double font_size);

/// Places labels so that none overprints another: label i takes the first of its
/// candidate boxes that lies inside `area` and overlaps no label placed before it.
/// The index of each label's box, or nothing when every candidate is taken (the label is
/// then left out; the chart's legend or caption must still identify its line).
[[nodiscard]] std::vector<std::optional<std::size_t>> place_labels(const std::vector<std::vector<LabelBox>>& candidates,
                                                                  const LabelBox& area);

}  // namespace hemsim::detail
