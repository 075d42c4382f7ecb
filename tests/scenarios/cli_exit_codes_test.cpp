// The command line's contract with scripts: exit code 0 on success, 2 for bad input
// (bad options, unreadable or invalid scenarios, unwritable output), every error on
// stderr prefixed "hemsim: error: ", nothing on stdout with --quiet, and results that do
// not depend on --threads.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "core/sha256.hpp"
#include "hemsim/output_folder.hpp"
#include "hemsim/version.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kCohort = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml";
const std::string kMicro = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml";

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Outcome {
  int code = -1;
  std::string out, err;
};

class CliExitCodes : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / (std::string("hemsim_cli_exit_") + test->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome hemsim(const std::string& arguments) const {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string command = std::string(HEMSIM_CLI_PATH) + " " + arguments + " > " + out.string() + " 2> " + err.string();
    const int status = std::system(command.c_str());
    Outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    o.out = read(out);
    o.err = read(err);
    fs::remove(out);
    fs::remove(err);
    return o;
  }

  void expect_bad_input(const std::string& arguments, const std::string& mention) const {
    const Outcome o = hemsim(arguments);
    EXPECT_EQ(o.code, 2) << arguments;
    EXPECT_EQ(o.err.rfind("hemsim: error: ", 0), 0U) << arguments << "\n" << o.err;
    EXPECT_NE(o.err.find(mention), std::string::npos) << arguments << "\n" << o.err;
    EXPECT_TRUE(o.out.empty()) << arguments << "\n" << o.out;
  }

  fs::path dir_;
};

}  // namespace

TEST_F(CliExitCodes, VersionAndHelpSucceed) {
  Outcome o = hemsim("--version");
  EXPECT_EQ(o.code, 0);
  EXPECT_EQ(o.out, std::string("hemsim ") + hemsim::kVersion + "\n");
  o = hemsim("run --help");
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("--individuals"), std::string::npos) << o.out;
}

TEST_F(CliExitCodes, BadOptionsAreBadInput) {
  expect_bad_input("", "subcommand");
  expect_bad_input("run", "FILE");
  expect_bad_input("run " + kCohort + " --no-such-option", "--no-such-option");
  expect_bad_input("run " + kCohort + " --method fast", "fast");
  expect_bad_input("run " + kCohort + " --individuals many", "many");
  expect_bad_input("run " + kCohort + " --threads 0", "--threads");
}

TEST_F(CliExitCodes, UnreadableOrInvalidScenariosAreBadInput) {
  expect_bad_input("validate " + (dir_ / "missing.yaml").string(), "missing.yaml");
  expect_bad_input("run " + (dir_ / "missing.yaml").string(), "missing.yaml");
  expect_bad_input("validate " HEMSIM_SOURCE_DIR "/tests/bad_input/probability_above_one.yaml", "probability_above_one.yaml:");
}

TEST_F(CliExitCodes, UnwritableOutputIsBadInputAndWritesNothing) {
  std::ofstream(dir_ / "a_file") << "x";
  expect_bad_input("run " + kCohort + " --method cohort --quiet --out " + (dir_ / "a_file" / "out").string(), "a_file");
  EXPECT_EQ(read(dir_ / "a_file"), "x");
}

TEST_F(CliExitCodes, ValidateSummarisesTheScenario) {
  const Outcome o = hemsim("validate " + kCohort);
  EXPECT_EQ(o.code, 0) << o.err;
  for (const char* text :
       {"valid (schema 1)", "strategies (4): soc, A, B, AB", "states (4): H, S1, S2, D", "horizon: 75 cycles of 1 year\n"})
    EXPECT_NE(o.out.find(text), std::string::npos) << text << "\n" << o.out;
}

