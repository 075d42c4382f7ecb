// Reading scenario files (yaml-cpp) into hemsim::Scenario. Every key is checked;
// every problem is a ScenarioError with file:line:column and the key path.

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
#include "scenario/scenario_variants.hpp"
#include "hemsim/error.hpp"
#include "hemsim/scenario_io.hpp"
#include "core/sha256.hpp"

namespace hemsim {

namespace {

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourceLocation at(const YAML::Node& node, const std::string& path) const {
    SourceLocation where{file_, 0, 0, path};
    if (node.IsDefined()) {
      const YAML::Mark mark = node.Mark();
      if (mark.line >= 0) {
        where.line = mark.line + 1;
        where.column = mark.column + 1;
      }
    }
    return where;
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& problem,
                         const std::string& expected = {}) const {
    throw ScenarioError(at(node, path), problem, expected);
  }

  static std::string kind_name(const YAML::Node& node) {
    switch (node.Type()) {
      case YAML::NodeType::Null: return "nothing";
      case YAML::NodeType::Scalar: return fmt::format("\"{}\"", node.Scalar());
      case YAML::NodeType::Sequence: return "a list";
      case YAML::NodeType::Map: return "a mapping";
      default: return "nothing";
    }
  }

  // Checks `node` is a mapping with unique, allowed keys; returns the (key, value, key node) entries in order.
  struct Entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
  };
  std::vector<Entry> map(const YAML::Node& node, const std::string& path,
                         const std::vector<std::string>& allowed = {}, bool any_key = false) const {
    if (!node.IsMap()) fail(node, path, fmt::format("found {}", kind_name(node)), "a mapping of keys to values");
    std::vector<Entry> entries;
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const YAML::Node key_node = it->first;
      if (!key_node.IsScalar()) fail(key_node, path, "a key is not a plain name", "a name");
      const std::string key = key_node.Scalar();
      const std::string key_path = path.empty() ? key : path + "." + key;
      if (!seen.insert(key).second) fail(key_node, key_path, fmt::format("duplicate key '{}'", key), "each key once");
      if (!any_key && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        fail(key_node, key_path, fmt::format("unknown key '{}'", key), "one of: " + join(allowed));
      entries.push_back({key, key_node, it->second});
    }
    return entries;
  }

  std::string string(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, fmt::format("found {}", kind_name(node)), "a text value");
    return node.Scalar();
  }

  std::string name(const YAML::Node& key_node, const std::string& key, const std::string& path,
                   const std::string& what) const {
    if (!detail::is_identifier(key))
      fail(key_node, path, fmt::format("'{}' is not a valid {} name", key, what),
           "a letter followed by letters, digits or '_'");
    return key;
  }

  double number(const YAML::Node& node, const std::string& path, const std::string& expected = "a number") const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (!text.empty() && end && *end == '\0' && std::isfinite(v)) return v;
    }
    fail(node, path, fmt::format("found {}", kind_name(node)), expected);
  }

  long long integer(const YAML::Node& node, const std::string& path, long long min_value,
                    const std::string& expected) const {
    const double v = number(node, path, expected);
    if (v != std::floor(v) || v < static_cast<double>(min_value) || v > 9e15)
      fail(node, path, fmt::format("found {}", kind_name(node)), expected);
    return static_cast<long long>(v);
  }

  bool boolean(const YAML::Node& node, const std::string& path) const {
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      if (s == "true" || s == "yes") return true;
      if (s == "false" || s == "no") return false;
    }
    fail(node, path, fmt::format("found {}", kind_name(node)), "true or false");
  }

  Expression expression(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar() || node.Scalar().empty())
      fail(node, path, fmt::format("found {}", kind_name(node)), "a number or an expression");
    return Expression{node.Scalar(), at(node, path)};
  }

  std::vector<std::string> string_list(const YAML::Node& node, const std::string& path) const {
    if (node.IsScalar()) return {node.Scalar()};
    if (!node.IsSequence()) fail(node, path, fmt::format("found {}", kind_name(node)), "a list of names");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < node.size(); ++i) out.push_back(string(node[i], fmt::format("{}[{}]", path, i)));
    return out;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

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

class ScenarioParser {
 public:
  ScenarioParser(const Reader& r, const std::string& base_dir) : r_(r), base_dir_(base_dir) {}

