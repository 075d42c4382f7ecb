// `mpirun -np K hemsim psa` against `hemsim psa`: every result file byte-identical for
// any K, for microsimulation and cohort, and a run killed part-way resumes from its
// checkpoint (with another K) to the same bytes. Skipped in builds without MPI.

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
  static void expect_same_results(const fs::path& expected, const fs::path& actual) {
    int compared = 0;
    for (const auto& entry : fs::directory_iterator(expected)) {
      const std::string name = entry.path().filename().string();
      if (name == "manifest.json") continue;
      SCOPED_TRACE(actual / name);
      ASSERT_TRUE(fs::exists(actual / name));
      EXPECT_TRUE(read_bytes(entry.path()) == read_bytes(actual / name)) << "files differ";
      ++compared;
    }
    EXPECT_GE(compared, 5);
  }

  fs::path dir_;
};

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
#endif

}  // namespace
