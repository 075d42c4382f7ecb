// Charts a reader can trust (report_style.hpp, report_charts.hpp): one colour per strategy
// in every chart, percent axes whose ticks read differently, threshold labels that never
// overprint, the scenario's labels and state groups, numbers stored as numbers, and the
// ICER's Monte Carlo error.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include <fmt/format.h>

#include "hemsim/hemsim.hpp"
#include "report/report_answer.hpp"
#include "report/report_charts.hpp"
#include "report/report_style.hpp"
#include "support/files_and_commands.hpp"

namespace {

namespace fs = std::filesystem;
using hemsim::detail::LabelBox;
using nlohmann::json;

TEST(ReportStyle, AStrategyHasOneColourWhateverSubsetAChartShows) {
  const hemsim::detail::StrategyColours colours({"Usual care", "Gabapentinoid first", "TGF-beta1", "BMSC"});
  const json all = colours.encoding("strategy");
  const json some = colours.encoding("strategy", {"BMSC", "Gabapentinoid first"});
  // Domain in scenario order, whatever order the subset was given in.
  EXPECT_EQ(some["scale"]["domain"], json({"Gabapentinoid first", "BMSC"}));
  std::map<std::string, std::string> from_all;
  for (std::size_t i = 0; i < all["scale"]["domain"].size(); ++i) from_all[all["scale"]["domain"][i]] = all["scale"]["range"][i];
  for (std::size_t i = 0; i < some["scale"]["domain"].size(); ++i)
    EXPECT_EQ(from_all.at(some["scale"]["domain"][i]), some["scale"]["range"][i].get<std::string>());
  // The scenario's k-th strategy has the palette's k-th colour; all four differ.
  EXPECT_EQ(colours.colour("Usual care"), hemsim::detail::strategy_colour(0));
  EXPECT_EQ(colours.colour("BMSC"), hemsim::detail::strategy_colour(3));
  EXPECT_EQ(std::set<std::string>(all["scale"]["range"].begin(), all["scale"]["range"].end()).size(), 4u);
}

// d3-array's documented examples: ticks(0, 1, 10) step 0.1, ticks(0, 10, 5) step 2,
// ticks(0, 0.004, 5) step 0.001 (0.0008 rounds up to 1 x 10^-3 as 8 > sqrt(50)).
TEST(ReportStyle, TickStepIsD3s) {
  EXPECT_DOUBLE_EQ(hemsim::detail::tick_step(0, 1, 10), 0.1);
  EXPECT_DOUBLE_EQ(hemsim::detail::tick_step(0, 10, 5), 2);
  EXPECT_DOUBLE_EQ(hemsim::detail::tick_step(0, 0.004, 5), 0.001);
  EXPECT_DOUBLE_EQ(hemsim::detail::tick_step(0, 0.6, 5), 0.1);
  EXPECT_DOUBLE_EQ(hemsim::detail::tick_step(0, 0.03, 5), 0.005);
}

// The ticks Vega draws over [0, top], formatted with `decimals` as d3's ".N%" does.
std::vector<std::string> percent_ticks(double top, int decimals) {
  const double step = hemsim::detail::tick_step(0, top, hemsim::detail::kPercentTicks);
  std::vector<std::string> out;
  for (int i = 0; i * step <= top + 1e-15; ++i) out.push_back(fmt::format("{:.{}f}%", 100 * i * step, decimals));
  return out;
}

int decimals_of(const std::string& format) { return std::stoi(format.substr(1, format.size() - 2)); }

TEST(ReportStyle, PercentAxesHaveJustEnoughDecimalsForDistinctTicks) {
  // The overdose-death panel of the flagship reaches about 0.4 %: ".0%" read "0%" on every tick.
  EXPECT_EQ(hemsim::detail::percent_format(0, 0.004), ".1%");
  EXPECT_EQ(hemsim::detail::percent_format(0, 0.6), ".0%");
  EXPECT_EQ(hemsim::detail::percent_format(0, 1), ".0%");
  EXPECT_EQ(hemsim::detail::percent_format(0, 0.0004), ".2%");
  EXPECT_EQ(hemsim::detail::percent_format(0, 0.03), ".1%");
  for (double top : {1.0, 0.6, 0.2, 0.03, 0.012, 0.004, 0.0021, 0.0004, 0.00007}) {
    const int d = decimals_of(hemsim::detail::percent_format(0, top));
    const auto ticks = percent_ticks(top, d);
    ASSERT_GE(ticks.size(), 2u) << top;
    EXPECT_EQ(std::set<std::string>(ticks.begin(), ticks.end()).size(), ticks.size()) << "top " << top << ": " << fmt::format("{}", fmt::join(ticks, " "));
    if (d > 0) {  // one decimal fewer would repeat a tick: the format is the shortest that works
      const auto fewer = percent_ticks(top, d - 1);
      EXPECT_LT(std::set<std::string>(fewer.begin(), fewer.end()).size(), fewer.size()) << top;
    }
  }
}

TEST(ReportStyle, PlacedLabelsNeverOverlapAndStayInTheArea) {
  const LabelBox area{0, 0, 100, 100};
  // Label 0 takes its first box; label 1's first box overlaps it, so it takes its second;
  // label 2's boxes are all taken or outside, so it is left out.
  const auto chosen = hemsim::detail::place_labels({{{10, 10, 40, 20}},
                                                    {{20, 15, 50, 25}, {20, 30, 50, 40}},
                                                    {{0, 12, 30, 22}, {90, 90, 120, 100}}},
                                                   area);
  ASSERT_EQ(chosen.size(), 3u);
  EXPECT_EQ(chosen[0], 0u);
  EXPECT_EQ(chosen[1], 1u);
  EXPECT_FALSE(chosen[2].has_value());
  EXPECT_FALSE(LabelBox({0, 0, 10, 10}).overlaps({10, 0, 20, 10}));  // touching is not overlapping
  EXPECT_TRUE(LabelBox({0, 0, 10, 10}).overlaps({9, 9, 20, 20}));
}

// Thresholds whose lines almost coincide (50,000, 52,000 and 54,000 per QALY) would print
// their labels on top of each other at the lines' ends.
TEST(ReportStyle, CePlaneThresholdLabelsDoNotOverprintEvenForNearLines) {
  const hemsim::detail::PlotFrame frame{-0.1, 0.45, -10000, 110000, 560, 340};
  const auto labels = hemsim::detail::ce_plane_threshold_labels({50000, 52000, 54000, 100000, 150000}, frame);
  ASSERT_EQ(labels.size(), 5u);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EXPECT_TRUE(labels[i].box.inside({0, 0, frame.width, frame.height})) << labels[i].text;
    EXPECT_NEAR(labels[i].box.x1 - labels[i].box.x0, hemsim::detail::label_width(labels[i].text, hemsim::detail::kLabelFontSize), 1e-9);
    // The anchor (data units) is the box's top-left corner.
    EXPECT_NEAR(frame.px(labels[i].x), labels[i].box.x0, 1e-9);
    EXPECT_NEAR(frame.py(labels[i].y), labels[i].box.y0, 1e-9);
    for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(labels[i].box.overlaps(labels[j].box)) << labels[i].text << " / " << labels[j].text;
  }
  EXPECT_EQ(labels[1].text, "WTP 52,000");
  // Each label touches its own line: the line's height at the box's right or left end is
  // within 3 px of the box's bottom or top.
  for (const auto& l : labels) {
    const double w = std::stod(l.text.substr(4, 3)) * 1000;
    const double above = std::abs(frame.py(w * frame.x_at(l.box.x1 + 4)) - (l.box.y1 + 3));
    const double below = std::abs(frame.py(w * frame.x_at(l.box.x0 - 4)) - (l.box.y0 - 3));
    EXPECT_LT(std::min(above, below), 1e-6) << l.text;
  }
  const auto rules = hemsim::detail::rule_threshold_labels({50000, 52000, 54000}, {0, 300000, 0, 1, 560, 340});
  ASSERT_EQ(rules.size(), 3u);
  for (std::size_t i = 0; i < rules.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) EXPECT_FALSE(rules[i].box.overlaps(rules[j].box));
}

