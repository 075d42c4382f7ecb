#pragma once
/// \file precision.hpp
/// Precision targets: how many individuals a decision-grade answer needs.
///
/// `simulate_to_precision` runs a pilot, predicts from its Monte Carlo standard error
/// (MCSE falls as 1/sqrt(individuals)) how many individuals reach the target MCSE of
/// the paired increments, and re-runs from scratch with that many (repeating if the
/// prediction falls short), so the result is exactly that of a plain run with the
/// reported number of individuals and the same seed.
///
/// `size_psa_inner_sample` does the same for a PSA: from a pilot PSA it estimates each
/// increment's per-individual variance (within draws) and its parameter variance
/// (across draws), and returns the individuals per draw at which Monte Carlo noise is at
/// most a given share of the increments' spread across draws (O'Hagan, Stevenson &
/// Madan, Health Econ 2007). The parameter variance is taken at a lower confidence bound
/// (chi-square, over the pilot's draws), so that a pilot whose few draws happen to spread
/// widely does not size the inner sample too small.
///
///     hemsim::PrecisionTarget target;
///     target.mcse = 0.005;  // incremental QALYs of every strategy against the reference
///     auto run = hemsim::simulate_to_precision(model, options, target);
///     // run.results.individuals individuals; run.achieved_mcse <= 0.005 unless capped

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "hemsim/dsa.hpp"
#include "hemsim/psa.hpp"
#include "hemsim/simulation.hpp"

