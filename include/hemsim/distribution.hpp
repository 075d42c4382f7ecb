#pragma once
/// \file distribution.hpp
/// Probability distributions for PSA parameters and individual attributes.
/// A DistributionSpec is what the scenario says (arguments may be expressions of
/// parameters); resolve() turns it into a Distribution with natural parameters,
/// converting mean/standard-error forms by the method of moments and rejecting
/// impossible values with the location of the offending key.
///
/// Sampling is by inversion (one uniform in (0,1) per draw), so a draw is a pure
/// function of its uniform: streams stay aligned and copulas are straightforward.

#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "hemsim/expression.hpp"

namespace hemsim {

enum class DistributionKind {
  fixed,        ///< value
  beta,         ///< shape1, shape2 | mean, se
  gamma,        ///< shape, rate | shape, scale | mean, se
  lognormal,    ///< meanlog, sdlog | mean, se (of the variable itself)
  normal,       ///< mean, sd (| mean, se); optional truncation lower/upper
  uniform,      ///< min, max
  triangular,   ///< min, mode, max
  pert,         ///< min, mode, max (Beta-PERT, lambda 4)
  bernoulli,    ///< p -> 0 or 1
  categorical,  ///< probabilities [p0, p1, ...] -> 0, 1, ...
  dirichlet,    ///< alpha [a0, a1, ...] (a vector; used for multinomial PSA parameters)
};

/// Name as written in scenario files ("beta", "pert", ...).
[[nodiscard]] std::string to_string(DistributionKind kind);

struct DistributionSpec {
  DistributionKind kind = DistributionKind::fixed;
  std::vector<std::pair<std::string, Expression>> arguments;  ///< named scalar arguments as written
  std::vector<Expression> vector_argument;  ///< categorical probabilities / dirichlet alpha
  bool has_lower = false, has_upper = false;  ///< truncation (normal, lognormal, gamma)
  Expression lower, upper;
  SourceLocation where;
};

/// A distribution with natural parameters. Which of a, b, c are used depends on kind:
/// beta(a=shape1, b=shape2); gamma(a=shape, b=rate); lognormal(a=meanlog, b=sdlog);
/// normal(a=mean, b=sd); uniform(a=min, b=max); triangular/pert(a=min, b=mode, c=max);
/// bernoulli(a=p); fixed(a=value); categorical/dirichlet use weights.
struct Distribution {
  DistributionKind kind = DistributionKind::fixed;
  double a = 0, b = 0, c = 0;
  std::vector<double> weights;
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();

  /// Inverse CDF at u in (0,1), respecting truncation. For categorical: the index.
  [[nodiscard]] double quantile(double u) const;
  /// Mean and variance of the (untruncated) distribution; used by tests and reports.
  [[nodiscard]] double mean() const;
  [[nodiscard]] double variance() const;
  /// True for bernoulli/categorical: values are category codes 0..categories()-1.
  [[nodiscard]] bool is_discrete() const;
  [[nodiscard]] int categories() const;
  /// Probability of category k (discrete kinds only).
  [[nodiscard]] double category_probability(int k) const;
  bool operator==(const Distribution&) const = default;
};

/// Evaluates the spec's expressions with `evaluate` and validates the result.
/// Throws ScenarioError naming the argument when a value or a moment is impossible
/// (e.g. beta with mean 0.5 and se 0.6, a negative sd, min > max).
[[nodiscard]] Distribution resolve_distribution(
    const DistributionSpec& spec, const std::function<double(const Expression&)>& evaluate);

}  // namespace hemsim
