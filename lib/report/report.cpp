// The report document: saved results loaded back (results.json, psa.json, dsa.json) and
// assembled into sections of tables and Vega-Lite specifications. Writers for HTML,
// XLSX and figures only lay this document out; every number is computed here, once.

#include "hemsim/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "hemsim/decision.hpp"
#include "hemsim/error.hpp"
#include "hemsim/output_folder.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results_io.hpp"
#include "hemsim/scenario_io.hpp"
#include "hemsim/version.hpp"
#include "core/quantile.hpp"
#include "core/read_file.hpp"
#include "report/report_answer.hpp"
#include "report/report_charts.hpp"
#include "report/report_market.hpp"
#include "report/report_style.hpp"
#include "report/report_tpp.hpp"
#include "report/report_variants.hpp"

namespace hemsim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Format = ReportCell::Format;

[[noreturn]] void bad_file(const std::string& file, const std::string& problem, const std::string& expected = {}) {
  throw ScenarioError({file, 0, 0, ""}, problem, expected);
}

std::string read_text(const fs::path& path) {
  auto text = detail::read_file(path);
  if (!text) bad_file(path.string(), "cannot be read");
  return std::move(*text);
}

// Readers of the other result kinds throw nlohmann or std exceptions; the report names
// the file whatever went wrong with it.
template <typename Read>
auto read_result(const fs::path& path, const char* kind, Read read) {
  const std::string text = read_text(path);
  try {
    return read(text);
  } catch (const ScenarioError& e) {
    bad_file(path.string(), std::string("is not a valid ") + kind + " file: " + e.what(),
             std::string("the ") + kind + " written by hemsim");
  } catch (const std::exception& e) {
    bad_file(path.string(), std::string("is not a valid ") + kind + " file: " + e.what(),
             std::string("the ") + kind + " written by hemsim");
  }
}

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string::size_type start = 0;
  while (true) {
    const auto at = line.find(sep, start);
    out.push_back(line.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

double parse_number(const std::string& text, const fs::path& file) {
  if (text.empty()) return std::numeric_limits<double>::quiet_NaN();
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    bad_file(file.string(), fmt::format("'{}' is not a number", text), "evppi_parameters.csv written by hemsim psa --evppi");
  }
}

std::vector<ReportInputs::EvppiRow> read_evppi(const fs::path& path) {
  std::istringstream in(read_text(path));
  std::string line;
  std::getline(in, line);
  if (line.rfind("parameters,method,wtp,evppi_per_person,standard_error", 0) != 0)
    bad_file(path.string(), "has an unexpected header", "evppi_parameters.csv written by hemsim psa --evppi");
  std::vector<ReportInputs::EvppiRow> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto cells = split(line, ',');
    if (cells.size() < 5) bad_file(path.string(), "has a row with too few cells", "evppi_parameters.csv written by hemsim psa --evppi");
    rows.push_back({cells[0], cells[1], parse_number(cells[2], path), parse_number(cells[3], path), parse_number(cells[4], path)});
  }
  return rows;
}

// ---------------------------------------------------------------------------------
// Small helpers for tables and specifications.
// ---------------------------------------------------------------------------------

ReportCell money(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::money) : ReportCell::empty(); }
ReportCell effect(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::effect) : ReportCell::empty(); }
ReportCell probability(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::probability) : ReportCell::empty(); }
ReportCell plain(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::number) : ReportCell::empty(); }
ReportCell integer(double v) { return ReportCell::number(v, Format::integer); }
ReportCell text(std::string s) { return ReportCell::text(std::move(s)); }
/// A number when the whole text is one (a parameter's value "0.60"), else the text (a
/// formula): the workbook then stores numbers as numbers.
ReportCell number_or_text(const std::string& s) {
  const char* begin = s.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  const bool whole = !s.empty() && end == begin + s.size() && std::isfinite(v) && s.find_first_of(" \t") == std::string::npos;
  return whole ? ReportCell::number(v, Format::number) : text(s);
}
ReportCell optional_money(const std::optional<double>& v) { return v ? money(*v) : ReportCell::empty(); }
ReportCell optional_effect(const std::optional<double>& v) { return v ? effect(*v) : ReportCell::empty(); }

std::string join(const std::vector<std::string>& names, const std::string& sep = ", ") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

std::string money_unit(const std::string& currency, int price_year) {
  std::string unit = currency.empty() ? std::string("money") : currency;
  if (price_year) unit += fmt::format(" {}", price_year);
  return unit;
}

std::string effect_name(const std::string& measure) { return measure == "life_years" ? "life-year" : "QALY"; }
std::string effect_plural(const std::string& measure) { return measure == "life_years" ? "life-years" : "QALYs"; }

using detail::empirical_quantile;

// Summed in draw order (as the tests' hand calculations do); NaN when empty.
double mean(const Eigen::VectorXd& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.size() == 0 ? std::numeric_limits<double>::quiet_NaN() : s / static_cast<double>(v.size());
}

using detail::base_spec;

json quantitative(const std::string& field, const std::string& title, const std::string& format = {}) {
  json j{{"field", field}, {"type", "quantitative"}, {"title", title}};
  if (!format.empty()) j["axis"] = {{"format", format}};
  return j;
}

json nominal(const std::string& field, const std::string& title, const std::vector<std::string>& order = {}) {
  json j{{"field", field}, {"type", "nominal"}, {"title", title}};
  if (!order.empty()) j["scale"] = {{"domain", order}};
  if (!order.empty()) j["sort"] = order;
  return j;
}

std::string dump(const json& j) { return j.dump(); }

/// The trace's early-years view covers this many years.
constexpr double kEarlyTraceYears = 5;

/// Tornado labels longer than this are cut (with an ellipsis).
constexpr std::size_t kMaxTornadoLabel = 60;

/// At most this many parameters in a tornado diagram (the largest swings).
constexpr std::size_t kMaxTornadoBars = 15;

/// At most this many draws per strategy are drawn on a CE plane (the means use all).
constexpr Eigen::Index kMaxPlaneDraws = 2500;

/// Display labels of strategies, states and events (report_style.hpp); `names(x)` is the
/// label of strategy x.
using Names = detail::ReportLabels;

// ---------------------------------------------------------------------------------
// Sections.
// ---------------------------------------------------------------------------------

std::string describe_distribution(const DistributionSpec& d) {
  std::vector<std::string> args;
  for (const auto& [name, value] : d.arguments) args.push_back(name + " = " + value.text);
  if (!d.vector_argument.empty()) {
    std::vector<std::string> v;
    for (const auto& e : d.vector_argument) v.push_back(e.text);
    args.push_back(fmt::format("[{}]", join(v)));
  }
  if (d.has_lower) args.push_back("lower = " + d.lower.text);
  if (d.has_upper) args.push_back("upper = " + d.upper.text);
  return fmt::format("{}({})", to_string(d.kind), join(args));
}

std::string horizon_text(double cycle_years, int cycles) {
  return fmt::format("{} cycles of {:.4g} year{} ({:.4g} years)", cycles, cycle_years, cycle_years == 1.0 ? "" : "s", cycles * cycle_years);
}

const char* correction_name(WithinCycleCorrection c) {
  switch (c) {
    case WithinCycleCorrection::none:
      return "none";
    case WithinCycleCorrection::half_cycle:
      return "half-cycle";
    case WithinCycleCorrection::trapezoid:
      return "trapezoid";
    case WithinCycleCorrection::simpson:
      return "Simpson 1/3";
    case WithinCycleCorrection::simpson_darth:
      return "Simpson 1/3 (DARTH)";
  }
  return "none";
}

