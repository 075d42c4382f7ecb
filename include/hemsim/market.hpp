#pragma once
/// \file market.hpp
/// Market and budget impact (ISPOR budget-impact good practice, Sullivan et al., Value
/// Health 2014;17:5-14): an eligible population from a sourced funnel, uptake of the new
/// strategy by year and the treatment mix it displaces, the payer's budget impact by year
/// from the model's own undiscounted costs by year, the population net monetary benefit,
/// revenue, and the net present value of a licensee's royalties. The scenario's `market:`
/// section (docs/scenario-format.md) gives the inputs; the formulas are in docs/methods.md
/// ("Market and budget impact").
///
///     hemsim::RunResults run = hemsim::run_scenario(scenario, options);
///     if (scenario.market) run.market = hemsim::analyse_market(scenario, run);

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hemsim/error.hpp"

namespace hemsim {

struct Scenario;
struct RunResults;
struct Estimate;

/// One step of the eligible-population funnel: the proportion of the previous step's
/// people who go on to this one.
struct MarketStep {
  std::string name;
  std::string label;
  double proportion = 1.0;
  std::string source;
  bool assumption = false;
  SourceLocation where;
};

/// The scenario's `market:` section.
struct MarketSpec {
  std::string population_label;  ///< e.g. "US adults"
  double population = 0.0;       ///< the funnel's starting population
  std::string population_source;
  bool population_assumption = false;
  std::vector<MarketStep> funnel;
  /// incident: the funnel gives the patients newly eligible each year (times
  /// (1 + growth)^(year - 1)); prevalent: a pool, eligible each year less those already switched.
  enum class Basis { incident, prevalent } basis = Basis::incident;
  double growth = 0.0;
  std::string strategy;         ///< the new strategy
  std::vector<double> uptake;   ///< share of each year's eligible patients starting it, years 1..
  /// The mix it displaces: shares of the comparator strategies (sum 1).
  std::vector<std::pair<std::string, double>> current_mix;
  std::string perspective;  ///< the payer's perspective; empty = the scenario's first
  // Licence terms.
  double royalty_rate = 0.0;
  int launch_year = 0;        ///< calendar year of market year 1 (0 = not given)
  int exclusivity_years = 0;  ///< royalties are paid in market years 1..exclusivity_years (0 = every year)
  double discount_rate = 0.0; ///< for the royalties' net present value
  std::optional<double> price;    ///< per dose
  std::string price_parameter;    ///< or the model parameter holding it (value in the new strategy)
  double doses_per_patient = 1.0;
  SourceLocation where;
};

/// The funnel with the people at each step.
struct MarketFunnelRow {
  std::string name, label, source;
  double proportion = 1.0;  ///< 1 for the starting population
  double people = 0.0;
  bool assumption = false;
};

/// One market year (1-based), undiscounted.
struct MarketYear {
  int year = 0;
  int calendar_year = 0;     ///< 0 when no launch year was given
  double eligible = 0.0;     ///< patients newly eligible this year
  double uptake = 0.0;
  double treated = 0.0;      ///< eligible x uptake: patients starting the new strategy
  /// The payer's cost this year of the patients switched so far (every cohort c <= year,
  /// in its year since starting), had they stayed on the current mix; the costs of those
  /// not switched are the same in both worlds and cancel.
  double cost_current = 0.0;
  double cost_new = 0.0;     ///< ... on the new strategy
  double budget_impact = 0.0;  ///< cost_new - cost_current
  double revenue = 0.0;      ///< price x doses x treated
  double royalty = 0.0;      ///< royalty rate x revenue within exclusivity
  double royalty_discounted = 0.0;  ///< royalty / (1 + rate)^year (paid at the end of the year)
};

struct MarketResults {
  std::string strategy;
  std::string perspective;
  std::vector<std::pair<std::string, double>> current_mix;
  std::string population_label;
  std::vector<MarketFunnelRow> funnel;
  double eligible_per_year = 0.0;  ///< the funnel's last step
  std::string basis;               ///< "incident" or "prevalent"
  std::vector<MarketYear> years;
  double budget_impact_total = 0.0;  ///< sum over the market years
  double treated_total = 0.0;
  double price = 0.0;
  double doses_per_patient = 1.0;
  double revenue_total = 0.0;
  double royalty_rate = 0.0;
  double discount_rate = 0.0;
  double royalty_npv = 0.0;
  /// Per willingness-to-pay threshold (RunResults::willingness_to_pay): the incremental
  /// net monetary benefit per patient of the new strategy against the current mix
  /// (discounted, payer perspective), and times the treated patients.
  std::vector<double> willingness_to_pay;
  std::vector<double> inmb_per_patient, inmb_per_patient_mcse;
  std::vector<double> population_nmb, population_nmb_mcse;
};

/// True when `scenario` has a market section and `run` holds every strategy it names (a
/// `--strategy` subset may leave some out, and then there is no market analysis).
[[nodiscard]] bool market_applies(const Scenario& scenario, const RunResults& run);

/// The market analysis of `run` (results of `scenario`, whose `market` must be set).
/// Needs costs by year in `run`; throws ScenarioError (at the `market:` section) when the
/// strategies it names are not in the run, or a price parameter is unknown.
/// `parameter_overrides` are the values the run was made with (a PSA draw's), for a
/// price read from a model parameter.
[[nodiscard]] MarketResults analyse_market(const Scenario& scenario, const RunResults& run,
                                           const std::map<std::string, double>& parameter_overrides = {});

}  // namespace hemsim
