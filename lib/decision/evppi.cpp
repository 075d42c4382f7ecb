// EVPPI by nonparametric regression (Strong, Oakley & Brennan 2014): the incremental
// costs and effects of each strategy against the reference are regressed on the
// parameters of interest; the fitted values estimate E[ΔC | θ] and E[ΔE | θ], and
//   EVPPI(λ) = mean_d max(0, max_s ĝ_ds(λ)) − max(0, max_s mean_d ĝ_ds(λ)),
// ĝ_ds(λ) = λ ΔÊ_ds − ΔĈ_ds. One or two parameters: penalised B-splines (P-splines,
// Eilers & Marx 1996) with the smoothing chosen by generalised cross-validation; more
// parameters: Gaussian-process regression with hyperparameters by marginal likelihood.
// The standard error comes from sampling the regressions' posterior fitted values.

#include <Eigen/Cholesky>
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "decision/checks.hpp"
#include "hemsim/decision.hpp"

namespace hemsim {

namespace {

// A fitted regression: fitted values at the draws and a way to sample them from the
// posterior (for the standard error).
struct Fit {
  Eigen::VectorXd fitted;
  Eigen::MatrixXd sample_factor;  ///< L with fitted + L z ~ posterior of the fitted values (z standard normal)
};

// Cubic B-spline basis on [lo, hi] with `segments` equal segments (segments + 3 functions).
Eigen::MatrixXd bspline_basis(const Eigen::VectorXd& x, double lo, double hi, int segments) {
  const int degree = 3;
  const double h = (hi - lo) / segments;
  const int functions = segments + degree;
  Eigen::MatrixXd basis = Eigen::MatrixXd::Zero(x.size(), functions);
  std::vector<double> knots;
  for (int i = -degree; i <= segments + degree; ++i) knots.push_back(lo + i * h);
  for (Eigen::Index r = 0; r < x.size(); ++r) {
    const double v = std::clamp(x(r), lo, hi - 1e-12 * (hi - lo));
    // Cox–de Boor recursion.
    std::vector<double> b(knots.size() - 1, 0.0);
    for (std::size_t i = 0; i + 1 < knots.size(); ++i) b[i] = (v >= knots[i] && v < knots[i + 1]) ? 1.0 : 0.0;
    for (int d = 1; d <= degree; ++d)
      for (std::size_t i = 0; i + static_cast<std::size_t>(d) + 1 < knots.size(); ++i) {
        const double left = (v - knots[i]) / (knots[i + static_cast<std::size_t>(d)] - knots[i]);
        const double right = (knots[i + static_cast<std::size_t>(d) + 1] - v) / (knots[i + static_cast<std::size_t>(d) + 1] - knots[i + 1]);
        b[i] = left * b[i] + right * b[i + 1];
      }
    for (int j = 0; j < functions; ++j) basis(r, j) = b[static_cast<std::size_t>(j)];
  }
  return basis;
}

// Second-order difference penalty D'D for m coefficients.
Eigen::MatrixXd difference_penalty(int m) {
  Eigen::MatrixXd d = Eigen::MatrixXd::Zero(m - 2, m);
  for (int i = 0; i < m - 2; ++i) {
    d(i, i) = 1;
    d(i, i + 1) = -2;
    d(i, i + 2) = 1;
  }
  return d.transpose() * d;
}

// Penalised least squares with the smoothing parameter chosen by GCV over a grid.
Fit penalised_fit(const Eigen::MatrixXd& X, const Eigen::MatrixXd& penalty, const Eigen::VectorXd& y) {
  const auto n = static_cast<double>(X.rows());
  const Eigen::MatrixXd xtx = X.transpose() * X;
  const Eigen::VectorXd xty = X.transpose() * y;
  double best_score = INFINITY;
  Eigen::VectorXd best_beta;
  Eigen::MatrixXd best_inverse;
  double best_edf = 0;
  for (double log_lambda = -6; log_lambda <= 8; log_lambda += 0.5) {
    const double lambda = std::pow(10.0, log_lambda);
    const Eigen::MatrixXd a = xtx + lambda * penalty;
    const Eigen::LDLT<Eigen::MatrixXd> solver(a);
    const Eigen::VectorXd beta = solver.solve(xty);
    const Eigen::MatrixXd inverse = solver.solve(Eigen::MatrixXd::Identity(a.rows(), a.cols()));
    const double edf = (inverse * xtx).trace();
    const double rss = (y - X * beta).squaredNorm();
    const double score = n * rss / ((n - edf) * (n - edf));
    if (edf < n - 1 && score < best_score) {
      best_score = score;
      best_beta = beta;
      best_inverse = inverse;
      best_edf = edf;
    }
  }
  // Finite inputs always give some finite score; values so extreme that X'X overflows do not.
  detail::require(best_beta.size() > 0, "expected_value_of_partial_perfect_information",
                  "the regression could not be fitted (costs, effects or parameter values too extreme)");
  Fit fit;
  fit.fitted = X * best_beta;
  const double sigma2 = (y - fit.fitted).squaredNorm() / std::max(1.0, n - best_edf);
  // Bayesian posterior of the coefficients: N(beta, sigma^2 (X'X + lambda P)^-1).
  const Eigen::MatrixXd covariance = sigma2 * 0.5 * (best_inverse + best_inverse.transpose());
  const Eigen::LDLT<Eigen::MatrixXd> factor(covariance);
  Eigen::MatrixXd root = factor.matrixL();
  root = factor.transpositionsP().transpose() * root;
  root = root * factor.vectorD().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  fit.sample_factor = X * root;
  return fit;
}

Eigen::VectorXd standardise(const Eigen::VectorXd& x) {
  const double mean = x.mean();
  const double sd = std::sqrt((x.array() - mean).square().sum() / std::max<double>(1, static_cast<double>(x.size()) - 1));
  return sd > 0 ? Eigen::VectorXd((x.array() - mean) / sd) : Eigen::VectorXd(Eigen::VectorXd::Zero(x.size()));
}

Fit spline_fit(const Eigen::MatrixXd& theta, const Eigen::VectorXd& y) {
  if (theta.cols() == 1) {
    const Eigen::VectorXd x = theta.col(0);
    const int segments = 12;
    const Eigen::MatrixXd X = bspline_basis(x, x.minCoeff(), x.maxCoeff(), segments);
    return penalised_fit(X, difference_penalty(segments + 3), y);
  }
  // Tensor product of two bases, penalised in both directions.
  const int segments = 6, m = segments + 3;
  const Eigen::VectorXd a = theta.col(0), b = theta.col(1);
  const Eigen::MatrixXd A = bspline_basis(a, a.minCoeff(), a.maxCoeff(), segments);
  const Eigen::MatrixXd B = bspline_basis(b, b.minCoeff(), b.maxCoeff(), segments);
  Eigen::MatrixXd X(theta.rows(), m * m);
  for (Eigen::Index r = 0; r < theta.rows(); ++r)
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < m; ++j) X(r, i * m + j) = A(r, i) * B(r, j);
  const Eigen::MatrixXd d = difference_penalty(m), identity = Eigen::MatrixXd::Identity(m, m);
  Eigen::MatrixXd penalty = Eigen::MatrixXd::Zero(m * m, m * m);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < m; ++j)
      for (int k = 0; k < m; ++k)
        for (int l = 0; l < m; ++l) penalty(i * m + j, k * m + l) = d(i, k) * identity(j, l) + identity(i, k) * d(j, l);
  return penalised_fit(X, penalty, y);
}

