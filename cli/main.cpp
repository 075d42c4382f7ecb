// hemsim command line: a thin shell over the library. Parses flags, calls the library,
// turns exceptions into exit codes (0 success, 2 bad input, 3 internal error).

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <thread>

#include "hemsim/hemsim.hpp"
#ifdef HEMSIM_WITH_MPI
#include "hemsim/mpi.hpp"
#endif

namespace {

constexpr int kBadInput = 2;
constexpr int kInternalError = 3;

int fail(int code, const std::string& message) {
  std::cerr << "hemsim: error: " << message << "\n";
  return code;
}

// A one-line progress bar with the time left, on stderr, only when stderr is a terminal.
std::function<void(double)> progress_reporter(bool quiet, const char* what = "simulating") {
  if (quiet || !::isatty(STDERR_FILENO)) return {};
  auto last = std::make_shared<std::atomic<int>>(-1);
  const auto start = std::chrono::steady_clock::now();
  return [last, start, what](double fraction) {
    const int percent = static_cast<int>(fraction * 100);
    int previous = last->load();
    if (percent > previous && last->compare_exchange_strong(previous, percent)) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const double left = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
      const std::string bar(static_cast<std::size_t>(percent / 5), '#');
      std::fprintf(stderr, "\r%s [%-20s] %3d%%  %.0f s left   ", what, bar.c_str(), percent, left);
      if (percent >= 100) std::fprintf(stderr, "\r%60s\r", "");
      std::fflush(stderr);
    }
  };
}

// Person-cycles (individuals x strategies x cycles x runs) above which a command refuses
// to start without --force: at the roughly 5e7 person-cycles a second one core simulates
// (the flagship model), 1e12 is about 6 hours on one core. A mistyped -n 1e12 would
// otherwise start a run of weeks with no warning. README.md ("Exit codes") documents it.
constexpr double kMaxPersonCyclesWithoutForce = 1e12;
constexpr double kPersonCyclesPerCoreSecond = 5e7;

void check_workload(const hemsim::Scenario& scenario, const hemsim::CompiledModel& model, std::uint64_t individuals,
                    double runs, bool microsimulation, bool force) {
  if (!microsimulation || force) return;
  const double n = static_cast<double>(individuals ? individuals : scenario.settings.individuals);
  const double person_cycles = n * static_cast<double>(scenario.strategies.size()) * model.cycles() * runs;
  if (person_cycles <= kMaxPersonCyclesWithoutForce) return;
  const double core_hours = person_cycles / kPersonCyclesPerCoreSecond / 3600.0;
  throw hemsim::ScenarioError(
      {scenario.file, 0, 0, "--individuals"},
      fmt::format("{:.3g} individuals x {} strategies x {} cycles{} = {:.3g} person-cycles, above the limit of {:.0e} "
                  "(about {:.3g} core-hours at {:.0e} person-cycles a second)",
                  n, scenario.strategies.size(), model.cycles(), runs > 1 ? fmt::format(" x {:.3g} draws", runs) : std::string(),
                  person_cycles, kMaxPersonCyclesWithoutForce, core_hours, kPersonCyclesPerCoreSecond),
      "fewer individuals or draws, or --force to run it anyway");
}

// The command that reproduces a result: the arguments as given without those that
// change no number (where output goes, threads, checkpoint, quiet, report, force), with
// the sample size, seed and method it ran with spelled out. Tokens are shell-quoted.
std::string reproducible_command(int argc, char** argv, const std::vector<std::string>& spelled_out) {
  static const std::vector<std::string> with_value{"--out", "-o", "--threads", "-t", "--checkpoint"};
  static const std::vector<std::string> flags{"--quiet", "-q", "--report", "--force"};
  auto quoted = [](const std::string& token) {
    if (!token.empty() && token.find_first_of(" \t'\"\\$`*?[]{}()<>|;&!#~") == std::string::npos) return token;
    std::string out = "'";
    for (char c : token) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  };
  std::string command = "hemsim";
  for (int a = 1; a < argc; ++a) {
    const std::string token = argv[a];
    const auto is = [&](const std::vector<std::string>& names) { return std::ranges::find(names, token) != names.end(); };
    if (is(with_value)) {
      ++a;  // and its value
      continue;
    }
    if (is(flags)) continue;
    const bool joined = std::ranges::any_of(with_value, [&](const std::string& name) {
      return token.starts_with(name + "=") || (name.size() == 2 && token.size() > 2 && token.starts_with(name));
    });
    if (joined) continue;
    command += " " + quoted(token);
  }
  for (const auto& token : spelled_out) command += " " + quoted(token);
  return command;
}

// What the command needs of MPI (include/hemsim/mpi.hpp): one rank in a build without it
// or when not started by mpirun.
class Ranks {
 public:
#ifdef HEMSIM_WITH_MPI
  Ranks(int* argc, char*** argv) : session_(argc, argv) {}
  [[nodiscard]] bool several() const { return session_.active() && session_.size() > 1; }
  [[nodiscard]] bool root() const { return session_.is_root(); }
  [[nodiscard]] int size() const { return session_.size(); }
  [[nodiscard]] int local_size() const { return session_.local_size(); }
  [[nodiscard]] hemsim::DrawScheduler scheduler() const { return hemsim::mpi_draw_scheduler(session_); }
  [[nodiscard]] hemsim::EvaluationScheduler evaluations() const { return hemsim::mpi_evaluation_scheduler(session_); }
  [[noreturn]] void abort(int code) const { session_.abort(code); }

