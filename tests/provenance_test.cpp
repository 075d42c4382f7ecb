// Saved results record the command that made them and the hashes of their inputs:
// running the recorded command again gives the same bytes, and a report of results whose
// scenario has changed since says so.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "core/sha256.hpp"
#include "hemsim/hemsim.hpp"
#include "support/files_and_commands.hpp"

namespace {

namespace fs = std::filesystem;
using hemsim_test::read_bytes;
using hemsim_test::shell;



/// The recorded command, run by the built hemsim with another output folder.
int rerun(const std::string& command, const fs::path& out, const std::string& extra = "") {
  EXPECT_TRUE(command.starts_with("hemsim "));
  return hemsim_test::hemsim_cli(command.substr(7) + " --out " + out.string() + " " + extra);
}

class Provenance : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hemsim_provenance_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

const std::string kCohort = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml";
const std::string kMicro = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml";

TEST_F(Provenance, TheRecordedCommandGivesTheSameBytes) {
  // Defaults spelled out (individuals, seed, method); --threads and --out left out.
  ASSERT_EQ(hemsim_test::hemsim_cli("run " + kMicro + " -n 3000 --threads 2 --quiet --out " + (dir_ / "a").string()), 0);
  const auto run = nlohmann::json::parse(read_bytes(dir_ / "a" / "results.json")).at("provenance");
  const std::string command = run.at("command").get<std::string>();
  EXPECT_NE(command.find("--seed 1"), std::string::npos) << command;
  EXPECT_NE(command.find("--method microsim"), std::string::npos) << command;
  EXPECT_EQ(command.find("--threads"), std::string::npos) << command;
  EXPECT_EQ(command.find("--out"), std::string::npos) << command;
  EXPECT_EQ(run.at("inputs").at(0).at("sha256").get<std::string>(), hemsim::detail::sha256_hex(read_bytes(kMicro)));
  ASSERT_EQ(rerun(command, dir_ / "b", "--threads 1 -q"), 0);
  EXPECT_EQ(read_bytes(dir_ / "a" / "results.json"), read_bytes(dir_ / "b" / "results.json"));

  ASSERT_EQ(hemsim_test::hemsim_cli("psa " + kCohort + " --method cohort -d 30 --set c_trtA=11000 -q --out " + (dir_ / "p").string()), 0);
  const std::string psa_command = nlohmann::json::parse(read_bytes(dir_ / "p" / "psa.json")).at("provenance").at("command").get<std::string>();
  EXPECT_NE(psa_command.find("--set c_trtA=11000"), std::string::npos) << psa_command;
  ASSERT_EQ(rerun(psa_command, dir_ / "q", "-q"), 0);
  for (const char* file : {"psa.json", "psa_draws.csv", "ceac.csv", "evpi.csv"})
    EXPECT_EQ(read_bytes(dir_ / "p" / file), read_bytes(dir_ / "q" / file)) << file;
}

TEST_F(Provenance, AReportOfResultsWhoseScenarioChangedSaysSo) {
  const fs::path scenario = dir_ / "model.yaml";
  fs::copy_file(kCohort, scenario);
  const std::string out = (dir_ / "run").string();
  ASSERT_EQ(hemsim_test::hemsim_cli("run " + scenario.string() + " --method cohort -q --out " + out), 0);
  ASSERT_EQ(hemsim_test::hemsim_cli("report " + out + " --html " + (dir_ / "before.html").string()), 0);
  EXPECT_EQ(read_bytes(dir_ / "before.html").find("has changed since"), std::string::npos);
  std::ofstream(scenario, std::ios::app) << "# edited after the run\n";
  ASSERT_EQ(hemsim_test::hemsim_cli("report " + out + " --html " + (dir_ / "after.html").string()), 0);
  const std::string html = read_bytes(dir_ / "after.html");
  EXPECT_NE(html.find("has changed since these results were made"), std::string::npos);
  EXPECT_NE(html.find("--method cohort --out DIR"), std::string::npos);  // the recorded command
}

TEST(ProvenanceInputs, ChangedAndMissingFilesAreNamed) {
  const auto scenario = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/bmsc_cipn.yaml");
  hemsim::Provenance p{"hemsim run x", "0", hemsim::scenario_inputs(scenario)};
  ASSERT_GE(p.inputs.size(), 3u);  // the scenario and its two life tables
  EXPECT_TRUE(hemsim::changed_inputs(p).empty());
  p.inputs[1].sha256 = std::string(64, '0');
  p.inputs[2].path = "/nonexistent/table.csv";
  const auto changes = hemsim::changed_inputs(p);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_NE(changes[0].find("has changed since"), std::string::npos);
  EXPECT_NE(changes[1].find("not found"), std::string::npos);
}

}  // namespace
