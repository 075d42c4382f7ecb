// Scenario files: parameters, their distributions, tables, the population, correlations,
// Dirichlet groups and named scenarios (ScenarioParser, scenario_parser.hpp).

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <optional>
#include <set>

#include "core/csv_table.hpp"
#include "hemsim/error.hpp"
#include "hemsim/scenario_io.hpp"
#include "scenario/expression_engine.hpp"
#include "scenario/market_yaml.hpp"
#include "scenario/scenario_parser.hpp"
#include "scenario/scenario_variants.hpp"

namespace hemsim::detail::scenario_yaml {

DistributionSpec ScenarioParser::distribution(const YAML::Node& node, const std::string& path) {
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

void ScenarioParser::parse_parameters(const YAML::Node& node, Scenario& s) {
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

void ScenarioParser::parse_tables(const YAML::Node& node, Scenario& s) {
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

void ScenarioParser::parse_population(const YAML::Node& node, Scenario& s) {
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

const Parameter& ScenarioParser::sampled_parameter(const Scenario& s, const YAML::Node& node, const std::string& path, const std::string& name) {
  const Parameter* p = s.find_parameter(name);
  if (!p) r_.fail(node, path, fmt::format("unknown parameter '{}'", name), "a parameter declared under parameters");
  if (p->is_formula) r_.fail(node, path, fmt::format("'{}' is derived (a formula) and is not sampled", name), "a plain parameter");
  return *p;
}

void ScenarioParser::parse_correlations(const YAML::Node& node, Scenario& s) {
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

void ScenarioParser::parse_dirichlet(const YAML::Node& node, Scenario& s) {
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

/// The `scenarios:` section: each variant's name, label and rationale, and its keys
/// checked (their contents are checked when the variant is applied and parsed).
void ScenarioParser::parse_variants(const YAML::Node& node, Scenario& s) {
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

}  // namespace hemsim::detail::scenario_yaml
