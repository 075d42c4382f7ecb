// QuantityCompiler (engine/quantity_compiler.hpp): a strategy's expressions into
// constants, tables or run-time quantities.

#include "engine/quantity_compiler.hpp"

#include <algorithm>
#include <fmt/format.h>

#include "engine/row_tables.hpp"
#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

constexpr std::size_t kMaxTableEntries = std::size_t{1} << 23;  // beyond this an expression is evaluated at run time

}  // namespace

QuantityCompiler::QuantityCompiler(CompiledModelData& model, int strategy, ExpressionContext& context, TableCache& cache)
    : m_(model), k_(strategy), ctx_(context), cache_(cache) {
  const Scenario& s = m_.scenario;
  StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k_)];
  for (std::size_t i = 0; i < s.parameters.size(); ++i) {
    const int slot = ctx_.declare(s.parameters[i].name);
    ctx_.value(slot) = sm.parameters.values[i];
    roles_.push_back({slot, Role::constant, -1});
  }
  for (std::size_t a = 0; a < s.attributes.size(); ++a) {
    const int slot = ctx_.declare(s.attributes[a].name);
    const Distribution& d = sm.attributes[a];
    if (static_cast<int>(a) == m_.age_attribute) {
      roles_.push_back({slot, Role::age, kCoordAge});
    } else if (m_.discrete_attribute_coordinate[a] >= 0) {
      roles_.push_back({slot, Role::discrete, m_.discrete_attribute_coordinate[a]});
    } else if (m_.continuous_attribute[a]) {
      roles_.push_back({slot, Role::continuous, -1});
    } else {
      ctx_.value(slot) = d.a;  // fixed
      roles_.push_back({slot, Role::constant, -1});
    }
  }
  for (std::size_t c = 0; c < s.counters.size(); ++c)
    roles_.push_back({ctx_.declare(s.counters[c].name), Role::counter, kFirstCounterCoord + static_cast<int>(c)});
  roles_.push_back({ctx_.declare("t"), Role::t, kCoordT});
  roles_.push_back({ctx_.declare("time"), Role::time, kCoordT});
  roles_.push_back({ctx_.declare("state_time"), Role::state_time, kCoordStateTime});
  const int cy = ctx_.declare("cycle_years");
  ctx_.value(cy) = s.settings.cycle_length_years;
  roles_.push_back({cy, Role::constant, -1});
  std::sort(roles_.begin(), roles_.end(), [](const auto& a, const auto& b) { return a.slot < b.slot; });
  // Tabulating sets coordinates once per table entry: only the few variables of that
  // coordinate are visited (scanning every parameter's slot made a flagship compile take
  // seconds).
  coordinate_roles_.resize(static_cast<std::size_t>(m_.coordinate_count));
  for (const auto& r : roles_)
    if (r.coordinate >= 0) coordinate_roles_.at(static_cast<std::size_t>(r.coordinate)).push_back(r);
}

