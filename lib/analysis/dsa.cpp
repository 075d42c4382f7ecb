#include "hemsim/dsa.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <limits>
#include <optional>

#include "engine/compile_workspace.hpp"
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

// evaluate_run, compiling with `workspace`'s parsed expressions (none: fresh ones).
EvaluatedRun evaluate_run_in(detail::CompileWorkspace* workspace, const Scenario& scenario, const ParameterOverrides& overrides,
                             const DsaOptions& options) {
  const Resolved r = resolve(scenario, options);
  EvaluatedRun out{{}, simulate(detail::compile_model_in(workspace, scenario, overrides), options.simulation)};
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

// A round's job: the run with overrides, kept as the analysis uses it (what
// pack_evaluated_run keeps: no traces or events), so that a round of hundreds of runs
// stays small, and every scheduler's results are the same values.
EvaluatedRun evaluation_job(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options,
                            detail::CompileWorkspace* workspace = nullptr) {
  return unpack_evaluated_run(pack_evaluated_run(evaluate_run_in(workspace, scenario, overrides, options)));
}

// One round of the options' scheduler: the scenario at each of `points`, in order. The
// points' compiles share each thread's parsed expressions (CompileWorkspace).
std::vector<EvaluatedRun> evaluate_points(const Scenario& scenario, const std::vector<ParameterOverrides>& points, const DsaOptions& options) {
  tbb::enumerable_thread_specific<detail::CompileWorkspace> workspaces;
  return run_evaluations(options.scheduler, {points.size(), [&](std::size_t i) {
                           return evaluation_job(scenario, points[i], options, &workspaces.local());
                         }});
}

}  // namespace

Evaluation evaluate(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options) {
  return evaluate_run(scenario, overrides, options).evaluation;
}

EvaluatedRun evaluate_run(const Scenario& scenario, const ParameterOverrides& overrides, const DsaOptions& options) {
  return evaluate_run_in(nullptr, scenario, overrides, options);
}


