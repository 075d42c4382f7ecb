#pragma once
/// \file error.hpp
/// The two kinds of failure hemsim reports. A ScenarioError is the user's to fix
/// (a bad scenario file, a bad option); an InternalError is a bug in hemsim.
/// Only the CLI turns them into exit codes.

#include <stdexcept>
#include <string>

namespace hemsim {

/// Where in a scenario something was written: file, 1-based line and column, key path.
struct SourceLocation {
  std::string file;
  int line = 0;    ///< 1-based; 0 when unknown
  int column = 0;  ///< 1-based; 0 when unknown
  std::string key_path;  ///< e.g. "transitions.S1.S2"

  /// "file:line:column: key_path" with the parts that are known.
  [[nodiscard]] std::string describe() const;
};

/// A mistake in user input. what() reads "file:line:col: key: problem (expected ...)".
class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourceLocation where, std::string problem, std::string expected = {});
  [[nodiscard]] const SourceLocation& where() const noexcept { return where_; }
  [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
  [[nodiscard]] const std::string& expected() const noexcept { return expected_; }

 private:
  SourceLocation where_;
  std::string problem_;
  std::string expected_;
};

/// Thrown when the caller's cancellation callback asked a run to stop.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("run cancelled") {}
};

/// A broken invariant inside hemsim: never the user's fault.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace hemsim
