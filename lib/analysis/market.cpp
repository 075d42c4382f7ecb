// Market and budget impact from a run's costs by year (docs/methods.md, "Market and
// budget impact"): pure arithmetic on RunResults, no simulation.

#include "hemsim/market.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hemsim/paired.hpp"
#include "hemsim/parameters.hpp"
#include "hemsim/results.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim {

namespace {

int perspective_index(const MarketSpec& spec, const RunResults& run) {
  if (spec.perspective.empty()) return 0;
  for (std::size_t p = 0; p < run.perspectives.size(); ++p)
    if (run.perspectives[p] == spec.perspective) return static_cast<int>(p);
  throw ScenarioError(spec.where, fmt::format("market.perspective '{}' is not a perspective of the scenario", spec.perspective),
                      "one of the scenario's perspectives");
}

int strategy_in_run(const MarketSpec& spec, const RunResults& run, const std::string& name) {
  const int k = run.strategy_index(name);
  if (k < 0)
    throw ScenarioError(spec.where, fmt::format("market: strategy '{}' is not in the run", name),
                        "the market's strategies among those run (drop --strategy, or name them)");
  return k;
}

// Undiscounted cost, per patient, in the j-th year (1-based) since a patient started
// strategy k; nothing beyond the model's horizon.
double cost_in_year(const RunResults& run, int k, int perspective, int j) {
  const auto& years = run.strategies[static_cast<std::size_t>(k)].by_year;
  if (j < 1 || j > static_cast<int>(years.size())) return 0.0;
  return years[static_cast<std::size_t>(j - 1)].costs_by_perspective[static_cast<std::size_t>(perspective)].undiscounted;
}

double price_of(const Scenario& scenario, const MarketSpec& spec, const std::map<std::string, double>& overrides) {
  if (spec.price) return *spec.price;
  if (spec.price_parameter.empty()) return 0.0;
  const int k = scenario.strategy_index(spec.strategy);
  const ParameterValues values = evaluate_parameters(scenario, k, overrides);
  for (std::size_t i = 0; i < values.names.size(); ++i)
    if (values.names[i] == spec.price_parameter) return values.values[i];
  throw ScenarioError(spec.where, fmt::format("market.price_parameter '{}' is not a parameter", spec.price_parameter),
                      "the name of a model parameter");
}

}  // namespace

bool market_applies(const Scenario& scenario, const RunResults& run) {
  if (!scenario.market) return false;
  if (run.strategy_index(scenario.market->strategy) < 0) return false;
  for (const auto& [name, share] : scenario.market->current_mix)
    if (run.strategy_index(name) < 0) return false;
  return true;
}

MarketResults analyse_market(const Scenario& scenario, const RunResults& run, const std::map<std::string, double>& overrides) {
  if (!scenario.market) throw std::invalid_argument("analyse_market: the scenario has no market section");
  const MarketSpec& spec = *scenario.market;
  const int perspective = perspective_index(spec, run);
  const int target = strategy_in_run(spec, run, spec.strategy);
  std::vector<int> comparators;
  for (const auto& [name, share] : spec.current_mix) comparators.push_back(strategy_in_run(spec, run, name));
  for (const auto& s : run.strategies)
    if (s.by_year.empty())
      throw ScenarioError(spec.where, "market: the results have no costs by year (written by an older hemsim)", "results of this version");

  MarketResults r;
  r.strategy = spec.strategy;
  r.perspective = run.perspectives[static_cast<std::size_t>(perspective)];
  r.current_mix = spec.current_mix;
  r.population_label = spec.population_label;
  r.basis = spec.basis == MarketSpec::Basis::incident ? "incident" : "prevalent";
  double people = spec.population;
  r.funnel.push_back({"population", spec.population_label, spec.population_source, 1.0, people, spec.population_assumption});
  for (const MarketStep& step : spec.funnel) {
    people *= step.proportion;
    r.funnel.push_back({step.name, step.label, step.source, step.proportion, people, step.assumption});
  }
  r.eligible_per_year = people;
  r.price = price_of(scenario, spec, overrides);
  r.doses_per_patient = spec.doses_per_patient;
  r.royalty_rate = spec.royalty_rate;
  r.discount_rate = spec.discount_rate;

  // Per-patient cost difference, new strategy minus the current mix, in the j-th year
  // since starting: the budget impact of one patient switched.
  auto switched = [&](int j) {
    double mix = 0.0;
    for (std::size_t c = 0; c < comparators.size(); ++c) mix += spec.current_mix[c].second * cost_in_year(run, comparators[c], perspective, j);
    return std::pair{cost_in_year(run, target, perspective, j), mix};
  };
  const int Y = static_cast<int>(spec.uptake.size());
  for (int y = 1; y <= Y; ++y) {
    MarketYear year;
    year.year = y;
    year.calendar_year = spec.launch_year ? spec.launch_year + y - 1 : 0;
    double treated_before = 0.0;
    for (const MarketYear& earlier : r.years) treated_before += earlier.treated;
    // Incident: a new cohort of eligible patients each year. Prevalent: one pool, less
    // those who have already switched.
    year.eligible = spec.basis == MarketSpec::Basis::incident ? people * std::pow(1.0 + spec.growth, y - 1)
                                                              : std::max(0.0, people - treated_before);
    year.uptake = spec.uptake[static_cast<std::size_t>(y - 1)];
    year.treated = year.eligible * year.uptake;
    r.years.push_back(year);
  }
  for (int y = 1; y <= Y; ++y) {
    MarketYear& year = r.years[static_cast<std::size_t>(y - 1)];
    // Every cohort c <= y, in its (y - c + 1)-th year since starting.
    for (int c = 1; c <= y; ++c) {
      const MarketYear& cohort = r.years[static_cast<std::size_t>(c - 1)];
      const auto [new_cost, mix_cost] = switched(y - c + 1);
      year.cost_current += cohort.treated * mix_cost;
      year.cost_new += cohort.treated * new_cost;
    }
    year.budget_impact = year.cost_new - year.cost_current;
    year.revenue = r.price * spec.doses_per_patient * year.treated;
    const bool exclusive = spec.exclusivity_years == 0 || y <= spec.exclusivity_years;
    year.royalty = exclusive ? spec.royalty_rate * year.revenue : 0.0;
    year.royalty_discounted = year.royalty / std::pow(1.0 + spec.discount_rate, y);
    r.budget_impact_total += year.budget_impact;
    r.treated_total += year.treated;
    r.revenue_total += year.revenue;
    r.royalty_npv += year.royalty_discounted;
  }

  // Net monetary benefit against the mix, with its Monte Carlo error from the run's
  // batches (common random numbers: the paired errors of each comparison, combined).
  r.willingness_to_pay = run.willingness_to_pay;
  const EffectMeasure measure = icer_measure(run);
  for (double wtp : run.willingness_to_pay) {
    std::vector<std::vector<PairedTerm>> groups;
    for (std::size_t c = 0; c < comparators.size(); ++c)
      groups.push_back(net_benefit_terms(run, target, comparators[c], perspective, wtp, measure, spec.current_mix[c].second));
    const Estimate inmb = paired_estimate(groups);
    r.inmb_per_patient.push_back(inmb.mean);
    r.inmb_per_patient_mcse.push_back(inmb.mcse);
    r.population_nmb.push_back(inmb.mean * r.treated_total);
    r.population_nmb_mcse.push_back(inmb.mcse * r.treated_total);
  }
  return r;
}

}  // namespace hemsim
