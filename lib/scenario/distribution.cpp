#include "hemsim/distribution.hpp"

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/lognormal.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/triangular.hpp>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <fmt/format.h>
#include <numeric>

#include "hemsim/error.hpp"

namespace hemsim {

std::string to_string(DistributionKind kind) {
  switch (kind) {
    case DistributionKind::fixed: return "fixed";
    case DistributionKind::beta: return "beta";
    case DistributionKind::gamma: return "gamma";
    case DistributionKind::lognormal: return "lognormal";
    case DistributionKind::normal: return "normal";
    case DistributionKind::uniform: return "uniform";
    case DistributionKind::triangular: return "triangular";
    case DistributionKind::pert: return "pert";
    case DistributionKind::bernoulli: return "bernoulli";
    case DistributionKind::categorical: return "categorical";
    case DistributionKind::dirichlet: return "dirichlet";
  }
  throw InternalError("unknown distribution kind");
}

namespace {

// Quantile of a boost distribution restricted to [lower, upper].
template <class Dist>
double truncated_quantile(const Dist& dist, double u, double lower, double upper) {
  using boost::math::cdf;
  using boost::math::quantile;
  if (std::isinf(lower) && std::isinf(upper)) return quantile(dist, u);
  const auto [support_lo, support_hi] = boost::math::support(dist);
  const double lo = std::isinf(lower) || lower <= support_lo ? 0.0 : cdf(dist, lower);
  const double hi = std::isinf(upper) || upper >= support_hi ? 1.0 : cdf(dist, upper);
  const double p = lo + u * (hi - lo);
  if (p <= 0.0) return std::max(lower, support_lo);
  if (p >= 1.0) return std::min(upper, support_hi);
  return std::clamp(quantile(dist, p), lower, upper);
}

double pert_alpha(double min, double mode, double max) { return 1.0 + 4.0 * (mode - min) / (max - min); }
double pert_beta(double min, double mode, double max) { return 1.0 + 4.0 * (max - mode) / (max - min); }

}  // namespace

bool Distribution::is_discrete() const {
  return kind == DistributionKind::bernoulli || kind == DistributionKind::categorical;
}

int Distribution::categories() const {
  if (kind == DistributionKind::bernoulli) return 2;
  if (kind == DistributionKind::categorical) return static_cast<int>(weights.size());
  return 0;
}

double Distribution::category_probability(int k) const {
  if (kind == DistributionKind::bernoulli) return k == 1 ? a : (k == 0 ? 1.0 - a : 0.0);
  if (kind == DistributionKind::categorical) {
    return k >= 0 && k < static_cast<int>(weights.size()) ? weights[static_cast<std::size_t>(k)] : 0.0;
  }
  throw InternalError("category_probability on a continuous distribution");
}

double Distribution::quantile(double u) const {
  switch (kind) {
    case DistributionKind::fixed: return a;
    case DistributionKind::beta: return truncated_quantile(boost::math::beta_distribution<>(a, b), u, lower, upper);
    case DistributionKind::gamma:
      return truncated_quantile(boost::math::gamma_distribution<>(a, 1.0 / b), u, lower, upper);
    case DistributionKind::lognormal:
      return truncated_quantile(boost::math::lognormal_distribution<>(a, b), u, lower, upper);
    case DistributionKind::normal:
      return truncated_quantile(boost::math::normal_distribution<>(a, b), u, lower, upper);
    case DistributionKind::uniform: return a + u * (b - a);
    case DistributionKind::triangular:
      return boost::math::quantile(boost::math::triangular_distribution<>(a, b, c), u);
    case DistributionKind::pert:
      return a + (c - a) * boost::math::quantile(
                               boost::math::beta_distribution<>(pert_alpha(a, b, c), pert_beta(a, b, c)), u);
    case DistributionKind::bernoulli: return u < 1.0 - a ? 0.0 : 1.0;
    case DistributionKind::categorical: {
      double cumulative = 0.0;
      for (std::size_t k = 0; k + 1 < weights.size(); ++k) {
        cumulative += weights[k];
        if (u < cumulative) return static_cast<double>(k);
      }
      return static_cast<double>(weights.size() - 1);
    }
    case DistributionKind::dirichlet:
      throw InternalError("a Dirichlet distribution is a vector: sample it with its gamma components");
  }
  throw InternalError("unknown distribution kind");
}

double Distribution::mean() const {
  switch (kind) {
    case DistributionKind::fixed: return a;
    case DistributionKind::beta: return a / (a + b);
    case DistributionKind::gamma: return a / b;
    case DistributionKind::lognormal: return std::exp(a + b * b / 2);
    case DistributionKind::normal: return a;
    case DistributionKind::uniform: return (a + b) / 2;
    case DistributionKind::triangular: return (a + b + c) / 3;
    case DistributionKind::pert: return (a + 4 * b + c) / 6;
    case DistributionKind::bernoulli: return a;
    case DistributionKind::categorical: {
      double m = 0;
      for (std::size_t k = 0; k < weights.size(); ++k) m += static_cast<double>(k) * weights[k];
      return m;
    }
    case DistributionKind::dirichlet: break;
  }
  throw InternalError("mean of a vector distribution");
}

double Distribution::variance() const {
  switch (kind) {
    case DistributionKind::fixed: return 0;
    case DistributionKind::beta: return a * b / ((a + b) * (a + b) * (a + b + 1));
    case DistributionKind::gamma: return a / (b * b);
    case DistributionKind::lognormal: return (std::exp(b * b) - 1) * std::exp(2 * a + b * b);
    case DistributionKind::normal: return b * b;
    case DistributionKind::uniform: return (b - a) * (b - a) / 12;
    case DistributionKind::triangular: return (a * a + b * b + c * c - a * b - a * c - b * c) / 18;
    case DistributionKind::pert: {
      const double al = pert_alpha(a, b, c), be = pert_beta(a, b, c);
      return (c - a) * (c - a) * al * be / ((al + be) * (al + be) * (al + be + 1));
    }
    case DistributionKind::bernoulli: return a * (1 - a);
    case DistributionKind::categorical: {
      const double m = mean();
      double v = 0;
      for (std::size_t k = 0; k < weights.size(); ++k) v += (static_cast<double>(k) - m) * (static_cast<double>(k) - m) * weights[k];
      return v;
    }
    case DistributionKind::dirichlet: break;
  }
  throw InternalError("variance of a vector distribution");
}

namespace {

class Resolver {
 public:
  Resolver(const DistributionSpec& spec, const std::function<double(const Expression&)>& evaluate)
      : spec_(spec), evaluate_(evaluate) {}

