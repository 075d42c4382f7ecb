// hemsim command line: a thin shell over the library. Parses flags, calls the library,
// turns exceptions into exit codes (0 success, 2 bad input, 3 internal error).

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>

#include "hemsim/hemsim.hpp"

namespace {

constexpr int kBadInput = 2;
constexpr int kInternalError = 3;

int fail(int code, const std::string& message) {
  std::cerr << "hemsim: error: " << message << "\n";
  return code;
}

// A one-line progress indicator on stderr, only when stderr is a terminal.
std::function<void(double)> progress_reporter(bool quiet) {
  if (quiet || !::isatty(STDERR_FILENO)) return {};
  auto last = std::make_shared<std::atomic<int>>(-1);
  return [last](double fraction) {
    const int percent = static_cast<int>(fraction * 100);
    int previous = last->load();
    if (percent > previous && last->compare_exchange_strong(previous, percent)) {
      std::fprintf(stderr, "\rsimulating: %3d%%", percent);
      if (percent >= 100) std::fprintf(stderr, "\r                \r");
      std::fflush(stderr);
    }
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hemsim: health-economic evaluation by Markov microsimulation"};
  app.set_version_flag("--version", std::string("hemsim ") + hemsim::kVersion);
  app.require_subcommand(1);

  std::string file;
  auto* validate = app.add_subcommand("validate", "Load and compile a scenario; report what each expression was tabulated over");
  validate->add_option("FILE", file, "scenario file (YAML)")->required();

  std::string method = "microsim", out_dir;
  std::uint64_t individuals = 0, seed = 0;
  int threads = 0;
  bool quiet = false;
  auto* run = app.add_subcommand("run", "Run a scenario and print (and optionally write) its results");
  run->add_option("FILE", file, "scenario file (YAML)")->required();
  run->add_option("--method", method, "microsim (default) or cohort")->check(CLI::IsMember({"microsim", "cohort"}));
  run->add_option("--individuals,-n", individuals, "number of individuals (default: the scenario's)")->check(CLI::Range(2ULL, 1000000000000ULL));
  auto* seed_option = run->add_option("--seed", seed, "random seed (default: the scenario's)");
  run->add_option("--threads,-t", threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  run->add_option("--out,-o", out_dir, "directory for results.json and CSV tables");
  run->add_flag("--quiet,-q", quiet, "print nothing but errors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kBadInput;
  }

  try {
    std::unique_ptr<tbb::global_control> thread_limit;
    if (threads > 0)
      thread_limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

    const hemsim::Scenario scenario = hemsim::load_scenario(file);
    const hemsim::CompiledModel model = hemsim::compile_model(scenario);
    if (*validate) {
      std::cout << fmt::format("{}: valid (schema {})\n  {} strategies, {} states, {} parameters, {} cycles of {:.4g} years\n",
                               file, scenario.schema_version, scenario.strategies.size(), scenario.states.size(),
                               scenario.parameters.size(), model.cycles(), scenario.settings.cycle_length_years);
      for (const auto& line : model.describe_levels()) std::cout << "  " << line << "\n";
      return 0;
    }
    hemsim::SimulationOptions options;
    options.method = method == "cohort" ? hemsim::Method::cohort : hemsim::Method::microsimulation;
    options.individuals = individuals;
    options.seed = seed;
    options.seed_set = seed_option->count() > 0;
    options.progress = progress_reporter(quiet);
    const hemsim::RunResults results = hemsim::simulate(model, options);
    if (!quiet) std::cout << hemsim::format_results_table(results);
    if (!out_dir.empty()) {
      hemsim::write_results(results, out_dir);
      if (!quiet) std::cout << fmt::format("\nresults written to {}/\n", out_dir);
    }
    return 0;
  } catch (const hemsim::ScenarioError& e) {
    return fail(kBadInput, e.what());
  } catch (const hemsim::InternalError& e) {
    return fail(kInternalError, std::string("internal error (please report): ") + e.what());
  } catch (const std::exception& e) {
    return fail(kInternalError, std::string("internal error (please report): ") + e.what());
  }
}
