#pragma once
/// \file report_figures.hpp
/// The report's charts as files for slides: NAME.svg (Vega's own SVG renderer, run by
/// node) and NAME.png (rsvg-convert at twice the size), plus NAME.vl.json, the Vega-Lite
/// specification with its data. Needs `node` (Debian nodejs) and `rsvg-convert` (Debian
/// librsvg2-bin) on PATH; the chart libraries themselves are embedded in hemsim.

#include <string>
#include <utility>
#include <vector>

#include "hemsim/report.hpp"

namespace hemsim {

/// Every figure file as (file name, bytes), rendered in a private temporary directory.
/// Throws ScenarioError if node or rsvg-convert is missing or fails.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> render_report_figures(const ReportDocument& document);

}  // namespace hemsim
