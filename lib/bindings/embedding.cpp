#include "hemsim/embedding.hpp"

#include <fmt/format.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include "hemsim/dsa.hpp"
#include "hemsim/error.hpp"

namespace hemsim {

namespace {

SourceLocation location_of_change(const Scenario& scenario, const std::string& name) { return {scenario.file, 0, 0, "parameters." + name}; }

const Parameter& parameter_to_change(const Scenario& scenario, const std::string& name) {
  const Parameter* p = scenario.find_parameter(name);
  if (!p)
    throw ScenarioError(location_of_change(scenario, name), fmt::format("no parameter named '{}'", name), "a parameter of the scenario");
  return *p;
}

bool is_jointly_sampled(const Scenario& scenario, const std::string& name) {
  for (const auto& c : scenario.correlations)
    if (c.a == name || c.b == name) return true;
  for (const auto& group : scenario.dirichlet)
    if (std::find(group.parameters.begin(), group.parameters.end(), name) != group.parameters.end()) return true;
  return false;
}

Parameter& mutable_parameter(Scenario& scenario, const std::string& name) {
  for (auto& p : scenario.parameters)
    if (p.name == name) return p;
  throw ScenarioError(location_of_change(scenario, name), fmt::format("no parameter named '{}'", name), "a parameter of the scenario");
}

// The library reports each model run from 0 to 1, from any thread and not always in
// order; an analysis made of `runs` runs in sequence is (finished runs + fraction of the
// current one) / runs. The host's callback is called under a lock, so it never runs
// twice at once, and only with a larger fraction than before.
class ProgressOverRuns {
 public:
  ProgressOverRuns(std::function<void(double)> report, std::size_t runs)
      : report_(std::move(report)), runs_(static_cast<double>(std::max<std::size_t>(runs, 1))) {}

  void run_progressed(double fraction) {
    std::lock_guard lock(mutex_);
    const double overall = std::min(1.0, (static_cast<double>(finished_runs_) + fraction) / runs_);
    if (fraction >= 1.0) ++finished_runs_;
    report(overall);
  }
  void finished() {
    std::lock_guard lock(mutex_);
    report(1.0);
  }
  /// For SimulationOptions/PsaOptions::progress; empty when the host gave no callback.
  std::function<void(double)> callback() {
    if (!report_) return {};
    return [this](double fraction) { run_progressed(fraction); };
  }

