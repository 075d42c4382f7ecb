#pragma once
/// \file embedding.hpp
/// The calls a host program makes when it embeds hemsim (the C API in hemsim.h, the
/// Python module in python/): load a scenario, change some parameters, then run, PSA,
/// one-way DSA or value-based price with a thread cap, progress and cancellation, as the
/// `hemsim` command does. Each call is a function of its arguments: no process-wide
/// state, so two hosts' threads can run calls side by side.
///
///     hemsim::ParameterChanges changes;
///     changes.values["bmsc_price"] = 20000;
///     hemsim::EmbeddedOptions options;
///     options.individuals = 10000;
///     hemsim::RunResults r = hemsim::embedded_run(hemsim::load_scenario("scenarios/bmsc_cipn.yaml"), changes, options);

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/dsa_io.hpp"
#include "hemsim/evaluation_scheduler.hpp"
#include "hemsim/parameters.hpp"
#include "hemsim/precision.hpp"
#include "hemsim/psa.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/simulation.hpp"

namespace hemsim {

/// What a host sets on a scenario before running it: new base values of plain parameters
/// (the same ParameterOverrides a PSA draw or a DSA point uses; a strategy that sets the
/// parameter itself keeps its own value) and formulas that replace a parameter's
/// definition (e.g. "2 * c_trtA"; a formula makes the parameter derived, so it loses its
/// PSA distribution and DSA range).
struct ParameterChanges {
  ParameterOverrides values;
  std::map<std::string, std::string> formulas;
};

/// Throws ScenarioError naming the parameter when a change names no parameter of
/// `scenario`, sets a number on a derived parameter, or replaces a correlated or
/// Dirichlet parameter by a formula. Formulas are checked when the model compiles.
void check_parameter_changes(const Scenario& scenario, const ParameterChanges& changes);

/// `scenario` with the formulas in place and, for the analyses that vary parameters
/// around their base values (DSA, price), the values as new base values.
[[nodiscard]] Scenario with_parameter_formulas(Scenario scenario, const std::map<std::string, std::string>& formulas);
[[nodiscard]] Scenario with_base_values(Scenario scenario, const ParameterOverrides& values);

/// Options shared by every embedded call (the `hemsim` command's flags).
struct EmbeddedOptions {
  Method method = Method::microsimulation;
  std::uint64_t individuals = 0;  ///< 0: the scenario's settings.individuals
  std::uint64_t seed = 0;         ///< used only when seed_set; else the scenario's
  bool seed_set = false;
  int threads = 0;  ///< worker threads for this call (a task arena); 0: all cores
  /// Fraction done (0..1) of the whole call, from any thread; never decreases.
  std::function<void(double)> progress;
  /// Polled from any thread; true stops the call with hemsim::Cancelled.
  std::function<bool()> cancelled;
  /// Who computes PSA draws and DSA/price evaluations (mpi.hpp divides them among MPI
  /// ranks); empty: this process. Where `draws.holds_results` is false (an MPI rank
  /// other than 0) a PSA returns no draws and computes no EVPPI.
  DrawScheduler draws;
  EvaluationScheduler evaluations;
};

/// `hemsim run`: the scenario with `changes`, simulated.
[[nodiscard]] RunResults embedded_run(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options);
/// `hemsim run --target-mcse`: simulated until the targeted increments' MCSE is at most
/// `target.mcse` (simulate_to_precision; the pilot has options.individuals, or the
/// scenario's); PrecisionRun::results are those of a plain run with its individuals.
[[nodiscard]] PrecisionRun embedded_run_to_precision(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                                                     const PrecisionTarget& target);

/// `hemsim psa --evppi ...`: `draws` parameter draws with `changes.values` fixed in every
/// draw; EVPPI (first perspective, at the scenario's thresholds or 100,000) for each
/// group of parameter names.
struct EmbeddedPsa {
  PsaResults psa;
  EvppiReport evppi;
  /// The inner sample's sizing, when NoiseShareTarget::max_share was set.
  std::optional<InnerSampleSize> sizing;
};
/// `hemsim psa --max-noise-share`: size the individuals per draw from pilot PSAs
/// (size_psa_inner_sample) so that Monte Carlo noise is at most `max_share` of the spread
/// of each increment of `strategies` (empty: all). 0: no sizing.
struct NoiseShareTarget {
  double max_share = 0.0;
  std::vector<std::string> strategies;
  std::uint64_t pilot_draws = 50;
  double confidence = kNoiseShareConfidence;
  std::uint64_t max_individuals = kDefaultMaxIndividuals;
};
[[nodiscard]] EmbeddedPsa embedded_psa(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                                       std::uint64_t draws, const std::vector<std::vector<std::string>>& evppi_groups = {},
                                       const NoiseShareTarget& sizing = {});

/// Which strategies a DSA or price compares, by name ("" : the last strategy against the
/// reference), and the threshold of net benefit (0: the scenario's first, or 100,000).
struct Comparison {
  std::string strategy, comparator;
  double willingness_to_pay = 0.0;
};

/// `hemsim dsa` (one-way only): the tornado over every parameter with a `range:`.
[[nodiscard]] DsaReport embedded_one_way(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                                         const Comparison& comparison);

/// `hemsim price`: the value-based price of `comparison.strategy` (whose price is
/// `price_parameter`) at each of `thresholds` (empty: the scenario's, or 50,000, 100,000
/// and 150,000).
[[nodiscard]] DsaReport embedded_price(const Scenario& scenario, const ParameterChanges& changes, const EmbeddedOptions& options,
                                       const Comparison& comparison, const std::string& price_parameter, std::vector<double> thresholds);

/// `hemsim dsa --target-mcse` and `hemsim price --target-mcse`: the individuals are sized
/// once on the base case (size_dsa_to_precision, size_price_to_precision; pilot:
/// options.individuals, or the scenario's) and every point then runs with that many.
/// Progress is reported for the analysis that follows the sizing.
struct SizedReport {
  DsaReport report;
  SizedAnalysis sizing;
};
[[nodiscard]] SizedReport embedded_one_way_to_precision(const Scenario& scenario, const ParameterChanges& changes, EmbeddedOptions options,
                                                        const Comparison& comparison, double target_mcse,
                                                        std::uint64_t max_individuals = kDefaultMaxIndividuals);
[[nodiscard]] SizedReport embedded_price_to_precision(const Scenario& scenario, const ParameterChanges& changes, EmbeddedOptions options,
                                                      const Comparison& comparison, const std::string& price_parameter,
                                                      std::vector<double> thresholds, double target_mcse,
                                                      std::uint64_t max_individuals = kDefaultMaxIndividuals);

}  // namespace hemsim
