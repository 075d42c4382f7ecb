// Incremental cost-effectiveness tables against answers worked out by hand: dampack's
// HERC example (strong and extended dominance), ties on cost and effect, identical
// strategies, degenerate tables and extended dominance that only shows after a first
// removal. Every expected number below was computed by hand from the inputs.

#include "hemsim/decision.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using hemsim::DominanceStatus;
using hemsim::IncrementalRow;

namespace {

constexpr auto ND = DominanceStatus::non_dominated;
constexpr auto ED = DominanceStatus::extendedly_dominated;
constexpr auto D = DominanceStatus::dominated;

/// A frontier row after the first: compared with `previous`, with its increments.
struct FrontierStep {
  std::string previous;
  double incremental_cost;
  double incremental_effect;
  double icer;
};

void expect_row(const IncrementalRow& row, const std::string& name, double cost, double effect, DominanceStatus status,
                const std::optional<FrontierStep>& step = std::nullopt) {
  SCOPED_TRACE(name);
  EXPECT_EQ(row.strategy, name);
  EXPECT_EQ(row.cost, cost);
  EXPECT_EQ(row.effect, effect);
  EXPECT_EQ(row.status, status);
  if (step) {
    EXPECT_EQ(row.compared_with, step->previous);
    EXPECT_EQ(row.incremental_cost, step->incremental_cost);
    EXPECT_EQ(row.incremental_effect, step->incremental_effect);
    EXPECT_EQ(row.icer, step->icer);
  } else {
    // The first frontier strategy and every dominated one have no comparison.
    EXPECT_FALSE(row.compared_with.has_value());
    EXPECT_FALSE(row.incremental_cost.has_value());
    EXPECT_FALSE(row.incremental_effect.has_value());
    EXPECT_FALSE(row.icer.has_value());
  }
}

}  // namespace

TEST(Decision, DominanceStatusNames) {
  EXPECT_EQ(hemsim::to_string(ND), "ND");
  EXPECT_EQ(hemsim::to_string(D), "D");
  EXPECT_EQ(hemsim::to_string(ED), "ED");
}

// dampack tests/testthat/test_calculate_icers.R, "calculate_icers returns correct object".
TEST(Decision, HercExampleMatchesDampack) {
  const auto t = hemsim::incremental_table({"E", "D", "C", "B", "A", "UC"}, {55000, 35000, 25000, 10000, 12000, 5000},
                                           {5, 4, 3, 2, 1.5, 1});
  EXPECT_TRUE(t.perspective.empty());
  ASSERT_EQ(t.rows.size(), 6U);
  expect_row(t.rows[0], "UC", 5000, 1, ND);
  expect_row(t.rows[1], "B", 10000, 2, ND, FrontierStep{"UC", 5000, 1, 5000});
  expect_row(t.rows[2], "D", 35000, 4, ND, FrontierStep{"B", 25000, 2, 12500});
  expect_row(t.rows[3], "E", 55000, 5, ND, FrontierStep{"D", 20000, 1, 20000});
  // C: 15000 against B, but D is then 10000 against C.
  expect_row(t.rows[4], "C", 25000, 3, ED);
  // A: costs more than B and is less effective.
  expect_row(t.rows[5], "A", 12000, 1.5, D);
}

TEST(Decision, InputOrderDoesNotChangeTheTableWithoutTies) {
  const auto t = hemsim::incremental_table({"A", "UC", "D", "C", "E", "B"}, {12000, 5000, 35000, 25000, 55000, 10000},
                                           {1.5, 1, 4, 3, 5, 2});
  ASSERT_EQ(t.rows.size(), 6U);
  const std::vector<std::string> expected{"UC", "B", "D", "E", "C", "A"};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(t.rows[i].strategy, expected[i]);
  EXPECT_EQ(t.rows[2].icer, 12500.0);
}

