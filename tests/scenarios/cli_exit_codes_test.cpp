// The command line's contract with scripts: exit code 0 on success, 2 for bad input
// (bad options, unreadable or invalid scenarios, unwritable output), every error on
// stderr prefixed "hemsim: error: ", nothing on stdout with --quiet, and results that do
// not depend on --threads.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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