// Gaussian-process regression, squared-exponential kernel on standardised inputs; the
// length scale and noise ratio maximise the marginal likelihood over a grid.
Fit gaussian_process_fit(const Eigen::MatrixXd& theta, const Eigen::VectorXd& y) {
  const Eigen::Index n = theta.rows();
  Eigen::MatrixXd z(n, theta.cols());
  for (Eigen::Index c = 0; c < theta.cols(); ++c) z.col(c) = standardise(theta.col(c));
  Eigen::MatrixXd distance2(n, n);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) distance2(i, j) = (z.row(i) - z.row(j)).squaredNorm();
  const double mean = y.mean();
  const Eigen::VectorXd centred = y.array() - mean;
  const double variance = std::max(centred.squaredNorm() / static_cast<double>(n), 1e-300);
  double best = -INFINITY, best_length = 1, best_noise = 1;
  for (double length : {0.3, 0.5, 0.8, 1.2, 2.0, 3.0, 5.0})
    for (double noise : {1e-3, 1e-2, 0.05, 0.1, 0.3, 1.0, 3.0, 10.0}) {
      // Signal variance s2 and noise s2*noise; s2 profiled out in closed form.
      Eigen::MatrixXd k = (-0.5 * distance2.array() / (length * length)).exp().matrix();
      k.diagonal().array() += noise;
      const Eigen::LLT<Eigen::MatrixXd> llt(k);
      if (llt.info() != Eigen::Success) continue;
      const Eigen::VectorXd alpha = llt.solve(centred);
      const double s2 = centred.dot(alpha) / static_cast<double>(n);
      const double log_det = 2 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
      const double likelihood = -0.5 * static_cast<double>(n) * std::log(s2 / variance) - 0.5 * log_det;
      if (likelihood > best) {
        best = likelihood;
        best_length = length;
        best_noise = noise;
      }
    }
  const Eigen::MatrixXd kf = (-0.5 * distance2.array() / (best_length * best_length)).exp().matrix();
  Eigen::MatrixXd k = kf;
  k.diagonal().array() += best_noise;
  const Eigen::LLT<Eigen::MatrixXd> llt(k);
  const Eigen::VectorXd alpha = llt.solve(centred);
  const double s2 = centred.dot(alpha) / static_cast<double>(n);
  Fit fit;
  fit.fitted = (kf * alpha).array() + mean;
  // Posterior covariance of the latent values: s2 (Kf − Kf (Kf + noise I)^-1 Kf).
  Eigen::MatrixXd covariance = s2 * (kf - kf * llt.solve(kf));
  covariance = 0.5 * (covariance + covariance.transpose());
  const Eigen::LDLT<Eigen::MatrixXd> factor(covariance);
  Eigen::MatrixXd root = factor.matrixL();
  root = factor.transpositionsP().transpose() * root;
  fit.sample_factor = root * factor.vectorD().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  return fit;
}