TEST(Decision, TieOnCostKeepsTheMoreEffective) {
  // X and Y cost the same; Y is more effective, so X is dominated. Z vs Y: 200 / 1.
  const auto t = hemsim::incremental_table({"X", "Y", "Z"}, {100, 100, 300}, {1, 2, 3});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "Y", 100, 2, ND);
  expect_row(t.rows[1], "Z", 300, 3, ND, FrontierStep{"Y", 200, 1, 200});
  expect_row(t.rows[2], "X", 100, 1, D);
}

TEST(Decision, TieOnEffectKeepsTheCheaper) {
  const auto t = hemsim::incremental_table({"P", "Q"}, {50, 40}, {2, 2});
  ASSERT_EQ(t.rows.size(), 2U);
  expect_row(t.rows[0], "Q", 40, 2, ND);
  expect_row(t.rows[1], "P", 50, 2, D);
}

TEST(Decision, IdenticalStrategiesKeepTheFirstListed) {
  // "first" and "copy" are identical; "other" vs the kept one: 10 / 2 = 5.
  auto t = hemsim::incremental_table({"first", "copy", "other"}, {10, 10, 20}, {1, 1, 3});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "first", 10, 1, ND);
  expect_row(t.rows[1], "other", 20, 3, ND, FrontierStep{"first", 10, 2, 5});
  expect_row(t.rows[2], "copy", 10, 1, D);

  // Listed the other way round, the other copy is kept.
  t = hemsim::incremental_table({"copy", "first", "other"}, {10, 10, 20}, {1, 1, 3});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "copy", 10, 1, ND);
  expect_row(t.rows[1], "other", 20, 3, ND, FrontierStep{"copy", 10, 2, 5});
  expect_row(t.rows[2], "first", 10, 1, D);

  // Identical strategies that are both dominated stay in input order among the D rows.
  t = hemsim::incremental_table({"twin1", "best", "twin2"}, {20, 10, 20}, {1, 2, 1});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "best", 10, 2, ND);
  expect_row(t.rows[1], "twin1", 20, 1, D);
  expect_row(t.rows[2], "twin2", 20, 1, D);
}

TEST(Decision, SingleStrategy) {
  const auto t = hemsim::incremental_table({"only"}, {10}, {1});
  ASSERT_EQ(t.rows.size(), 1U);
  expect_row(t.rows[0], "only", 10, 1, ND);
}

TEST(Decision, EverythingDominatedByOne) {
  // "best" is cheapest (tied with d) and most effective. Dominated rows by increasing
  // cost: d (10), c (20), a (30).
  const auto t = hemsim::incremental_table({"a", "best", "c", "d"}, {30, 10, 20, 10}, {1, 5, 2, 4});
  ASSERT_EQ(t.rows.size(), 4U);
  expect_row(t.rows[0], "best", 10, 5, ND);
  expect_row(t.rows[1], "d", 10, 4, D);
  expect_row(t.rows[2], "c", 20, 2, D);
  expect_row(t.rows[3], "a", 30, 1, D);
}

TEST(Decision, DominatedRowsAreOrderedByCostThenEffect) {
  // F dominates all others. Among the dominated: cost 20 before 30; at cost 30 the more
  // effective (G, 3) before H (2).
  const auto t = hemsim::incremental_table({"H", "F", "G", "K"}, {30, 5, 30, 20}, {2, 10, 3, 1});
  ASSERT_EQ(t.rows.size(), 4U);
  expect_row(t.rows[0], "F", 5, 10, ND);
  expect_row(t.rows[1], "K", 20, 1, D);
  expect_row(t.rows[2], "G", 30, 3, D);
  expect_row(t.rows[3], "H", 30, 2, D);
}

