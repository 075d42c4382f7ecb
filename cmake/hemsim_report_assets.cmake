# The report's chart libraries: the minified Vega, Vega-Lite and vega-embed bundles that
# `npm ci` (scripts/install-deps) puts in report/node_modules are embedded into the
# library (lib/report/report_assets.cpp, by .incbin), with report/render-figures.js. Without
# them hemsim still builds, and `hemsim report --html/--figures` explains what is missing.

set(HEMSIM_REPORT_NODE_MODULES "${PROJECT_SOURCE_DIR}/report/node_modules" CACHE PATH
    "node_modules with vega, vega-lite and vega-embed (npm ci in report/)")
set(_hemsim_vega "${HEMSIM_REPORT_NODE_MODULES}/vega/build/vega.min.js")
set(_hemsim_vega_lite "${HEMSIM_REPORT_NODE_MODULES}/vega-lite/build/vega-lite.min.js")
set(_hemsim_vega_embed "${HEMSIM_REPORT_NODE_MODULES}/vega-embed/build/vega-embed.min.js")
set(_hemsim_render "${PROJECT_SOURCE_DIR}/report/render-figures.js")
set(_hemsim_assets "${_hemsim_vega}" "${_hemsim_vega_lite}" "${_hemsim_vega_embed}" "${_hemsim_render}")

set(_hemsim_all_found TRUE)
foreach(_file IN LISTS _hemsim_assets)
  if(NOT EXISTS "${_file}")
    set(_hemsim_all_found FALSE)
  endif()
endforeach()

if(_hemsim_all_found)
  set(_hemsim_versions "")
  foreach(_package vega vega-lite vega-embed)
    file(READ "${HEMSIM_REPORT_NODE_MODULES}/${_package}/package.json" _json)
    string(JSON _version GET "${_json}" version)
    list(APPEND _hemsim_versions "${_package} ${_version}")
  endforeach()
  list(JOIN _hemsim_versions ", " _hemsim_versions)
  message(STATUS "hemsim report: embedding ${_hemsim_versions}")
  set_source_files_properties("${PROJECT_SOURCE_DIR}/lib/report/report_assets.cpp" PROPERTIES
    COMPILE_DEFINITIONS "HEMSIM_CHART_LIBRARIES;HEMSIM_VEGA_JS=\"${_hemsim_vega}\";HEMSIM_VEGA_LITE_JS=\"${_hemsim_vega_lite}\";HEMSIM_VEGA_EMBED_JS=\"${_hemsim_vega_embed}\";HEMSIM_RENDER_FIGURES_JS=\"${_hemsim_render}\";HEMSIM_CHART_LIBRARY_VERSIONS=\"${_hemsim_versions}\""
    OBJECT_DEPENDS "${_hemsim_assets}")
  set(HEMSIM_CHART_LIBRARIES ON)
else()
  message(WARNING "hemsim report: ${HEMSIM_REPORT_NODE_MODULES} lacks vega/vega-lite/vega-embed; "
                  "the HTML report and figures are disabled (run scripts/install-deps, which runs npm ci in report/)")
  set(HEMSIM_CHART_LIBRARIES OFF)
endif()
