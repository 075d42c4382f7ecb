// The scenario's `market:` section (docs/scenario-format.md, "market"): read and checked
// at load, every mistake with its file, line and key.

#include "scenario/market_yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace hemsim::detail {

namespace {

class MarketReader {
 public:
  MarketReader(std::string file, const Scenario& s) : file_(std::move(file)), s_(s) {}

  SourceLocation at(const YAML::Node& node, const std::string& path) const {
    SourceLocation where{file_, 0, 0, path};
    if (node.IsDefined() && node.Mark().line >= 0) {
      where.line = node.Mark().line + 1;
      where.column = node.Mark().column + 1;
    }
    return where;
  }
  [[noreturn]] void fail(const YAML::Node& node, const std::string& path, const std::string& problem, const std::string& expected) const {
    throw ScenarioError(at(node, path), problem, expected);
  }

  // The entries of a mapping, each key allowed and given once.
  std::vector<std::pair<std::string, YAML::Node>> map(const YAML::Node& node, const std::string& path,
                                                      const std::vector<std::string>& allowed, bool any_key = false) const {
    if (!node.IsMap()) fail(node, path, "found something other than a mapping", "a mapping of keys to values");
    std::vector<std::pair<std::string, YAML::Node>> out;
    std::set<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string key_path = path + "." + key;
      if (!seen.insert(key).second) fail(it->first, key_path, fmt::format("duplicate key '{}'", key), "each key once");
      if (!any_key && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        fail(it->first, key_path, fmt::format("unknown key '{}'", key), "one of: " + list);
      }
      out.emplace_back(key, it->second);
    }
    return out;
  }

  double number(const YAML::Node& node, const std::string& path, double low, double high, const std::string& expected) const {
    if (node.IsScalar()) {
      const std::string& text = node.Scalar();
      char* end = nullptr;
      const double v = std::strtod(text.c_str(), &end);
      if (!text.empty() && end && *end == '\0' && std::isfinite(v) && v >= low && v <= high) return v;
    }
    fail(node, path, fmt::format("found {}", node.IsScalar() ? "\"" + node.Scalar() + "\"" : std::string("no number")), expected);
  }

  std::string text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) fail(node, path, "found something other than text", "a text value");
    return node.Scalar();
  }

  bool boolean(const YAML::Node& node, const std::string& path) const {
    const std::string t = text(node, path);
    if (t == "true" || t == "yes") return true;
    if (t == "false" || t == "no") return false;
    fail(node, path, fmt::format("found \"{}\"", t), "true or false");
  }

  std::string strategy(const YAML::Node& node, const std::string& path) const {
    const std::string name = text(node, path);
    if (s_.strategy_index(name) < 0) fail(node, path, fmt::format("unknown strategy '{}'", name), "a strategy of the scenario");
    return name;
  }

  void population(const YAML::Node& node, const std::string& path, MarketSpec& m) const {
    bool has_value = false, has_source = false;
    for (const auto& [key, v] : map(node, path, {"value", "label", "source", "assumption"})) {
      const std::string p = path + "." + key;
      if (key == "value") {
        m.population = number(v, p, 1e-300, 1e13, "a number of people > 0");
        has_value = true;
      } else if (key == "label") {
        m.population_label = text(v, p);
      } else if (key == "source") {
        m.population_source = text(v, p);
        has_source = true;
      } else {
        m.population_assumption = boolean(v, p);
      }
    }
    if (!has_value) fail(node, path, "missing 'value'", "value: the number of people in the starting population");
    if (!has_source) fail(node, path, "missing 'source'", "source: where the number comes from (or say it is an assumption)");
  }

  MarketStep step(const YAML::Node& node, const std::string& path) const {
    MarketStep st;
    st.where = at(node, path);
    bool has_proportion = false, has_source = false;
    for (const auto& [key, v] : map(node, path, {"name", "label", "proportion", "source", "assumption"})) {
      const std::string p = path + "." + key;
      if (key == "name") st.name = text(v, p);
      else if (key == "label") st.label = text(v, p);
      else if (key == "proportion") {
        st.proportion = number(v, p, 0.0, 1.0, "a proportion in [0, 1]");
        has_proportion = true;
      } else if (key == "source") {
        st.source = text(v, p);
        has_source = true;
      } else st.assumption = boolean(v, p);
    }
    if (st.name.empty()) fail(node, path, "missing 'name'", "name: a short name for the step");
    if (!has_proportion) fail(node, path, "missing 'proportion'", "proportion: the share of the previous step in [0, 1]");
    if (!has_source) fail(node, path, "missing 'source'", "source: where the proportion comes from (or say it is an assumption)");
    if (st.label.empty()) st.label = st.name;
    return st;
  }

  void licence(const YAML::Node& node, const std::string& path, MarketSpec& m) const {
    for (const auto& [key, v] : map(node, path, {"royalty_rate", "launch_year", "exclusivity_years", "discount_rate", "price",
                                                 "price_parameter", "doses_per_patient"})) {
      const std::string p = path + "." + key;
      if (key == "royalty_rate") m.royalty_rate = number(v, p, 0.0, 1.0, "a rate in [0, 1]");
      else if (key == "launch_year") m.launch_year = static_cast<int>(number(v, p, 1900, 3000, "a calendar year"));
      else if (key == "exclusivity_years") m.exclusivity_years = static_cast<int>(number(v, p, 0, 100, "whole years >= 0"));
      else if (key == "discount_rate") m.discount_rate = number(v, p, 0.0, 1.0, "an annual rate in [0, 1]");
      else if (key == "price") m.price = number(v, p, 0.0, 1e12, "a price >= 0");
      else if (key == "doses_per_patient") m.doses_per_patient = number(v, p, 0.0, 1e6, "a number of doses >= 0");
      else {
        m.price_parameter = text(v, p);
        if (!s_.find_parameter(m.price_parameter))
          fail(v, p, fmt::format("unknown parameter '{}'", m.price_parameter), "the name of a model parameter");
      }
    }
    if (m.price && !m.price_parameter.empty()) fail(node, path, "both 'price' and 'price_parameter'", "one of them");
  }

 private:
  std::string file_;
  const Scenario& s_;
};

}  // namespace

