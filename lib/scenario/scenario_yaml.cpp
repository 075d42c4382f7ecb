// Reading scenario files (yaml-cpp) into hemsim::Scenario. Every key is checked;
// every problem is a ScenarioError with file:line:column and the key path. This file
// holds the entry points, the top level, settings, perspectives, cost categories and
// outcomes; the other sections are in scenario_yaml_*.cpp (see scenario_parser.hpp).

#include <yaml-cpp/yaml.h>

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "core/csv_table.hpp"
#include "scenario/expression_engine.hpp"
#include "scenario/market_yaml.hpp"
#include "scenario/scenario_parser.hpp"
#include "scenario/scenario_variants.hpp"
#include "hemsim/error.hpp"
#include "hemsim/scenario_io.hpp"
#include "core/sha256.hpp"

namespace hemsim {

namespace detail::scenario_yaml {

namespace {

double unit_in_years(const std::string& unit) {
  if (unit == "day" || unit == "days") return 1.0 / 365.25;
  if (unit == "week" || unit == "weeks") return 7.0 / 365.25;
  if (unit == "month" || unit == "months") return 1.0 / 12.0;
  if (unit == "year" || unit == "years") return 1.0;
  return 0.0;
}

// Splits "<number> <word>" (e.g. "1 month", "30 cycles").
bool number_and_word(const std::string& text, double& number, std::string& word) {
  std::istringstream in(text);
  if (!(in >> number)) return false;
  if (!(in >> word)) return false;
  std::string rest;
  return !(in >> rest);
}

}  // namespace

Scenario ScenarioParser::parse(const YAML::Node& root) {
  Scenario s;
  s.file = r_.file();
  const auto top = r_.map(root, "", {"schema_version", "name", "description", "settings", "perspectives",
                                      "cost_categories", "parameters", "tables", "population", "states", "initial",
                                      "transitions", "transition_rewards", "counters", "events",
                                      "background_mortality", "strategies", "correlations", "dirichlet", "outcomes",
                                      "scenarios", "market"});
  auto find = [&](const std::string& key) -> YAML::Node {
    for (const auto& e : top)
      if (e.key == key) return e.value;
    return YAML::Node(YAML::NodeType::Undefined);
  };
  auto require = [&](const std::string& key, const std::string& expected) {
    YAML::Node n = find(key);
    if (!n.IsDefined()) r_.fail(root, key, fmt::format("missing required key '{}'", key), expected);
    return n;
  };

  const YAML::Node version = require("schema_version", "schema_version: 1");
  s.schema_version = static_cast<int>(r_.integer(version, "schema_version", 0, "schema_version: 1"));
  if (s.schema_version != kSchemaVersion)
    r_.fail(version, "schema_version", fmt::format("schema_version {} is not supported", s.schema_version),
            fmt::format("schema_version: {}", kSchemaVersion));
  s.name = r_.string(require("name", "a scenario name"), "name");
  if (YAML::Node d = find("description"); d.IsDefined()) s.description = r_.string(d, "description");

  parse_settings(require("settings", "a settings mapping"), s.settings);
  parse_perspectives(find("perspectives"), s);
  parse_cost_categories(find("cost_categories"), s);
  if (YAML::Node n = find("outcomes"); n.IsDefined() && !n.IsNull()) parse_outcomes(n, s);
  if (YAML::Node n = find("parameters"); n.IsDefined() && !n.IsNull()) parse_parameters(n, s);
  if (YAML::Node n = find("tables"); n.IsDefined() && !n.IsNull()) parse_tables(n, s);
  if (YAML::Node n = find("population"); n.IsDefined() && !n.IsNull()) parse_population(n, s);
  parse_states(require("states", "a mapping of state names"), s);
  parse_initial(require("initial", "a mapping of state to starting probability"), s);
  parse_transitions(require("transitions", "a mapping of from-state to to-states"), "transitions", s.transitions, s);
  if (YAML::Node n = find("transition_rewards"); n.IsDefined() && !n.IsNull()) parse_transition_rewards(n, s);
  if (YAML::Node n = find("counters"); n.IsDefined() && !n.IsNull()) parse_counters(n, s);
  if (YAML::Node n = find("events"); n.IsDefined() && !n.IsNull()) parse_events(n, s);
  if (YAML::Node n = find("background_mortality"); n.IsDefined() && !n.IsNull()) parse_background(n, s);
  parse_strategies(require("strategies", "a mapping of strategy names"), s);
  if (YAML::Node n = find("scenarios"); n.IsDefined() && !n.IsNull()) parse_variants(n, s);
  if (YAML::Node n = find("correlations"); n.IsDefined() && !n.IsNull()) parse_correlations(n, s);
  if (YAML::Node n = find("dirichlet"); n.IsDefined() && !n.IsNull()) parse_dirichlet(n, s);
  if (YAML::Node n = find("market"); n.IsDefined() && !n.IsNull()) s.market = detail::parse_market(n, r_.file(), s);
  check_names_and_expressions(s);
  keep_strategies_run(s);
  return s;
}

void ScenarioParser::parse_settings(const YAML::Node& node, Settings& st) {
  st.where = r_.at(node, "settings");
  bool horizon_seen = false;
  YAML::Node timing_node, correction_node;
  for (const auto& e : r_.map(node, "settings",
                              {"cycle_length", "horizon", "max_age", "discount", "reward_timing",
                               "within_cycle_correction", "transition_reward_weight", "individuals", "seed", "currency", "price_year",
                               "willingness_to_pay", "reference_strategy", "icer_effect", "state_time_cap",
                               "evpi_population", "strategies"})) {
    const std::string path = "settings." + e.key;
    const YAML::Node& v = e.value;
    if (e.key == "cycle_length") {
      double value = 0;
      std::string unit;
      if (v.IsMap()) {
        for (const auto& c : r_.map(v, path, {"value", "unit"})) {
          if (c.key == "value") value = r_.number(c.value, path + ".value");
          if (c.key == "unit") unit = r_.string(c.value, path + ".unit");
        }
      } else if (!v.IsScalar() || !number_and_word(v.Scalar(), value, unit)) {
        r_.fail(v, path, fmt::format("found {}", Reader::kind_name(v)), "\"<number> <unit>\", e.g. \"1 month\"");
      }
      if (!(value > 0)) r_.fail(v, path, "cycle length must be positive", "a positive number of days, weeks, months or years");
      if (unit_in_years(unit) == 0.0)
        r_.fail(v, path, fmt::format("unknown time unit '{}'", unit), "day, week, month or year");
      st.cycle_length_value = value;
      st.cycle_unit = unit;
      st.cycle_length_years = value * unit_in_years(unit);
    } else if (e.key == "horizon") {
      horizon_seen = true;
      parse_horizon(v, path, st);
    } else if (e.key == "max_age") {
      st.max_age = r_.number(v, path, "an age in years");
      if (!(st.max_age > 0)) r_.fail(v, path, "max_age must be positive", "an age in years");
    } else if (e.key == "discount") {
      for (const auto& d : r_.map(v, path, {"costs", "effects"})) {
        const double rate = r_.number(d.value, path + "." + d.key, "an annual rate such as 0.03");
        if (rate < 0 || rate >= 1)
          r_.fail(d.value, path + "." + d.key, fmt::format("discount rate {} is outside [0, 1)", rate),
                  "an annual rate in [0, 1), such as 0.03");
        (d.key == "costs" ? st.discount_costs : st.discount_effects) = rate;
      }
    } else if (e.key == "reward_timing") {
      timing_node = v;
      const std::string t = r_.string(v, path);
      if (t == "both_ends") st.reward_timing = RewardTiming::both_ends;
      else if (t == "start_of_cycle") st.reward_timing = RewardTiming::start_of_cycle;
      else if (t == "end_of_cycle") st.reward_timing = RewardTiming::end_of_cycle;
      else r_.fail(v, path, fmt::format("unknown reward timing '{}'", t), "both_ends, start_of_cycle or end_of_cycle");
    } else if (e.key == "within_cycle_correction") {
      correction_node = v;
      const std::string c = r_.string(v, path);
      if (c == "none") st.correction = WithinCycleCorrection::none;
      else if (c == "half_cycle") st.correction = WithinCycleCorrection::half_cycle;
      else if (c == "trapezoid") st.correction = WithinCycleCorrection::trapezoid;
      else if (c == "simpson") st.correction = WithinCycleCorrection::simpson;
      else if (c == "simpson_darth") st.correction = WithinCycleCorrection::simpson_darth;
      else r_.fail(v, path, fmt::format("unknown within-cycle correction '{}'", c),
                   "none, half_cycle, trapezoid, simpson or simpson_darth");
    } else if (e.key == "transition_reward_weight") {
      const std::string w = r_.string(v, path);
      if (w == "discount_only") st.transition_rewards_corrected = false;
      else if (w == "destination_point") st.transition_rewards_corrected = true;
      else r_.fail(v, path, fmt::format("unknown transition reward weight '{}'", w), "discount_only or destination_point");
    } else if (e.key == "individuals") {
      st.individuals = static_cast<std::uint64_t>(r_.integer(v, path, 2, "a whole number of individuals >= 2 (a microsimulation needs two to estimate its Monte Carlo error)"));
    } else if (e.key == "seed") {
      st.seed = static_cast<std::uint64_t>(r_.integer(v, path, 0, "a whole number >= 0"));
    } else if (e.key == "currency") {
      st.currency = r_.string(v, path);
    } else if (e.key == "price_year") {
      st.price_year = static_cast<int>(r_.integer(v, path, 1900, "a year such as 2024"));
    } else if (e.key == "willingness_to_pay") {
      if (!v.IsSequence()) r_.fail(v, path, fmt::format("found {}", Reader::kind_name(v)), "a list of thresholds");
      for (std::size_t i = 0; i < v.size(); ++i) {
        const double w = r_.number(v[i], fmt::format("{}[{}]", path, i), "a threshold >= 0");
        if (w < 0) r_.fail(v[i], fmt::format("{}[{}]", path, i), "negative threshold", "a threshold >= 0");
        st.willingness_to_pay.push_back(w);
      }
    } else if (e.key == "reference_strategy") {
      st.reference_strategy = r_.string(v, path);
      reference_node_ = v;
    } else if (e.key == "icer_effect") {
      const std::string m = r_.string(v, path);
      if (m == "qalys") st.icer_effect = EffectMeasure::qalys;
      else if (m == "life_years") st.icer_effect = EffectMeasure::life_years;
      else r_.fail(v, path, fmt::format("unknown effect measure '{}'", m), "qalys or life_years");
    } else if (e.key == "evpi_population") {
      for (const auto& f : r_.map(v, path, {"annual_incidence", "horizon_years", "prevalent"})) {
        const double x = r_.number(f.value, path + "." + f.key, "a number >= 0");
        if (x < 0) r_.fail(f.value, path + "." + f.key, "negative value", "a number >= 0");
        (f.key == "annual_incidence" ? st.evpi_annual_incidence : f.key == "horizon_years" ? st.evpi_horizon_years : st.evpi_prevalent) = x;
      }
    } else if (e.key == "strategies") {
      if (!v.IsSequence()) r_.fail(v, path, fmt::format("found {}", Reader::kind_name(v)), "a list of strategy names");
      for (std::size_t i = 0; i < v.size(); ++i) st.strategies.push_back(r_.string(v[i], fmt::format("{}[{}]", path, i)));
      strategies_node_ = v;
    } else if (e.key == "state_time_cap") {
      st.state_time_cap = static_cast<int>(r_.integer(v, path, 1, "a whole number of cycles >= 1"));
    }
  }
  if (!horizon_seen) r_.fail(node, "settings.horizon", "missing required key 'horizon'", "{cycles: N}, {years: Y} or lifetime");
  if (st.correction != WithinCycleCorrection::none && st.reward_timing != RewardTiming::both_ends)
    r_.fail(correction_node, "settings.within_cycle_correction",
            "a within-cycle correction integrates over points 0..T, which needs reward_timing: both_ends",
            "reward_timing: both_ends, or within_cycle_correction: none");
  if (!st.lifetime && st.correction == WithinCycleCorrection::simpson && st.horizon_cycles % 2 != 0)
    r_.fail(correction_node, "settings.within_cycle_correction",
            fmt::format("textbook Simpson weights need an even number of cycles, the horizon has {}", st.horizon_cycles),
            "an even horizon, or simpson_darth");
}

void ScenarioParser::parse_horizon(const YAML::Node& v, const std::string& path, Settings& st) {
  const std::string expected = "{cycles: N}, {years: Y}, \"N cycles\", \"Y years\" or lifetime";
  double amount = 0;
  std::string unit;
  if (v.IsScalar() && v.Scalar() == "lifetime") {
    st.lifetime = true;
    return;
  }
  if (v.IsMap()) {
    const auto entries = r_.map(v, path, {"cycles", "years"});
    if (entries.size() != 1) r_.fail(v, path, "horizon needs exactly one of cycles or years", expected);
    unit = entries[0].key;
    amount = r_.number(entries[0].value, path + "." + unit, "a positive number");
  } else if (!v.IsScalar() || !number_and_word(v.Scalar(), amount, unit) || (unit != "cycles" && unit != "years")) {
    r_.fail(v, path, fmt::format("found {}", Reader::kind_name(v)), expected);
  }
  if (!(amount > 0)) r_.fail(v, path, "horizon must be positive", expected);
  horizon_node_ = v;
  horizon_years_ = unit == "years" ? amount : 0.0;
  if (unit == "cycles") {
    if (amount != std::floor(amount)) r_.fail(v, path, "a horizon in cycles must be a whole number", expected);
    st.horizon_cycles = static_cast<int>(amount);
  }
}

void ScenarioParser::finish_horizon(Settings& st) {
  if (horizon_years_ > 0) {
    st.horizon_cycles = static_cast<int>(std::ceil(horizon_years_ / st.cycle_length_years - 1e-9));
  }
  if (!st.lifetime && st.horizon_cycles > 100000)
    r_.fail(horizon_node_, "settings.horizon", fmt::format("{} cycles is too long", st.horizon_cycles),
            "at most 100000 cycles");
}

void ScenarioParser::parse_perspectives(const YAML::Node& node, Scenario& s) {
  if (!node.IsDefined() || node.IsNull()) {
    s.perspectives = {"health_care"};
    return;
  }
  if (!node.IsSequence() || node.size() == 0)
    r_.fail(node, "perspectives", fmt::format("found {}", Reader::kind_name(node)), "a non-empty list of names");
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string path = fmt::format("perspectives[{}]", i);
    const std::string p = r_.string(node[i], path);
    r_.name(node[i], p, path, "perspective");
    if (std::find(s.perspectives.begin(), s.perspectives.end(), p) != s.perspectives.end())
      r_.fail(node[i], path, fmt::format("perspective '{}' is listed twice", p), "each perspective once");
    s.perspectives.push_back(p);
  }
}

void ScenarioParser::parse_cost_categories(const YAML::Node& node, Scenario& s) {
  if (!node.IsDefined() || node.IsNull()) {
    s.cost_categories.push_back({"cost", s.perspectives, r_.at(node, "cost_categories")});
    return;
  }
  for (const auto& e : r_.map(node, "cost_categories", {}, true)) {
    const std::string path = "cost_categories." + e.key;
    CostCategory c{r_.name(e.key_node, e.key, path, "cost category"), {}, r_.at(e.key_node, path)};
    c.perspectives = s.perspectives;  // default: every perspective
    if (!e.value.IsNull()) {
      for (const auto& f : r_.map(e.value, path, {"perspectives"})) {
        c.perspectives = r_.string_list(f.value, path + ".perspectives");
        for (const auto& p : c.perspectives)
          if (std::find(s.perspectives.begin(), s.perspectives.end(), p) == s.perspectives.end())
            r_.fail(f.value, path + ".perspectives", fmt::format("unknown perspective '{}'", p),
                    "one of: " + join(s.perspectives));
      }
    }
    s.cost_categories.push_back(std::move(c));
  }
  if (s.cost_categories.empty()) r_.fail(node, "cost_categories", "no cost categories", "at least one category");
}

void ScenarioParser::parse_outcomes(const YAML::Node& node, Scenario& s) {
  for (const auto& e : r_.map(node, "outcomes", {}, true)) {
    const std::string path = "outcomes." + e.key;
    OutcomeDefinition o{r_.name(e.key_node, e.key, path, "outcome"), e.key, r_.at(e.key_node, path)};
    if (!e.value.IsNull())
      for (const auto& f : r_.map(e.value, path, {"label"})) o.label = r_.string(f.value, path + ".label");
    s.outcomes.push_back(std::move(o));
  }
}

std::map<std::string, Expression> ScenarioParser::outcome_amounts(const YAML::Node& node, const std::string& path, const Scenario& s) {
  std::map<std::string, Expression> out;
  for (const auto& e : r_.map(node, path, {}, true)) {
    if (std::none_of(s.outcomes.begin(), s.outcomes.end(), [&](const auto& o) { return o.name == e.key; })) {
      std::vector<std::string> names;
      for (const auto& o : s.outcomes) names.push_back(o.name);
      r_.fail(e.key_node, path + "." + e.key, fmt::format("unknown outcome '{}'", e.key),
              names.empty() ? std::string("an outcome declared under outcomes:") : "one of: " + join(names));
    }
    out[e.key] = r_.expression(e.value, path + "." + e.key);
  }
  return out;
}

}  // namespace detail::scenario_yaml

