#pragma once
// The report's first screen: the answer (is the strategy cost-effective, at what price,
// how sure, what drives it), each figure with its Monte Carlo error and where it comes
// from, before the detail.

#include <functional>
#include <string>

#include "hemsim/report.hpp"

namespace hemsim::detail {

[[nodiscard]] ReportSection answer_section(const ReportInputs& in, const std::function<std::string(const std::string&)>& label);

}  // namespace hemsim::detail
