#pragma once
/// \file output_folder.hpp
/// An output folder (`--out DIR`) written as one transaction: the whole new set of files
/// goes into a fresh hidden folder beside DIR, with a manifest (manifest.json: every file,
/// its size and SHA-256), and is then swapped in with one rename. After a failure or a
/// kill at any point DIR holds the old set, the new set or (only if there was no old set)
/// nothing; never a mix. Writers of one DIR exclude each other with a lock file beside it,
/// and the next writer removes what a killed one left. Format: docs/results-format.md.
///
///     hemsim::OutputFolder out("results/run");      // locks, cleans up, stages
///     out.add("summary.csv", csv);                  // into the staged folder
///     out.commit();                                 // DIR now holds exactly this set

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace hemsim {

/// The names hemsim writes into an output folder (results, PSA, DSA, price, report and
/// the manifest). A folder holding anything else is not replaced, so a mistaken `--out`
/// (a home directory, a source tree) can never be deleted.
[[nodiscard]] const std::set<std::string>& output_file_names();

class OutputFolder {
 public:
  /// Takes the lock on `directory` (waiting up to `wait` for another writer to finish;
  /// then ScenarioError), cleans up what killed writers left beside it, checks that an
  /// existing `directory` holds only hemsim's files, and creates the staging folder.
  /// Creates the parent directories as needed. Throws ScenarioError for any of these.
  explicit OutputFolder(const std::string& directory, std::chrono::milliseconds wait = std::chrono::seconds(60));
  /// Without commit(): removes the staging folder; `directory` is as it was.
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  /// Writes one file of the new set (a name of output_file_names()) and updates the
  /// staged manifest, so the staged folder is always a consistent set that
  /// load_report_inputs() accepts (e.g. to render a report into the same set).
  void add(const std::string& name, const std::string& content);
  /// Records how the set was made (e.g. "compute" -> "2 MPI ranks x 1 thread") in the
  /// manifest's `made_by` object, which is not part of any result file: results stay
  /// byte-identical however they were computed.
  void note(const std::string& key, const std::string& value);
  /// Replaces `directory` by the staged set in one rename; the old set is then removed.
  void commit();

  /// The folder being written (the final location).
  [[nodiscard]] const std::filesystem::path& directory() const { return target_; }
  /// Where the new set is staged until commit().
  [[nodiscard]] const std::filesystem::path& staging() const { return staging_; }

 private:
  struct Entry {
    std::string name, sha256;
    std::uintmax_t size = 0;
  };
  void lock(std::chrono::milliseconds wait);
  void recover_from_killed_writers() const;
  void require_only_hemsim_files() const;
  void write_manifest() const;
  std::vector<std::pair<std::string, std::string>> notes_;

  /// The lock file's descriptor, closed (so the lock released) however the folder ends,
  /// also when the constructor throws.
  struct LockFile {
    int fd = -1;
    LockFile() = default;
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;
    ~LockFile();
  };

  std::filesystem::path target_, staging_;
  LockFile lock_;
  bool committed_ = false;
  std::vector<Entry> entries_;
};

/// Checks the manifest of an output folder: every file it lists exists with its size and
/// SHA-256. Returns the names it lists. Throws ScenarioError (naming the file) for a
/// folder without a manifest, an unreadable manifest, or a missing or changed file: a
/// mixed or edited set is refused rather than reported.
std::set<std::string> verify_output_folder(const std::string& directory);

}  // namespace hemsim
