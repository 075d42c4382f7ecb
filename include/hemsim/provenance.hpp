#pragma once
/// \file provenance.hpp
/// How a saved result was made: the command that reproduces it, the hemsim version, and
/// the SHA-256 of the scenario file and of every file it reads. Re-running the command
/// (with any --out, --threads or number of MPI ranks) gives the same bytes; a result
/// whose inputs have changed since can say so.

#include <string>
#include <vector>

namespace hemsim {

struct Scenario;

struct InputFile {
  std::string role;  ///< "scenario", "table 'lt2019'"
  std::string path;  ///< as the run read it (relative to its working directory)
  std::string sha256;
};

struct Provenance {
  /// Every option that changes a number, with the defaults it ran with spelled out
  /// (individuals, seed, method); not --out, --threads, --quiet. Empty: not recorded.
  std::string command;
  std::string hemsim_version;
  std::vector<InputFile> inputs;
};

/// The scenario file and every table file it read, with the hashes of the bytes read.
[[nodiscard]] std::vector<InputFile> scenario_inputs(const Scenario& scenario);

/// Each input whose file now has other bytes than when the result was made, as a
/// sentence ("the scenario file x.yaml has changed since (SHA-256 ab12... then, cd34...
/// now)"); inputs that cannot be found are said to be missing. Empty: all as they were.
[[nodiscard]] std::vector<std::string> changed_inputs(const Provenance& provenance);

}  // namespace hemsim
