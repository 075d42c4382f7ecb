#pragma once
// Reading numeric CSV tables (libcsv) for scenario `tables:`.

#include <string>

#include "hemsim/scenario.hpp"

namespace hemsim::detail {

/// Reads `path` into `table` (keys from `table.key_column`; the value columns listed in
/// `table.columns`, or all others when empty). Lines starting with '#' are comments;
/// empty cells become NaN. Errors name `where` and the CSV line.
void read_csv_table(const std::string& path, Table& table);

}  // namespace hemsim::detail
