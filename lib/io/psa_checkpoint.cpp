#include "io/psa_checkpoint.hpp"
#include "core/sha256.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstring>
#include <utility>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

// Marks a database as a hemsim checkpoint ("hmsm"), so another program's SQLite file is
// refused instead of adopted.
constexpr std::int64_t kApplicationId = 0x686d736d;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw ScenarioError({path, 0, 0, "--checkpoint"}, problem, "a writable SQLite checkpoint file of this run");
}

// Prepared statement with automatic finalisation.
struct Statement {
  sqlite3_stmt* handle = nullptr;
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &handle, nullptr) != SQLITE_OK) fail(path, std::string("checkpoint: ") + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(handle); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
};

}  // namespace

void PsaCheckpoint::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

std::vector<CheckpointInput> checkpoint_inputs(const Scenario& scenario) {
  std::vector<CheckpointInput> inputs = scenario_inputs(scenario);
  // The same file run as another variant, with other --set values or another strategy
  // subset is another model: its draws must not be resumed from this checkpoint.
  if (!scenario.variant.empty() || !scenario.overrides.empty() || !scenario.settings.strategies.empty()) {
    std::string choices = "variant=" + scenario.variant;
    for (const auto& [name, value] : scenario.overrides) choices += "\nset " + name + "=" + value;
    for (const auto& st : scenario.strategies) choices += "\nstrategy " + st.name;
    inputs.push_back({"scenario choices (--scenario, --set, --strategy)", "", detail::sha256_hex(choices)});
  }
  return inputs;
}

PsaCheckpoint::PsaCheckpoint(const std::string& path, const std::string& key, std::size_t values_per_draw,
                             const std::vector<CheckpointInput>& inputs)
    : path_(path), width_(values_per_draw) {
  sqlite3* handle = nullptr;
  const int opened = sqlite3_open(path.c_str(), &handle);
  db_.reset(handle);  // sqlite3_open allocates a handle even when it fails
  if (opened != SQLITE_OK) fail(path, std::string("cannot open the checkpoint: ") + (handle ? sqlite3_errmsg(handle) : "out of memory"));
  // Identified before anything is written: another program's database must stay untouched.
  if (is_empty_database()) {
    execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    create(key, inputs);
  } else {
    require_hemsim_checkpoint();
    execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    require_same_run(key);
    require_same_inputs(inputs);
  }
}

bool PsaCheckpoint::is_empty_database() const {
  // Reading the schema is also what fails on a file that is not SQLite at all.
  Statement count(db_.get(), "SELECT count(*) FROM sqlite_master", path_);
  if (sqlite3_step(count.handle) != SQLITE_ROW) fail(path_, std::string("cannot read the checkpoint: ") + sqlite3_errmsg(db_.get()));
  return sqlite3_column_int64(count.handle, 0) == 0;
}

void PsaCheckpoint::require_hemsim_checkpoint() const {
  Statement id(db_.get(), "PRAGMA application_id", path_);
  const bool ours = sqlite3_step(id.handle) == SQLITE_ROW && sqlite3_column_int64(id.handle, 0) == kApplicationId;
  if (!ours)
    fail(path_,
         "is an SQLite database but not a hemsim PSA checkpoint (another program's file, or a checkpoint of an earlier "
         "hemsim that did not record the scenario's files); give a new file name");
}