 private:
  void report(double overall) {
    if (!report_ || !(overall > last_)) return;
    last_ = overall;
    report_(overall);
  }
  std::function<void(double)> report_;
  double runs_;
  std::mutex mutex_;
  std::size_t finished_runs_ = 0;
  double last_ = 0.0;
};

// Runs `call` on at most `threads` worker threads (a task arena of the call's own, not
// the process-wide tbb::global_control, so concurrent calls of a host do not cap each other).
template <class Call>
auto with_threads(int threads, Call&& call) {
  if (threads <= 0) return call();
  tbb::task_arena arena(threads);
  return arena.execute(std::forward<Call>(call));
}

Scenario changed_scenario(const Scenario& scenario, const ParameterChanges& changes) {
  check_parameter_changes(scenario, changes);
  return with_base_values(with_parameter_formulas(scenario, changes.formulas), changes.values);
}

SimulationOptions simulation_options(const EmbeddedOptions& options) {
  SimulationOptions simulation;
  simulation.method = options.method;
  simulation.individuals = options.individuals;
  simulation.seed = options.seed;
  simulation.seed_set = options.seed_set;
  simulation.cancelled = options.cancelled;
  return simulation;
}

DsaOptions dsa_options(const Scenario& scenario, const EmbeddedOptions& options, const Comparison& comparison) {
  DsaOptions dsa;
  dsa.simulation = simulation_options(options);
  dsa.scheduler = options.evaluations;
  dsa.willingness_to_pay = comparison.willingness_to_pay;
  auto index_of = [&](const std::string& name, const char* role) {
    const int k = scenario.strategy_index(name);
    if (k < 0) throw ScenarioError({scenario.file, 0, 0, role}, fmt::format("unknown strategy '{}'", name), "a strategy of the scenario");
    return k;
  };
  if (!comparison.strategy.empty()) dsa.strategy = index_of(comparison.strategy, "strategy");
  if (!comparison.comparator.empty()) dsa.comparator = index_of(comparison.comparator, "comparator");
  return dsa;
}

// The report header the `hemsim dsa` and `hemsim price` commands write into dsa.json.
DsaReport report_header(const Scenario& scenario, const DsaOptions& dsa) {
  DsaReport report;
  report.scenario_name = scenario.name;
  for (const auto& st : scenario.strategies) report.strategies.push_back(st.name);
  const int last = static_cast<int>(report.strategies.size()) - 1;
  report.strategy = dsa.strategy < 0 ? last : dsa.strategy;
  report.comparator = dsa.comparator < 0 ? scenario.strategy_index(scenario.settings.reference_strategy) : dsa.comparator;
  report.willingness_to_pay =
      dsa.willingness_to_pay > 0 ? dsa.willingness_to_pay
                                 : (scenario.settings.willingness_to_pay.empty() ? 100000.0 : scenario.settings.willingness_to_pay.front());
  return report;
}

// The thresholds a price is asked at: the given ones, else the scenario's, else 50k, 100k, 150k.
std::vector<double> price_thresholds(const Scenario& changed, std::vector<double> thresholds) {
  if (thresholds.empty()) thresholds = changed.settings.willingness_to_pay;
  if (thresholds.empty()) thresholds = {50000, 100000, 150000};
  return thresholds;
}

}  // namespace

void check_parameter_changes(const Scenario& scenario, const ParameterChanges& changes) {
  for (const auto& [name, value] : changes.values) {
    const Parameter& p = parameter_to_change(scenario, name);
    if (!std::isfinite(value))
      throw ScenarioError(location_of_change(scenario, name), fmt::format("the value set for '{}' is not a finite number", name),
                          "a finite number");
    if (p.is_formula && !changes.formulas.contains(name))
      throw ScenarioError(location_of_change(scenario, name),
                          fmt::format("'{}' is derived (a formula) and cannot be set to a number", name),
                          "a plain parameter, or a new formula for it (a number written as text)");
    if (changes.formulas.contains(name))
      throw ScenarioError(location_of_change(scenario, name), fmt::format("'{}' is given both a value and a formula", name), "one of them");
  }
  for (const auto& [name, formula] : changes.formulas) {
    parameter_to_change(scenario, name);
    if (is_jointly_sampled(scenario, name))
      throw ScenarioError(
          location_of_change(scenario, name),
          fmt::format("'{}' is drawn jointly with others (a correlation or Dirichlet group) and cannot become a formula", name),
          "a parameter drawn on its own, or none");
  }
}

Scenario with_parameter_formulas(Scenario scenario, const std::map<std::string, std::string>& formulas) {
  for (const auto& [name, formula] : formulas) {
    Parameter& p = mutable_parameter(scenario, name);
    p.is_formula = true;
    p.value = Expression{formula, location_of_change(scenario, name)};
    // A derived parameter follows the others: nothing of its own to sample or vary.
    p.distribution.reset();
    p.has_range = false;
  }
  return scenario;
}

Scenario with_base_values(Scenario scenario, const ParameterOverrides& values) {
  for (const auto& [name, value] : values) {
    Parameter& p = mutable_parameter(scenario, name);
    if (p.is_formula)
      throw ScenarioError(location_of_change(scenario, name),
                          fmt::format("'{}' is derived (a formula) and cannot be set to a number", name), "a plain parameter");
    // fmt's shortest form reads back as the same double.
    p.value.text = fmt::format("{}", value);
  }
  return scenario;
}

RunResults embedded_run(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options) {
  const Scenario changed = changed_scenario(scenario, changes);
  ProgressOverRuns progress(options.progress, 1);
  SimulationOptions simulation = simulation_options(options);
  simulation.progress = progress.callback();
  RunResults results = with_threads(options.threads, [&] { return simulate(compile_model(changed, changes.values), simulation); });
  if (market_applies(changed, results)) results.market = analyse_market(changed, results, changes.values);  // as `hemsim run` does
  progress.finished();
  return results;
}

PrecisionRun embedded_run_to_precision(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                                       const PrecisionTarget& target) {
  const Scenario changed = changed_scenario(scenario, changes);
  ProgressOverRuns progress(options.progress, 3);  // the pilot, the sized run and, rarely, one more
  SimulationOptions simulation = simulation_options(options);
  simulation.progress = progress.callback();
  PrecisionRun run =
      with_threads(options.threads, [&] { return simulate_to_precision(compile_model(changed, changes.values), simulation, target); });
  if (market_applies(changed, run.results)) run.results.market = analyse_market(changed, run.results, changes.values);
  progress.finished();
  return run;
}

EmbeddedPsa embedded_psa(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options, std::uint64_t draws,
                         const std::vector<std::vector<std::string>>& evppi_groups, const NoiseShareTarget& sizing) {
  const Scenario changed = changed_scenario(scenario, changes);
  const bool sized = sizing.max_share != 0.0;
  ProgressOverRuns progress(options.progress, sized ? kMaxNoiseSharePilots + 1 : 1);  // the pilots, then the PSA
  PsaOptions psa;
  psa.draws = draws;
  psa.individuals = options.individuals;
  psa.seed = options.seed;
  psa.seed_set = options.seed_set;
  psa.method = options.method;
  psa.fixed = changes.values;  // a set value stays put in every draw
  psa.progress = progress.callback();
  psa.cancelled = options.cancelled;
  psa.scheduler = options.draws;
  EmbeddedPsa out;
  if (sized) {  // as `hemsim psa --max-noise-share`: the pilot on this process, as the command's
    PsaOptions pilot = psa;
    pilot.draws = std::min(sizing.pilot_draws, draws);
    pilot.scheduler = {};
    out.sizing = with_threads(options.threads, [&] {
      return size_psa_inner_sample(changed, pilot, sizing.max_share, sizing.max_individuals, sizing.strategies, sizing.confidence);
    });
    psa.individuals = out.sizing->individuals;
  }
  out.psa = with_threads(options.threads, [&] { return run_psa(changed, psa); });
  if (!evppi_groups.empty() && psa.scheduler.holds_results) {
    const std::vector<double> at = out.psa.willingness_to_pay.empty() ? std::vector<double>{100000} : out.psa.willingness_to_pay;
    try {
      out.evppi = with_threads(options.threads, [&] { return evppi_report(out.psa, evppi_groups, at); });
    } catch (const ScenarioError& e) {  // named as the command's --evppi option: name it as a host's argument
      throw ScenarioError({scenario.file, 0, 0, "evppi"}, e.problem(), "groups of parameters that have a PSA distribution");
    }
  }
  progress.finished();
  return out;
}

namespace {

// embedded_one_way on the scenario with its changes made (`changed`).
DsaReport one_way_of(const Scenario& changed, const EmbeddedOptions& options, const Comparison& comparison) {
  DsaOptions dsa = dsa_options(changed, options, comparison);
  // one_way_sensitivity runs the base case, then each ranged parameter at both ends.
  const auto ranged = std::count_if(changed.parameters.begin(), changed.parameters.end(), [](const Parameter& p) { return p.has_range; });
  ProgressOverRuns progress(options.progress, 1 + 2 * static_cast<std::size_t>(ranged));
  dsa.simulation.progress = progress.callback();
  DsaReport report = report_header(changed, dsa);
  report.one_way = with_threads(options.threads, [&] { return one_way_sensitivity(changed, dsa); });
  progress.finished();
  return report;
}

// embedded_price on `changed`, at `thresholds` (price_thresholds).
DsaReport price_of(const Scenario& changed, const EmbeddedOptions& options, const Comparison& comparison, const std::string& price_parameter,
                   const std::vector<double>& thresholds) {
  DsaOptions dsa = dsa_options(changed, options, comparison);
  // value_based_price runs two prices for the slope, then checks each threshold's price.
  ProgressOverRuns progress(options.progress, 2 + thresholds.size());
  dsa.simulation.progress = progress.callback();
  DsaReport report = report_header(changed, dsa);
  report.price_parameter = price_parameter;
  report.prices = with_threads(options.threads, [&] { return value_based_price(changed, dsa, price_parameter, thresholds); });
  progress.finished();
  return report;
}

}  // namespace

DsaReport embedded_one_way(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                           const Comparison& comparison) {
  return one_way_of(changed_scenario(scenario, changes), options, comparison);
}

DsaReport embedded_price(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                         const Comparison& comparison, const std::string& price_parameter, std::vector<double> thresholds) {
  const Scenario changed = changed_scenario(scenario, changes);
  return price_of(changed, options, comparison, price_parameter, price_thresholds(changed, std::move(thresholds)));
}

// The sizing runs without progress: the fraction reported is the analysis' that follows.
SizedReport embedded_one_way_to_precision(const Scenario& scenario, const ParameterChanges& changes, EmbeddedOptions options,
                                          const Comparison& comparison, double target_mcse, std::uint64_t max_individuals) {
  const Scenario changed = changed_scenario(scenario, changes);
  SizedReport out;
  const DsaOptions dsa = dsa_options(changed, options, comparison);
  out.sizing = with_threads(options.threads, [&] { return size_dsa_to_precision(changed, dsa, target_mcse, max_individuals); });
  options.individuals = out.sizing.individuals;
  out.report = one_way_of(changed, options, comparison);
  return out;
}

SizedReport embedded_price_to_precision(const Scenario& scenario, const ParameterChanges& changes, EmbeddedOptions options,
                                        const Comparison& comparison, const std::string& price_parameter, std::vector<double> thresholds,
                                        double target_mcse, std::uint64_t max_individuals) {
  const Scenario changed = changed_scenario(scenario, changes);
  thresholds = price_thresholds(changed, std::move(thresholds));
  SizedReport out;
  const DsaOptions dsa = dsa_options(changed, options, comparison);
  out.sizing = with_threads(options.threads, [&] {
    return size_price_to_precision(changed, dsa, price_parameter, thresholds, target_mcse, max_individuals);
  });
  options.individuals = out.sizing.individuals;
  out.report = price_of(changed, options, comparison, price_parameter, thresholds);
  return out;
}

}  // namespace hemsim
