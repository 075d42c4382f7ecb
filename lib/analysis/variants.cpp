#include "hemsim/variants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hemsim/error.hpp"
#include "hemsim/paired.hpp"

namespace hemsim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int perspective_index(const RunResults& r, const std::string& perspective) {
  for (std::size_t p = 0; p < r.perspectives.size(); ++p)
    if (r.perspectives[p] == perspective) return static_cast<int>(p);
  return -1;
}

struct Run {
  const RunResults* results;
  int perspective;
  int reference;
};

std::vector<PairedTerm> inmb_terms(const Run& run, int strategy, double wtp, double sign) {
  return net_benefit_terms(*run.results, strategy, run.reference, run.perspective, wtp, icer_measure(*run.results), sign);
}

VariantOutcome summarise(const Run& run, const Run* base, double wtp) {
  const RunResults& r = *run.results;
  const EffectMeasure measure = icer_measure(r);
  VariantOutcome out;
  out.reference = r.reference_strategy;
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    const auto& s = r.strategies[k];
    const int i = static_cast<int>(k);
    VariantStrategyRow row;
    row.strategy = s.name;
    row.label = s.label;
    row.cost = s.costs_by_perspective[static_cast<std::size_t>(run.perspective)].discounted;
    row.effect = (measure == EffectMeasure::life_years ? s.life_years : s.qalys).discounted;
    row.icer = kNaN;
    row.incremental_cost = row.incremental_effect = row.incremental_net_benefit = row.net_benefit_change = {kNaN, kNaN};
    if (i != run.reference) {
      row.incremental_cost = paired_estimate(incremental_cost_terms(r, i, run.reference, run.perspective));
      row.incremental_effect = paired_estimate(incremental_effect_terms(r, i, run.reference, measure));
      row.incremental_net_benefit = paired_estimate(inmb_terms(run, i, wtp, 1.0));
      const double dc = row.incremental_cost.mean, de = row.incremental_effect.mean;
      row.icer = de > 0 ? dc / de : (dc >= 0 ? std::numeric_limits<double>::infinity() : kNaN);
      const int in_base = base ? base->results->strategy_index(s.name) : -1;
      if (base && in_base >= 0 && base->results->reference_strategy == r.reference_strategy)
        row.net_benefit_change = paired_estimate({inmb_terms(run, i, wtp, 1.0), inmb_terms(*base, in_base, wtp, -1.0)});
    }
    out.rows.push_back(std::move(row));
  }
  return out;
}

}  // namespace

VariantComparison compare_variants(const std::string& path, const ScenarioChoices& choices, const SimulationOptions& simulation,
                                   const VariantOptions& options) {
  ScenarioChoices base_choices = choices;
  base_choices.variant.clear();
  const Scenario base_scenario = load_scenario(path, base_choices);
  for (const auto& name : options.only) {
    bool known = false;
    for (const auto& v : base_scenario.variants) known = known || v.name == name;
    if (!known) (void)load_scenario(path, {name, {}, {}});  // throws the "no scenario named" error
  }
  // Every variant runs with the base case's seed and individuals, so that the individuals
  // and their random numbers are the same in all of them (paired differences).
  SimulationOptions sim = simulation;
  if (!sim.seed_set && sim.seed == 0) sim.seed = base_scenario.settings.seed;
  sim.seed_set = true;
  if (sim.individuals == 0) sim.individuals = base_scenario.settings.individuals;

  const RunResults base = run_scenario(base_scenario, sim);
  if (options.perspective < 0 || options.perspective >= static_cast<int>(base.perspectives.size()))
    throw ScenarioError({path, 0, 0, "--perspective"}, "no such perspective", "a perspective of the scenario");
  const std::string perspective = base.perspectives[static_cast<std::size_t>(options.perspective)];
  const double wtp = options.willingness_to_pay > 0    ? options.willingness_to_pay
                     : base.willingness_to_pay.empty() ? 100000.0
                                                       : base.willingness_to_pay.front();

  VariantComparison out;
  out.scenario_name = base_scenario.name;
  out.scenario_file = path;
  out.method = base.method;
  out.effect_measure = base.effect_measure;
  out.perspective = perspective;
  out.currency = base.currency;
  out.individuals = base.individuals;
  out.seed = base.seed;
  out.willingness_to_pay = wtp;
  out.overrides = choices.set;

  const Run base_run{&base, options.perspective, base.strategy_index(base.reference_strategy)};
  VariantOutcome base_outcome = summarise(base_run, &base_run, wtp);
  base_outcome.name = "base";
  base_outcome.label = "Base case";
  out.variants.push_back(std::move(base_outcome));
  for (const auto& info : base_scenario.variants) {
    if (!options.only.empty() && std::find(options.only.begin(), options.only.end(), info.name) == options.only.end()) continue;
    ScenarioChoices variant_choices = base_choices;
    variant_choices.variant = info.name;
    const Scenario scenario = load_scenario(path, variant_choices);
    const RunResults results = run_scenario(scenario, sim);
    const int perspective_here = perspective_index(results, perspective);
    if (perspective_here < 0)
      throw ScenarioError(info.where, fmt::format("the scenario has no perspective '{}'", perspective), "the base case's perspectives");
    const Run run{&results, perspective_here, results.strategy_index(results.reference_strategy)};
    VariantOutcome outcome = summarise(run, &base_run, wtp);
    outcome.name = info.name;
    outcome.label = info.label;
    outcome.rationale = info.rationale;
    out.variants.push_back(std::move(outcome));
  }
  return out;
}

}  // namespace hemsim