TEST_F(CliExitCodes, QuietRunPrintsNothingAndWritesTheFiles) {
  const Outcome o = hemsim("run " + kCohort + " --method cohort --quiet --out " + (dir_ / "out").string());
  EXPECT_EQ(o.code, 0) << o.err;
  EXPECT_TRUE(o.out.empty()) << o.out;
  EXPECT_TRUE(o.err.empty()) << o.err;  // stderr is not a terminal: no progress bar
  for (const char* name : {"results.json", "summary.csv", "increments.csv", "icers.csv", "trace.csv", "events.csv"})
    EXPECT_TRUE(fs::exists(dir_ / "out" / name)) << name;
}

TEST_F(CliExitCodes, ResultsDoNotDependOnTheThreadCount) {
  ASSERT_EQ(hemsim("run " + kMicro + " -n 3000 --seed 7 --threads 1 --quiet --out " + (dir_ / "one").string()).code, 0);
  ASSERT_EQ(hemsim("run " + kMicro + " -n 3000 --seed 7 --threads 2 --quiet --out " + (dir_ / "two").string()).code, 0);
  EXPECT_EQ(read(dir_ / "one" / "results.json"), read(dir_ / "two" / "results.json"));
  EXPECT_NE(read(dir_ / "one" / "results.json").find("\"seed\": 7,"), std::string::npos);
  // And the table printed is the one the files hold.
  const Outcome o = hemsim("run " + kMicro + " -n 3000 --seed 7 --threads 2");
  EXPECT_EQ(o.code, 0);
  EXPECT_NE(o.out.find("3000 individuals, seed 7"), std::string::npos) << o.out;
}

// ---------------------------------------------------------------------------------
// Hardening (issue 14): an output folder is one transaction; every input is checked.
// ---------------------------------------------------------------------------------

namespace {

/// `text` with the first `from` replaced by `to` (which must be there).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test text not found: " + from);
  return text.replace(at, from.size(), to);
}

int line_of(const std::string& text, const std::string& what) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(text.find(what)), '\n'));
}

}  // namespace

TEST_F(CliExitCodes, AFailedRunLeavesTheEarlierResultsUntouched) {
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(hemsim("run " + kMicro + " -n 200 --seed 1 --quiet --out " + out).code, 0);
  const std::string before = read(dir_ / "out" / "results.json"), summary = read(dir_ / "out" / "summary.csv");
  // The report cannot be written where a folder is in its way: the run fails after its
  // results were computed, and must replace none of the earlier ones.
  fs::create_directories(dir_ / "out" / "report.html" / "inside");
  const Outcome o = hemsim("run " + kMicro + " -n 200 --seed 2 --quiet --report --out " + out);
  EXPECT_EQ(o.code, 2) << o.err;
  EXPECT_EQ(read(dir_ / "out" / "results.json"), before);
  EXPECT_EQ(read(dir_ / "out" / "summary.csv"), summary);
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".out.hemsim-new"), std::string::npos) << e.path();
}

TEST_F(CliExitCodes, ReportRefusesAMixedSetAndTemporariesDoNotPileUp) {
  const std::string a = (dir_ / "a").string(), b = (dir_ / "b").string();
  ASSERT_EQ(hemsim("run " + kMicro + " -n 200 --seed 1 --quiet --out " + a).code, 0);
  ASSERT_EQ(hemsim("run " + kMicro + " -n 200 --seed 2 --quiet --out " + b).code, 0);
  // results.json of one run among the tables of another: what a kill between renames left.
  fs::copy_file(dir_ / "b" / "results.json", dir_ / "a" / "results.json", fs::copy_options::overwrite_existing);
  expect_bad_input("report " + a + " --html " + (dir_ / "r.html").string(), "results.json");
  EXPECT_FALSE(fs::exists(dir_ / "r.html"));
  // A temporary file a killed earlier writer left is removed by the next run.
  std::ofstream(dir_ / "b" / ".results.json.4242.00000000deadbeef.tmp") << "half a file";
  ASSERT_EQ(hemsim("run " + kMicro + " -n 200 --seed 3 --quiet --out " + b).code, 0);
  for (const auto& e : fs::directory_iterator(dir_ / "b")) EXPECT_NE(e.path().filename().string()[0], '.') << e.path();
  EXPECT_EQ(hemsim("report " + b + " --html " + (dir_ / "r.html").string()).code, 0);
}

