// Results as JSON (lossless round trip), CSV tables and the terminal table.

#include "hemsim/results_io.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hemsim/error.hpp"
#include "hemsim/version.hpp"

namespace hemsim {

namespace {

using nlohmann::json;

// NaN is not JSON: it is written as null and read back as NaN.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double number(const json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }

json to_json(const Estimate& e) { return {{"mean", number(e.mean)}, {"mcse", number(e.mcse)}}; }
json to_json(const DiscountedEstimate& e) { return {{"discounted", to_json(e.discounted)}, {"undiscounted", to_json(e.undiscounted)}}; }
template <class T>
json to_json_list(const std::vector<T>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}
json optional_number(const std::optional<double>& v) { return v ? number(*v) : json(nullptr); }

Estimate estimate_from(const json& j) { return {number(j.at("mean")), number(j.at("mcse"))}; }
DiscountedEstimate discounted_from(const json& j) {
  return {estimate_from(j.at("discounted")), estimate_from(j.at("undiscounted"))};
}
template <class T, class F>
std::vector<T> list_from(const json& j, F convert) {
  std::vector<T> out;
  for (const auto& item : j) out.push_back(convert(item));
  return out;
}
std::optional<double> optional_from(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<double>();
}

DominanceStatus status_from(const std::string& s) {
  if (s == "ND") return DominanceStatus::non_dominated;
  if (s == "ED") return DominanceStatus::extendedly_dominated;
  if (s == "D") return DominanceStatus::dominated;
  throw std::runtime_error("unknown dominance status " + s);
}

// CSV field: quoted when it holds a comma, quote or newline.
std::string field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string field(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); }
std::string field(const std::optional<double>& v) { return v ? field(*v) : std::string(); }

[[noreturn]] void output_error(const std::string& path, const std::string& problem) {
  throw ScenarioError({path, 0, 0, "output"}, problem, "a writable output location");
}

}  // namespace

std::string results_to_json(const RunResults& r) {
  json j;
  j["hemsim_version"] = kVersion;
  j["scenario"] = {{"name", r.scenario_name}, {"file", r.scenario_file}};
  j["method"] = r.method;
  j["seed"] = r.seed;
  j["individuals"] = r.individuals;
  j["cycle_length_years"] = r.cycle_length_years;
  j["cycles"] = r.cycles;
  j["currency"] = r.currency;
  j["price_year"] = r.price_year;
  j["effect_measure"] = r.effect_measure;
  j["willingness_to_pay"] = r.willingness_to_pay;
  j["states"] = r.states;
  j["cost_categories"] = r.cost_categories;
  j["perspectives"] = r.perspectives;
  j["outcomes"] = r.outcomes;
  j["outcome_labels"] = r.outcome_labels;
  j["events"] = r.events;
  j["event_report_years"] = r.event_report_years;
  j["reference_strategy"] = r.reference_strategy;
  j["strategies"] = json::array();
  for (const auto& s : r.strategies) {
    json events = json::array();
    for (const auto& e : s.events)
      events.push_back({{"ever", to_json(e.ever)}, {"count", to_json(e.count)}, {"cumulative_incidence", e.cumulative_incidence}});
    json trace = json::array();
    const std::size_t S = r.states.size();
    for (std::size_t t = 0; S > 0 && t * S < s.trace.size(); ++t)
      trace.push_back(std::vector<double>(s.trace.begin() + static_cast<std::ptrdiff_t>(t * S),
                                          s.trace.begin() + static_cast<std::ptrdiff_t>((t + 1) * S)));
    j["strategies"].push_back({{"name", s.name},
                               {"label", s.label},
                               {"costs_by_category", to_json_list(s.costs_by_category)},
                               {"costs_by_perspective", to_json_list(s.costs_by_perspective)},
                               {"qalys", to_json(s.qalys)},
                               {"life_years", to_json(s.life_years)},
                               {"outcomes", to_json_list(s.outcomes)},
                               {"events", events},
                               {"years_in_state", to_json_list(s.years_in_state)},
                               {"trace", trace}});
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
                      {"icer", optional_number(row.icer)}});
    j["incremental_tables"].push_back({{"perspective", table.perspective}, {"rows", rows}});
  }
  return j.dump(2) + "\n";
}

