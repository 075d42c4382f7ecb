// Results round-trip through JSON without loss, the CSV tables hold exactly the numbers
// of a hand-made result, the terminal table shows them, and files are replaced
// atomically: a failed write leaves the previous file whole and no temporary behind.

#include "hemsim/results_io.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hemsim/error.hpp"

namespace fs = std::filesystem;
using hemsim::DiscountedEstimate;
using hemsim::DominanceStatus;
using hemsim::Estimate;
using hemsim::RunResults;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

DiscountedEstimate de(double d, double d_mcse, double u, double u_mcse) { return {{d, d_mcse}, {u, u_mcse}}; }

// Two strategies, two states, four half-year cycles (a two-year horizon). Numbers are
// short in decimal so the CSV text below can be written out by hand.
RunResults sample() {
  RunResults r;
  r.scenario_name = "Relapse \"prevention\"";
  r.scenario_file = "scenarios/relapse.yaml";
  r.method = "microsimulation";
  r.seed = 18446744073709551557ULL;  // needs all 64 bits
  r.individuals = 1000;
  r.cycle_length_years = 0.5;
  r.cycles = 4;
  r.currency = "EUR";
  r.price_year = 2023;
  r.effect_measure = "qalys";
  r.willingness_to_pay = {20000, 50000};
  r.states = {"well", "dead"};
  r.cost_categories = {"drugs", "care"};
  r.perspectives = {"health_care", "societal"};
  r.outcomes = {"workdays"};
  r.outcome_labels = {"Workdays lost"};
  r.events = {"relapse"};
  r.event_report_years = {{1, 1.75}};
  r.reference_strategy = "usual";

  hemsim::StrategyOutcomes usual;
  usual.name = "usual";
  usual.label = "Usual care";
  usual.costs_by_category = {de(1000, 10, 1200, 12), de(500.5, 2.5, 600.25, 3)};
  usual.costs_by_perspective = {de(1500.5, 11, 1800.25, 13), de(2500, 20, 3000, 25)};
  usual.qalys = de(1.25, 0.01, 1.5, 0.0125);
  usual.life_years = de(1.75, 0.02, 1.875, 0.025);
  usual.outcomes = {de(3.5, 0.5, 4, 0.5)};
  usual.events = {{{0.375, 0.015}, {0.5, 0.02}, {0, 0.125, 0.25, 0.3125, 0.375}}};
  usual.years_in_state = {{1.875, 0.025}, {0.125, 0.025}};
  usual.trace = {1, 0, 0.9375, 0.0625, 0.875, 0.125, 0.8125, 0.1875, 0.75, 0.25};

  hemsim::StrategyOutcomes treated;
  treated.name = "new";
  treated.label = "New, improved";
  treated.costs_by_category = {de(3000, 30, 3600, 36), de(250, 1.5, 300, 2)};
  treated.costs_by_perspective = {de(3250, 31, 3900, 37), de(2000, 18, 2400, 22)};
  treated.qalys = de(1.5, 0.01, 1.75, 0.0125);
  treated.life_years = de(1.875, 0.02, 1.9375, 0.025);
  treated.outcomes = {de(1.5, 0.25, 2, 0.25)};
  treated.events = {{{0.25, kNaN}, {0.25, 0.01}, {0, 0.0625, 0.125, 0.1875, 0.25}}};  // an MCSE not available
  treated.years_in_state = {{1.9375, 0.025}, {0.0625, 0.025}};
  treated.trace = {1, 0, 0.96875, 0.03125, 0.9375, 0.0625, 0.90625, 0.09375, 0.875, 0.125};
  r.strategies = {usual, treated};

  hemsim::Increment inc;
  inc.name = "new";
  inc.costs_by_perspective = {de(1749.5, 5, 2099.75, 6), de(-500, 4, -600, 4.5)};
  inc.qalys = de(0.25, 0.002, 0.25, 0.0025);
  inc.life_years = de(0.125, 0.001, 0.0625, 0.001);
  r.increments = {inc};

  // Health care: new vs usual = 1749.5 / 0.25 = 6998. Societal: new is cheaper and better.
  hemsim::IncrementalTable health_care{"health_care", {}};
  health_care.rows.push_back(
      {"usual", 1500.5, 1.25, DominanceStatus::non_dominated, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}});
  health_care.rows.push_back({"new", 3250, 1.5, DominanceStatus::non_dominated, "usual", 1749.5, 0.25, 6998, {}});
  hemsim::IncrementalTable societal{"societal", {}};
  societal.rows.push_back({"new", 2000, 1.5, DominanceStatus::non_dominated, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {}});
  societal.rows.push_back({"usual", 2500, 1.25, DominanceStatus::dominated, std::nullopt, std::nullopt, std::nullopt, std::nullopt, {"new"}});
  r.incremental_tables = {health_care, societal};
  return r;
}

