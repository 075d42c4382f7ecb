#include "report/report_style.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

namespace hemsim::detail {

namespace {

std::string lookup(const std::map<std::string, std::string>& labels, const std::string& name) {
  const auto it = labels.find(name);
  return it == labels.end() || it->second.empty() ? name : it->second;
}

}  // namespace

std::string ReportLabels::strategy(const std::string& name) const { return lookup(strategy_labels, name); }
std::string ReportLabels::state(const std::string& name) const { return lookup(state_labels, name); }
std::string ReportLabels::event(const std::string& name) const { return lookup(event_labels, name); }
std::string ReportLabels::state_group(const std::string& name) const {
  const auto it = state_groups.find(name);
  return it == state_groups.end() ? std::string() : it->second;
}

std::vector<std::string> ReportLabels::strategy_order() const {
  std::vector<std::string> out;
  for (const auto& s : strategies) out.push_back(strategy(s));
  return out;
}

ReportLabels report_labels(const ReportInputs& in) {
  ReportLabels l;
  if (in.run) {
    for (const auto& st : in.run->strategies) {
      l.strategies.push_back(st.name);
      l.strategy_labels[st.name] = st.label;
    }
  } else if (in.psa) {
    l.strategies = in.psa->strategies;
  } else if (in.dsa || in.price) {
    l.strategies = (in.dsa ? in.dsa : in.price)->strategies;
  } else if (in.variants) {
    for (const auto& v : in.variants->variants) {
      for (const auto& row : v.rows)
        if (std::find(l.strategies.begin(), l.strategies.end(), row.strategy) == l.strategies.end()) l.strategies.push_back(row.strategy);
    }
  }
  if (in.scenario) {
    for (const auto& st : in.scenario->strategies)
      if (!l.strategy_labels.count(st.name)) l.strategy_labels[st.name] = st.label;
    for (const auto& st : in.scenario->states) {
      l.state_labels[st.name] = st.label;
      if (!st.group.empty()) l.state_groups[st.name] = st.group;
    }
    for (const auto& ev : in.scenario->events) l.event_labels[ev.name] = ev.label;
  }
  return l;
}

std::string strategy_colour(std::size_t index) {
  static constexpr std::array<const char*, 11> kPalette{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                                                       "#000000", "#8C564B", "#7F7F7F", "#BCBD22", "#17BECF"};
  return kPalette[index % kPalette.size()];
}

std::string StrategyColours::colour(const std::string& label) const {
  const auto it = std::find(labels_.begin(), labels_.end(), label);
  return it == labels_.end() ? std::string("#999999") : strategy_colour(static_cast<std::size_t>(it - labels_.begin()));
}

nlohmann::json StrategyColours::encoding(const std::string& field, const std::vector<std::string>& shown, const std::string& title) const {
  std::vector<std::string> domain;
  for (const auto& l : labels_)
    if (shown.empty() || std::find(shown.begin(), shown.end(), l) != shown.end()) domain.push_back(l);
  for (const auto& l : shown)  // a label it does not know still gets a (grey) entry
    if (std::find(domain.begin(), domain.end(), l) == domain.end()) domain.push_back(l);
  std::vector<std::string> range;
  for (const auto& l : domain) range.push_back(colour(l));
  return {{"field", field}, {"type", "nominal"}, {"title", title}, {"sort", domain}, {"scale", {{"domain", domain}, {"range", range}}}};
}

double tick_step(double lo, double hi, int count) {
  // d3-array ticks.js, tickIncrement: the step nearest (hi - lo) / count among 1, 2, 5 x 10^k.
  const double step = (hi - lo) / std::max(1, count);
  if (!(step > 0) || !std::isfinite(step)) return 0;
  const double power = std::floor(std::log10(step));
  const double error = step / std::pow(10.0, power);
  const double factor = error >= std::sqrt(50.0) ? 10 : error >= std::sqrt(10.0) ? 5 : error >= std::sqrt(2.0) ? 2 : 1;
  return factor * std::pow(10.0, power);
}

std::string percent_format(double lo, double hi) {
  lo = std::min(lo, 0.0), hi = std::max(hi, 0.0);  // the axis starts at 0
  const double step = tick_step(lo, hi, kPercentTicks);
  if (!(step > 0)) return ".0%";
  // d3-format's precisionFixed of the step in percent: the decimals that tell two ticks apart.
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step * 100) + 1e-9)));
  return fmt::format(".{}%", std::min(decimals, 6));
}

nlohmann::json percent_axis(double lo, double hi) { return {{"format", percent_format(lo, hi)}, {"tickCount", kPercentTicks}}; }

double label_width(const std::string& text, double font_size) {
  std::size_t characters = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++characters;  // UTF-8: count code points, not bytes
  return 0.64 * font_size * static_cast<double>(characters);
}

std::vector<std::optional<std::size_t>> place_labels(const std::vector<std::vector<LabelBox>>& candidates, const LabelBox& area) {
  std::vector<std::optional<std::size_t>> chosen;
  std::vector<LabelBox> placed;
  for (const auto& boxes : candidates) {
    std::optional<std::size_t> pick;
    for (std::size_t i = 0; i < boxes.size() && !pick; ++i) {
      if (!boxes[i].inside(area)) continue;
      if (std::none_of(placed.begin(), placed.end(), [&](const LabelBox& p) { return p.overlaps(boxes[i]); })) pick = i;
    }
    if (pick) placed.push_back(boxes[*pick]);
    chosen.push_back(pick);
  }
  return chosen;
}

}  // namespace hemsim::detail
