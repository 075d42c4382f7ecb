// Precision targets: pilot, predict, re-run; and the inner sample size of a PSA.

#include "hemsim/precision.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "hemsim/error.hpp"
#include "hemsim/paired.hpp"
#include "analysis/precision_loop.hpp"

namespace hemsim {

std::string to_string(IncrementMeasure measure) {
  switch (measure) {
    case IncrementMeasure::effects:
      return "effects";
    case IncrementMeasure::costs:
      return "costs";
    case IncrementMeasure::net_benefit:
      return "net_benefit";
  }
  return "effects";
}

IncrementMeasure increment_measure_named(const std::string& name) {
  for (const IncrementMeasure m : {IncrementMeasure::effects, IncrementMeasure::costs, IncrementMeasure::net_benefit})
    if (to_string(m) == name) return m;
  throw std::invalid_argument("the increment measure must be 'effects', 'costs' or 'net_benefit', not '" + name + "'");
}

namespace {

int strategy_index(const RunResults& r, const std::string& name) {
  const int k = r.strategy_index(name);
  if (k < 0) throw InternalError("no strategy " + name + " in the results");
  return k;
}

// MCSE of one strategy's increment against the reference.
double one_increment_mcse(const RunResults& r, int strategy, const PrecisionTarget& target) {
  const int reference = strategy_index(r, r.reference_strategy);
  const Increment* inc = nullptr;
  for (const Increment& i : r.increments)
    if (i.name == r.strategies[static_cast<std::size_t>(strategy)].name) inc = &i;
  if (!inc) throw InternalError("no increment for strategy " + r.strategies[static_cast<std::size_t>(strategy)].name);
  const EffectMeasure measure = icer_measure(r);
  switch (target.measure) {
    case IncrementMeasure::effects:
      return (measure == EffectMeasure::qalys ? inc->qalys : inc->life_years).discounted.mcse;
    case IncrementMeasure::costs:
      return inc->costs_by_perspective.at(static_cast<std::size_t>(target.perspective)).discounted.mcse;
    case IncrementMeasure::net_benefit: {
      double wtp = target.willingness_to_pay;
      if (wtp <= 0) wtp = r.willingness_to_pay.empty() ? 100000.0 : r.willingness_to_pay.front();
      return paired_estimate(net_benefit_terms(r, strategy, reference, target.perspective, wtp, measure)).mcse;
    }
  }
  return 0.0;
}

}  // namespace

double increment_mcse(const RunResults& results, const PrecisionTarget& target) {
  double worst = 0.0;
  const int reference = strategy_index(results, results.reference_strategy);
  for (int k = 0; k < static_cast<int>(results.strategies.size()); ++k) {
    if (k == reference || (target.strategy >= 0 && k != target.strategy)) continue;
    worst = std::max(worst, one_increment_mcse(results, k, target));
  }
  return worst;
}

PrecisionRun simulate_to_precision(const CompiledModel& model, SimulationOptions options, const PrecisionTarget& target) {
  const Scenario& s = model.scenario();
  const SourceLocation where{"", 0, 0, "--target-mcse"};
  if (!(target.mcse > 0) || !std::isfinite(target.mcse))
    throw ScenarioError(where, fmt::format("the target MCSE must be a positive number, not {}", target.mcse), "a value > 0");
  if (options.method != Method::microsimulation)
    throw ScenarioError(where, "a precision target needs a microsimulation (a cohort run has no Monte Carlo error)", "--method microsim");
  if (s.strategies.size() < 2)
    throw ScenarioError(where, "a precision target bounds increments: the scenario needs two strategies", "two strategies or more");
  if (target.strategy >= static_cast<int>(s.strategies.size()) || target.strategy == s.strategy_index(s.settings.reference_strategy))
    throw ScenarioError(where,
                        target.strategy >= 0 && target.strategy < static_cast<int>(s.strategies.size())
                            ? fmt::format("'{}' is the reference strategy: it has no increment to bound", s.settings.reference_strategy)
                            : fmt::format("no strategy {} (the scenario has {})", target.strategy, s.strategies.size()),
                        "a strategy other than the reference, or every one");
  PrecisionRun run;
  static_cast<SizedAnalysis&>(run) = detail::size_to_precision(options.individuals ? options.individuals : s.settings.individuals,
                                                               target.mcse, target.max_individuals, [&](std::uint64_t n) {
                                                                 options.individuals = n;
                                                                 run.results = simulate(model, options);
                                                                 return increment_mcse(run.results, target);
                                                               });
  return run;
}

namespace {

void check_noise_share_and_confidence(double max_share, double confidence) {
  if (!(max_share > 0 && max_share < 1))
    throw ScenarioError({"", 0, 0, "--max-noise-share"}, fmt::format("the noise share must be between 0 and 1 (exclusive), not {}", max_share),
                        "e.g. 0.05");
  if (!(confidence >= 0.5 && confidence < 1))
    throw ScenarioError({"", 0, 0, "--noise-confidence"}, fmt::format("the confidence must be at least 0.5 and below 1, not {}", confidence),
                        "e.g. 0.8 or 0.9");
}

// The strategies whose increments a noise share bounds: each a strategy, none the
// reference (whose increment is 0: sizing for it alone would size for nothing).
void check_noise_strategies(const std::vector<std::string>& all, const std::string& reference, const std::vector<std::string>& chosen) {
  const SourceLocation where{"", 0, 0, "--noise-strategy"};
  for (const std::string& name : chosen) {
    if (std::find(all.begin(), all.end(), name) == all.end())
      throw ScenarioError(where, fmt::format("no strategy '{}'", name), "a strategy of the scenario");
    if (name == reference)
      throw ScenarioError(where, fmt::format("'{}' is the reference strategy: it has no increment to size for", name),
                          "a strategy other than the reference");
  }
}

}  // namespace

InnerSampleSize size_psa_inner_sample(const PsaResults& pilot, double max_share, std::uint64_t max_individuals,
                                      const std::vector<std::string>& strategies, double confidence) {
  const SourceLocation where{"", 0, 0, "--max-noise-share"};
  check_noise_share_and_confidence(max_share, confidence);
  if (pilot.method == "cohort" || pilot.individuals < 2 || pilot.draws < 2)
    throw ScenarioError(where, "sizing the inner sample needs a microsimulation pilot with at least 2 draws", "--method microsim");
  check_noise_strategies(pilot.strategies, pilot.strategies.at(static_cast<std::size_t>(pilot.reference)), strategies);
  InnerSampleSize size;
  size.max_share = max_share;
  size.confidence = confidence;
  size.pilot_draws = pilot.draws;
  const int ref = pilot.reference;
  const auto n0 = static_cast<double>(pilot.individuals);
  // The sample variance of D normal draws is sigma^2 chi^2_{D-1} / (D - 1): sigma^2 is at
  // least (D - 1) Var / q with probability `confidence`, q that quantile of chi^2_{D-1}.
  auto lower_factor = [confidence](Eigen::Index draws) {
    const auto degrees = static_cast<double>(std::max<Eigen::Index>(draws - 1, 1));
    return degrees / boost::math::quantile(boost::math::chi_squared_distribution<double>(degrees), confidence);
  };
  double worst = 0.0;
  for (int k = 0; k < static_cast<int>(pilot.strategies.size()); ++k) {
    if (k == ref) continue;
    const std::string& name = pilot.strategies[static_cast<std::size_t>(k)];
    if (!strategies.empty() && std::find(strategies.begin(), strategies.end(), name) == strategies.end()) continue;
    auto add = [&](IncrementMeasure measure, const Eigen::VectorXd& means, const Eigen::VectorXd& mcse) {
      const VarianceDecomposition v = decompose_variance(means, mcse);
      InnerSampleSize::Increment inc;
      inc.strategy = name;
      inc.measure = measure;
      inc.within_variance = v.monte_carlo * n0;  // per-individual variance of the paired difference
      inc.parameter_variance = v.parameter;
      inc.parameter_lower = std::max(0.0, v.total * lower_factor(means.size()) - v.monte_carlo);
      inc.pilot_noise_share = v.monte_carlo_share;
      // noise / (noise + parameter) <= s  <=>  within / n <= s / (1 - s) x parameter
      if (inc.parameter_lower > 0) inc.needed = inc.within_variance * (1 - max_share) / (max_share * inc.parameter_lower);
      worst = std::max(worst, inc.reachable() ? inc.needed : static_cast<double>(max_individuals));
      size.capped = size.capped || !inc.reachable() || inc.needed > static_cast<double>(max_individuals);
      size.increments.push_back(inc);
    };
    add(IncrementMeasure::effects, pilot.effects.col(k) - pilot.effects.col(ref), pilot.increment_effects_mcse.col(k));
    add(IncrementMeasure::costs, pilot.costs[0].col(k) - pilot.costs[0].col(ref), pilot.increment_costs_mcse[0].col(k));
  }
  size.individuals = std::max<std::uint64_t>(2, std::min(max_individuals, detail::round_up_individuals(worst)));
  return size;
}

InnerSampleSize size_psa_inner_sample(const Scenario& scenario, PsaOptions pilot, double max_share, std::uint64_t max_individuals,
                                      const std::vector<std::string>& strategies, double confidence) {
  constexpr double kMostlyNoise = 0.25;
  check_noise_share_and_confidence(max_share, confidence);  // before the pilot runs
  std::vector<std::string> names;
  for (const auto& strategy : scenario.strategies) names.push_back(strategy.name);
  check_noise_strategies(names, scenario.settings.reference_strategy, strategies);
  if (pilot.individuals == 0) pilot.individuals = scenario.settings.individuals;
  std::vector<std::uint64_t> tried;
  for (;;) {
    tried.push_back(pilot.individuals);
    InnerSampleSize size = size_psa_inner_sample(run_psa(scenario, pilot), max_share, max_individuals, strategies, confidence);
    size.pilot_individuals = tried;
    // A pilot that is mostly noise is run again, also when it shows no parameter variance
    // for an increment: only a larger pilot tells a small variance from none (and without
    // it the PSA would run with --max-individuals). At most ten times the first pilot's
    // individuals, so that an increment that is noise alone costs at most that.
    const auto& incs = size.increments;
    const bool mostly_noise = std::any_of(incs.begin(), incs.end(), [&](const auto& inc) { return inc.pilot_noise_share > kMostlyNoise; });
    const std::uint64_t next = std::min({size.individuals, 10 * tried.front(), max_individuals});
    if (!mostly_noise || next <= pilot.individuals || static_cast<int>(tried.size()) == kMaxNoiseSharePilots) return size;
    pilot.individuals = next;
  }
}

}  // namespace hemsim