// Equal, or both NaN (NaN travels through JSON as null).
void expect_same(double a, double b, const std::string& what) {
  if (std::isnan(a) || std::isnan(b))
    EXPECT_TRUE(std::isnan(a) && std::isnan(b)) << what << ": " << a << " vs " << b;
  else
    EXPECT_EQ(a, b) << what;
}
void expect_same(const Estimate& a, const Estimate& b, const std::string& what) {
  expect_same(a.mean, b.mean, what + ".mean");
  expect_same(a.mcse, b.mcse, what + ".mcse");
}
void expect_same(const DiscountedEstimate& a, const DiscountedEstimate& b, const std::string& what) {
  expect_same(a.discounted, b.discounted, what + ".discounted");
  expect_same(a.undiscounted, b.undiscounted, what + ".undiscounted");
}
template <class T>
void expect_same(const std::vector<T>& a, const std::vector<T>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (std::size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i], what + "[" + std::to_string(i) + "]");
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

/// A fresh empty directory, removed at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("hemsim_results_io_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// The four column names of one discounted outcome with MCSEs.
std::string four(const std::string& name) {
  return "," + name + "_discounted," + name + "_discounted_mcse," + name + "_undiscounted," + name + "_undiscounted_mcse";
}

}  // namespace

TEST(ResultsIo, JsonRoundTripKeepsEveryField) {
  const RunResults r = sample();
  const RunResults back = hemsim::results_from_json(hemsim::results_to_json(r));
  EXPECT_EQ(back.scenario_name, r.scenario_name);
  EXPECT_EQ(back.scenario_file, r.scenario_file);
  EXPECT_EQ(back.method, r.method);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_EQ(back.individuals, r.individuals);
  EXPECT_EQ(back.cycle_length_years, r.cycle_length_years);
  EXPECT_EQ(back.cycles, r.cycles);
  EXPECT_EQ(back.currency, r.currency);
  EXPECT_EQ(back.price_year, r.price_year);
  EXPECT_EQ(back.effect_measure, r.effect_measure);
  EXPECT_EQ(back.willingness_to_pay, r.willingness_to_pay);
  EXPECT_EQ(back.states, r.states);
  EXPECT_EQ(back.cost_categories, r.cost_categories);
  EXPECT_EQ(back.perspectives, r.perspectives);
  EXPECT_EQ(back.outcomes, r.outcomes);
  EXPECT_EQ(back.outcome_labels, r.outcome_labels);
  EXPECT_EQ(back.events, r.events);
  EXPECT_EQ(back.event_report_years, r.event_report_years);
  EXPECT_EQ(back.reference_strategy, r.reference_strategy);

  ASSERT_EQ(back.strategies.size(), r.strategies.size());
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    const auto& a = back.strategies[k];
    const auto& b = r.strategies[k];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.label, b.label);
    expect_same(a.costs_by_category, b.costs_by_category, b.name + ".costs_by_category");
    expect_same(a.costs_by_perspective, b.costs_by_perspective, b.name + ".costs_by_perspective");
    expect_same(a.qalys, b.qalys, b.name + ".qalys");
    expect_same(a.life_years, b.life_years, b.name + ".life_years");
    expect_same(a.outcomes, b.outcomes, b.name + ".outcomes");
    ASSERT_EQ(a.events.size(), b.events.size());
    for (std::size_t e = 0; e < b.events.size(); ++e) {
      expect_same(a.events[e].ever, b.events[e].ever, b.name + ".ever");
      expect_same(a.events[e].count, b.events[e].count, b.name + ".count");
      EXPECT_EQ(a.events[e].cumulative_incidence, b.events[e].cumulative_incidence);
    }
    expect_same(a.years_in_state, b.years_in_state, b.name + ".years_in_state");
    EXPECT_EQ(a.trace, b.trace);
  }
  EXPECT_TRUE(std::isnan(back.strategies[1].events[0].ever.mcse));

  ASSERT_EQ(back.increments.size(), 1U);
  EXPECT_EQ(back.increments[0].name, "new");
  expect_same(back.increments[0].costs_by_perspective, r.increments[0].costs_by_perspective, "increment costs");
  expect_same(back.increments[0].qalys, r.increments[0].qalys, "increment qalys");
  expect_same(back.increments[0].life_years, r.increments[0].life_years, "increment life_years");

  ASSERT_EQ(back.incremental_tables.size(), 2U);
  for (std::size_t t = 0; t < 2; ++t) {
    EXPECT_EQ(back.incremental_tables[t].perspective, r.incremental_tables[t].perspective);
    ASSERT_EQ(back.incremental_tables[t].rows.size(), 2U);
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& a = back.incremental_tables[t].rows[i];
      const auto& b = r.incremental_tables[t].rows[i];
      EXPECT_EQ(a.strategy, b.strategy);
      EXPECT_EQ(a.cost, b.cost);
      EXPECT_EQ(a.effect, b.effect);
      EXPECT_EQ(a.status, b.status);
      EXPECT_EQ(a.compared_with, b.compared_with);
      EXPECT_EQ(a.incremental_cost, b.incremental_cost);
      EXPECT_EQ(a.incremental_effect, b.incremental_effect);
      EXPECT_EQ(a.icer, b.icer);
      EXPECT_EQ(a.dominated_by, b.dominated_by);
    }
  }
  // And the reloaded value writes the same text.
  EXPECT_EQ(hemsim::results_to_json(back), hemsim::results_to_json(r));
}

