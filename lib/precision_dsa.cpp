// Precision targets for DSA and pricing: the individuals are sized once, on the base case
// (DSA: the incremental net benefit of the assessed strategy; price: the value-based
// price itself), and every point of the analysis then runs with that many individuals
// and the same random numbers.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hemsim/error.hpp"
#include "hemsim/precision.hpp"

namespace hemsim {

namespace {

std::uint64_t round_up_individuals(double individuals) {
  const double step = individuals > 10000 ? 1000.0 : 100.0;
  return static_cast<std::uint64_t>(std::ceil(individuals / step) * step);
}

void check_target(double target, const char* option) {
  if (!(target > 0) || !std::isfinite(target))
    throw ScenarioError({"", 0, 0, option}, fmt::format("the target MCSE must be a positive number, not {}", target), "a value > 0");
}

// Pilot, predict from MCSE ~ 1/sqrt(n), re-run until `mcse_at(n)` <= target or n = max.
template <typename Measure>
SizedAnalysis size_by(std::uint64_t pilot, double target, std::uint64_t max_individuals, Measure&& mcse_at) {
  SizedAnalysis sized;
  std::uint64_t n = std::min(pilot, max_individuals);
  for (;;) {
    sized.achieved_mcse = mcse_at(n);
    sized.individuals_tried.push_back(n);
    sized.individuals = n;
    sized.met = !(sized.achieved_mcse > target);
    if (sized.met || n >= max_individuals) return sized;
    const double ratio = sized.achieved_mcse / target;
    n = std::min(max_individuals, std::max(round_up_individuals(static_cast<double>(n) * ratio * ratio * 1.05), n + 1));
  }
}

std::uint64_t pilot_size(const Scenario& scenario, const DsaOptions& options) {
  if (options.simulation.method != Method::microsimulation)
    throw ScenarioError({"", 0, 0, "--target-mcse"}, "a precision target needs a microsimulation (a cohort run has no Monte Carlo error)",
                        "--method microsim");
  return options.simulation.individuals ? options.simulation.individuals : scenario.settings.individuals;
}

}  // namespace

SizedAnalysis size_dsa_to_precision(const Scenario& scenario, const DsaOptions& options, double target_mcse,
                                    std::uint64_t max_individuals) {
  check_target(target_mcse, "--target-mcse");
  DsaOptions sized = options;
  return size_by(pilot_size(scenario, options), target_mcse, max_individuals, [&](std::uint64_t n) {
    sized.simulation.individuals = n;
    return evaluate(scenario, {}, sized).incremental_net_benefit_mcse;
  });
}

SizedAnalysis size_price_to_precision(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                      const std::vector<double>& thresholds, double target_mcse, std::uint64_t max_individuals) {
  check_target(target_mcse, "--target-mcse");
  DsaOptions sized = options;
  return size_by(pilot_size(scenario, options), target_mcse, max_individuals, [&](std::uint64_t n) {
    sized.simulation.individuals = n;
    double worst = 0.0;
    for (const PricePoint& p : value_based_price(scenario, sized, price_parameter, thresholds))
      if (std::isfinite(p.price_mcse)) worst = std::max(worst, p.price_mcse);
    return worst;
  });
}

}  // namespace hemsim