namespace {

using detail::scenario_yaml::Reader;
using detail::scenario_yaml::ScenarioParser;

/// Byte offset of the first byte of `text` that is not valid UTF-8 (overlong forms and
/// surrogates included), found by iconv (glibc) converting UTF-8 to UTF-8.
std::optional<std::size_t> first_invalid_utf8(const std::string& text) {
  const iconv_t converter = ::iconv_open("UTF-8", "UTF-8");
  if (converter == reinterpret_cast<iconv_t>(-1)) throw InternalError("iconv cannot convert UTF-8");
  char* in = const_cast<char*>(text.data());  // iconv's signature; it does not write the input
  std::size_t in_left = text.size();
  std::array<char, 4096> buffer{};
  std::optional<std::size_t> invalid;
  while (in_left > 0) {
    char* out = buffer.data();
    std::size_t out_left = buffer.size();
    if (::iconv(converter, &in, &in_left, &out, &out_left) != static_cast<std::size_t>(-1)) continue;
    if (errno == E2BIG) continue;                        // buffer full: convert the rest
    invalid = static_cast<std::size_t>(in - text.data());  // EILSEQ, or EINVAL: cut off at the end
    break;
  }
  ::iconv_close(converter);
  return invalid;
}

/// yaml-cpp passes bytes that are not UTF-8 through into names and labels, where only the
/// JSON writer would trip over them at the end of a run: refused here, with the place.
void require_utf8(const std::string& text, const std::string& file_name) {
  // A UTF-16 or UTF-32 file (with its byte-order mark) is decoded by yaml-cpp itself.
  if (text.starts_with("\xFE\xFF") || text.starts_with("\xFF\xFE") || text.starts_with(std::string("\0\0\xFE\xFF", 4))) return;
  const auto invalid = first_invalid_utf8(text);
  if (!invalid) return;
  const std::size_t at = *invalid;
  const std::size_t newline_before = at == 0 ? std::string::npos : text.rfind('\n', at - 1);
  const std::size_t line_begin = newline_before == std::string::npos ? 0 : newline_before + 1;
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  const int column = 1 + static_cast<int>(at - line_begin);  // in bytes
  throw ScenarioError({file_name, line, column, ""},
                      fmt::format("byte 0x{:02X} is not UTF-8 text", static_cast<unsigned char>(text[at])),
                      "a file saved as UTF-8 (names, labels and sources are UTF-8 text)");
}

}  // namespace

