#include "hemsim/dsa.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <limits>

#include "scenario/expression_engine.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/paired.hpp"

namespace hemsim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Resolved {
  int strategy, comparator, perspective;
  double wtp;
  EffectMeasure measure;
};

Resolved resolve(const Scenario& s, const DsaOptions& o) {
  const int K = static_cast<int>(s.strategies.size());
  Resolved r{o.strategy < 0 ? K - 1 : o.strategy, o.comparator < 0 ? s.strategy_index(s.settings.reference_strategy) : o.comparator,
             o.perspective, o.willingness_to_pay, s.settings.icer_effect};
  if (r.wtp <= 0) r.wtp = s.settings.willingness_to_pay.empty() ? 100000.0 : s.settings.willingness_to_pay.front();
  if (r.strategy >= K || r.comparator >= K || r.comparator < 0 || r.perspective < 0 ||
      r.perspective >= static_cast<int>(s.perspectives.size()))
    throw ScenarioError({s.file, 0, 0, "strategies"}, "the strategy, comparator or perspective to compare does not exist",
                        fmt::format("strategy and comparator in 0..{}", K - 1));
  return r;
}

// The base-case value of a plain parameter, and its DSA range.
double base_value(const Scenario& s, const std::string& name) {
  const Parameter* p = s.find_parameter(name);
  if (!p) throw ScenarioError({s.file, 0, 0, "parameters"}, fmt::format("unknown parameter '{}'", name), "a parameter of the scenario");
  if (p->is_formula)
    throw ScenarioError(p->where, fmt::format("'{}' is derived (a formula) and cannot be varied directly", name), "a plain parameter");
  return std::stod(p->value.text);
}

std::pair<double, double> range_of(const Scenario& s, const Parameter& p) {
  detail::ExpressionContext ctx(s.tables);
  const ParameterValues base = evaluate_parameters(s, std::max(0, s.strategy_index(s.settings.reference_strategy)));
  for (std::size_t i = 0; i < base.names.size(); ++i) ctx.value(ctx.declare(base.names[i])) = base.values[i];
  ctx.value(ctx.declare("cycle_years")) = s.settings.cycle_length_years;
  return {ctx.evaluate(ctx.compile(p.range_low, "range")), ctx.evaluate(ctx.compile(p.range_high, "range"))};
}

// Terms of sign x the INMB of `strategy` vs `comparator` in `run` (the options' perspective,
// threshold and effect measure).
std::vector<PairedTerm> inmb_terms(const RunResults& run, const Resolved& r, int strategy, int comparator, double sign = 1.0) {
  return net_benefit_terms(run, strategy, comparator, r.perspective, r.wtp, r.measure, sign);
}

// MCSE of (INMB in `to`) - (INMB in `from`), paired over the individuals the runs share.
// Each run's terms form a group, so identical runs give exactly 0.
double change_mcse(const RunResults& to, const RunResults& from, const Resolved& r) {
  return paired_estimate({inmb_terms(to, r, r.strategy, r.comparator, +1.0), inmb_terms(from, r, r.strategy, r.comparator, -1.0)}).mcse;
}

}  // namespace

Evaluation evaluate(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options) {
  return evaluate_run(scenario, overrides, options).evaluation;
}

EvaluatedRun evaluate_run(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options) {
  const Resolved r = resolve(scenario, options);
  EvaluatedRun out{{}, simulate(compile_model(scenario, overrides), options.simulation)};
  const RunResults& run = out.run;
  Evaluation& e = out.evaluation;
  const bool qalys = r.measure == EffectMeasure::qalys;
  for (const auto& o : run.strategies) {
    e.costs.push_back(o.costs_by_perspective[static_cast<std::size_t>(r.perspective)].discounted.mean);
    e.effects.push_back(qalys ? o.qalys.discounted.mean : o.life_years.discounted.mean);
  }
  const auto a = static_cast<std::size_t>(r.strategy), b = static_cast<std::size_t>(r.comparator);
  e.incremental_cost = e.costs[a] - e.costs[b];
  e.incremental_effect = e.effects[a] - e.effects[b];
  e.icer = e.incremental_cost / e.incremental_effect;
  e.incremental_net_benefit = r.wtp * e.incremental_effect - e.incremental_cost;
  double best = -INFINITY;
  for (std::size_t k = 0; k < e.costs.size(); ++k) {
    const double nb = r.wtp * e.effects[k] - e.costs[k];
    if (nb > best) {
      best = nb;
      e.optimal_strategy = static_cast<int>(k);
    }
  }
  e.incremental_cost_mcse = paired_estimate(incremental_cost_terms(run, r.strategy, r.comparator, r.perspective)).mcse;
  e.incremental_effect_mcse = paired_estimate(incremental_effect_terms(run, r.strategy, r.comparator, r.measure)).mcse;
  e.incremental_net_benefit_mcse = paired_estimate(inmb_terms(run, r, r.strategy, r.comparator)).mcse;
  return out;
}