TEST(ResultsIo, JsonRoundTripIsExactForAwkwardDoubles) {
  RunResults r = sample();
  r.strategies[0].qalys.discounted.mean = 0.1 + 0.2;  // not 0.3
  r.strategies[0].qalys.discounted.mcse = 5e-324;     // the smallest subnormal
  r.strategies[1].trace[3] = 1.0 / 3.0;
  r.incremental_tables[0].rows[1].icer = 1.7976931348623157e308;  // the largest double
  const RunResults back = hemsim::results_from_json(hemsim::results_to_json(r));
  EXPECT_EQ(back.strategies[0].qalys.discounted.mean, 0.1 + 0.2);
  EXPECT_EQ(back.strategies[0].qalys.discounted.mcse, 5e-324);
  EXPECT_EQ(back.strategies[1].trace[3], 1.0 / 3.0);
  EXPECT_EQ(back.incremental_tables[0].rows[1].icer, 1.7976931348623157e308);
}

TEST(ResultsIo, JsonLayoutMatchesTheDocumentedSchema) {
  const auto j = nlohmann::json::parse(hemsim::results_to_json(sample()));
  EXPECT_EQ(j.at("format_version"), 1);
  EXPECT_EQ(j.at("scenario").at("name"), "Relapse \"prevention\"");
  EXPECT_EQ(j.at("seed").get<std::uint64_t>(), 18446744073709551557ULL);
  EXPECT_EQ(j.at("event_report_years"), nlohmann::json::parse("[[1.0, 1.75]]"));
  const auto& usual = j.at("strategies").at(0);
  EXPECT_EQ(usual.at("qalys"), nlohmann::json::parse(R"({"discounted": {"mean": 1.25, "mcse": 0.01},
                                                         "undiscounted": {"mean": 1.5, "mcse": 0.0125}})"));
  // The trace is T + 1 rows of one proportion per state.
  ASSERT_EQ(usual.at("trace").size(), 5U);
  EXPECT_EQ(usual.at("trace").at(1), nlohmann::json::parse("[0.9375, 0.0625]"));
  // NaN and "not applicable" are null.
  EXPECT_TRUE(j.at("strategies").at(1).at("events").at(0).at("ever").at("mcse").is_null());
  const auto& first = j.at("incremental_tables").at(0).at("rows").at(0);
  EXPECT_EQ(first.at("status"), "ND");
  for (const char* key : {"compared_with", "incremental_cost", "incremental_effect", "icer"}) EXPECT_TRUE(first.at(key).is_null()) << key;
  EXPECT_EQ(j.at("incremental_tables").at(0).at("rows").at(1).at("icer"), 6998.0);
  EXPECT_EQ(j.at("incremental_tables").at(1).at("rows").at(1).at("status"), "D");
}

