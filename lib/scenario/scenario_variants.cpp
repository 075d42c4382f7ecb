#include "scenario/scenario_variants.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>
#include <vector>

#include "hemsim/error.hpp"

namespace hemsim::detail {
namespace {

SourceLocation where(const YAML::Node& node, const std::string& file, const std::string& path) {
  SourceLocation at{file, 0, 0, path};
  if (node.IsDefined() && node.Mark().line >= 0) {
    at.line = node.Mark().line + 1;
    at.column = node.Mark().column + 1;
  }
  return at;
}

[[noreturn]] void fail(const YAML::Node& node, const std::string& file, const std::string& path, std::string problem,
                       std::string expected) {
  throw ScenarioError(where(node, file, path), std::move(problem), std::move(expected));
}

std::string names_of(const YAML::Node& map) {
  std::string out;
  if (!map.IsMap()) return out;
  for (auto it = map.begin(); it != map.end(); ++it) out += (out.empty() ? "" : ", ") + it->first.Scalar();
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The few names of `map` closest to `name` (a file has a hundred parameters: listing
/// them all buries the likely typo).
std::string closest_names(const YAML::Node& map, const std::string& name) {
  constexpr std::size_t kShown = 6;
  std::vector<std::pair<std::size_t, std::string>> ranked;
  if (map.IsMap())
    for (auto it = map.begin(); it != map.end(); ++it) ranked.emplace_back(edit_distance(name, it->first.Scalar()), it->first.Scalar());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < kShown; ++i) out += (out.empty() ? "" : ", ") + ranked[i].second;
  return ranked.size() > kShown ? out + ", ..." : out;
}

bool is_number(const std::string& text) {
  double x = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
  return ec == std::errc() && end == text.data() + text.size();
}

void require_map(const YAML::Node& node, const std::string& file, const std::string& path) {
  if (!node.IsMap()) fail(node, file, path, "not a mapping", "a mapping of names to values");
}

/// Replaces a parameter's value or formula. A scalar fixes the parameter (its PSA
/// distribution and DSA range go: the value is what the user chose); a mapping replaces
/// the whole definition (value or formula, distribution, range, source).
void override_parameter(YAML::Node& parameters, const std::string& name, const YAML::Node& value, const std::string& file,
                        const YAML::Node& name_node, const std::string& path) {
  if (!parameters.IsMap() || !parameters[name].IsDefined())
    fail(name_node, file, path, fmt::format("unknown parameter '{}'", name),
         "a parameter declared under parameters, e.g. " + closest_names(parameters, name));
  if (value.IsMap()) {
    parameters[name] = value;
    return;
  }
  if (!value.IsScalar()) fail(value, file, path, "not a value or formula", "a number, a formula, or a parameter mapping");
  YAML::Node existing = parameters[name];
  if (is_number(value.Scalar()) && existing.IsScalar()) {
    parameters[name] = value;
    return;
  }
  YAML::Node fixed(YAML::NodeType::Map);
  if (existing.IsMap())
    for (const char* keep : {"source", "description", "assumption"})
      if (existing[keep].IsDefined()) fixed[keep] = existing[keep];
  fixed[is_number(value.Scalar()) ? "value" : "formula"] = value;
  parameters[name] = fixed;
}

void apply_variant(YAML::Node& root, const std::string& name, const std::string& file) {
  const YAML::Node variants = root["scenarios"];
  if (!variants.IsDefined() || !variants.IsMap() || !variants[name].IsDefined())
    throw ScenarioError({file, 0, 0, "scenarios." + name}, fmt::format("no scenario named '{}'", name),
                        variants.IsMap() && variants.size() > 0 ? "one of: " + names_of(variants)
                                                                : "a scenario defined under scenarios: (the file has none)");
  const YAML::Node variant = variants[name];
  const std::string path = "scenarios." + name;
  if (variant.IsNull()) return;
  require_map(variant, file, path);
  for (auto it = variant.begin(); it != variant.end(); ++it) {
    const std::string key = it->first.Scalar();
    const std::string key_path = path + "." + key;
    const YAML::Node value = it->second;
    if (key == "parameters") {
      require_map(value, file, key_path);
      YAML::Node parameters = root["parameters"];
      for (auto p = value.begin(); p != value.end(); ++p)
        override_parameter(parameters, p->first.Scalar(), p->second, file, p->first, key_path + "." + p->first.Scalar());
    } else if (key == "settings") {
      require_map(value, file, key_path);
      YAML::Node settings = root["settings"];
      for (auto s = value.begin(); s != value.end(); ++s) settings[s->first.Scalar()] = s->second;
    } else if (key == "initial") {
      require_map(value, file, key_path);
      root["initial"] = value;
    } else if (key == "transitions") {
      require_map(value, file, key_path);
      YAML::Node transitions = root["transitions"];
      for (auto row = value.begin(); row != value.end(); ++row) {
        const std::string from = row->first.Scalar();
        require_map(row->second, file, key_path + "." + from);
        YAML::Node target = transitions[from];
        if (!target.IsDefined() || !target.IsMap()) {
          transitions[from] = row->second;
          continue;
        }
        for (auto cell = row->second.begin(); cell != row->second.end(); ++cell) target[cell->first.Scalar()] = cell->second;
      }
    } else if (key == "strategies") {
      root["settings"]["strategies"] = value;
    }
  }
}

}  // namespace

void apply_choices(YAML::Node& root, const ScenarioChoices& choices, const std::string& file) {
  if (!choices.variant.empty()) apply_variant(root, choices.variant, file);
  for (const auto& [name, value] : choices.set) {
    YAML::Node parameters = root["parameters"];
    override_parameter(parameters, name, YAML::Node(value), file, YAML::Node(YAML::NodeType::Undefined), "--set " + name);
  }
  if (!choices.strategies.empty()) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const auto& s : choices.strategies) list.push_back(s);
    root["settings"]["strategies"] = list;
  }
}

}  // namespace hemsim::detail
