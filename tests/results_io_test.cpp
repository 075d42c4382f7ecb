// Results round-trip through JSON without loss, CSV tables carry the same numbers, and
// files are replaced atomically (a failed write leaves the previous file intact).

#include "hemsim/results_io.hpp"

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hemsim/hemsim.hpp"

namespace fs = std::filesystem;

namespace {

hemsim::RunResults sample_results() {
  hemsim::SimulationOptions options;
  options.individuals = 2000;
  return hemsim::run_scenario(hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml"), options);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path scratch_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_results_io_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST(ResultsIo, JsonRoundTripIsLossless) {
  const auto r = sample_results();
  const auto back = hemsim::results_from_json(hemsim::results_to_json(r));
  EXPECT_EQ(back.scenario_name, r.scenario_name);
  EXPECT_EQ(back.seed, r.seed);
  EXPECT_EQ(back.individuals, r.individuals);
  EXPECT_EQ(back.states, r.states);
  EXPECT_EQ(back.event_report_years, r.event_report_years);
  ASSERT_EQ(back.strategies.size(), r.strategies.size());
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    EXPECT_EQ(back.strategies[k].qalys.discounted.mean, r.strategies[k].qalys.discounted.mean);
    EXPECT_EQ(back.strategies[k].qalys.discounted.mcse, r.strategies[k].qalys.discounted.mcse);
    EXPECT_EQ(back.strategies[k].costs_by_category[1].undiscounted.mean, r.strategies[k].costs_by_category[1].undiscounted.mean);
    EXPECT_EQ(back.strategies[k].trace, r.strategies[k].trace);
    EXPECT_EQ(back.strategies[k].events[0].cumulative_incidence, r.strategies[k].events[0].cumulative_incidence);
    EXPECT_EQ(back.strategies[k].years_in_state[2].mean, r.strategies[k].years_in_state[2].mean);
  }
  EXPECT_EQ(back.increments[0].costs_by_perspective[0].discounted.mcse, r.increments[0].costs_by_perspective[0].discounted.mcse);
  ASSERT_EQ(back.incremental_tables[0].rows.size(), 2U);
  EXPECT_EQ(back.incremental_tables[0].rows[1].icer, r.incremental_tables[0].rows[1].icer);
  EXPECT_FALSE(back.incremental_tables[0].rows[0].icer.has_value());
  EXPECT_EQ(hemsim::results_to_json(back), hemsim::results_to_json(r));
}

TEST(ResultsIo, CsvFilesCarryTheResults) {
  const auto r = sample_results();
  const fs::path dir = scratch_dir("csv");
  hemsim::write_results(r, dir.string());
  for (const char* name : {"results.json", "summary.csv", "increments.csv", "icers.csv", "trace.csv", "events.csv", "event_incidence.csv", "years_in_state.csv"})
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  const std::string summary = read(dir / "summary.csv");
  EXPECT_EQ(summary.rfind("strategy,label,cost_health_care_discounted,cost_health_care_discounted_mcse", 0), 0U) << summary;
  EXPECT_NE(summary.find(fmt::format("no_treatment,No Treatment,{:.17g},{:.17g}", r.strategies[0].costs_by_perspective[0].discounted.mean,
                                     r.strategies[0].costs_by_perspective[0].discounted.mcse)),
            std::string::npos)
      << summary;
  const std::string icers = read(dir / "icers.csv");
  EXPECT_NE(icers.find(fmt::format("health_care,treatment,{:.17g}", r.strategies[1].costs_by_perspective[0].discounted.mean)), std::string::npos);
  // trace.csv: one row per strategy, point and state, plus the header.
  const std::string trace = read(dir / "trace.csv");
  EXPECT_EQ(static_cast<std::size_t>(std::count(trace.begin(), trace.end(), '\n')), 1 + 2 * 31 * 4U);
  fs::remove_all(dir);
}

TEST(ResultsIo, AtomicWriteKeepsTheOldFileOnFailure) {
  const fs::path dir = scratch_dir("atomic");
  fs::create_directories(dir);
  const fs::path target = dir / "results.json";
  hemsim::write_file_atomically(target.string(), "old");
  EXPECT_EQ(read(target), "old");
  hemsim::write_file_atomically(target.string(), "new");
  EXPECT_EQ(read(target), "new");
  // The rename cannot replace a directory: the write fails and leaves no temporary file.
  const fs::path blocked = dir / "blocked";
  fs::create_directories(blocked / "inside");
  EXPECT_THROW(hemsim::write_file_atomically(blocked.string(), "x"), hemsim::ScenarioError);
  EXPECT_TRUE(fs::is_directory(blocked));
  for (const auto& entry : fs::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  EXPECT_EQ(read(target), "new");
  // A directory that cannot be created is a clear error.
  EXPECT_THROW(hemsim::write_results(sample_results(), (target / "sub").string()), hemsim::ScenarioError);
  fs::remove_all(dir);
}

TEST(ResultsIo, TerminalTableShowsEstimatesWithErrors) {
  const auto r = sample_results();
  const std::string table = hemsim::format_results_table(r);
  EXPECT_NE(table.find("No Treatment"), std::string::npos);
  EXPECT_NE(table.find(fmt::format("{:.4f} ± {:.4f}", r.strategies[1].qalys.discounted.mean, r.strategies[1].qalys.discounted.mcse)),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("ICER"), std::string::npos);
  // became_sicker is reported at 5, 10 and 30 years: the 10-year value is point 10 of the curve.
  EXPECT_NE(table.find(fmt::format("by 10 years:  No Treatment {:.4f}", r.strategies[0].events[0].cumulative_incidence[10])),
            std::string::npos)
      << table;
}
