// EVPPI by regression against closed forms: the voi vignette's linear-Gaussian model
// (INB = k p1 − p2, p1 ~ N(1, 1), p2 ~ N(0, 2²)), where EVPPI(θ) is the normal formula
// with σ = SD(E[INB | θ]); and EVPPI of all parameters equals EVPI.

#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <random>

#include "hemsim/decision.hpp"

namespace {

double normal_value(double mu, double sigma) {
  const boost::math::normal standard;
  return sigma * boost::math::pdf(standard, mu / sigma) + mu * boost::math::cdf(standard, mu / sigma) - std::max(mu, 0.0);
}

struct Sample {
  Eigen::MatrixXd costs, effects, parameters;
};

Sample voi_sample(int n, std::uint64_t seed, bool noise_parameter = false) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> p1(1.0, 1.0), p2(0.0, 2.0), p3(0.0, 1.0);
  Sample s{Eigen::MatrixXd::Zero(n, 2), Eigen::MatrixXd::Zero(n, 2), Eigen::MatrixXd(n, noise_parameter ? 3 : 2)};
  for (int d = 0; d < n; ++d) {
    s.parameters(d, 0) = p1(generator);
    s.parameters(d, 1) = p2(generator);
    if (noise_parameter) s.parameters(d, 2) = p3(generator);
    s.effects(d, 1) = s.parameters(d, 0);
    s.costs(d, 1) = s.parameters(d, 1);
  }
  return s;
}

}  // namespace

TEST(Evppi, SingleParametersMatchTheClosedForm) {
  // Published values (decision_cases.md) for k = 1, 2, 3.
  const std::vector<double> published_p1{0.0833154706, 0.1666309412, 0.2499464118};
  const std::vector<double> published_p2{0.3955931148, 0.1666309412, 0.0586135875};
  const Sample s = voi_sample(4000, 2024);
  const auto p1 = hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, s.parameters.col(0), {1, 2, 3});
  const auto p2 = hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, s.parameters.col(1), {1, 2, 3});
  EXPECT_EQ(p1.method, "P-spline (GCV)");
  for (int k = 1; k <= 3; ++k) {
    const auto i = static_cast<std::size_t>(k - 1);
    EXPECT_NEAR(normal_value(k, k), published_p1[i], 1e-9);
    EXPECT_NEAR(normal_value(k, 2), published_p2[i], 1e-9);
    // Sampling error of the estimate with 4000 draws is about 0.01.
    EXPECT_NEAR(p1.evppi[i], published_p1[i], 0.035) << k;
    EXPECT_NEAR(p2.evppi[i], published_p2[i], 0.035) << k;
    EXPECT_GT(p1.standard_error[i], 0.0);
    EXPECT_LT(p1.standard_error[i], 0.03);
  }
}

TEST(Evppi, AllParametersTogetherEqualEvpi) {
  const Sample s = voi_sample(2000, 7);
  const auto both = hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, s.parameters, {1, 2, 3});
  EXPECT_EQ(both.method, "tensor-product P-spline (GCV)");
  const auto evpi = hemsim::expected_value_of_perfect_information(s.costs, s.effects, {1, 2, 3});
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(both.evppi[i], evpi[i], 0.01) << i;
}

TEST(Evppi, GaussianProcessForGroups) {
  // p3 is irrelevant: EVPPI({p1, p3}) ≈ EVPPI(p1) = 0.0833 at k = 1; ({p1, p2, p3}) ≈ EVPI.
  const Sample s = voi_sample(600, 11, true);
  Eigen::MatrixXd group(600, 2);
  group << s.parameters.col(0), s.parameters.col(2);
  const auto all = hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, s.parameters, {1}, 0, 50);
  EXPECT_EQ(all.method, "Gaussian process");
  const auto evpi = hemsim::expected_value_of_perfect_information(s.costs, s.effects, {1});
  EXPECT_NEAR(all.evppi[0], evpi[0], 0.03);
  const auto p1 = hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, group, {1}, 0, 50);
  EXPECT_NEAR(p1.evppi[0], 0.0833154706, 0.06);
}

TEST(Evppi, RejectsTooFewDraws) {
  const Sample s = voi_sample(20, 1);
  EXPECT_THROW((void)hemsim::expected_value_of_partial_perfect_information(s.costs, s.effects, s.parameters.col(0), {1}),
               std::invalid_argument);
}
