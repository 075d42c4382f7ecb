// `mpirun -np K hemsim psa|dsa|price` against the same command without MPI: every result
// file byte-identical for any K, for microsimulation and cohort, and a PSA killed
// part-way resumes from its checkpoint (with another K) to the same bytes; the C API
// (hemsim_mpi.h) likewise. Skipped in builds without MPI.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/files_and_commands.hpp"

namespace {

namespace fs = std::filesystem;
using hemsim_test::read_bytes;
using hemsim_test::shell;



#ifdef HEMSIM_MPIEXEC
std::string mpirun(int ranks) {
  // Root may run it here (CI containers); more ranks than cores must be allowed.
  return std::string("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none ") +
         HEMSIM_MPIEXEC + " --oversubscribe --bind-to none -np " + std::to_string(ranks) + " ";
}
#endif

class MpiPsa : public ::testing::Test {
 protected:
  void SetUp() override {
#ifndef HEMSIM_MPIEXEC
    GTEST_SKIP() << "built without MPI";
#endif
    dir_ = fs::temp_directory_path() / ("hemsim_mpi_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Every file but the manifest (which records how the set was made) is the same.
  static void expect_same_results(const fs::path& expected, const fs::path& actual, int at_least = 5) {
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(expected)) {
      const std::string name = entry.path().filename().string();
      if (name == "manifest.json") continue;
      SCOPED_TRACE(actual / name);
      ASSERT_TRUE(fs::exists(actual / name));
      EXPECT_TRUE(read_bytes(entry.path()) == read_bytes(actual / name)) << "files differ";
      ++compared;
    }
    EXPECT_GE(compared, at_least);
  }

#ifdef HEMSIM_MPIEXEC
  // `command` without MPI, then under mpirun with 1, 2 and 3 ranks: the same
  // files, and a manifest that says how many ranks made them.
  void expect_any_ranks_give_the_same_files(const std::string& command, const std::string& name, int at_least) {
    SCOPED_TRACE(command);
    const fs::path single = dir_ / (name + "_single");
    ASSERT_EQ(shell(cli() + " " + command + " -o " + single.string()), 0);
    for (int ranks : {1, 2, 3}) {
      SCOPED_TRACE(ranks);
      const fs::path out = dir_ / (name + "_" + std::to_string(ranks));
      ASSERT_EQ(shell(mpirun(ranks) + cli() + " " + command + " -o " + out.string()), 0);
      expect_same_results(single, out, at_least);
      EXPECT_NE(read_bytes(out / "manifest.json").find(std::to_string(ranks) + (ranks == 1 ? " rank x" : " ranks x")), std::string::npos);
    }
  }
  static std::string cli() { return HEMSIM_CLI_PATH; }
#endif

  fs::path dir_;
};
class MpiDsa : public MpiPsa {};
class MpiPrice : public MpiPsa {};
class MpiCApi : public MpiPsa {};

#ifdef HEMSIM_MPIEXEC
const std::string kCli = HEMSIM_CLI_PATH;

TEST_F(MpiPsa, AnyNumberOfRanksGivesTheSingleProcessFiles) {
  const std::string micro = std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml --method microsim -d 12 -n 400 -q";
  const std::string cohort =
      std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml --method cohort -d 40 -q";
  for (const auto& [name, arguments] : {std::pair{"micro", micro}, std::pair{"cohort", cohort}}) {
    SCOPED_TRACE(name);
    const fs::path single = dir_ / (std::string(name) + "_single");
    ASSERT_EQ(shell(kCli + " psa " + arguments + " -o " + single.string()), 0);
    for (int ranks : {1, 2, 3}) {
      SCOPED_TRACE(ranks);
      const fs::path out = dir_ / (std::string(name) + "_" + std::to_string(ranks));
      ASSERT_EQ(shell(mpirun(ranks) + kCli + " psa " + arguments + " -o " + out.string()), 0);
      expect_same_results(single, out);
      EXPECT_NE(read_bytes(out / "manifest.json").find(std::to_string(ranks) + (ranks == 1 ? " rank x" : " ranks x")), std::string::npos);
    }
  }
}

TEST_F(MpiPsa, AKilledRunResumesFromItsCheckpointToTheSameFiles) {
  const std::string arguments = std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml --method microsim -d 1200 -n 1000 -q";
  const fs::path whole = dir_ / "whole", resumed = dir_ / "resumed", checkpoint = dir_ / "run.sqlite";
  ASSERT_EQ(shell(kCli + " psa " + arguments + " -o " + whole.string()), 0);
  // Two ranks, stopped by SIGTERM (mpirun passes it to every rank) a second after the
  // first draws reach the checkpoint (half a second later); then the same command with three ranks completes
  // the missing draws.
  const int killed = shell("bash -c '" + mpirun(2) + kCli + " psa " + arguments + " --checkpoint " + checkpoint.string() + " -o " +
                           resumed.string() + " > /dev/null 2>&1 & job=$!; for i in $(seq 600); do [ -s " + checkpoint.string() +
                           " ] && break; sleep 0.05; done; sleep 0.5; kill -TERM $job; wait $job'");
  EXPECT_NE(killed, 0);
  EXPECT_FALSE(fs::exists(resumed / "psa.json"));  // nothing written by the killed run
  ASSERT_TRUE(fs::exists(checkpoint));
  ASSERT_EQ(shell(mpirun(3) + kCli + " psa " + arguments + " --checkpoint " + checkpoint.string() + " -o " + resumed.string()), 0);
  expect_same_results(whole, resumed);
}

TEST_F(MpiPsa, BadInputEndsEveryRankWithExitTwo) {
  const fs::path bad = dir_ / "bad.yaml";
  std::ofstream(bad) << "schema_version: 1\nname: x\n";
  EXPECT_EQ(shell(mpirun(2) + kCli + " psa " + bad.string() + " -d 4 > /dev/null 2>&1"), 2);
}

// The DSA's rounds (the one-way base case and ends, the two-way grid, the horizon
// variants, the threshold's grid and its bisection) divided among ranks give the same
// files as one process.
const std::string kDsaAnalyses = " --two-way c_trtA,u_trtA --steps 2 --horizons 10 --threshold c_trtB -q";

TEST_F(MpiDsa, MicrosimulationOnAnyNumberOfRanksGivesTheSingleProcessFiles) {
  expect_any_ranks_give_the_same_files(
      "dsa " + std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml --method microsim -n 200" + kDsaAnalyses,
      "dsa_micro", 4);
}

TEST_F(MpiDsa, CohortOnAnyNumberOfRanksGivesTheSingleProcessFiles) {
  expect_any_ranks_give_the_same_files(
      "dsa " + std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml --method cohort" + kDsaAnalyses,
      "dsa_cohort", 4);
}

// The price's two rounds (the slope runs, then a check at each price), its headroom
// curve, and the probabilistic price's PSA draws, on the tutorial model without AB (so
// that c_trtB is B's price alone).
TEST_F(MpiPrice, AnyNumberOfRanksGivesTheSingleProcessFiles) {
  const fs::path model = dir_ / "three_strategies.yaml";
  {
    std::ifstream in(std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml");
    std::stringstream text;
    text << in.rdbuf();
    const std::string yaml = text.str();
    const auto last_strategy = yaml.find("\n  AB:\n");  // the file's last block
    ASSERT_NE(last_strategy, std::string::npos);
    std::ofstream(model) << yaml.substr(0, last_strategy + 1);
  }
  const std::string analyses = " --parameter c_trtB --wtp 50000,100000,150000 --headroom-max 150000 --headroom-step 50000 "
                               "--probabilities 0.5,0.8 -d 8 -q";
  expect_any_ranks_give_the_same_files("price " + model.string() + " --method microsim -n 300" + analyses, "price_micro", 4);
  expect_any_ranks_give_the_same_files("price " + model.string() + " --method cohort" + analyses, "price_cohort", 4);
}

TEST_F(MpiDsa, AFailingPointEndsEveryRankWithExitTwo) {
  // A range whose high end is a utility above 1: the run at that end fails on whichever
  // rank computes it, and every rank ends with exit 2.
  const fs::path bad = dir_ / "bad_range.yaml";
  {
    std::ifstream in(std::string(HEMSIM_SOURCE_DIR) + "/scenarios/validation/sick_sicker_intro_cohort.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    const std::string range = "range: [0.95, 1]";  // u_H
    ASSERT_NE(yaml.find(range), std::string::npos);
    yaml.replace(yaml.find(range), range.size(), "range: [0.95, 1.5]");
    std::ofstream(bad) << yaml;
  }
  ASSERT_EQ(shell(cli() + " dsa " + bad.string() + " --method cohort -q > /dev/null 2>&1"), 2);
  for (int ranks : {2, 3}) EXPECT_EQ(shell(mpirun(ranks) + cli() + " dsa " + bad.string() + " --method cohort -q > /dev/null 2>&1"), 2);
}

#ifdef HEMSIM_C_MPI_TEST_PATH
// The C API under mpirun: rank 0's JSON equals that of the same program without MPI.
TEST_F(MpiCApi, AnyNumberOfRanksGivesTheSingleProcessResults) {
  const fs::path single = dir_ / "c_single";
  fs::create_directories(single);
  ASSERT_EQ(shell(std::string(HEMSIM_C_MPI_TEST_PATH) + " " + single.string()), 0);
  for (int ranks : {1, 2, 3}) {
    SCOPED_TRACE(ranks);
    const fs::path out = dir_ / ("c_" + std::to_string(ranks));
    fs::create_directories(out);
    ASSERT_EQ(shell(mpirun(ranks) + HEMSIM_C_MPI_TEST_PATH + " " + out.string()), 0);
    expect_same_results(single, out, 3);
  }
}
#endif
#endif

}  // namespace