OneWayAnalysis one_way_sensitivity(const Scenario& scenario, const DsaOptions& options) {
  const Resolved r = resolve(scenario, options);
  OneWayAnalysis analysis;
  const EvaluatedRun base = evaluate_run(scenario, {}, options);
  analysis.base = base.evaluation;
  for (const auto& p : scenario.parameters) {
    if (!p.has_range) continue;
    if (p.is_formula)
      throw ScenarioError(p.range_low.where, fmt::format("'{}' is derived and cannot have a DSA range", p.name), "a range on a plain parameter");
    OneWayResult row;
    row.parameter = p.name;
    row.source = p.source;
    row.base_value = base_value(scenario, p.name);
    std::tie(row.low_value, row.high_value) = range_of(scenario, p);
    // Both ends are kept only while their differences are paired with the base run.
    const EvaluatedRun low = evaluate_run(scenario, {{p.name, row.low_value}}, options);
    const EvaluatedRun high = evaluate_run(scenario, {{p.name, row.high_value}}, options);
    row.low = low.evaluation;
    row.high = high.evaluation;
    row.net_benefit_swing = std::abs(row.high.incremental_net_benefit - row.low.incremental_net_benefit);
    row.low_change_mcse = change_mcse(low.run, base.run, r);
    row.high_change_mcse = change_mcse(high.run, base.run, r);
    row.swing_mcse = change_mcse(high.run, low.run, r);
    row.within_noise = within_noise(row.net_benefit_swing, row.swing_mcse);
    row.low_within_noise = within_noise(row.low.incremental_net_benefit - analysis.base.incremental_net_benefit, row.low_change_mcse);
    row.high_within_noise = within_noise(row.high.incremental_net_benefit - analysis.base.incremental_net_benefit, row.high_change_mcse);
    analysis.parameters.push_back(std::move(row));
  }
  std::stable_sort(analysis.parameters.begin(), analysis.parameters.end(),
                   [](const OneWayResult& a, const OneWayResult& b) { return a.net_benefit_swing > b.net_benefit_swing; });
  return analysis;
}

TwoWayAnalysis two_way_sensitivity(const Scenario& scenario, const DsaOptions& options, const std::string& parameter_a,
                                   const std::string& parameter_b, int steps) {
  if (steps < 2) throw ScenarioError({scenario.file, 0, 0, "--steps"}, "a two-way grid needs at least 2 steps", "steps >= 2");
  TwoWayAnalysis t;
  t.parameter_a = parameter_a;
  t.parameter_b = parameter_b;
  auto grid = [&](const std::string& name) {
    (void)base_value(scenario, name);
    const Parameter* p = scenario.find_parameter(name);
    if (!p->has_range) throw ScenarioError(p->where, fmt::format("'{}' has no DSA range", name), "range: [low, high]");
    const auto [low, high] = range_of(scenario, *p);
    std::vector<double> values;
    for (int i = 0; i < steps; ++i) values.push_back(low + (high - low) * i / (steps - 1));
    return values;
  };
  t.values_a = grid(parameter_a);
  t.values_b = grid(parameter_b);
  for (double a : t.values_a) {
    std::vector<double> nb, nb_mcse;
    std::vector<int> best;
    for (double b : t.values_b) {
      const Evaluation e = evaluate(scenario, {{parameter_a, a}, {parameter_b, b}}, options);
      nb.push_back(e.incremental_net_benefit);
      nb_mcse.push_back(e.incremental_net_benefit_mcse);
      best.push_back(e.optimal_strategy);
    }
    t.incremental_net_benefit.push_back(std::move(nb));
    t.incremental_net_benefit_mcse.push_back(std::move(nb_mcse));
    t.optimal_strategy.push_back(std::move(best));
  }
  return t;
}

