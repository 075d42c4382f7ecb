#pragma once
// Numbers as text in the CSV and JSON result files.

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace hemsim::detail {

/// The shortest text that reads back as the same double; empty for "not applicable"
/// (NaN or an infinity).
inline std::string shortest_number(double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); }

}  // namespace hemsim::detail