TEST(ResultsIo, DamagedJsonIsAClearInputError) {
  const std::string good = hemsim::results_to_json(sample());
  auto edited = [&](auto change) {
    auto j = nlohmann::json::parse(good);
    change(j);
    return j.dump();
  };
  using J = nlohmann::json;
  EXPECT_THROW((void)hemsim::results_from_json("{ not json"), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j.erase("states"); })), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j["seed"] = "one"; })), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j["format_version"] = 2; })), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j["strategies"][0]["trace"][2] = J::array({1.0}); })),
               hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j["incremental_tables"][0]["rows"][0]["status"] = "X"; })),
               hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::results_from_json(edited([](J& j) { j["strategies"][1]["costs_by_perspective"].erase(1); })),
               hemsim::ScenarioError);
  // A file from before user-defined outcomes (no "outcomes" keys) still loads.
  const RunResults old = hemsim::results_from_json(edited([](J& j) {
    j.erase("outcomes");
    j.erase("outcome_labels");
    j.erase("format_version");
    for (auto& s : j["strategies"]) s.erase("outcomes");
  }));
  EXPECT_TRUE(old.outcomes.empty());
  EXPECT_TRUE(old.strategies[0].outcomes.empty());
}

TEST(ResultsIo, InconsistentResultsAreABugNotAFile) {
  RunResults r = sample();
  r.strategies[1].costs_by_perspective.pop_back();
  EXPECT_THROW((void)hemsim::results_to_json(r), hemsim::InternalError);
  EXPECT_THROW((void)hemsim::format_results_table(r), hemsim::InternalError);
  ScratchDir dir("inconsistent");
  EXPECT_THROW(hemsim::write_results(r, dir.path().string()), hemsim::InternalError);
  EXPECT_TRUE(entries(dir.path()).empty());
  r = sample();
  r.strategies[0].trace.pop_back();  // not a whole number of rows
  EXPECT_THROW((void)hemsim::results_to_json(r), hemsim::InternalError);
}

