#pragma once
// The report's section for costs by year and the market analysis (market.hpp).

#include <optional>

#include "hemsim/report.hpp"

namespace hemsim::detail {

/// Costs by year of every strategy (workbook sheet), and the funnel, budget impact, value
/// and chart when the run has a market analysis; nothing for results without either.
[[nodiscard]] std::optional<ReportSection> market_section(const RunResults& run, const PsaResults* psa = nullptr);

}  // namespace hemsim::detail
