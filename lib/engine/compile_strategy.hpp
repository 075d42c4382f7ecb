#pragma once
// One strategy's part of a compiled model: its starting distribution, its rows (each in
// its canonical sampling order, tabulated where static), its rewards by state and by move
// (constant, static with prefix sums, or evaluated as the individual goes) and its
// one-time costs.

#include "engine/compiled_model.hpp"
#include "engine/quantity_compiler.hpp"
#include "engine/row_tables.hpp"

namespace hemsim::detail {

/// Fills m.strategies[k] (whose parameters and attributes are set) from the scenario,
/// compiling every expression with `compiler`; rows equal to earlier ones share their
/// grids through `grid_cache`. Throws ScenarioError naming the expression at fault.
void compile_strategy(CompiledModelData& m, int k, QuantityCompiler& compiler, RowGridCache& grid_cache);

}  // namespace hemsim::detail
