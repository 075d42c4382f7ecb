// Incremental cost-effectiveness tables against answers worked out by hand, including
// dampack's HERC example (strong and extended dominance), ties and degenerate cases.

#include "hemsim/decision.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

using hemsim::DominanceStatus;

namespace {

void expect_row(const hemsim::IncrementalRow& row, const std::string& name, DominanceStatus status) {
  EXPECT_EQ(row.strategy, name);
  EXPECT_EQ(row.status, status) << name;
}

}  // namespace

TEST(Decision, HercExampleMatchesDampack) {
  const auto t = hemsim::incremental_table({"E", "D", "C", "B", "A", "UC"}, {55000, 35000, 25000, 10000, 12000, 5000},
                                           {5, 4, 3, 2, 1.5, 1});
  ASSERT_EQ(t.rows.size(), 6U);
  expect_row(t.rows[0], "UC", DominanceStatus::non_dominated);
  expect_row(t.rows[1], "B", DominanceStatus::non_dominated);
  expect_row(t.rows[2], "D", DominanceStatus::non_dominated);
  expect_row(t.rows[3], "E", DominanceStatus::non_dominated);
  expect_row(t.rows[4], "C", DominanceStatus::extendedly_dominated);
  expect_row(t.rows[5], "A", DominanceStatus::dominated);
  EXPECT_FALSE(t.rows[0].icer.has_value());
  EXPECT_EQ(*t.rows[1].incremental_cost, 5000);
  EXPECT_EQ(*t.rows[1].incremental_effect, 1);
  EXPECT_EQ(*t.rows[1].icer, 5000);
  EXPECT_EQ(*t.rows[2].incremental_cost, 25000);
  EXPECT_EQ(*t.rows[2].incremental_effect, 2);
  EXPECT_EQ(*t.rows[2].icer, 12500);
  EXPECT_EQ(*t.rows[3].icer, 20000);
  EXPECT_EQ(*t.rows[3].compared_with, "D");
  EXPECT_FALSE(t.rows[4].icer.has_value());
  EXPECT_FALSE(t.rows[5].icer.has_value());
}

TEST(Decision, TiesAndIdenticalStrategies) {
  // Same cost: the more effective one dominates. Identical: the first listed is kept.
  auto t = hemsim::incremental_table({"X", "Y", "Z", "Z2"}, {100, 100, 300, 300}, {1, 2, 3, 3});
  expect_row(t.rows[0], "Y", DominanceStatus::non_dominated);
  expect_row(t.rows[1], "Z", DominanceStatus::non_dominated);
  EXPECT_DOUBLE_EQ(*t.rows[1].icer, 200.0);
  expect_row(t.rows[2], "X", DominanceStatus::dominated);
  expect_row(t.rows[3], "Z2", DominanceStatus::dominated);
  // Same effect: the cheaper one dominates.
  t = hemsim::incremental_table({"P", "Q"}, {50, 40}, {2, 2});
  expect_row(t.rows[0], "Q", DominanceStatus::non_dominated);
  expect_row(t.rows[1], "P", DominanceStatus::dominated);
}

TEST(Decision, SingleStrategyAndAllDominatedByOne) {
  auto t = hemsim::incremental_table({"only"}, {10}, {1});
  ASSERT_EQ(t.rows.size(), 1U);
  expect_row(t.rows[0], "only", DominanceStatus::non_dominated);
  EXPECT_FALSE(t.rows[0].icer.has_value());
  t = hemsim::incremental_table({"a", "best", "c"}, {30, 10, 20}, {1, 5, 2});
  expect_row(t.rows[0], "best", DominanceStatus::non_dominated);
  expect_row(t.rows[1], "c", DominanceStatus::dominated);
  expect_row(t.rows[2], "a", DominanceStatus::dominated);
}

TEST(Decision, DominanceAfterSortingAndTwoRoundsOfExtendedDominance) {
  const auto t = hemsim::incremental_table({"A", "B", "C", "D", "E"}, {0, 10, 25, 40, 50}, {0, 10, 15, 13.5 + 1.5, 20});
  // Frontier by hand: A(0,0), B(10,10): 1; C(25,15): 3; D(40,15) is dominated by C (more cost, same effect);
  // E(50,20): vs C 25/5 = 5 -> frontier A, B, C, E with ICERs 1, 3, 5.
  expect_row(t.rows[0], "A", DominanceStatus::non_dominated);
  expect_row(t.rows[1], "B", DominanceStatus::non_dominated);
  expect_row(t.rows[2], "C", DominanceStatus::non_dominated);
  expect_row(t.rows[3], "E", DominanceStatus::non_dominated);
  expect_row(t.rows[4], "D", DominanceStatus::dominated);
  EXPECT_DOUBLE_EQ(*t.rows[3].icer, 5.0);

  // Two rounds of extended dominance: ICERs 1, 4, 3, 2 -> drop C (4 > 3), then D (3.5 > 2).
  const auto u = hemsim::incremental_table({"A", "B", "C", "D", "E"}, {0, 1, 5, 8, 10}, {0, 1, 2, 3, 4});
  expect_row(u.rows[0], "A", DominanceStatus::non_dominated);
  expect_row(u.rows[1], "B", DominanceStatus::non_dominated);
  expect_row(u.rows[2], "E", DominanceStatus::non_dominated);
  EXPECT_DOUBLE_EQ(*u.rows[2].icer, 3.0);  // (10 - 1) / (4 - 1)
  expect_row(u.rows[3], "C", DominanceStatus::extendedly_dominated);
  expect_row(u.rows[4], "D", DominanceStatus::extendedly_dominated);
}

TEST(Decision, RejectsBadInput) {
  EXPECT_THROW((void)hemsim::incremental_table({"a", "b"}, {1}, {1, 2}), std::invalid_argument);
  EXPECT_THROW((void)hemsim::incremental_table({"a"}, {NAN}, {1}), std::invalid_argument);
  EXPECT_DOUBLE_EQ(hemsim::net_monetary_benefit(1000, 2, 50000), 99000);
  EXPECT_DOUBLE_EQ(hemsim::net_health_benefit(1000, 2, 50000), 1.98);
}
