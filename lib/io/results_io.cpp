// Results as JSON (lossless round trip), CSV tables and the terminal table, and the
// atomic file replacement every writer goes through.

#include "io/json_numbers.hpp"
#include "io/market_io.hpp"
#include "io/provenance_json.hpp"
#include "hemsim/results_io.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <system_error>
#include <utility>
#include <vector>

#include "hemsim/error.hpp"
#include "hemsim/version.hpp"
#include "core/number_text.hpp"

namespace hemsim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Version of the results.json layout; bumped when a reader of the previous version
/// would misread a new file.
constexpr int kResultsFormatVersion = 1;

// ---------------------------------------------------------------------------------
// Consistency: every per-name array must line up with its names, or the writers would
// index past the end. Results built by the library always do; a mismatch is a bug in
// whoever built the value, or a damaged file on reading.
// ---------------------------------------------------------------------------------

/// The first way `r` is inconsistent, or nothing.
std::optional<std::string> inconsistency(const RunResults& r) {
  const std::size_t S = r.states.size();
  auto mismatch = [](const std::string& what, std::size_t have, std::size_t want) {
    return std::optional<std::string>(fmt::format("{} has {} entries where {} were expected", what, have, want));
  };
  if (!r.outcome_labels.empty() && r.outcome_labels.size() != r.outcomes.size())
    return mismatch("outcome_labels", r.outcome_labels.size(), r.outcomes.size());
  if (!r.event_report_years.empty() && r.event_report_years.size() != r.events.size())
    return mismatch("event_report_years", r.event_report_years.size(), r.events.size());
  for (const auto& s : r.strategies) {
    const std::string where = "strategy '" + s.name + "': ";
    if (s.costs_by_category.size() != r.cost_categories.size())
      return mismatch(where + "costs_by_category", s.costs_by_category.size(), r.cost_categories.size());
    if (s.costs_by_perspective.size() != r.perspectives.size())
      return mismatch(where + "costs_by_perspective", s.costs_by_perspective.size(), r.perspectives.size());
    if (s.outcomes.size() != r.outcomes.size()) return mismatch(where + "outcomes", s.outcomes.size(), r.outcomes.size());
    if (s.events.size() != r.events.size()) return mismatch(where + "events", s.events.size(), r.events.size());
    if (!s.years_in_state.empty() && s.years_in_state.size() != S) return mismatch(where + "years_in_state", s.years_in_state.size(), S);
    for (const auto& year : s.by_year) {
      if (year.costs_by_category.size() != r.cost_categories.size())
        return mismatch(where + "by_year.costs_by_category", year.costs_by_category.size(), r.cost_categories.size());
      if (year.costs_by_perspective.size() != r.perspectives.size())
        return mismatch(where + "by_year.costs_by_perspective", year.costs_by_perspective.size(), r.perspectives.size());
    }
    if ((S == 0 && !s.trace.empty()) || (S > 0 && s.trace.size() % S != 0))
      return std::optional<std::string>(
          fmt::format("{}trace has {} entries, not a whole number of rows of {} states", where, s.trace.size(), S));
  }
  for (const auto& inc : r.increments)
    if (inc.costs_by_perspective.size() != r.perspectives.size())
      return mismatch("increment '" + inc.name + "': costs_by_perspective", inc.costs_by_perspective.size(), r.perspectives.size());
  return std::nullopt;
}

void require_consistent(const RunResults& r) {
  if (auto problem = inconsistency(r)) throw InternalError("results are inconsistent: " + *problem);
}

[[noreturn]] void bad_results_file(const std::string& key, const std::string& problem) {
  throw ScenarioError({"<results JSON>", 0, 0, key}, problem, "results written by hemsim (docs/results-format.md)");
}

// ---------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------

double number(const json& j) { return detail::json_number(j); }
json number(double v) { return detail::json_number(v); }
json numbers(const std::vector<double>& values) { return detail::json_numbers(values); }
std::vector<double> numbers(const json& j) { return detail::json_numbers(j); }
json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }
std::optional<double> optional_number(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<double>();
}

