// Every malformed scenario in tests/bad_input/ is rejected with a ScenarioError that
// names the file, the line, the key and what was wrong (as declared in the file's
// "# expect-..." header); the CLI exits with the bad-input code and leaves no output,
// and results already written are not touched. The valid base they all derive from
// loads, compiles and runs, so each file fails for its one intended mistake.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hemsim/hemsim.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kCorpus = fs::path(HEMSIM_SOURCE_DIR) / "tests" / "bad_input";

struct Expectation {
  std::string line, key, text;
};

Expectation read_expectation(const fs::path& file) {
  std::ifstream in(file);
  Expectation e;
  std::string line;
  while (std::getline(in, line) && line.rfind('#', 0) == 0) {
    auto value = [&](const std::string& tag) { return line.rfind(tag, 0) == 0 ? line.substr(tag.size()) : std::string(); };
    if (auto v = value("# expect-line: "); !v.empty()) e.line = v;
    if (auto v = value("# expect-key: "); !v.empty()) e.key = v;
    if (auto v = value("# expect-text: "); !v.empty()) e.text = v;
  }
  return e;
}

std::vector<fs::path> corpus() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

int run_cli(const std::string& arguments, std::string* error_output = nullptr) {
  // Unique per process: ctest runs tests in parallel.
  const fs::path stderr_file = fs::temp_directory_path() / ("hemsim_bad_input_stderr_" + std::to_string(::getpid()) + ".txt");
  const std::string command = std::string(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2> " + stderr_file.string();
  const int status = std::system(command.c_str());
  if (error_output) {
    std::ifstream in(stderr_file);
    std::stringstream text;
    text << in.rdbuf();
    *error_output = text.str();
  }
  fs::remove(stderr_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(BadInput, CorpusIsLargeEnough) { EXPECT_GE(corpus().size(), 20U); }

TEST(BadInput, ValidBaseLoadsCompilesAndRuns) {
  const auto scenario = hemsim::load_scenario((kCorpus / "valid" / "base.yaml").string());
  hemsim::SimulationOptions options;
  options.individuals = 50;
  EXPECT_NO_THROW((void)hemsim::simulate(hemsim::compile_model(scenario), options));
}

TEST(BadInput, EveryFileIsRejectedWithFileLineKeyAndReason) {
  for (const auto& file : corpus()) {
    const Expectation expected = read_expectation(file);
    ASSERT_FALSE(expected.line.empty()) << file << " has no expect-line";
    try {
      const auto scenario = hemsim::load_scenario(file.string());
      (void)hemsim::compile_model(scenario);
      ADD_FAILURE() << file.filename() << " was accepted";
    } catch (const hemsim::ScenarioError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(file.filename().string() + ":" + expected.line + ":"), std::string::npos)
          << file.filename() << ": line " << expected.line << " not in: " << what;
      EXPECT_NE(what.find(expected.key), std::string::npos) << file.filename() << ": key not in: " << what;
      EXPECT_NE(what.find(expected.text), std::string::npos) << file.filename() << ": text not in: " << what;
    } catch (const std::exception& e) {
      ADD_FAILURE() << file.filename() << " threw something other than a ScenarioError: " << e.what();
    }
  }
}

TEST(BadInput, CliExitsWithBadInputCodeAndWritesNothing) {
  const fs::path out = fs::temp_directory_path() / ("hemsim_bad_input_out_" + std::to_string(::getpid()));
  for (const auto& file : corpus()) {
    fs::remove_all(out);
    std::string error;
    EXPECT_EQ(run_cli("run " + file.string() + " --individuals 10 --out " + out.string(), &error), 2) << file.filename();
    EXPECT_NE(error.find(file.filename().string()), std::string::npos) << error;
    EXPECT_NE(error.find("hemsim: error:"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(out)) << file.filename() << " left output behind";
  }
}

TEST(BadInput, EarlierResultsSurviveALaterFailure) {
  const fs::path out = fs::temp_directory_path() / ("hemsim_bad_input_keep_" + std::to_string(::getpid()));
  fs::remove_all(out);
  ASSERT_EQ(run_cli("run " + (kCorpus / "valid" / "base.yaml").string() + " --individuals 20 --quiet --out " + out.string()), 0);
  std::ifstream before_stream(out / "results.json");
  std::stringstream before;
  before << before_stream.rdbuf();
  ASSERT_FALSE(before.str().empty());
  EXPECT_EQ(run_cli("run " + (kCorpus / "probability_above_one.yaml").string() + " --out " + out.string()), 2);
  std::ifstream after_stream(out / "results.json");
  std::stringstream after;
  after << after_stream.rdbuf();
  EXPECT_EQ(before.str(), after.str());
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(out)) {
    ++files;
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << "temporary file left: " << entry.path();
  }
  EXPECT_EQ(files, 8U);
  fs::remove_all(out);
}

TEST(BadInput, CliUsageErrorsAndMissingFiles) {
  std::string error;
  EXPECT_EQ(run_cli("run /nonexistent/scenario.yaml", &error), 2);
  EXPECT_NE(error.find("cannot open scenario file"), std::string::npos) << error;
  EXPECT_EQ(run_cli("run --method sideways " + (kCorpus / "valid" / "base.yaml").string()), 2);
  EXPECT_EQ(run_cli("frobnicate"), 2);
  EXPECT_EQ(run_cli("validate " + (kCorpus / "valid" / "base.yaml").string()), 0);
}
