// Distributions: method-of-moments conversions, quantiles against closed forms, moments
// of inversion samples, truncation, and clear errors for impossible arguments.

#include "hemsim/distribution.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hemsim/error.hpp"

namespace {

using hemsim::Distribution;
using hemsim::DistributionKind;
using hemsim::DistributionSpec;
using hemsim::Expression;

DistributionSpec spec(DistributionKind kind, std::vector<std::pair<std::string, double>> args) {
  DistributionSpec s;
  s.kind = kind;
  for (const auto& [name, value] : args) s.arguments.emplace_back(name, Expression{std::to_string(value), {"test.yaml", 7, 3, name}});
  s.where = {"test.yaml", 5, 1, "parameters.x.distribution"};
  return s;
}

Distribution resolve(const DistributionSpec& s) {
  return hemsim::resolve_distribution(s, [](const Expression& e) { return std::stod(e.text); });
}

// Mean and variance of quantile(u) over a fine midpoint grid of u (deterministic).
std::pair<double, double> grid_moments(const Distribution& d, int n = 200000) {
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = d.quantile((i + 0.5) / n);
    sum += x;
    sum_sq += x * x;
  }
  const double mean = sum / n;
  return {mean, sum_sq / n - mean * mean};
}

}  // namespace

TEST(Distribution, BetaByMomentsMatchesClosedForm) {
  const Distribution d = resolve(spec(DistributionKind::beta, {{"mean", 0.4}, {"se", 0.1}}));
  // k = m(1-m)/se^2 - 1 = 23; alpha = 9.2, beta = 13.8
  EXPECT_NEAR(d.a, 9.2, 1e-12);
  EXPECT_NEAR(d.b, 13.8, 1e-12);
  const auto [mean, variance] = grid_moments(d);
  EXPECT_NEAR(mean, 0.4, 1e-6);
  EXPECT_NEAR(std::sqrt(variance), 0.1, 1e-5);
}

TEST(Distribution, GammaLognormalByMoments) {
  const Distribution g = resolve(spec(DistributionKind::gamma, {{"mean", 30000}, {"se", 15000}}));
  EXPECT_NEAR(g.a, 4.0, 1e-12);
  EXPECT_NEAR(g.b, 4.0 / 30000, 1e-15);
  const Distribution l = resolve(spec(DistributionKind::lognormal, {{"mean", 24}, {"se", 12}}));
  EXPECT_NEAR(l.mean(), 24, 1e-9);
  EXPECT_NEAR(std::sqrt(l.variance()), 12, 1e-9);
  const auto [mean, variance] = grid_moments(l, 400000);
  EXPECT_NEAR(mean, 24, 0.02);
}

TEST(Distribution, NormalQuantileAndTruncation) {
  Distribution d = resolve(spec(DistributionKind::normal, {{"mean", 57}, {"sd", 12}}));
  EXPECT_NEAR(d.quantile(0.975), 57 + 12 * 1.959963984540054, 1e-9);
  DistributionSpec t = spec(DistributionKind::normal, {{"mean", 57}, {"sd", 12}});
  t.has_lower = t.has_upper = true;
  t.lower = {"30", {}};
  t.upper = {"85", {}};
  d = resolve(t);
  for (double u : {1e-9, 0.001, 0.5, 0.999, 1 - 1e-9}) {
    EXPECT_GE(d.quantile(u), 30.0);
    EXPECT_LE(d.quantile(u), 85.0);
  }
  EXPECT_NEAR(d.quantile(0.5), 57.0, 0.05);  // nearly symmetric truncation
}

TEST(Distribution, TriangularPertUniformMoments) {
  const Distribution tri = resolve(spec(DistributionKind::triangular, {{"min", 1}, {"mode", 2}, {"max", 6}}));
  auto [m1, v1] = grid_moments(tri);
  EXPECT_NEAR(m1, 3.0, 1e-6);
  EXPECT_NEAR(v1, (1 + 4 + 36 - 2 - 6 - 12) / 18.0, 1e-5);
  const Distribution pert = resolve(spec(DistributionKind::pert, {{"min", 0}, {"mode", 0.3}, {"max", 1}}));
  auto [m2, v2] = grid_moments(pert);
  EXPECT_NEAR(m2, (0 + 4 * 0.3 + 1) / 6, 1e-6);
  EXPECT_NEAR(v2, pert.variance(), 1e-6);
  const Distribution uni = resolve(spec(DistributionKind::uniform, {{"min", 2}, {"max", 5}}));
  EXPECT_DOUBLE_EQ(uni.quantile(0.5), 3.5);
}

TEST(Distribution, DiscreteCategories) {
  DistributionSpec c = spec(DistributionKind::categorical, {});
  for (const char* p : {"0.2", "0.55", "0.25"}) c.vector_argument.push_back({p, {}});
  const Distribution d = resolve(c);
  EXPECT_EQ(d.categories(), 3);
  EXPECT_EQ(d.quantile(0.19), 0);
  EXPECT_EQ(d.quantile(0.21), 1);
  EXPECT_EQ(d.quantile(0.76), 2);
  const Distribution b = resolve(spec(DistributionKind::bernoulli, {{"p", 0.6}}));
  EXPECT_EQ(b.quantile(0.39), 0);
  EXPECT_EQ(b.quantile(0.41), 1);
  EXPECT_DOUBLE_EQ(b.category_probability(1), 0.6);
}

TEST(Distribution, ImpossibleArgumentsNameTheKeyAndExpectation) {
  try {
    (void)resolve(spec(DistributionKind::beta, {{"mean", 0.5}, {"se", 0.6}}));
    FAIL() << "expected a ScenarioError";
  } catch (const hemsim::ScenarioError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("test.yaml:7:3"), std::string::npos) << what;
    EXPECT_NE(what.find("too large"), std::string::npos) << what;
    EXPECT_NE(what.find("expected se <"), std::string::npos) << what;
  }
  EXPECT_THROW((void)resolve(spec(DistributionKind::gamma, {{"shape", -1}, {"rate", 1}})), hemsim::ScenarioError);
  EXPECT_THROW((void)resolve(spec(DistributionKind::normal, {{"mean", 0}, {"sd", -1}})), hemsim::ScenarioError);
  EXPECT_THROW((void)resolve(spec(DistributionKind::uniform, {{"min", 3}, {"max", 1}})), hemsim::ScenarioError);
  EXPECT_THROW((void)resolve(spec(DistributionKind::beta, {{"mean", 0.5}})), hemsim::ScenarioError);
}