double evppi_from(const std::vector<Eigen::VectorXd>& incremental_costs, const std::vector<Eigen::VectorXd>& incremental_effects,
                  double wtp) {
  const Eigen::Index n = incremental_costs.front().size();
  Eigen::MatrixXd nb(n, static_cast<Eigen::Index>(incremental_costs.size()) + 1);
  nb.col(0).setZero();  // the reference
  for (std::size_t s = 0; s < incremental_costs.size(); ++s)
    nb.col(static_cast<Eigen::Index>(s) + 1) = wtp * incremental_effects[s] - incremental_costs[s];
  return std::max(0.0, nb.rowwise().maxCoeff().mean() - nb.colwise().mean().maxCoeff());
}

// The columns of `parameters` that vary across draws: a constant one carries no
// information (and would give a zero-width spline basis).
Eigen::MatrixXd varying_columns(const Eigen::MatrixXd& parameters) {
  std::vector<Eigen::Index> keep;
  for (Eigen::Index c = 0; c < parameters.cols(); ++c)
    if (!detail::nearly_equal(parameters.col(c).minCoeff(), parameters.col(c).maxCoeff())) keep.push_back(c);
  Eigen::MatrixXd varying(parameters.rows(), static_cast<Eigen::Index>(keep.size()));
  for (std::size_t k = 0; k < keep.size(); ++k) varying.col(static_cast<Eigen::Index>(k)) = parameters.col(keep[k]);
  return varying;
}

