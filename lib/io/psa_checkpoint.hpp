#pragma once
// Saving and reloading finished PSA draws (SQLite), so an interrupted PSA resumes.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hemsim/provenance.hpp"
#include "hemsim/scenario.hpp"

struct sqlite3;

namespace hemsim::detail {

/// A file whose bytes went into every draw: the scenario text or a table it loads.
/// An input file and the hash of the bytes read (provenance.hpp): `role` is what it is to
/// the scenario, stable across directories; `path` where it was read, for the message.
using CheckpointInput = InputFile;

/// The inputs of `scenario`: its text and each table file, with their hashes.
[[nodiscard]] std::vector<CheckpointInput> checkpoint_inputs(const Scenario& scenario);

class PsaCheckpoint {
 public:
  /// Opens (or creates) `path`. Throws ScenarioError if it is not a hemsim checkpoint, if
  /// it belongs to another key, or if any input differs from the one its draws came from
  /// (naming that file): a resumed run must never mix draws of two versions of the inputs.
  PsaCheckpoint(const std::string& path, const std::string& key, std::size_t values_per_draw, const std::vector<CheckpointInput>& inputs);
  ~PsaCheckpoint();
  PsaCheckpoint(const PsaCheckpoint&) = delete;
  PsaCheckpoint& operator=(const PsaCheckpoint&) = delete;

  /// Draws already saved: draw index (1-based) -> values.
  [[nodiscard]] std::map<std::uint64_t, std::vector<double>> load() const;
  /// Saves one finished draw (thread-safe).
  void save(std::uint64_t draw, const std::vector<double>& values);

 private:
  void execute(const std::string& sql) const;
  [[nodiscard]] bool is_empty_database() const;
  void require_hemsim_checkpoint() const;
  void create(const std::string& key, const std::vector<CheckpointInput>& inputs);
  void require_same_run(const std::string& key) const;
  void require_same_inputs(const std::vector<CheckpointInput>& inputs) const;
  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::string path_;
  std::size_t width_;
  // Owned, so the connection is closed even when the constructor throws.
  std::unique_ptr<sqlite3, Closer> db_;
  std::mutex mutex_;
};

}  // namespace hemsim::detail