  Scenario parse(const YAML::Node& root) {
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

 private:
  const Reader& r_;
  std::string base_dir_;

  void parse_settings(const YAML::Node& node, Settings& st) {
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

  void parse_horizon(const YAML::Node& v, const std::string& path, Settings& st) {
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

  void finish_horizon(Settings& st) {
    if (horizon_years_ > 0) {
      st.horizon_cycles = static_cast<int>(std::ceil(horizon_years_ / st.cycle_length_years - 1e-9));
    }
    if (!st.lifetime && st.horizon_cycles > 100000)
      r_.fail(horizon_node_, "settings.horizon", fmt::format("{} cycles is too long", st.horizon_cycles),
              "at most 100000 cycles");
  }

  void parse_perspectives(const YAML::Node& node, Scenario& s) {
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

  void parse_cost_categories(const YAML::Node& node, Scenario& s) {
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

  void parse_outcomes(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "outcomes", {}, true)) {
      const std::string path = "outcomes." + e.key;
      OutcomeDefinition o{r_.name(e.key_node, e.key, path, "outcome"), e.key, r_.at(e.key_node, path)};
      if (!e.value.IsNull())
        for (const auto& f : r_.map(e.value, path, {"label"})) o.label = r_.string(f.value, path + ".label");
      s.outcomes.push_back(std::move(o));
    }
  }

  std::map<std::string, Expression> outcome_amounts(const YAML::Node& node, const std::string& path, const Scenario& s) {
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

  DistributionSpec distribution(const YAML::Node& node, const std::string& path) {
    DistributionSpec d;
    d.where = r_.at(node, path);
    if (!node.IsMap()) r_.fail(node, path, fmt::format("found {}", Reader::kind_name(node)), "a mapping with a type, e.g. {type: beta, mean: 0.4, se: 0.1}");
    YAML::Node type = node["type"];
    if (!type.IsDefined()) r_.fail(node, path + ".type", "missing distribution type",
                                   "type: fixed, beta, gamma, lognormal, normal, uniform, triangular, pert, bernoulli, categorical or dirichlet");
    const std::string t = r_.string(type, path + ".type");
    static const std::vector<std::pair<std::string, DistributionKind>> kinds{
        {"fixed", DistributionKind::fixed},         {"beta", DistributionKind::beta},
        {"gamma", DistributionKind::gamma},         {"lognormal", DistributionKind::lognormal},
        {"normal", DistributionKind::normal},       {"uniform", DistributionKind::uniform},
        {"triangular", DistributionKind::triangular}, {"pert", DistributionKind::pert},
        {"bernoulli", DistributionKind::bernoulli}, {"categorical", DistributionKind::categorical},
        {"dirichlet", DistributionKind::dirichlet}};
    auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == t; });
    if (kind == kinds.end())
      r_.fail(type, path + ".type", fmt::format("unknown distribution '{}'", t),
              "fixed, beta, gamma, lognormal, normal, uniform, triangular, pert, bernoulli, categorical or dirichlet");
    d.kind = kind->second;
    for (const auto& e : r_.map(node, path,
                                {"type", "value", "shape1", "shape2", "mean", "se", "sd", "shape", "rate", "scale",
                                 "meanlog", "sdlog", "min", "max", "mode", "p", "probabilities", "alpha", "lower",
                                 "upper"})) {
      const std::string p = path + "." + e.key;
      if (e.key == "type") continue;
      if (e.key == "probabilities" || e.key == "alpha") {
        if (!e.value.IsSequence()) r_.fail(e.value, p, fmt::format("found {}", Reader::kind_name(e.value)), "a list of numbers");
        if ((e.key == "probabilities") != (d.kind == DistributionKind::categorical) ||
            (e.key == "alpha") != (d.kind == DistributionKind::dirichlet))
          r_.fail(e.key_node, p, fmt::format("'{}' does not belong to a {} distribution", e.key, t),
                  "probabilities for categorical, alpha for dirichlet");
        for (std::size_t i = 0; i < e.value.size(); ++i)
          d.vector_argument.push_back(r_.expression(e.value[i], fmt::format("{}[{}]", p, i)));
      } else if (e.key == "lower") {
        d.has_lower = true;
        d.lower = r_.expression(e.value, p);
      } else if (e.key == "upper") {
        d.has_upper = true;
        d.upper = r_.expression(e.value, p);
      } else {
        d.arguments.emplace_back(e.key, r_.expression(e.value, p));
      }
    }
    return d;
  }

  void parse_parameters(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "parameters", {}, true)) {
      const std::string path = "parameters." + e.key;
      Parameter p;
      p.name = r_.name(e.key_node, e.key, path, "parameter");
      p.where = r_.at(e.key_node, path);
      if (e.value.IsScalar()) {
        r_.number(e.value, path, "a number, or a mapping with value/formula, distribution, range and source");
        p.value = r_.expression(e.value, path);
      } else {
        bool has_value = false, has_formula = false;
        for (const auto& f : r_.map(e.value, path, {"value", "formula", "distribution", "range", "source",
                                                    "description", "assumption"})) {
          const std::string fp = path + "." + f.key;
          if (f.key == "value") {
            r_.number(f.value, fp, "a number (use formula: for an expression)");
            p.value = r_.expression(f.value, fp);
            has_value = true;
          } else if (f.key == "formula") {
            p.value = r_.expression(f.value, fp);
            p.is_formula = true;
            has_formula = true;
          } else if (f.key == "distribution") {
            p.distribution = distribution(f.value, fp);
          } else if (f.key == "range") {
            if (!f.value.IsSequence() || f.value.size() != 2)
              r_.fail(f.value, fp, fmt::format("found {}", Reader::kind_name(f.value)), "[low, high]");
            p.has_range = true;
            p.range_low = r_.expression(f.value[0], fp + "[0]");
            p.range_high = r_.expression(f.value[1], fp + "[1]");
          } else if (f.key == "source") {
            p.source = r_.string(f.value, fp);
          } else if (f.key == "description") {
            p.description = r_.string(f.value, fp);
          } else if (f.key == "assumption") {
            p.assumption = r_.boolean(f.value, fp);
          }
        }
        if (has_value == has_formula)
          r_.fail(e.value, path, has_value ? "parameter has both value and formula" : "parameter has neither value nor formula",
                  "exactly one of value (a number) or formula (an expression)");
      }
      s.parameters.push_back(std::move(p));
    }
  }