RunResults results_from_json(const std::string& text) {
  const json j = json::parse(text);
  RunResults r;
  r.scenario_name = j.at("scenario").at("name").get<std::string>();
  r.scenario_file = j.at("scenario").at("file").get<std::string>();
  r.method = j.at("method").get<std::string>();
  r.seed = j.at("seed").get<std::uint64_t>();
  r.individuals = j.at("individuals").get<std::uint64_t>();
  r.cycle_length_years = j.at("cycle_length_years").get<double>();
  r.cycles = j.at("cycles").get<int>();
  r.currency = j.at("currency").get<std::string>();
  r.price_year = j.at("price_year").get<int>();
  r.effect_measure = j.at("effect_measure").get<std::string>();
  r.willingness_to_pay = j.at("willingness_to_pay").get<std::vector<double>>();
  r.states = j.at("states").get<std::vector<std::string>>();
  r.cost_categories = j.at("cost_categories").get<std::vector<std::string>>();
  r.perspectives = j.at("perspectives").get<std::vector<std::string>>();
  r.outcomes = j.value("outcomes", std::vector<std::string>{});
  r.outcome_labels = j.value("outcome_labels", std::vector<std::string>{});
  r.events = j.at("events").get<std::vector<std::string>>();
  r.event_report_years = j.at("event_report_years").get<std::vector<std::vector<double>>>();
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
      o.events.push_back({estimate_from(e.at("ever")), estimate_from(e.at("count")),
                          list_from<double>(e.at("cumulative_incidence"), [](const json& x) { return number(x); })});
    o.years_in_state = list_from<Estimate>(s.at("years_in_state"), estimate_from);
    for (const auto& row : s.at("trace"))
      for (const auto& x : row) o.trace.push_back(number(x));
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
      x.incremental_cost = optional_from(row.at("incremental_cost"));
      x.incremental_effect = optional_from(row.at("incremental_effect"));
      x.icer = optional_from(row.at("icer"));
      table.rows.push_back(std::move(x));
    }
    r.incremental_tables.push_back(std::move(table));
  }
  return r;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path temporary = target.parent_path() / fmt::format(".{}.tmp-{}", target.filename().string(), ::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) output_error(path, "cannot create a file in " + (target.parent_path().empty() ? std::string(".") : target.parent_path().string()));
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(temporary, ignored);
      output_error(path, "could not write the whole file");
    }
  }
  std::error_code ec;
  fs::rename(temporary, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    output_error(path, "could not move the finished file into place: " + ec.message());
  }
}

namespace {

// Four columns per outcome: discounted and undiscounted, each with its MCSE.
void add_estimate_columns(std::string& out, const std::string& name) {
  for (const char* d : {"discounted", "undiscounted"}) out += fmt::format(",{0}_{1},{0}_{1}_mcse", name, d);
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
                         to_string(row.status), row.compared_with ? field(*row.compared_with) : std::string(),
                         field(row.incremental_cost), field(row.incremental_effect), field(row.icer));
  return out;
}

std::string trace_csv(const RunResults& r) {
  std::string out = "strategy,t,time_years,state,proportion\n";
  const std::size_t S = r.states.size();
  for (const auto& s : r.strategies)
    for (std::size_t i = 0; i < s.trace.size(); ++i)
      out += fmt::format("{},{},{},{},{}\n", field(s.name), i / S, field(static_cast<double>(i / S) * r.cycle_length_years),
                         field(r.states[i % S]), field(s.trace[i]));
  return out;
}

std::string events_csv(const RunResults& r) {
  std::string out = "strategy,event,ever,ever_mcse,count,count_mcse\n";
  for (const auto& s : r.strategies)
    for (std::size_t e = 0; e < s.events.size(); ++e)
      out += fmt::format("{},{},{},{},{},{}\n", field(s.name), field(r.events[e]), field(s.events[e].ever.mean),
                         field(s.events[e].ever.mcse), field(s.events[e].count.mean), field(s.events[e].count.mcse));
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

std::string incidence_csv(const RunResults& r) {
  std::string out = "strategy,event,t,time_years,cumulative_incidence\n";
  for (const auto& s : r.strategies)
    for (std::size_t e = 0; e < s.events.size(); ++e)
      for (std::size_t t = 0; t < s.events[e].cumulative_incidence.size(); ++t)
        out += fmt::format("{},{},{},{},{}\n", field(s.name), field(r.events[e]), t,
                           field(static_cast<double>(t) * r.cycle_length_years), field(s.events[e].cumulative_incidence[t]));
  return out;
}

}  // namespace

void write_results(const RunResults& results, const std::string& directory) {
  namespace fs = std::filesystem;
  // Everything is rendered before the first file is touched, so a rendering failure
  // writes nothing; each file is then replaced atomically.
  const std::vector<std::pair<std::string, std::string>> files{
      {"results.json", results_to_json(results)}, {"summary.csv", summary_csv(results)},
      {"increments.csv", increments_csv(results)}, {"icers.csv", icers_csv(results)},
      {"trace.csv", trace_csv(results)},           {"events.csv", events_csv(results)},
      {"years_in_state.csv", years_in_state_csv(results)},
      {"event_incidence.csv", incidence_csv(results)}};
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec) output_error(directory, "cannot create the output directory: " + ec.message());
  for (const auto& [name, content] : files) write_file_atomically((fs::path(directory) / name).string(), content);
}

