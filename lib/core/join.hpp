#pragma once
// Names in running text ("a, b, c"): error messages and report sentences.

#include <fmt/format.h>

#include <string>
#include <vector>

namespace hemsim::detail {

/// `items` separated by `sep` (", " by default); empty for none.
inline std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  return fmt::format("{}", fmt::join(items, sep));
}

}  // namespace hemsim::detail
