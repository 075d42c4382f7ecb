#pragma once
// Empirical quantiles of PSA draws, shared by the PSA summary and the report.

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <vector>

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

/// Mean and 95 % interval (2.5th and 97.5th percentiles) of the finite values of
/// `values`; nothing when none is finite (e.g. draws in which a measure was not computed).
struct DrawInterval {
  double mean, low, high;
};
inline std::optional<DrawInterval> finite_draw_interval(const Eigen::VectorXd& values) {
  std::vector<double> finite;
  for (Eigen::Index d = 0; d < values.size(); ++d)
    if (std::isfinite(values(d))) finite.push_back(values(d));
  if (finite.empty()) return std::nullopt;
  const Eigen::VectorXd f = Eigen::Map<const Eigen::VectorXd>(finite.data(), static_cast<Eigen::Index>(finite.size()));
  return DrawInterval{f.mean(), empirical_quantile(f, 0.025), empirical_quantile(f, 0.975)};
}

}  // namespace hemsim::detail