OneWayAnalysis one_way_sensitivity(const Scenario& scenario, const DsaOptions& options) {
  const Resolved r = resolve(scenario, options);
  OneWayAnalysis analysis;
  // One round: the base case, then both ends of every ranged parameter.
  std::vector<ParameterOverrides> points{{}};
  for (const auto& p : scenario.parameters) {
    if (!p.has_range) continue;
    if (p.is_formula)
      throw ScenarioError(p.range_low.where, fmt::format("'{}' is derived and cannot have a DSA range", p.name), "a range on a plain parameter");
    OneWayResult row;
    row.parameter = p.name;
    row.source = p.source;
    row.base_value = base_value(scenario, p.name);
    std::tie(row.low_value, row.high_value) = range_of(scenario, p);
    points.push_back({{p.name, row.low_value}});
    points.push_back({{p.name, row.high_value}});
    analysis.parameters.push_back(std::move(row));
  }
  const std::vector<EvaluatedRun> runs = evaluate_points(scenario, points, options);
  const EvaluatedRun& base = runs.front();
  analysis.base = base.evaluation;
  for (std::size_t i = 0; i < analysis.parameters.size(); ++i) {
    OneWayResult& row = analysis.parameters[i];
    const EvaluatedRun& low = runs[1 + 2 * i];
    const EvaluatedRun& high = runs[2 + 2 * i];
    row.low = low.evaluation;
    row.high = high.evaluation;
    row.net_benefit_swing = std::abs(row.high.incremental_net_benefit - row.low.incremental_net_benefit);
    row.low_change_mcse = change_mcse(low.run, base.run, r);
    row.high_change_mcse = change_mcse(high.run, base.run, r);
    row.swing_mcse = change_mcse(high.run, low.run, r);
    row.within_noise = within_noise(row.net_benefit_swing, row.swing_mcse);
    row.low_within_noise = within_noise(row.low.incremental_net_benefit - analysis.base.incremental_net_benefit, row.low_change_mcse);
    row.high_within_noise = within_noise(row.high.incremental_net_benefit - analysis.base.incremental_net_benefit, row.high_change_mcse);
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
  std::vector<ParameterOverrides> points;  // one round: the whole grid, row by row
  for (double a : t.values_a)
    for (double b : t.values_b) points.push_back({{parameter_a, a}, {parameter_b, b}});
  const std::vector<EvaluatedRun> runs = evaluate_points(scenario, points, options);
  auto run = runs.begin();
  for (std::size_t i = 0; i < t.values_a.size(); ++i) {
    std::vector<double> nb, nb_mcse;
    std::vector<int> best;
    for (std::size_t j = 0; j < t.values_b.size(); ++j) {
      const Evaluation& e = (run++)->evaluation;
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
  // One round: the base case (job 0), then each variant.
  const std::vector<EvaluatedRun> runs = run_evaluations(options.scheduler, {1 + variants.size(), [&](std::size_t job) {
                                                           if (job == 0) return evaluation_job(scenario, {}, options);
                                                           Scenario changed = scenario;
                                                           variants[job - 1].apply(changed);
                                                           return evaluation_job(changed, {}, options);
                                                         }});
  const EvaluatedRun& base = runs.front();
  for (std::size_t i = 0; i < variants.size(); ++i) {
    const EvaluatedRun& run = runs[1 + i];
    out.push_back({variants[i].name, run.evaluation, run.evaluation.incremental_net_benefit - base.evaluation.incremental_net_benefit,
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
  auto run_at = [&](double v) { return std::move(evaluate_points(scenario, {{{parameter, v}}}, options).front()); };
  auto optimal = [&](double v) { return run_at(v).evaluation.optimal_strategy; };
  // The grid low, ..., high in rounds of as many points as the scheduler runs at once
  // (the search stops at the first change, so points past it need not run).
  const std::size_t round = std::max<std::size_t>(1, options.scheduler.concurrency);
  std::optional<EvaluatedRun> previous;
  double previous_value = low;
  for (int first = 0; first <= grid; first += static_cast<int>(round)) {
    std::vector<ParameterOverrides> points;
    std::vector<double> values;
    for (int i = first; i <= grid && values.size() < round; ++i) {
      values.push_back(i == 0 ? low : low + (high - low) * i / grid);
      points.push_back({{parameter, values.back()}});
    }
    std::vector<EvaluatedRun> runs = evaluate_points(scenario, points, options);
    for (std::size_t j = 0; j < runs.size(); ++j) {
      EvaluatedRun& now = runs[j];
      const double v = values[j];
      if (!previous) {
        result.optimal_below = result.optimal_above = now.evaluation.optimal_strategy;
      } else if (now.evaluation.optimal_strategy != previous->evaluation.optimal_strategy) {
        const int below = previous->evaluation.optimal_strategy, above = now.evaluation.optimal_strategy;
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
        const double slope = (tie(now.run).mean - tie(previous->run).mean) / (v - previous_value);
        const double tie_mcse = tie(run_at(*result.threshold).run).mcse;
        result.threshold_mcse = tie_mcse == 0 ? 0.0 : slope != 0 ? tie_mcse / std::abs(slope) : kNaN;
        return result;
      }
      previous_value = v;
      previous = std::move(now);
    }
  }
  result.threshold_mcse = kNaN;
  return result;
}

std::vector<PricePoint> value_based_price(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                          const std::vector<double>& thresholds) {
  const Resolved r = resolve(scenario, options);
  const double p0 = base_value(scenario, price_parameter);
  const double p1 = p0 == 0 ? 1000.0 : 2 * p0;
  const std::vector<EvaluatedRun> slope_runs = evaluate_points(scenario, {{{price_parameter, p0}}, {{price_parameter, p1}}}, options);
  const EvaluatedRun& run0 = slope_runs[0];
  const EvaluatedRun& run1 = slope_runs[1];
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
  std::vector<DsaOptions> checks;     // a second round: each price that can be re-run, against its next best
  std::vector<std::size_t> checked;   // their indices in `prices`
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
    prices.push_back({w, price, next_best, kNaN, price_mcse, kNaN});
    // A negative price (not cost-effective even if free; or 0 less rounding at a threshold
    // of 0) cannot be re-run, since a scenario's costs must not be negative: no check then.
    if (!(price >= 0)) continue;
    DsaOptions check = options;
    check.comparator = next_best;
    check.strategy = static_cast<int>(s);
    checks.push_back(std::move(check));
    checked.push_back(prices.size() - 1);
  }
  const std::vector<EvaluatedRun> check_runs = run_evaluations(options.scheduler, {checks.size(), [&](std::size_t job) {
                                                                 const double price = prices[checked[job]].price;
                                                                 return evaluation_job(scenario, {{price_parameter, price}}, checks[job]);
                                                               }});
  for (std::size_t job = 0; job < checks.size(); ++job) {
    PricePoint& point = prices[checked[job]];
    const int next_best = point.next_best;
    // ICER = dC / dE at that price; delta method: MCSE of (dC - ICER dE) / dE.
    const Evaluation& c = check_runs[job].evaluation;
    const RunResults& at_price = check_runs[job].run;
    point.check_icer = c.icer;
    point.check_icer_mcse =
        c.incremental_effect == 0
            ? kNaN
            : paired_estimate({incremental_cost_terms(at_price, r.strategy, next_best, r.perspective, 1.0 / c.incremental_effect),
                               incremental_effect_terms(at_price, r.strategy, next_best, r.measure, -c.icer / c.incremental_effect)})
                  .mcse;
  }
  return prices;
}

}  // namespace hemsim