namespace hemsim {

/// Which increment (strategy minus the reference strategy, discounted) a target bounds.
enum class IncrementMeasure { effects, costs, net_benefit };

[[nodiscard]] std::string to_string(IncrementMeasure measure);
/// The measure named `name` ("effects", "costs", "net_benefit": to_string's names);
/// throws std::invalid_argument for any other name.
[[nodiscard]] IncrementMeasure increment_measure_named(const std::string& name);

/// The default cap on the individuals a precision target or a noise-share sizing may use
/// (`--max-individuals`).
inline constexpr std::uint64_t kDefaultMaxIndividuals = 10'000'000;

struct PrecisionTarget {
  IncrementMeasure measure = IncrementMeasure::effects;  ///< effects: the ICER's measure (QALYs or life-years)
  double mcse = 0.0;                                     ///< the largest acceptable MCSE (> 0)
  int strategy = -1;                                     ///< -1: every non-reference strategy must meet it
  int perspective = 0;                                   ///< costs and net benefit
  double willingness_to_pay = 0.0;                       ///< net benefit; 0: the scenario's first threshold (or 100,000)
  std::uint64_t max_individuals = kDefaultMaxIndividuals;
};

/// The individuals a run, a DSA or a value-based price was sized to.
struct SizedAnalysis {
  std::uint64_t individuals = 0;                 ///< the final size
  std::vector<std::uint64_t> individuals_tried;  ///< pilot first, final last
  double achieved_mcse = 0.0;                    ///< the MCSE at the final size
  bool met = false;                              ///< false when max_individuals was reached first
};

/// A run sized to a target: achieved_mcse is the largest MCSE of the targeted increments.
struct PrecisionRun : SizedAnalysis {
  RunResults results;  ///< the final run
};

/// Runs `model` until the targeted increments' MCSE is at most `target.mcse` (pilot:
/// options.individuals, or the scenario's). Throws ScenarioError for a target that is
/// not positive, a cohort run, or a model with one strategy.
[[nodiscard]] PrecisionRun simulate_to_precision(const CompiledModel& model, SimulationOptions options, const PrecisionTarget& target);

/// The largest MCSE of the increments a target names, in `results`.
[[nodiscard]] double increment_mcse(const RunResults& results, const PrecisionTarget& target);

/// Individuals per draw for a PSA whose increments' noise share is at most `max_share`.
struct InnerSampleSize {
  std::uint64_t individuals = 0;  ///< recommended (capped at max_individuals)
  bool capped = false;
  double max_share = 0.0;   ///< the noise share it was sized for
  double confidence = 0.0;  ///< of the lower bound on each parameter variance
  std::uint64_t pilot_draws = 0;  ///< draws of each pilot
  /// Individuals per draw of each pilot run (size_psa_inner_sample with a scenario), the
  /// one sized from last; empty when sized from a given pilot.
  std::vector<std::uint64_t> pilot_individuals;
  /// Per non-reference strategy and measure (effects, costs of the first perspective):
  /// the per-individual variance within draws, the parameter variance across draws (its
  /// estimate, and the lower bound the sizing uses) and the individuals each needs (0
  /// where the bound is 0: not reachable).
  struct Increment {
    std::string strategy;
    IncrementMeasure measure = IncrementMeasure::effects;
    double within_variance = 0.0, parameter_variance = 0.0, parameter_lower = 0.0;
    double pilot_noise_share = 0.0;  ///< of the increment's variance across the pilot's draws
    double needed = 0.0;
    /// Whether some number of individuals reaches the share: a positive bound and a
    /// finite need (the terminal table, inner_sample.json and the report all ask this).
    [[nodiscard]] bool reachable() const { return parameter_lower > 0 && std::isfinite(needed); }
  };
  std::vector<Increment> increments;
};

/// Pilots size_psa_inner_sample runs at most, the first included.
inline constexpr int kMaxNoiseSharePilots = 3;

/// Default confidence of the lower bound on the parameter variance (`psa --noise-confidence`).
inline constexpr double kNoiseShareConfidence = 0.8;

/// Sizes the inner sample from a pilot PSA (`pilot`, run with `pilot.individuals`).
/// `strategies`: names of the strategies whose increments must meet the share (empty:
/// every non-reference strategy whose increments vary across draws). Each parameter
/// variance is taken at its lower bound of confidence `confidence` (in [0.5, 1)): the
/// pilot's variance across its D draws times (D - 1) / the chi-square quantile of that
/// confidence with D - 1 degrees of freedom, less the noise. Throws ScenarioError for a
/// share or confidence out of range, a cohort pilot or one with fewer than 2 draws.
[[nodiscard]] InnerSampleSize size_psa_inner_sample(const PsaResults& pilot, double max_share, std::uint64_t max_individuals,
                                                    const std::vector<std::string>& strategies = {},
                                                    double confidence = kNoiseShareConfidence);

/// Runs the pilot PSA `pilot` (its draws, individuals and seed) and sizes the inner sample
/// from it as above. A pilot in which a sized increment's spread is mostly noise (noise
/// share above a quarter) says little about its parameter variance, so the pilot is run
/// again with the individuals it gave (at most ten times the first pilot's), up to three
/// pilots, and the size is taken from the last (InnerSampleSize::pilot_individuals). The
/// share and confidence are checked before the first pilot runs.
[[nodiscard]] InnerSampleSize size_psa_inner_sample(const Scenario& scenario, PsaOptions pilot, double max_share,
                                                    std::uint64_t max_individuals, const std::vector<std::string>& strategies = {},
                                                    double confidence = kNoiseShareConfidence);

/// Individuals at which the base case's incremental net benefit of options.strategy
/// against options.comparator (at options.willingness_to_pay) has an MCSE of at most
/// `target_mcse`: pilot with options.simulation.individuals (or the scenario's), then
/// as above. Every DSA point then runs with that many individuals.
[[nodiscard]] SizedAnalysis size_dsa_to_precision(const Scenario& scenario, const DsaOptions& options, double target_mcse,
                                                  std::uint64_t max_individuals = kDefaultMaxIndividuals);

/// Individuals at which every value-based price (value_based_price at `thresholds`) has an
/// MCSE of at most `target_mcse` (in money per unit of the price parameter).
[[nodiscard]] SizedAnalysis size_price_to_precision(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                                    const std::vector<double>& thresholds, double target_mcse,
                                                    std::uint64_t max_individuals = kDefaultMaxIndividuals);

/// Terminal text: what the target asked, what was reached with how many individuals, and
/// the plain `hemsim run` command that gives the same results.
[[nodiscard]] std::string format_precision_run(const PrecisionRun& run, const PrecisionTarget& target, const std::string& scenario_file);
/// Terminal text: the sizing of a DSA (`what`: "incremental net benefit") or a price.
[[nodiscard]] std::string format_sized_analysis(const SizedAnalysis& sized, const std::string& what, double target_mcse);
/// Terminal text: the pilot's variances and the individuals each increment needs.
[[nodiscard]] std::string format_inner_sample_size(const InnerSampleSize& size);
/// The same as JSON (`psa --max-noise-share --out DIR` writes it as inner_sample.json;
/// docs/results-format.md).
[[nodiscard]] std::string inner_sample_size_json(const InnerSampleSize& size);
/// Reads inner_sample_size_json's text back (`hemsim report` shows it beside the PSA);
/// throws std::exception (nlohmann::json's, or std::invalid_argument) for other text.
[[nodiscard]] InnerSampleSize inner_sample_size_from_json(const std::string& text);

}  // namespace hemsim