TEST(Decision, ExtendedDominanceRevealedOnlyAfterAFirstRemoval) {
  // Round 1, ICERs along A B C D E: 20, 10, 12, 29 -> B is extendedly dominated (20 > 10).
  // Round 2, A C D E: C vs A = 30 / 2 = 15, D 12, E 29 -> C is (15 > 12).
  // Round 3, A D E: D vs A = 42 / 3 = 14, E vs D = 58 / 2 = 29: increasing, done.
  const auto t = hemsim::incremental_table({"A", "B", "C", "D", "E"}, {0, 20, 30, 42, 100}, {0, 1, 2, 3, 5});
  ASSERT_EQ(t.rows.size(), 5U);
  expect_row(t.rows[0], "A", 0, 0, ND);
  expect_row(t.rows[1], "D", 42, 3, ND, FrontierStep{"A", 42, 3, 14});
  expect_row(t.rows[2], "E", 100, 5, ND, FrontierStep{"D", 58, 2, 29});
  expect_row(t.rows[3], "B", 20, 1, ED);
  expect_row(t.rows[4], "C", 30, 2, ED);
}

TEST(Decision, SeveralExtendedlyDominatedInOneRound) {
  // ICERs 1, 4, 3, 2: C (4 > 3) and D (3 > 2). Then A B E: E vs B = 9 / 3 = 3.
  const auto t = hemsim::incremental_table({"A", "B", "C", "D", "E"}, {0, 1, 5, 8, 10}, {0, 1, 2, 3, 4});
  ASSERT_EQ(t.rows.size(), 5U);
  expect_row(t.rows[0], "A", 0, 0, ND);
  expect_row(t.rows[1], "B", 1, 1, ND, FrontierStep{"A", 1, 1, 1});
  expect_row(t.rows[2], "E", 10, 4, ND, FrontierStep{"B", 9, 3, 3});
  expect_row(t.rows[3], "C", 5, 2, ED);
  expect_row(t.rows[4], "D", 8, 3, ED);
}

TEST(Decision, StrongAndExtendedDominanceTogether) {
  // D (40, 15) costs more than C (25, 15) for the same effect: dominated. Among A B C E
  // the ICERs are 1, 3, 5: all on the frontier.
  const auto t = hemsim::incremental_table({"A", "B", "C", "D", "E"}, {0, 10, 25, 40, 50}, {0, 10, 15, 15, 20});
  ASSERT_EQ(t.rows.size(), 5U);
  expect_row(t.rows[0], "A", 0, 0, ND);
  expect_row(t.rows[1], "B", 10, 10, ND, FrontierStep{"A", 10, 10, 1});
  expect_row(t.rows[2], "C", 25, 15, ND, FrontierStep{"B", 15, 5, 3});
  expect_row(t.rows[3], "E", 50, 20, ND, FrontierStep{"C", 25, 5, 5});
  expect_row(t.rows[4], "D", 40, 15, D);
}

TEST(Decision, EqualIcersStayOnTheFrontier) {
  // Collinear: B and C both cost 10 per unit of effect. dampack flags extended dominance
  // only for a strictly larger ICER, so all three are non-dominated.
  const auto t = hemsim::incremental_table({"A", "B", "C"}, {0, 10, 20}, {0, 1, 2});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "A", 0, 0, ND);
  expect_row(t.rows[1], "B", 10, 1, ND, FrontierStep{"A", 10, 1, 10});
  expect_row(t.rows[2], "C", 20, 2, ND, FrontierStep{"B", 10, 1, 10});
}

TEST(Decision, CostSavingStrategies) {
  // Negative costs (savings) and effects are ordinary numbers: S saves 100 and gains 1
  // over R, so R is dominated; T vs S: 300 / 2 = 150.
  const auto t = hemsim::incremental_table({"R", "S", "T"}, {0, -100, 200}, {-1, 0, 2});
  ASSERT_EQ(t.rows.size(), 3U);
  expect_row(t.rows[0], "S", -100, 0, ND);
  expect_row(t.rows[1], "T", 200, 2, ND, FrontierStep{"S", 300, 2, 150});
  expect_row(t.rows[2], "R", 0, -1, D);
}

TEST(Decision, EmptyInputGivesAnEmptyTable) {
  EXPECT_TRUE(hemsim::incremental_table({}, {}, {}).rows.empty());
}

TEST(Decision, RejectsBadInput) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW((void)hemsim::incremental_table({"a", "b"}, {1}, {1, 2}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a", "b"}, {1, 2}, {1}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a"}, {1, 2}, {1, 2}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a", "b"}, {1, nan}, {1, 2}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a", "b"}, {1, 2}, {inf, 2}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a"}, {-inf}, {1}), std::invalid_argument);
}

