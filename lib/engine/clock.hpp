#pragma once
// The clocks that decide the competing groups of a transition (docs/methods.md, "Aligned
// random numbers"): the individual's death clock and event clocks, and each stay's clock
// for its moves. A clock holds one uniform u per arrival and the product of the
// probabilities that its group was not chosen in the cycles since the last arrival; the
// group is chosen in the first cycle in which that product is no longer above u. That is
// a unit-rate Poisson clock in cumulative hazard -ln(product) against the arrival -ln u,
// counted in probabilities so that it needs no logarithm: given the past, the group is
// chosen with its probability in each cycle, and two strategies that expose an individual
// to the same probabilities choose it for the same individuals, in whatever cycles they
// come; more risk only brings it forward.

#include <cmath>
#include <cstdint>

namespace hemsim::detail {

struct Clock {
  static constexpr double kUnarmed = 2.0;  ///< u before it is drawn: above any product
  double u = kUnarmed;    ///< the next arrival's uniform
  double product = 1.0;   ///< of the probabilities of not being chosen since the last arrival (or the start)
  std::uint32_t occurrences = 0;  ///< deaths and events: arrivals so far
};

/// Whether the clock arrives in a cycle in which its group is not chosen with probability
/// `not_chosen` (then the group is chosen); if it does not, the product takes the cycle.
inline bool arrives(Clock& clock, double not_chosen) {
  const double next = clock.product * not_chosen;
  if (next > clock.u) {
    clock.product = next;
    return false;
  }
  return true;
}

/// The uniform of the cycle in which a death or event clock arrives, for a group of
/// probability q: given the past, u / product (product: before this cycle) is uniform on
/// [1 - q, 1), so 1 - u / product is uniform below q and picks the outcome within the
/// group as a plain uniform would.
inline double arrival_uniform(const Clock& clock, double q) {
  const double v = 1.0 - clock.u / clock.product;
  return v < q ? v : std::nextafter(q, 0.0);  // rounding: keep it below q
}

/// The uniform of the cycle in which a stay's clock arrives (the individual leaves), for
/// moves whose first outcome is staying with probability `stay` (0 when every move
/// leaves): the arrival uniform below 1 - stay, placed after `stay`, so it falls among the
/// moves that leave in proportion to their probabilities.
inline double leave_uniform(double stay, const Clock& clock) {
  const double u = stay + (1.0 - clock.u / clock.product);
  return u < 1.0 ? u : std::nextafter(1.0, 0.0);  // rounding: keep it below the last threshold
}

}  // namespace hemsim::detail