TEST(ResultsIo, CsvFilesHoldExactlyTheResults) {
  ScratchDir dir("csv");
  const fs::path out = dir.path() / "nested" / "out";  // created as needed
  hemsim::write_results(sample(), out.string());
  EXPECT_EQ(entries(out), (std::set<std::string>{"results.json", "summary.csv", "increments.csv", "icers.csv", "trace.csv", "events.csv",
                                                 "event_incidence.csv", "years_in_state.csv", "costs_by_year.csv", "manifest.json"}));

  EXPECT_EQ(read(out / "summary.csv"), "strategy,label" + four("cost_health_care") + four("cost_societal") + four("cost_category_drugs") +
                                           four("cost_category_care") + four("qalys") + four("life_years") + four("outcome_workdays") +
                                           "\n"
                                           "usual,Usual care,1500.5,11,1800.25,13,2500,20,3000,25,1000,10,1200,12,500.5,2.5,600.25,3,"
                                           "1.25,0.01,1.5,0.0125,1.75,0.02,1.875,0.025,3.5,0.5,4,0.5\n"
                                           "new,\"New, improved\",3250,31,3900,37,2000,18,2400,22,3000,30,3600,36,250,1.5,300,2,"
                                           "1.5,0.01,1.75,0.0125,1.875,0.02,1.9375,0.025,1.5,0.25,2,0.25\n");

  EXPECT_EQ(read(out / "increments.csv"),
            "strategy,reference" + four("delta_cost_health_care") + four("delta_cost_societal") + four("delta_qalys") +
                four("delta_life_years") +
                "\n"
                "new,usual,1749.5,5,2099.75,6,-500,4,-600,4.5,0.25,0.002,0.25,0.0025,0.125,0.001,0.0625,0.001\n");

  EXPECT_EQ(read(out / "icers.csv"),
            "perspective,strategy,cost,effect,status,compared_with,incremental_cost,incremental_effect,icer\n"
            "health_care,usual,1500.5,1.25,ND,,,,\n"
            "health_care,new,3250,1.5,ND,usual,1749.5,0.25,6998\n"
            "societal,new,2000,1.5,ND,,,,\n"
            "societal,usual,2500,1.25,D,,,,\n");

  EXPECT_EQ(read(out / "trace.csv"),
            "t,time_years,strategy,state,proportion\n"
            "0,0,usual,well,1\n0,0,usual,dead,0\n"
            "1,0.5,usual,well,0.9375\n1,0.5,usual,dead,0.0625\n"
            "2,1,usual,well,0.875\n2,1,usual,dead,0.125\n"
            "3,1.5,usual,well,0.8125\n3,1.5,usual,dead,0.1875\n"
            "4,2,usual,well,0.75\n4,2,usual,dead,0.25\n"
            "0,0,new,well,1\n0,0,new,dead,0\n"
            "1,0.5,new,well,0.96875\n1,0.5,new,dead,0.03125\n"
            "2,1,new,well,0.9375\n2,1,new,dead,0.0625\n"
            "3,1.5,new,well,0.90625\n3,1.5,new,dead,0.09375\n"
            "4,2,new,well,0.875\n4,2,new,dead,0.125\n");

  // Whole years 1 and 2 are points 2 and 4 of the half-yearly curve; the missing MCSE
  // is an empty cell.
  EXPECT_EQ(read(out / "events.csv"),
            "strategy,event,ever,ever_mcse,count,count_mcse,cumulative_incidence_year_1,cumulative_incidence_year_2\n"
            "usual,relapse,0.375,0.015,0.5,0.02,0.25,0.375\n"
            "new,relapse,0.25,,0.25,0.01,0.125,0.25\n");

  EXPECT_EQ(read(out / "event_incidence.csv"),
            "strategy,event,t,time_years,cumulative_incidence\n"
            "usual,relapse,0,0,0\nusual,relapse,1,0.5,0.125\nusual,relapse,2,1,0.25\nusual,relapse,3,1.5,0.3125\n"
            "usual,relapse,4,2,0.375\n"
            "new,relapse,0,0,0\nnew,relapse,1,0.5,0.0625\nnew,relapse,2,1,0.125\nnew,relapse,3,1.5,0.1875\n"
            "new,relapse,4,2,0.25\n");

  EXPECT_EQ(read(out / "years_in_state.csv"),
            "strategy,state,years,years_mcse\n"
            "usual,well,1.875,0.025\nusual,dead,0.125,0.025\n"
            "new,well,1.9375,0.025\nnew,dead,0.0625,0.025\n");

  EXPECT_EQ(read(out / "results.json"), hemsim::results_to_json(sample()));
}

TEST(ResultsIo, EventsCsvReadsMonthlyCurvesAtWholeYears) {
  // Monthly cycles over 2 years: whole years are points 12 and 24, although 12 x (1/12)
  // is not exactly 1 in floating point.
  RunResults r = sample();
  r.cycle_length_years = 1.0 / 12.0;
  r.cycles = 24;
  r.event_report_years = {};
  for (auto& s : r.strategies) {
    s.trace.clear();
    s.events[0].cumulative_incidence.clear();
    for (int t = 0; t <= 24; ++t) s.events[0].cumulative_incidence.push_back(t / 100.0);
  }
  ScratchDir dir("monthly");
  hemsim::write_results(r, dir.path().string());
  const std::string events = read(dir.path() / "events.csv");
  EXPECT_NE(events.find(",cumulative_incidence_year_1,cumulative_incidence_year_2\n"), std::string::npos) << events;
  EXPECT_NE(events.find("\nusual,relapse,0.375,0.015,0.5,0.02,0.12,0.24\n"), std::string::npos) << events;
}

