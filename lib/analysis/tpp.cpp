// Target product profile: the value-based price over a grid of two parameters, and the
// evidence thresholds at an assumed price. Costs are linear in a price for every
// individual, so two runs per grid point (base price p0 and p1, same random numbers)
// give every threshold's price in every perspective exactly; the break-even price is
// the value-based price at a threshold of 0.

#include "hemsim/tpp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/paired.hpp"

namespace hemsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double plain_value(const Scenario& s, const std::string& name, const std::string& option) {
  const Parameter* p = s.find_parameter(name);
  if (!p) throw ScenarioError({s.file, 0, 0, option}, fmt::format("unknown parameter '{}'", name), "a parameter of the scenario");
  if (p->is_formula)
    throw ScenarioError(p->where, fmt::format("'{}' is derived (a formula) and cannot be varied directly", name), "a plain parameter");
  return std::stod(p->value.text);
}

double effect_of(const StrategyOutcomes& o, EffectMeasure m) {
  return m == EffectMeasure::qalys ? o.qalys.discounted.mean : o.life_years.discounted.mean;
}

// The means of one grid point's two runs (at prices p0 and p1).
struct PointMeans {
  std::vector<std::vector<double>> costs;  // [perspective][strategy], discounted, at p0
  std::vector<double> effects;             // [strategy]
  std::vector<double> slope, doses;        // [perspective]: discounted / undiscounted cost of the strategy per unit of price
};

struct Context {
  const Scenario& scenario;
  const DsaOptions& options;
  const TppOptions& tpp;
  int strategy, perspectives;
  EffectMeasure measure;
  double p0, p1;
};

RunResults run_at(const Context& c, ParameterOverrides overrides) {
  return simulate(compile_model(c.scenario, overrides), c.options.simulation);
}

PointMeans means_of(const Context& c, const RunResults& r0, const RunResults& r1) {
  PointMeans m;
  const auto s = static_cast<std::size_t>(c.strategy);
  for (const auto& o : r0.strategies) m.effects.push_back(effect_of(o, c.measure));
  for (int p = 0; p < c.perspectives; ++p) {
    const auto pp = static_cast<std::size_t>(p);
    std::vector<double> costs;
    for (std::size_t k = 0; k < r0.strategies.size(); ++k) {
      costs.push_back(r0.strategies[k].costs_by_perspective[pp].discounted.mean);
      if (k != s && costs.back() != r1.strategies[k].costs_by_perspective[pp].discounted.mean)
        throw ScenarioError({c.scenario.file, 0, 0, c.tpp.price_parameter},
                            fmt::format("'{}' also changes the costs of '{}'", c.tpp.price_parameter, c.scenario.strategies[k].name),
                            "a price parameter used only by the priced strategy");
    }
    m.costs.push_back(std::move(costs));
    const auto& a = r0.strategies[s].costs_by_perspective[pp];
    const auto& b = r1.strategies[s].costs_by_perspective[pp];
    m.slope.push_back((b.discounted.mean - a.discounted.mean) / (c.p1 - c.p0));
    m.doses.push_back((b.undiscounted.mean - a.undiscounted.mean) / (c.p1 - c.p0));
  }
  return m;
}

// The strategy other than `strategy` with the highest net benefit at w, and that benefit.
std::pair<int, double> best_other(const PointMeans& m, int strategy, int p, double w) {
  std::pair<int, double> best{-1, -INFINITY};
  for (std::size_t k = 0; k < m.effects.size(); ++k) {
    const double nb = w * m.effects[k] - m.costs[static_cast<std::size_t>(p)][k];
    if (static_cast<int>(k) != strategy && nb > best.second) best = {static_cast<int>(k), nb};
  }
  return best;
}

// The means with the strategy's costs moved to price `price` (costs are linear in it).
PointMeans at_price(const Context& c, PointMeans m, double price) {
  for (std::size_t p = 0; p < m.costs.size(); ++p) m.costs[p][static_cast<std::size_t>(c.strategy)] += m.slope[p] * (price - c.p0);
  return m;
}

// Means of a run at the assumed price itself (nothing to move).
PointMeans means_at(const Context& c, const RunResults& run) {
  PointMeans m;
  for (const auto& o : run.strategies) m.effects.push_back(effect_of(o, c.measure));
  for (int p = 0; p < c.perspectives; ++p) {
    m.costs.emplace_back();
    for (const auto& o : run.strategies) m.costs.back().push_back(o.costs_by_perspective[static_cast<std::size_t>(p)].discounted.mean);
  }
  m.slope.assign(static_cast<std::size_t>(c.perspectives), 0.0);
  m.doses = m.slope;
  return m;
}

