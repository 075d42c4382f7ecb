// Embeds the chart bundles with the assembler's .incbin: the bytes go straight into
// .rodata, which is much faster to build than a generated array of a megabyte of
// literals. CMake passes the paths (and rebuilds this file when a bundle changes).

#include "report/report_assets.hpp"

#ifdef HEMSIM_CHART_LIBRARIES

// clang-format off
#define HEMSIM_INCBIN(symbol, path)                                  \
  __asm__(".section .rodata\n"                                       \
          ".global " #symbol "_begin\n"                              \
          ".hidden " #symbol "_begin\n"                              \
          ".balign 16\n" #symbol "_begin:\n"                         \
          ".incbin \"" path "\"\n"                                   \
          ".global " #symbol "_end\n"                                \
          ".hidden " #symbol "_end\n" #symbol "_end:\n"              \
          ".byte 0\n"                                                \
          ".previous\n");                                            \
  extern "C" const char symbol##_begin[];                            \
  extern "C" const char symbol##_end[];
// clang-format on

HEMSIM_INCBIN(hemsim_vega_js, HEMSIM_VEGA_JS)
HEMSIM_INCBIN(hemsim_vega_lite_js, HEMSIM_VEGA_LITE_JS)
HEMSIM_INCBIN(hemsim_vega_embed_js, HEMSIM_VEGA_EMBED_JS)
HEMSIM_INCBIN(hemsim_render_figures_js, HEMSIM_RENDER_FIGURES_JS)

namespace hemsim::detail {
bool chart_libraries_embedded() { return true; }
std::string_view vega_js() { return {hemsim_vega_js_begin, static_cast<std::size_t>(hemsim_vega_js_end - hemsim_vega_js_begin)}; }
std::string_view vega_lite_js() {
  return {hemsim_vega_lite_js_begin, static_cast<std::size_t>(hemsim_vega_lite_js_end - hemsim_vega_lite_js_begin)};
}
std::string_view vega_embed_js() {
  return {hemsim_vega_embed_js_begin, static_cast<std::size_t>(hemsim_vega_embed_js_end - hemsim_vega_embed_js_begin)};
}
std::string_view figure_renderer_js() {
  return {hemsim_render_figures_js_begin, static_cast<std::size_t>(hemsim_render_figures_js_end - hemsim_render_figures_js_begin)};
}
std::string_view chart_library_versions() { return HEMSIM_CHART_LIBRARY_VERSIONS; }
}  // namespace hemsim::detail

#else

namespace hemsim::detail {
bool chart_libraries_embedded() { return false; }
std::string_view vega_js() { return {}; }
std::string_view vega_lite_js() { return {}; }
std::string_view vega_embed_js() { return {}; }
std::string_view figure_renderer_js() { return {}; }
std::string_view chart_library_versions() { return "none"; }
}  // namespace hemsim::detail

#endif
