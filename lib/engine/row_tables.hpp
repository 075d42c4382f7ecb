#pragma once
// Building a row's sampling tables: the canonical sampling order and its competing
// groups, and the compact grids of gridded rows
// (lib/engine/row_tables.cpp; used by compile_model).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/compiled_model.hpp"

namespace hemsim::detail {

/// The canonical sampling order of a row (see Row): deaths (background first, then by
/// destination), the moves that record an event (by their first event, then
/// destination), then the other moves (staying first, then by destination). The order
/// depends only on where the moves lead, not on how the row was written, so rows of
/// different strategies or states that share an outcome draw it from the same stream.
void set_sampling_order(Row& row, int from, const CompiledModelData& m);

/// Gridded rows already built, keyed by everything that determines them (quantities,
/// outcomes, sampling order, grid): strategies that share a row share its grid.
using RowGridCache = std::map<std::string, std::shared_ptr<const RowGrid>>;

/// A gridded row's RowGridCache key: its quantities, outcomes, sampling order `order`
/// and grid dimensions `dims`.
std::string row_grid_key(const Row& row, const std::vector<std::uint32_t>& order, const std::vector<int>& dims);

/// `grid` as `slices` consecutive slices of `width` values, each run of equal slices
/// kept once.
RowGrid without_repeated_slices(const std::vector<double>& grid, std::size_t slices, std::size_t width);

/// Static rows (constant or time-only): thresholds for every cycle, checked now.
void tabulate_static_rows(const CompiledModelData& m, StrategyModel& sm);

/// Rows tabulated over other coordinates (age, state time, counters, discrete
/// attributes) are checked over every combination of the coordinates they read (within a
/// bound), so `hemsim validate` finds a row that fails at age 97 in cycle 400, and kept
/// as a compact grid of thresholds, shared through `grid_cache` by the strategies whose
/// rows are the same. Rows with run-time quantities are checked as they are evaluated.
void grid_tabulated_rows(const CompiledModelData& m, StrategyModel& sm, RowGridCache& grid_cache);

/// Whether some individual can be at the grid point `coords`: at cycle t the age
/// coordinate is min(age0 + t, last) for a starting age coordinate age0 in
/// [0, oldest_start_age], so other (t, age) pairs, and ages beyond the horizon for rows
/// that read age alone, are never looked up. Checking them would reject a valid model
/// and name a point nobody reaches.
bool reachable(const CompiledModelData& m, const int* coords, bool uses_t, bool uses_age);

}  // namespace hemsim::detail
