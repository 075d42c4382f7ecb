#pragma once
/// \file report_html.hpp
/// The report as one self-contained HTML file: tables as HTML, charts drawn in the
/// browser by Vega-Lite (the Vega, Vega-Lite and vega-embed bundles are inlined), no
/// request to the network (a Content-Security-Policy forbids any), so it opens offline.

#include <string>

#include "hemsim/report.hpp"

namespace hemsim {

/// The whole page. Throws ScenarioError when hemsim was built without the chart
/// libraries (report/node_modules missing at build time: run scripts/install-deps).
[[nodiscard]] std::string report_html(const ReportDocument& document);

/// Whether this build embeds the chart libraries (needed for HTML and figures).
[[nodiscard]] bool report_charts_available();

}  // namespace hemsim
