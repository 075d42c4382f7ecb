#include "psa_checkpoint.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstring>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

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

PsaCheckpoint::PsaCheckpoint(const std::string& path, const std::string& key, std::size_t values_per_draw)
    : path_(path), width_(values_per_draw) {
  sqlite3* handle = nullptr;
  const int opened = sqlite3_open(path.c_str(), &handle);
  db_.reset(handle);  // sqlite3_open allocates a handle even when it fails
  if (opened != SQLITE_OK) fail(path, std::string("cannot open the checkpoint: ") + (handle ? sqlite3_errmsg(handle) : "out of memory"));
  execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
  execute("CREATE TABLE IF NOT EXISTS run (key TEXT NOT NULL, width INTEGER NOT NULL);"
          "CREATE TABLE IF NOT EXISTS draws (draw INTEGER PRIMARY KEY, data BLOB NOT NULL);");
  Statement select(db_.get(), "SELECT key, width FROM run", path_);
  if (sqlite3_step(select.handle) == SQLITE_ROW) {
    const std::string saved = reinterpret_cast<const char*>(sqlite3_column_text(select.handle, 0));
    const auto width = static_cast<std::size_t>(sqlite3_column_int64(select.handle, 1));
    if (saved != key || width != width_)
      fail(path_, "this checkpoint belongs to another run (a different scenario, seed, individuals, method or fixed values)");
  } else {
    Statement insert(db_.get(), "INSERT INTO run (key, width) VALUES (?, ?)", path_);
    sqlite3_bind_text(insert.handle, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert.handle, 2, static_cast<sqlite3_int64>(width_));
    if (sqlite3_step(insert.handle) != SQLITE_DONE) fail(path_, std::string("checkpoint: ") + sqlite3_errmsg(db_.get()));
  }
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