ReportSection summary_section(const ReportInputs& in, const Names& names) {
  ReportSection s{"summary", "Decision problem and model", {}, {}, {}};
  ReportTable t{"model_summary", "Model summary (CHEERS 2022 items a run can fill)", "", "Summary", true, {"Item", "Value"}, {}};
  auto add = [&](const std::string& item, const std::string& value) {
    if (!value.empty()) t.rows.push_back({text(item), text(value)});
  };
  const Scenario* sc = in.scenario ? &*in.scenario : nullptr;
  const RunResults* run = in.run ? &*in.run : nullptr;
  const PsaResults* psa = in.psa ? &*in.psa : nullptr;
  std::string name = run       ? run->scenario_name
                     : psa      ? psa->scenario_name
                     : in.dsa   ? in.dsa->scenario_name
                     : in.price ? in.price->scenario_name
                                : in.variants->scenario_name;
  add("Scenario", name);
  if (run) add("Scenario file", run->scenario_file);
  if (sc) add("Description", sc->description);
  // Population (CHEERS 7): attributes and starting states.
  if (sc) {
    std::vector<std::string> population;
    for (const auto& a : sc->attributes) population.push_back(a.name + " ~ " + describe_distribution(a.distribution));
    std::vector<std::string> initial;
    for (const auto& [state, p] : sc->initial) initial.push_back(state + ": " + p.text);
    add("Population (individual attributes)", population.empty() ? "a homogeneous cohort" : join(population, "; "));
    add("Starting states", join(initial, "; "));
  }
  // Comparators (CHEERS 10).
  std::vector<std::string> strategies;
  if (run) {
    for (const auto& st : run->strategies)
      strategies.push_back(st.label.empty() || st.label == st.name ? st.name : st.name + " (" + st.label + ")");
  } else {
    strategies = psa ? psa->strategies : in.dsa ? in.dsa->strategies : in.price ? in.price->strategies : std::vector<std::string>{};
  }
  if (sc)
    for (std::size_t k = 0; k < strategies.size() && k < sc->strategies.size(); ++k)
      if (!sc->strategies[k].description.empty()) strategies[k] += ": " + sc->strategies[k].description;
  add("Strategies compared", join(strategies, "; "));
  if (run) add("Reference strategy", names(run->reference_strategy));
  // Perspective (CHEERS 11) and the cost categories each includes.
  if (run) {
    std::vector<std::string> perspectives;
    for (const auto& p : run->perspectives) {
      std::vector<std::string> cats;
      if (sc)
        for (const auto& c : sc->cost_categories)
          if (std::find(c.perspectives.begin(), c.perspectives.end(), p) != c.perspectives.end()) cats.push_back(c.name);
      perspectives.push_back(cats.empty() ? p : p + " (" + join(cats) + ")");
    }
    add("Perspectives (cost categories)", join(perspectives, "; "));
    add("Cost categories", join(run->cost_categories));
    add("Time horizon", horizon_text(run->cycle_length_years, run->cycles) + (sc && sc->settings.lifetime ? ", lifetime" : ""));
    add("Cycle length", sc ? fmt::format("{:.4g} {}", sc->settings.cycle_length_value, sc->settings.cycle_unit)
                           : fmt::format("{:.4g} years", run->cycle_length_years));
  } else if (psa) {
    add("Perspectives", join(psa->perspectives));
  }
  if (sc) {
    add("Discount rates (annual)",
        fmt::format("costs {:.4g} %, effects {:.4g} %", 100 * sc->settings.discount_costs, 100 * sc->settings.discount_effects));
    add("Within-cycle correction", correction_name(sc->settings.correction));
  } else {
    add("Discount rates (annual)", "not in the saved results (scenario file not available)");
  }
  if (run) {
    add("Currency and price year", run->price_year ? fmt::format("{} ({})", run->currency, run->price_year) : run->currency);
    add("Health outcome for the ICER", effect_plural(run->effect_measure) + " (discounted)");
    std::vector<std::string> outcomes;
    for (std::size_t o = 0; o < run->outcomes.size(); ++o)
      outcomes.push_back(o < run->outcome_labels.size() && !run->outcome_labels[o].empty() ? run->outcome_labels[o] : run->outcomes[o]);
    add("Other outcomes", join(outcomes));
    std::vector<std::string> events;
    for (const auto& e : run->events) events.push_back(names.event(e));
    add("Events (cumulative incidence)", join(events, "; "));
    std::vector<double> wtp = run->willingness_to_pay;
    std::vector<std::string> w;
    for (double x : wtp) w.push_back(fmt::format("{:.0f}", x));
    add("Willingness-to-pay thresholds",
        w.empty() ? "" : join(w) + " " + money_unit(run->currency, 0) + " per " + effect_name(run->effect_measure));
    std::vector<std::string> states;
    for (const auto& st : run->states) states.push_back(names.state(st));
    add("Model", fmt::format("state-transition model ({}), states: {}",
                             run->method == "cohort" ? "expected-value cohort" : "individual-level microsimulation", join(states, "; ")));
    if (run->method != "cohort") t.rows.push_back({text("Individuals simulated"), integer(static_cast<double>(run->individuals))});
  }
  if (sc) {
    std::vector<std::string> utilities;
    for (const auto& st : sc->states)
      if (st.utility) utilities.push_back(st.name + " " + st.utility->text);
    add("State utilities (annual weights)", join(utilities, "; "));
    if (sc->background_mortality) add("Background mortality", "life table as a competing risk, to state " + sc->background_mortality->to);
  }
  // Characterising uncertainty (CHEERS 20).
  std::vector<std::string> uncertainty;
  if (run && run->method != "cohort") uncertainty.push_back("Monte Carlo standard errors of every mean (first-order)");
  if (psa)
    uncertainty.push_back(fmt::format("probabilistic sensitivity analysis: {} draws of {} parameters ({}{})", psa->draws,
                                      psa->parameters.size(), psa->method,
                                      psa->method == "cohort" ? "" : fmt::format(", {} individuals per draw", psa->individuals)));
  if (!in.evppi.empty()) uncertainty.push_back("EVPPI by nonparametric regression");
  if (in.dsa && in.dsa->one_way && !in.dsa->one_way->parameters.empty())
    uncertainty.push_back(fmt::format("one-way sensitivity analysis over {} parameter ranges", in.dsa->one_way->parameters.size()));
  if (in.dsa && !in.dsa->variants.empty()) uncertainty.push_back(fmt::format("{} scenario analyses", in.dsa->variants.size()));
  if (in.dsa && in.dsa->two_way) uncertainty.push_back("two-way sensitivity analysis");
  if (in.price) uncertainty.push_back("value-based price of " + in.price->strategies.at(static_cast<std::size_t>(in.price->strategy)));
  add("Characterising uncertainty", uncertainty.empty() ? "deterministic base case only" : join(uncertainty, "; "));
  if (sc && !sc->attributes.empty()) {
    std::vector<std::string> a;
    for (const auto& x : sc->attributes) a.push_back(x.name);
    add("Characterising heterogeneity", "individual attributes drawn at entry: " + join(a));
  }
  if (!in.scenario_note.empty()) s.paragraphs.push_back(in.scenario_note);
  s.tables.push_back(std::move(t));
  return s;
}

ReportSection parameter_section(const ReportInputs& in) {
  ReportSection s{"parameters", "Parameters", {}, {}, {}};
  ReportTable t{"parameters",
                "Parameters: base values, distributions, ranges and sources",
                "",
                "Inputs",
                true,
                {"Parameter", "Description", "Base value", "Distribution (PSA)", "Range low (DSA)", "Range high (DSA)", "Source", "Assumption"},
                {}};
  const Scenario& sc = *in.scenario;
  for (const auto& p : sc.parameters) {
    t.rows.push_back({text(p.name), text(p.description), number_or_text(p.value.text),
                      p.distribution ? text(describe_distribution(*p.distribution)) : ReportCell::empty(),
                      p.has_range ? number_or_text(p.range_low.text) : ReportCell::empty(),
                      p.has_range ? number_or_text(p.range_high.text) : ReportCell::empty(), text(p.source),
                      text(p.assumption ? "yes" : "")});
  }
  // Columns no parameter fills (descriptions, assumption flags) are left out.
  for (std::size_t c = t.columns.size(); c-- > 1;) {
    const bool empty = std::all_of(t.rows.begin(), t.rows.end(), [c](const auto& row) { return row[c].as_text().empty(); });
    if (!empty) continue;
    t.columns.erase(t.columns.begin() + static_cast<std::ptrdiff_t>(c));
    for (auto& row : t.rows) row.erase(row.begin() + static_cast<std::ptrdiff_t>(c));
  }
  s.paragraphs.push_back(fmt::format("From the scenario file {} (loaded when the report was made).", sc.file));
  s.tables.push_back(std::move(t));
  return s;
}

std::string strategy_header(const Names& names, const std::string& name) { return names(name); }