Scenario parse_scenario(const std::string& yaml_text, const std::string& file_name, const ScenarioChoices& choices) {
  require_utf8(yaml_text, file_name);
  Reader reader(file_name);
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    SourceLocation where{file_name, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0, ""};
    throw ScenarioError(where, "not valid YAML: " + e.msg, "a YAML document");
  }
  if (!root.IsMap()) throw ScenarioError({file_name, 1, 1, ""}, "the file is not a YAML mapping", "a scenario mapping with schema_version, name, settings, ...");
  const std::string base_dir = std::filesystem::path(file_name).parent_path().string();
  detail::apply_choices(root, choices, file_name);
  ScenarioParser parser(reader, base_dir.empty() ? "." : base_dir);
  Scenario scenario = parser.parse(root);
  scenario.sha256 = detail::sha256_hex(yaml_text);
  scenario.variant = choices.variant;
  scenario.overrides = choices.set;
  return scenario;
}

std::pair<std::string, std::string> parse_override(const std::string& text) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw ScenarioError({"--set", 0, 0, text}, fmt::format("'{}' is not NAME=VALUE", text),
                        "a parameter name, '=', and a value or formula, e.g. --set bmsc_price=20000");
  return {text.substr(0, equals), text.substr(equals + 1)};
}

Scenario load_scenario(const std::string& path, const ScenarioChoices& choices) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScenarioError({path, 0, 0, ""}, "cannot open scenario file", "a readable YAML file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_scenario(text.str(), path, choices);
}

int Scenario::state_index(const std::string& state) const {
  for (std::size_t i = 0; i < states.size(); ++i)
    if (states[i].name == state) return static_cast<int>(i);
  return -1;
}

int Scenario::strategy_index(const std::string& strategy) const {
  for (std::size_t i = 0; i < strategies.size(); ++i)
    if (strategies[i].name == strategy) return static_cast<int>(i);
  return -1;
}

const Parameter* Scenario::find_parameter(const std::string& parameter) const {
  for (const auto& p : parameters)
    if (p.name == parameter) return &p;
  return nullptr;
}

}  // namespace hemsim
