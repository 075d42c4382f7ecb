// An output folder as one transaction: staged beside the target, swapped in by one
// rename, guarded by a lock file, checked on load through its manifest.

#include "hemsim/output_folder.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <system_error>
#include <thread>

#include "hemsim/error.hpp"
#include "hemsim/version.hpp"
#include "core/read_file.hpp"
#include "core/sha256.hpp"

namespace hemsim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kManifest = "manifest.json";
constexpr int kManifestFormatVersion = 1;

[[noreturn]] void output_error(const fs::path& path, const std::string& problem, const std::string& expected = "a writable output folder") {
  throw ScenarioError({path.string(), 0, 0, "--out"}, problem, expected);
}

std::string errno_message(int error) { return std::generic_category().message(error); }

// Names beside the target: ".<name>.hemsim-lock", ".<name>.hemsim-new-<unique>" (a set
// being staged) and ".<name>.hemsim-old-<unique>" (an old set moved aside). Hidden, so a
// listing of the parent shows only the folder itself.
fs::path sibling(const fs::path& target, const std::string& what) {
  return target.parent_path() / fmt::format(".{}.hemsim-{}", target.filename().string(), what);
}

std::string unique_suffix() {
  // Only names a folder; no result depends on it.
  std::random_device entropy;
  return fmt::format("{}-{:08x}{:08x}", ::getpid(), entropy(), entropy());
}

/// Writes `content` to a new file `path` and makes it durable before anything renames it.
void write_new_file(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) output_error(path, "cannot create the file: " + errno_message(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      output_error(path, "could not write the whole file: " + errno_message(error));
    }
    written += static_cast<std::size_t>(n);
  }
  // Filesystems without fsync (EINVAL) have nothing to flush.
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int error = errno;
    ::close(fd);
    output_error(path, "could not write the whole file: " + errno_message(error));
  }
  if (::close(fd) != 0) output_error(path, "could not write the whole file: " + errno_message(errno));
}

/// Makes renames in `directory` durable; best effort, as it only matters after a crash.
void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

/// Puts `staged` in the place of `target` and returns where the old set now is. Swaps the
/// two in one step where the filesystem can (Linux renameat2); elsewhere moves `target`
/// to `aside` first, which leaves a moment with no `target` (see recovery).
fs::path swap_in(const fs::path& staged, const fs::path& target, const fs::path& aside) {
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) return staged;
  if (errno != EINVAL && errno != ENOSYS) output_error(target, "could not move the new results into place: " + errno_message(errno));
  std::error_code ec;
  fs::rename(target, aside, ec);
  if (ec) output_error(target, "could not move the old results aside: " + ec.message());
  fs::rename(staged, target, ec);
  if (ec) {
    std::error_code restore;
    fs::rename(aside, target, restore);
    output_error(target, "could not move the new results into place: " + ec.message());
  }
  return aside;
}

/// A file written by a hemsim older than the output transaction and left by a kill
/// (".<name>.<pid>.<hex>.tmp").
bool is_legacy_temporary(const std::string& name) { return name.size() > 5 && name.front() == '.' && name.ends_with(".tmp"); }

}  // namespace

const std::set<std::string>& output_file_names() {
  static const std::set<std::string> names{kManifest,
                                           // hemsim run
                                           "results.json", "summary.csv", "increments.csv", "icers.csv", "trace.csv", "events.csv",
                                           "event_incidence.csv", "years_in_state.csv", "costs_by_year.csv", "budget_impact.csv", "market_funnel.csv",
                                           // hemsim run --scenario all
                                           "named_scenarios.json", "named_scenarios.csv",
                                           // hemsim psa
                                           "psa.json", "psa_draws.csv", "ceac.csv", "evpi.csv", "ce_plane.csv", "evppi_parameters.csv", "inner_sample.json",
                                           // hemsim dsa and price
                                           "dsa.json", "one_way.csv", "scenarios.csv", "two_way.csv", "value_based_price.csv",
                                           "headroom.csv", "value_based_price_probabilistic.csv",
                                           // hemsim price --surface (target product profile)
                                           "price_surface.csv", "evidence_thresholds.csv",
                                           // --report, or hemsim report's default output
                                           "report.html", "report.xlsx"};
  return names;
}

