// libFuzzer target for the scenario loader and compiler (docs/fuzzing.md).
//
// Each input is scenario text. It is parsed as if it were fuzz/input.yaml, so that
// `file: data/...` tables resolve to fuzz/data/ (links to the shipped life tables and
// the bad-input tables), then compiled. A ScenarioError is the expected answer to bad
// input; anything else is a finding: an InternalError or any other exception is
// reported as a crash (abort), and signals, sanitizer reports, timeouts and running
// out of memory are caught by libFuzzer itself.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/scenario_io.hpp"

namespace {
const std::string kFileName = std::string(HEMSIM_FUZZ_DIR) + "/input.yaml";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const hemsim::Scenario scenario = hemsim::parse_scenario(text, kFileName);
    (void)hemsim::compile_model(scenario);
  } catch (const hemsim::ScenarioError&) {
    // Bad input, reported as such: the answer we want.
  } catch (const hemsim::InternalError& e) {
    std::fprintf(stderr, "hemsim fuzz finding: InternalError: %s\n", e.what());
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hemsim fuzz finding: exception that is not a ScenarioError: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "hemsim fuzz finding: exception that is not a std::exception\n");
    std::abort();
  }
  return 0;
}