TEST_F(CliExitCodes, ABadArgumentToADecisionFunctionIsBadInputNotABug) {
  // psa.json with a negative threshold, re-listed in its manifest as if hemsim had written
  // it: the report's CEAC refuses it with std::invalid_argument, which the CLI reports as
  // bad input (exit 2), not as an internal error (exit 3).
  const fs::path psa = dir_ / "psa";
  ASSERT_EQ(hemsim("psa " + kCohort + " --method cohort --draws 20 --quiet --out " + psa.string()).code, 0);
  nlohmann::json results = nlohmann::json::parse(read(psa / "psa.json"));
  results["willingness_to_pay"].push_back(-1.0);
  const std::string edited = results.dump();
  std::ofstream(psa / "psa.json", std::ios::binary | std::ios::trunc) << edited;
  nlohmann::json manifest = nlohmann::json::parse(read(psa / "manifest.json"));
  for (auto& f : manifest["files"])
    if (f["name"] == "psa.json") {
      f["size"] = edited.size();
      f["sha256"] = hemsim::detail::sha256_hex(edited);
    }
  std::ofstream(psa / "manifest.json", std::ios::binary | std::ios::trunc) << manifest.dump();
  expect_bad_input("report " + psa.string() + " --html " + (dir_ / "r.html").string(), "threshold is negative");
}

TEST_F(CliExitCodes, RunsKilledAtRandomLeaveTheOldOrTheNewSet) {
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(hemsim("run " + kMicro + " -n 20000 --seed 1 --quiet --out " + (dir_ / "one").string()).code, 0);
  ASSERT_EQ(hemsim("run " + kMicro + " -n 20000 --seed 2 --quiet --out " + (dir_ / "two").string()).code, 0);
  const std::string one = read(dir_ / "one" / "results.json"), two = read(dir_ / "two" / "results.json");
  std::mt19937 random(14);
  // A run takes some tens of milliseconds here, writing included: kills fall before,
  // during and after its writing.
  for (int i = 0; i < 24; ++i) {
    const double delay = std::uniform_real_distribution<double>(0.0, 0.06)(random);
    const std::string command = fmt::format("timeout -s KILL {:.3f} {} run {} -n 20000 --seed {} --quiet --out {} > /dev/null 2>&1", delay,
                                            HEMSIM_CLI_PATH, kMicro, 1 + i % 2, out);
    (void)std::system(command.c_str());
    if (!fs::exists(out)) continue;  // killed before the first set was in place
    EXPECT_NO_THROW((void)hemsim::verify_output_folder(out)) << "after a kill at " << delay << " s";
    const std::string results = read(dir_ / "out" / "results.json");
    EXPECT_TRUE(results == one || results == two) << "after a kill at " << delay << " s";
  }
  ASSERT_EQ(hemsim("run " + kMicro + " -n 20000 --seed 1 --quiet --out " + out).code, 0);
  EXPECT_EQ(read(dir_ / "out" / "results.json"), one);
  for (const auto& e : fs::directory_iterator(dir_)) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name[0] != '.' || name.ends_with(".hemsim-lock")) << "left behind: " << name;
  }
}

TEST_F(CliExitCodes, ConcurrentWritersToOneFolderNeverMix) {
  const std::string out = (dir_ / "out").string();
  ASSERT_EQ(hemsim("run " + kMicro + " -n 2000 --seed 1 --quiet --out " + (dir_ / "one").string()).code, 0);
  ASSERT_EQ(hemsim("run " + kMicro + " -n 2000 --seed 2 --quiet --out " + (dir_ / "two").string()).code, 0);
  const std::string writer = fmt::format("for i in 1 2 3 4 5 6; do {} run {} -n 2000 --seed SEED --quiet --out {} || exit 1; done",
                                         HEMSIM_CLI_PATH, kMicro, out);
  const std::string both = fmt::format("({}) & p1=$!; ({}) & p2=$!; wait $p1 && wait $p2", replaced(writer, "SEED", "1"), replaced(writer, "SEED", "2"));
  const int status = std::system(("bash -c '" + both + "'").c_str());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed instead of waiting for the other";
  EXPECT_NO_THROW((void)hemsim::verify_output_folder(out));
  const std::string results = read(dir_ / "out" / "results.json");
  EXPECT_TRUE(results == read(dir_ / "one" / "results.json") || results == read(dir_ / "two" / "results.json"));
}