void PsaCheckpoint::create(const std::string& key, const std::vector<CheckpointInput>& inputs) {
  execute(
      fmt::format("BEGIN; PRAGMA application_id={};"
                  "CREATE TABLE run (key TEXT NOT NULL, width INTEGER NOT NULL);"
                  "CREATE TABLE inputs (role TEXT PRIMARY KEY, file TEXT NOT NULL, sha256 TEXT NOT NULL);"
                  "CREATE TABLE draws (draw INTEGER PRIMARY KEY, data BLOB NOT NULL);",
                  kApplicationId));
  Statement run(db_.get(), "INSERT INTO run (key, width) VALUES (?, ?)", path_);
  sqlite3_bind_text(run.handle, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(run.handle, 2, static_cast<sqlite3_int64>(width_));
  if (sqlite3_step(run.handle) != SQLITE_DONE) fail(path_, std::string("checkpoint: ") + sqlite3_errmsg(db_.get()));
  for (const auto& input : inputs) {
    Statement insert(db_.get(), "INSERT INTO inputs (role, file, sha256) VALUES (?, ?, ?)", path_);
    sqlite3_bind_text(insert.handle, 1, input.role.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.handle, 2, input.path.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert.handle, 3, input.sha256.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(insert.handle) != SQLITE_DONE) fail(path_, std::string("checkpoint: ") + sqlite3_errmsg(db_.get()));
  }
  execute("COMMIT;");
}

void PsaCheckpoint::require_same_run(const std::string& key) const {
  Statement select(db_.get(), "SELECT key, width FROM run", path_);
  if (sqlite3_step(select.handle) != SQLITE_ROW) fail(path_, "the checkpoint is damaged (it names no run)");
  const auto* saved = reinterpret_cast<const char*>(sqlite3_column_text(select.handle, 0));
  const auto width = static_cast<std::size_t>(sqlite3_column_int64(select.handle, 1));
  if (saved == nullptr || saved != key || width != width_)
    fail(path_, "this checkpoint belongs to another run (a different seed, individuals, method, fixed values or model outputs)");
}

void PsaCheckpoint::require_same_inputs(const std::vector<CheckpointInput>& inputs) const {
  std::map<std::string, std::pair<std::string, std::string>> saved;  // role -> (file, sha256)
  Statement select(db_.get(), "SELECT role, file, sha256 FROM inputs", path_);
  while (sqlite3_step(select.handle) == SQLITE_ROW) {
    auto text = [&](int column) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(select.handle, column));
      return std::string(t ? t : "");
    };
    saved[text(0)] = {text(1), text(2)};
  }
  const std::string remedy = "restore it, or start over explicitly with a new --checkpoint file (or by deleting this one)";
  for (const auto& input : inputs) {
    const auto found = saved.find(input.role);
    if (found == saved.end())
      fail(path_,
           fmt::format("the file '{}' ({}) was not an input when this checkpoint was started: its saved draws were made without it; {}",
                       input.path, input.role, remedy));
    if (found->second.second != input.sha256)
      fail(path_, fmt::format("the file '{}' ({}) has changed since this checkpoint was started (SHA-256 {}, now {}): its saved draws "
                              "come from the old content; {}",
                              input.path, input.role, found->second.second.substr(0, 12), input.sha256.substr(0, 12), remedy));
    saved.erase(found);
  }
  if (!saved.empty())
    fail(path_, fmt::format("the file '{}' ({}) that this checkpoint's draws were made with is no longer an input of the scenario; {}",
                            saved.begin()->second.first, saved.begin()->first, remedy));
}

PsaCheckpoint::~PsaCheckpoint() = default;

void PsaCheckpoint::execute(const std::string& sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    fail(path_, "checkpoint: " + text);
  }
}

std::map<std::uint64_t, std::vector<double>> PsaCheckpoint::load() const {
  std::map<std::uint64_t, std::vector<double>> draws;
  Statement select(db_.get(), "SELECT draw, data FROM draws", path_);
  while (sqlite3_step(select.handle) == SQLITE_ROW) {
    const auto draw = static_cast<std::uint64_t>(sqlite3_column_int64(select.handle, 0));
    const auto bytes = static_cast<std::size_t>(sqlite3_column_bytes(select.handle, 1));
    if (bytes != width_ * sizeof(double)) fail(path_, fmt::format("draw {} in the checkpoint is damaged", draw));
    std::vector<double> values(width_);
    std::memcpy(values.data(), sqlite3_column_blob(select.handle, 1), bytes);
    draws.emplace(draw, std::move(values));
  }
  return draws;
}

void PsaCheckpoint::save(std::uint64_t draw, const std::vector<double>& values) {
  const std::lock_guard<std::mutex> lock(mutex_);
  Statement insert(db_.get(), "INSERT OR REPLACE INTO draws (draw, data) VALUES (?, ?)", path_);
  sqlite3_bind_int64(insert.handle, 1, static_cast<sqlite3_int64>(draw));
  sqlite3_bind_blob(insert.handle, 2, values.data(), static_cast<int>(values.size() * sizeof(double)), SQLITE_TRANSIENT);
  if (sqlite3_step(insert.handle) != SQLITE_DONE) fail(path_, std::string("cannot save a draw: ") + sqlite3_errmsg(db_.get()));
}

}  // namespace hemsim::detail