 private:
  hemsim::MpiSession session_;
#else
  Ranks(int*, char***) {}
  [[nodiscard]] bool several() const { return false; }
  [[nodiscard]] bool root() const { return true; }
  [[nodiscard]] int size() const { return 1; }
  [[nodiscard]] int local_size() const { return 1; }
  [[nodiscard]] hemsim::DrawScheduler scheduler() const { return {}; }
  [[nodiscard]] hemsim::EvaluationScheduler evaluations() const { return {}; }
  [[noreturn]] void abort(int code) const { std::exit(code); }
#endif
};

}  // namespace

int main(int argc, char** argv) {
  Ranks ranks(&argc, &argv);
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

  std::uint64_t draws = 1000;
  double wtp_max = 0, wtp_step = 0;
  auto* psa = app.add_subcommand("psa", "Probabilistic sensitivity analysis over the scenario's parameter distributions");
  psa->add_option("FILE", file, "scenario file (YAML)")->required();
  psa->add_option("--draws,-d", draws, "parameter draws (default 1000)")->check(CLI::Range(2ULL, 100000000ULL));
  psa->add_option("--individuals,-n", individuals, "individuals per draw (default: the scenario's)")->check(CLI::Range(2ULL, 1000000000000ULL));
  psa->add_option("--method", method, "microsim (default) or cohort")->check(CLI::IsMember({"microsim", "cohort"}));
  auto* psa_seed = psa->add_option("--seed", seed, "random seed (default: the scenario's)");
  psa->add_option("--threads,-t", threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  psa->add_option("--out,-o", out_dir, "directory for psa_draws.csv, ceac.csv, evpi.csv");
  psa->add_option("--wtp-max", wtp_max, "largest threshold of the curves (default: twice the scenario's largest)")->check(CLI::NonNegativeNumber);
  psa->add_option("--wtp-step", wtp_step, "step of the curves' thresholds (default: max / 100)")->check(CLI::PositiveNumber);
  psa->add_flag("--quiet,-q", quiet, "print nothing but errors");
  std::string checkpoint;
  psa->add_option("--checkpoint", checkpoint, "SQLite file saving each finished draw; rerun with it to resume");
  std::vector<std::string> evppi_groups;
  psa->add_option("--evppi", evppi_groups, "EVPPI for a parameter or a comma-separated group (repeatable)");

  // Precision targets (precision.hpp): individuals sized from a pilot.
  hemsim::PrecisionTarget target;
  std::string target_measure = "effects";
  run->add_option("--target-mcse", target.mcse, "simulate until the MCSE of every increment against the reference is at most this")
      ->check(CLI::PositiveNumber);
  run->add_option("--target-measure", target_measure, "increment the target bounds: effects (default), costs or net_benefit")
      ->check(CLI::IsMember({"effects", "costs", "net_benefit"}));
  double max_noise_share = 0;
  std::uint64_t pilot_draws = 50;
  double noise_confidence = hemsim::kNoiseShareConfidence;
  std::vector<std::string> noise_strategies;
  psa->add_option("--max-noise-share", max_noise_share,
                  "size the individuals per draw from a pilot PSA so that Monte Carlo noise is at most this share of each increment's spread")
      ->check(CLI::Range(0.0001, 0.9999));
  psa->add_option("--noise-strategy", noise_strategies, "strategy whose increments --max-noise-share sizes for (repeatable; default: all)");
  psa->add_option("--pilot-draws", pilot_draws, "draws of the pilot PSA for --max-noise-share (default 50)")->check(CLI::Range(2ULL, 100000ULL));
  psa->add_option("--noise-confidence", noise_confidence,
                  "confidence that --max-noise-share holds: the pilot's parameter variances are taken at this lower bound (default 0.8)");
  for (auto* command : {run, psa})
    command->add_option("--max-individuals", target.max_individuals, "cap for --target-mcse / --max-noise-share (default 10,000,000)")
        ->check(CLI::Range(2ULL, 1000000000000ULL));

  std::string strategy_name, comparator_name, two_way, threshold_parameter, price_parameter;
  double wtp = 0;
  int steps = 5;
  std::vector<double> horizons, discounts, thresholds;
  auto add_comparison = [&](CLI::App* command) {
    command->add_option("FILE", file, "scenario file (YAML)")->required();
    command->add_option("--method", method, "microsim (default) or cohort")->check(CLI::IsMember({"microsim", "cohort"}));
    command->add_option("--individuals,-n", individuals, "individuals per run (default: the scenario's)")->check(CLI::Range(2ULL, 1000000000000ULL));
    command->add_option("--threads,-t", threads, "worker threads (default: all cores)")->check(CLI::Range(1, 4096));
    command->add_option("--strategy", strategy_name, "strategy to assess (default: the last)");
    command->add_option("--comparator", comparator_name, "comparator (default: the reference strategy)");
    command->add_option("--out,-o", out_dir, "directory for the CSV tables");
    command->add_flag("--quiet,-q", quiet, "print nothing but errors");
    // Every run of one analysis shares this seed (that is what pairs them); another seed
    // gives an independent replicate, e.g. to check a reported MCSE.
    return command->add_option("--seed", seed, "random seed of every run (default: the scenario's)");
  };
  auto* dsa = app.add_subcommand("dsa", "Deterministic sensitivity analysis: one-way (tornado), two-way, scenarios, thresholds");
  auto* dsa_seed = add_comparison(dsa);
  dsa->add_option("--wtp", wtp, "threshold for net monetary benefit (default: the scenario's first)")->check(CLI::PositiveNumber);
  dsa->add_option("--two-way", two_way, "two parameters A,B for a grid over their ranges");
  dsa->add_option("--steps", steps, "points per parameter in the two-way grid (default 5)")->check(CLI::Range(2, 1000));
  dsa->add_option("--horizons", horizons, "scenario runs with these horizons in years, e.g. 2,5,15")->delimiter(',');
  dsa->add_option("--discounts", discounts, "scenario runs with these discount rates, e.g. 0,0.05")->delimiter(',');
  dsa->add_option("--threshold", threshold_parameter, "parameter whose threshold value (where the optimal strategy changes) to find");
  auto* price = app.add_subcommand("price", "Value-based price of a strategy whose price is a parameter");
  auto* price_seed = add_comparison(price);
  price->add_option("--parameter", price_parameter, "the price parameter")->required();
  price->add_option("--wtp", thresholds, "thresholds (default: the scenario's)")->delimiter(',');
  double headroom_max = 0, headroom_step = 0;
  price->add_option("--headroom-max", headroom_max, "also the headroom curve: prices for thresholds 0..max (with --headroom-step)")->check(CLI::PositiveNumber);
  price->add_option("--headroom-step", headroom_step, "threshold step of the headroom curve (default: max / 50)")->check(CLI::PositiveNumber);
  std::vector<double> probability_levels;
  std::uint64_t price_draws = 1000;
  price->add_option("--probabilities", probability_levels, "also the prices at which the probability of being cost-effective reaches these levels (PSA)")
      ->delimiter(',');
  price->add_option("--draws,-d", price_draws, "PSA draws for --probabilities (default 1000)")->check(CLI::Range(2ULL, 100000000ULL));
  std::vector<std::string> surface_axes;  // target product profile (tpp.hpp)
  double assumed_price = -1;
  price->add_option("--surface", surface_axes, "a price surface over two parameters: NAME=LOW:HIGH:STEPS, given twice")->allow_extra_args(false);
  price->add_option("--at-price", assumed_price, "with --surface: the evidence thresholds at this price per dose")->check(CLI::NonNegativeNumber);

  std::vector<std::string> report_dirs;
  hemsim::ReportOutputs report_outputs;
  auto* report = app.add_subcommand("report", "Report (HTML, XLSX, figures) from saved results of run, psa, dsa and price; nothing is re-run");
  report->add_option("RESULTS", report_dirs, "directories holding results.json, psa.json and/or dsa.json")->required();
  report->add_option("--html", report_outputs.html, "self-contained HTML report (default: RESULTS/report.html when no output is given)");
  report->add_option("--xlsx", report_outputs.xlsx, "Excel workbook");
  report->add_option("--figures", report_outputs.figures, "directory for each chart as SVG and PNG");
  report->add_flag("--quiet,-q", quiet, "print nothing but errors");
  for (auto* command : {dsa, price}) {
    command->add_option("--target-mcse", target.mcse,
                        command == dsa ? "size the individuals so that the base case's incremental net benefit has at most this MCSE"
                                       : "size the individuals so that every value-based price has at most this MCSE")
        ->check(CLI::PositiveNumber);
    command->add_option("--max-individuals", target.max_individuals, "cap for --target-mcse (default 10,000,000)")
        ->check(CLI::Range(2ULL, 1000000000000ULL));
  }

  // The shortcut: report.html and report.xlsx beside the results of run/psa/dsa/price.
  bool write_report_too = false;
  for (auto* command : {run, psa, dsa, price})
    command->add_flag("--report", write_report_too, "also write report.html and report.xlsx into the --out directory");
  // Variants of the file, overrides and strategy subsets (scenario_io.hpp).
  hemsim::ScenarioChoices choices;
  std::vector<std::string> set_texts;
  for (auto* command : {validate, run, psa, dsa, price}) {
    command->add_option("--scenario", choices.variant,
                        "a named variant of the file's scenarios: section (run: 'all' runs the base case and every variant side by side)");
    command->add_option("--set", set_texts, "override a parameter's value or formula: NAME=VALUE (repeatable; fixes it in PSA and DSA)");
  }
  for (auto* command : {run, psa})
    command->add_option("--strategy", choices.strategies, "run only this strategy (repeatable; the reference always runs)");
  std::string perspective_name;
  for (auto* command : {dsa, price})
    command->add_option("--perspective", perspective_name, "whose costs: a perspective of the scenario (default: its first)");
  bool force = false;
  for (auto* command : {run, psa, dsa, price})
    command->add_flag("--force", force, "run even above the limit of 1e12 person-cycles (individuals x strategies x cycles x draws)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive as "errors" with exit code 0; CLI11 prints them.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    return fail(kBadInput, fmt::format("{}\nRun with --help for more information.", e.what()));
  }

  // Under mpirun with several ranks psa, dsa and price divide their work (every rank runs
  // dsa and price in step; rank 0 alone writes); any other command runs on rank 0 alone.
  // A rank prints an error only where it arose (rank 0, or a rank computing draws or
  // evaluations for it) and then ends every rank, so none is left waiting for it.
  bool serving_draws = false;
  auto finish = [&](int code, const std::string& message) {
    if (ranks.root() || serving_draws) fail(code, ranks.several() && !ranks.root() ? "(a worker rank) " + message : message);
    if (ranks.several()) ranks.abort(code);
    return code;
  };
  if (ranks.several() && !ranks.root() && !*psa && !*dsa && !*price) return 0;
  // A worker rank's schedulers, marked while it computes for rank 0 (its errors are then its own).
  auto draw_scheduler = [&] {
    hemsim::DrawScheduler scheduler = ranks.scheduler();
    if (!scheduler.holds_results)
      scheduler.run = [&serving_draws, run = scheduler.run](const hemsim::DrawWork& work) {
        serving_draws = true;
        run(work);
        serving_draws = false;
      };
    return scheduler;
  };
  auto evaluation_scheduler = [&] {
    hemsim::EvaluationScheduler scheduler = ranks.evaluations();
    if (ranks.several() && !ranks.root())
      scheduler.run = [&serving_draws, run = scheduler.run](const hemsim::EvaluationWork& work) {
        serving_draws = true;
        auto results = run(work);
        serving_draws = false;
        return results;
      };
    return scheduler;
  };
  // How a result was made; `spelled_out` adds the defaults the user did not give.
  auto provenance_of = [&](const hemsim::Scenario& scenario, std::uint64_t used_individuals, std::uint64_t used_seed, bool microsimulation) {
    std::vector<std::string> spelled_out;
    auto given = [&](const char* name) {  // as CLI11 parsed it, in the command that ran
      const CLI::Option* option = app.get_subcommands().front()->get_option_no_throw(name);
      return option && option->count() > 0;
    };
    if (!given("--method")) spelled_out.insert(spelled_out.end(), {"--method", microsimulation ? "microsim" : "cohort"});
    // A sized run (--target-mcse, --max-noise-share) sizes itself again from its pilot.
    const bool sized = given("--target-mcse") || given("--max-noise-share");
    if (microsimulation && !sized && !given("--individuals"))
      spelled_out.insert(spelled_out.end(), {"--individuals", std::to_string(used_individuals)});
    if (microsimulation && !given("--seed")) spelled_out.insert(spelled_out.end(), {"--seed", std::to_string(used_seed)});
    if (given("--max-noise-share")) {  // the sizing's defaults, which a later version may change
      if (!given("--pilot-draws")) spelled_out.insert(spelled_out.end(), {"--pilot-draws", std::to_string(pilot_draws)});
      if (!given("--noise-confidence")) spelled_out.insert(spelled_out.end(), {"--noise-confidence", fmt::format("{}", noise_confidence)});
    }
    return hemsim::Provenance{reproducible_command(argc, argv, spelled_out), hemsim::kVersion, hemsim::scenario_inputs(scenario)};
  };
  if (ranks.several() && !ranks.root()) quiet = true;
  if (ranks.several() && threads == 0)  // share the machine's cores among its ranks
    threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / std::max(1, ranks.local_size()));
  auto computed_by = [&] {  // for the manifest's made_by.compute
    const auto used = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
    return fmt::format("{} rank{} x {} thread{}", ranks.size(), ranks.size() == 1 ? "" : "s", used, used == 1 ? "" : "s");
  };

  try {
    std::unique_ptr<tbb::global_control> thread_limit;
    if (threads > 0)
      thread_limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));

    if (*report) {
      if (report_outputs.html.empty() && report_outputs.xlsx.empty() && report_outputs.figures.empty())
        report_outputs.html = (std::filesystem::path(report_dirs.front()) / "report.html").string();
      hemsim::write_report(hemsim::build_report(hemsim::load_report_inputs(report_dirs)), report_outputs);
      if (!quiet)
        for (const auto& f : {report_outputs.html, report_outputs.xlsx, report_outputs.figures})
          if (!f.empty()) std::cout << fmt::format("report written to {}\n", f);
      return 0;
    }
    if (write_report_too && out_dir.empty())
      throw hemsim::ScenarioError({"", 0, 0, "--report"}, "--report writes beside the results: give --out DIR too", "--out DIR --report");
    // Everything one command writes to --out (with the report, when asked) is one set,
    // replaced as a whole: a failure at any point leaves the earlier set as it was.
    auto write_out = [&](const std::function<void(hemsim::OutputFolder&)>& add_files) {
      hemsim::OutputFolder folder(out_dir);
      add_files(folder);
      if (write_report_too) hemsim::add_report(folder);
      folder.commit();
      if (!quiet && write_report_too) std::cout << fmt::format("report written to {}\n", (folder.directory() / "report.html").string());
    };
    for (const auto& text : set_texts) choices.set.push_back(hemsim::parse_override(text));
    const bool all_variants = choices.variant == "all";
    if (all_variants && !*run)
      throw hemsim::ScenarioError({file, 0, 0, "--scenario"}, "--scenario all runs with run only", "run --scenario all, or one variant's name");
    // The options of `run` (one scenario, or all its variants).
    auto run_options = [&] {
      hemsim::SimulationOptions options;
      options.method = method == "cohort" ? hemsim::Method::cohort : hemsim::Method::microsimulation;
      options.individuals = individuals;
      options.seed = seed;
      options.seed_set = seed_option->count() > 0;
      options.progress = progress_reporter(quiet);
      return options;
    };
    if (all_variants) {
      const hemsim::SimulationOptions options = run_options();
      auto comparison = hemsim::compare_variants(file, choices, options, {});
      {
        hemsim::ScenarioChoices base_choices = choices;
        base_choices.variant.clear();
        comparison.provenance = provenance_of(hemsim::load_scenario(file, base_choices), comparison.individuals, comparison.seed,
                                              options.method == hemsim::Method::microsimulation);
      }
      if (!quiet) std::cout << hemsim::format_variant_comparison(comparison);
      if (!out_dir.empty()) {
        write_out([&](hemsim::OutputFolder& folder) {
          folder.add("named_scenarios.json", hemsim::variants_to_json(comparison));
          folder.add("named_scenarios.csv", hemsim::variants_to_csv(comparison));
        });
        if (!quiet) std::cout << fmt::format("\nresults written to {}/\n", out_dir);
      }
      return 0;
    }
    const hemsim::Scenario scenario = hemsim::load_scenario(file, choices);
    const hemsim::CompiledModel model = hemsim::compile_model(scenario);
    if (*validate) {
      auto list = [](const std::vector<std::string>& names) {
        std::string out;
        for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
        return out;
      };
      std::vector<std::string> strategies, states;
      for (const auto& st : scenario.strategies) strategies.push_back(st.name);
      for (const auto& st : scenario.states) states.push_back(st.name);
      const double years = scenario.settings.cycle_length_years;
      std::cout << fmt::format("{}: valid (schema {})\n  strategies ({}): {}\n  states ({}): {}\n  parameters: {}\n"
                               "  horizon: {} cycles of {:.4g} year{}\n",
                               file, scenario.schema_version, strategies.size(), list(strategies), states.size(), list(states),
                               scenario.parameters.size(), model.cycles(), years, years == 1.0 ? "" : "s");
      for (const auto& line : model.describe_levels()) std::cout << "  " << line << "\n";
      for (const auto& v : scenario.variants) {  // each variant must load and compile too
        hemsim::ScenarioChoices variant_choices = choices;
        variant_choices.variant = v.name;
        (void)hemsim::compile_model(hemsim::load_scenario(file, variant_choices));
        std::cout << fmt::format("  scenario {}: valid ({})\n", v.name, v.label);
      }
      std::vector<std::string> unsourced, assumptions;
      for (const auto& p : scenario.parameters) {
        if (p.source.empty()) unsourced.push_back(p.name);
        if (p.assumption) assumptions.push_back(p.name);
      }
      if (!assumptions.empty()) std::cout << fmt::format("  assumptions ({}): {}\n", assumptions.size(), list(assumptions));
      if (!unsourced.empty())
        std::cout << fmt::format("warning: {} parameter{} without a source: {}\n", unsourced.size(), unsourced.size() == 1 ? "" : "s",
                                 list(unsourced));
      return 0;
    }
    const bool microsimulation = method != "cohort";
    if (*run) check_workload(scenario, model, individuals, 1, microsimulation, force);
    if (*psa) check_workload(scenario, model, individuals, static_cast<double>(draws), microsimulation, force);
    if (*dsa || *price) check_workload(scenario, model, individuals, 1, microsimulation, force);
    if (*dsa || *price) {
      hemsim::DsaOptions dsa_options;
      dsa_options.simulation.method = method == "cohort" ? hemsim::Method::cohort : hemsim::Method::microsimulation;
      dsa_options.simulation.individuals = individuals;
      dsa_options.simulation.seed = seed;
      dsa_options.simulation.seed_set = dsa_seed->count() + price_seed->count() > 0;
      dsa_options.willingness_to_pay = wtp;
      dsa_options.scheduler = evaluation_scheduler();
      auto index_of = [&](const std::string& name, const char* what) {
        const int k = scenario.strategy_index(name);
        if (k < 0) throw hemsim::ScenarioError({file, 0, 0, what}, fmt::format("unknown strategy '{}'", name), "a strategy of the scenario");
        return k;
      };
      if (!strategy_name.empty()) dsa_options.strategy = index_of(strategy_name, "--strategy");
      if (!comparator_name.empty()) dsa_options.comparator = index_of(comparator_name, "--comparator");
      std::vector<std::string> names;
      for (const auto& st : scenario.strategies) names.push_back(st.name);
      std::vector<std::pair<std::string, std::string>> files;
      hemsim::DsaReport report;
      report.scenario_name = scenario.name;
      report.strategies = names;
      report.strategy = dsa_options.strategy < 0 ? static_cast<int>(names.size()) - 1 : dsa_options.strategy;
      report.comparator = dsa_options.comparator < 0 ? scenario.strategy_index(scenario.settings.reference_strategy) : dsa_options.comparator;
      if (!perspective_name.empty()) {
        const auto p = std::ranges::find(scenario.perspectives, perspective_name);
        if (p == scenario.perspectives.end())
          throw hemsim::ScenarioError({file, 0, 0, "--perspective"}, fmt::format("unknown perspective '{}'", perspective_name),
                                      "a perspective of the scenario");
        dsa_options.perspective = static_cast<int>(p - scenario.perspectives.begin());
      }
      report.perspective = scenario.perspectives.at(static_cast<std::size_t>(dsa_options.perspective));
      report.willingness_to_pay = wtp > 0 ? wtp : (scenario.settings.willingness_to_pay.empty() ? 100000.0 : scenario.settings.willingness_to_pay.front());
      if (*price) {
        if (thresholds.empty()) thresholds = scenario.settings.willingness_to_pay;
        if (thresholds.empty()) thresholds = {50000, 100000, 150000};
      }
      if (target.mcse > 0) {  // sized once on the base case; every point then runs with that many
        const auto sized = *price ? hemsim::size_price_to_precision(scenario, dsa_options, price_parameter, thresholds, target.mcse,
                                                                    target.max_individuals)
                                  : hemsim::size_dsa_to_precision(scenario, dsa_options, target.mcse, target.max_individuals);
        if (!quiet) std::cout << hemsim::format_sized_analysis(sized, *price ? "value-based price" : "incremental net benefit", target.mcse);
        dsa_options.simulation.individuals = sized.individuals;
      }
      if (*price) {
        const auto prices = hemsim::value_based_price(scenario, dsa_options, price_parameter, thresholds);
        report.price_parameter = price_parameter;
        report.prices = prices;
        if (!quiet) std::cout << hemsim::format_prices(prices, names, price_parameter);
        files.emplace_back("value_based_price.csv", hemsim::price_csv(prices, names));
        if (headroom_max > 0) {
          std::vector<double> grid;
          const double step = headroom_step > 0 ? headroom_step : headroom_max / 50;
          for (double w = 0; w <= headroom_max + 1e-9 * step; w += step) grid.push_back(w);
          report.headroom = hemsim::value_based_price(scenario, dsa_options, price_parameter, grid);
          files.emplace_back("headroom.csv", hemsim::price_csv(report.headroom, names));
          if (!quiet) {
            double largest = 0;  // the headroom curve's largest MCSE, so a reader knows how noisy it is
            for (const auto& point : report.headroom) largest = std::max(largest, point.price_mcse);
            std::cout << fmt::format("\nHeadroom curve over {} thresholds (price MCSE at most {:.2f}) written to headroom.csv\n", grid.size(), largest);
          }
        }
        if (!surface_axes.empty() || assumed_price >= 0) {
          if (surface_axes.size() != 2)
            throw hemsim::ScenarioError({file, 0, 0, "--surface"}, "a price surface needs two parameters",
                                        "--surface A=LOW:HIGH:STEPS --surface B=LOW:HIGH:STEPS");
          hemsim::TppOptions tpp{price_parameter, thresholds, hemsim::parse_surface_axis(surface_axes[0]),
                                 hemsim::parse_surface_axis(surface_axes[1]), std::nullopt};
          if (assumed_price >= 0) tpp.assumed_price = assumed_price;
          report.tpp = hemsim::price_surface(scenario, dsa_options, tpp);
          if (!quiet) std::cout << hemsim::format_price_surface(*report.tpp, dsa_options.perspective);
          files.emplace_back("price_surface.csv", hemsim::price_surface_csv(*report.tpp));
          if (tpp.assumed_price) files.emplace_back("evidence_thresholds.csv", hemsim::evidence_thresholds_csv(*report.tpp));
        }
        if (!probability_levels.empty()) {
          hemsim::PsaOptions psa_options;
          psa_options.draws = price_draws;
          psa_options.individuals = individuals;
          psa_options.method = dsa_options.simulation.method;
          psa_options.progress = progress_reporter(quiet, "draws");
          psa_options.scheduler = draw_scheduler();
          const int K = static_cast<int>(names.size());
          const int priced = dsa_options.strategy < 0 ? K - 1 : dsa_options.strategy;
          const auto levels = hemsim::probabilistic_value_based_price(scenario, psa_options, priced, price_parameter, thresholds, probability_levels);
          report.probabilistic_prices = levels;
          std::string table = fmt::format("\nPrice at which the probability that {} is cost-effective reaches ({} draws)\n{:>14}", names[static_cast<std::size_t>(priced)],
                                          price_draws, "WTP");
          std::string csv = "wtp,probability,price\n";
          for (double q : probability_levels) table += fmt::format("{:>16}", fmt::format("{:.0f}%", 100 * q));
          table += "\n";
          for (const auto& level : levels) {
            table += fmt::format("{:>14.0f}", level.willingness_to_pay);
            for (std::size_t i = 0; i < level.prices.size(); ++i) {
              table += fmt::format("{:>16.2f}", level.prices[i]);
              csv += fmt::format("{},{},{}\n", level.willingness_to_pay, level.probabilities[i], level.prices[i]);
            }
            table += "\n";
          }
          if (!quiet) std::cout << table;
          files.emplace_back("value_based_price_probabilistic.csv", csv);
        }
      } else {
        const auto one_way = hemsim::one_way_sensitivity(scenario, dsa_options);
        const int K = static_cast<int>(names.size());
        const std::string compared = fmt::format("{} vs {}", names[static_cast<std::size_t>(dsa_options.strategy < 0 ? K - 1 : dsa_options.strategy)],
                                                 names[static_cast<std::size_t>(dsa_options.comparator < 0 ? scenario.strategy_index(scenario.settings.reference_strategy) : dsa_options.comparator)]);
        if (!quiet) std::cout << hemsim::format_one_way(one_way, compared);
        files.emplace_back("one_way.csv", hemsim::one_way_csv(one_way));
        report.one_way = one_way;
        std::vector<hemsim::ScenarioVariant> variants = hemsim::horizon_variants(horizons);
        for (auto& v : hemsim::discount_variants(discounts)) variants.push_back(std::move(v));
        if (!variants.empty()) {
          const auto results = hemsim::scenario_analysis(scenario, dsa_options, variants);
          if (!quiet) std::cout << hemsim::format_variants(results, names);
          files.emplace_back("scenarios.csv", hemsim::variants_csv(results));
          report.variants = results;
        }
        if (!two_way.empty()) {
          const auto comma = two_way.find(',');
          if (comma == std::string::npos)
            throw hemsim::ScenarioError({file, 0, 0, "--two-way"}, "give two parameters separated by a comma", "--two-way A,B");
          const auto grid = hemsim::two_way_sensitivity(scenario, dsa_options, two_way.substr(0, comma), two_way.substr(comma + 1), steps);
          files.emplace_back("two_way.csv", hemsim::two_way_csv(grid, names));
          report.two_way = grid;
          if (!quiet) std::cout << fmt::format("\nTwo-way grid {} x {}: {} points (two_way.csv)\n", grid.parameter_a, grid.parameter_b,
                                               grid.values_a.size() * grid.values_b.size());
        }
        if (!threshold_parameter.empty()) {
          const hemsim::Parameter* p = scenario.find_parameter(threshold_parameter);
          if (!p || !p->has_range)
            throw hemsim::ScenarioError({file, 0, 0, "--threshold"}, fmt::format("'{}' is not a parameter with a DSA range", threshold_parameter),
                                        "a parameter with range: [low, high]");
          const auto range = std::find_if(one_way.parameters.begin(), one_way.parameters.end(),
                                          [&](const auto& r) { return r.parameter == threshold_parameter; });
          const auto t = hemsim::threshold_analysis(scenario, dsa_options, threshold_parameter, range->low_value, range->high_value);
          report.threshold = t;
          if (!quiet) {
            if (t.threshold)
              std::cout << fmt::format("\nThreshold: at {} = {:.6g}{} the optimal strategy changes from {} to {}\n", threshold_parameter,
                                       *t.threshold,
                                       std::isfinite(t.threshold_mcse)
                                           ? fmt::format(" ± {:.4g} (MCSE; 95% interval {:.6g} to {:.6g})", t.threshold_mcse,
                                                         *t.threshold - 1.96 * t.threshold_mcse, *t.threshold + 1.96 * t.threshold_mcse)
                                           : std::string(),
                                       names[static_cast<std::size_t>(t.optimal_below)], names[static_cast<std::size_t>(t.optimal_above)]);
            else
              std::cout << fmt::format("\nThreshold: {} is optimal over the whole range of {}\n", names[static_cast<std::size_t>(t.optimal_below)],
                                       threshold_parameter);
          }
        }
      }
      report.provenance =
          provenance_of(scenario, dsa_options.simulation.individuals ? dsa_options.simulation.individuals : scenario.settings.individuals,
                        dsa_options.simulation.seed_set ? dsa_options.simulation.seed : scenario.settings.seed,
                        dsa_options.simulation.method == hemsim::Method::microsimulation);
      files.emplace_back("dsa.json", hemsim::dsa_to_json(report));
      if (!out_dir.empty() && ranks.root())
        write_out([&](hemsim::OutputFolder& folder) {
          folder.note("compute", computed_by());
          for (const auto& [name, content] : files) folder.add(name, content);
        });
      return 0;
    }
    if (*psa) {
      hemsim::PsaOptions psa_options;
      psa_options.draws = draws;
      psa_options.individuals = individuals;
      psa_options.method = method == "cohort" ? hemsim::Method::cohort : hemsim::Method::microsimulation;
      psa_options.seed = seed;
      psa_options.seed_set = psa_seed->count() > 0;
      psa_options.progress = progress_reporter(quiet, "draws");
      std::string inner_sample_json;  // the sizing, when --max-noise-share sized the run
      if (max_noise_share > 0) {
        hemsim::PsaOptions pilot = psa_options;
        pilot.draws = std::min<std::uint64_t>(pilot_draws, draws);
        pilot.progress = progress_reporter(quiet, "pilot draws");
        const hemsim::InnerSampleSize size =
            hemsim::size_psa_inner_sample(scenario, pilot, max_noise_share, target.max_individuals, noise_strategies, noise_confidence);
        if (!quiet) std::cout << hemsim::format_inner_sample_size(size);
        psa_options.individuals = individuals = size.individuals;
        inner_sample_json = hemsim::inner_sample_size_json(size);
      }
      if (!checkpoint.empty()) {
        // The run's identity beyond its inputs (the scenario text and its tables, whose
        // hashes the checkpoint checks itself): everything else that changes a draw.
        psa_options.checkpoint = checkpoint;
        psa_options.checkpoint_key = fmt::format("seed {}, individuals {}, method {}", psa_options.seed_set ? seed : scenario.settings.seed,
                                                 individuals ? individuals : scenario.settings.individuals, method);
      }
      psa_options.scheduler = draw_scheduler();
      hemsim::PsaResults results = hemsim::run_psa(scenario, psa_options);
      if (!psa_options.scheduler.holds_results) return 0;  // a worker rank: rank 0 has the draws
      results.provenance = provenance_of(scenario, results.individuals, results.seed, psa_options.method == hemsim::Method::microsimulation);
      if (!quiet) std::cout << hemsim::format_psa_summary(results) << fmt::format("\nComputed by {}.\n", computed_by());
      std::vector<std::vector<std::string>> groups;
      for (const auto& g : evppi_groups) {
        std::vector<std::string> names;
        std::string::size_type start = 0;
        while (start <= g.size()) {
          const auto comma = g.find(',', start);
          names.push_back(g.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        groups.push_back(names);
      }
      hemsim::EvppiReport evppi;
      if (!groups.empty()) {
        const std::vector<double> at = results.willingness_to_pay.empty() ? std::vector<double>{100000} : results.willingness_to_pay;
        evppi = hemsim::evppi_report(results, groups, at);
        if (!quiet) std::cout << hemsim::format_evppi(evppi, results);
      }
      if (!out_dir.empty()) {
        double top = wtp_max;
        for (double w : results.willingness_to_pay) top = std::max(top, wtp_max > 0 ? 0.0 : 2 * w);
        if (top <= 0) top = 100000;
        const auto grid = hemsim::willingness_to_pay_grid(results, top, wtp_step > 0 ? wtp_step : top / 100);
        write_out([&](hemsim::OutputFolder& folder) {
          folder.note("compute", computed_by());
          hemsim::add_psa_results(folder, results, grid);
          if (!groups.empty()) folder.add("evppi_parameters.csv", hemsim::evppi_csv(evppi, results));
          if (!inner_sample_json.empty()) folder.add("inner_sample.json", inner_sample_json);
        });
        if (!quiet) std::cout << fmt::format("\nPSA results written to {}/\n", out_dir);
      }
      return 0;
    }
    const hemsim::SimulationOptions options = run_options();
    hemsim::RunResults results;
    if (target.mcse > 0) {
      target.measure = hemsim::increment_measure_named(target_measure);
      hemsim::PrecisionRun precise = hemsim::simulate_to_precision(model, options, target);
      if (!quiet) std::cout << hemsim::format_precision_run(precise, target, file) << "\n";
      results = std::move(precise.results);
    } else {
      results = hemsim::simulate(model, options);
    }
    results.provenance = provenance_of(scenario, results.individuals, results.seed, options.method == hemsim::Method::microsimulation);
    if (hemsim::market_applies(scenario, results)) results.market = hemsim::analyse_market(scenario, results);
    if (!quiet) std::cout << hemsim::format_results_table(results);
    if (!out_dir.empty()) {
      write_out([&](hemsim::OutputFolder& folder) { hemsim::add_results(folder, results); });
      if (!quiet) std::cout << fmt::format("\nresults written to {}/\n", out_dir);
    }
    return 0;
  } catch (const hemsim::ScenarioError& e) {
    return finish(kBadInput, e.what());
  } catch (const hemsim::InternalError& e) {
    return finish(kInternalError, std::string("internal error (please report): ") + e.what());
  } catch (const std::invalid_argument& e) {
    // The library's contract for a bad argument to a pure function (docs: README, errors).
    return finish(kBadInput, e.what());
  } catch (const std::exception& e) {
    return finish(kInternalError, std::string("internal error (please report): ") + e.what());
  }
}
