// The bad-input corpus: every tests/bad_input/*.yaml is the valid base
// (tests/bad_input/valid/base.yaml) with one mistake, and declares in its header
//
//   # expect-line: N          1-based line of the offending key or expression
//   # expect-key: a.b.c       substring of the key path in the message
//   # expect-text: words      substring of the problem or expected part (repeatable)
//
// load_scenario + compile_model must throw a ScenarioError whose message reads
// "FILE:LINE:COL: KEY.PATH: problem (expected ...)" with those parts; the CLI must
// exit with the bad-input code (2), name the file, and write nothing. The base must
// load, compile and run, so each file is known to fail for its own mistake and not
// because the base is broken. tests/bad_input/runtime/*.yaml carry the same header
// but hold mistakes only a simulation finds; they are checked through the CLI only.

#include <gtest/gtest.h>
#include <stdlib.h>    // mkdtemp
#include <sys/wait.h>  // WIFEXITED, WEXITSTATUS

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/scenario_io.hpp"

namespace fs = std::filesystem;

namespace {

constexpr int kBadInputExitCode = 2;

const fs::path kCorpus = fs::path(HEMSIM_SOURCE_DIR) / "tests" / "bad_input";
const fs::path kBase = kCorpus / "valid" / "base.yaml";

struct Expectation {
  int line = 0;
  std::optional<std::string> key;  ///< declared but empty: no key is known (a YAML syntax error)
  std::vector<std::string> texts;
};

/// Reads the "# expect-..." lines from the comment block that opens `file`.
Expectation read_expectation(const fs::path& file) {
  std::ifstream in(file);
  Expectation e;
  std::string line;
  auto tagged = [&line](const std::string& tag, std::string& value) {
    if (line.rfind(tag, 0) != 0) return false;
    const auto first = line.find_first_not_of(' ', tag.size());
    const auto last = line.find_last_not_of(" \t\r");
    value = first == std::string::npos || last < first ? std::string() : line.substr(first, last - first + 1);
    return true;
  };
  while (std::getline(in, line) && line.rfind('#', 0) == 0) {
    std::string value;
    if (tagged("# expect-line:", value)) e.line = std::atoi(value.c_str());
    else if (tagged("# expect-key:", value)) e.key = value;
    else if (tagged("# expect-text:", value)) e.texts.push_back(value);
  }
  return e;
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The .yaml files directly in `dir`, sorted so test names are stable.
std::vector<fs::path> scenarios_in(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Malformed scenarios that load_scenario or compile_model must reject.
std::vector<fs::path> corpus() { return scenarios_in(kCorpus); }

/// Scenarios whose mistake shows only while simulating (a probability computed per
/// individual); the CLI must still exit with the bad-input code and write nothing.
std::vector<fs::path> run_time_corpus() { return scenarios_in(kCorpus / "runtime"); }

/// Number of lines that are not common to `a` and `b` (both directions), from their
/// longest common subsequence: a replaced line counts 2, an added or removed line 1.
std::size_t lines_changed(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<std::size_t>> lcs(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = a.size(); i-- > 0;)
    for (std::size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  return a.size() + b.size() - 2 * lcs[0][0];
}

/// A fresh, empty directory (removed by the destructor).
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "hemsim_bad_input_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string quoted(const fs::path& p) {
  std::string out = "'";
  for (char c : p.string()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CliResult {
  int exit_code = -1;  ///< -1 when the process did not exit normally
  std::string standard_error;
};

/// Runs the hemsim CLI with `arguments` (already quoted); stderr is captured in `scratch`.
CliResult run_cli(const std::string& arguments, const fs::path& scratch) {
  const fs::path stderr_file = scratch / "stderr.txt";
  const std::string command =
      quoted(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2> " + quoted(stderr_file);
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.standard_error = read_text(stderr_file);
  fs::remove(stderr_file);
  return result;
}

std::vector<std::string> directory_listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

/// The CLI run on `file` exits with the bad-input code, prints the error location and
/// leaves nothing in a fresh --out directory.
void expect_cli_rejects(const fs::path& file) {
  const Expectation expected = read_expectation(file);
  TempDir dir;
  const fs::path out = dir.path() / "out";
  const CliResult run = run_cli("run " + quoted(file) + " --out " + quoted(out), dir.path());
  EXPECT_EQ(run.exit_code, kBadInputExitCode) << run.standard_error;
  const std::string location = file.filename().string() + ":" + std::to_string(expected.line) + ":";
  EXPECT_NE(run.standard_error.find(location), std::string::npos) << "no '" << location << "' in: " << run.standard_error;
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out)) << "output left behind in " << out;
}

std::string test_name(const testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace

// Guards against the corpus shrinking (deleted files would otherwise just mean fewer tests).
TEST(BadInputCorpus, HasAtLeastTwentyFiles) { EXPECT_GE(corpus().size(), 20U); }

TEST(BadInputCorpus, ValidBaseLoadsAndCompiles) {
  hemsim::Scenario scenario;
  ASSERT_NO_THROW(scenario = hemsim::load_scenario(kBase.string()));
  EXPECT_NO_THROW((void)hemsim::compile_model(scenario));
}

// The base also runs end to end from the CLI, so the corpus's exit code 2 comes from
// each file's own mistake.
TEST(BadInputCorpus, ValidBaseRunsFromTheCli) {
  TempDir dir;
  const CliResult run = run_cli("run " + quoted(kBase) + " --individuals 20 --out " + quoted(dir.path() / "out"), dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.standard_error;
  EXPECT_TRUE(fs::exists(dir.path() / "out" / "results.json"));
}

class BadInputFile : public testing::TestWithParam<fs::path> {};

// Each file is the base with one small edit, so it cannot fail for a second, unintended
// reason (the base itself is proven valid above). The tables of the base sit one
// directory up, which is the only other difference allowed.
TEST_P(BadInputFile, DiffersFromTheBaseByOneSmallEdit) {
  auto strip = [](std::vector<std::string> lines) {
    lines.erase(lines.begin(), std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind('#', 0) != 0; }));
    for (auto& l : lines)
      if (auto at = l.find("file: ../data/"); at != std::string::npos) l.replace(at, 14, "file: data/");
    return lines;
  };
  // Replacing a three-line block by one line (empty strategies) is the largest edit.
  EXPECT_LE(lines_changed(strip(read_lines(kBase)), strip(read_lines(GetParam()))), 4U);
}

TEST_P(BadInputFile, IsRejectedWithFileLineKeyAndReason) {
  const fs::path& file = GetParam();
  const Expectation expected = read_expectation(file);
  ASSERT_GT(expected.line, 0) << "no '# expect-line: N' header";
  ASSERT_TRUE(expected.key.has_value()) << "no '# expect-key: ...' header";
  ASSERT_FALSE(expected.texts.empty()) << "no '# expect-text: ...' header";
  try {
    const hemsim::Scenario scenario = hemsim::load_scenario(file.string());
    (void)hemsim::compile_model(scenario);
    FAIL() << "accepted";
  } catch (const hemsim::ScenarioError& e) {
    const std::string what = e.what();
    const std::string location = file.filename().string() + ":" + std::to_string(expected.line) + ":";
    EXPECT_NE(what.find(location), std::string::npos) << "no '" << location << "' in: " << what;
    EXPECT_EQ(e.where().line, expected.line) << what;
    EXPECT_GT(e.where().column, 0) << what;
    EXPECT_NE(e.where().key_path.find(*expected.key), std::string::npos) << "key '" << *expected.key << "' not in: " << what;
    EXPECT_NE(what.find(*expected.key), std::string::npos) << what;
    for (const auto& text : expected.texts)
      EXPECT_NE(what.find(text), std::string::npos) << "'" << text << "' not in: " << what;
    EXPECT_FALSE(e.expected().empty()) << "the message does not say what was expected: " << what;
    EXPECT_NE(what.find(" (expected "), std::string::npos) << what;
  } catch (const std::exception& e) {
    FAIL() << "threw something other than a ScenarioError: " << e.what();
  } catch (...) {
    FAIL() << "threw something that is not a std::exception";
  }
}

TEST_P(BadInputFile, CliExitsWithBadInputCodeAndWritesNothing) { expect_cli_rejects(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Corpus, BadInputFile, testing::ValuesIn(corpus()), test_name);

class BadInputRunTimeFile : public testing::TestWithParam<fs::path> {};

TEST_P(BadInputRunTimeFile, CliExitsWithBadInputCodeAndWritesNothing) { expect_cli_rejects(GetParam()); }

INSTANTIATE_TEST_SUITE_P(RunTime, BadInputRunTimeFile, testing::ValuesIn(run_time_corpus()), test_name);

// A failing run must not replace or remove results an earlier run wrote to the same
// directory, whether it fails while loading, compiling or simulating.
TEST(BadInputCli, EarlierResultsSurviveAFailingRun) {
  const std::string sentinel = "{\"sentinel\": \"results of an earlier run\"}\n";
  for (const char* bad : {"unknown_top_level_key.yaml", "probability_above_one_after_evaluation.yaml",
                          "runtime/probability_above_one_for_some_individuals.yaml"}) {
    SCOPED_TRACE(bad);
    TempDir dir;
    const fs::path out = dir.path() / "out";
    fs::create_directories(out);
    std::ofstream(out / "results.json", std::ios::binary) << sentinel;
    const CliResult run = run_cli("run " + quoted(kCorpus / bad) + " --out " + quoted(out), dir.path());
    EXPECT_EQ(run.exit_code, kBadInputExitCode) << run.standard_error;
    EXPECT_EQ(read_text(out / "results.json"), sentinel);
    EXPECT_EQ(directory_listing(out), std::vector<std::string>{"results.json"}) << "a failing run added files";
  }
}

TEST(BadInputCli, UsageErrorsAreBadInput) {
  TempDir dir;
  EXPECT_EQ(run_cli("run --method sideways " + quoted(kBase), dir.path()).exit_code, kBadInputExitCode);
  EXPECT_EQ(run_cli("frobnicate", dir.path()).exit_code, kBadInputExitCode);
}

TEST(BadInputCli, MissingScenarioFileIsBadInput) {
  TempDir dir;
  const fs::path missing = dir.path() / "no_such_scenario.yaml";
  const CliResult run = run_cli("run " + quoted(missing) + " --out " + quoted(dir.path() / "out"), dir.path());
  EXPECT_EQ(run.exit_code, kBadInputExitCode) << run.standard_error;
  EXPECT_NE(run.standard_error.find("no_such_scenario.yaml"), std::string::npos) << run.standard_error;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}