  bool has(const std::string& name) const {
    for (const auto& [key, _] : spec_.arguments)
      if (key == name) return true;
    return false;
  }
  const Expression& expression(const std::string& name) const {
    for (const auto& [key, value] : spec_.arguments)
      if (key == name) return value;
    throw InternalError("missing distribution argument " + name);
  }
  double get(const std::string& name) const {
    const Expression& e = expression(name);
    const double v = evaluate_(e);
    if (!std::isfinite(v)) fail(name, fmt::format("{} is not a finite number", name), "a finite number");
    return v;
  }
  [[noreturn]] void fail(const std::string& name, const std::string& problem, const std::string& expected) const {
    SourceLocation where = spec_.where;
    if (has(name)) where = expression(name).where;
    throw ScenarioError(where, fmt::format("{} distribution: {}", to_string(spec_.kind), problem), expected);
  }
  // Exactly one of the accepted argument sets must be present, and nothing else.
  void require_one_of(const std::vector<std::vector<std::string>>& sets) const {
    for (const auto& set : sets) {
      bool all = true;
      for (const auto& n : set) all = all && has(n);
      if (all && set.size() == spec_.arguments.size()) return;
    }
    std::string accepted;
    for (const auto& set : sets) {
      if (!accepted.empty()) accepted += " or ";
      accepted += "{";
      for (std::size_t i = 0; i < set.size(); ++i) accepted += (i ? ", " : "") + set[i];
      accepted += "}";
    }
    throw ScenarioError(spec_.where, fmt::format("{} distribution has the wrong arguments", to_string(spec_.kind)),
                        "arguments " + accepted);
  }
  void positive(const std::string& name, double v) const {
    if (!(v > 0)) fail(name, fmt::format("{} = {} is not positive", name, v), name + " > 0");
  }

