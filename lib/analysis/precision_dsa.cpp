// Precision targets for DSA and pricing: the individuals are sized once, on the base case
// (DSA: the incremental net benefit of the assessed strategy; price: the value-based
// price itself), and every point of the analysis then runs with that many individuals
// and the same random numbers.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hemsim/error.hpp"
#include "hemsim/precision.hpp"
#include "analysis/precision_loop.hpp"

namespace hemsim {

namespace {

void check_target(double target, const char* option) {
  if (!(target > 0) || !std::isfinite(target))
    throw ScenarioError({"", 0, 0, option}, fmt::format("the target MCSE must be a positive number, not {}", target), "a value > 0");
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
  return detail::size_to_precision(pilot_size(scenario, options), target_mcse, max_individuals, [&](std::uint64_t n) {
    sized.simulation.individuals = n;
    return evaluate(scenario, {}, sized).incremental_net_benefit_mcse;
  });
}

SizedAnalysis size_price_to_precision(const Scenario& scenario, const DsaOptions& options, const std::string& price_parameter,
                                      const std::vector<double>& thresholds, double target_mcse, std::uint64_t max_individuals) {
  check_target(target_mcse, "--target-mcse");
  DsaOptions sized = options;
  return detail::size_to_precision(pilot_size(scenario, options), target_mcse, max_individuals, [&](std::uint64_t n) {
    sized.simulation.individuals = n;
    double worst = 0.0;
    for (const PricePoint& p : value_based_price(scenario, sized, price_parameter, thresholds))
      if (std::isfinite(p.price_mcse)) worst = std::max(worst, p.price_mcse);
    return worst;
  });
}

}  // namespace hemsim