TEST(ResultsIo, TerminalTableShowsEstimatesWithErrors) {
  const std::string table = hemsim::format_results_table(sample());
  for (const char* text : {"Relapse \"prevention\" — microsimulation, 1000 individuals, seed 18446744073709551557",
                           "4 cycles of 0.5 years; costs in EUR (2023)",
                           "Cost (health_care)",
                           "Cost (societal)",
                           "Usual care",
                           "New, improved",
                           "1.2500 ± 0.0100",
                           "1.5000 ± 0.0100",
                           "1.8750 ± 0.0200",
                           "Increments against Usual care (paired, common random numbers)",
                           "Δ QALYs",
                           "+0.2500 ± 0.0020",
                           "-500 ± 4",
                           "Incremental cost-effectiveness, health_care perspective (EUR per QALY)",
                           "Incremental cost-effectiveness, societal perspective (EUR per QALY)",
                           "6998",
                           ": Workdays lost",
                           "4.00 ± 0.50",
                           "dominant",
                           "By 1 y",
                           "By 1.75 y"})
    EXPECT_NE(table.find(text), std::string::npos) << "missing '" << text << "' in\n" << table;

  // One line per ICER row: strategy first, status last; no comparison for the first.
  std::istringstream lines(table);
  std::vector<std::string> icer_rows;
  for (std::string line; std::getline(lines, line);)
    if (line.size() > 3 && (line.ends_with(" ND") || line.ends_with(" D") || line.ends_with(" ED"))) icer_rows.push_back(line);
  ASSERT_EQ(icer_rows.size(), 4U) << table;
  EXPECT_TRUE(icer_rows[0].starts_with("Usual care") && icer_rows[0].find("—") != std::string::npos) << icer_rows[0];
  EXPECT_TRUE(icer_rows[1].starts_with("New, improved") && icer_rows[1].find("6998") != std::string::npos) << icer_rows[1];
  EXPECT_TRUE(icer_rows[3].starts_with("Usual care") && icer_rows[3].ends_with(" D")) << icer_rows[3];

  // Cumulative incidence by 1 year is point 2, by 1.75 years point 3 (the last one before).
  const auto events = table.find("relapse");
  ASSERT_NE(events, std::string::npos);
  const std::string usual_line =
      table.substr(table.find("Usual care", events), table.find('\n', table.find("Usual care", events)) - table.find("Usual care", events));
  std::istringstream cells(usual_line.substr(std::string("Usual care").size()));
  const std::vector<std::string> tokens{std::istream_iterator<std::string>(cells), std::istream_iterator<std::string>()};
  EXPECT_EQ(tokens, (std::vector<std::string>{"0.5000", "±", "0.0200", "0.3750", "0.2500", "0.3125"})) << usual_line;
}

TEST(ResultsIo, TerminalTableOmitsZeroErrors) {
  RunResults r = sample();
  r.method = "cohort";
  for (auto& s : r.strategies) {
    for (auto* e : {&s.qalys, &s.life_years}) e->discounted.mcse = e->undiscounted.mcse = 0;
    for (auto& c : s.costs_by_perspective) c.discounted.mcse = c.undiscounted.mcse = 0;
    for (auto& o : s.outcomes) o.discounted.mcse = o.undiscounted.mcse = 0;
    for (auto& e : s.events) e.count.mcse = 0;
  }
  for (auto& inc : r.increments) {
    for (auto* e : {&inc.qalys, &inc.life_years}) e->discounted.mcse = e->undiscounted.mcse = 0;
    for (auto& c : inc.costs_by_perspective) c.discounted.mcse = c.undiscounted.mcse = 0;
  }
  const std::string table = hemsim::format_results_table(r);
  EXPECT_EQ(table.find("±"), std::string::npos) << table;
  EXPECT_EQ(table.find("individuals"), std::string::npos) << table;
  EXPECT_NE(table.find("+0.2500"), std::string::npos) << table;
}

TEST(ResultsIo, AtomicWriteReplacesTheWholeFile) {
  ScratchDir dir("replace");
  const fs::path target = dir.path() / "results.json";
  hemsim::write_file_atomically(target.string(), "old");
  EXPECT_EQ(read(target), "old");
  const std::string longer(1 << 20, 'x');
  hemsim::write_file_atomically(target.string(), longer);
  EXPECT_EQ(read(target), longer);
  hemsim::write_file_atomically(target.string(), "");
  EXPECT_EQ(read(target), "");
  EXPECT_EQ(entries(dir.path()), std::set<std::string>{"results.json"});  // no temporary left
}

TEST(ResultsIo, FailedRenameLeavesTheOldContentAndNoTemporary) {
  ScratchDir dir("rename");
  // rename() cannot put a file over a non-empty directory.
  const fs::path blocked = dir.path() / "blocked";
  fs::create_directories(blocked / "inside");
  write(blocked / "inside" / "keep.txt", "kept");
  EXPECT_THROW(hemsim::write_file_atomically(blocked.string(), "x"), hemsim::ScenarioError);
  EXPECT_EQ(read(blocked / "inside" / "keep.txt"), "kept");
  EXPECT_EQ(entries(dir.path()), std::set<std::string>{"blocked"});
}