TEST(Decision, NetBenefit) {
  EXPECT_EQ(hemsim::net_monetary_benefit(1000, 2, 50000), 99000);
  EXPECT_DOUBLE_EQ(hemsim::net_health_benefit(1000, 2, 50000), 1.98);
}

TEST(Decision, DominatedRowsNameWhatDominatesThem) {
  const auto t = hemsim::incremental_table({"E", "D", "C", "B", "A", "UC"}, {55000, 35000, 25000, 10000, 12000, 5000},
                                           {5, 4, 3, 2, 1.5, 1});
  for (std::size_t i = 0; i < 4; ++i) EXPECT_TRUE(t.rows[i].dominated_by.empty()) << t.rows[i].strategy;
  // C (effect 3) lies between frontier B (2) and D (4): half of each gives effect 3 for
  // 22500 < 25000.
  EXPECT_EQ(t.rows[4].dominated_by, (std::vector<std::string>{"B", "D"}));
  // A (12000, 1.5) against B (10000, 2).
  EXPECT_EQ(t.rows[5].dominated_by, (std::vector<std::string>{"B"}));
}

TEST(Decision, StrongDominanceNamesAnUndominatedDominator) {
  // Z is dominated by both X and Y, but Y is itself dominated by X: Z names X.
  const auto t = hemsim::incremental_table({"Z", "Y", "X"}, {30, 20, 10}, {3, 4, 5});
  ASSERT_EQ(t.rows.size(), 3U);
  EXPECT_EQ(t.rows[1].strategy, "Y");
  EXPECT_EQ(t.rows[1].dominated_by, (std::vector<std::string>{"X"}));
  EXPECT_EQ(t.rows[2].strategy, "Z");
  EXPECT_EQ(t.rows[2].dominated_by, (std::vector<std::string>{"X"}));
  // Identical strategies: the later one is dominated by the first listed.
  const auto twins = hemsim::incremental_table({"first", "copy"}, {10, 10}, {1, 1});
  EXPECT_EQ(twins.rows[1].dominated_by, (std::vector<std::string>{"first"}));
}

TEST(Decision, CollinearUpToRoundingStaysOnTheFrontier) {
  // In exact arithmetic B lies on the line from A to C (ICERs 0.3 and 0.3); in doubles
  // 0.1 + 0.2 gives ICERs 0.30000000000000004 and 0.29999999999999993, a "fall" that is
  // only rounding. Within kDecisionRelativeTolerance they are equal: B stays.
  const double b_cost = 0.1 + 0.2;
  ASSERT_GT(b_cost / 1, (0.6 - b_cost) / 1) << "the doubles do fall";
  auto t = hemsim::incremental_table({"A", "B", "C"}, {0, b_cost, 0.6}, {0, 1, 2});
  EXPECT_EQ(t.rows[1].strategy, "B");
  EXPECT_EQ(t.rows[1].status, ND);
  // A real fall, a millionth of the ICER, is extended dominance.
  t = hemsim::incremental_table({"A", "B", "C"}, {0, 0.3, 0.6 - 0.3e-6}, {0, 1, 2});
  EXPECT_EQ(t.rows[2].strategy, "B");
  EXPECT_EQ(t.rows[2].status, ED);
}

TEST(Decision, EqualUpToRoundingCostsAndEffectsAreTies) {
  // P costs 0.1 + 0.2, Q costs 0.3: equal within the tolerance, so Q, listed second and
  // no more effective, is dominated by P rather than P by Q through the last bit.
  const auto t = hemsim::incremental_table({"P", "Q"}, {0.1 + 0.2, 0.3}, {1, 1});
  EXPECT_EQ(t.rows[0].strategy, "P");
  EXPECT_EQ(t.rows[1].strategy, "Q");
  EXPECT_EQ(t.rows[1].status, D);
  EXPECT_EQ(hemsim::kDecisionRelativeTolerance, 1e-9);
}
