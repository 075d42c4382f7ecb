#pragma once
/// \file paired.hpp
/// Monte Carlo error of differences between runs. Runs with the same seed and number of
/// individuals give each individual the same random numbers, so a difference between
/// them (a DSA end against the base case, the net benefit at one price against another)
/// has far less noise than either run. Its standard error comes from the batches of
/// individuals the runs share (RunResults::batches): the batch totals of the difference
/// are independent and identically distributed, so the usual cluster (ratio) variance
/// estimator applies.
///
///     // incremental net benefit of strategy 1 vs 0 at 100,000 per QALY, high end minus low end
///     auto swing = hemsim::paired_estimate({
///         hemsim::net_benefit_terms(high, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, +1.0),
///         hemsim::net_benefit_terms(low, 1, 0, 0, 100000.0, hemsim::EffectMeasure::qalys, -1.0)});

#include <vector>

#include "hemsim/results.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim {

/// weight x (mean of `value` of `strategy` in `run`); `value` indexes BatchSums (BatchValue).
struct PairedTerm {
  const RunResults* run = nullptr;
  int strategy = 0;
  int value = 0;
  double weight = 1.0;
};

/// Mean and Monte Carlo standard error of the sum of the terms (the second form sums each
/// group first, so a group and its exact negation, e.g. one run twice, cancel to 0). Every microsimulation run
/// named must share seed and individuals (std::invalid_argument otherwise); cohort runs
/// contribute their means with no error.
[[nodiscard]] Estimate paired_estimate(const std::vector<PairedTerm>& terms);
[[nodiscard]] Estimate paired_estimate(const std::vector<std::vector<PairedTerm>>& groups);

/// The run's ICER effect measure (RunResults::effect_measure as an EffectMeasure).
[[nodiscard]] inline EffectMeasure icer_measure(const RunResults& run) {
  return run.effect_measure == "life_years" ? EffectMeasure::life_years : EffectMeasure::qalys;
}

/// Terms of sign x incremental net monetary benefit of `strategy` against `comparator` in
/// `perspective` (discounted): sign x (wtp x (E_s - E_c) - (C_s - C_c)).
[[nodiscard]] std::vector<PairedTerm> net_benefit_terms(const RunResults& run, int strategy, int comparator, int perspective,
                                                        double willingness_to_pay, EffectMeasure measure, double sign = 1.0);

/// Terms of sign x (discounted cost of `strategy` minus that of `comparator`) in `perspective`.
[[nodiscard]] std::vector<PairedTerm> incremental_cost_terms(const RunResults& run, int strategy, int comparator, int perspective,
                                                             double sign = 1.0);

/// Terms of sign x (discounted effect of `strategy` minus that of `comparator`).
[[nodiscard]] std::vector<PairedTerm> incremental_effect_terms(const RunResults& run, int strategy, int comparator, EffectMeasure measure,
                                                               double sign = 1.0);

}  // namespace hemsim