std::vector<VariantResult> scenario_analysis(const Scenario& scenario, const DsaOptions& options, const std::vector<ScenarioVariant>& variants) {
  std::vector<VariantResult> out;
  if (variants.empty()) return out;
  const Resolved r = resolve(scenario, options);
  const EvaluatedRun base = evaluate_run(scenario, {}, options);
  for (const auto& v : variants) {
    Scenario changed = scenario;
    v.apply(changed);
    const EvaluatedRun run = evaluate_run(changed, {}, options);
    out.push_back({v.name, run.evaluation, run.evaluation.incremental_net_benefit - base.evaluation.incremental_net_benefit,
                   change_mcse(run.run, base.run, r)});
  }
  return out;
}

std::vector<ScenarioVariant> horizon_variants(const std::vector<double>& years) {
  std::vector<ScenarioVariant> out;
  for (double y : years)
    out.push_back({fmt::format("horizon {:g} years", y), [y](Scenario& s) {
                     s.settings.lifetime = false;
                     s.settings.horizon_cycles = std::max(1, static_cast<int>(std::ceil(y / s.settings.cycle_length_years - 1e-9)));
                   }});
  return out;
}

std::vector<ScenarioVariant> discount_variants(const std::vector<double>& rates) {
  std::vector<ScenarioVariant> out;
  for (double r : rates)
    out.push_back({fmt::format("discount {:g}%", 100 * r), [r](Scenario& s) {
                     s.settings.discount_costs = r;
                     s.settings.discount_effects = r;
                   }});
  return out;
}

ThresholdResult threshold_analysis(const Scenario& scenario, const DsaOptions& options, const std::string& parameter, double low,
                                   double high, int grid, double tolerance) {
  (void)base_value(scenario, parameter);
  if (!(low < high) || grid < 2)
    throw ScenarioError({scenario.file, 0, 0, parameter}, "threshold analysis needs low < high and a grid of at least 2", "[low, high]");
  const Resolved r = resolve(scenario, options);
  ThresholdResult result;
  result.parameter = parameter;
  auto run_at = [&](double v) { return evaluate_run(scenario, {{parameter, v}}, options); };
  auto optimal = [&](double v) { return evaluate(scenario, {{parameter, v}}, options).optimal_strategy; };
  double previous_value = low;
  EvaluatedRun previous = run_at(low);
  result.optimal_below = result.optimal_above = previous.evaluation.optimal_strategy;
  for (int i = 1; i <= grid; ++i) {
    const double v = low + (high - low) * i / grid;
    EvaluatedRun now = run_at(v);
    if (now.evaluation.optimal_strategy != previous.evaluation.optimal_strategy) {
      const int below = previous.evaluation.optimal_strategy, above = now.evaluation.optimal_strategy;
      // Bisection between the last two grid points.
      double a = previous_value, b = v;
      while (b - a > tolerance * (high - low)) {
        const double mid = 0.5 * (a + b);
        (optimal(mid) == below ? a : b) = mid;
      }
      result.threshold = 0.5 * (a + b);
      result.optimal_below = below;
      result.optimal_above = above;
      // Delta method: the MCSE of the tie D = NB_above - NB_below at the threshold over
      // the slope of D between the bracketing grid points (a secant: a microsimulation's
      // D is a step function of the parameter at a finer scale).
      auto tie = [&](const RunResults& run) { return paired_estimate(inmb_terms(run, r, above, below)); };
      const double slope = (tie(now.run).mean - tie(previous.run).mean) / (v - previous_value);
      const double tie_mcse = tie(run_at(*result.threshold).run).mcse;
      result.threshold_mcse = tie_mcse == 0 ? 0.0 : slope != 0 ? tie_mcse / std::abs(slope) : kNaN;
      return result;
    }
    previous_value = v;
    previous = std::move(now);
  }
  result.threshold_mcse = kNaN;
  return result;
}