OutputFolder::OutputFolder(const std::string& directory, std::chrono::milliseconds wait) {
  if (directory.empty()) output_error(directory, "no output folder given", "--out DIR");
  std::error_code ec;
  // The real location (a symbolic link is followed), so the staged folder is on the same
  // filesystem and the rename replaces the folder the user means.
  target_ = fs::weakly_canonical(fs::absolute(directory, ec), ec);
  if (ec || target_.filename().empty() || target_ == target_.root_path())
    output_error(directory, "is not a folder that can be replaced", "a folder name such as results/run");
  fs::create_directories(target_.parent_path(), ec);
  if (ec) output_error(directory, "cannot create the output directory: " + ec.message());
  if (fs::exists(target_, ec) && !fs::is_directory(target_, ec)) output_error(directory, "is not a directory");
  lock(wait);
  recover_from_killed_writers();
  require_only_hemsim_files();
  staging_ = sibling(target_, "new-" + unique_suffix());
  if (!fs::create_directory(staging_, ec) || ec)
    output_error(target_, fmt::format("cannot create the folder {} beside it: {}", staging_.filename().string(), ec.message()));
  try {
    write_manifest();  // an empty set is a consistent set
  } catch (...) {
    fs::remove_all(staging_, ec);  // no destructor runs for a constructor that throws
    throw;
  }
}

OutputFolder::~OutputFolder() {
  std::error_code ec;
  if (!committed_ && !staging_.empty()) fs::remove_all(staging_, ec);
}

OutputFolder::LockFile::~LockFile() {
  if (fd >= 0) ::close(fd);  // releases the lock
}

void OutputFolder::lock(std::chrono::milliseconds wait) {
  // The lock file stays: removing it would let a third writer lock a new file while a
  // second still holds the old one.
  const fs::path lock_file = sibling(target_, "lock");
  lock_.fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (lock_.fd < 0) output_error(target_, fmt::format("cannot create the lock file {}: {}", lock_file.string(), errno_message(errno)));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(lock_.fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) output_error(target_, "cannot lock the output folder: " + errno_message(errno));
    if (std::chrono::steady_clock::now() >= deadline)
      output_error(
          target_,
          fmt::format("another hemsim is writing to this folder (it holds {}); run again when it has finished, or give another --out",
                      lock_file.string()),
          "one writer per output folder at a time");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void OutputFolder::recover_from_killed_writers() const {
  // Under the lock no other writer is staging, so every staged or set-aside folder of this
  // target was left by a killed writer. A set moved aside without its successor moved in
  // (only where the filesystem cannot swap) is the old set: it goes back; the rest goes.
  const std::string prefix = sibling(target_, "").filename().string();
  std::error_code ec;
  std::vector<fs::path> left;
  for (const auto& entry : fs::directory_iterator(target_.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix + "new-") || name.starts_with(prefix + "old-")) left.push_back(entry.path());
  }
  for (const auto& path : left) {
    if (!fs::exists(target_, ec) && path.filename().string().starts_with(prefix + "old-")) {
      fs::rename(path, target_, ec);
      if (!ec) continue;
    }
    fs::remove_all(path, ec);
    if (ec) output_error(target_, fmt::format("cannot remove {}, left by an interrupted hemsim: {}", path.string(), ec.message()));
  }
}

