#include "core/csv_table.hpp"

#include <cerrno>
#include <cmath>
#include <csv.h>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string_view>

#include "hemsim/error.hpp"
#include "core/read_file.hpp"
#include "core/sha256.hpp"

namespace hemsim::detail {

namespace {

struct Rows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

void on_field(void* data, std::size_t length, void* user) {
  auto* rows = static_cast<Rows*>(user);
  rows->current.emplace_back(static_cast<const char*>(data), length);
}

void on_row(int, void* user) {
  auto* rows = static_cast<Rows*>(user);
  rows->rows.push_back(std::move(rows->current));
  rows->current.clear();
}

}  // namespace

void read_csv_table(const std::string& path, Table& table) {
  const std::optional<std::string> bytes = read_file(path);
  if (!bytes)
    throw ScenarioError(table.where, fmt::format("cannot open table file '{}'", path),
                        "a readable CSV file (path relative to the scenario file)");
  // The hash of exactly the bytes parsed, so a checkpoint can tell when the file changes.
  table.sha256 = sha256_hex(*bytes);
  // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first column's name.
  constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";
  std::istringstream in(bytes->starts_with(kUtf8Bom) ? bytes->substr(kUtf8Bom.size()) : *bytes);
  // Drop comment lines before handing the text to the CSV parser, keeping line numbers.
  std::string text, line;
  std::vector<int> source_line;  // CSV record index -> file line (non-comment lines only)
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    text += line;
    text += '\n';
    source_line.push_back(line_number);
  }
  Rows rows;
  csv_parser parser;
  if (csv_init(&parser, CSV_APPEND_NULL) != 0) throw InternalError("csv_init failed");
  const std::size_t parsed = csv_parse(&parser, text.data(), text.size(), on_field, on_row, &rows);
  const bool ok = parsed == text.size() && csv_fini(&parser, on_field, on_row, &rows) == 0;
  const std::string csv_problem = ok ? std::string() : csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!ok) throw ScenarioError(table.where, fmt::format("'{}' is not valid CSV: {}", path, csv_problem), "comma-separated values");
  if (rows.rows.size() < 2)
    throw ScenarioError(table.where, fmt::format("'{}' has no data rows", path), "a header row and at least one data row");

  const auto& header = rows.rows[0];
  auto column_index = [&](const std::string& name) -> std::size_t {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    std::string names;
    for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
    throw ScenarioError(table.where, fmt::format("'{}' has no column '{}'", path, name), "one of: " + names);
  };
  const std::size_t key = column_index(table.key_column);
  std::vector<std::size_t> value_columns;
  if (table.columns.empty()) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (c != key) {
        table.columns.push_back(header[c]);
        value_columns.push_back(c);
      }
  } else {
    for (const auto& name : table.columns) value_columns.push_back(column_index(name));
  }
  table.values.assign(table.columns.size(), {});
  auto number = [&](const std::string& cell, std::size_t row, const std::string& column, bool allow_empty) {
    if (cell.empty()) {
      if (allow_empty) return std::numeric_limits<double>::quiet_NaN();
    } else {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(cell.c_str(), &end);
      if (errno == 0 && end && *end == '\0' && std::isfinite(v)) return v;
    }
    throw ScenarioError(table.where,
                        fmt::format("'{}' line {}, column '{}': \"{}\" is not a number", path, source_line[row], column, cell),
                        allow_empty ? "a number or an empty cell" : "a number");
  };
  for (std::size_t r = 1; r < rows.rows.size(); ++r) {
    const auto& row = rows.rows[r];
    if (row.size() != header.size())
      throw ScenarioError(table.where,
                          fmt::format("'{}' line {} has {} fields but the header has {}", path, source_line[r], row.size(), header.size()),
                          "the same number of fields in every row");
    const double k = number(row[key], r, table.key_column, false);
    if (!table.keys.empty() && !(k > table.keys.back()))
      throw ScenarioError(table.where, fmt::format("'{}' line {}: key {} does not increase", path, source_line[r], k),
                          "strictly increasing keys");
    table.keys.push_back(k);
    table.row_lines.push_back(source_line[r]);
    for (std::size_t c = 0; c < value_columns.size(); ++c)
      table.values[c].push_back(number(row[value_columns[c]], r, table.columns[c], true));
  }
}

}  // namespace hemsim::detail
