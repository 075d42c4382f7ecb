// CEAC, CEAF and EVPI against independent calculations: a hand-built table, and the
// closed-form two-option normal case of the voi package's vignette.

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "hemsim/decision.hpp"

TEST(DecisionProbabilistic, AcceptabilityOnAHandBuiltTable) {
  // 4 draws x 2 strategies. At wtp 100: NB(A) = 0, NB(B) = 100 e - c.
  Eigen::MatrixXd costs(4, 2), effects(4, 2);
  costs << 0, 50, 0, 150, 0, 100, 0, 20;
  effects << 0, 1, 0, 1, 0, 1, 0, 0.1;
  // NB(B): 50, -50, 0 (tie: shared), -10.
  const Eigen::MatrixXd ceac = hemsim::acceptability_curves(costs, effects, {100});
  EXPECT_DOUBLE_EQ(ceac(0, 1), (1 + 0.5) / 4);
  EXPECT_DOUBLE_EQ(ceac(0, 0), (1 + 1 + 0.5) / 4);
  // Expected NB(B) = (50 - 50 + 0 - 10) / 4 < 0: A is optimal, with probability 0.625.
  const auto frontier = hemsim::acceptability_frontier(costs, effects, {100});
  EXPECT_EQ(frontier[0].optimal_strategy, 0);
  EXPECT_DOUBLE_EQ(frontier[0].probability, 0.625);
  // EVPI = E[max(0, NB_B)] - max(0, E[NB_B]) = 50/4 - 0.
  EXPECT_DOUBLE_EQ(hemsim::expected_value_of_perfect_information(costs, effects, {100})[0], 12.5);
}

TEST(DecisionProbabilistic, EvpiMatchesTheNormalClosedForm) {
  // voi vignette: e = (0, p1), c = (0, p2), p1 ~ N(1, 1), p2 ~ N(0, 2^2); at threshold k,
  // INB ~ N(k, k^2 + 4) and EVPI = sigma phi(mu/sigma) + mu Phi(mu/sigma) - max(mu, 0).
  // A product grid of normal quantiles integrates the two independent normals.
  const boost::math::normal standard;
  const int n = 800;
  std::vector<double> z(n);
  for (int i = 0; i < n; ++i) z[static_cast<std::size_t>(i)] = boost::math::quantile(standard, (i + 0.5) / n);
  Eigen::MatrixXd costs = Eigen::MatrixXd::Zero(n * n, 2), effects = Eigen::MatrixXd::Zero(n * n, 2);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      effects(i * n + j, 1) = 1 + z[static_cast<std::size_t>(i)];
      costs(i * n + j, 1) = 2 * z[static_cast<std::size_t>(j)];
    }
  const std::vector<double> published{0.4798107063, 0.3992824567, 0.4094634160};  // k = 1, 2, 3
  const auto evpi = hemsim::expected_value_of_perfect_information(costs, effects, {1, 2, 3});
  for (int k = 1; k <= 3; ++k) {
    const double mu = k, sigma = std::sqrt(k * k + 4.0);
    const double closed = sigma * boost::math::pdf(standard, mu / sigma) + mu * boost::math::cdf(standard, mu / sigma) - std::max(mu, 0.0);
    EXPECT_NEAR(closed, published[static_cast<std::size_t>(k - 1)], 1e-9);
    EXPECT_NEAR(evpi[static_cast<std::size_t>(k - 1)], closed, 2e-3) << k;
  }
}

TEST(DecisionProbabilistic, EffectivePopulationIsADiscountedSum) {
  EXPECT_DOUBLE_EQ(hemsim::effective_population(1000, 3, 0.0), 3000);
  EXPECT_NEAR(hemsim::effective_population(1000, 3, 0.03), 1000 * (1 + 1 / 1.03 + 1 / (1.03 * 1.03)), 1e-9);
  EXPECT_NEAR(hemsim::effective_population(1000, 2.5, 0.0, 200), 200 + 2500, 1e-9);
  EXPECT_THROW((void)hemsim::effective_population(-1, 3, 0.03), std::invalid_argument);
}

TEST(DecisionProbabilistic, TiesUpToRoundingGoToTheStrategyListedFirst) {
  // One draw; A costs 0.1 + 0.2, B costs 0.3, no effects. In doubles B's net benefit is
  // larger by one ulp; within kDecisionRelativeTolerance they tie: the CEAC shares the
  // draw and the CEAF picks A, listed first.
  Eigen::MatrixXd costs{{0.1 + 0.2, 0.3}};
  const Eigen::MatrixXd effects = Eigen::MatrixXd::Zero(1, 2);
  ASSERT_LT(-costs(0, 0), -costs(0, 1));
  const Eigen::MatrixXd ceac = hemsim::acceptability_curves(costs, effects, {100});
  EXPECT_EQ(ceac(0, 0), 0.5);
  EXPECT_EQ(ceac(0, 1), 0.5);
  const auto frontier = hemsim::acceptability_frontier({"A", "B"}, costs, effects, {100});
  EXPECT_EQ(frontier[0].optimal_strategy, 0);
  EXPECT_EQ(frontier[0].strategy, "A");
  EXPECT_EQ(frontier[0].probability, 0.5);
  // A real difference (a millionth) is not a tie.
  costs(0, 0) = 0.3 * (1 + 1e-6);
  EXPECT_EQ(hemsim::acceptability_curves(costs, effects, {100})(0, 1), 1.0);
  EXPECT_EQ(hemsim::acceptability_frontier(costs, effects, {100})[0].optimal_strategy, 1);
}
