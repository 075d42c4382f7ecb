#pragma once
// Bit-for-bit comparisons of run results (means and Monte Carlo errors, traces, events,
// costs by year): for tests of results that must not change with threads, strategy
// grouping or the path a model takes through the engine.

#include <gtest/gtest.h>

#include <string>

#include "hemsim/hemsim.hpp"

namespace hemsim_test {

inline void expect_identical(const hemsim::Estimate& a, const hemsim::Estimate& b, const std::string& what) {
  EXPECT_EQ(a.mean, b.mean) << what;
  EXPECT_EQ(a.mcse, b.mcse) << what;
}

inline void expect_identical(const hemsim::DiscountedEstimate& a, const hemsim::DiscountedEstimate& b, const std::string& what) {
  expect_identical(a.discounted, b.discounted, what + " (discounted)");
  expect_identical(a.undiscounted, b.undiscounted, what + " (undiscounted)");
}

inline void expect_identical(const hemsim::DiscountedValue& a, const hemsim::DiscountedValue& b, const std::string& what) {
  EXPECT_EQ(a.discounted, b.discounted) << what;
  EXPECT_EQ(a.undiscounted, b.undiscounted) << what;
}

/// Every output of one strategy.
inline void expect_identical(const hemsim::StrategyOutcomes& x, const hemsim::StrategyOutcomes& y) {
  ASSERT_EQ(x.costs_by_category.size(), y.costs_by_category.size());
  for (std::size_t c = 0; c < x.costs_by_category.size(); ++c)
    expect_identical(x.costs_by_category[c], y.costs_by_category[c], x.name + " cost category " + std::to_string(c));
  ASSERT_EQ(x.costs_by_perspective.size(), y.costs_by_perspective.size());
  for (std::size_t p = 0; p < x.costs_by_perspective.size(); ++p)
    expect_identical(x.costs_by_perspective[p], y.costs_by_perspective[p], x.name + " cost perspective " + std::to_string(p));
  expect_identical(x.qalys, y.qalys, x.name + " QALYs");
  expect_identical(x.life_years, y.life_years, x.name + " life-years");
  ASSERT_EQ(x.years_in_state.size(), y.years_in_state.size());
  for (std::size_t s = 0; s < x.years_in_state.size(); ++s)
    expect_identical(x.years_in_state[s], y.years_in_state[s], x.name + " years in state " + std::to_string(s));
  EXPECT_EQ(x.trace, y.trace) << x.name;
  ASSERT_EQ(x.events.size(), y.events.size());
  for (std::size_t e = 0; e < x.events.size(); ++e) {
    expect_identical(x.events[e].ever, y.events[e].ever, x.name + " event ever");
    expect_identical(x.events[e].count, y.events[e].count, x.name + " event count");
    EXPECT_EQ(x.events[e].cumulative_incidence, y.events[e].cumulative_incidence) << x.name;
  }
  ASSERT_EQ(x.by_year.size(), y.by_year.size());
  for (std::size_t year = 0; year < x.by_year.size(); ++year) {
    const std::string what = x.name + " year " + std::to_string(year + 1);
    const auto& a = x.by_year[year];
    const auto& b = y.by_year[year];
    ASSERT_EQ(a.costs_by_category.size(), b.costs_by_category.size());
    for (std::size_t c = 0; c < a.costs_by_category.size(); ++c) expect_identical(a.costs_by_category[c], b.costs_by_category[c], what + " cost");
    expect_identical(a.qalys, b.qalys, what + " QALYs");
    expect_identical(a.life_years, b.life_years, what + " life-years");
  }
}

/// Every strategy, increment and incremental table of two runs.
inline void expect_identical(const hemsim::RunResults& a, const hemsim::RunResults& b) {
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t k = 0; k < a.strategies.size(); ++k) expect_identical(a.strategies[k], b.strategies[k]);
  ASSERT_EQ(a.increments.size(), b.increments.size());
  for (std::size_t i = 0; i < a.increments.size(); ++i) {
    const auto& x = a.increments[i];
    const auto& y = b.increments[i];
    for (std::size_t p = 0; p < x.costs_by_perspective.size(); ++p)
      expect_identical(x.costs_by_perspective[p], y.costs_by_perspective[p], x.name + " incremental cost");
    expect_identical(x.qalys, y.qalys, x.name + " incremental QALYs");
    expect_identical(x.life_years, y.life_years, x.name + " incremental life-years");
  }
  ASSERT_EQ(a.incremental_tables.size(), b.incremental_tables.size());
  for (std::size_t t = 0; t < a.incremental_tables.size(); ++t) {
    ASSERT_EQ(a.incremental_tables[t].rows.size(), b.incremental_tables[t].rows.size());
    for (std::size_t r = 0; r < a.incremental_tables[t].rows.size(); ++r) {
      EXPECT_EQ(a.incremental_tables[t].rows[r].strategy, b.incremental_tables[t].rows[r].strategy);
      EXPECT_EQ(a.incremental_tables[t].rows[r].icer, b.incremental_tables[t].rows[r].icer);
    }
  }
}

}  // namespace hemsim_test