TEST(ReportStyle, IcerMcseByTheDeltaMethod) {
  // dC = 1000, dE = 0.1, MCSEs 100 and 0.01, covariance 0.5: at w = 50,000 the INMB's
  // variance is w^2 1e-4 + 1e4 - 2 w 0.5 = 210,000; Var(ICER) = (1e4 - 2 x 1e4 x 0.5 +
  // 1e8 x 1e-4) / 0.01 = 1e6, so the MCSE is 1,000.
  EXPECT_NEAR(hemsim::detail::icer_mcse(1000, 0.1, 100, 0.01, std::sqrt(210000.0), 50000), 1000, 1e-6);
  // Independent increments (covariance 0): Var(INMB) = w^2 Var(dE) + Var(dC).
  const double se_nb = std::sqrt(100000.0 * 100000.0 * 0.01 * 0.01 + 200.0 * 200.0);
  EXPECT_NEAR(hemsim::detail::icer_mcse(5000, 0.2, 200, 0.01, se_nb, 100000),
              std::sqrt(200.0 * 200.0 + 25000.0 * 25000.0 * 0.01 * 0.01) / 0.2, 1e-6);
  EXPECT_EQ(hemsim::detail::icer_mcse(1000, 0.1, 0, 0, 0, 50000), 0);  // a cohort run
  EXPECT_TRUE(std::isnan(hemsim::detail::icer_mcse(1000, 0, 1, 1, 1, 50000)));
}

