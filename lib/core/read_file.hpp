#pragma once
// Whole files as bytes, for the readers of saved results and for outputs that tools write
// to scratch files (figures, workbooks).

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace hemsim::detail {

/// The file's bytes, or nothing when it cannot be opened or read (the caller says why it
/// wanted it).
inline std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return bytes.str();
}

}  // namespace hemsim::detail