json to_json(const Estimate& e) { return {{"mean", number(e.mean)}, {"mcse", number(e.mcse)}}; }
json to_json(const DiscountedEstimate& e) { return {{"discounted", to_json(e.discounted)}, {"undiscounted", to_json(e.undiscounted)}}; }
json to_json(const DiscountedValue& v) { return {{"discounted", number(v.discounted)}, {"undiscounted", number(v.undiscounted)}}; }
template <class T>
json to_json_list(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

Estimate estimate_from(const json& j) { return {number(j.at("mean")), number(j.at("mcse"))}; }
DiscountedEstimate discounted_from(const json& j) { return {estimate_from(j.at("discounted")), estimate_from(j.at("undiscounted"))}; }
template <class T, class F>
std::vector<T> list_from(const json& j, F convert) {
  std::vector<T> out;
  for (const auto& item : j) out.push_back(convert(item));
  return out;
}

DiscountedValue value_from(const json& j) { return {number(j.at("discounted")), number(j.at("undiscounted"))}; }
json to_json(const YearOutcomes& y) {
  return {{"costs_by_category", to_json_list(y.costs_by_category)},
          {"costs_by_perspective", to_json_list(y.costs_by_perspective)},
          {"qalys", to_json(y.qalys)},
          {"life_years", to_json(y.life_years)}};
}
YearOutcomes year_from(const json& j) {
  YearOutcomes y;
  y.costs_by_category = list_from<DiscountedValue>(j.at("costs_by_category"), value_from);
  y.costs_by_perspective = list_from<DiscountedValue>(j.at("costs_by_perspective"), value_from);
  y.qalys = value_from(j.at("qalys"));
  y.life_years = value_from(j.at("life_years"));
  return y;
}

DominanceStatus status_from(const std::string& s) {
  if (s == "ND") return DominanceStatus::non_dominated;
  if (s == "ED") return DominanceStatus::extendedly_dominated;
  if (s == "D") return DominanceStatus::dominated;
  bad_results_file("incremental_tables.rows.status", fmt::format("unknown dominance status '{}'", s));
}

RunResults parse_results(const json& j) {
  const int version = j.value("format_version", 1);
  if (version > kResultsFormatVersion)
    bad_results_file("format_version",
                     fmt::format("format version {} is newer than this hemsim reads ({})", version, kResultsFormatVersion));
  RunResults r;
  r.scenario_name = j.at("scenario").at("name").get<std::string>();
  r.scenario_file = j.at("scenario").at("file").get<std::string>();
  r.scenario_variant = j.at("scenario").value("variant", std::string());
  r.provenance = detail::read_provenance(j);
  for (const auto& o : j.at("scenario").value("set", json::array()))
    r.overrides.emplace_back(o.at("parameter").get<std::string>(), o.at("value").get<std::string>());
  r.method = j.at("method").get<std::string>();
  r.seed = j.at("seed").get<std::uint64_t>();
  r.individuals = j.at("individuals").get<std::uint64_t>();
  r.cycle_length_years = number(j.at("cycle_length_years"));
  r.cycles = j.at("cycles").get<int>();
  r.currency = j.at("currency").get<std::string>();
  r.price_year = j.at("price_year").get<int>();
  r.effect_measure = j.at("effect_measure").get<std::string>();
  r.willingness_to_pay = numbers(j.at("willingness_to_pay"));
  r.states = j.at("states").get<std::vector<std::string>>();
  r.cost_categories = j.at("cost_categories").get<std::vector<std::string>>();
  r.perspectives = j.at("perspectives").get<std::vector<std::string>>();
  // Files written before user-defined outcomes existed have no "outcomes".
  r.outcomes = j.value("outcomes", std::vector<std::string>{});
  r.outcome_labels = j.value("outcome_labels", std::vector<std::string>{});
  r.events = j.at("events").get<std::vector<std::string>>();
  for (const auto& years : j.at("event_report_years")) r.event_report_years.push_back(numbers(years));
  r.reference_strategy = j.at("reference_strategy").get<std::string>();
  for (const auto& s : j.at("strategies")) {
    StrategyOutcomes o;
    o.name = s.at("name").get<std::string>();
    o.label = s.at("label").get<std::string>();
    o.costs_by_category = list_from<DiscountedEstimate>(s.at("costs_by_category"), discounted_from);
    o.costs_by_perspective = list_from<DiscountedEstimate>(s.at("costs_by_perspective"), discounted_from);
    o.qalys = discounted_from(s.at("qalys"));
    o.life_years = discounted_from(s.at("life_years"));
    if (s.contains("outcomes")) o.outcomes = list_from<DiscountedEstimate>(s.at("outcomes"), discounted_from);
    for (const auto& e : s.at("events"))
      o.events.push_back({estimate_from(e.at("ever")), estimate_from(e.at("count")), numbers(e.at("cumulative_incidence"))});
    o.years_in_state = list_from<Estimate>(s.at("years_in_state"), estimate_from);
    for (const auto& row : s.at("trace")) {
      if (!row.is_array() || row.size() != r.states.size())
        bad_results_file("strategies.trace", fmt::format("strategy '{}': a trace row does not have one proportion per state", o.name));
      for (const auto& x : row) o.trace.push_back(number(x));
    }
    if (s.contains("by_year")) o.by_year = list_from<YearOutcomes>(s.at("by_year"), year_from);
    r.strategies.push_back(std::move(o));
  }
  for (const auto& inc : j.at("increments")) {
    Increment i;
    i.name = inc.at("name").get<std::string>();
    i.costs_by_perspective = list_from<DiscountedEstimate>(inc.at("costs_by_perspective"), discounted_from);
    i.qalys = discounted_from(inc.at("qalys"));
    i.life_years = discounted_from(inc.at("life_years"));
    r.increments.push_back(std::move(i));
  }
  for (const auto& t : j.at("incremental_tables")) {
    IncrementalTable table;
    table.perspective = t.at("perspective").get<std::string>();
    for (const auto& row : t.at("rows")) {
      IncrementalRow x;
      x.strategy = row.at("strategy").get<std::string>();
      x.cost = number(row.at("cost"));
      x.effect = number(row.at("effect"));
      x.status = status_from(row.at("status").get<std::string>());
      if (!row.at("compared_with").is_null()) x.compared_with = row.at("compared_with").get<std::string>();
      x.incremental_cost = optional_number(row.at("incremental_cost"));
      x.incremental_effect = optional_number(row.at("incremental_effect"));
      x.icer = optional_number(row.at("icer"));
      // Absent in files written before the labels existed.
      if (row.contains("dominated_by")) x.dominated_by = row.at("dominated_by").get<std::vector<std::string>>();
      table.rows.push_back(std::move(x));
    }
    r.incremental_tables.push_back(std::move(table));
  }
  if (j.contains("market")) r.market = detail::market_from_json(j.at("market"));
  return r;
}

// ---------------------------------------------------------------------------------
// Files: staged under a temporary name beside the target, then renamed over it.
// ---------------------------------------------------------------------------------

[[noreturn]] void output_error(const std::string& path, const std::string& problem) {
  throw ScenarioError({path, 0, 0, "output"}, problem, "a writable output location");
}

std::string errno_message(int error) { return std::generic_category().message(error); }

/// A complete copy of a file's new content under a temporary name in the target's
/// directory. Removed on destruction unless committed, so an exception at any point
/// leaves neither a partial target nor a stray temporary file.
class StagedFile {
 public:
  StagedFile(fs::path target, const std::string& content) : target_(std::move(target)) {
    const std::string name = target_.filename().string();
    if (name.empty() || name == "." || name == "..") output_error(target_.string(), "is not a file name");
    const fs::path directory = target_.parent_path();
    // The name must be unique among concurrent writers of the same target (threads and
    // processes): O_EXCL makes a clash an error rather than a shared file, and a random
    // suffix makes a clash unlikely. The random device only names files; no result
    // depends on it.
    std::random_device entropy;
    int fd = -1;
    for (int attempt = 0; fd < 0; ++attempt) {
      const std::uint64_t suffix = (static_cast<std::uint64_t>(entropy()) << 32) ^ entropy();
      temporary_ = directory / fmt::format(".{}.{}.{:016x}.tmp", name, ::getpid(), suffix);
      fd = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && (errno != EEXIST || attempt >= 16)) {
        const int error = errno;
        temporary_.clear();
        output_error(target_.string(), fmt::format("cannot create a file in {}: {}",
                                                   directory.empty() ? std::string(".") : directory.string(), errno_message(error)));
      }
    }
    // From here on a failure must not leave the temporary file behind (a constructor
    // that throws gets no destructor call).
    try {
      write_all(fd, content);
    } catch (...) {
      ::unlink(temporary_.c_str());
      temporary_.clear();
      throw;
    }
  }
  StagedFile(StagedFile&& other) noexcept : target_(std::move(other.target_)), temporary_(std::exchange(other.temporary_, fs::path())) {}
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;
  StagedFile& operator=(StagedFile&&) = delete;
  ~StagedFile() {
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
  }

  /// Moves the staged content into place; the old file stays whole until this succeeds.
  void commit() {
    std::error_code ec;
    fs::rename(temporary_, target_, ec);
    if (ec) output_error(target_.string(), "could not move the finished file into place: " + ec.message());
    temporary_.clear();
  }

  [[nodiscard]] const fs::path& target() const { return target_; }

 private:
  /// Writes all of `content` to `fd`, flushes it to disk and closes `fd`, whatever happens.
  void write_all(int fd, const std::string& content) const {
    auto fail = [&](int error) {
      ::close(fd);
      output_error(target_.string(), "could not write the whole file: " + errno_message(error));
    };
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail(n < 0 ? errno : EIO);
      written += static_cast<std::size_t>(n);
    }
    // On disk before the rename: otherwise a crash just after it can leave an empty file
    // where the old one was. Filesystems without fsync (EINVAL) have nothing to flush.
    if (::fsync(fd) != 0 && errno != EINVAL) fail(errno);
    if (::close(fd) != 0) output_error(target_.string(), "could not write the whole file: " + errno_message(errno));
  }

  fs::path target_;
  fs::path temporary_;
};

