// All report outputs are made before any is written, so a failure leaves none behind.

#include "hemsim/report_writer.hpp"

#include <filesystem>

#include "hemsim/error.hpp"
#include "hemsim/report_figures.hpp"
#include "hemsim/report_html.hpp"
#include "hemsim/report_xlsx.hpp"
#include "hemsim/results_io.hpp"

namespace hemsim {

void write_report(const ReportDocument& doc, const ReportOutputs& outputs) {
  namespace fs = std::filesystem;
  std::vector<std::pair<fs::path, std::string>> files;
  if (!outputs.html.empty()) files.emplace_back(outputs.html, report_html(doc));
  if (!outputs.xlsx.empty()) files.emplace_back(outputs.xlsx, report_xlsx(doc));
  if (!outputs.figures.empty())
    for (auto& [name, bytes] : render_report_figures(doc)) files.emplace_back(fs::path(outputs.figures) / name, std::move(bytes));
  std::error_code ec;
  // Every target's directory must exist (or be creatable) and no target may be a
  // directory, checked before the first file is written.
  for (const auto& [path, bytes] : files) {
    const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (fs::is_directory(path, ec)) throw ScenarioError({path.string(), 0, 0, ""}, "is a directory", "a file name");
    if (!fs::is_directory(parent, ec) && parent != fs::path(outputs.figures))
      throw ScenarioError({path.string(), 0, 0, ""}, "its directory does not exist", "an existing directory");
  }
  if (!outputs.figures.empty()) {
    fs::create_directories(outputs.figures, ec);
    if (ec || !fs::is_directory(outputs.figures, ec))
      throw ScenarioError({outputs.figures, 0, 0, "--figures"}, "cannot create the directory", "a writable directory");
  }
  for (const auto& [path, bytes] : files) write_file_atomically(path.string(), bytes);
}

void add_report(OutputFolder& folder) {
  ReportInputs inputs = load_report_inputs({folder.staging().string()});
  // The report names the files where they will be once committed, not where they are staged.
  for (auto& file : inputs.files) file = (folder.directory() / std::filesystem::path(file).filename()).string();
  const ReportDocument document = build_report(inputs);
  folder.add("report.html", report_html(document));
  folder.add("report.xlsx", report_xlsx(document));
}

}  // namespace hemsim
