#pragma once
// The report's sections built in files of their own (report.cpp assembles them with the
// others): the probabilistic sensitivity analysis (report_psa.cpp), and the one-way
// sensitivity analysis and value-based prices (report_dsa.cpp).

#include <string>

#include "hemsim/dsa_io.hpp"
#include "hemsim/report.hpp"
#include "report/report_style.hpp"

namespace hemsim::detail {

/// Cost-effectiveness plane, acceptability curves and frontier, EVPI and EVPPI, and how much
/// of the spread across draws is Monte Carlo noise.
[[nodiscard]] ReportSection psa_section(const ReportInputs& in, const ReportLabels& names);

/// The tornado and its table, each end with its Monte Carlo error (`unit`: the money unit,
/// `per`: the effect measure's name).
[[nodiscard]] ReportSection dsa_section(const DsaReport& r, const ReportLabels& names, const std::string& unit, const std::string& per);

/// The value-based prices and thresholds, each with its interval and the strategy it is
/// against.
[[nodiscard]] ReportSection price_section(const DsaReport& r, const ReportLabels& names, const std::string& unit, const std::string& per);

}  // namespace hemsim::detail
