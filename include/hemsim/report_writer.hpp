#pragma once
/// \file report_writer.hpp
/// Writes the requested report outputs all or nothing: the HTML page, the workbook and
/// the figures are all made in memory (or a temporary directory) first, so a failure in
/// any leaves no output file; then each file is replaced atomically.

#include <string>

#include "hemsim/output_folder.hpp"
#include "hemsim/report.hpp"

namespace hemsim {

struct ReportOutputs {
  std::string html;     ///< file for the HTML report; empty: none
  std::string xlsx;     ///< file for the workbook; empty: none
  std::string figures;  ///< directory for SVG/PNG figures (created); empty: none
};

/// Throws ScenarioError (nothing written) if an output cannot be made or a target is not
/// writable.
void write_report(const ReportDocument& document, const ReportOutputs& outputs);

/// Adds report.html and report.xlsx, made from the results staged in `folder`, to the
/// same set (`--report`), so the report is replaced together with what it reports.
void add_report(OutputFolder& folder);

}  // namespace hemsim
