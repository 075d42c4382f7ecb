// Paired Monte Carlo errors from batch totals shared by runs.

#include "hemsim/paired.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace hemsim {

namespace {

// The run's mean of `value` for `strategy`, as reported (so that paired means equal the
// differences of the printed means).
double mean_of(const RunResults& run, int strategy, int value) {
  const StrategyOutcomes& o = run.strategies.at(static_cast<std::size_t>(strategy));
  const int P = static_cast<int>(run.perspectives.size());
  if (value < 2 * P) {
    const auto& c = o.costs_by_perspective.at(static_cast<std::size_t>(value % P));
    return value < P ? c.discounted.mean : c.undiscounted.mean;
  }
  switch (value - 2 * P) {
    case 0:
      return o.qalys.discounted.mean;
    case 1:
      return o.qalys.undiscounted.mean;
    case 2:
      return o.life_years.discounted.mean;
    case 3:
      return o.life_years.undiscounted.mean;
    default:
      throw std::invalid_argument("paired_estimate: no such value index");
  }
}

bool is_microsimulation(const RunResults& run) { return !run.batches.counts.empty(); }

}  // namespace

// Each group is summed on its own before the groups are added, so that a group and its
// negation (the same run twice) cancel exactly.
Estimate paired_estimate(const std::vector<std::vector<PairedTerm>>& groups) {
  Estimate e;
  const BatchSums* layout = nullptr;
  std::uint64_t seed = 0;
  for (const auto& terms : groups) {
    double group_mean = 0.0;
    for (const PairedTerm& t : terms) {
      if (!t.run) throw std::invalid_argument("paired_estimate: a term names no run");
      group_mean += t.weight * mean_of(*t.run, t.strategy, t.value);
      if (!is_microsimulation(*t.run)) continue;
      const BatchSums& b = t.run->batches;
      if (!layout) {
        layout = &b;
        seed = t.run->seed;
      } else if (b.counts != layout->counts || b.batch_size != layout->batch_size || t.run->seed != seed) {
        throw std::invalid_argument("paired_estimate: runs differ in seed or individuals, so they cannot be paired");
      }
    }
    e.mean += group_mean;
  }
  if (!layout) return e;
  const std::size_t B = layout->batches();
  if (B < 2) {
    e.mcse = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  // Batch totals of the combination and their cluster variance around the overall mean.
  std::vector<double> totals(B, 0.0);
  double n = 0.0, grand = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    for (const auto& terms : groups) {
      double group_total = 0.0;
      for (const PairedTerm& t : terms)
        if (is_microsimulation(*t.run)) group_total += t.weight * t.run->batches.sum(b, t.strategy, t.value);
      totals[b] += group_total;
    }
    n += layout->counts[b];
    grand += totals[b];
  }
  const double mean = grand / n;
  double squares = 0.0;
  for (std::size_t b = 0; b < B; ++b) {
    const double d = totals[b] - layout->counts[b] * mean;
    squares += d * d;
  }
  e.mcse = std::sqrt(static_cast<double>(B) / static_cast<double>(B - 1) * squares) / n;
  return e;
}

Estimate paired_estimate(const std::vector<PairedTerm>& terms) { return paired_estimate(std::vector<std::vector<PairedTerm>>{terms}); }

std::vector<PairedTerm> incremental_cost_terms(const RunResults& run, int strategy, int comparator, int perspective, double sign) {
  const int P = static_cast<int>(run.perspectives.size());
  const int v = BatchValue::cost(perspective, true, P);
  return {{&run, strategy, v, sign}, {&run, comparator, v, -sign}};
}

std::vector<PairedTerm> incremental_effect_terms(const RunResults& run, int strategy, int comparator, EffectMeasure measure, double sign) {
  const int P = static_cast<int>(run.perspectives.size());
  const int v = measure == EffectMeasure::qalys ? BatchValue::qalys(true, P) : BatchValue::life_years(true, P);
  return {{&run, strategy, v, sign}, {&run, comparator, v, -sign}};
}

std::vector<PairedTerm> net_benefit_terms(const RunResults& run, int strategy, int comparator, int perspective, double willingness_to_pay,
                                          EffectMeasure measure, double sign) {
  std::vector<PairedTerm> terms = incremental_effect_terms(run, strategy, comparator, measure, sign * willingness_to_pay);
  for (const PairedTerm& t : incremental_cost_terms(run, strategy, comparator, perspective, -sign)) terms.push_back(t);
  return terms;
}

}  // namespace hemsim
