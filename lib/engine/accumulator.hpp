#pragma once
// Sums over individuals (or cohort expectations) from which results are finalised.
// Joined in a fixed order, so the totals do not depend on the number of threads.

#include <vector>

#include "engine/compiled_model.hpp"
#include "hemsim/results.hpp"

namespace hemsim::detail {

struct Accumulator {
  int strategies = 0, outputs = 0, increments = 0, points = 0, states = 0, events = 0;
  double individuals = 0;
  std::vector<double> sum, sum_of_squares;                   ///< strategies x outputs
  std::vector<double> increment_sum, increment_sum_of_squares;///< strategies x increments
  std::vector<double> trace;                                  ///< strategies x points x states (cohort)
  std::vector<double> trace_changes;                             ///< strategies x (points + 1) x states: +1 on entry, -1 on exit (microsimulation)
  std::vector<double> first_event;                            ///< strategies x events x points
  BatchSums batches;                                          ///< microsimulation: per-block totals

  /// Which per-point arrays (strategies x points) an accumulator holds: none for the
  /// microsimulation's per-block sums; the trace changes and first events for its
  /// per-thread counts (whole numbers, so their sums do not depend on the order of
  /// addition, and per-block copies would cost a page-faulting allocation per block); the
  /// trace and first events for the cohort. The others stay empty.
  enum class PerPoint { none, microsimulation_counts, cohort };

  Accumulator(const CompiledModelData& m, PerPoint per_point)
      : strategies(static_cast<int>(m.strategies.size())),
        outputs(m.layout.size()),
        increments(m.layout.increment_size()),
        points(m.cycles + 1),
        states(m.layout.states),
        events(m.layout.events),
        sum(static_cast<std::size_t>(strategies * outputs), 0.0),
        sum_of_squares(sum.size(), 0.0),
        increment_sum(static_cast<std::size_t>(strategies * increments), 0.0),
        increment_sum_of_squares(increment_sum.size(), 0.0),
        trace(per_point == PerPoint::cohort ? static_cast<std::size_t>(strategies) * static_cast<std::size_t>(points * states) : 0, 0.0),
        trace_changes(per_point == PerPoint::microsimulation_counts
                          ? static_cast<std::size_t>(strategies) * static_cast<std::size_t>((points + 1) * states)
                          : 0,
                      0.0),
        first_event(per_point != PerPoint::none ? static_cast<std::size_t>(strategies) * static_cast<std::size_t>(events * points) : 0, 0.0) {}

  double* trace_row(int k, int t) { return &trace[(static_cast<std::size_t>(k) * points + static_cast<std::size_t>(t)) * states]; }
  double* trace_change_row(int k, int t) { return &trace_changes[(static_cast<std::size_t>(k) * (points + 1) + static_cast<std::size_t>(t)) * states]; }
  double* first_event_row(int k, int e) { return &first_event[(static_cast<std::size_t>(k) * events + static_cast<std::size_t>(e)) * points]; }

  void join(const Accumulator& other) {
    individuals += other.individuals;
    add(sum, other.sum);
    add(sum_of_squares, other.sum_of_squares);
    add(increment_sum, other.increment_sum);
    add(increment_sum_of_squares, other.increment_sum_of_squares);
    add(trace, other.trace);
    add(trace_changes, other.trace_changes);
    add(first_event, other.first_event);
  }

 private:
  static void add(std::vector<double>& a, const std::vector<double>& b) {  // same PerPoint: same sizes
    for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  }
};

/// Adds derived outputs (costs by perspective) to a per-individual output vector.
inline void finish_outputs(const CompiledModelData& m, double* out) {
  const OutputLayout& L = m.layout;
  for (int p = 0; p < L.perspectives; ++p) {
    double disc = 0, undisc = 0;
    for (int c : m.perspective_categories[static_cast<std::size_t>(p)]) {
      disc += out[L.cost_discounted(c)];
      undisc += out[L.cost_undiscounted(c)];
    }
    out[L.perspective_discounted(p)] = disc;
    out[L.perspective_undiscounted(p)] = undisc;
  }
}

/// The values of one output vector kept per batch (BatchValue order: costs by perspective
/// discounted and undiscounted, QALYs and life-years discounted and undiscounted).
inline void batch_values(const OutputLayout& L, const double* out, double* batch) {
  int i = 0;
  for (int p = 0; p < L.perspectives; ++p) batch[i++] += out[L.perspective_discounted(p)];
  for (int p = 0; p < L.perspectives; ++p) batch[i++] += out[L.perspective_undiscounted(p)];
  batch[i++] += out[L.qalys_discounted()];
  batch[i++] += out[L.qalys_undiscounted()];
  batch[i++] += out[L.life_years_discounted()];
  batch[i++] += out[L.life_years_undiscounted()];
}

/// The paired-difference quantities (strategy minus reference) of one output vector.
inline void increment_values(const OutputLayout& L, const double* out, const double* reference, double* diff) {
  int i = 0;
  for (int p = 0; p < L.perspectives; ++p) diff[i++] = out[L.perspective_discounted(p)] - reference[L.perspective_discounted(p)];
  for (int p = 0; p < L.perspectives; ++p) diff[i++] = out[L.perspective_undiscounted(p)] - reference[L.perspective_undiscounted(p)];
  diff[i++] = out[L.qalys_discounted()] - reference[L.qalys_discounted()];
  diff[i++] = out[L.qalys_undiscounted()] - reference[L.qalys_undiscounted()];
  diff[i++] = out[L.life_years_discounted()] - reference[L.life_years_discounted()];
  diff[i++] = out[L.life_years_undiscounted()] - reference[L.life_years_undiscounted()];
}

Accumulator run_microsimulation(const CompiledModelData& m, std::uint64_t individuals, std::uint64_t seed,
                                std::uint32_t draw, const std::function<void(double)>& progress,
                                const std::function<bool()>& cancelled);
Accumulator run_cohort(const CompiledModelData& m);

}  // namespace hemsim::detail