TEST_F(CliExitCodes, AChangedTableFileStopsAResumedPsa) {
  fs::create_directories(dir_ / "validation");
  fs::create_directories(dir_ / "data");
  const fs::path scenario = dir_ / "validation" / "general_features.yaml", table = dir_ / "data" / "us_life_table_2019.csv";
  fs::copy_file(HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml", scenario);
  fs::copy_file(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv", table);
  const std::string psa = "psa " + scenario.string() + " --method cohort --quiet --checkpoint " + (dir_ / "ck.sqlite").string();
  ASSERT_EQ(hemsim(psa + " --draws 5").code, 0);
  std::ofstream(table, std::ios::binary | std::ios::trunc) << replaced(read(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv"),
                                                                      "\n40,0.002569,", "\n40,0.5,");
  expect_bad_input(psa + " --draws 10", "the file '" + table.string() + "' (table 'lt') has changed");
}

TEST_F(CliExitCodes, AnotherProgramsSqliteFileIsNotACheckpoint) {
  const fs::path other = dir_ / "patients.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(other.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE patients (id INTEGER, name TEXT);", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  const std::string before = read(other);
  expect_bad_input("psa " + kCohort + " --method cohort --draws 3 --quiet --checkpoint " + other.string(), "not a hemsim PSA checkpoint");
  EXPECT_EQ(read(other), before);
}

TEST_F(CliExitCodes, TextThatIsNotUtf8IsRefusedAtValidateWithItsPlace) {
  const std::string text = read(kCohort);
  const fs::path latin1 = dir_ / "latin1.yaml";
  std::ofstream(latin1, std::ios::binary) << replaced(text, "label: Healthy", "label: Healthy \xE9t\xE9");
  const std::string place = fmt::format("{}:{}:", latin1.string(), line_of(text, "label: Healthy"));
  expect_bad_input("validate " + latin1.string(), place);
  expect_bad_input("validate " + latin1.string(), "is not UTF-8");
}

TEST_F(CliExitCodes, ValuesThatOverflowInARunAreBadInputNamingTheQuantity) {
  const fs::path huge = dir_ / "huge.yaml";
  std::ofstream(huge, std::ios::binary) << replaced(read(kCohort), "c_H:    {value: 2000,  distribution: {type: gamma, shape: 100, scale: 20}",
                                                    "c_H:    {value: 1e308");
  ASSERT_EQ(hemsim("validate " + huge.string()).code, 0);  // each value is finite
  expect_bad_input("run " + huge.string() + " --method cohort", "of the cost (health_care perspective) for strategy 'soc' is inf");
}

// A mistyped -n 1000000000000 (1e12) would start a run of weeks: above 1e12 person-cycles (individuals x
// strategies x cycles x draws) a command refuses, with the size and a time estimate,
// unless --force is given.
TEST_F(CliExitCodes, WorkloadAboveTheLimitIsRefusedWithAnEstimate) {
  expect_bad_input("run " + kMicro + " -n 1000000000000", "person-cycles, above the limit of 1e+12");
  expect_bad_input("run " + kMicro + " -n 1000000000000", "core-hours");
  expect_bad_input("psa " + kMicro + " --draws 10000000 -n 100000", "x 1e+07 draws");
  expect_bad_input("dsa " + kMicro + " -n 1000000000000", "--force");
  // The cohort does not simulate individuals: no limit.
  const Outcome cohort = hemsim("run " + kCohort + " --method cohort -n 1000000000000 --quiet");
  EXPECT_EQ(cohort.code, 0) << cohort.err;
}
