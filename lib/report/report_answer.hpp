#pragma once
// The report's first screen: the answer (is the strategy cost-effective, at what price,
// how sure, what drives it), each figure with its Monte Carlo error and where it comes
// from, before the detail.

#include <functional>
#include <string>

#include "hemsim/report.hpp"

namespace hemsim::detail {

/// The Monte Carlo standard error of ICER = dC / dE by the delta method, from the MCSEs of
/// the paired increments and of the incremental net benefit at `willingness_to_pay`
/// (which together give the covariance of dC and dE). NaN when dE is 0 or an MCSE is
/// unknown; 0 for a cohort run (every MCSE 0).
[[nodiscard]] double icer_mcse(double incremental_cost, double incremental_effect, double cost_mcse, double effect_mcse,
                               double net_benefit_mcse, double willingness_to_pay);

[[nodiscard]] ReportSection answer_section(const ReportInputs& in, const std::function<std::string(const std::string&)>& label);

}  // namespace hemsim::detail
