// Every input the scenario fuzzer crashed on (tests/fuzz_regressions/, docs/fuzzing.md)
// is loaded and compiled as the fuzzer did: success or a ScenarioError, never another
// exception (and a crash or sanitizer report fails the whole run).

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/scenario_io.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kRegressions = fs::path(HEMSIM_SOURCE_DIR) / "tests" / "fuzz_regressions";
// The fuzzer's file name, so `file: data/...` resolves to fuzz/data/ here too.
const std::string kFuzzFileName = (fs::path(HEMSIM_SOURCE_DIR) / "fuzz" / "input.yaml").string();

std::vector<fs::path> regressions() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kRegressions))
    if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string test_name(const testing::TestParamInfo<fs::path>& info) {
  std::string name = info.param.filename().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace

class FuzzRegression : public testing::TestWithParam<fs::path> {};

TEST_P(FuzzRegression, LoadsAndCompilesOrIsAScenarioError) {
  std::ifstream in(GetParam(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  try {
    (void)hemsim::compile_model(hemsim::parse_scenario(text.str(), kFuzzFileName));
  } catch (const hemsim::ScenarioError&) {
    SUCCEED();
  } catch (const std::exception& e) {
    FAIL() << "threw something other than a ScenarioError: " << e.what();
  } catch (...) {
    FAIL() << "threw something that is not a std::exception";
  }
}

INSTANTIATE_TEST_SUITE_P(Found, FuzzRegression, testing::ValuesIn(regressions()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(FuzzRegression);
