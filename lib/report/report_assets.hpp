#pragma once
// The chart libraries (minified Vega, Vega-Lite and vega-embed from report/node_modules)
// and the figure renderer script, embedded in the library at build time so that a report
// never needs the network nor files beside the binary.

#include <string_view>

namespace hemsim::detail {

/// False when hemsim was built without report/node_modules (run scripts/install-deps).
bool chart_libraries_embedded();
std::string_view vega_js();
std::string_view vega_lite_js();
std::string_view vega_embed_js();
/// report/render-figures.js: Vega-Lite specifications to SVG with Vega's node API.
std::string_view figure_renderer_js();
/// "vega 5.x, vega-lite 5.y, vega-embed 6.z" as built in.
std::string_view chart_library_versions();

}  // namespace hemsim::detail