void OutputFolder::require_only_hemsim_files() const {
  std::error_code ec;
  if (!fs::exists(target_, ec)) return;
  for (const auto& entry : fs::directory_iterator(target_, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours =
        (output_file_names().contains(name) || is_legacy_temporary(name)) && entry.is_regular_file(ec) && !entry.is_symlink(ec);
    if (!ours)
      output_error(
          target_,
          fmt::format("holds '{}', which hemsim did not write; hemsim replaces an output folder as a whole and will not delete it", name),
          "a new or empty folder, or one written by hemsim (e.g. one folder per command: results/run, results/psa)");
  }
  if (ec) output_error(target_, "cannot list the folder: " + ec.message());
}

void OutputFolder::add(const std::string& name, const std::string& content) {
  if (committed_) throw InternalError("OutputFolder::add after commit");
  if (name == kManifest || !output_file_names().contains(name)) throw InternalError(fmt::format("'{}' is not an output file name", name));
  for (const auto& e : entries_)
    if (e.name == name) throw InternalError(fmt::format("'{}' added twice to one output folder", name));
  write_new_file(staging_ / name, content);
  entries_.push_back({name, detail::sha256_hex(content), content.size()});
  write_manifest();
}

void OutputFolder::note(const std::string& key, const std::string& value) {
  if (committed_) throw InternalError("OutputFolder::note after commit");
  notes_.emplace_back(key, value);
  write_manifest();
}

void OutputFolder::write_manifest() const {
  json files = json::array();
  for (const auto& e : entries_) files.push_back({{"name", e.name}, {"size", e.size}, {"sha256", e.sha256}});
  json manifest{
      {"format", "hemsim output folder"}, {"format_version", kManifestFormatVersion}, {"hemsim_version", kVersion}, {"files", files}};
  if (!notes_.empty()) {
    json made_by = json::object();
    for (const auto& [key, value] : notes_) made_by[key] = value;
    manifest["made_by"] = made_by;
  }
  // Replaced by rename, so the staged folder always has one whole manifest.
  const fs::path next = staging_ / ".manifest.json.next";
  write_new_file(next, manifest.dump(2) + "\n");
  std::error_code ec;
  fs::rename(next, staging_ / kManifest, ec);
  if (ec) output_error(staging_ / kManifest, "could not write the manifest: " + ec.message());
}

void OutputFolder::commit() {
  if (committed_) throw InternalError("OutputFolder::commit twice");
  sync_directory(staging_);
  std::error_code ec;
  if (!fs::exists(target_, ec)) {
    fs::rename(staging_, target_, ec);
    if (ec) output_error(target_, "could not move the new results into place: " + ec.message());
  } else {
    const fs::path old_set = swap_in(staging_, target_, sibling(target_, "old-" + unique_suffix()));
    fs::remove_all(old_set, ec);  // a failure here leaves a hidden folder the next writer removes
  }
  committed_ = true;
  sync_directory(target_.parent_path());
}

std::set<std::string> verify_output_folder(const std::string& directory) {
  const fs::path dir(directory), manifest_path = dir / kManifest;
  auto refuse = [&](const fs::path& file, const std::string& problem) -> void {
    throw ScenarioError({file.string(), 0, 0, ""}, problem, "an output folder written whole by hemsim (rerun the command that wrote it)");
  };
  const auto text = detail::read_file(manifest_path);
  if (!text) refuse(manifest_path, "is missing: the folder was not written as one set by this hemsim, or was changed since");
  std::set<std::string> listed;
  try {
    const json manifest = json::parse(*text);
    if (manifest.at("format_version").get<int>() > kManifestFormatVersion)
      refuse(manifest_path, "is of a newer format than this hemsim reads");
    for (const auto& f : manifest.at("files")) {
      const auto name = f.at("name").get<std::string>();
      const auto bytes = detail::read_file(dir / name);
      if (!bytes) refuse(dir / name, "is listed in manifest.json but missing: the folder holds a mixed or damaged set");
      if (bytes->size() != f.at("size").get<std::uintmax_t>() || detail::sha256_hex(*bytes) != f.at("sha256").get<std::string>())
        refuse(dir / name, "differs from what manifest.json lists: the folder holds a mixed or edited set");
      listed.insert(name);
    }
  } catch (const json::exception& e) {
    refuse(manifest_path, std::string("is not a valid manifest: ") + e.what());
  }
  return listed;
}

}  // namespace hemsim