// Every colour channel of a chart spec that maps strategies (field "strategy" or
// "optimal"): label -> colour, from its scale's domain and range.
void collect_colours(const json& node, std::map<std::string, std::set<std::string>>& colours) {
  if (node.is_object()) {
    if (node.contains("color") && node["color"].is_object() && node["color"].contains("scale") &&
        node["color"]["scale"].contains("range") && (node["color"].value("field", "") == "strategy" || node["color"].value("field", "") == "optimal")) {
      const auto& sc = node["color"]["scale"];
      for (std::size_t i = 0; i < sc["domain"].size(); ++i) colours[sc["domain"][i].get<std::string>()].insert(sc["range"][i].get<std::string>());
    }
    for (const auto& [key, value] : node.items()) collect_colours(value, colours);
  } else if (node.is_array()) {
    for (const auto& value : node) collect_colours(value, colours);
  }
}

// The tutorial's four-strategy model with two states in one group and a labelled event,
// run and sampled: every chart colours a strategy alike, labels replace codes, the trace
// is grouped and has an early-years view, the workbook's tables hold the trace and the
// parameters' values as numbers.
TEST(ReportStyle, TheReportUsesTheScenariosLabelsGroupsAndOneColourPerStrategy) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_style_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string file = (dir / "model.yaml").string();
  {
    std::ifstream in(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto replace = [&](const std::string& from, const std::string& to) {
      const auto at = text.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      text.replace(at, from.size(), to);
    };
    replace("S1: {label: Sick,", "S1: {group: \"Sick or sicker\", label: Sick,");
    replace("S2: {label: Sicker,", "S2: {group: \"Sick or sicker\", label: Sicker,");
    replace("\nstrategies:", "\nevents:\n  became_sicker: {label: \"Became sicker\", enter: [S2], report_years: [5]}\n\nstrategies:");
    std::ofstream(file) << text;
  }
  const hemsim::Scenario sc = hemsim::load_scenario(file);
  ASSERT_EQ(sc.events.size(), 1u);
  EXPECT_EQ(sc.events[0].label, "Became sicker");
  EXPECT_EQ(sc.states[1].group, "Sick or sicker");
  EXPECT_EQ(sc.states[0].group, "");
  ASSERT_EQ(hemsim_test::hemsim_cli("run " + file + " --method cohort -q -o " + (dir / "run").string()), 0);
  ASSERT_EQ(hemsim_test::hemsim_cli("psa " + file + " --method cohort -d 30 -q -o " + (dir / "psa").string()), 0);
  const auto in = hemsim::load_report_inputs({(dir / "run").string(), (dir / "psa").string()});
  const auto doc = hemsim::build_report(in);

  std::map<std::string, std::set<std::string>> colours;
  std::set<std::string> ids;
  for (const auto* chart : doc.charts()) {
    ids.insert(chart->id);
    collect_colours(json::parse(chart->vega_lite), colours);
  }
  for (const char* id : {"state_trace", "state_trace_early", "cumulative_incidence", "ce_plane", "ceac", "ceaf"}) EXPECT_TRUE(ids.count(id)) << id;
  ASSERT_EQ(colours.size(), 4u);  // the four strategies' labels
  std::set<std::string> distinct;
  for (const auto& [label, set] : colours) {
    EXPECT_EQ(set.size(), 1u) << label << " has " << set.size() << " colours";
    distinct.insert(*set.begin());
  }
  EXPECT_EQ(distinct.size(), 4u);

  // The trace: three series (Healthy, the group, Dead) and the early view's first 5 years.
  const auto* trace = [&] {
    for (const auto* c : doc.charts())
      if (c->id == "state_trace_early") return c;
    return static_cast<const hemsim::ReportChart*>(nullptr);
  }();
  ASSERT_NE(trace, nullptr);
  const json early = json::parse(trace->vega_lite);
  std::set<std::string> series;
  double last = 0;
  for (const auto& v : early["data"]["values"]) {
    series.insert(v["series"].get<std::string>());
    last = std::max(last, v["time"].get<double>());
  }
  EXPECT_EQ(series, (std::set<std::string>{"Healthy", "Sick or sicker", "Dead"}));
  EXPECT_DOUBLE_EQ(last, 5.0);
  // The group's share is the sum of its states' at every point: at year 5 of the first strategy.
  const auto& first = in.run->strategies.front();
  const std::size_t S = in.run->states.size();
  int compared = 0;
  for (const auto& v : early["data"]["values"]) {
    if (v["time"] != 5.0 || v["series"] != "Sick or sicker" || v["strategy"] != first.label) continue;
    EXPECT_DOUBLE_EQ(v["proportion"].get<double>(), first.trace[5 * S + 1] + first.trace[5 * S + 2]);
    ++compared;
  }
  EXPECT_EQ(compared, 1);

  // Labels, not codes.
  const auto* base = doc.find_table("base_case");
  ASSERT_NE(base, nullptr);
  bool event_row = false, state_row = false;
  for (const auto& row : base->rows) {
    event_row = event_row || row[0].as_text() == "Event Became sicker: proportion ever";
    state_row = state_row || row[0].as_text() == "Years in Sicker (undiscounted)";
  }
  EXPECT_TRUE(event_row);
  EXPECT_TRUE(state_row);

  // The workbook's tables: the trace in full, and parameters' values as numbers.
  const auto* trace_table = doc.find_table("trace");
  ASSERT_NE(trace_table, nullptr);
  EXPECT_EQ(trace_table->sheet, "Trace");
  EXPECT_EQ(trace_table->rows.size(), in.run->strategies.size() * (first.trace.size() / S));
  EXPECT_EQ(trace_table->rows[7][2 + 1].as_number(), first.trace[7 * S + 1]);
  const auto* parameters = doc.find_table("parameters");
  ASSERT_NE(parameters, nullptr);
  const auto value = static_cast<std::size_t>(std::find(parameters->columns.begin(), parameters->columns.end(), "Base value") -
                                              parameters->columns.begin());
  ASSERT_LT(value, parameters->columns.size());
  for (const auto& row : parameters->rows) {
    const auto& p = *std::find_if(sc.parameters.begin(), sc.parameters.end(), [&](const auto& x) { return x.name == row[0].as_text(); });
    if (p.value.text.find_first_not_of("0123456789.-e") == std::string::npos)
      EXPECT_TRUE(row[value].is_number() && row[value].as_number() == std::stod(p.value.text)) << p.name;
    else
      EXPECT_FALSE(row[value].is_number()) << p.name;  // a formula stays text
  }
  fs::remove_all(dir);
}

}  // namespace
