// The clocks of lib/engine/clock.hpp, against exact probabilities: over a fine grid of
// arrival uniforms, a clock whose group is not chosen with probabilities s_1, s_2, ...
// arrives in cycle t for the share s_1 ... s_(t-1) (1 - s_t) of the grid, and the
// uniform it gives then is uniform below the group's probability.

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "engine/clock.hpp"

namespace {

using hemsim::detail::Clock;

constexpr int kGrid = 200000;
constexpr std::array<double, 6> kNotChosen = {0.9, 0.7, 1.0, 0.95, 0.5, 0.0};  // the last cycle is certain

// The cycle in which a clock with arrival uniform u arrives, and its arrival uniform.
std::pair<std::size_t, double> arrival(double u) {
  Clock clock;
  clock.u = u;
  for (std::size_t t = 0;; ++t)
    if (hemsim::detail::arrives(clock, kNotChosen[t])) return {t, hemsim::detail::arrival_uniform(clock, 1.0 - kNotChosen[t])};
}

TEST(Clock, ArrivesInEachCycleWithTheGroupsProbabilityGivenThePast) {
  std::vector<double> share(kNotChosen.size(), 0.0);
  for (int g = 0; g < kGrid; ++g) share[arrival((g + 0.5) / kGrid).first] += 1.0 / kGrid;
  double survival = 1.0;
  for (std::size_t t = 0; t < kNotChosen.size(); ++t) {
    EXPECT_NEAR(share[t], survival * (1.0 - kNotChosen[t]), 2.0 / kGrid) << t;
    survival *= kNotChosen[t];
  }
  EXPECT_EQ(share[2], 0.0);  // a cycle in which the group cannot happen
}

TEST(Clock, ItsArrivalUniformIsUniformBelowTheGroupsProbability) {
  // Cycle 1 (probability 0.3): a quarter of its arrivals below 0.075, a half below 0.15.
  double arrived = 0, below_quarter = 0, below_half = 0;
  for (int g = 0; g < kGrid; ++g) {
    const auto [t, v] = arrival((g + 0.5) / kGrid);
    if (t != 1) continue;
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 0.3);
    arrived += 1;
    below_quarter += v < 0.075 ? 1 : 0;
    below_half += v < 0.15 ? 1 : 0;
  }
  EXPECT_NEAR(below_quarter / arrived, 0.25, 1e-3);
  EXPECT_NEAR(below_half / arrived, 0.5, 1e-3);
}

TEST(Clock, MoreRiskInEveryCycleNeverDelaysTheArrival) {
  for (int g = 0; g < kGrid; g += 7) {
    const double u = (g + 0.5) / kGrid;
    Clock low, high;
    low.u = high.u = u;
    std::size_t t_low = 0, t_high = 0;
    while (!hemsim::detail::arrives(low, 0.9)) ++t_low;
    while (!hemsim::detail::arrives(high, 0.89)) ++t_high;
    ASSERT_LE(t_high, t_low) << u;
  }
}

TEST(Clock, TheLeaveUniformFallsAmongTheMovesThatLeave) {
  // Staying 0.6: a clock that arrives gives uniforms in [0.6, 1), in proportion.
  double arrived = 0, below = 0;
  for (int g = 0; g < kGrid; ++g) {
    Clock clock;
    clock.u = (g + 0.5) / kGrid;
    if (!hemsim::detail::arrives(clock, 0.6)) continue;
    const double v = hemsim::detail::leave_uniform(0.6, clock);
    ASSERT_GE(v, 0.6);
    ASSERT_LT(v, 1.0);
    arrived += 1;
    below += v < 0.7 ? 1 : 0;  // the first of the moves that leave, probability 0.1 of 0.4
  }
  EXPECT_NEAR(arrived / kGrid, 0.4, 1e-4);
  EXPECT_NEAR(below / arrived, 0.25, 1e-3);
}

}  // namespace
