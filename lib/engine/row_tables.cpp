#include "engine/row_tables.hpp"

#include <algorithm>
#include <bit>
#include <numeric>
#include <tuple>

namespace hemsim::detail {

namespace {

template <typename T>
void append_bytes(std::string& key, const T& value) {
  key.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

void set_sampling_order(Row& row, int from, const CompiledModelData& m) {
  const Scenario& s = m.scenario;
  const auto S = static_cast<int>(s.states.size());
  const std::size_t n = row.outcomes.size();
  auto stream_of = [&](std::size_t j) -> std::uint32_t {
    const int to = row.outcomes[j];
    const State& destination = s.states[static_cast<std::size_t>(to)];
    if (to != from && (destination.dead || destination.absorbing)) return kStreamDeath;
    const std::uint32_t events = m.event_masks[static_cast<std::size_t>(from * S + to)];
    if (to != from && events) return kStreamFirstEvent + static_cast<std::uint32_t>(std::countr_zero(events));
    return kStreamMove;
  };
  // Sort key: group (deaths, events in order, moves last), then position in the group.
  auto key = [&](std::size_t j) {
    const std::uint32_t stream = stream_of(j);
    const std::uint32_t group = stream == kStreamDeath ? 0 : stream == kStreamMove ? 0xFFFFFFFFU : stream;
    const bool background = row.has_background && j == 0;
    const int place = background ? -1 : row.outcomes[j] == from ? -1 : row.outcomes[j];
    return std::tuple(group, place, j);
  };
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
  row.sampling_order.clear();
  row.sampling_index.clear();
  row.groups.clear();
  for (std::size_t position = 0; position < n; ++position) {
    const std::size_t j = order[position];
    row.sampling_order.push_back(row.outcomes[j]);
    row.sampling_index.push_back(static_cast<std::uint32_t>(j));
    const std::uint32_t stream = stream_of(j);
    if (row.groups.empty() || row.groups.back().stream != stream) row.groups.push_back({0, stream});
    row.groups.back().end = static_cast<std::uint32_t>(position + 1);
  }
}

std::string row_grid_key(const Row& row, const std::vector<std::uint32_t>& order, const std::vector<int>& dims) {
  std::string key;
  append_bytes(key, row.has_complement);
  append_bytes(key, row.has_background);
  for (int o : row.outcomes) append_bytes(key, o);
  key += '|';
  for (std::uint32_t o : order) append_bytes(key, o);
  key += '|';
  for (const OutcomeGroup& g : row.groups) append_bytes(key, g);
  key += '|';
  for (int d : dims) append_bytes(key, d);
  key += '|';
  for (const Quantity& q : row.probabilities) {
    append_bytes(key, q.kind);
    append_bytes(key, q.check);
    append_bytes(key, q.dim_count);
    append_bytes(key, q.constant);
    append_bytes(key, q.offset);
    append_bytes(key, q.dims);
    append_bytes(key, q.strides);
    append_bytes(key, q.slot);
    append_bytes(key, q.uses);
  }
  return key;
}

std::vector<double> group_hazards(const std::vector<double>& thresholds, std::size_t n, const std::vector<OutcomeGroup>& groups) {
  const std::size_t points = thresholds.size() / n, G = groups.size();
  std::vector<double> hazards(points * G);
  for (std::size_t point = 0; point < points; ++point)
    for (std::size_t g = 0; g < G; ++g) hazards[point * G + g] = hazard_of(thresholds[point * n + groups[g].end - 1]);
  return hazards;
}

RowGrid without_repeated_slices(const std::vector<double>& grid, std::size_t slices, std::size_t width) {
  RowGrid compact;
  compact.first_offsets.resize(slices);
  for (std::size_t a = 0; a < slices; ++a) {
    const double* slice = grid.data() + a * width;
    const bool repeat = a > 0 && std::equal(slice, slice + width, compact.thresholds.end() - static_cast<std::ptrdiff_t>(width));
    if (!repeat) compact.thresholds.insert(compact.thresholds.end(), slice, slice + width);
    compact.first_offsets[a] = compact.thresholds.size() / width - 1;
  }
  return compact;
}

}  // namespace hemsim::detail