/// Makes renames into `directory` durable; best effort, as it only matters after a crash.
void sync_directory(const fs::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// ---------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------

// A CSV field, quoted when it holds a separator, quote or line break.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string field(double v) { return detail::shortest_number(v); }
std::string field(const std::optional<double>& v) { return v ? field(*v) : std::string(); }

/// The point of the trace (0..T) whose value holds at `years`: the last point at or
/// before that time, so "by 10 years" never counts what happens later. A little
/// tolerance absorbs rounding in t x cycle length (12 x 1/12 is not exactly 1).
std::size_t point_at(double years, double cycle_length_years) {
  if (!(cycle_length_years > 0) || !(years > 0)) return 0;
  const double t = std::floor(years / cycle_length_years + 1e-9);
  constexpr double largest = std::numeric_limits<int>::max();
  return static_cast<std::size_t>(std::min(t, largest));
}

double value_at(const std::vector<double>& curve, std::size_t point) {
  if (curve.empty()) return std::numeric_limits<double>::quiet_NaN();
  return curve[std::min(point, curve.size() - 1)];
}

/// Whole years 1..floor(horizon) at which events.csv reports cumulative incidence.
int whole_years(const RunResults& r) {
  const double horizon = r.cycles * r.cycle_length_years;
  return horizon > 0 ? static_cast<int>(std::floor(horizon + 1e-9)) : 0;
}

// Four columns per outcome: discounted and undiscounted, each with its MCSE.
void add_estimate_columns(std::string& out, const std::string& name) {
  for (const char* d : {"discounted", "undiscounted"}) {
    out += ',';
    out += field(fmt::format("{}_{}", name, d));
    out += ',';
    out += field(fmt::format("{}_{}_mcse", name, d));
  }
}
void add_estimate_values(std::string& out, const DiscountedEstimate& e) {
  out += fmt::format(",{},{},{},{}", field(e.discounted.mean), field(e.discounted.mcse), field(e.undiscounted.mean),
                     field(e.undiscounted.mcse));
}

std::string summary_csv(const RunResults& r) {
  std::string out = "strategy,label";
  for (const auto& p : r.perspectives) add_estimate_columns(out, "cost_" + p);
  for (const auto& c : r.cost_categories) add_estimate_columns(out, "cost_category_" + c);
  add_estimate_columns(out, "qalys");
  add_estimate_columns(out, "life_years");
  for (const auto& o : r.outcomes) add_estimate_columns(out, "outcome_" + o);
  out += "\n";
  for (const auto& s : r.strategies) {
    out += fmt::format("{},{}", field(s.name), field(s.label));
    for (const auto& e : s.costs_by_perspective) add_estimate_values(out, e);
    for (const auto& e : s.costs_by_category) add_estimate_values(out, e);
    add_estimate_values(out, s.qalys);
    add_estimate_values(out, s.life_years);
    for (const auto& o : s.outcomes) add_estimate_values(out, o);
    out += "\n";
  }
  return out;
}

std::string increments_csv(const RunResults& r) {
  std::string out = "strategy,reference";
  for (const auto& p : r.perspectives) add_estimate_columns(out, "delta_cost_" + p);
  add_estimate_columns(out, "delta_qalys");
  add_estimate_columns(out, "delta_life_years");
  out += "\n";
  for (const auto& inc : r.increments) {
    out += fmt::format("{},{}", field(inc.name), field(r.reference_strategy));
    for (const auto& e : inc.costs_by_perspective) add_estimate_values(out, e);
    add_estimate_values(out, inc.qalys);
    add_estimate_values(out, inc.life_years);
    out += "\n";
  }
  return out;
}

std::string icers_csv(const RunResults& r) {
  std::string out = "perspective,strategy,cost,effect,status,compared_with,incremental_cost,incremental_effect,icer\n";
  for (const auto& t : r.incremental_tables)
    for (const auto& row : t.rows)
      out += fmt::format("{},{},{},{},{},{},{},{},{}\n", field(t.perspective), field(row.strategy), field(row.cost), field(row.effect),
                         to_string(row.status), row.compared_with ? field(*row.compared_with) : std::string(), field(row.incremental_cost),
                         field(row.incremental_effect), field(row.icer));
  return out;
}

std::string trace_csv(const RunResults& r) {
  std::string out = "t,time_years,strategy,state,proportion\n";
  const std::size_t S = r.states.size();
  for (const auto& s : r.strategies)
    for (std::size_t i = 0; i < s.trace.size(); ++i) {
      const std::size_t t = i / S;
      out += fmt::format("{},{},{},{},{}\n", t, field(static_cast<double>(t) * r.cycle_length_years), field(s.name), field(r.states[i % S]),
                         field(s.trace[i]));
    }
  return out;
}

std::string events_csv(const RunResults& r) {
  const int years = whole_years(r);
  std::string out = "strategy,event,ever,ever_mcse,count,count_mcse";
  for (int y = 1; y <= years; ++y) out += fmt::format(",cumulative_incidence_year_{}", y);
  out += "\n";
  for (const auto& s : r.strategies)
    for (std::size_t e = 0; e < s.events.size(); ++e) {
      const auto& ev = s.events[e];
      out += fmt::format("{},{},{},{},{},{}", field(s.name), field(r.events[e]), field(ev.ever.mean), field(ev.ever.mcse),
                         field(ev.count.mean), field(ev.count.mcse));
      for (int y = 1; y <= years; ++y) {
        out += ',';
        out += field(value_at(ev.cumulative_incidence, point_at(y, r.cycle_length_years)));
      }
      out += "\n";
    }
  return out;
}

std::string years_in_state_csv(const RunResults& r) {
  std::string out = "strategy,state,years,years_mcse\n";
  for (const auto& s : r.strategies)
    for (std::size_t st = 0; st < s.years_in_state.size(); ++st)
      out += fmt::format("{},{},{},{}\n", field(s.name), field(r.states[st]), field(s.years_in_state[st].mean),
                         field(s.years_in_state[st].mcse));
  return out;
}

// Long format: one row per strategy, year and measure (each cost category, each
// perspective, QALYs, life-years), discounted and undiscounted.
std::string costs_by_year_csv(const RunResults& r) {
  std::string out = "strategy,year,start_years,measure,name,discounted,undiscounted\n";
  for (const auto& s : r.strategies)
    for (std::size_t y = 0; y < s.by_year.size(); ++y) {
      const YearOutcomes& year = s.by_year[y];
      auto line = [&](const char* measure, const std::string& name, const DiscountedValue& v) {
        out += fmt::format("{},{},{},{},{},{},{}\n", field(s.name), y + 1, y, measure, field(name), field(v.discounted), field(v.undiscounted));
      };
      for (std::size_t c = 0; c < year.costs_by_category.size(); ++c) line("cost_category", r.cost_categories[c], year.costs_by_category[c]);
      for (std::size_t p = 0; p < year.costs_by_perspective.size(); ++p) line("cost", r.perspectives[p], year.costs_by_perspective[p]);
      line("qalys", "qalys", year.qalys);
      line("life_years", "life_years", year.life_years);
    }
  return out;
}

std::string incidence_csv(const RunResults& r) {
  std::string out = "strategy,event,t,time_years,cumulative_incidence\n";
  for (const auto& s : r.strategies)
    for (std::size_t e = 0; e < s.events.size(); ++e)
      for (std::size_t t = 0; t < s.events[e].cumulative_incidence.size(); ++t)
        out += fmt::format("{},{},{},{},{}\n", field(s.name), field(r.events[e]), t, field(static_cast<double>(t) * r.cycle_length_years),
                           field(s.events[e].cumulative_incidence[t]));
  return out;
}

// ---------------------------------------------------------------------------------
// Terminal table
// ---------------------------------------------------------------------------------

/// Columns on a terminal: UTF-8 code points ("±", "Δ" and "—" take one column each).
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// Rows of cells laid out in columns: the first left-aligned, the others right-aligned,
/// each as wide as its widest cell, every line indented by `indent`.
std::string layout(const std::vector<std::vector<std::string>>& rows, std::size_t indent = 0) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (widths.size() <= c) widths.push_back(0);
      widths[c] = std::max(widths[c], display_width(row[c]));
    }
  std::string out;
  for (const auto& row : rows) {
    std::string line(indent, ' ');
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string padding(widths[c] - display_width(row[c]), ' ');
      line += c == 0 ? row[c] + padding : "   " + padding + row[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string label_of(const RunResults& r, const std::string& name) {
  for (const auto& s : r.strategies)
    if (s.name == name && !s.label.empty()) return s.label;
  return name;
}

// "mean ± mcse" when there is a Monte Carlo error to show; a cohort run has none.
std::string with_error(const Estimate& e, int decimals, bool sign = false) {
  const std::string mean = sign ? fmt::format("{:+.{}f}", e.mean, decimals) : fmt::format("{:.{}f}", e.mean, decimals);
  return e.mcse > 0 ? fmt::format("{} ± {:.{}f}", mean, e.mcse, decimals) : mean;
}

}  // namespace

std::string results_to_json(const RunResults& r) {
  require_consistent(r);
  json j;
  j["format_version"] = kResultsFormatVersion;
  j["hemsim_version"] = kVersion;
  j["scenario"] = {{"name", r.scenario_name}, {"file", r.scenario_file}};
  detail::write_provenance(j, r.provenance);
  if (!r.scenario_variant.empty()) j["scenario"]["variant"] = r.scenario_variant;
  if (!r.overrides.empty()) {
    json set = json::array();
    for (const auto& [name, value] : r.overrides) set.push_back({{"parameter", name}, {"value", value}});
    j["scenario"]["set"] = set;
  }
  j["method"] = r.method;
  j["seed"] = r.seed;
  j["individuals"] = r.individuals;
  j["cycle_length_years"] = number(r.cycle_length_years);
  j["cycles"] = r.cycles;
  j["currency"] = r.currency;
  j["price_year"] = r.price_year;
  j["effect_measure"] = r.effect_measure;
  j["willingness_to_pay"] = numbers(r.willingness_to_pay);
  j["states"] = r.states;
  j["cost_categories"] = r.cost_categories;
  j["perspectives"] = r.perspectives;
  j["outcomes"] = r.outcomes;
  j["outcome_labels"] = r.outcome_labels;
  j["events"] = r.events;
  j["event_report_years"] = json::array();
  for (const auto& years : r.event_report_years) j["event_report_years"].push_back(numbers(years));
  j["reference_strategy"] = r.reference_strategy;
  j["strategies"] = json::array();
  const std::size_t S = r.states.size();
  for (const auto& s : r.strategies) {
    json events = json::array();
    for (const auto& e : s.events)
      events.push_back({{"ever", to_json(e.ever)}, {"count", to_json(e.count)}, {"cumulative_incidence", numbers(e.cumulative_incidence)}});
    json by_year = json::array();
    for (const auto& year : s.by_year) by_year.push_back(to_json(year));
    json trace = json::array();
    for (std::size_t start = 0; start < s.trace.size(); start += S)
      trace.push_back(numbers(std::vector<double>(s.trace.begin() + static_cast<std::ptrdiff_t>(start),
                                                  s.trace.begin() + static_cast<std::ptrdiff_t>(start + S))));
    j["strategies"].push_back({{"name", s.name},
                               {"label", s.label},
                               {"costs_by_category", to_json_list(s.costs_by_category)},
                               {"costs_by_perspective", to_json_list(s.costs_by_perspective)},
                               {"qalys", to_json(s.qalys)},
                               {"life_years", to_json(s.life_years)},
                               {"outcomes", to_json_list(s.outcomes)},
                               {"events", events},
                               {"years_in_state", to_json_list(s.years_in_state)},
                               {"trace", trace},
                               {"by_year", by_year}});
  }
  j["increments"] = json::array();
  for (const auto& inc : r.increments)
    j["increments"].push_back({{"name", inc.name},
                               {"costs_by_perspective", to_json_list(inc.costs_by_perspective)},
                               {"qalys", to_json(inc.qalys)},
                               {"life_years", to_json(inc.life_years)}});
  j["incremental_tables"] = json::array();
  for (const auto& table : r.incremental_tables) {
    json rows = json::array();
    for (const auto& row : table.rows)
      rows.push_back({{"strategy", row.strategy},
                      {"cost", number(row.cost)},
                      {"effect", number(row.effect)},
                      {"status", to_string(row.status)},
                      {"compared_with", row.compared_with ? json(*row.compared_with) : json(nullptr)},
                      {"incremental_cost", optional_number(row.incremental_cost)},
                      {"incremental_effect", optional_number(row.incremental_effect)},
                      {"icer", optional_number(row.icer)},
                      {"dominated_by", row.dominated_by}});
    j["incremental_tables"].push_back({{"perspective", table.perspective}, {"rows", rows}});
  }
  if (r.market) j["market"] = detail::market_to_json(*r.market);
  return j.dump(2) + "\n";
}

RunResults results_from_json(const std::string& text) {
  RunResults r;
  try {
    r = parse_results(json::parse(text));
  } catch (const json::exception& e) {
    bad_results_file("", e.what());
  }
  if (auto problem = inconsistency(r)) bad_results_file("", *problem);
  return r;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  StagedFile staged(path, content);
  staged.commit();
  sync_directory(staged.target().parent_path());
}

void add_results(OutputFolder& folder, const RunResults& results) {
  require_consistent(results);
  folder.add("results.json", results_to_json(results));
  folder.add("summary.csv", summary_csv(results));
  folder.add("increments.csv", increments_csv(results));
  folder.add("icers.csv", icers_csv(results));
  folder.add("trace.csv", trace_csv(results));
  folder.add("events.csv", events_csv(results));
  folder.add("event_incidence.csv", incidence_csv(results));
  folder.add("years_in_state.csv", years_in_state_csv(results));
  folder.add("costs_by_year.csv", costs_by_year_csv(results));
  if (results.market) {
    folder.add("budget_impact.csv", detail::budget_impact_csv(*results.market));
    folder.add("market_funnel.csv", detail::market_funnel_csv(*results.market));
  }
}

void write_results(const RunResults& results, const std::string& directory) {
  require_consistent(results);  // a bug, found before the folder is locked
  OutputFolder folder(directory);
  add_results(folder, results);
  folder.commit();
}

std::string format_results_table(const RunResults& r) {
  require_consistent(r);
  const bool micro = r.method == "microsimulation";
  std::string out = r.scenario_name.empty() ? r.method : fmt::format("{} — {}", r.scenario_name, r.method);
  if (micro) out += fmt::format(", {} individuals, seed {}", r.individuals, r.seed);
  if (!r.scenario_variant.empty()) out += fmt::format("\nscenario: {}", r.scenario_variant);
  for (const auto& [name, value] : r.overrides) out += fmt::format("\nset {} = {}", name, value);
  std::string money = r.currency.empty() ? std::string("costs") : "costs in " + r.currency;
  if (r.price_year) money += fmt::format(" ({})", r.price_year);
  out += fmt::format("\n{} cycles of {:.4g} year{}; {}; discounted values{}\n\n", r.cycles, r.cycle_length_years,
                     r.cycle_length_years == 1.0 ? "" : "s", money, micro ? " ± Monte Carlo standard error" : "");

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header{"Strategy"};
  for (const auto& p : r.perspectives) header.push_back("Cost (" + p + ")");
  header.insert(header.end(), {"QALYs", "Life-years"});
  rows.push_back(header);
  for (const auto& s : r.strategies) {
    std::vector<std::string> row{label_of(r, s.name)};
    for (const auto& c : s.costs_by_perspective) row.push_back(with_error(c.discounted, 0));
    row.push_back(with_error(s.qalys.discounted, 4));
    row.push_back(with_error(s.life_years.discounted, 4));
    rows.push_back(std::move(row));
  }
  out += layout(rows);

  if (!r.increments.empty()) {
    out += fmt::format("\nIncrements against {}{}\n", label_of(r, r.reference_strategy), micro ? " (paired, common random numbers)" : "");
    rows.assign(1, header);
    for (std::size_t c = 1; c < rows[0].size(); ++c) rows[0][c] = "Δ " + rows[0][c];
    for (const auto& inc : r.increments) {
      std::vector<std::string> row{label_of(r, inc.name)};
      for (const auto& c : inc.costs_by_perspective) row.push_back(with_error(c.discounted, 0, true));
      row.push_back(with_error(inc.qalys.discounted, 4, true));
      row.push_back(with_error(inc.life_years.discounted, 4, true));
      // ICER against the reference itself (not the frontier): what a two-way comparison
      // with the reference reports; the frontier tables below give the dominance view.
      const double effect = r.effect_measure == "life_years" ? inc.life_years.discounted.mean : inc.qalys.discounted.mean;
      for (const auto& c : inc.costs_by_perspective) {
        const double cost = c.discounted.mean;
        row.push_back(effect > 0 ? (cost <= 0 ? std::string("dominant") : fmt::format("{:.0f}", cost / effect))
                      : effect < 0 ? (cost > 0 ? std::string("dominated") : fmt::format("{:.0f} (SW)", cost / effect))
                      : std::string("—"));
      }
      rows.push_back(std::move(row));
    }
    for (const auto& p : r.perspectives) rows[0].push_back("ICER (" + p + ")");
    out += layout(rows);
    if (r.increments.size() > 0)
      out += "ICER against the reference; dominant: more effective and not more costly; SW: less effective and cheaper (savings per unit of effect lost)\n";
  }

  const std::string per = r.effect_measure == "life_years" ? "life-year" : "QALY";
  auto or_dash = [](const std::optional<double>& v, int decimals) { return v ? fmt::format("{:.{}f}", *v, decimals) : std::string("—"); };
  for (const auto& t : r.incremental_tables) {
    out += fmt::format("\nIncremental cost-effectiveness, {} perspective ({}per {})\n", t.perspective,
                       r.currency.empty() ? std::string() : r.currency + " ", per);
    rows.assign(1, {"Strategy", "Cost", "Effect", "Δ Cost", "Δ Effect", "ICER", "Status"});
    for (const auto& row : t.rows)
      rows.push_back({label_of(r, row.strategy), fmt::format("{:.0f}", row.cost), fmt::format("{:.4f}", row.effect),
                      or_dash(row.incremental_cost, 0), or_dash(row.incremental_effect, 4), or_dash(row.icer, 0), to_string(row.status)});
    out += layout(rows);
  }
  if (!r.incremental_tables.empty())
    out += "ND: on the efficiency frontier, each ICER against the one above; ED: extendedly dominated; D: dominated\n";

  if (!r.outcomes.empty()) {
    out += "\nOther outcomes (per individual, undiscounted)\n";
    rows.assign(1, {"Strategy"});
    for (const auto& o : r.outcomes) rows[0].push_back(o);
    for (const auto& s : r.strategies) {
      std::vector<std::string> row{label_of(r, s.name)};
      for (const auto& o : s.outcomes)  // small expected counts need more digits than workdays
        row.push_back(with_error(o.undiscounted, std::abs(o.undiscounted.mean) < 1 ? 4 : 2));
      rows.push_back(std::move(row));
    }
    out += layout(rows);
    for (std::size_t u = 0; u < r.outcomes.size(); ++u)
      if (u < r.outcome_labels.size() && !r.outcome_labels[u].empty() && r.outcome_labels[u] != r.outcomes[u])
        out += fmt::format("  {}: {}\n", r.outcomes[u], r.outcome_labels[u]);
  }

  for (std::size_t e = 0; e < r.events.size(); ++e) {
    if (e == 0)
      out += fmt::format("\nEvents (mean occurrences per individual{}{})\n", micro ? "; proportion with at least one" : "",
                         r.event_report_years.empty() ? "" : "; cumulative incidence by each time");
    out += "  " + r.events[e] + "\n";
    const auto& years = e < r.event_report_years.size() ? r.event_report_years[e] : std::vector<double>{};
    rows.assign(1, {"Strategy", "Occurrences"});
    if (micro) rows[0].push_back("Ever");
    for (double y : years) rows[0].push_back(fmt::format("By {:g} y", y));
    for (const auto& s : r.strategies) {
      const auto& ev = s.events[e];
      std::vector<std::string> row{label_of(r, s.name), with_error(ev.count, 4)};
      if (micro) row.push_back(fmt::format("{:.4f}", ev.ever.mean));
      for (double y : years) row.push_back(fmt::format("{:.4f}", value_at(ev.cumulative_incidence, point_at(y, r.cycle_length_years))));
      rows.push_back(std::move(row));
    }
    out += layout(rows, 4);
  }
  if (r.market) out += detail::format_market_table(*r.market, r.currency);
  return out;
}

}  // namespace hemsim