// INMB of the strategy against the best other strategy.
double net_benefit(const Context& c, const PointMeans& m, int p, double w) {
  return w * m.effects[static_cast<std::size_t>(c.strategy)] - m.costs[static_cast<std::size_t>(p)][static_cast<std::size_t>(c.strategy)] -
         best_other(m, c.strategy, p, w).second;
}

// Prices at one point: with N the INMB at p0 against the next best and S the slope,
// price = p0 + N / S; its MCSE linearised per batch as (N_b - (N / S) S_b) / S (as
// value_based_price). Per patient: price x D (D the undiscounted slope), linearised as
// D (price terms) + price (D terms).
SurfacePoint point_prices(const Context& c, const PointMeans& m, const RunResults& r0, const RunResults& r1, double a, double b) {
  SurfacePoint point{a, b, {}, {}};
  const double dp = c.p1 - c.p0;
  const int np = c.perspectives;
  for (int p = 0; p < np; ++p) {
    const auto pp = static_cast<std::size_t>(p);
    const int undiscounted = BatchValue::cost(p, false, np), discounted = BatchValue::cost(p, true, np);
    const std::vector<PairedTerm> dose_terms{{&r1, c.strategy, undiscounted, 1.0 / dp}, {&r0, c.strategy, undiscounted, -1.0 / dp}};
    point.doses_per_patient.push_back({m.doses[pp], paired_estimate({dose_terms}).mcse});
    std::vector<double> levels{0.0};
    levels.insert(levels.end(), c.tpp.thresholds.begin(), c.tpp.thresholds.end());
    for (double w : levels) {
      const auto [next_best, best] = best_other(m, c.strategy, p, w);
      SurfacePrice price{p, w, next_best, kNaN, kNaN, kNaN, kNaN};
      const double S = m.slope[pp];
      if (S > 0) {
        const double headroom =
            w * m.effects[static_cast<std::size_t>(c.strategy)] - m.costs[pp][static_cast<std::size_t>(c.strategy)] - best;
        price.per_dose = c.p0 + headroom / S;
        const double slope_weight = headroom / (S * S) / dp;
        auto scaled = [](std::vector<PairedTerm> terms, double factor) {
          for (auto& t : terms) t.weight *= factor;
          return terms;
        };
        const std::vector<PairedTerm> nb = net_benefit_terms(r0, c.strategy, next_best, p, w, c.measure, 1.0 / S);
        const std::vector<PairedTerm> sl{{&r1, c.strategy, discounted, -slope_weight}, {&r0, c.strategy, discounted, slope_weight}};
        price.per_dose_mcse = paired_estimate({nb, sl}).mcse;
        const double D = m.doses[pp];
        price.per_patient = price.per_dose * D;
        price.per_patient_mcse = paired_estimate({scaled(nb, D), scaled(sl, D), scaled(dose_terms, price.per_dose)}).mcse;
      }
      point.prices.push_back(price);
    }
  }
  return point;
}

// One line of the evidence search: the parameter varied over `values` with INMB at the
// assumed price `inmb` there, the other held at `held_value`.
struct Line {
  const SurfaceAxis* varied;
  const SurfaceAxis* held;
  double held_value;
  bool held_at_base;
  std::vector<double> values, inmb;
};