TEST(ResultsIo, UnwritableDirectoryLeavesTheOldFile) {
  if (::geteuid() == 0) {
    // Permission bits do not stop root; a directory no one can create files in does.
    if (!fs::exists("/proc/version")) GTEST_SKIP() << "running as root without /proc";
    const std::string before = read("/proc/version");
    EXPECT_THROW(hemsim::write_file_atomically("/proc/version", "x"), hemsim::ScenarioError);
    EXPECT_EQ(read("/proc/version"), before);
    return;
  }
  ScratchDir dir("unwritable");
  const fs::path target = dir.path() / "summary.csv";
  write(target, "old results");
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec);
  EXPECT_THROW(hemsim::write_file_atomically(target.string(), "new results"), hemsim::ScenarioError);
  fs::permissions(dir.path(), fs::perms::owner_all);
  EXPECT_EQ(read(target), "old results");
  EXPECT_EQ(entries(dir.path()), std::set<std::string>{"summary.csv"});
}

TEST(ResultsIo, MissingDirectoryOrFileInTheWayIsAnInputError) {
  ScratchDir dir("missing");
  EXPECT_THROW(hemsim::write_file_atomically((dir.path() / "no_such_dir" / "x.csv").string(), "x"), hemsim::ScenarioError);
  EXPECT_THROW(hemsim::write_file_atomically((dir.path() / "").string(), "x"), hemsim::ScenarioError);
  const fs::path file = dir.path() / "a_file";
  write(file, "content");
  // write_results cannot make a directory where a file is, nor below one.
  EXPECT_THROW(hemsim::write_results(sample(), file.string()), hemsim::ScenarioError);
  EXPECT_THROW(hemsim::write_results(sample(), (file / "sub").string()), hemsim::ScenarioError);
  EXPECT_EQ(read(file), "content");
  EXPECT_EQ(entries(dir.path()), std::set<std::string>{"a_file"});
}

TEST(ResultsIo, WriteResultsReplacesNothingWhenOneFileCannotBeReplaced) {
  ScratchDir dir("all_or_nothing");
  RunResults old = sample();
  old.scenario_name = "earlier run";
  hemsim::write_results(old, dir.path().string());
  const std::string old_json = read(dir.path() / "results.json");
  const std::string old_summary = read(dir.path() / "summary.csv");
  // trace.csv comes after results.json and summary.csv; make it impossible to replace.
  fs::remove(dir.path() / "trace.csv");
  fs::create_directories(dir.path() / "trace.csv" / "inside");
  EXPECT_THROW(hemsim::write_results(sample(), dir.path().string()), hemsim::ScenarioError);
  EXPECT_EQ(read(dir.path() / "results.json"), old_json);
  EXPECT_EQ(read(dir.path() / "summary.csv"), old_summary);
  EXPECT_EQ(entries(dir.path()), (std::set<std::string>{"results.json", "summary.csv", "increments.csv", "icers.csv", "trace.csv",
                                                        "events.csv", "event_incidence.csv", "years_in_state.csv", "costs_by_year.csv", "manifest.json"}));
}

TEST(ResultsIo, ConcurrentWritersNeverMixTheirContent) {
  // Each writer's content is one repeated character; whatever wins, the file must be one
  // writer's whole content, and no temporary file may remain.
  ScratchDir dir("concurrent");
  const fs::path target = dir.path() / "results.json";
  constexpr int kWriters = 8;
  constexpr std::size_t kSize = 256 * 1024;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&target, w] {
      const std::string content(kSize, static_cast<char>('a' + w));
      for (int i = 0; i < 10; ++i) hemsim::write_file_atomically(target.string(), content);
    });
  for (auto& t : writers) t.join();
  const std::string final_content = read(target);
  ASSERT_EQ(final_content.size(), kSize);
  EXPECT_EQ(final_content, std::string(kSize, final_content[0]));
  EXPECT_EQ(entries(dir.path()), std::set<std::string>{"results.json"});
}
