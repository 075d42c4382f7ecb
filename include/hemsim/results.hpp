#pragma once
/// \file results.hpp
/// What a run produces: per-strategy outcomes with Monte Carlo standard errors,
/// increments against the reference strategy, and the incremental (ICER) tables.
/// Serialised by results_io.hpp; analysed by decision.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/market.hpp"
#include "hemsim/provenance.hpp"

namespace hemsim {

/// A mean with its Monte Carlo standard error (0 for a cohort run).
struct Estimate {
  double mean = 0.0;
  double mcse = 0.0;
};

/// An outcome discounted and undiscounted.
struct DiscountedEstimate {
  Estimate discounted;
  Estimate undiscounted;
};

struct EventOutcome {
  /// Proportion of individuals with at least one occurrence by the end of the horizon
  /// (microsimulation only; for a cohort run it equals the expected count when the
  /// event can happen at most once, and is reported as the expected count).
  Estimate ever;
  Estimate count;  ///< mean number of occurrences per individual (undiscounted)
  /// Cumulative incidence (proportion with a first occurrence by point t), t = 0..T.
  std::vector<double> cumulative_incidence;
};

/// A value discounted and undiscounted, with no Monte Carlo error attached (see YearOutcomes).
struct DiscountedValue {
  double discounted = 0.0;
  double undiscounted = 0.0;
};

/// Mean costs and effects accrued in one model year, per individual. Year y (1-based)
/// holds the cycles that start in [y - 1, y) years; a reward at point t belongs to the
/// year of cycle min(t, T - 1), a transition reward to the year of its cycle, one-time
/// costs to year 1 (docs/methods.md, "Costs and outcomes by year"). The years sum to the
/// totals of StrategyOutcomes. Means only: their Monte Carlo errors are not computed.
struct YearOutcomes {
  std::vector<DiscountedValue> costs_by_category;     ///< aligned with RunResults::cost_categories
  std::vector<DiscountedValue> costs_by_perspective;  ///< aligned with RunResults::perspectives
  DiscountedValue qalys;
  DiscountedValue life_years;
};

struct StrategyOutcomes {
  std::string name;
  std::string label;
  std::vector<DiscountedEstimate> costs_by_category;     ///< aligned with RunResults::cost_categories
  std::vector<DiscountedEstimate> costs_by_perspective;  ///< aligned with RunResults::perspectives
  DiscountedEstimate qalys;
  DiscountedEstimate life_years;
  std::vector<DiscountedEstimate> outcomes;  ///< aligned with RunResults::outcomes (discounted at the cost rate)
  std::vector<EventOutcome> events;        ///< aligned with RunResults::events
  std::vector<Estimate> years_in_state;    ///< undiscounted, aligned with RunResults::states
  /// State trace: proportion in each state at points t = 0..T, row-major (T+1) x states.
  std::vector<double> trace;
  std::vector<YearOutcomes> by_year;  ///< model years 1, 2, ...; empty in files written before it existed
};

/// Difference strategy minus reference, per individual (common random numbers), so the
/// MCSE is that of the paired differences.
struct Increment {
  std::string name;
  std::vector<DiscountedEstimate> costs_by_perspective;
  DiscountedEstimate qalys;
  DiscountedEstimate life_years;
};

/// Sums over fixed batches of individuals (batch b holds individuals b * batch_size to
/// (b + 1) * batch_size - 1), kept in memory (not in results.json) so that two runs with
/// the same seed and individuals can be paired: the Monte Carlo error of any difference
/// between them (a DSA end against the base case, one price against another) comes from
/// the batch differences (see paired.hpp). Empty for a cohort run.
struct BatchSums {
  std::uint64_t batch_size = 0;
  int strategies = 0;
  int values = 0;              ///< per strategy, in the order of BatchValue below
  std::vector<double> counts;  ///< individuals per batch
  std::vector<double> sums;    ///< batch x strategy x value
  std::size_t batches() const { return counts.size(); }
  double sum(std::size_t batch, int strategy, int value) const {
    return sums[(batch * static_cast<std::size_t>(strategies) + static_cast<std::size_t>(strategy)) * static_cast<std::size_t>(values) +
                static_cast<std::size_t>(value)];
  }
};

/// Index of an outcome in BatchSums for a model with `perspectives` perspectives: costs
/// by perspective (discounted, then undiscounted), QALYs and life-years (discounted, undiscounted).
struct BatchValue {
  static int cost(int perspective, bool discounted, int perspectives) { return discounted ? perspective : perspectives + perspective; }
  static int qalys(bool discounted, int perspectives) { return 2 * perspectives + (discounted ? 0 : 1); }
  static int life_years(bool discounted, int perspectives) { return 2 * perspectives + (discounted ? 2 : 3); }
};

struct RunResults {
  std::string scenario_name;
  std::string scenario_file;
  std::string scenario_variant;  ///< the `--scenario` variant run; empty = the base case
  std::vector<std::pair<std::string, std::string>> overrides;  ///< `--set` NAME=VALUE, in order
  Provenance provenance;  ///< how it was made (set by the caller that saves it)
  std::string method;           ///< "microsimulation" or "cohort"
  std::uint64_t seed = 0;
  std::uint64_t individuals = 0;  ///< 0 for cohort
  double cycle_length_years = 1.0;
  int cycles = 0;               ///< T: the trace has T+1 points
  std::string currency;
  int price_year = 0;
  std::string effect_measure;   ///< "qalys" or "life_years": the ICER denominator
  std::vector<double> willingness_to_pay;
  std::vector<std::string> states;
  std::vector<std::string> cost_categories;
  std::vector<std::string> perspectives;
  std::vector<std::string> outcomes;        ///< user-defined outcomes (scenario `outcomes:`)
  std::vector<std::string> outcome_labels;
  std::vector<std::string> events;
  /// Per event: the times (years) at which its cumulative incidence is reported.
  std::vector<std::vector<double>> event_report_years;
  std::vector<StrategyOutcomes> strategies;
  std::string reference_strategy;
  std::vector<Increment> increments;  ///< one per non-reference strategy, in strategy order
  /// One incremental table per perspective (discounted costs vs the effect measure).
  std::vector<IncrementalTable> incremental_tables;
  BatchSums batches;  ///< microsimulation only; not serialised
  std::optional<MarketResults> market;  ///< the scenario's `market:` analysis (market.hpp), when run

  /// Index of the strategy named `name` in `strategies`; -1 if absent.
  [[nodiscard]] int strategy_index(const std::string& name) const {
    for (std::size_t k = 0; k < strategies.size(); ++k)
      if (strategies[k].name == name) return static_cast<int>(k);
    return -1;
  }
};

}  // namespace hemsim