EvidenceThreshold refine(const Context& c, const Line& line, double w, double price) {
  const int p = c.options.perspective;
  EvidenceThreshold e;
  e.parameter = line.varied->parameter;
  e.held = line.held->parameter;
  e.held_value = line.held_value;
  e.held_at_base = line.held_at_base;
  e.willingness_to_pay = w;
  e.price = price;
  e.value_mcse = kNaN;
  e.net_benefit_at_value = e.net_benefit_at_value_mcse = kNaN;
  std::size_t i = 1;
  while (i < line.values.size() && (line.inmb[i - 1] > 0) == (line.inmb[i] > 0)) ++i;
  if (i == line.values.size()) {  // no sign change: one verdict for the whole line
    e.cost_effective_above = line.inmb.front() > 0;
    return e;
  }
  e.cost_effective_above = line.inmb[i] > 0;
  double xl = line.values[i - 1], fl = line.inmb[i - 1], xr = line.values[i], fr = line.inmb[i];
  const double grid_slope = (fr - fl) / (xr - xl);
  const bool microsim = c.options.simulation.method == Method::microsimulation;
  // Regula falsi (Illinois): each step runs the model at the interpolated root; stops
  // when the INMB there is 0 to rounding (cohort) or well within its noise (microsim),
  // or the bracket is negligible.
  const double width = xr - xl, scale = std::abs(fl) + std::abs(fr);
  int side = 0;
  for (int step = 0; step < (microsim ? 8 : 40); ++step) {
    const double x = fr == fl ? 0.5 * (xl + xr) : xr - fr * (xr - xl) / (fr - fl);
    const RunResults run =
        run_at(c, {{line.varied->parameter, x}, {line.held->parameter, line.held_value}, {c.tpp.price_parameter, price}});
    ++e.runs;
    std::vector<double> nb;
    for (const auto& o : run.strategies)
      nb.push_back(w * effect_of(o, c.measure) - o.costs_by_perspective[static_cast<std::size_t>(p)].discounted.mean);
    int next_best = -1;
    for (std::size_t k = 0; k < nb.size(); ++k)
      if (static_cast<int>(k) != c.strategy && (next_best < 0 || nb[k] > nb[static_cast<std::size_t>(next_best)]))
        next_best = static_cast<int>(k);
    const Estimate f = paired_estimate(net_benefit_terms(run, c.strategy, next_best, p, w, c.measure));
    e.value = x;
    e.next_best = next_best;
    e.net_benefit_at_value = f.mean;
    e.net_benefit_at_value_mcse = f.mcse;
    if (std::abs(f.mean) <= (microsim ? 0.1 * f.mcse : 1e-10 * scale) || xr - xl <= 1e-12 * width) break;
    if ((f.mean > 0) == (fr > 0)) {
      xr = x, fr = f.mean;
      if (side == +1) fl /= 2;
      side = +1;
    } else {
      xl = x, fl = f.mean;
      if (side == -1) fr /= 2;
      side = -1;
    }
  }
  e.value_mcse = microsim ? (grid_slope != 0 ? e.net_benefit_at_value_mcse / std::abs(grid_slope) : kNaN) : 0.0;
  return e;
}

}  // namespace

SurfaceAxis parse_surface_axis(const std::string& text, const std::string& option) {
  auto bad = [&](const std::string& why) {
    return ScenarioError({"", 0, 0, option}, fmt::format("'{}': {}", text, why), "NAME=LOW:HIGH:STEPS, e.g. p_response=0.3:0.8:6");
  };
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0) throw bad("no parameter name");
  SurfaceAxis axis;
  axis.parameter = text.substr(0, equals);
  const std::string spec = text.substr(equals + 1);
  const auto c1 = spec.find(':'), c2 = spec.find(':', c1 == std::string::npos ? c1 : c1 + 1);
  if (c1 == std::string::npos || c2 == std::string::npos) throw bad("expected LOW:HIGH:STEPS");
  double low = 0, high = 0;
  long steps = 0;
  try {
    std::size_t used = 0;
    const std::string l = spec.substr(0, c1), h = spec.substr(c1 + 1, c2 - c1 - 1), n = spec.substr(c2 + 1);
    low = std::stod(l, &used);
    if (used != l.size()) throw bad("LOW is not a number");
    high = std::stod(h, &used);
    if (used != h.size()) throw bad("HIGH is not a number");
    steps = std::stol(n, &used);
    if (used != n.size()) throw bad("STEPS is not a whole number");
  } catch (const std::logic_error&) {
    throw bad("LOW, HIGH and STEPS must be numbers");
  }
  if (!(std::isfinite(low) && std::isfinite(high) && low < high)) throw bad("LOW must be below HIGH");
  if (steps < 2 || steps > 1000) throw bad("STEPS must be 2 to 1000");
  for (long i = 0; i < steps; ++i) axis.values.push_back(low + (high - low) * static_cast<double>(i) / static_cast<double>(steps - 1));
  return axis;
}

