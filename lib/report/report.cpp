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
#include "report/report_cells.hpp"
#include "report/report_charts.hpp"
#include "report/report_market.hpp"
#include "report/report_sections.hpp"
#include "report/report_style.hpp"
#include "report/report_tpp.hpp"
#include "report/report_variants.hpp"

namespace hemsim {

namespace {

namespace fs = std::filesystem;
using namespace detail::report_cells;
using detail::dsa_section;
using detail::price_section;
using detail::psa_section;

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
      if (const fs::path sizing = fs::path(dir) / "inner_sample.json"; exists_and_listed(sizing)) {
        in.inner_sample = read_result(sizing, "inner_sample.json", [](const std::string& t) { return inner_sample_size_from_json(t); });
        const std::string expected = "the inner_sample.json written with psa.json by hemsim psa --max-noise-share";
        if (in.inner_sample->individuals != p.individuals)
          bad_file(sizing.string(), fmt::format("sized {} individuals per draw, but psa.json ran {}", in.inner_sample->individuals, p.individuals),
                   expected);
        for (const auto& inc : in.inner_sample->increments)
          if (std::find(p.strategies.begin(), p.strategies.end(), inc.strategy) == p.strategies.end() ||
              inc.strategy == p.strategies[static_cast<std::size_t>(p.reference)])
            bad_file(sizing.string(), fmt::format("sizes an increment of '{}', which is not a non-reference strategy of psa.json", inc.strategy),
                     expected);
        in.files.push_back(sizing.string());
      }
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
