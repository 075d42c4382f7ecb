// simulate(): runs an engine and turns its sums into RunResults.

#include "hemsim/simulation.hpp"

#include <cmath>

#include "engine/accumulator.hpp"
#include "engine/finite_outcomes.hpp"
#include "hemsim/decision.hpp"
#include "hemsim/error.hpp"

namespace hemsim {

std::string to_string(Method method) {
  return method == Method::cohort ? "cohort" : "microsimulation";
}

namespace {

// Mean and Monte Carlo standard error sqrt(sample variance / n) from sums.
Estimate estimate(double sum, double sum_of_squares, double n, bool stochastic) {
  Estimate e;
  e.mean = sum / n;
  if (stochastic && n > 1) {
    const double variance = std::max(0.0, (sum_of_squares - sum * sum / n) / (n - 1));
    e.mcse = std::sqrt(variance / n);
  }
  return e;
}

// Mean costs and effects by model year of strategy k; perspectives sum their categories.
std::vector<YearOutcomes> year_outcomes(const detail::CompiledModelData& m, detail::Accumulator& acc, int k) {
  const detail::OutputLayout& L = m.layout;
  std::vector<YearOutcomes> years;
  for (int y = 0; y < acc.years; ++y) {
    const double* v = acc.year_row(k, y);
    auto mean = [&](int d, int u) { return DiscountedValue{v[d] / acc.individuals, v[u] / acc.individuals}; };
    YearOutcomes year;
    for (int c = 0; c < L.categories; ++c) year.costs_by_category.push_back(mean(L.cost_discounted(c), L.cost_undiscounted(c)));
    for (const auto& categories : m.perspective_categories) {
      DiscountedValue total;
      for (int c : categories) {
        total.discounted += year.costs_by_category[static_cast<std::size_t>(c)].discounted;
        total.undiscounted += year.costs_by_category[static_cast<std::size_t>(c)].undiscounted;
      }
      year.costs_by_perspective.push_back(total);
    }
    year.qalys = mean(L.qalys_discounted(), L.qalys_undiscounted());
    year.life_years = mean(L.life_years_discounted(), L.life_years_undiscounted());
    years.push_back(std::move(year));
  }
  return years;
}

}  // namespace

RunResults simulate(const CompiledModel& model, const SimulationOptions& options) {
  const detail::CompiledModelData& m = model.data();
  const Scenario& s = m.scenario;
  const bool micro = options.method == Method::microsimulation;
  const std::uint64_t n = options.individuals ? options.individuals : s.settings.individuals;
  const std::uint64_t seed = options.seed_set || options.seed ? options.seed : s.settings.seed;
  if (micro && n < 2) throw ScenarioError(s.settings.where, "a microsimulation needs at least 2 individuals", "individuals >= 2");

  if (options.cancelled && options.cancelled()) throw Cancelled();
  detail::Accumulator acc = micro ? detail::run_microsimulation(m, n, seed, options.draw, options.progress, options.cancelled)
                                  : detail::run_cohort(m);
  if (!micro && options.progress) options.progress(1.0);

  RunResults r;
  r.scenario_name = s.name;
  r.scenario_file = s.file;
  r.scenario_variant = s.variant;
  r.overrides = s.overrides;
  r.method = to_string(options.method);
  r.seed = micro ? seed : 0;
  r.individuals = micro ? n : 0;
  r.cycle_length_years = s.settings.cycle_length_years;
  r.cycles = m.cycles;
  r.currency = s.settings.currency;
  r.price_year = s.settings.price_year;
  r.effect_measure = s.settings.icer_effect == EffectMeasure::qalys ? "qalys" : "life_years";
  r.willingness_to_pay = s.settings.willingness_to_pay;
  for (const auto& st : s.states) r.states.push_back(st.name);
  for (const auto& c : s.cost_categories) r.cost_categories.push_back(c.name);
  r.perspectives = s.perspectives;
  for (const auto& o : s.outcomes) {
    r.outcomes.push_back(o.name);
    r.outcome_labels.push_back(o.label);
  }
  for (const auto& e : s.events) {
    r.events.push_back(e.name);
    r.event_report_years.push_back(e.report_years);
  }
  r.reference_strategy = s.settings.reference_strategy;

  const detail::OutputLayout& L = m.layout;
  const int V = L.size();
  const int S = L.states;
  const int T = m.cycles;
  const double count = acc.individuals;
  for (int k = 0; k < static_cast<int>(m.strategies.size()); ++k) {
    const auto& sm = m.strategies[static_cast<std::size_t>(k)];
    auto get = [&](int v) {
      const auto i = static_cast<std::size_t>(k * V + v);
      return estimate(acc.sum[i], acc.sum_of_squares[i], count, micro);
    };
    StrategyOutcomes o;
    o.name = sm.name;
    o.label = sm.label;
    for (int c = 0; c < L.categories; ++c) o.costs_by_category.push_back({get(L.cost_discounted(c)), get(L.cost_undiscounted(c))});
    for (int p = 0; p < L.perspectives; ++p)
      o.costs_by_perspective.push_back({get(L.perspective_discounted(p)), get(L.perspective_undiscounted(p))});
    o.qalys = {get(L.qalys_discounted()), get(L.qalys_undiscounted())};
    o.life_years = {get(L.life_years_discounted()), get(L.life_years_undiscounted())};
    for (int u = 0; u < L.outcomes; ++u) o.outcomes.push_back({get(L.outcome_discounted(u)), get(L.outcome_undiscounted(u))});
    for (int st = 0; st < S; ++st) o.years_in_state.push_back(get(L.years_in_state(st)));
    for (int e = 0; e < L.events; ++e) {
      EventOutcome ev;
      ev.ever = get(L.event_ever(e));
      ev.count = get(L.event_count(e));
      const double* first = acc.first_event_row(k, e);
      double cumulative = 0;
      for (int t = 0; t <= T; ++t) ev.cumulative_incidence.push_back((cumulative += first[t]) / count);
      o.events.push_back(std::move(ev));
    }
    o.trace.assign(static_cast<std::size_t>((T + 1) * S), 0.0);
    std::vector<double> absorbed_so_far(static_cast<std::size_t>(S), 0.0);
    for (int t = 0; t <= T; ++t) {
      const double* row = acc.trace.empty() ? nullptr : acc.trace_row(k, t);  // microsimulation: changes only
      const double* absorbed = acc.trace_changes.empty() ? nullptr : acc.trace_change_row(k, t);
      for (int st = 0; st < S; ++st) {
        if (absorbed) absorbed_so_far[static_cast<std::size_t>(st)] += absorbed[st];
        o.trace[static_cast<std::size_t>(t * S + st)] = ((row ? row[st] : 0.0) + absorbed_so_far[static_cast<std::size_t>(st)]) / count;
      }
    }
    o.by_year = year_outcomes(m, acc, k);
    r.strategies.push_back(std::move(o));
  }

  const int reference = s.strategy_index(s.settings.reference_strategy);
  const int I = L.increment_size();
  for (int k = 0; k < static_cast<int>(m.strategies.size()); ++k) {
    if (k == reference) continue;
    auto get = [&](int v) {
      const auto i = static_cast<std::size_t>(k * I + v);
      return estimate(acc.increment_sum[i], acc.increment_sum_of_squares[i], count, micro);
    };
    Increment inc;
    inc.name = m.strategies[static_cast<std::size_t>(k)].name;
    for (int p = 0; p < L.perspectives; ++p) inc.costs_by_perspective.push_back({get(p), get(L.perspectives + p)});
    inc.qalys = {get(2 * L.perspectives), get(2 * L.perspectives + 1)};
    inc.life_years = {get(2 * L.perspectives + 2), get(2 * L.perspectives + 3)};
    r.increments.push_back(std::move(inc));
  }

  detail::require_finite_outcomes(r, s.file);  // an overflow is the scenario's doing: ScenarioError, not a failure below
  std::vector<std::string> names;
  for (const auto& o : r.strategies) names.push_back(o.name);
  for (int p = 0; p < L.perspectives; ++p) {
    std::vector<double> costs, effects;
    for (const auto& o : r.strategies) {
      costs.push_back(o.costs_by_perspective[static_cast<std::size_t>(p)].discounted.mean);
      effects.push_back(s.settings.icer_effect == EffectMeasure::qalys ? o.qalys.discounted.mean : o.life_years.discounted.mean);
    }
    IncrementalTable table = incremental_table(names, costs, effects);
    table.perspective = s.perspectives[static_cast<std::size_t>(p)];
    r.incremental_tables.push_back(std::move(table));
  }
  r.batches = std::move(acc.batches);
  return r;
}

RunResults run_scenario(const Scenario& scenario, const SimulationOptions& options) {
  return simulate(compile_model(scenario), options);
}

}  // namespace hemsim
