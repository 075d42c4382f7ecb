#pragma once
// The scenario reader's internals (lib/scenario/scenario_yaml*.cpp): a Reader that checks
// every node and names file, line, column and key path in its errors, and the
// ScenarioParser that fills a Scenario section by section. Its definitions are split by
// section: scenario_yaml.cpp (the top level, settings, perspectives, cost categories,
// outcomes), scenario_yaml_parameters.cpp (parameters, distributions, tables,
// population, correlations, Dirichlet groups, named scenarios), scenario_yaml_states.cpp
// (states, transitions, rewards, counters, events, background mortality, strategies) and
// scenario_yaml_checks.cpp (names and expressions).

#include <yaml-cpp/yaml.h>

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "core/join.hpp"
#include "hemsim/error.hpp"
#include "hemsim/scenario.hpp"
#include "scenario/expression_engine.hpp"

namespace hemsim::detail::scenario_yaml {

using hemsim::detail::join;

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

class ScenarioParser {
 public:
  ScenarioParser(const Reader& r, const std::string& base_dir) : r_(r), base_dir_(base_dir) {}
  Scenario parse(const YAML::Node& root);
 private:
  const Reader& r_;
  std::string base_dir_;
  void parse_settings(const YAML::Node& node, Settings& st);
  void parse_horizon(const YAML::Node& v, const std::string& path, Settings& st);
  void finish_horizon(Settings& st);
  void parse_perspectives(const YAML::Node& node, Scenario& s);
  void parse_cost_categories(const YAML::Node& node, Scenario& s);
  void parse_outcomes(const YAML::Node& node, Scenario& s);
  std::map<std::string, Expression> outcome_amounts(const YAML::Node& node, const std::string& path, const Scenario& s);
  DistributionSpec distribution(const YAML::Node& node, const std::string& path);
  void parse_parameters(const YAML::Node& node, Scenario& s);
  void parse_tables(const YAML::Node& node, Scenario& s);
  void parse_population(const YAML::Node& node, Scenario& s);
  std::map<std::string, Expression> costs(const YAML::Node& node, const std::string& path, const Scenario& s);
  void parse_states(const YAML::Node& node, Scenario& s);
  void require_state(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name,
                     bool allow_any = false);
  void parse_initial(const YAML::Node& node, Scenario& s);
  void parse_transitions(const YAML::Node& node, const std::string& base, std::vector<Transition>& out, const Scenario& s);
  void parse_transition_rewards(const YAML::Node& node, Scenario& s);
  std::map<std::string, int> state_amounts(const YAML::Node& node, const std::string& path, const Scenario& s, bool allow_any);
  void parse_counters(const YAML::Node& node, Scenario& s);
  void parse_events(const YAML::Node& node, Scenario& s);
  void parse_background(const YAML::Node& node, Scenario& s);
  void parse_strategies(const YAML::Node& node, Scenario& s);
  const Parameter& sampled_parameter(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name);
  void parse_correlations(const YAML::Node& node, Scenario& s);
  void parse_dirichlet(const YAML::Node& node, Scenario& s);
  void check_names_and_expressions(Scenario& s);
  void check_distribution(detail::ExpressionContext& ctx, const DistributionSpec& d);
  void parse_variants(const YAML::Node& node, Scenario& s);
  void keep_strategies_run(Scenario& s);
  YAML::Node strategies_node_{YAML::NodeType::Undefined};
  YAML::Node reference_node_{YAML::NodeType::Undefined};
  YAML::Node horizon_node_{YAML::NodeType::Undefined};
  double horizon_years_ = 0.0;
};

}  // namespace hemsim::detail::scenario_yaml