std::vector<PricePoint> value_based_price(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                          const std::vector<double>& thresholds) {
  const Resolved r = resolve(scenario, options);
  const double p0 = base_value(scenario, price_parameter);
  const double p1 = p0 == 0 ? 1000.0 : 2 * p0;
  const EvaluatedRun run0 = evaluate_run(scenario, {{price_parameter, p0}}, options);
  const EvaluatedRun run1 = evaluate_run(scenario, {{price_parameter, p1}}, options);
  const Evaluation& e0 = run0.evaluation;
  const Evaluation& e1 = run1.evaluation;
  const auto s = static_cast<std::size_t>(r.strategy);
  const double slope = (e1.costs[s] - e0.costs[s]) / (p1 - p0);  // discounted cost per unit of price
  if (!(slope > 0))
    throw ScenarioError({scenario.file, 0, 0, price_parameter},
                        fmt::format("the costs of '{}' do not increase with '{}'", scenario.strategies[s].name, price_parameter),
                        "a price parameter used in the strategy's costs");
  for (std::size_t k = 0; k < e0.costs.size(); ++k)
    if (k != s && e0.costs[k] != e1.costs[k])
      throw ScenarioError({scenario.file, 0, 0, price_parameter},
                          fmt::format("'{}' also changes the costs of '{}'", price_parameter, scenario.strategies[k].name),
                          "a price parameter used only by the priced strategy");
  const int cost_value = BatchValue::cost(r.perspective, true, static_cast<int>(run0.run.perspectives.size()));
  std::vector<PricePoint> prices;
  for (double w : thresholds) {
    // NB_s(price) = w E_s - (C_s(p0) + slope (price - p0)) equals the best other NB.
    double best = -INFINITY;
    int next_best = 0;
    for (std::size_t k = 0; k < e0.costs.size(); ++k) {
      if (k == s) continue;
      const double nb = w * e0.effects[k] - e0.costs[k];
      if (nb > best) {
        best = nb;
        next_best = static_cast<int>(k);
      }
    }
    const double headroom = w * e0.effects[s] - e0.costs[s] - best;  // INMB against next_best at p0
    const double price = p0 + headroom / slope;
    // Delta method for headroom / slope, linearised per batch: (N_b - (N / S) S_b) / S,
    // with S_b = (C_s,b(p1) - C_s,b(p0)) / (p1 - p0).
    Resolved at_w = r;
    at_w.wtp = w;
    const double slope_weight = headroom / (slope * slope) / (p1 - p0);
    const double price_mcse = paired_estimate({inmb_terms(run0.run, at_w, r.strategy, next_best, 1.0 / slope),
                                               {PairedTerm{&run1.run, r.strategy, cost_value, -slope_weight},
                                                PairedTerm{&run0.run, r.strategy, cost_value, slope_weight}}})
                                  .mcse;
    // A negative price (not cost-effective even if free; or 0 less rounding at a threshold
    // of 0) cannot be re-run, since a scenario's costs must not be negative: no check then.
    if (!(price >= 0)) {
      prices.push_back({w, price, next_best, kNaN, price_mcse, kNaN});
      continue;
    }
    DsaOptions check = options;
    check.comparator = next_best;
    check.strategy = static_cast<int>(s);
    const EvaluatedRun at_price = evaluate_run(scenario, {{price_parameter, price}}, check);
    // ICER = dC / dE at that price; delta method: MCSE of (dC - ICER dE) / dE.
    const Evaluation& c = at_price.evaluation;
    const double icer_mcse =
        c.incremental_effect == 0
            ? kNaN
            : paired_estimate({incremental_cost_terms(at_price.run, r.strategy, next_best, r.perspective, 1.0 / c.incremental_effect),
                               incremental_effect_terms(at_price.run, r.strategy, next_best, r.measure, -c.icer / c.incremental_effect)})
                  .mcse;
    prices.push_back({w, price, next_best, c.icer, price_mcse, icer_mcse});
  }
  return prices;
}

}  // namespace hemsim
