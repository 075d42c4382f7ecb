#include "hemsim/error.hpp"

#include <fmt/format.h>

namespace hemsim {

std::string SourceLocation::describe() const {
  std::string out = file.empty() ? std::string("<scenario>") : file;
  if (line > 0) {
    out += fmt::format(":{}", line);
    if (column > 0) out += fmt::format(":{}", column);
  }
  if (!key_path.empty()) out += ": " + key_path;
  return out;
}

namespace {
std::string compose(const SourceLocation& where, const std::string& problem,
                    const std::string& expected) {
  std::string out = where.describe() + ": " + problem;
  if (!expected.empty()) out += " (expected " + expected + ")";
  return out;
}
}  // namespace

ScenarioError::ScenarioError(SourceLocation where, std::string problem, std::string expected)
    : std::runtime_error(compose(where, problem, expected)),
      where_(std::move(where)),
      problem_(std::move(problem)),
      expected_(std::move(expected)) {}

}  // namespace hemsim