void check_evppi_arguments(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects, const Eigen::MatrixXd& parameters,
                           const std::vector<double>& wtp, int reference, int posterior_samples) {
  constexpr std::string_view function = "expected_value_of_partial_perfect_information";
  detail::require(costs.rows() == effects.rows() && costs.cols() == effects.cols() && parameters.rows() == costs.rows(), function,
                  "costs, effects and parameter values must have one row per draw");
  detail::require(parameters.cols() >= 1, function, "no parameters given");
  detail::require(costs.rows() >= 30, function, "regression needs at least 30 draws");
  detail::check_draws(function, costs, effects);
  detail::require(parameters.allFinite(), function, "a parameter value is not finite");
  detail::check_thresholds(function, wtp);
  detail::require(reference >= 0 && reference < costs.cols(), function, "reference strategy out of range");
  detail::require(posterior_samples >= 2, function, "posterior_samples must be at least 2 (for a standard deviation)");
}

}  // namespace

EvppiResult expected_value_of_partial_perfect_information(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects,
                                                          const Eigen::MatrixXd& all_parameters, const std::vector<double>& wtp,
                                                          int reference, int posterior_samples, std::uint64_t seed) {
  check_evppi_arguments(costs, effects, all_parameters, wtp, reference, posterior_samples);
  const Eigen::MatrixXd parameters = varying_columns(all_parameters);
  EvppiResult result;
  if (parameters.cols() == 0 || costs.cols() == 1) {
    // Nothing to learn (the parameters do not vary) or nothing to decide (one strategy).
    result.method = "constant";
    result.wtp = wtp;
    result.evppi.assign(wtp.size(), 0.0);
    result.standard_error.assign(wtp.size(), 0.0);
    return result;
  }
  result.method = parameters.cols() <= 2 ? (parameters.cols() == 1 ? "P-spline (GCV)" : "tensor-product P-spline (GCV)")
                                         : "Gaussian process";
  detail::require(parameters.cols() <= 2 || parameters.rows() <= 3000, "expected_value_of_partial_perfect_information",
                  "Gaussian-process regression for groups is limited to 3000 draws");
  std::vector<Fit> cost_fits, effect_fits;
  for (Eigen::Index s = 0; s < costs.cols(); ++s) {
    if (s == reference) continue;
    const Eigen::VectorXd dc = costs.col(s) - costs.col(reference);
    const Eigen::VectorXd de = effects.col(s) - effects.col(reference);
    cost_fits.push_back(parameters.cols() <= 2 ? spline_fit(parameters, dc) : gaussian_process_fit(parameters, dc));
    effect_fits.push_back(parameters.cols() <= 2 ? spline_fit(parameters, de) : gaussian_process_fit(parameters, de));
  }
  std::vector<Eigen::VectorXd> fitted_c, fitted_e;
  for (std::size_t s = 0; s < cost_fits.size(); ++s) {
    fitted_c.push_back(cost_fits[s].fitted);
    fitted_e.push_back(effect_fits[s].fitted);
  }
  // Posterior samples of the fitted values, shared across thresholds.
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<std::vector<Eigen::VectorXd>> sampled_c(static_cast<std::size_t>(posterior_samples)), sampled_e(sampled_c.size());
  for (int b = 0; b < posterior_samples; ++b)
    for (std::size_t s = 0; s < cost_fits.size(); ++s) {
      Eigen::VectorXd zc(cost_fits[s].sample_factor.cols()), ze(effect_fits[s].sample_factor.cols());
      for (Eigen::Index i = 0; i < zc.size(); ++i) zc(i) = normal(generator);
      for (Eigen::Index i = 0; i < ze.size(); ++i) ze(i) = normal(generator);
      sampled_c[static_cast<std::size_t>(b)].push_back(cost_fits[s].fitted + cost_fits[s].sample_factor * zc);
      sampled_e[static_cast<std::size_t>(b)].push_back(effect_fits[s].fitted + effect_fits[s].sample_factor * ze);
    }
  for (double w : wtp) {
    result.wtp.push_back(w);
    result.evppi.push_back(evppi_from(fitted_c, fitted_e, w));
    double sum = 0, sum_sq = 0;
    for (int b = 0; b < posterior_samples; ++b) {
      const double v = evppi_from(sampled_c[static_cast<std::size_t>(b)], sampled_e[static_cast<std::size_t>(b)], w);
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / posterior_samples;
    result.standard_error.push_back(std::sqrt(std::max(0.0, (sum_sq - posterior_samples * mean * mean) / (posterior_samples - 1))));
  }
  return result;
}

}  // namespace hemsim