  void parse_tables(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "tables", {}, true)) {
      const std::string path = "tables." + e.key;
      Table t;
      t.name = r_.name(e.key_node, e.key, path, "table");
      t.where = r_.at(e.value, path + ".file");
      std::string file;
      for (const auto& f : r_.map(e.value, path, {"file", "key", "columns"})) {
        if (f.key == "file") {
          file = r_.string(f.value, path + ".file");
          t.where = r_.at(f.value, path + ".file");
        }
        if (f.key == "key") t.key_column = r_.string(f.value, path + ".key");
        if (f.key == "columns") t.columns = r_.string_list(f.value, path + ".columns");
      }
      if (file.empty()) r_.fail(e.value, path + ".file", "missing table file", "file: path/to/table.csv");
      if (t.key_column.empty()) r_.fail(e.value, path + ".key", "missing key column", "key: <column name>");
      std::filesystem::path p(file);
      if (p.is_relative()) p = std::filesystem::path(base_dir_) / p;
      t.file = p.lexically_normal().string();
      detail::read_csv_table(t.file, t);
      for (const auto& c : t.columns)
        if (!detail::is_identifier(c))
          r_.fail(e.value, path, fmt::format("column '{}' of '{}' is not a valid name for a function", c, file),
                  "column names made of letters, digits and '_'");
      s.tables.push_back(std::move(t));
    }
  }

  void parse_population(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "population", {}, true)) {
      const std::string path = "population." + e.key;
      Attribute a;
      a.name = r_.name(e.key_node, e.key, path, "attribute");
      a.where = r_.at(e.key_node, path);
      if (e.value.IsScalar()) {
        a.distribution.kind = DistributionKind::fixed;
        a.distribution.where = r_.at(e.value, path);
        a.distribution.arguments.emplace_back("value", r_.expression(e.value, path));
      } else {
        a.distribution = distribution(e.value, path);
        if (a.distribution.kind == DistributionKind::dirichlet)
          r_.fail(e.value, path + ".type", "an attribute cannot be a Dirichlet vector", "a scalar distribution");
      }
      s.attributes.push_back(std::move(a));
    }
  }

  std::map<std::string, Expression> costs(const YAML::Node& node, const std::string& path, const Scenario& s) {
    std::map<std::string, Expression> out;
    for (const auto& e : r_.map(node, path, {}, true)) {
      const std::string p = path + "." + e.key;
      if (std::none_of(s.cost_categories.begin(), s.cost_categories.end(), [&](const auto& c) { return c.name == e.key; })) {
        std::vector<std::string> names;
        for (const auto& c : s.cost_categories) names.push_back(c.name);
        r_.fail(e.key_node, p, fmt::format("unknown cost category '{}'", e.key), "one of: " + join(names));
      }
      out[e.key] = r_.expression(e.value, p);
    }
    return out;
  }

  void parse_states(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "states", {}, true)) {
      const std::string path = "states." + e.key;
      State st;
      st.name = r_.name(e.key_node, e.key, path, "state");
      st.label = st.name;
      st.where = r_.at(e.key_node, path);
      if (!e.value.IsNull()) {
        for (const auto& f : r_.map(e.value, path, {"label", "group", "costs", "outcomes", "utility", "life_years", "absorbing", "dead"})) {
          const std::string fp = path + "." + f.key;
          if (f.key == "label") st.label = r_.string(f.value, fp);
          if (f.key == "group") st.group = r_.string(f.value, fp);
          if (f.key == "costs") st.costs = costs(f.value, fp, s);
          if (f.key == "outcomes") st.outcomes = outcome_amounts(f.value, fp, s);
          if (f.key == "utility") st.utility = r_.expression(f.value, fp);
          if (f.key == "life_years") st.life_years = r_.expression(f.value, fp);
          if (f.key == "absorbing") st.absorbing = r_.boolean(f.value, fp);
          if (f.key == "dead") st.dead = r_.boolean(f.value, fp);
        }
      }
      if (st.dead) st.absorbing = true;
      s.states.push_back(std::move(st));
    }
    if (s.states.empty()) r_.fail(node, "states", "no states", "at least one state");
  }

  void require_state(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name,
                     bool allow_any = false) {
    if (allow_any && name == "*") return;
    if (s.state_index(name) < 0) {
      std::vector<std::string> names;
      for (const auto& st : s.states) names.push_back(st.name);
      r_.fail(node, path, fmt::format("unknown state '{}'", name), "one of: " + join(names) + (allow_any ? " or \"*\"" : ""));
    }
  }

  void parse_initial(const YAML::Node& node, Scenario& s) {
    s.initial_where = r_.at(node, "initial");
    for (const auto& e : r_.map(node, "initial", {}, true)) {
      const std::string path = "initial." + e.key;
      require_state(s, e.key_node, path, e.key);
      s.initial[e.key] = r_.expression(e.value, path);
    }
    if (s.initial.empty()) r_.fail(node, "initial", "no initial state", "at least one state with a probability");
  }

  void parse_transitions(const YAML::Node& node, const std::string& base, std::vector<Transition>& out, const Scenario& s) {
    for (const auto& row : r_.map(node, base, {}, true)) {
      const std::string row_path = base + "." + row.key;
      require_state(s, row.key_node, row_path, row.key);
      const State& from = s.states[static_cast<std::size_t>(s.state_index(row.key))];
      if (from.absorbing)
        r_.fail(row.key_node, row_path,
                fmt::format("state '{}' is {}: it has no transitions out", row.key, from.dead ? "dead" : "absorbing"),
                "no row for dead or absorbing states");
      int complements = 0;
      for (const auto& cell : r_.map(row.value, row_path, {}, true)) {
        const std::string path = row_path + "." + cell.key;
        require_state(s, cell.key_node, path, cell.key);
        Transition t;
        t.from = row.key;
        t.to = cell.key;
        t.where = r_.at(cell.value, path);
        if (cell.value.IsScalar() && cell.value.Scalar() == "complement") {
          t.kind = TransitionKind::complement;
          if (++complements > 1)
            r_.fail(cell.value, path, "a row may have only one complement", "one 'complement' per row");
        } else if (cell.value.IsMap()) {
          for (const auto& f : r_.map(cell.value, path, {"rate", "probability"})) {
            t.kind = f.key == "rate" ? TransitionKind::rate : TransitionKind::probability;
            t.value = r_.expression(f.value, path + "." + f.key);
          }
          if (t.value.text.empty()) r_.fail(cell.value, path, "empty transition", "{rate: expr} or {probability: expr}");
        } else {
          t.value = r_.expression(cell.value, path);
        }
        out.push_back(std::move(t));
      }
    }
  }

  void parse_transition_rewards(const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) r_.fail(node, "transition_rewards", fmt::format("found {}", Reader::kind_name(node)), "a list of {from, to, costs, qalys}");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = fmt::format("transition_rewards[{}]", i);
      TransitionReward tr;
      tr.where = r_.at(node[i], path);
      for (const auto& f : r_.map(node[i], path, {"from", "to", "costs", "qalys"})) {
        const std::string fp = path + "." + f.key;
        if (f.key == "from" || f.key == "to") {
          const std::string name = r_.string(f.value, fp);
          require_state(s, f.value, fp, name, true);
          (f.key == "from" ? tr.from : tr.to) = name;
        }
        if (f.key == "costs") tr.costs = costs(f.value, fp, s);
        if (f.key == "qalys") tr.qalys = r_.expression(f.value, fp);
      }
      if (tr.from.empty() || tr.to.empty()) r_.fail(node[i], path, "a transition reward needs from and to", "from: STATE, to: STATE");
      s.transition_rewards.push_back(std::move(tr));
    }
  }

  std::map<std::string, int> state_amounts(const YAML::Node& node, const std::string& path, const Scenario& s, bool allow_any) {
    std::map<std::string, int> out;
    for (const auto& e : r_.map(node, path, {}, true)) {
      require_state(s, e.key_node, path + "." + e.key, e.key, allow_any);
      out[e.key] = static_cast<int>(r_.integer(e.value, path + "." + e.key, -1000000, "a whole number"));
    }
    return out;
  }

  void parse_counters(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "counters", {}, true)) {
      const std::string path = "counters." + e.key;
      Counter c;
      c.name = r_.name(e.key_node, e.key, path, "counter");
      c.where = r_.at(e.key_node, path);
      bool has_max = false;
      for (const auto& f : r_.map(e.value, path, {"initial", "max", "increment_in", "increment_on_entry", "reset_on_entry"})) {
        const std::string fp = path + "." + f.key;
        if (f.key == "initial") c.initial = static_cast<int>(r_.integer(f.value, fp, 0, "a whole number >= 0"));
        if (f.key == "max") {
          c.max = static_cast<int>(r_.integer(f.value, fp, 1, "a whole number between 1 and 100000"));
          if (c.max > 100000) r_.fail(f.value, fp, "max is too large", "a whole number between 1 and 100000");
          has_max = true;
        }
        if (f.key == "increment_in") c.increment_in = state_amounts(f.value, fp, s, true);
        if (f.key == "increment_on_entry") c.increment_on_entry = state_amounts(f.value, fp, s, false);
        if (f.key == "reset_on_entry") {
          c.reset_on_entry = r_.string_list(f.value, fp);
          for (const auto& st : c.reset_on_entry) require_state(s, f.value, fp, st);
        }
      }
      if (!has_max) r_.fail(e.value, path + ".max", "missing max", "max: the largest value the counter can take");
      if (c.initial > c.max) r_.fail(e.value, path + ".initial", "initial value above max", "initial <= max");
      s.counters.push_back(std::move(c));
    }
  }

  void parse_events(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "events", {}, true)) {
      const std::string path = "events." + e.key;
      Event ev;
      ev.name = r_.name(e.key_node, e.key, path, "event");
      ev.label = ev.name;
      ev.where = r_.at(e.key_node, path);
      for (const auto& f : r_.map(e.value, path, {"label", "enter", "transitions", "report_years"})) {
        const std::string fp = path + "." + f.key;
        if (f.key == "label") ev.label = r_.string(f.value, fp);
        if (f.key == "enter") {
          ev.enter = r_.string_list(f.value, fp);
          for (const auto& st : ev.enter) require_state(s, f.value, fp, st);
        }
        if (f.key == "transitions") {
          for (const auto& text : r_.string_list(f.value, fp)) {
            const auto arrow = text.find("->");
            if (arrow == std::string::npos) r_.fail(f.value, fp, fmt::format("'{}' is not a transition", text), "\"FROM -> TO\"");
            auto trim = [](std::string x) {
              x.erase(0, x.find_first_not_of(" \t"));
              x.erase(x.find_last_not_of(" \t") + 1);
              return x;
            };
            const std::string from = trim(text.substr(0, arrow)), to = trim(text.substr(arrow + 2));
            require_state(s, f.value, fp, from, true);
            require_state(s, f.value, fp, to);
            ev.transitions.emplace_back(from, to);
          }
        }
        if (f.key == "report_years") {
          if (!f.value.IsSequence()) r_.fail(f.value, fp, fmt::format("found {}", Reader::kind_name(f.value)), "a list of years");
          for (std::size_t i = 0; i < f.value.size(); ++i) {
            const double y = r_.number(f.value[i], fmt::format("{}[{}]", fp, i), "a time in years > 0");
            if (!(y > 0)) r_.fail(f.value[i], fmt::format("{}[{}]", fp, i), "report time must be positive", "a time in years > 0");
            ev.report_years.push_back(y);
          }
        }
      }
      if (ev.enter.empty() && ev.transitions.empty())
        r_.fail(e.value, path, "an event needs enter or transitions", "enter: [STATE, ...] or transitions: [\"A -> B\"]");
      s.events.push_back(std::move(ev));
    }
  }

  void parse_background(const YAML::Node& node, Scenario& s) {
    BackgroundMortality b;
    b.where = r_.at(node, "background_mortality");
    for (const auto& f : r_.map(node, "background_mortality", {"to", "annual_probability", "hazard_ratios"})) {
      const std::string fp = "background_mortality." + f.key;
      if (f.key == "to") {
        b.to = r_.string(f.value, fp);
        require_state(s, f.value, fp, b.to);
        if (!s.states[static_cast<std::size_t>(s.state_index(b.to))].dead)
          r_.fail(f.value, fp, fmt::format("state '{}' is not a dead state", b.to), "a state with dead: true");
      }
      if (f.key == "annual_probability") b.annual_probability = r_.expression(f.value, fp);
      if (f.key == "hazard_ratios") {
        for (const auto& h : r_.map(f.value, fp, {}, true)) {
          require_state(s, h.key_node, fp + "." + h.key, h.key);
          b.hazard_ratios[h.key] = r_.expression(h.value, fp + "." + h.key);
        }
      }
    }
    if (b.to.empty()) r_.fail(node, "background_mortality.to", "missing death state", "to: <dead state>");
    if (b.annual_probability.text.empty())
      r_.fail(node, "background_mortality.annual_probability", "missing annual probability", "annual_probability: <expression>");
    s.background_mortality = std::move(b);
  }

  void parse_strategies(const YAML::Node& node, Scenario& s) {
    if (node.IsNull() || (node.IsMap() && node.size() == 0))
      r_.fail(node, "strategies", "no strategies", "at least one strategy");
    for (const auto& e : r_.map(node, "strategies", {}, true)) {
      const std::string path = "strategies." + e.key;
      Strategy st;
      st.name = r_.name(e.key_node, e.key, path, "strategy");
      st.label = st.name;
      st.where = r_.at(e.key_node, path);
      if (!e.value.IsNull()) {
        for (const auto& f : r_.map(e.value, path, {"label", "description", "parameters", "states", "transitions", "one_time_costs"})) {
          const std::string fp = path + "." + f.key;
          if (f.key == "label") st.label = r_.string(f.value, fp);
          if (f.key == "description") st.description = r_.string(f.value, fp);
          if (f.key == "parameters") {
            for (const auto& p : r_.map(f.value, fp, {}, true)) {
              if (!s.find_parameter(p.key))
                r_.fail(p.key_node, fp + "." + p.key, fmt::format("unknown parameter '{}'", p.key), "a parameter declared under parameters");
              st.parameters[p.key] = r_.expression(p.value, fp + "." + p.key);
            }
          }
          if (f.key == "states") {
            for (const auto& so : r_.map(f.value, fp, {}, true)) {
              const std::string sp = fp + "." + so.key;
              require_state(s, so.key_node, sp, so.key);
              StateOverride o;
              o.where = r_.at(so.key_node, sp);
              for (const auto& g : r_.map(so.value, sp, {"costs", "outcomes", "utility", "life_years"})) {
                if (g.key == "costs") o.costs = costs(g.value, sp + ".costs", s);
                if (g.key == "outcomes") o.outcomes = outcome_amounts(g.value, sp + ".outcomes", s);
                if (g.key == "utility") o.utility = r_.expression(g.value, sp + ".utility");
                if (g.key == "life_years") o.life_years = r_.expression(g.value, sp + ".life_years");
              }
              st.states[so.key] = std::move(o);
            }
          }
          if (f.key == "transitions") parse_transitions(f.value, fp, st.transitions, s);
          if (f.key == "one_time_costs") st.one_time_costs = costs(f.value, fp, s);
        }
      }
      s.strategies.push_back(std::move(st));
    }
    if (s.settings.reference_strategy.empty()) {
      s.settings.reference_strategy = s.strategies.front().name;
    } else if (s.strategy_index(s.settings.reference_strategy) < 0) {
      std::vector<std::string> names;
      for (const auto& st : s.strategies) names.push_back(st.name);
      r_.fail(reference_node_, "settings.reference_strategy",
              fmt::format("unknown strategy '{}'", s.settings.reference_strategy), "one of: " + join(names));
    }
  }

  const Parameter& sampled_parameter(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name) {
    const Parameter* p = s.find_parameter(name);
    if (!p) r_.fail(node, path, fmt::format("unknown parameter '{}'", name), "a parameter declared under parameters");
    if (p->is_formula) r_.fail(node, path, fmt::format("'{}' is derived (a formula) and is not sampled", name), "a plain parameter");
    return *p;
  }

  void parse_correlations(const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) r_.fail(node, "correlations", fmt::format("found {}", Reader::kind_name(node)), "a list of {parameters: [a, b], rho: r}");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = fmt::format("correlations[{}]", i);
      Correlation c;
      c.where = r_.at(node[i], path);
      bool has_rho = false;
      for (const auto& f : r_.map(node[i], path, {"parameters", "rho"})) {
        if (f.key == "parameters") {
          const auto names = r_.string_list(f.value, path + ".parameters");
          if (names.size() != 2 || names[0] == names[1])
            r_.fail(f.value, path + ".parameters", "a correlation needs two different parameters", "parameters: [a, b]");
          for (const auto& n : names)
            if (!sampled_parameter(s, f.value, path + ".parameters", n).distribution)
              r_.fail(f.value, path + ".parameters", fmt::format("'{}' has no PSA distribution to correlate", n), "parameters with distribution: {...}");
          c.a = names[0];
          c.b = names[1];
        } else {
          c.rho = r_.number(f.value, path + ".rho", "a correlation in (-1, 1)");
          if (!(c.rho > -1 && c.rho < 1)) r_.fail(f.value, path + ".rho", fmt::format("correlation {} is outside (-1, 1)", c.rho), "a correlation in (-1, 1)");
          has_rho = true;
        }
      }
      if (c.a.empty() || !has_rho) r_.fail(node[i], path, "a correlation needs parameters and rho", "{parameters: [a, b], rho: r}");
      s.correlations.push_back(std::move(c));
    }
  }

  void parse_dirichlet(const YAML::Node& node, Scenario& s) {
    if (!node.IsSequence()) r_.fail(node, "dirichlet", fmt::format("found {}", Reader::kind_name(node)), "a list of {parameters: [...], alpha: [...]}");
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string path = fmt::format("dirichlet[{}]", i);
      DirichletGroup g;
      g.where = r_.at(node[i], path);
      for (const auto& f : r_.map(node[i], path, {"parameters", "alpha"})) {
        if (f.key == "parameters") {
          g.parameters = r_.string_list(f.value, path + ".parameters");
          for (const auto& n : g.parameters)
            if (sampled_parameter(s, f.value, path + ".parameters", n).distribution)
              r_.fail(f.value, path + ".parameters", fmt::format("'{}' already has its own distribution", n), "parameters without distribution:");
        } else {
          if (!f.value.IsSequence()) r_.fail(f.value, path + ".alpha", fmt::format("found {}", Reader::kind_name(f.value)), "a list of positive numbers");
          for (std::size_t j = 0; j < f.value.size(); ++j) {
            const double a = r_.number(f.value[j], fmt::format("{}.alpha[{}]", path, j), "a positive number");
            if (!(a > 0)) r_.fail(f.value[j], fmt::format("{}.alpha[{}]", path, j), "concentration must be positive", "a positive number");
            g.alpha.push_back(a);
          }
        }
      }
      if (g.parameters.size() < 2 || g.parameters.size() != g.alpha.size())
        r_.fail(node[i], path, "a Dirichlet group needs at least two parameters and one alpha per parameter", "{parameters: [a, b, ...], alpha: [...]}");
      s.dirichlet.push_back(std::move(g));
    }
  }

  // Names must not collide; every expression must parse and use only names it may see.
  void check_names_and_expressions(Scenario& s) {
    finish_horizon(s.settings);
    std::map<std::string, std::string> owner;  // name -> what declared it
    auto claim = [&](const std::string& name, const std::string& what, const SourceLocation& where) {
      for (const auto& r : detail::reserved_variable_names())
        if (r == name) throw ScenarioError(where, fmt::format("'{}' is a reserved variable name", name), "another name");
      auto [it, inserted] = owner.try_emplace(name, what);
      if (!inserted)
        throw ScenarioError(where, fmt::format("{} '{}' has the same name as a {}", what, name, it->second), "distinct names");
    };
    for (const auto& p : s.parameters) claim(p.name, "parameter", p.where);
    for (const auto& a : s.attributes) claim(a.name, "attribute", a.where);
    for (const auto& c : s.counters) claim(c.name, "counter", c.where);
    for (const auto& t : s.tables)
      for (const auto& c : t.columns) claim(t.name + "_" + c, "table function", t.where);

    // Parameters only.
    detail::ExpressionContext params(s.tables);
    for (const auto& p : s.parameters) params.declare(p.name);
    params.declare("cycle_years");
    for (const auto& p : s.parameters) {
      params.compile(p.value, "parameter");
      if (p.distribution) check_distribution(params, *p.distribution);
      if (p.has_range) {
        params.compile(p.range_low, "range");
        params.compile(p.range_high, "range");
      }
    }
    for (const auto& st : s.strategies)
      for (const auto& [name, e] : st.parameters) params.compile(e, "parameter override");
    for (const auto& a : s.attributes) check_distribution(params, a.distribution);

    // Parameters and attributes (entry values).
    detail::ExpressionContext entry(s.tables);
    for (const auto& p : s.parameters) entry.declare(p.name);
    for (const auto& a : s.attributes) entry.declare(a.name);
    entry.declare("cycle_years");
    for (const auto& [state, e] : s.initial) entry.compile(e, "initial probability");

    // Everything.
    detail::ExpressionContext all(s.tables);
    for (const auto& p : s.parameters) all.declare(p.name);
    for (const auto& a : s.attributes) all.declare(a.name);
    for (const auto& c : s.counters) all.declare(c.name);
    for (const auto& r : detail::reserved_variable_names()) all.declare(r);
    auto check_state_values = [&](const std::map<std::string, Expression>& cs, const std::optional<Expression>& u,
                                  const std::optional<Expression>& ly) {
      for (const auto& [c, e] : cs) all.compile(e, "cost");
      if (u) all.compile(*u, "utility");
      if (ly) all.compile(*ly, "life-year weight");
    };
    for (const auto& st : s.states) {
      check_state_values(st.costs, st.utility, st.life_years);
      for (const auto& [o, e] : st.outcomes) all.compile(e, "outcome");
    }
    for (const auto& t : s.transitions)
      if (t.kind != TransitionKind::complement) all.compile(t.value, "transition");
    for (const auto& tr : s.transition_rewards) check_state_values(tr.costs, tr.qalys, std::nullopt);
    if (s.background_mortality) {
      all.compile(s.background_mortality->annual_probability, "background mortality");
      for (const auto& [st, e] : s.background_mortality->hazard_ratios) all.compile(e, "hazard ratio");
    }
    for (const auto& st : s.strategies) {
      for (const auto& [name, o] : st.states) {
        check_state_values(o.costs, o.utility, o.life_years);
        for (const auto& [out, e] : o.outcomes) all.compile(e, "outcome");
      }
      for (const auto& t : st.transitions)
        if (t.kind != TransitionKind::complement) all.compile(t.value, "transition");
      for (const auto& [c, e] : st.one_time_costs) params.compile(e, "one-time cost");
    }
  }

  void check_distribution(detail::ExpressionContext& ctx, const DistributionSpec& d) {
    for (const auto& [name, e] : d.arguments) ctx.compile(e, "distribution argument");
    for (const auto& e : d.vector_argument) ctx.compile(e, "distribution argument");
    if (d.has_lower) ctx.compile(d.lower, "truncation bound");
    if (d.has_upper) ctx.compile(d.upper, "truncation bound");
  }

  /// The `scenarios:` section: each variant's name, label and rationale, and its keys
  /// checked (their contents are checked when the variant is applied and parsed).
  void parse_variants(const YAML::Node& node, Scenario& s) {
    for (const auto& e : r_.map(node, "scenarios", {}, true)) {
      const std::string path = "scenarios." + e.key;
      VariantInfo v;
      v.name = r_.name(e.key_node, e.key, path, "scenario");
      v.label = v.name;
      v.where = r_.at(e.key_node, path);
      if (!e.value.IsNull()) {
        for (const auto& f : r_.map(e.value, path, detail::kVariantKeys)) {
          if (f.key == "label") v.label = r_.string(f.value, path + ".label");
          if (f.key == "rationale") v.rationale = r_.string(f.value, path + ".rationale");
        }
      }
      s.variants.push_back(std::move(v));
    }
  }

  /// Drops the strategies `settings.strategies` leaves out (the reference always stays).
  void keep_strategies_run(Scenario& s) {
    if (s.settings.strategies.empty()) return;
    for (std::size_t i = 0; i < s.settings.strategies.size(); ++i)
      if (s.strategy_index(s.settings.strategies[i]) < 0)
        r_.fail(strategies_node_.IsSequence() && i < strategies_node_.size() ? strategies_node_[i] : strategies_node_,
                fmt::format("settings.strategies[{}]", i), fmt::format("unknown strategy '{}'", s.settings.strategies[i]),
                "a strategy defined under strategies");
    const std::string reference = s.settings.reference_strategy.empty() ? s.strategies.front().name : s.settings.reference_strategy;
    std::erase_if(s.strategies, [&](const Strategy& st) {
      return st.name != reference && std::ranges::find(s.settings.strategies, st.name) == s.settings.strategies.end();
    });
  }

  YAML::Node strategies_node_{YAML::NodeType::Undefined};
  YAML::Node reference_node_{YAML::NodeType::Undefined};
  YAML::Node horizon_node_{YAML::NodeType::Undefined};
  double horizon_years_ = 0.0;
};

}  // namespace

namespace {

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