MarketSpec parse_market(const YAML::Node& node, const std::string& file, const Scenario& s) {
  const MarketReader r(file, s);
  MarketSpec m;
  m.where = r.at(node, "market");
  bool has_population = false, has_uptake = false, has_strategy = false, has_mix = false;
  YAML::Node mix_node;
  for (const auto& [key, v] : r.map(node, "market", {"population", "funnel", "basis", "growth", "strategy", "uptake", "current_mix",
                                                    "perspective", "licence"})) {
    const std::string path = "market." + key;
    if (key == "population") {
      r.population(v, path, m);
      has_population = true;
    } else if (key == "funnel") {
      if (!v.IsSequence()) r.fail(v, path, "found something other than a list", "a list of steps {name, proportion, source}");
      for (std::size_t i = 0; i < v.size(); ++i) m.funnel.push_back(r.step(v[i], fmt::format("{}[{}]", path, i)));
    } else if (key == "basis") {
      const std::string b = r.text(v, path);
      if (b == "incident") m.basis = MarketSpec::Basis::incident;
      else if (b == "prevalent") m.basis = MarketSpec::Basis::prevalent;
      else r.fail(v, path, fmt::format("unknown basis '{}'", b), "incident or prevalent");
    } else if (key == "growth") {
      m.growth = r.number(v, path, -1.0, 10.0, "an annual growth rate, e.g. 0.02");
    } else if (key == "strategy") {
      m.strategy = r.strategy(v, path);
      has_strategy = true;
    } else if (key == "uptake") {
      if (!v.IsSequence() || v.size() == 0) r.fail(v, path, "not a list", "a list of shares in [0, 1], one per year: [0.05, 0.1, ...]");
      for (std::size_t i = 0; i < v.size(); ++i) m.uptake.push_back(r.number(v[i], fmt::format("{}[{}]", path, i), 0.0, 1.0, "a share in [0, 1]"));
      has_uptake = true;
    } else if (key == "current_mix") {
      mix_node = v;
      double total = 0.0;
      for (const auto& [name, share] : r.map(v, path, {}, true)) {
        if (s.strategy_index(name) < 0) r.fail(share, path + "." + name, fmt::format("unknown strategy '{}'", name), "a strategy of the scenario");
        m.current_mix.emplace_back(name, r.number(share, path + "." + name, 0.0, 1.0, "a share in [0, 1]"));
        total += m.current_mix.back().second;
      }
      if (m.current_mix.empty() || std::abs(total - 1.0) > 1e-9)
        r.fail(v, path, fmt::format("the shares sum to {:.12g}", total), "shares of the comparator strategies summing to 1");
      has_mix = true;
    } else if (key == "perspective") {
      m.perspective = r.text(v, path);
      if (std::find(s.perspectives.begin(), s.perspectives.end(), m.perspective) == s.perspectives.end())
        r.fail(v, path, fmt::format("unknown perspective '{}'", m.perspective), "one of the scenario's perspectives");
    } else {
      r.licence(v, path, m);
    }
  }
  if (!has_population) r.fail(node, "market", "missing 'population'", "population: {value, label, source}");
  if (!has_strategy) r.fail(node, "market", "missing 'strategy'", "strategy: the new strategy");
  if (!has_uptake) r.fail(node, "market", "missing 'uptake'", "uptake: [share in year 1, year 2, ...]");
  if (!has_mix) r.fail(node, "market", "missing 'current_mix'", "current_mix: {comparator: share, ...}");
  for (const auto& [name, share] : m.current_mix)
    if (name == m.strategy) r.fail(mix_node, "market.current_mix." + name, "the new strategy is in the mix it displaces", "comparator strategies only");
  return m;
}

}  // namespace hemsim::detail
