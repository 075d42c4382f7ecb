// An output folder is one transaction: after a failure or a kill it holds the old set, the
// new set or nothing; writers exclude each other; readers refuse a set that does not match
// its manifest.

#include "hemsim/output_folder.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "hemsim/error.hpp"

namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

class OutputFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    root_ = fs::temp_directory_path() / (std::string("hemsim_output_folder_") + test->name() + "_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    out_ = root_ / "out";
  }
  void TearDown() override { fs::remove_all(root_); }

  /// A complete set whose every file holds `tag`.
  void write_set(const std::string& tag) const {
    hemsim::OutputFolder folder(out_.string());
    for (const char* name : {"results.json", "summary.csv", "trace.csv"}) folder.add(name, tag + " " + name);
    folder.commit();
  }
  void expect_set(const std::string& tag) const {
    for (const char* name : {"results.json", "summary.csv", "trace.csv"}) EXPECT_EQ(read(out_ / name), tag + " " + name) << name;
    EXPECT_EQ(hemsim::verify_output_folder(out_.string()), (std::set<std::string>{"results.json", "summary.csv", "trace.csv"}));
  }
  /// Beside the folder only the folder and its lock file: no staged or set-aside copy.
  void expect_nothing_left_beside() const { EXPECT_EQ(entries(root_), (std::set<std::string>{"out", ".out.hemsim-lock"})); }

  fs::path root_, out_;
};

}  // namespace

TEST_F(OutputFolderTest, CommitReplacesTheWholeSetWithItsManifest) {
  write_set("first");
  expect_set("first");
  write_set("second");
  expect_set("second");
  EXPECT_EQ(entries(out_), (std::set<std::string>{"manifest.json", "results.json", "summary.csv", "trace.csv"}));
  expect_nothing_left_beside();
}

TEST_F(OutputFolderTest, AFailureBeforeCommitLeavesTheEarlierSetWhole) {
  write_set("old");
  try {
    hemsim::OutputFolder folder(out_.string());
    folder.add("results.json", "new results.json");
    folder.add("summary.csv", "new summary.csv");
    throw std::runtime_error("the run failed after writing part of its files");
  } catch (const std::runtime_error&) {
  }
  expect_set("old");
  expect_nothing_left_beside();
}

TEST_F(OutputFolderTest, AKillAtAnyPointLeavesTheOldSetOrTheNewSet) {
  write_set("old");
  // A child writes a new set and is killed after k files (k = 0..3), or after commit (4).
  for (int k = 0; k <= 4; ++k) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        hemsim::OutputFolder folder(out_.string());
        int written = 0;
        for (const char* name : {"results.json", "summary.csv", "trace.csv"}) {
          if (written++ == k) ::raise(SIGKILL);
          folder.add(name, std::string("new ") + name);
        }
        if (k == 3) ::raise(SIGKILL);
        folder.commit();
        ::raise(SIGKILL);  // before the lock is released or anything is cleaned up
      } catch (...) {
      }
      ::_exit(1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << k;
    if (k < 4)
      expect_set("old");
    else
      expect_set("new");
    // The next writer removes what the killed one left and finds a consistent set.
    write_set(k < 4 ? "old" : "new");
    expect_nothing_left_beside();
  }
}

TEST_F(OutputFolderTest, AnOldSetMovedAsideIsRestoredWhenItsSuccessorNeverArrived) {
  // Where the filesystem cannot swap two folders in one step, the old set is moved aside
  // first; a kill then leaves no folder. The next writer puts the old set back first.
  write_set("old");
  fs::rename(out_, root_ / ".out.hemsim-old-1-0");
  fs::create_directories(root_ / ".out.hemsim-new-1-0");
  { std::ofstream(root_ / ".out.hemsim-new-1-0" / "results.json") << "partial"; }
  {
    hemsim::OutputFolder folder(out_.string());
    expect_set("old");  // restored before anything new is written
  }
  expect_set("old");
  expect_nothing_left_beside();
}

TEST_F(OutputFolderTest, TemporaryFilesOfKilledEarlierVersionsAreCleanedUp) {
  fs::create_directories(out_);
  { std::ofstream(out_ / ".results.json.4242.00000000deadbeef.tmp") << "half a file"; }
  write_set("new");
  EXPECT_EQ(entries(out_), (std::set<std::string>{"manifest.json", "results.json", "summary.csv", "trace.csv"}));
}

TEST_F(OutputFolderTest, ASecondWriterWaitsThenFailsWithAClearError) {
  write_set("first");
  hemsim::OutputFolder holder(out_.string());
  holder.add("results.json", "holder results.json");
  try {
    hemsim::OutputFolder second(out_.string(), std::chrono::milliseconds(100));
    FAIL() << "two writers held one output folder at once";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("another hemsim is writing to this folder"), std::string::npos) << e.what();
  }
  expect_set("first");  // the refused writer changed nothing
}

TEST_F(OutputFolderTest, AFolderHoldingOtherFilesIsNeverReplaced) {
  fs::create_directories(out_ / "psa");
  { std::ofstream(out_ / "notes.txt") << "mine"; }
  EXPECT_THROW(hemsim::OutputFolder(out_.string()), hemsim::ScenarioError);
  fs::remove(out_ / "notes.txt");
  try {
    // A short wait: the refused writer above must have released its lock.
    hemsim::OutputFolder folder(out_.string(), std::chrono::milliseconds(100));
    FAIL() << "a folder holding a subfolder was taken over";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("holds 'psa', which hemsim did not write"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_directory(out_ / "psa"));
}

TEST_F(OutputFolderTest, VerificationRefusesAMixedOrIncompleteSet) {
  write_set("old");
  const std::string old_trace = read(out_ / "trace.csv");
  write_set("new");
  { std::ofstream(out_ / "trace.csv", std::ios::trunc) << old_trace; }  // one file of another set
  EXPECT_THROW((void)hemsim::verify_output_folder(out_.string()), hemsim::ScenarioError);
  write_set("new");
  fs::remove(out_ / "summary.csv");
  EXPECT_THROW((void)hemsim::verify_output_folder(out_.string()), hemsim::ScenarioError);
  fs::remove(out_ / "manifest.json");
  EXPECT_THROW((void)hemsim::verify_output_folder(out_.string()), hemsim::ScenarioError);
}
