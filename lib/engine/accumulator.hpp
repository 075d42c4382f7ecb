#pragma once
// Sums over individuals (or cohort expectations) from which results are finalised.
// Joined in a fixed order, so the totals do not depend on the number of threads.

#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/compiled_model.hpp"
#include "hemsim/results.hpp"

namespace hemsim::detail {

/// Outputs also kept by model year: costs by category (discounted, undiscounted), QALYs
/// and life-years (discounted, undiscounted), which are the first entries of the
/// per-individual output vector (OutputLayout), in that order.
inline int yearly_outputs(const OutputLayout& L) { return 2 * L.categories + 4; }

/// Model year (0-based) of point t = 0..T + 1: a cycle belongs to the year in which it
/// starts, point t is the start of cycle t, and points T and T + 1 (the end of the
/// horizon) belong to the last cycle's year.
inline int year_of_point(const CompiledModelData& m, int t) {
  const int cycle = std::max(0, std::min(t, m.cycles - 1));
  return static_cast<int>(std::floor(cycle * m.scenario.settings.cycle_length_years + 1e-9));
}
inline int model_years(const CompiledModelData& m) { return year_of_point(m, m.cycles) + 1; }

struct Accumulator {
  int strategies = 0, outputs = 0, increments = 0, points = 0, states = 0, events = 0;
  double individuals = 0;
  std::vector<double> sum, sum_of_squares;                   ///< strategies x outputs
  std::vector<double> increment_sum, increment_sum_of_squares;///< strategies x increments
  std::vector<double> trace;                                  ///< strategies x points x states (cohort)
  std::vector<double> trace_changes;                             ///< strategies x (points + 1) x states: +1 on entry, -1 on exit (microsimulation)
  std::vector<double> first_event;                            ///< strategies x events x points
  BatchSums batches;                                          ///< microsimulation: per-block totals
  int years = 0, yearly = 0;
  std::vector<double> by_year;  ///< strategies x years x yearly outputs (not in the microsimulation's per-thread counts)

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
        first_event(per_point != PerPoint::none ? static_cast<std::size_t>(strategies) * static_cast<std::size_t>(events * points) : 0, 0.0),
        years(model_years(m)),
        yearly(yearly_outputs(m.layout)),
        by_year(per_point != PerPoint::microsimulation_counts ? static_cast<std::size_t>(strategies * years * yearly) : 0, 0.0) {}

  double* trace_row(int k, int t) { return &trace[(static_cast<std::size_t>(k) * points + static_cast<std::size_t>(t)) * states]; }
  double* trace_change_row(int k, int t) { return &trace_changes[(static_cast<std::size_t>(k) * (points + 1) + static_cast<std::size_t>(t)) * states]; }
  double* first_event_row(int k, int e) { return &first_event[(static_cast<std::size_t>(k) * events + static_cast<std::size_t>(e)) * points]; }
  double* year_row(int k, int y) { return &by_year[(static_cast<std::size_t>(k) * static_cast<std::size_t>(years) + static_cast<std::size_t>(y)) * static_cast<std::size_t>(yearly)]; }

  /// Zeros the per-individual sums (individuals, sums, sums of squares, increments).
  void clear_sums() {
    individuals = 0;
    for (auto* v : {&sum, &sum_of_squares, &increment_sum, &increment_sum_of_squares}) std::fill(v->begin(), v->end(), 0.0);
  }
  /// Adds another accumulator's per-individual sums.
  void add_sums(const Accumulator& other) {
    individuals += other.individuals;
    add(sum, other.sum);
    add(sum_of_squares, other.sum_of_squares);
    add(increment_sum, other.increment_sum);
    add(increment_sum_of_squares, other.increment_sum_of_squares);
  }

  void join(const Accumulator& other) {
    add_sums(other);
    add(trace, other.trace);
    add(trace_changes, other.trace_changes);
    add(first_event, other.first_event);
    add(by_year, other.by_year);
  }

 private:
  static void add(std::vector<double>& a, const std::vector<double>& b) {  // same PerPoint: same sizes
    for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  }
};

/// One category's part of a perspective's costs (a derived output): output positions.
struct PerspectiveTerm {
  int discounted, undiscounted;                    ///< the perspective's costs
  int category_discounted, category_undiscounted;  ///< the category's
};

/// Every perspective's categories, perspective by perspective, in category order.
inline std::vector<PerspectiveTerm> perspective_terms(const CompiledModelData& m) {
  const OutputLayout& L = m.layout;
  std::vector<PerspectiveTerm> terms;
  for (int p = 0; p < L.perspectives; ++p)
    for (int c : m.perspective_categories[static_cast<std::size_t>(p)])
      terms.push_back({L.perspective_discounted(p), L.perspective_undiscounted(p), L.cost_discounted(c), L.cost_undiscounted(c)});
  return terms;
}

/// Adds the derived outputs (costs by perspective: the sums of their categories' costs)
/// to a per-individual output vector in which they are still 0.
inline void finish_outputs(const std::vector<PerspectiveTerm>& terms, double* out) {
  for (const PerspectiveTerm& term : terms) {
    out[term.discounted] += out[term.category_discounted];
    out[term.undiscounted] += out[term.category_undiscounted];
  }
}

/// The positions in the output vector of the paired quantities (increments, batch
/// totals), in BatchValue order: costs by perspective discounted and undiscounted, QALYs
/// and life-years discounted and undiscounted.
inline std::vector<int> paired_outputs(const OutputLayout& L) {
  std::vector<int> positions;
  for (int p = 0; p < L.perspectives; ++p) positions.push_back(L.perspective_discounted(p));
  for (int p = 0; p < L.perspectives; ++p) positions.push_back(L.perspective_undiscounted(p));
  for (int v : {L.qalys_discounted(), L.qalys_undiscounted(), L.life_years_discounted(), L.life_years_undiscounted()}) positions.push_back(v);
  return positions;
}

Accumulator run_microsimulation(const CompiledModelData& m, std::uint64_t individuals, std::uint64_t seed,
                                std::uint32_t draw, const std::function<void(double)>& progress,
                                const std::function<bool()>& cancelled);
Accumulator run_cohort(const CompiledModelData& m);

/// Adds to `acc.by_year` what the microsimulation pays outside its cycle loop: the static
/// state rewards (paid per stay through prefix sums) valued from the whole-number trace
/// counts, life-years by survival, and one-time costs (lib/engine/by_year.cpp).
void add_microsimulation_by_year_from_counts(const CompiledModelData& m, Accumulator& acc);

}  // namespace hemsim::detail
