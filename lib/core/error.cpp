#include "hemsim/error.hpp"

#include <fmt/format.h>

namespace hemsim {

std::string SourceLocation::describe() const {
  const std::string name = file.empty() ? std::string("<scenario>") : file;
  const std::string position = line > 0 ? (column > 0 ? fmt::format(":{}:{}", line, column) : fmt::format(":{}", line)) : std::string();
  return key_path.empty() ? fmt::format("{}{}", name, position) : fmt::format("{}{}: {}", name, position, key_path);
}

namespace {
std::string compose(const SourceLocation& where, const std::string& problem, const std::string& expected) {
  return expected.empty() ? fmt::format("{}: {}", where.describe(), problem)
                          : fmt::format("{}: {} (expected {})", where.describe(), problem, expected);
}
}  // namespace

ScenarioError::ScenarioError(SourceLocation where, std::string problem, std::string expected)
    : std::runtime_error(compose(where, problem, expected)),
      where_(std::move(where)),
      problem_(std::move(problem)),
      expected_(std::move(expected)) {}

}  // namespace hemsim