 private:
  const DistributionSpec& spec_;
  const std::function<double(const Expression&)>& evaluate_;
};

}  // namespace

Distribution resolve_distribution(const DistributionSpec& spec,
                                  const std::function<double(const Expression&)>& evaluate) {
  Resolver r(spec, evaluate);
  Distribution d;
  d.kind = spec.kind;
  switch (spec.kind) {
    case DistributionKind::fixed:
      r.require_one_of({{"value"}});
      d.a = r.get("value");
      break;
    case DistributionKind::beta:
      r.require_one_of({{"shape1", "shape2"}, {"mean", "se"}});
      if (r.has("mean")) {
        const double m = r.get("mean"), se = r.get("se");
        if (!(m > 0 && m < 1)) r.fail("mean", fmt::format("mean {} is outside (0, 1)", m), "a mean in (0, 1)");
        r.positive("se", se);
        if (se * se >= m * (1 - m))
          r.fail("se", fmt::format("standard error {} is too large for mean {}", se, m),
                 fmt::format("se < sqrt(mean (1 - mean)) = {:.6g}", std::sqrt(m * (1 - m))));
        const double k = m * (1 - m) / (se * se) - 1;
        d.a = m * k;
        d.b = (1 - m) * k;
      } else {
        d.a = r.get("shape1");
        d.b = r.get("shape2");
        r.positive("shape1", d.a);
        r.positive("shape2", d.b);
      }
      break;
    case DistributionKind::gamma:
      r.require_one_of({{"shape", "rate"}, {"shape", "scale"}, {"mean", "se"}});
      if (r.has("mean")) {
        const double m = r.get("mean"), se = r.get("se");
        r.positive("mean", m);
        r.positive("se", se);
        d.a = m * m / (se * se);
        d.b = m / (se * se);
      } else {
        d.a = r.get("shape");
        r.positive("shape", d.a);
        if (r.has("rate")) {
          d.b = r.get("rate");
          r.positive("rate", d.b);
        } else {
          const double scale = r.get("scale");
          r.positive("scale", scale);
          d.b = 1.0 / scale;
        }
      }
      break;
    case DistributionKind::lognormal:
      r.require_one_of({{"meanlog", "sdlog"}, {"mean", "se"}});
      if (r.has("mean")) {
        const double m = r.get("mean"), se = r.get("se");
        r.positive("mean", m);
        r.positive("se", se);
        d.b = std::sqrt(std::log(1 + se * se / (m * m)));
        d.a = std::log(m) - d.b * d.b / 2;
      } else {
        d.a = r.get("meanlog");
        d.b = r.get("sdlog");
        r.positive("sdlog", d.b);
      }
      break;
    case DistributionKind::normal:
      r.require_one_of({{"mean", "sd"}, {"mean", "se"}});
      d.a = r.get("mean");
      d.b = r.has("sd") ? r.get("sd") : r.get("se");
      r.positive(r.has("sd") ? "sd" : "se", d.b);
      break;
    case DistributionKind::uniform:
      r.require_one_of({{"min", "max"}});
      d.a = r.get("min");
      d.b = r.get("max");
      if (!(d.a < d.b)) r.fail("max", fmt::format("min {} is not below max {}", d.a, d.b), "min < max");
      break;
    case DistributionKind::triangular:
    case DistributionKind::pert:
      r.require_one_of({{"min", "mode", "max"}});
      d.a = r.get("min");
      d.b = r.get("mode");
      d.c = r.get("max");
      if (!(d.a < d.c) || d.b < d.a || d.b > d.c)
        r.fail("mode", fmt::format("min {}, mode {}, max {} are not ordered", d.a, d.b, d.c), "min <= mode <= max, min < max");
      break;
    case DistributionKind::bernoulli:
      r.require_one_of({{"p"}});
      d.a = r.get("p");
      if (d.a < 0 || d.a > 1) r.fail("p", fmt::format("p = {} is outside [0, 1]", d.a), "a probability in [0, 1]");
      break;
    case DistributionKind::categorical:
    case DistributionKind::dirichlet: {
      const bool categorical = spec.kind == DistributionKind::categorical;
      if (!spec.arguments.empty() || spec.vector_argument.size() < 2)
        throw ScenarioError(spec.where, fmt::format("{} distribution needs a list of at least two values", to_string(spec.kind)),
                            categorical ? "probabilities: [p0, p1, ...]" : "alpha: [a0, a1, ...]");
      double total = 0;
      for (const auto& e : spec.vector_argument) {
        const double v = evaluate(e);
        if (!std::isfinite(v) || v < 0 || (!categorical && v <= 0))
          throw ScenarioError(e.where, fmt::format("{} distribution: value {} is not allowed", to_string(spec.kind), v),
                              categorical ? "probabilities in [0, 1]" : "positive concentrations");
        d.weights.push_back(v);
        total += v;
      }
      if (categorical && std::abs(total - 1.0) > 1e-9)
        throw ScenarioError(spec.where, fmt::format("categorical probabilities sum to {:.12g}", total), "probabilities summing to 1");
      break;
    }
  }
  if (spec.has_lower || spec.has_upper) {
    if (spec.kind != DistributionKind::normal && spec.kind != DistributionKind::lognormal &&
        spec.kind != DistributionKind::gamma && spec.kind != DistributionKind::beta)
      throw ScenarioError(spec.where, fmt::format("{} distribution cannot be truncated", to_string(spec.kind)),
                          "lower/upper only with normal, lognormal, gamma or beta");
    if (spec.has_lower) d.lower = evaluate(spec.lower);
    if (spec.has_upper) d.upper = evaluate(spec.upper);
    if (!(d.lower < d.upper))
      throw ScenarioError(spec.upper.where, fmt::format("truncation bounds [{}, {}] are empty", d.lower, d.upper), "lower < upper");
  }
  return d;
}

}  // namespace hemsim
