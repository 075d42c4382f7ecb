#pragma once
/// \file psa.hpp
/// Probabilistic sensitivity analysis: parameter draws from the scenario's
/// distributions, each draw simulated (microsimulation or cohort), results kept per
/// draw for decision analysis (decision.hpp).
///
///     hemsim::PsaOptions options;
///     options.draws = 1000;
///     options.individuals = 10000;
///     hemsim::PsaResults psa = hemsim::run_psa(scenario, options);
///     auto ceac = hemsim::acceptability_curves(psa.costs[0], psa.effects, {50000, 100000});

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hemsim/parameters.hpp"
#include "hemsim/provenance.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/simulation.hpp"

namespace hemsim {

/// Draws the parameters that have a PSA distribution (and Dirichlet groups).
/// Distributions are resolved once (arguments evaluated with the reference strategy's
/// base-case values). Correlated parameters share a Gaussian copula: their uniforms are
/// turned into normal scores, correlated with the Cholesky factor of the correlation
/// matrix, and mapped back through each parameter's own marginal.
class ParameterSampler {
 public:
  explicit ParameterSampler(const Scenario& scenario);
  /// The sampled values for one draw; each depends only on (seed, draw, name).
  [[nodiscard]] ParameterOverrides sample(std::uint64_t seed, std::uint32_t draw) const;
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
  std::vector<Distribution> distributions_;  ///< gamma(alpha, 1) for Dirichlet members
  std::vector<std::uint32_t> streams_;
  std::vector<int> copula_members_;          ///< indices into names_, in declaration order
  Eigen::MatrixXd copula_factor_;            ///< Cholesky factor of their correlation matrix
  std::vector<std::vector<int>> dirichlet_groups_;
};

/// The sampled values of every parameter that has a PSA distribution, for one draw.
/// Each value depends only on (seed, draw, parameter name): adding or removing a
/// parameter does not change the others' draws. Distribution arguments are evaluated
/// with the reference strategy's base-case parameter values.
[[nodiscard]] ParameterOverrides sample_parameters(const Scenario& scenario, std::uint64_t seed, std::uint32_t draw);

/// The draws a PSA still has to compute, and how to compute and keep each: what a
/// DrawScheduler divides among threads, processes or machines. `compute` is pure (the
/// values of a draw depend only on the scenario, options and draw index) and thread-safe;
/// `store` keeps a draw's values in the results (and the checkpoint), is thread-safe,
/// and is called only in the process that holds the results.
struct DrawWork {
  std::vector<std::uint64_t> missing;  ///< 0-based draw indices, ascending
  std::size_t values_per_draw = 0;
  std::function<std::vector<double>(std::uint64_t)> compute;
  std::function<void(std::uint64_t, const std::vector<double>&)> store;
};

/// Runs the work: computes every missing draw (here or elsewhere) and stores each. A
/// process whose `holds_results` is false only computes draws for another (MPI worker
/// ranks): it opens no checkpoint, its DrawWork has no missing draws and no store, and
/// the PsaResults it returns hold no draws.
struct DrawScheduler {
  bool holds_results = true;
  std::function<void(const DrawWork&)> run;
  std::string description;  ///< e.g. "3 MPI ranks"; empty: this process's threads
};

struct PsaOptions {
  std::uint64_t draws = 1000;
  std::uint64_t individuals = 0;  ///< inner microsimulation size; 0: the scenario's
  std::uint64_t seed = 0;         ///< 0: the scenario's (see seed_set)
  bool seed_set = false;
  Method method = Method::microsimulation;
  /// Values fixed in every draw (over the sampled ones), e.g. a price being assessed.
  ParameterOverrides fixed;
  /// Called with the fraction of draws finished, from any thread.
  std::function<void(double)> progress;
  /// Polled between draws and between blocks of individuals; true stops the run with
  /// hemsim::Cancelled.
  std::function<bool()> cancelled;
  /// SQLite file in which every finished draw is saved as soon as it is done; a later run
  /// with the same file and key reuses the saved draws and computes only the missing
  /// ones (results are identical to an uninterrupted run). The checkpoint also records
  /// the SHA-256 of the scenario text and of every table file it loads: if any differs
  /// on resume, the run is refused (ScenarioError naming the file) rather than mixing
  /// draws of old and new inputs. Empty: no checkpoint.
  std::string checkpoint;
  /// Identifies the run (seed, individuals, method, fixed values); a checkpoint written
  /// under another key is refused rather than mixed in.
  std::string checkpoint_key;
  /// Who computes the draws; empty `run`: this process's threads (TBB). See mpi.hpp.
  DrawScheduler scheduler;
};

struct PsaResults {
  std::string scenario_name;
  Provenance provenance;  ///< how it was made (set by the caller that saves it)
  std::string method;
  std::uint64_t seed = 0, draws = 0, individuals = 0;
  std::string effect_measure;           ///< "qalys" or "life_years": `effects` holds it
  std::vector<double> willingness_to_pay;
  double effective_population = 0.0;   ///< discounted people affected (0: not given in the scenario)
  int reference = 0;                    ///< index of the reference strategy
  std::vector<std::string> strategies;  ///< names, scenario order
  std::vector<std::string> perspectives;
  std::vector<std::string> parameters;  ///< sampled parameters (columns of parameter_values)
  Eigen::MatrixXd parameter_values;     ///< draws x parameters
  std::vector<Eigen::MatrixXd> costs;   ///< per perspective: draws x strategies, discounted
  std::vector<Eigen::MatrixXd> costs_mcse;
  Eigen::MatrixXd effects, effects_mcse;          ///< draws x strategies, discounted
  /// Monte Carlo standard errors of the paired differences against the reference strategy
  /// (common random numbers), per draw: draws x strategies, 0 in the reference's column.
  /// What decides between strategies is the increment, whose noise can dominate even when
  /// the absolute values' noise is negligible.
  std::vector<Eigen::MatrixXd> increment_costs_mcse;  ///< per perspective
  Eigen::MatrixXd increment_effects_mcse;
  Eigen::MatrixXd qalys, life_years;              ///< draws x strategies, discounted
  Eigen::MatrixXd qalys_undiscounted, life_years_undiscounted;
  std::vector<std::string> cost_categories;
  std::vector<Eigen::MatrixXd> costs_by_category; ///< per category: draws x strategies, discounted
  std::vector<std::string> events;
  std::vector<Eigen::MatrixXd> event_counts;      ///< per event: draws x strategies, mean occurrences
  /// The scenario's market analysis (market.hpp) in every draw, when it has a `market:`
  /// section: names of the measures ("eligible_per_year", "budget_impact", "revenue",
  /// "royalty_npv", then "population_nmb_<threshold>" for each of the scenario's
  /// thresholds) and their values, draws x measures (NaN where a draw's strategies do not
  /// include the market's).
  std::vector<std::string> market_measures;
  Eigen::MatrixXd market;
};

/// Runs every draw (in parallel, each with its own inner simulation keyed by the draw
/// index, so results are bit-identical for any number of threads). A draw whose
/// sampled values make the model invalid (e.g. a row summing above 1) is a
/// ScenarioError naming the draw.
[[nodiscard]] PsaResults run_psa(const Scenario& scenario, const PsaOptions& options);

/// The price of `strategy` (whose price is `price_parameter`) at which its probability
/// of being cost-effective (highest net benefit) reaches each of `probabilities`, at
/// each threshold. Two PSA runs with the same draws and random numbers, at the base
/// price and at twice it, give each draw's cost per unit of price and so the price at
/// which that draw's decision switches; the price for probability q is the (1 − q)
/// quantile of those break-even prices (the empirical distribution function of the
/// draws, so the probability at the returned price is at least q). Empty on a process
/// whose scheduler does not hold the results (an MPI rank other than 0).
struct ProbabilisticPrice {
  double willingness_to_pay = 0;
  std::vector<double> probabilities;
  std::vector<double> prices;       ///< aligned with probabilities
  std::vector<double> break_even;   ///< per draw: the price below which the strategy is optimal
};
[[nodiscard]] std::vector<ProbabilisticPrice> probabilistic_value_based_price(const Scenario& scenario, const PsaOptions& options,
                                                                              int strategy, const std::string& price_parameter,
                                                                              const std::vector<double>& thresholds,
                                                                              const std::vector<double>& probabilities);

/// How much of the spread of per-draw means is Monte Carlo noise of the inner
/// simulation rather than parameter uncertainty (O'Hagan, Stevenson & Madan 2007):
/// total = variance of the draw means; noise = mean squared MCSE; parameter = the rest.
struct VarianceDecomposition {
  double total = 0.0;
  double monte_carlo = 0.0;
  double parameter = 0.0;
  double monte_carlo_share = 0.0;  ///< monte_carlo / total
};
[[nodiscard]] VarianceDecomposition decompose_variance(const Eigen::VectorXd& means, const Eigen::VectorXd& mcse);

/// How much of a PSA's spread is Monte Carlo noise: the share for each strategy's costs
/// (first perspective) and effects, and for each increment against the reference, with
/// a warning wherever it exceeds `warning_share`. Empty for a cohort PSA. Written into
/// psa.json ("noise") and printed by format_psa_summary.
/// Above this share of noise the inner sample is too small (psa summary and report warn).
inline constexpr double kNoiseWarningShare = 0.10;

struct NoiseShares {
  struct Row {
    std::string strategy;
    double costs = 0.0, effects = 0.0;  ///< monte_carlo_share of each
  };
  double warning_share = kNoiseWarningShare;
  std::vector<Row> strategies;  ///< every strategy
  std::vector<Row> increments;  ///< every non-reference strategy, against the reference
  std::vector<std::string> warnings;
};
[[nodiscard]] NoiseShares noise_shares(const PsaResults& psa, double warning_share = kNoiseWarningShare);

}  // namespace hemsim
