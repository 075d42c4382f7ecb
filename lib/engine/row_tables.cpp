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
  const std::size_t last_start = row.groups.size() > 1 ? row.groups[row.groups.size() - 2].end : 0;
  row.stay_first = !row.groups.empty() && row.groups.back().stream == kStreamMove && row.sampling_order[last_start] == from;
}

std::string row_grid_key(const Row& row, const std::vector<std::uint32_t>& order, const std::vector<int>& dims) {
  std::string key;
  append_bytes(key, row.has_complement);
  append_bytes(key, row.has_background);
  append_bytes(key, row.stay_first);
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

bool reachable(const CompiledModelData& m, const int* coords, bool uses_t, bool uses_age) {
  if (!uses_age || m.age_attribute < 0) return true;
  const int last = m.coordinate_sizes[kCoordAge] - 1;
  const int age = coords[kCoordAge];
  if (!uses_t) return age <= std::min(m.oldest_start_age + m.cycles - 1, last);
  const int t = coords[kCoordT];
  return age >= std::min(t, last) && age <= std::min(m.oldest_start_age + t, last);
}

void tabulate_static_rows(const CompiledModelData& m, StrategyModel& sm) {
  const int S = static_cast<int>(m.scenario.states.size());
  const int T = m.cycles;
  std::vector<double> p;
  std::vector<int> coords(static_cast<std::size_t>(m.coordinate_count), 0);
  for (int i = 0; i < S; ++i) {
    Row& row = sm.rows[static_cast<std::size_t>(i)];
    if (!row.is_static) continue;
    const std::size_t n = row.outcomes.size();
    row.thresholds.assign(static_cast<std::size_t>(T) * n, 0.0);
    p.assign(n, 0.0);
    for (int t = 0; t < T; ++t) {
      coords[kCoordT] = t;
      row_probabilities(m, sm, row, coords.data(), nullptr, nullptr, p.data());
      fill_thresholds(row, p.data(), &row.thresholds[static_cast<std::size_t>(t) * n]);
    }
  }
}

void grid_tabulated_rows(const CompiledModelData& m, StrategyModel& sm, RowGridCache& grid_cache) {
  const int S = static_cast<int>(m.scenario.states.size());
  const int T = m.cycles;
  constexpr std::size_t kMaxRowChecks = std::size_t{1} << 20;  // combinations; tables up to ~8 MB per outcome
  for (int i = 0; i < S; ++i) {
    const Row& row = sm.rows[static_cast<std::size_t>(i)];
    if (row.is_static) continue;
    std::uint64_t uses = 0;
    bool tabulated = true;
    for (const auto& q : row.probabilities) {
      uses |= q.uses;
      tabulated = tabulated && (q.kind == Quantity::Kind::constant || q.kind == Quantity::Kind::table);
    }
    std::vector<int> dims, sizes;
    std::size_t combinations = 1;
    for (int c = 0; c < m.coordinate_count; ++c) {
      if (!((uses >> c) & 1U)) continue;
      dims.push_back(c);
      sizes.push_back(c == kCoordT ? T : m.coordinate_sizes[static_cast<std::size_t>(c)]);
      combinations *= static_cast<std::size_t>(sizes.back());
    }
    if (!tabulated || combinations > kMaxRowChecks) continue;
    // Checked now, and kept as a table of thresholds: sampling becomes one lookup.
    Row& gridded = sm.rows[static_cast<std::size_t>(i)];
    const std::size_t n_out = gridded.outcomes.size();
    gridded.grid_dims = dims;
    gridded.grid_strides.assign(dims.size(), 0);
    std::size_t stride = 1;
    for (std::size_t d = dims.size(); d-- > 0;) {
      gridded.grid_strides[d] = stride;
      stride *= static_cast<std::size_t>(sizes[d]);
    }
    gridded.is_gridded = true;
    std::string key = row_grid_key(gridded, gridded.sampling_index, dims);
    if (auto hit = grid_cache.find(key); hit != grid_cache.end()) {
      gridded.grid = hit->second;
      continue;
    }
    auto grid = std::make_shared<std::vector<double>>(combinations * n_out, 0.0);
    std::vector<int> check_coords(static_cast<std::size_t>(m.coordinate_count), 0);
    std::vector<double> probabilities(n_out);
    for (std::size_t n = 0; n < combinations; ++n) {
      double* th = &(*grid)[n * n_out];
      if (!reachable(m, check_coords.data(), (uses >> kCoordT) & 1U, (uses >> kCoordAge) & 1U)) {
        std::fill(th, th + n_out, 1.0);  // never read: no individual is at this cycle and age
      } else {
        row_probabilities(m, sm, gridded, check_coords.data(), nullptr, nullptr, probabilities.data());
        fill_thresholds(gridded, probabilities.data(), th);
      }
      for (std::size_t d = dims.size(); d-- > 0;) {
        const auto c2 = static_cast<std::size_t>(dims[d]);
        if (++check_coords[c2] < sizes[d]) break;
        check_coords[c2] = 0;
      }
    }
    RowGrid rows = without_repeated_slices(*grid, static_cast<std::size_t>(sizes[0]), gridded.grid_strides[0] * n_out);
    auto compact = std::make_shared<const RowGrid>(std::move(rows));
    gridded.grid = compact;
    grid_cache.emplace(std::move(key), std::move(compact));
  }
}

}  // namespace hemsim::detail