std::string format_results_table(const RunResults& r) {
  std::string out;
  const bool micro = r.method == "microsimulation";
  auto with_error = [&](const Estimate& e, int decimals) {
    if (micro) return fmt::format("{:.{}f} ± {:.{}f}", e.mean, decimals, e.mcse, decimals);
    return fmt::format("{:.{}f}", e.mean, decimals);
  };
  auto signed_error = [&](const Estimate& e, int decimals) {
    if (micro) return fmt::format("{:+.{}f} ± {:.{}f}", e.mean, decimals, e.mcse, decimals);
    return fmt::format("{:+.{}f}", e.mean, decimals);
  };
  out += fmt::format("{} — {}", r.scenario_name, r.method);
  if (micro) out += fmt::format(", {} individuals, seed {}", r.individuals, r.seed);
  out += fmt::format("\n{} cycles of {:.4g} year{}; costs in {}{}; discounted values{}\n\n", r.cycles, r.cycle_length_years,
                     r.cycle_length_years == 1.0 ? "" : "s",
                     r.currency, r.price_year ? fmt::format(" ({})", r.price_year) : std::string(),
                     micro ? ", ± Monte Carlo standard error" : "");
  std::string header = fmt::format("{:<22}", "Strategy");
  for (const auto& p : r.perspectives) header += fmt::format("{:>26}", "Cost (" + p + ")");
  header += fmt::format("{:>22}{:>22}\n", "QALYs", "Life-years");
  out += header;
  for (const auto& s : r.strategies) {
    out += fmt::format("{:<22}", s.label);
    for (const auto& c : s.costs_by_perspective) out += fmt::format("{:>26}", with_error(c.discounted, 0));
    out += fmt::format("{:>22}{:>22}\n", with_error(s.qalys.discounted, 4), with_error(s.life_years.discounted, 4));
  }
  if (!r.increments.empty()) {
    std::string reference = r.reference_strategy;
    for (const auto& s : r.strategies)
      if (s.name == r.reference_strategy) reference = s.label;
    out += fmt::format("\nIncrements against {}{}\n", reference, micro ? " (paired, common random numbers)" : "");
    for (const auto& inc : r.increments) {
      std::string label = inc.name;
      for (const auto& s : r.strategies)
        if (s.name == inc.name) label = s.label;
      out += fmt::format("{:<22}", label);
      for (const auto& c : inc.costs_by_perspective) out += fmt::format("{:>26}", signed_error(c.discounted, 0));
      out += fmt::format("{:>22}{:>22}\n", signed_error(inc.qalys.discounted, 4), signed_error(inc.life_years.discounted, 4));
    }
  }
  for (const auto& t : r.incremental_tables) {
    out += fmt::format("\nIncremental cost-effectiveness, {} perspective ({} per {})\n", t.perspective, r.currency,
                       r.effect_measure == "qalys" ? "QALY" : "life-year");
    out += fmt::format("{:<22}{:>14}{:>12}{:>14}{:>12}{:>14}{:>8}\n", "Strategy", "Cost", "Effect", "Δ Cost", "Δ Effect", "ICER", "Status");
    for (const auto& row : t.rows) {
      std::string label = row.strategy;
      for (const auto& s : r.strategies)
        if (s.name == row.strategy) label = s.label;
      auto opt = [](const std::optional<double>& v, int decimals) { return v ? fmt::format("{:.{}f}", *v, decimals) : std::string("—"); };
      out += fmt::format("{:<22}{:>14.0f}{:>12.4f}{:>14}{:>12}{:>14}{:>8}\n", label, row.cost, row.effect, opt(row.incremental_cost, 0),
                         opt(row.incremental_effect, 4), opt(row.icer, 0), to_string(row.status));
    }
  }
  for (std::size_t u = 0; u < r.outcomes.size(); ++u) {
    if (u == 0) out += "\nOther outcomes (per individual, undiscounted)\n";
    out += fmt::format("  {}:", u < r.outcome_labels.size() ? r.outcome_labels[u] : r.outcomes[u]);
    for (const auto& s : r.strategies) out += fmt::format("  {} {}", s.label, with_error(s.outcomes[u].undiscounted, 2));
    out += "\n";
  }
  for (std::size_t e = 0; e < r.events.size(); ++e) {
    if (e == 0) out += "\nEvents (mean occurrences per individual" + std::string(micro ? "; proportion ever" : "") + ")\n";
    out += fmt::format("  {}:", r.events[e]);
    for (const auto& s : r.strategies) {
      out += fmt::format("  {} {}", s.label, with_error(s.events[e].count, 4));
      if (micro) out += fmt::format(" (ever {:.4f})", s.events[e].ever.mean);
    }
    out += "\n";
    // Cumulative incidence at the scenario's report times (point nearest each time).
    const auto& years = e < r.event_report_years.size() ? r.event_report_years[e] : std::vector<double>{};
    for (double y : years) {
      const auto point = static_cast<std::size_t>(std::lround(y / r.cycle_length_years));
      out += fmt::format("    by {:g} years:", y);
      for (const auto& s : r.strategies) {
        const auto& curve = s.events[e].cumulative_incidence;
        out += fmt::format("  {} {:.4f}", s.label, curve.empty() ? 0.0 : curve[std::min(point, curve.size() - 1)]);
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace hemsim
