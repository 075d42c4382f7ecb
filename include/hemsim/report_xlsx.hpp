#pragma once
/// \file report_xlsx.hpp
/// The report as an Excel workbook (libxlsxwriter): a contents sheet, then one table
/// per sheet (inputs with sources, base case, incremental results, PSA draws, CEAC,
/// EVPI, DSA, value-based price, ...) with a frozen header row, a filter and number
/// formats; numbers are stored as numbers at full precision.

#include <string>

#include "hemsim/report.hpp"

namespace hemsim {

/// The .xlsx file's bytes (write them with write_file_atomically). Throws ScenarioError
/// if the workbook cannot be made (e.g. no space for the temporary file).
[[nodiscard]] std::string report_xlsx(const ReportDocument& document);

}  // namespace hemsim