Quantity QuantityCompiler::compile(const Expression& e, const std::string& what, ValueCheck check, bool allow_runtime) {
  const int id = ctx_.compile(e, what);
  Quantity q;
  q.check = check;
  bool continuous = false;
  const std::vector<int> coordinates = coordinates_read(id, continuous);
  for (int c : coordinates) q.uses |= std::uint64_t{1} << c;
  const std::size_t entries = table_entries(coordinates);

  if (continuous || entries > kMaxTableEntries) {
    if (!allow_runtime)
      throw ScenarioError(e.where, fmt::format("{} \"{}\" cannot depend on continuous individual attributes here", what, shown_expression(e.text)),
                          "an expression of parameters and discrete attributes");
    StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k_)];
    const bool per_individual = coordinates.empty();
    q.kind = per_individual ? Quantity::Kind::per_individual : Quantity::Kind::dynamic;
    q.slot = static_cast<int>(sm.runtime_expressions.size());
    sm.runtime_expressions.push_back({e, what, check, per_individual});
    describe(what, per_individual ? "per individual, at entry" : "per individual and cycle (run time)");
    return q;
  }
  if (coordinates.empty()) {
    q.kind = Quantity::Kind::constant;
    q.constant = ctx_.evaluate(id);
    check_value(check, q.constant, e.where, what, "");
    return q;
  }
  q.kind = Quantity::Kind::table;
  q.dim_count = static_cast<std::uint8_t>(coordinates.size());
  if (coordinates.size() > static_cast<std::size_t>(kMaxTableDims))
    throw ScenarioError(e.where, fmt::format("{} depends on too many variables", what), "at most 8 of t, age, state_time, counters and discrete attributes");
  std::uint32_t stride = 1;
  for (std::size_t d = coordinates.size(); d-- > 0;) {
    q.dims[d] = static_cast<std::uint8_t>(coordinates[d]);
    q.strides[d] = stride;
    stride *= static_cast<std::uint32_t>(m_.coordinate_sizes[static_cast<std::size_t>(coordinates[d])]);
  }
  std::string over;
  for (int c : coordinates) over += (over.empty() ? "" : ", ") + coordinate_name(c);
  std::string key = fmt::format("{}\x1f{}\x1f{}", e.text, static_cast<int>(check), over);
  for (int slot : ctx_.used_slots(id)) {
    const SlotRole& r = roles_[static_cast<std::size_t>(slot)];
    if (r.role != Role::constant) continue;
    const double v = ctx_.value(slot);
    key.append(reinterpret_cast<const char*>(&v), sizeof v);
    key += '\x1f';
  }
  if (auto hit = cache_.find(key); hit != cache_.end()) {
    q.offset = hit->second;
    describe(what, fmt::format("table over [{}], {} entries (shared)", over, entries));
    return q;
  }
  q.offset = static_cast<std::uint32_t>(m_.table_values.size());
  if (m_.table_values.size() + entries > (std::size_t{1} << 31))
    throw ScenarioError(e.where, "the model's tables are too large", "fewer cycles, ages or counter values");
  m_.table_values.resize(m_.table_values.size() + entries);
  std::vector<int> coords(static_cast<std::size_t>(m_.coordinate_count), 0);
  std::vector<int> index(coordinates.size(), 0);
  const bool uses_t = std::find(coordinates.begin(), coordinates.end(), kCoordT) != coordinates.end();
  const bool uses_age = std::find(coordinates.begin(), coordinates.end(), kCoordAge) != coordinates.end();
  for (std::size_t n = 0; n < entries; ++n) {
    for (std::size_t d = 0; d < coordinates.size(); ++d) set_coordinate(coordinates[d], index[d], coords);
    const double v = ctx_.evaluate(id);
    if (!passes(check, v) && reachable(m_, coords.data(), uses_t, uses_age))
      check_value(check, v, e.where, what, describe_coordinates(m_, coords.data()));
    m_.table_values[q.offset + n] = v;
    for (std::size_t d = coordinates.size(); d-- > 0;) {  // odometer, last coordinate fastest
      if (++index[d] < m_.coordinate_sizes[static_cast<std::size_t>(coordinates[d])]) break;
      index[d] = 0;
    }
  }
  cache_.emplace(std::move(key), q.offset);
  describe(what, fmt::format("table over [{}], {} entries", over, entries));
  return q;
}

std::size_t QuantityCompiler::entries_if_tabulated(const Expression& e, const std::string& what) {
  bool continuous = false;
  const std::size_t entries = table_entries(coordinates_read(ctx_.compile(e, what), continuous));
  return continuous || entries > kMaxTableEntries ? 0 : entries;
}

// The coordinates (sorted) that compiled expression `id` reads; `continuous` is set when
// it reads a continuous attribute.
std::vector<int> QuantityCompiler::coordinates_read(int id, bool& continuous) const {
  std::vector<int> coordinates;
  for (int slot : ctx_.used_slots(id)) {
    const SlotRole& r = roles_[static_cast<std::size_t>(slot)];
    if (r.role == Role::continuous) continuous = true;
    if (r.coordinate >= 0 && std::find(coordinates.begin(), coordinates.end(), r.coordinate) == coordinates.end())
      coordinates.push_back(r.coordinate);
  }
  std::sort(coordinates.begin(), coordinates.end());
  return coordinates;
}

std::size_t QuantityCompiler::table_entries(const std::vector<int>& coordinates) const {
  std::size_t entries = 1;
  for (int c : coordinates) entries *= static_cast<std::size_t>(m_.coordinate_sizes[static_cast<std::size_t>(c)]);
  return entries;
}

std::string QuantityCompiler::coordinate_name(int c) const {
  const Scenario& s = m_.scenario;
  if (c == kCoordT) return "t";
  if (c == kCoordAge) return "age";
  if (c == kCoordStateTime) return "state_time";
  if (c < kFirstCounterCoord + static_cast<int>(s.counters.size()))
    return s.counters[static_cast<std::size_t>(c - kFirstCounterCoord)].name;
  for (std::size_t a = 0; a < s.attributes.size(); ++a)
    if (m_.discrete_attribute_coordinate[a] == c) return s.attributes[a].name;
  return "?";
}

void QuantityCompiler::set_coordinate(int c, int v, std::vector<int>& coords) {
  coords[static_cast<std::size_t>(c)] = v;
  for (const auto& r : coordinate_roles_[static_cast<std::size_t>(c)]) {
    double& x = ctx_.value(r.slot);
    switch (r.role) {
      case Role::t: x = v; break;
      case Role::time: x = v * m_.scenario.settings.cycle_length_years; break;
      case Role::age: x = (v + m_.age_grid_start) * m_.scenario.settings.cycle_length_years; break;
      default: x = v; break;
    }
  }
}

void QuantityCompiler::describe(const std::string& what, const std::string& how) {
  m_.level_descriptions.push_back(fmt::format("{}: {}: {}", m_.strategies[static_cast<std::size_t>(k_)].name, what, how));
}

}  // namespace hemsim::detail