ReportSection base_case_section(const RunResults& r, const Names& names) {
  ReportSection s{"base_case", "Base case", {}, {}, {}};
  const std::string unit = money_unit(r.currency, r.price_year);
  s.paragraphs.push_back(fmt::format("{} results{}; means per person with Monte Carlo standard errors (MCSE){}. Costs in {}.",
                                     r.method == "cohort" ? "Expected-value cohort" : "Microsimulation",
                                     r.method == "cohort" ? "" : fmt::format(" of {} individuals (seed {})", r.individuals, r.seed),
                                     r.method == "cohort" ? ", which are 0 for a cohort run" : "", unit));
  ReportTable t{"base_case", "Base-case outcomes per person", "", "Base case", true, {"Measure"}, {}};
  for (const auto& st : r.strategies) {
    t.columns.push_back(strategy_header(names, st.name) + " mean");
    t.columns.push_back(strategy_header(names, st.name) + " MCSE");
  }
  auto row = [&](const std::string& label, Format f, auto get) {
    std::vector<ReportCell> cells{text(label)};
    for (const auto& st : r.strategies) {
      const Estimate e = get(st);
      cells.push_back(ReportCell::number(e.mean, f));
      cells.push_back(ReportCell::number(e.mcse, f));
    }
    t.rows.push_back(std::move(cells));
  };
  for (std::size_t c = 0; c < r.cost_categories.size(); ++c)
    row(fmt::format("Cost: {} (discounted, {})", r.cost_categories[c], unit), Format::money,
        [&](const StrategyOutcomes& st) { return st.costs_by_category[c].discounted; });
  for (std::size_t p = 0; p < r.perspectives.size(); ++p) {
    row(fmt::format("Total cost, {} perspective (discounted, {})", r.perspectives[p], unit), Format::money,
        [&](const StrategyOutcomes& st) { return st.costs_by_perspective[p].discounted; });
    row(fmt::format("Total cost, {} perspective (undiscounted, {})", r.perspectives[p], unit), Format::money,
        [&](const StrategyOutcomes& st) { return st.costs_by_perspective[p].undiscounted; });
  }
  row("QALYs (discounted)", Format::effect, [](const StrategyOutcomes& st) { return st.qalys.discounted; });
  row("QALYs (undiscounted)", Format::effect, [](const StrategyOutcomes& st) { return st.qalys.undiscounted; });
  row("Life-years (discounted)", Format::effect, [](const StrategyOutcomes& st) { return st.life_years.discounted; });
  row("Life-years (undiscounted)", Format::effect, [](const StrategyOutcomes& st) { return st.life_years.undiscounted; });
  for (std::size_t o = 0; o < r.outcomes.size(); ++o) {
    const std::string label = o < r.outcome_labels.size() && !r.outcome_labels[o].empty() ? r.outcome_labels[o] : r.outcomes[o];
    row(label + " (discounted)", Format::number, [&](const StrategyOutcomes& st) { return st.outcomes[o].discounted; });
    row(label + " (undiscounted)", Format::number, [&](const StrategyOutcomes& st) { return st.outcomes[o].undiscounted; });
  }
  for (std::size_t e = 0; e < r.events.size(); ++e) {
    row("Event " + names.event(r.events[e]) + ": proportion ever", Format::probability,
        [&](const StrategyOutcomes& st) { return st.events[e].ever; });
    row("Event " + names.event(r.events[e]) + ": mean count", Format::number, [&](const StrategyOutcomes& st) { return st.events[e].count; });
  }
  for (std::size_t k = 0; k < r.states.size(); ++k)
    row("Years in " + names.state(r.states[k]) + " (undiscounted)", Format::effect, [&](const StrategyOutcomes& st) {
      return k < st.years_in_state.size() ? st.years_in_state[k] : Estimate{std::numeric_limits<double>::quiet_NaN(), 0};
    });
  s.tables.push_back(std::move(t));

  if (!r.increments.empty()) {
    ReportTable inc{"increments",
                    fmt::format("Increments against {} (paired differences, common random numbers)", names(r.reference_strategy)),
                    "",
                    "Increments",
                    true,
                    {"Strategy"},
                    {}};
    for (const auto& p : r.perspectives) {
      inc.columns.push_back(fmt::format("Incremental cost, {} ({})", p, unit));
      inc.columns.push_back("MCSE");
    }
    for (const char* what : {"Incremental QALYs", "Incremental life-years"}) {
      inc.columns.push_back(what);
      inc.columns.push_back("MCSE");
    }
    for (const auto& i : r.increments) {
      std::vector<ReportCell> cells{text(names(i.name))};
      for (const auto& c : i.costs_by_perspective) {
        cells.push_back(money(c.discounted.mean));
        cells.push_back(money(c.discounted.mcse));
      }
      cells.push_back(effect(i.qalys.discounted.mean));
      cells.push_back(effect(i.qalys.discounted.mcse));
      cells.push_back(effect(i.life_years.discounted.mean));
      cells.push_back(effect(i.life_years.discounted.mcse));
      inc.rows.push_back(std::move(cells));
    }
    s.tables.push_back(std::move(inc));
  }

  ReportTable icer{"incremental",
                   "Incremental cost-effectiveness with dominance",
                   "ND: on the efficiency frontier; ED: extendedly dominated; D: dominated. Frontier strategies in increasing cost, each "
                   "compared with the "
                   "previous one.",
                   "Incremental",
                   true,
                   {"Perspective", "Strategy", fmt::format("Cost ({})", unit), effect_plural(r.effect_measure), "Status", "Compared with",
                    fmt::format("Incremental cost ({})", unit), "Incremental " + effect_plural(r.effect_measure),
                    fmt::format("ICER ({} per {})", unit, effect_name(r.effect_measure))},
                   {}};
  for (const auto& table : r.incremental_tables)
    for (const auto& row : table.rows)
      icer.rows.push_back({text(table.perspective), text(names(row.strategy)), money(row.cost), effect(row.effect),
                           text(to_string(row.status)), row.compared_with ? text(names(*row.compared_with)) : ReportCell::empty(),
                           optional_money(row.incremental_cost), optional_effect(row.incremental_effect), optional_money(row.icer)});
  s.tables.push_back(std::move(icer));

  std::vector<std::string> strategy_order;
  for (const auto& st : r.strategies) strategy_order.push_back(names(st.name));

  // State traces (by state group, whole horizon and the first years) and their data.
  const detail::StrategyColours colours(strategy_order);
  for (const auto& years : {std::optional<double>(), std::optional<double>(kEarlyTraceYears)})
    if (auto chart = detail::state_trace_chart(r, names, colours, years)) s.charts.push_back(std::move(*chart));
  if (!r.states.empty()) s.tables.push_back(detail::trace_table(r, names));

  // Cumulative incidence of events at the reporting times, and as curves.
  ReportTable ci{"event_incidence", "Cumulative incidence of events at reporting times", "", "Events", true, {"Event", "Year"}, {}};
  for (const auto& st : r.strategies) ci.columns.push_back(names(st.name));
  for (std::size_t e = 0; e < r.events.size(); ++e) {
    const std::vector<double> years = e < r.event_report_years.size() ? r.event_report_years[e] : std::vector<double>{};
    for (double y : years) {
      std::vector<ReportCell> cells{text(names.event(r.events[e])), plain(y)};
      for (const auto& st : r.strategies) {
        const auto& inc = st.events[e].cumulative_incidence;
        // The last point at or before y years (as in events.csv).
        const auto point = static_cast<std::size_t>(std::floor(y / r.cycle_length_years + 1e-9));
        cells.push_back(inc.empty() ? ReportCell::empty() : probability(inc[std::min(point, inc.size() - 1)]));
      }
      ci.rows.push_back(std::move(cells));
    }
  }
  if (!ci.rows.empty()) s.tables.push_back(std::move(ci));
  if (auto chart = detail::incidence_chart(r, names, colours)) s.charts.push_back(std::move(*chart));
  return s;
}

// How much of the spread across draws is Monte Carlo noise (O'Hagan et al. 2007), for
// each strategy and each increment against the reference; none for a cohort PSA.
std::optional<ReportTable> noise_table(const PsaResults& p, const Names& names) {
  const NoiseShares noise = noise_shares(p);
  if (noise.strategies.empty()) return std::nullopt;
  ReportTable t{"psa_noise",
                "Share of the spread across draws that is Monte Carlo noise",
                fmt::format("Mean squared MCSE over the variance of the draws' means (O'Hagan et al. 2007); above {:.0f} % the "
                            "inner sample ({} individuals) is too small for what the row measures.",
                            100 * noise.warning_share, p.individuals),
                "PSA noise",
                true,
                {"What", "Strategy", "Costs", effect_plural(p.effect_measure)},
                {}};
  for (const auto& row : noise.strategies)
    t.rows.push_back({text("Strategy"), text(names(row.strategy)), probability(row.costs), probability(row.effects)});
  for (const auto& row : noise.increments)
    t.rows.push_back({text("Increment against " + names(p.strategies[static_cast<std::size_t>(p.reference)])), text(names(row.strategy)),
                      probability(row.costs), probability(row.effects)});
  return t;
}

