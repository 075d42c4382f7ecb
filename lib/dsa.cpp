#include "hemsim/dsa.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

#include "expression_engine.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"

namespace hemsim {

namespace {

struct Resolved {
  int strategy, comparator, perspective;
  double wtp;
};

Resolved resolve(const Scenario& s, const DsaOptions& o) {
  const int K = static_cast<int>(s.strategies.size());
  Resolved r{o.strategy < 0 ? K - 1 : o.strategy, o.comparator < 0 ? s.strategy_index(s.settings.reference_strategy) : o.comparator,
             o.perspective, o.willingness_to_pay};
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

}  // namespace

Evaluation evaluate(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options) {
  const Resolved r = resolve(scenario, options);
  const RunResults run = simulate(compile_model(scenario, overrides), options.simulation);
  Evaluation e;
  const bool qalys = scenario.settings.icer_effect == EffectMeasure::qalys;
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
  return e;
}

OneWayAnalysis one_way_sensitivity(const Scenario& scenario, const DsaOptions& options) {
  OneWayAnalysis analysis;
  analysis.base = evaluate(scenario, {}, options);
  for (const auto& p : scenario.parameters) {
    if (!p.has_range) continue;
    if (p.is_formula)
      throw ScenarioError(p.range_low.where, fmt::format("'{}' is derived and cannot have a DSA range", p.name), "a range on a plain parameter");
    OneWayResult row;
    row.parameter = p.name;
    row.source = p.source;
    row.base_value = base_value(scenario, p.name);
    std::tie(row.low_value, row.high_value) = range_of(scenario, p);
    row.low = evaluate(scenario, {{p.name, row.low_value}}, options);
    row.high = evaluate(scenario, {{p.name, row.high_value}}, options);
    row.net_benefit_swing = std::abs(row.high.incremental_net_benefit - row.low.incremental_net_benefit);
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
    std::vector<double> nb;
    std::vector<int> best;
    for (double b : t.values_b) {
      const Evaluation e = evaluate(scenario, {{parameter_a, a}, {parameter_b, b}}, options);
      nb.push_back(e.incremental_net_benefit);
      best.push_back(e.optimal_strategy);
    }
    t.incremental_net_benefit.push_back(std::move(nb));
    t.optimal_strategy.push_back(std::move(best));
  }
  return t;
}

std::vector<VariantResult> scenario_analysis(const Scenario& scenario, const DsaOptions& options, const std::vector<ScenarioVariant>& variants) {
  std::vector<VariantResult> out;
  for (const auto& v : variants) {
    Scenario changed = scenario;
    v.apply(changed);
    out.push_back({v.name, evaluate(changed, {}, options)});
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
  ThresholdResult result;
  result.parameter = parameter;
  auto optimal = [&](double v) { return evaluate(scenario, {{parameter, v}}, options).optimal_strategy; };
  double previous_value = low;
  int previous = optimal(low);
  result.optimal_below = result.optimal_above = previous;
  for (int i = 1; i <= grid; ++i) {
    const double v = low + (high - low) * i / grid;
    const int now = optimal(v);
    if (now != previous) {
      // Bisection between the last two grid points.
      double a = previous_value, b = v;
      while (b - a > tolerance * (high - low)) {
        const double mid = 0.5 * (a + b);
        (optimal(mid) == previous ? a : b) = mid;
      }
      result.threshold = 0.5 * (a + b);
      result.optimal_below = previous;
      result.optimal_above = now;
      return result;
    }
    previous_value = v;
  }
  return result;
}

std::vector<PricePoint> value_based_price(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                          const std::vector<double>& thresholds) {
  const Resolved r = resolve(scenario, options);
  const double p0 = base_value(scenario, price_parameter);
  const double p1 = p0 == 0 ? 1000.0 : 2 * p0;
  const Evaluation e0 = evaluate(scenario, {{price_parameter, p0}}, options);
  const Evaluation e1 = evaluate(scenario, {{price_parameter, p1}}, options);
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
    const double price = p0 + (w * e0.effects[s] - e0.costs[s] - best) / slope;
    DsaOptions check = options;
    check.comparator = next_best;
    check.strategy = static_cast<int>(s);
    const Evaluation at_price = evaluate(scenario, {{price_parameter, price}}, check);
    prices.push_back({w, price, next_best, at_price.icer});
  }
  return prices;
}

}  // namespace hemsim
