// The workbook, by libxlsxwriter. libxlsxwriter 1.1.4 (Debian 12) writes only to a file
// name, so the workbook goes to a file in a private temporary directory, whose bytes are returned: the
// caller then replaces the target atomically like every other output.

#include "hemsim/report_xlsx.hpp"

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "hemsim/error.hpp"
#include "core/read_file.hpp"
#include "core/temp_directory.hpp"

namespace hemsim {

namespace {

[[noreturn]] void workbook_error(const std::string& problem) {
  throw ScenarioError({"<workbook>", 0, 0, "--xlsx"}, problem, "a writable temporary directory");
}

/// Excel's rules: at most 31 characters, none of []:*?/\ , unique.
std::string sheet_name(std::string name, std::set<std::string>& used) {
  for (char& c : name)
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) c = '-';
  name = name.substr(0, 31);
  std::string candidate = name;
  for (int i = 2; used.count(candidate); ++i) candidate = name.substr(0, 27) + fmt::format(" ({})", i);
  used.insert(candidate);
  return candidate;
}

// The same document gives the same bytes: the workbook records as its creation time
// SOURCE_DATE_EPOCH (reproducible-builds.org) when that is set to a number of seconds,
// else 1980-01-01, the date its ZIP entries carry, never the time of writing.
std::time_t creation_time() {
  constexpr std::time_t kZipEpoch = 315532800;  // 1980-01-01T00:00:00Z
  const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (!epoch || !*epoch) return kZipEpoch;
  char* end = nullptr;
  const long long seconds = std::strtoll(epoch, &end, 10);
  return *end == '\0' && seconds > 0 ? static_cast<std::time_t>(seconds) : kZipEpoch;
}

}  // namespace

std::string report_xlsx(const ReportDocument& doc) {
  const detail::TempDirectory temp("hemsim-workbook-");
  if (temp.path().empty()) workbook_error("cannot create a temporary directory");
  const std::string file = (temp.path() / "report.xlsx").string();
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = nullptr;
  lxw_workbook* wb = workbook_new_opt(file.c_str(), &options);
  if (!wb) workbook_error("cannot start the workbook");
  lxw_doc_properties properties{};
  properties.created = creation_time();
  if (workbook_set_properties(wb, &properties) != LXW_NO_ERROR) workbook_error("cannot set the workbook's properties");

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xEDEDED);
  format_set_bottom(header, LXW_BORDER_THIN);
  format_set_text_wrap(header);
  format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* money = workbook_add_format(wb);
  format_set_num_format(money, "#,##0.00");
  lxw_format* effect = workbook_add_format(wb);
  format_set_num_format(effect, "0.0000");
  lxw_format* probability = workbook_add_format(wb);
  format_set_num_format(probability, "0.000");
  lxw_format* number = workbook_add_format(wb);
  format_set_num_format(number, "General");
  lxw_format* integer = workbook_add_format(wb);
  format_set_num_format(integer, "0");
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 13);
  auto number_format = [&](ReportCell::Format f) {
    switch (f) {
      case ReportCell::Format::money:
        return money;
      case ReportCell::Format::effect:
        return effect;
      case ReportCell::Format::probability:
        return probability;
      case ReportCell::Format::integer:
        return integer;
      default:
        return number;
    }
  };

  std::set<std::string> used{"Contents"};
  lxw_worksheet* contents = workbook_add_worksheet(wb, "Contents");
  worksheet_write_string(contents, 0, 0, doc.title.c_str(), title);
  const char* heads[] = {"Sheet", "Table", "Notes"};
  for (int c = 0; c < 3; ++c) worksheet_write_string(contents, 2, static_cast<lxw_col_t>(c), heads[c], header);
  worksheet_freeze_panes(contents, 3, 0);
  worksheet_set_column(contents, 0, 0, 22, nullptr);
  worksheet_set_column(contents, 1, 1, 70, nullptr);
  worksheet_set_column(contents, 2, 2, 80, nullptr);
  lxw_row_t contents_row = 3;

  for (const ReportTable* t : doc.tables()) {
    if (t->sheet.empty()) continue;
    const std::string name = sheet_name(t->sheet, used);
    lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
    if (!ws) workbook_error("cannot add sheet " + name);
    worksheet_write_string(contents, contents_row, 0, name.c_str(), nullptr);
    worksheet_write_string(contents, contents_row, 1, t->title.c_str(), nullptr);
    if (!t->caption.empty()) worksheet_write_string(contents, contents_row, 2, t->caption.c_str(), nullptr);
    ++contents_row;
    std::vector<double> width(t->columns.size(), 8);
    for (std::size_t c = 0; c < t->columns.size(); ++c) {
      worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), t->columns[c].c_str(), header);
      width[c] = std::max(width[c], std::min(36.0, static_cast<double>(t->columns[c].size()) * 0.9 + 2));
    }
    for (std::size_t r = 0; r < t->rows.size(); ++r) {
      const auto row = static_cast<lxw_row_t>(r + 1);
      for (std::size_t c = 0; c < t->rows[r].size() && c < t->columns.size(); ++c) {
        const ReportCell& cell = t->rows[r][c];
        const auto col = static_cast<lxw_col_t>(c);
        if (cell.is_number()) {
          worksheet_write_number(ws, row, col, cell.as_number(), number_format(cell.format));
          width[c] = std::max(width[c], 12.0);
        } else if (const auto* s = std::get_if<std::string>(&cell.value)) {
          worksheet_write_string(ws, row, col, s->c_str(), nullptr);
          width[c] = std::max(width[c], std::min(60.0, static_cast<double>(s->size()) + 2));
        }
      }
    }
    for (std::size_t c = 0; c < width.size(); ++c)
      worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), width[c], nullptr);
    worksheet_freeze_panes(ws, 1, t->columns.size() > 6 ? 1 : 0);
    if (!t->columns.empty() && !t->rows.empty())
      worksheet_autofilter(ws, 0, 0, static_cast<lxw_row_t>(t->rows.size()), static_cast<lxw_col_t>(t->columns.size() - 1));
  }
  const lxw_error error = workbook_close(wb);
  if (error != LXW_NO_ERROR) workbook_error(std::string("libxlsxwriter: ") + lxw_strerror(error));
  auto bytes = detail::read_file(file);
  if (!bytes) workbook_error("cannot read back the temporary workbook");
  return std::move(*bytes);
}

}  // namespace hemsim