ReportSection psa_section(const ReportInputs& in, const Names& names) {
  const PsaResults& p = *in.psa;
  ReportSection s{"psa", "Probabilistic sensitivity analysis", {}, {}, {}};
  s.charts_first = true;
  const std::string currency = in.run ? in.run->currency : std::string();
  const std::string unit = money_unit(currency, in.run ? in.run->price_year : 0);
  const std::string per = fmt::format("{} per {}", money_unit(currency, 0), effect_name(p.effect_measure));
  const auto K = static_cast<Eigen::Index>(p.strategies.size());
  const Eigen::Index D = p.effects.rows();
  s.paragraphs.push_back(fmt::format("{} parameter draws ({}{}, seed {}); {} parameters sampled. Effects: discounted {}.", p.draws,
                                     p.method, p.method == "cohort" ? "" : fmt::format(", {} individuals per draw", p.individuals), p.seed,
                                     p.parameters.size(), effect_plural(p.effect_measure)));
  std::vector<std::string> order;
  for (const auto& n : p.strategies) order.push_back(names(n));
  const detail::StrategyColours colours(order);

  // Thresholds: the same default grid as `hemsim psa --out` (0 to twice the largest
  // scenario threshold in 100 steps, plus the scenario's own).
  double top = 0;
  for (double w : p.willingness_to_pay) top = std::max(top, 2 * w);
  if (top <= 0) top = 100000;
  const std::vector<double> grid = willingness_to_pay_grid(p, top, top / 100);
  const std::vector<double> thresholds = p.willingness_to_pay.empty() ? std::vector<double>{100000} : p.willingness_to_pay;

  ReportTable summary{"psa_summary",
                      "Means and 95 % intervals over draws",
                      "",
                      "PSA summary",
                      true,
                      {"Perspective", "Strategy", fmt::format("Mean cost ({})", unit), "2.5 %", "97.5 %",
                       "Mean " + effect_plural(p.effect_measure), "2.5 %", "97.5 %"},
                      {}};
  for (double w : thresholds) summary.columns.push_back(fmt::format("P(cost-effective) at {:.0f}", w));
  ReportTable ceac_table{"ceac", "Acceptability curves and frontier", "", "CEAC", false, {"Perspective", "WTP (" + per + ")"}, {}};
  for (const auto& n : order) ceac_table.columns.push_back(fmt::format("P({} cost-effective)", n));
  ceac_table.columns.push_back("Optimal strategy (CEAF)");
  ceac_table.columns.push_back("P(optimal cost-effective)");
  ReportTable evpi_table{"evpi", "Expected value of perfect information",
                         "",     "EVPI",
                         false,  {"Perspective", "WTP (" + per + ")", fmt::format("EVPI per person ({})", unit)},
                         {}};
  if (p.effective_population > 0)
    evpi_table.columns.push_back(fmt::format("EVPI, population of {:.6g} ({})", p.effective_population, unit));
  ReportTable evpi_at{"evpi_thresholds", "EVPI at the scenario's thresholds", "", "", true, evpi_table.columns, {}};

  for (std::size_t pi = 0; pi < p.perspectives.size(); ++pi) {
    const Eigen::MatrixXd& costs = p.costs[pi];
    const Eigen::MatrixXd ceac_at = acceptability_curves(costs, p.effects, thresholds);
    for (Eigen::Index k = 0; k < K; ++k) {
      const Eigen::VectorXd c = costs.col(k), e = p.effects.col(k);
      std::vector<ReportCell> row{text(p.perspectives[pi]),
                                  text(order[static_cast<std::size_t>(k)]),
                                  money(mean(c)),
                                  money(empirical_quantile(c, 0.025)),
                                  money(empirical_quantile(c, 0.975)),
                                  effect(mean(e)),
                                  effect(empirical_quantile(e, 0.025)),
                                  effect(empirical_quantile(e, 0.975))};
      for (std::size_t w = 0; w < thresholds.size(); ++w) row.push_back(probability(ceac_at(static_cast<Eigen::Index>(w), k)));
      summary.rows.push_back(std::move(row));
    }
    const Eigen::MatrixXd ceac = acceptability_curves(costs, p.effects, grid);
    const auto ceaf = acceptability_frontier(costs, p.effects, grid);
    const auto evpi = expected_value_of_perfect_information(costs, p.effects, grid);
    json ceac_values = json::array(), ceaf_values = json::array(), evpi_values = json::array();
    for (std::size_t w = 0; w < grid.size(); ++w) {
      std::vector<ReportCell> row{text(p.perspectives[pi]), money(grid[w])};
      for (Eigen::Index k = 0; k < K; ++k) {
        const double prob = ceac(static_cast<Eigen::Index>(w), k);
        row.push_back(probability(prob));
        ceac_values.push_back({{"wtp", grid[w]}, {"strategy", order[static_cast<std::size_t>(k)]}, {"probability", prob}});
      }
      const std::string optimal = order[static_cast<std::size_t>(ceaf[w].optimal_strategy)];
      row.push_back(text(optimal));
      row.push_back(probability(ceaf[w].probability));
      ceac_table.rows.push_back(std::move(row));
      ceaf_values.push_back({{"wtp", grid[w]}, {"strategy", optimal}, {"probability", ceaf[w].probability}});
      std::vector<ReportCell> erow{text(p.perspectives[pi]), money(grid[w]), money(evpi[w])};
      if (p.effective_population > 0) erow.push_back(money(evpi[w] * p.effective_population));
      if (std::find(thresholds.begin(), thresholds.end(), grid[w]) != thresholds.end()) evpi_at.rows.push_back(erow);
      evpi_table.rows.push_back(std::move(erow));
      evpi_values.push_back({{"wtp", grid[w]}, {"evpi", evpi[w]}});
    }
    const std::string suffix = p.perspectives.size() > 1 ? " (" + p.perspectives[pi] + " perspective)" : "";
    const std::string id_suffix = p.perspectives.size() > 1 ? fmt::format("_{}", pi + 1) : std::string();
    json rules = json::array();
    for (double w : thresholds) rules.push_back({{"wtp", w}});

    // CE plane: each draw's incremental cost and effect against the reference, with the
    // thresholds as lines through the origin, clipped to the cloud.
    if (K > 1) {
      json points = json::array(), means = json::array();
      double xmin = 0, xmax = 0, ymin = 0, ymax = 0;
      for (Eigen::Index k = 0; k < K; ++k) {
        if (k == p.reference) continue;
        double sx = 0, sy = 0;
        for (Eigen::Index d = 0; d < D; ++d) {
          const double dx = p.effects(d, k) - p.effects(d, p.reference), dy = costs(d, k) - costs(d, p.reference);
          sx += dx, sy += dy;
          if (d >= kMaxPlaneDraws) continue;
          points.push_back({{"strategy", order[static_cast<std::size_t>(k)]}, {"draw", d + 1}, {"delta_effect", dx}, {"delta_cost", dy}});
          xmin = std::min(xmin, dx), xmax = std::max(xmax, dx), ymin = std::min(ymin, dy), ymax = std::max(ymax, dy);
        }
        means.push_back({{"strategy", order[static_cast<std::size_t>(k)]},
                         {"delta_effect", sx / static_cast<double>(D)},
                         {"delta_cost", sy / static_cast<double>(D)}});
      }
      // An explicit window (the cloud and the origin, 5 % margin) so that the threshold
      // labels can be placed where Vega will draw them.
      const double mx = 0.05 * std::max(xmax - xmin, 1e-12), my = 0.05 * std::max(ymax - ymin, 1e-9);
      const detail::PlotFrame frame{xmin - mx, xmax + mx, ymin - my, ymax + my, 560, 340};
      json lines = json::array();
      for (double w : thresholds) {
        if (!(w > 0)) continue;
        const double x0 = std::max(frame.x0, frame.y0 / w), x1 = std::min(frame.x1, frame.y1 / w);
        if (!(x0 < x1)) continue;
        const std::string label = detail::threshold_label(w);
        lines.push_back({{"threshold", label}, {"delta_effect", x0}, {"delta_cost", w * x0}});
        lines.push_back({{"threshold", label}, {"delta_effect", x1}, {"delta_cost", w * x1}});
      }
      json spec = base_spec("Cost-effectiveness plane" + suffix);
      json x = quantitative("delta_effect",
                            "Incremental " + effect_plural(p.effect_measure) + " vs " + order[static_cast<std::size_t>(p.reference)]);
      json y = quantitative("delta_cost", fmt::format("Incremental cost ({})", unit), ",.0f");
      x["scale"] = {{"domain", {frame.x0, frame.x1}}, {"nice", false}, {"zero", false}};
      y["scale"] = {{"domain", {frame.y0, frame.y1}}, {"nice", false}, {"zero", false}};
      std::vector<std::string> compared;
      for (Eigen::Index k = 0; k < K; ++k)
        if (k != p.reference) compared.push_back(order[static_cast<std::size_t>(k)]);
      json layers = json::array();
      layers.push_back({{"data", {{"values", points}}},
                        {"mark", {{"type", "point"}, {"filled", true}, {"size", 14}, {"opacity", 0.45}}},
                        {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", compared)}}}});
      if (!lines.empty()) {
        layers.push_back({{"data", {{"values", lines}}},
                          {"mark", {{"type", "line"}, {"color", "#444"}, {"strokeDash", {6, 4}}, {"strokeWidth", 1.2}}},
                          {"encoding", {{"x", x}, {"y", y}, {"detail", {{"field", "threshold"}, {"type", "nominal"}}}}}});
        layers.push_back(detail::threshold_label_layer(detail::ce_plane_threshold_labels(thresholds, frame), x, y));
      }
      layers.push_back(
          {{"data", {{"values", means}}},
           {"mark", {{"type", "point"}, {"shape", "diamond"}, {"size", 120}, {"filled", true}, {"stroke", "black"}, {"strokeWidth", 1}}},
           {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", compared)}}}});
      layers.push_back({{"mark", {{"type", "rule"}, {"color", "#888"}}},
                        {"data", {{"values", json::array({json::object()})}}},
                        {"encoding", {{"y", {{"datum", 0}}}}}});
      layers.push_back({{"mark", {{"type", "rule"}, {"color", "#888"}}},
                        {"data", {{"values", json::array({json::object()})}}},
                        {"encoding", {{"x", {{"datum", 0}}}}}});
      spec["layer"] = layers;
      s.charts.push_back({"ce_plane" + id_suffix, "Cost-effectiveness plane" + suffix,
                          fmt::format("Each point is one parameter draw{}; diamonds are the means of all {} draws; dashed lines are the "
                                      "willingness-to-pay thresholds.",
                                      D > kMaxPlaneDraws ? fmt::format(" (the first {} are drawn)", kMaxPlaneDraws) : std::string(), D),
                          dump(spec)});
    }
    // CEAC with the scenario's thresholds marked.
    {
      json spec = base_spec("Cost-effectiveness acceptability curves" + suffix);
      json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
      json y = quantitative("probability", "Probability cost-effective");
      x["scale"] = {{"domain", {grid.front(), grid.back()}}, {"nice", false}, {"zero", false}};
      y["scale"] = {{"domain", {0, 1}}, {"nice", false}};
      y["axis"] = detail::percent_axis(0, 1);
      const detail::PlotFrame frame{grid.front(), grid.back(), 0, 1, 560, 340};
      spec["layer"] = json::array({{{"data", {{"values", ceac_values}}},
                                    {"mark", {{"type", "line"}, {"strokeWidth", 2}}},
                                    {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy")}}}},
                                   {{"data", {{"values", rules}}},
                                    {"mark", {{"type", "rule"}, {"strokeDash", {4, 4}}, {"color", "#666"}}},
                                    {"encoding", {{"x", {{"field", "wtp"}, {"type", "quantitative"}}}}}},
                                   detail::threshold_label_layer(detail::rule_threshold_labels(thresholds, frame), x, y)});
      s.charts.push_back({"ceac" + id_suffix, "CEAC" + suffix,
                          "Probability that each strategy has the highest net monetary benefit; dashed: the scenario's thresholds.",
                          dump(spec)});
    }
    {
      json spec = base_spec("Cost-effectiveness acceptability frontier" + suffix);
      const json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
      json y = quantitative("probability", "Probability optimal is cost-effective");
      y["scale"] = {{"domain", {0, 1}}};
      y["axis"] = detail::percent_axis(0, 1);
      std::vector<std::string> optimal;  // the strategies the frontier passes through
      for (const auto& v : ceaf_values)
        if (std::find(optimal.begin(), optimal.end(), v["strategy"].get<std::string>()) == optimal.end())
          optimal.push_back(v["strategy"].get<std::string>());
      spec["layer"] = json::array({{{"data", {{"values", ceaf_values}}},
                                    {"mark", {{"type", "line"}, {"color", "#999"}, {"strokeWidth", 1}}},
                                    {"encoding", {{"x", x}, {"y", y}}}},
                                   {{"data", {{"values", ceaf_values}}},
                                    {"mark", {{"type", "point"}, {"filled", true}, {"size", 30}}},
                                    {"encoding", {{"x", x}, {"y", y}, {"color", colours.encoding("strategy", optimal, "Optimal strategy")}}}}});
      s.charts.push_back(
          {"ceaf" + id_suffix, "CEAF" + suffix,
           "The strategy with the highest expected net benefit at each threshold and its probability of being cost-effective.",
           dump(spec)});
    }
    {
      json spec = base_spec("Expected value of perfect information" + suffix);
      spec["data"] = {{"values", evpi_values}};
      spec["mark"] = {{"type", "line"}, {"strokeWidth", 2}, {"color", "#1f77b4"}};
      spec["encoding"] = {{"x", quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f")},
                          {"y", quantitative("evpi", fmt::format("EVPI per person ({})", unit), ",.0f")}};
      s.charts.push_back({"evpi" + id_suffix, "EVPI" + suffix,
                          "Per person; multiply by the effective population for the value of further research.", dump(spec)});
    }
  }
  s.tables.push_back(std::move(summary));
  if (auto noise = noise_table(p, names)) s.tables.push_back(std::move(*noise));
  for (const auto& warning : noise_shares(p).warnings) s.paragraphs.push_back("Warning: " + warning + ".");
  s.tables.push_back(std::move(evpi_at));
  s.tables.push_back(std::move(evpi_table));
  s.tables.push_back(std::move(ceac_table));

  if (!in.evppi.empty()) {
    ReportTable t{"evppi", "Expected value of partial perfect information (first perspective)",
                  "",      "EVPPI",
                  true,    {"Parameters", "Method", "WTP (" + per + ")", fmt::format("EVPPI per person ({})", unit), "Standard error"},
                  {}};
    json values = json::array();
    std::vector<std::string> thresholds_seen;
    for (const auto& row : in.evppi) {
      t.rows.push_back({text(row.parameters), text(row.method), money(row.wtp), money(row.evppi), money(row.standard_error)});
      const std::string at = integer(row.wtp).as_text();
      if (std::find(thresholds_seen.begin(), thresholds_seen.end(), at) == thresholds_seen.end()) thresholds_seen.push_back(at);
      values.push_back({{"parameters", row.parameters},
                        {"wtp", at},
                        {"evppi", row.evppi},
                        {"low", std::max(0.0, row.evppi - 1.96 * row.standard_error)},
                        {"high", row.evppi + 1.96 * row.standard_error}});
    }
    s.tables.push_back(std::move(t));
    // EVPPI is computed at a few thresholds only: bars per threshold, not a curve.
    json spec = base_spec("Expected value of partial perfect information");
    const json x{{"field", "wtp"},
                 {"type", "ordinal"},
                 {"title", "Willingness to pay (" + per + ")"},
                 {"sort", thresholds_seen},
                 {"axis", {{"labelAngle", 0}}}};
    const json offset{{"field", "parameters"}, {"type", "nominal"}};
    spec["data"] = {{"values", values}};
    spec["layer"] = json::array(
        {{{"mark", {{"type", "bar"}}},
          {"encoding",
           {{"x", x},
            {"xOffset", offset},
            {"y", quantitative("evppi", fmt::format("EVPPI per person ({})", unit), ",.0f")},
            {"color", nominal("parameters", "Parameters")}}}},
         {{"mark", {{"type", "rule"}, {"color", "black"}}},
          {"encoding",
           {{"x", x}, {"xOffset", offset}, {"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}}}}});
    s.charts.push_back(
        {"evppi", "EVPPI", "Per person, by parameter or group, with 95 % intervals from the regression's standard error.", dump(spec)});
  }

  // Sampled parameters and every draw (workbook only for the draws).
  if (!p.parameters.empty()) {
    ReportTable t{"psa_parameters",
                  "Sampled parameters: mean and 95 % interval over draws",
                  "",
                  "",
                  true,
                  {"Parameter", "Mean", "2.5 %", "97.5 %"},
                  {}};
    for (std::size_t j = 0; j < p.parameters.size(); ++j) {
      const Eigen::VectorXd v = p.parameter_values.col(static_cast<Eigen::Index>(j));
      t.rows.push_back({text(p.parameters[j]), plain(mean(v)), plain(empirical_quantile(v, 0.025)), plain(empirical_quantile(v, 0.975))});
    }
    s.tables.push_back(std::move(t));
  }
  ReportTable draws{"psa_draws", "Every parameter draw", "", "PSA draws", false, {"Draw"}, {}};
  for (const auto& n : p.parameters) draws.columns.push_back(n);
  for (std::size_t pi = 0; pi < p.perspectives.size(); ++pi)
    for (const auto& n : order) draws.columns.push_back(fmt::format("Cost {} ({})", n, p.perspectives[pi]));
  for (const auto& n : order) draws.columns.push_back(effect_plural(p.effect_measure) + " " + n);
  for (Eigen::Index d = 0; d < D; ++d) {
    std::vector<ReportCell> row{integer(static_cast<double>(d + 1))};
    for (Eigen::Index j = 0; j < p.parameter_values.cols(); ++j) row.push_back(plain(p.parameter_values(d, j)));
    for (const auto& costs : p.costs)
      for (Eigen::Index k = 0; k < K; ++k) row.push_back(money(costs(d, k)));
    for (Eigen::Index k = 0; k < K; ++k) row.push_back(effect(p.effects(d, k)));
    draws.rows.push_back(std::move(row));
  }
  s.tables.push_back(std::move(draws));
  return s;
}

ReportSection dsa_section(const DsaReport& r, const Names& names, const std::string& unit, const std::string& per) {
  ReportSection s{"dsa", "Deterministic sensitivity analysis", {}, {}, {}};
  const std::string strategy = names(r.strategies.at(static_cast<std::size_t>(r.strategy)));
  const std::string comparator = names(r.strategies.at(static_cast<std::size_t>(r.comparator)));
  s.paragraphs.push_back(fmt::format("{} compared with {}; incremental net monetary benefit (INMB) at a threshold of {:.0f} {}.", strategy,
                                     comparator, r.willingness_to_pay, per));
  if (r.one_way && !r.one_way->parameters.empty()) {
    const auto& a = *r.one_way;
    s.paragraphs.push_back(fmt::format("Base case: incremental cost {:.2f}, incremental effect {:.6g}, ICER {:.2f}, INMB {:.2f} ({}).",
                                       a.base.incremental_cost, a.base.incremental_effect, a.base.icer, a.base.incremental_net_benefit,
                                       unit));
    ReportTable t{"one_way",
                  "One-way sensitivity analysis (tornado data, largest swing first)",
                  "",
                  "DSA",
                  true,
                  {"Parameter", "Source", "Base value", "Low value", "High value", fmt::format("ICER at low ({})", per),
                   fmt::format("ICER at high ({})", per), fmt::format("INMB at low ({})", unit), fmt::format("INMB at high ({})", unit),
                   fmt::format("Swing in INMB ({})", unit), fmt::format("MCSE of INMB change at low ({})", unit),
                   fmt::format("MCSE of INMB change at high ({})", unit), fmt::format("MCSE of swing ({})", unit), "Within noise"},
                  {}};
    std::size_t within = 0, no_effect = 0;
    bool recorded = false;
    for (const auto& p : a.parameters) {
      const std::string noise = p.within_noise                              ? "swing"
                                : p.low_within_noise && p.high_within_noise ? "both ends"
                                : p.low_within_noise                        ? "low end"
                                : p.high_within_noise                       ? "high end"
                                                                            : "";
      within += p.within_noise ? 1 : 0;
      no_effect += p.net_benefit_swing == 0 && p.swing_mcse == 0 ? 1 : 0;
      recorded = recorded || std::isfinite(p.swing_mcse);
      t.rows.push_back({text(p.parameter), text(p.source), plain(p.base_value), plain(p.low_value), plain(p.high_value), money(p.low.icer),
                        money(p.high.icer), money(p.low.incremental_net_benefit), money(p.high.incremental_net_benefit),
                        money(p.net_benefit_swing), money(p.low_change_mcse), money(p.high_change_mcse), money(p.swing_mcse), text(noise)});
    }
    if (recorded)
      s.paragraphs.push_back(fmt::format(
          "Monte Carlo error: each end's change in INMB from the base case and each swing carry their Monte Carlo standard error (MCSE), "
          "paired over the individuals the runs share (base-case INMB {:.2f} ± {:.2f}). {} of {} swings are within noise (no larger "
          "than 2 MCSE{}){}: for those parameters the simulation cannot tell the effect from zero, and a larger sample is needed "
          "before reading their order in the tornado.",
          a.base.incremental_net_benefit, a.base.incremental_net_benefit_mcse, within, a.parameters.size(),
          within ? "; marked \"swing\" in the table and \"[within noise]\" in the diagram" : "",
          no_effect ? fmt::format(", {} of them exactly 0 (the parameter does not affect this comparison)", no_effect) : std::string()));
    // The chart shows the largest swings only (a slide holds about 15 bars); the table
    // and the workbook have every parameter.
    std::vector<std::size_t> by_swing(a.parameters.size());
    for (std::size_t i = 0; i < by_swing.size(); ++i) by_swing[i] = i;
    std::stable_sort(by_swing.begin(), by_swing.end(),
                     [&](std::size_t x, std::size_t y) { return a.parameters[x].net_benefit_swing > a.parameters[y].net_benefit_swing; });
    if (by_swing.size() > kMaxTornadoBars) by_swing.resize(kMaxTornadoBars);
    json values = json::array();
    int rank = 0;
    for (std::size_t i : by_swing) {
      const auto& p = a.parameters[i];
      const std::string full =
          fmt::format("{} ({:.6g} to {:.6g}){}", p.parameter, p.low_value, p.high_value, p.within_noise ? " [within noise]" : "");
      // Cut here, not by Vega: its width estimate without a browser (the figures) cuts
      // far earlier than the page would. The tooltip and the table keep the whole label.
      const std::string label = full.size() <= kMaxTornadoLabel ? full : full.substr(0, kMaxTornadoLabel - 1) + "\u2026";
      ++rank;
      values.push_back({{"parameter", label},
                        {"full", full},
                        {"rank", rank},
                        {"end", "Low value"},
                        {"base", a.base.incremental_net_benefit},
                        {"inmb", p.low.incremental_net_benefit}});
      values.push_back({{"parameter", label},
                        {"full", full},
                        {"rank", rank},
                        {"end", "High value"},
                        {"base", a.base.incremental_net_benefit},
                        {"inmb", p.high.incremental_net_benefit}});
    }
    s.tables.push_back(std::move(t));
    if (!a.parameters.empty()) {
      json spec = base_spec(fmt::format("Tornado diagram: INMB of {} vs {}", strategy, comparator), 480,
                            std::max(120, 24 * static_cast<int>(by_swing.size())));
      const json y{{"field", "parameter"},
                   {"type", "nominal"},
                   {"title", nullptr},
                   {"sort", {{"field", "rank"}, {"order", "ascending"}}},
                   // Long labels end in an ellipsis (the tooltip and the table hold them whole).
                   {"axis", {{"labelLimit", 0}, {"labelPadding", 6}}}};
      // Few enough ticks that amounts in the millions never run together.
      json x = quantitative("inmb", fmt::format("Incremental net monetary benefit ({})", unit));
      x["axis"] = {{"format", ",.0f"}, {"tickCount", 5}, {"labelOverlap", "greedy"}, {"labelFlush", true}};
      spec["layer"] = json::array({{{"data", {{"values", values}}},
                                    {"mark", {{"type", "bar"}, {"height", 14}}},
                                    {"encoding",
                                     {{"y", y},
                                      {"x", x},
                                      {"tooltip", json::array({{{"field", "full"}, {"title", "Parameter"}},
                                                               {{"field", "end"}, {"title", "At"}},
                                                               {{"field", "inmb"}, {"title", "INMB"}, {"format", ",.0f"}}})},
                                      {"x2", {{"field", "base"}}},
                                      {"color",
                                       {{"field", "end"},
                                        {"type", "nominal"},
                                        {"title", "Parameter at"},
                                        {"scale", {{"domain", {"Low value", "High value"}}, {"range", {"#4c78a8", "#f58518"}}}}}}}}},
                                   {{"data", {{"values", json::array({{{"base", a.base.incremental_net_benefit}}})}}},
                                    {"mark", {{"type", "rule"}, {"color", "black"}}},
                                    {"encoding", {{"x", {{"field", "base"}, {"type", "quantitative"}}}}}}});
      s.charts.push_back({"tornado", "Tornado diagram",
                          fmt::format("Bars run from the base-case INMB to the INMB at each end of a parameter's range{}.",
                                      by_swing.size() < a.parameters.size()
                                          ? fmt::format("; the {} largest swings of {} parameters (all are in the table)", by_swing.size(),
                                                        a.parameters.size())
                                          : std::string()),
                          dump(spec)});
    }
  }
  if (!r.variants.empty()) {
    ReportTable t{"scenario_analyses",
                  "Scenario analyses",
                  "",
                  "Scenarios",
                  true,
                  {"Scenario", fmt::format("Incremental cost ({})", unit), "Incremental effect", fmt::format("ICER ({})", per),
                   fmt::format("INMB ({})", unit), "Optimal strategy", fmt::format("MCSE of INMB ({})", unit),
                   fmt::format("Change in INMB from base ({})", unit), fmt::format("MCSE of change ({})", unit)},
                  {}};
    for (const auto& v : r.variants)
      t.rows.push_back({text(v.name), money(v.evaluation.incremental_cost), effect(v.evaluation.incremental_effect),
                        money(v.evaluation.icer), money(v.evaluation.incremental_net_benefit),
                        text(names(r.strategies.at(static_cast<std::size_t>(v.evaluation.optimal_strategy)))),
                        money(v.evaluation.incremental_net_benefit_mcse), money(v.net_benefit_change), money(v.net_benefit_change_mcse)});
    s.tables.push_back(std::move(t));
  }
  if (r.two_way) {
    const auto& g = *r.two_way;
    ReportTable t{"two_way", fmt::format("Two-way analysis: INMB over {} (rows) and {} (columns)", g.parameter_a, g.parameter_b),
                  "",        "Two-way",
                  true,      {g.parameter_a + " \\ " + g.parameter_b},
                  {}};
    for (double b : g.values_b) t.columns.push_back(fmt::format("{:.6g}", b));
    for (std::size_t i = 0; i < g.values_a.size(); ++i) {
      std::vector<ReportCell> row{plain(g.values_a[i])};
      for (std::size_t j = 0; j < g.values_b.size(); ++j) row.push_back(money(g.incremental_net_benefit[i][j]));
      t.rows.push_back(std::move(row));
    }
    s.tables.push_back(std::move(t));
    double largest_mcse = -1;
    for (const auto& row : g.incremental_net_benefit_mcse)
      for (double m : row)
        if (std::isfinite(m)) largest_mcse = std::max(largest_mcse, m);
    if (largest_mcse >= 0)
      s.paragraphs.push_back(fmt::format("Two-way analysis: the Monte Carlo standard error of INMB is at most {:.2f} {} over the grid.",
                                         largest_mcse, unit));
    // The grid as a map: each cell coloured by the optimal strategy, labelled with INMB.
    json values = json::array();
    std::vector<std::string> a_order, b_order;
    for (double a : g.values_a) a_order.push_back(fmt::format("{:.6g}", a));
    for (double b : g.values_b) b_order.push_back(fmt::format("{:.6g}", b));
    for (std::size_t i = 0; i < g.values_a.size(); ++i)
      for (std::size_t j = 0; j < g.values_b.size(); ++j)
        values.push_back({{"a", a_order[i]},
                          {"b", b_order[j]},
                          {"optimal", names(r.strategies.at(static_cast<std::size_t>(g.optimal_strategy[i][j])))},
                          {"inmb", g.incremental_net_benefit[i][j]}});
    std::vector<std::string> all_labels, optimal;
    for (const auto& n : r.strategies) all_labels.push_back(names(n));
    for (const auto& v : values)
      if (std::find(optimal.begin(), optimal.end(), v["optimal"].get<std::string>()) == optimal.end())
        optimal.push_back(v["optimal"].get<std::string>());
    json spec = base_spec(fmt::format("Two-way analysis: optimal strategy and INMB ({})", unit), 420, 300);
    spec["data"] = {{"values", values}};
    const json x{
        {"field", "b"}, {"type", "ordinal"}, {"title", g.parameter_b}, {"sort", b_order}, {"axis", {{"labelAngle", 0}, {"grid", false}}}};
    const json y{{"field", "a"}, {"type", "ordinal"}, {"title", g.parameter_a}, {"sort", a_order}, {"axis", {{"grid", false}}}};
    spec["layer"] =
        json::array({{{"mark", {{"type", "rect"}, {"stroke", "white"}, {"fillOpacity", 0.35}}},
                      {"encoding",
                       {{"x", x},
                        {"y", y},
                        {"color", detail::StrategyColours(all_labels).encoding("optimal", optimal, "Optimal strategy")}}}},
                     {{"mark", {{"type", "text"}, {"fontSize", 10}}},
                      {"encoding", {{"x", x}, {"y", y}, {"text", {{"field", "inmb"}, {"type", "quantitative"}, {"format", ",.0f"}}}}}}});
    s.charts.push_back({"two_way", "Two-way analysis",
                        fmt::format("Cells: the strategy with the highest net benefit at {:.0f} {}; numbers: INMB of {} vs {}.",
                                    r.willingness_to_pay, per, strategy, comparator),
                        dump(spec)});
  }
  if (r.threshold) {
    const auto& t = *r.threshold;
    const std::string error =
        t.threshold && std::isfinite(t.threshold_mcse)
            ? fmt::format(" ± {:.4g} (Monte Carlo standard error by the delta method; 95 % interval {:.6g} to {:.6g})", t.threshold_mcse,
                          *t.threshold - 1.96 * t.threshold_mcse, *t.threshold + 1.96 * t.threshold_mcse)
            : std::string();
    s.paragraphs.push_back(t.threshold
                               ? fmt::format("Threshold analysis: at {} = {:.6g}{} the optimal strategy changes from {} to {}.", t.parameter,
                                             *t.threshold, error, names(r.strategies.at(static_cast<std::size_t>(t.optimal_below))),
                                             names(r.strategies.at(static_cast<std::size_t>(t.optimal_above))))
                               : fmt::format("Threshold analysis: {} is optimal over the whole range of {}.",
                                             names(r.strategies.at(static_cast<std::size_t>(t.optimal_below))), t.parameter));
  }
  return s;
}

ReportSection price_section(const DsaReport& r, const Names& names, const std::string& unit, const std::string& per) {
  ReportSection s{"price", "Value-based price", {}, {}, {}};
  const std::string strategy = names(r.strategies.at(static_cast<std::size_t>(r.strategy)));
  s.paragraphs.push_back(
      fmt::format("The value of the price parameter {} of {} at which its ICER against the next best strategy equals each threshold "
                  "(it is cost-effective at any lower price){}.",
                  r.price_parameter, strategy, r.perspective.empty() ? std::string() : ", costs in the " + r.perspective + " perspective"));
  ReportTable t{"value_based_price",
                "Value-based price",
                "",
                "Price",
                true,
                {fmt::format("WTP ({})", per), fmt::format("Price ({})", r.price_parameter), "Next best strategy",
                 fmt::format("Check: ICER at that price ({})", per), fmt::format("MCSE of price ({})", unit),
                 fmt::format("95 % interval, low ({})", unit), fmt::format("95 % interval, high ({})", unit),
                 fmt::format("MCSE of ICER at that price ({})", per)},
                {}};
  bool recorded = false;
  for (const auto& p : r.prices) {
    recorded = recorded || std::isfinite(p.price_mcse);
    t.rows.push_back({money(p.willingness_to_pay), money(p.price), text(names(r.strategies.at(static_cast<std::size_t>(p.next_best)))),
                      money(p.check_icer), money(p.price_mcse), money(p.price_low95()), money(p.price_high95()), money(p.check_icer_mcse)});
  }
  s.tables.push_back(std::move(t));
  if (recorded)
    s.paragraphs.push_back(
        "Each price carries its Monte Carlo standard error (MCSE), by the delta method on price = base price + INMB / slope, paired over "
        "the individuals the runs share; the 95 % interval is the price ± 1.96 MCSE. It covers the noise of the simulation only (not "
        "parameter uncertainty) and takes the next best strategy as given; prices from runs of different sizes should agree within "
        "their intervals.");
  if (!r.probabilistic_prices.empty()) {
    ReportTable q{"probabilistic_price",
                  "Price at which the probability of being cost-effective reaches a level",
                  "",
                  "Price (probabilistic)",
                  true,
                  {fmt::format("WTP ({})", per), "Probability", fmt::format("Price ({})", r.price_parameter)},
                  {}};
    for (const auto& level : r.probabilistic_prices)
      for (std::size_t i = 0; i < level.prices.size() && i < level.probabilities.size(); ++i)
        q.rows.push_back({money(level.willingness_to_pay), probability(level.probabilities[i]), money(level.prices[i])});
    s.tables.push_back(std::move(q));
  }
  if (!r.headroom.empty()) {
    json values = json::array(), marks = json::array();
    for (const auto& p : r.headroom)
      values.push_back({{"wtp", p.willingness_to_pay},
                        {"price", p.price},
                        {"low", std::isfinite(p.price_mcse) ? p.price_low95() : p.price},
                        {"high", std::isfinite(p.price_mcse) ? p.price_high95() : p.price}});
    for (const auto& p : r.prices) marks.push_back({{"wtp", p.willingness_to_pay}, {"price", p.price}});
    json spec = base_spec("Headroom: value-based price of " + strategy);
    std::vector<std::string> all_labels;
    for (const auto& n : r.strategies) all_labels.push_back(names(n));
    const std::string colour = detail::StrategyColours(all_labels).colour(strategy);  // the priced strategy's
    const json x = quantitative("wtp", "Willingness to pay (" + per + ")", ",.0f");
    const json y = quantitative("price", fmt::format("Value-based price, {} ({})", r.price_parameter, unit), ",.0f");
    // The 95 % Monte Carlo band under the line (zero width for a cohort run).
    spec["layer"] =
        json::array({{{"data", {{"values", values}}},
                      {"mark", {{"type", "area"}, {"opacity", 0.25}, {"color", colour}}},
                      {"encoding", {{"x", x}, {"y", quantitative("low", fmt::format("Value-based price, {} ({})", r.price_parameter, unit), ",.0f")},
                                    {"y2", {{"field", "high"}}}}}},
                     {{"data", {{"values", values}}},
                      {"mark", {{"type", "line"}, {"strokeWidth", 2}, {"color", colour}}},
                      {"encoding", {{"x", x}, {"y", y}}}},
                     {{"data", {{"values", marks}}},
                      {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}, {"color", "black"}}},
                      {"encoding", {{"x", x}, {"y", y}}}}});
    s.charts.push_back(
        {"headroom", "Headroom curve",
         "The maximum price at which the strategy remains cost-effective, by threshold; the band is its 95 % Monte Carlo interval.", dump(spec)});
    ReportTable h{"headroom",
                  "Headroom curve",
                  "",
                  "Headroom",
                  false,
                  {fmt::format("WTP ({})", per), fmt::format("Price ({})", r.price_parameter), fmt::format("MCSE of price ({})", unit),
                   fmt::format("95 % interval, low ({})", unit), fmt::format("95 % interval, high ({})", unit)},
                  {}};
    for (const auto& p : r.headroom)
      h.rows.push_back({money(p.willingness_to_pay), money(p.price), money(p.price_mcse), money(p.price_low95()), money(p.price_high95())});
    s.tables.push_back(std::move(h));
  }
  return s;
}

std::vector<const Provenance*> recorded_provenances(const ReportInputs& in) {
  std::vector<const Provenance*> made;
  for (const Provenance* p : {in.run ? &in.run->provenance : nullptr, in.psa ? &in.psa->provenance : nullptr,
                              in.dsa ? &in.dsa->provenance : nullptr, in.price ? &in.price->provenance : nullptr,
                              in.variants ? &in.variants->provenance : nullptr})
    if (p && !p->command.empty()) made.push_back(p);
  return made;
}

/// Inputs that have changed since the results were made: their commands would no
/// longer give these numbers.
std::vector<std::string> input_warnings(const ReportInputs& in) {
  std::set<std::string> changes;
  for (const Provenance* p : recorded_provenances(in))
    for (const auto& change : changed_inputs(*p)) changes.insert(change);
  std::vector<std::string> out;
  for (const auto& change : changes)
    out.push_back("Warning: " + change + "; re-running the recorded commands would not reproduce these results.");
  return out;
}

ReportSection reproduce_section(const ReportInputs& in) {
  ReportSection s{"reproduce", "Reproducing these results", {}, {}, {}};
  ReportTable t{"reproduce", "Seeds, versions and commands", "", "Reproduce", true, {"Item", "Value"}, {}};
  auto add = [&](const std::string& a, const std::string& b) { t.rows.push_back({text(a), text(b)}); };
  add("Report made by", std::string("hemsim ") + kVersion);
  if (!in.results_hemsim_version.empty()) add("Base case computed by", "hemsim " + in.results_hemsim_version);
  const std::string file = in.run ? in.run->scenario_file : std::string("SCENARIO.yaml");
  // The command each result recorded (it reproduces the same bytes); else one rebuilt
  // from the result's own fields (results written before commands were recorded).
  auto recorded = [](const Provenance& p) { return p.command.empty() ? std::string() : p.command + " --out DIR"; };
  if (in.run && !in.run->provenance.command.empty()) {
    add("Base case", recorded(in.run->provenance));
  } else if (in.run) {
    const auto& r = *in.run;
    add("Base case", r.method == "cohort" ? fmt::format("hemsim run {} --method cohort --out DIR", file)
                                          : fmt::format("hemsim run {} --individuals {} --seed {} --out DIR", file, r.individuals, r.seed));
  }
  if (in.psa && !in.psa->provenance.command.empty()) {
    add("PSA", recorded(in.psa->provenance));
  } else if (in.psa) {
    const auto& p = *in.psa;
    add("PSA", fmt::format("hemsim psa {} --draws {} --method {}{} --seed {} --out DIR", file, p.draws,
                           p.method == "cohort" ? "cohort" : "microsim",
                           p.method == "cohort" ? "" : fmt::format(" --individuals {}", p.individuals), p.seed));
  }
  if (in.dsa && !in.dsa->provenance.command.empty())
    add("DSA", recorded(in.dsa->provenance));
  else if (in.dsa)
    add("DSA", fmt::format("hemsim dsa {} --strategy {} --comparator {} --wtp {:.0f} --out DIR", file,
                           in.dsa->strategies.at(static_cast<std::size_t>(in.dsa->strategy)),
                           in.dsa->strategies.at(static_cast<std::size_t>(in.dsa->comparator)), in.dsa->willingness_to_pay));
  if (in.price && !in.price->provenance.command.empty())
    add("Price", recorded(in.price->provenance));
  else if (in.price)
    add("Price", fmt::format("hemsim price {} --parameter {} --strategy {} --out DIR", file, in.price->price_parameter,
                             in.price->strategies.at(static_cast<std::size_t>(in.price->strategy))));
  if (in.variants && !in.variants->provenance.command.empty()) {
    add("Named scenarios", recorded(in.variants->provenance));
  } else if (in.variants) {
    const auto& v = *in.variants;
    std::string set;
    for (const auto& [name, value] : v.overrides) set += fmt::format(" --set {}={}", name, value);
    add("Named scenarios", v.method == "cohort" ? fmt::format("hemsim run {} --scenario all --method cohort{} --out DIR", v.scenario_file, set)
                                                : fmt::format("hemsim run {} --scenario all --individuals {} --seed {}{} --out DIR",
                                                              v.scenario_file, v.individuals, v.seed, set));
  }
  for (const auto& f : in.files) add("Result file", f);
  std::set<std::string> listed;
  for (const Provenance* p : recorded_provenances(in))
    for (const auto& input : p->inputs)
      if (listed.insert(input.path + input.sha256).second) add("Input " + input.role, input.path + " (SHA-256 " + input.sha256 + ")");
  for (const auto& warning : input_warnings(in)) s.paragraphs.push_back(warning);
  s.paragraphs.push_back(
      "Results are bit-identical for any number of threads; the same scenario, seed, sizes and method reproduce every number.");
  s.tables.push_back(std::move(t));
  return s;
}

void check_same_strategies(const std::vector<std::string>& expected, const std::vector<std::string>& got, const std::string& file) {
  if (expected != got)
    bad_file(file, fmt::format("is for strategies {} but the other results are for {}", join(got), join(expected)),
             "results of the same scenario");
}

}  // namespace

std::string ReportCell::as_text() const {
  if (std::holds_alternative<std::monostate>(value)) return {};
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  const double v = std::get<double>(value);
  if (!std::isfinite(v)) return {};
  auto grouped = [](double x, int decimals) {
    std::string digits = fmt::format("{:.{}f}", std::fabs(x), decimals);
    const auto dot = digits.find('.');
    std::string whole = digits.substr(0, dot), rest = dot == std::string::npos ? "" : digits.substr(dot);
    std::string with_commas;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      if (i > 0 && (whole.size() - i) % 3 == 0) with_commas.push_back(',');
      with_commas.push_back(whole[i]);
    }
    whole = with_commas;
    const bool negative = x < 0 && digits.find_first_not_of("0.,") != std::string::npos;
    return fmt::format("{}{}{}", negative ? "-" : "", whole, rest);
  };
  switch (format) {
    case Format::money:
      return grouped(v, std::fabs(v) >= 1000 ? 0 : 2);
    case Format::effect:
      return fmt::format("{:.4f}", v);
    case Format::probability:
      return fmt::format("{:.3f}", v);
    case Format::integer:
      return grouped(v, 0);
    case Format::number:
    case Format::text:
      return fmt::format("{:.6g}", v);
  }
  return {};
}

const ReportTable* ReportDocument::find_table(const std::string& id) const {
  for (const auto& s : sections)
    for (const auto& t : s.tables)
      if (t.id == id) return &t;
  return nullptr;
}

std::vector<const ReportChart*> ReportDocument::charts() const {
  std::vector<const ReportChart*> out;
  for (const auto& s : sections)
    for (const auto& c : s.charts) out.push_back(&c);
  return out;
}

std::vector<const ReportTable*> ReportDocument::tables() const {
  std::vector<const ReportTable*> out;
  for (const auto& s : sections)
    for (const auto& t : s.tables) out.push_back(&t);
  return out;
}

ReportInputs load_report_inputs(const std::vector<std::string>& directories) {
  if (directories.empty())
    throw ScenarioError({"", 0, 0, "RESULTS"}, "no results directory given", "a directory written by hemsim run/psa/dsa/price --out");
  ReportInputs in;
  fs::path run_directory;
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      bad_file(dir, fs::exists(dir, ec) ? "is not a directory" : "does not exist", "a directory written by hemsim run/psa/dsa/price --out");
    // Only a whole set is reported: a folder whose files are not those its manifest lists
    // (a kill mid-write by an older hemsim, an edit, two runs mixed) is refused.
    const std::set<std::string> listed = verify_output_folder(dir);
    auto exists_and_listed = [&](const fs::path& file) {
      std::error_code ec;
      if (!fs::exists(file, ec)) return false;
      if (!listed.contains(file.filename().string()))
        bad_file(file.string(), "is not listed in the folder's manifest.json: it is not part of the set written there",
                 "an output folder written whole by hemsim (rerun the command that wrote it)");
      return true;
    };
    bool found = false;
    const fs::path results = fs::path(dir) / "results.json", psa = fs::path(dir) / "psa.json", dsa = fs::path(dir) / "dsa.json",
                   evppi = fs::path(dir) / "evppi_parameters.csv";
    if (exists_and_listed(results)) {
      if (in.run) bad_file(results.string(), "is a second results.json", "one results.json among the directories");
      in.run = read_result(results, "results.json", [&in](const std::string& t) {
        auto r = results_from_json(t);
        in.results_hemsim_version = json::parse(t).value("hemsim_version", std::string());
        return r;
      });
      run_directory = dir;
      in.files.push_back(results.string());
      found = true;
    }
    if (exists_and_listed(psa)) {
      if (in.psa) bad_file(psa.string(), "is a second psa.json", "one psa.json among the directories");
      in.psa = read_result(psa, "psa.json", [](const std::string& t) { return psa_from_json(t); });
      const auto& p = *in.psa;
      const auto D = p.effects.rows(), K = static_cast<Eigen::Index>(p.strategies.size());
      bool consistent = p.effects.cols() == K && p.costs.size() == p.perspectives.size() && p.parameter_values.rows() == D &&
                        static_cast<std::size_t>(p.parameter_values.cols()) == p.parameters.size() && p.reference >= 0 && p.reference < K &&
                        D > 0;
      for (const auto& c : p.costs) consistent = consistent && c.rows() == D && c.cols() == K;
      if (!consistent)
        bad_file(psa.string(), "has tables that do not line up with its strategies, perspectives and draws",
                 "psa.json written by hemsim psa");
      in.files.push_back(psa.string());
      found = true;
      if (exists_and_listed(evppi)) {
        in.evppi = read_evppi(evppi);
        in.files.push_back(evppi.string());
      }
    }
    if (exists_and_listed(dsa)) {
      DsaReport r = read_result(dsa, "dsa.json", [](const std::string& t) { return dsa_from_json(t); });
      const int K = static_cast<int>(r.strategies.size());
      auto in_range = [K](int k) { return k >= 0 && k < K; };
      bool consistent = in_range(r.strategy) && in_range(r.comparator);
      for (const auto& p : r.prices) consistent = consistent && in_range(p.next_best);
      for (const auto& v : r.variants) consistent = consistent && in_range(v.evaluation.optimal_strategy);
      if (r.threshold) consistent = consistent && in_range(r.threshold->optimal_below) && in_range(r.threshold->optimal_above);
      if (r.two_way) {
        consistent = consistent && r.two_way->incremental_net_benefit.size() == r.two_way->values_a.size();
        for (const auto& row : r.two_way->incremental_net_benefit) consistent = consistent && row.size() == r.two_way->values_b.size();
        consistent = consistent && r.two_way->optimal_strategy.size() == r.two_way->values_a.size();
        for (const auto& row : r.two_way->optimal_strategy) {
          consistent = consistent && row.size() == r.two_way->values_b.size();
          for (int k : row) consistent = consistent && in_range(k);
        }
      }
      if (!consistent)
        bad_file(dsa.string(), "refers to strategies or grid points it does not have", "dsa.json written by hemsim dsa or price");
      const bool is_price = !r.price_parameter.empty();
      auto& slot = is_price ? in.price : in.dsa;
      if (slot)
        bad_file(dsa.string(), std::string("is a second ") + (is_price ? "price" : "DSA") + " result", "one of each among the directories");
      slot = std::move(r);
      in.files.push_back(dsa.string());
      found = true;
    }
    if (const fs::path named = fs::path(dir) / "named_scenarios.json"; exists_and_listed(named)) {
      if (in.variants) bad_file(named.string(), "is a second named_scenarios.json", "one among the directories");
      in.variants = read_result(named, "named_scenarios.json", [](const std::string& t) { return variants_from_json(t); });
      in.files.push_back(named.string());
      found = true;
    }
    if (!found)
      bad_file(dir, "holds none of results.json, psa.json, dsa.json, named_scenarios.json", "a directory written by hemsim run/psa/dsa/price --out");
  }
  // The scenario file named by results.json supplies the parameter table and the settings
  // results.json does not carry. Tried as written (relative to the working directory, as
  // it was given to `hemsim run`), then relative to the results directory.
  if (in.run) {
    const fs::path named = in.run->scenario_file;
    std::vector<fs::path> candidates{named};
    if (named.is_relative()) candidates.push_back(run_directory / named);
    std::error_code ec;
    const auto it =
        std::find_if(candidates.begin(), candidates.end(), [&](const fs::path& p) { return !p.empty() && fs::is_regular_file(p, ec); });
    if (it == candidates.end()) {
      in.scenario_note =
          fmt::format("The scenario file {} is not available: the parameter table, discount rates and population are omitted.",
                      in.run->scenario_file.empty() ? std::string("(unnamed)") : in.run->scenario_file);
    } else {
      try {
        // As the run loaded it: the same variant and --set overrides (their values are
        // what the parameter table must show).
        ScenarioChoices choices{in.run->scenario_variant, in.run->overrides, {}};
        for (const auto& st : in.run->strategies) choices.strategies.push_back(st.name);
        Scenario sc = load_scenario(it->string(), choices);
        std::vector<std::string> names;
        for (const auto& st : sc.strategies) names.push_back(st.name);
        std::vector<std::string> expected;
        for (const auto& st : in.run->strategies) expected.push_back(st.name);
        if (sc.name != in.run->scenario_name || names != expected)
          in.scenario_note = fmt::format(
              "The scenario file {} no longer matches the results (another name or other strategies): its parameters are omitted.",
              it->string());
        else
          in.scenario = std::move(sc);
      } catch (const ScenarioError& e) {
        in.scenario_note =
            fmt::format("The scenario file {} could not be loaded ({}): its parameters are omitted.", it->string(), e.what());
      }
    }
  }
  return in;
}

ReportDocument build_report(const ReportInputs& in) {
  if (!in.run && !in.psa && !in.dsa && !in.price && !in.variants)
    throw ScenarioError({"", 0, 0, "RESULTS"}, "nothing to report", "results.json, psa.json, dsa.json or named_scenarios.json");
  // All parts must describe the same strategies.
  std::vector<std::string> strategies;
  std::string first;
  auto check = [&](const std::vector<std::string>& names, const std::string& what) {
    if (strategies.empty()) {
      strategies = names;
      first = what;
    } else {
      check_same_strategies(strategies, names, what);
    }
  };
  if (in.run) {
    std::vector<std::string> names;
    for (const auto& st : in.run->strategies) names.push_back(st.name);
    check(names, "results.json");
  }
  if (in.psa) check(in.psa->strategies, "psa.json");
  if (in.dsa) check(in.dsa->strategies, "dsa.json");
  if (in.price) check(in.price->strategies, "dsa.json (price)");

  const Names names = detail::report_labels(in);
  const std::string currency = in.run ? in.run->currency : std::string();
  const std::string unit = money_unit(currency, in.run ? in.run->price_year : 0);
  const std::string measure = in.run ? in.run->effect_measure : in.psa ? in.psa->effect_measure : std::string("qalys");
  const std::string per = fmt::format("{} per {}", money_unit(currency, 0), effect_name(measure));

  ReportDocument doc;
  const std::string scenario_name = in.run     ? in.run->scenario_name
                                    : in.psa   ? in.psa->scenario_name
                                    : in.dsa   ? in.dsa->scenario_name
                                    : in.price ? in.price->scenario_name
                                               : in.variants->scenario_name;
  doc.title = "Economic evaluation: " + (scenario_name.empty() ? std::string("hemsim results") : scenario_name);
  doc.sections.push_back(detail::answer_section(in, names));
  for (const auto& warning : input_warnings(in)) doc.sections.front().paragraphs.insert(doc.sections.front().paragraphs.begin(), warning);
  doc.sections.push_back(summary_section(in, names));
  if (in.scenario) doc.sections.push_back(parameter_section(in));
  if (in.run) doc.sections.push_back(base_case_section(*in.run, names));
  if (in.run)
    if (auto market = detail::market_section(*in.run, in.psa ? &*in.psa : nullptr)) doc.sections.push_back(std::move(*market));
  if (in.psa) doc.sections.push_back(psa_section(in, names));
  if (in.dsa) doc.sections.push_back(dsa_section(*in.dsa, names, unit, per));
  if (in.price) doc.sections.push_back(price_section(*in.price, names, unit, per));
  if (in.price && in.price->tpp) doc.sections.push_back(detail::tpp_section(*in.price->tpp, unit, per, names));
  if (in.variants) doc.sections.push_back(detail::variants_section(*in.variants));
  doc.sections.push_back(reproduce_section(in));
  return doc;
}

}  // namespace hemsim