PriceSurface price_surface(const Scenario& scenario, const DsaOptions& options, const TppOptions& tpp) {
  const int K = static_cast<int>(scenario.strategies.size());
  const int np = static_cast<int>(scenario.perspectives.size());
  PriceSurface out;
  out.strategy = options.strategy < 0 ? K - 1 : options.strategy;
  if (out.strategy >= K || options.perspective < 0 || options.perspective >= np)
    throw ScenarioError({scenario.file, 0, 0, "strategies"}, "the strategy or perspective to price does not exist",
                        "a strategy and perspective of the scenario");
  for (double w : tpp.thresholds)
    if (!(w > 0) || !std::isfinite(w))
      throw ScenarioError({scenario.file, 0, 0, "--wtp"}, fmt::format("threshold {} is not a positive number", w), "thresholds > 0");
  out.price_parameter = tpp.price_parameter;
  out.base_price = plain_value(scenario, tpp.price_parameter, "--parameter");
  out.thresholds = tpp.thresholds;
  out.perspectives = scenario.perspectives;
  out.effect_measure = scenario.settings.icer_effect == EffectMeasure::qalys ? "qalys" : "life_years";
  for (const auto& st : scenario.strategies) out.strategies.push_back(st.name);
  out.axis_a = tpp.axis_a;
  out.axis_b = tpp.axis_b;
  for (SurfaceAxis* axis : {&out.axis_a, &out.axis_b}) {
    if (axis->parameter == tpp.price_parameter)
      throw ScenarioError({scenario.file, 0, 0, "--surface"}, "the surface cannot vary the price itself",
                          "two parameters other than the price");
    if (axis->values.size() < 2)
      throw ScenarioError({scenario.file, 0, 0, "--surface"}, "an axis needs at least 2 values", "NAME=LOW:HIGH:STEPS");
    axis->base_value = plain_value(scenario, axis->parameter, "--surface");
  }
  if (out.axis_a.parameter == out.axis_b.parameter)
    throw ScenarioError({scenario.file, 0, 0, "--surface"}, "the two surface parameters are the same", "two different parameters");
  out.assumed_price = tpp.assumed_price;
  out.evidence_perspective = options.perspective;
  if (tpp.assumed_price && !(*tpp.assumed_price >= 0 && std::isfinite(*tpp.assumed_price)))
    throw ScenarioError({scenario.file, 0, 0, "--at-price"}, "the assumed price must be a number >= 0", "a price >= 0");

  const double p0 = out.base_price;
  const Context c{scenario, options, tpp, out.strategy, np, scenario.settings.icer_effect, p0, p0 == 0 ? 1000.0 : 2 * p0};
  const std::string& a = out.axis_a.parameter;
  const std::string& b = out.axis_b.parameter;
  std::vector<PointMeans> means;
  for (double va : out.axis_a.values)
    for (double vb : out.axis_b.values) {
      const RunResults r0 = run_at(c, {{a, va}, {b, vb}, {tpp.price_parameter, c.p0}});
      const RunResults r1 = run_at(c, {{a, va}, {b, vb}, {tpp.price_parameter, c.p1}});
      means.push_back(means_of(c, r0, r1));
      if (!(means.back().slope[static_cast<std::size_t>(options.perspective)] > 0))
        throw ScenarioError({scenario.file, 0, 0, tpp.price_parameter},
                            fmt::format("the costs of '{}' do not increase with '{}' (at {} = {}, {} = {})",
                                        out.strategies[static_cast<std::size_t>(c.strategy)], tpp.price_parameter, a, va, b, vb),
                            "a price parameter used in the strategy's costs");
      out.points.push_back(point_prices(c, means.back(), r0, r1, va, vb));
    }
  if (!tpp.assumed_price) return out;

  // Evidence thresholds: INMB at the assumed price along each grid row and column (from
  // the grid's runs), and along each axis with the other at its base value (new runs).
  const double price = *tpp.assumed_price;
  const int p = options.perspective;
  const std::size_t na = out.axis_a.values.size(), nb = out.axis_b.values.size();
  std::vector<PointMeans> at_assumed;  // the grid's means moved to the assumed price
  for (const auto& m : means) at_assumed.push_back(at_price(c, m, price));
  // Along each axis with the other at its base value: one run per value, at the price.
  auto base_line = [&](const SurfaceAxis& varied, const SurfaceAxis& held) {
    std::vector<PointMeans> along;
    for (double v : varied.values)
      along.push_back(means_at(c, run_at(c, {{varied.parameter, v}, {held.parameter, held.base_value}, {tpp.price_parameter, price}})));
    return along;
  };
  const std::vector<PointMeans> base_a = base_line(out.axis_a, out.axis_b), base_b = base_line(out.axis_b, out.axis_a);
  for (double w : tpp.thresholds) {
    for (int varied_is_a = 1; varied_is_a >= 0; --varied_is_a) {
      const SurfaceAxis& varied = varied_is_a ? out.axis_a : out.axis_b;
      const SurfaceAxis& held = varied_is_a ? out.axis_b : out.axis_a;
      Line line{&varied, &held, held.base_value, true, varied.values, {}};
      for (const auto& m : varied_is_a ? base_a : base_b) line.inmb.push_back(net_benefit(c, m, p, w));
      out.evidence.push_back(refine(c, line, w, price));
      const std::size_t rows = varied_is_a ? nb : na;
      for (std::size_t r = 0; r < rows; ++r) {
        Line row{&varied, &held, held.values[r], false, varied.values, {}};
        for (std::size_t v = 0; v < varied.values.size(); ++v)
          row.inmb.push_back(net_benefit(c, at_assumed[varied_is_a ? v * nb + r : r * nb + v], p, w));
        out.evidence.push_back(refine(c, row, w, price));
      }
    }
  }
  return out;
}

}  // namespace hemsim
