#pragma once
// Empirical quantiles of PSA draws, shared by the PSA summary and the report.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>

namespace hemsim::detail {

/// Empirical quantile of `values` (type 7, R's default); NaN when there are none.
inline double empirical_quantile(Eigen::VectorXd values, double p) {
  if (values.size() == 0) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.data(), values.data() + values.size());
  const double h = (static_cast<double>(values.size()) - 1) * p;
  const auto lo = static_cast<Eigen::Index>(std::floor(h));
  const auto hi = std::min<Eigen::Index>(lo + 1, values.size() - 1);
  return values(lo) + (h - static_cast<double>(lo)) * (values(hi) - values(lo));
}

}  // namespace hemsim::detail
