#pragma once
// Saving and reloading finished PSA draws (SQLite), so an interrupted PSA resumes.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace hemsim::detail {

class PsaCheckpoint {
 public:
  /// Opens (or creates) `path`; throws ScenarioError if it belongs to another key.
  PsaCheckpoint(const std::string& path, const std::string& key, std::size_t values_per_draw);
  ~PsaCheckpoint();
  PsaCheckpoint(const PsaCheckpoint&) = delete;
  PsaCheckpoint& operator=(const PsaCheckpoint&) = delete;

  /// Draws already saved: draw index (1-based) -> values.
  [[nodiscard]] std::map<std::uint64_t, std::vector<double>> load() const;
  /// Saves one finished draw (thread-safe).
  void save(std::uint64_t draw, const std::vector<double>& values);

 private:
  void execute(const std::string& sql) const;
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
