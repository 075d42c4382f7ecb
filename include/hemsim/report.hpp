#pragma once
/// \file report.hpp
/// A report rebuilt from saved results (no re-run): the results of `run`, `psa`, `dsa`
/// and `price` are loaded from their directories and assembled into one document of
/// sections, tables and Vega-Lite chart specifications. The HTML writer
/// (report_html.hpp), the workbook writer (report_xlsx.hpp) and the figure renderer
/// (report_figures.hpp) all draw from that one document, so every output shows the
/// same numbers.
///
///     auto inputs = hemsim::load_report_inputs({"results"});
///     hemsim::ReportDocument doc = hemsim::build_report(inputs);
///     hemsim::write_file_atomically("report.html", hemsim::report_html(doc));

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hemsim/dsa_io.hpp"
#include "hemsim/precision.hpp"
#include "hemsim/psa.hpp"
#include "hemsim/results.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/variants.hpp"

namespace hemsim {

/// Everything the report is built from. Each part is optional; a report needs at least one
/// of run, psa, dsa (one-way and friends) or price.
struct ReportInputs {
  std::optional<RunResults> run;   ///< results.json
  std::optional<PsaResults> psa;   ///< psa.json
  /// inner_sample.json beside psa.json (`psa --max-noise-share`): how its inner sample was sized.
  std::optional<InnerSampleSize> inner_sample;
  std::optional<DsaReport> dsa;    ///< dsa.json from `hemsim dsa`
  std::optional<DsaReport> price;  ///< dsa.json from `hemsim price` (value-based prices)
  std::optional<VariantComparison> variants;  ///< named_scenarios.json from `hemsim run --scenario all`
  /// evppi_parameters.csv beside psa.json, if any: one row per (group, threshold).
  struct EvppiRow {
    std::string parameters, method;
    double wtp = 0, evppi = 0, standard_error = 0;
  };
  std::vector<EvppiRow> evppi;
  /// The scenario named by results.json, when its file can still be loaded: the parameter
  /// table (values, distributions, ranges, sources) and the settings results.json does not
  /// carry (discount rates, population, descriptions) come from it.
  std::optional<Scenario> scenario;
  std::string scenario_note;           ///< why the scenario could not be used, if it could not
  std::vector<std::string> files;      ///< the result files read, for the reproduction section
  std::string results_hemsim_version;  ///< the hemsim that wrote results.json
};

/// Reads results.json, psa.json, dsa.json (and evppi_parameters.csv) from each directory.
/// A dsa.json holding value-based prices fills `price`, another `dsa`. Throws ScenarioError
/// (naming the file) for a directory that does not exist or holds none of these files, for
/// a directory whose files do not match its manifest.json (verify_output_folder), for
/// a file that is not valid results of its kind, and for two files that fill the same part.
[[nodiscard]] ReportInputs load_report_inputs(const std::vector<std::string>& directories);

/// One cell of a table: empty (not applicable), a number with its display format, or text.
struct ReportCell {
  enum class Format { text, money, effect, probability, number, integer };
  std::variant<std::monostate, double, std::string> value;
  Format format = Format::text;

  static ReportCell empty() { return {}; }
  static ReportCell text(std::string s) { return {std::move(s), Format::text}; }
  static ReportCell number(double v, Format f) { return {v, f}; }
  [[nodiscard]] bool is_number() const { return std::holds_alternative<double>(value); }
  [[nodiscard]] double as_number() const { return std::get<double>(value); }
  [[nodiscard]] std::string as_text() const;  ///< numbers formatted for display
};

/// A table with one header row. `sheet` names its worksheet in the workbook (empty: not
/// in the workbook); `in_html` is false for tables too long for a page (per-draw values).
struct ReportTable {
  std::string id, title, caption, sheet;
  bool in_html = true;
  std::vector<std::string> columns;
  std::vector<std::vector<ReportCell>> rows;
};

/// A chart as a Vega-Lite specification (JSON text) with its data inlined.
struct ReportChart {
  std::string id;  ///< also the figure's file name
  std::string title;
  std::string caption;
  std::string vega_lite;
};

struct ReportSection {
  std::string id, title;
  std::vector<std::string> paragraphs;  ///< plain text
  std::vector<ReportTable> tables;
  std::vector<ReportChart> charts;
  bool charts_first = false;  ///< lay the charts out before the tables
};

struct ReportDocument {
  std::string title;
  std::vector<ReportSection> sections;
  [[nodiscard]] const ReportTable* find_table(const std::string& id) const;  ///< nullptr if absent
  [[nodiscard]] std::vector<const ReportChart*> charts() const;
  [[nodiscard]] std::vector<const ReportTable*> tables() const;
};

/// Assembles the report: sections appear for whatever the inputs hold. Throws
/// ScenarioError if the inputs are empty or disagree (e.g. a psa.json of another
/// scenario than results.json).
[[nodiscard]] ReportDocument build_report(const ReportInputs& inputs);

}  // namespace hemsim
