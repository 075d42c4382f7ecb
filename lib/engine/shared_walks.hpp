#pragma once
// Strategies whose microsimulation walks are the same (see strategies_sharing_walks).

#include <vector>

#include "engine/compiled_model.hpp"

namespace hemsim::detail {

/// The strategies of a model, grouped by walk: strategies whose rows are static and equal
/// bit for bit (thresholds, sampling order and groups, absorbing shortcuts)
/// and who start alike (the same certain initial state, or the same initial
/// probabilities and attributes) make the same moves with the same random numbers, so the
/// microsimulation's fast path (stay by stay) walks each group once and every member settles its own
/// rewards from that walk. Each group lists its strategies in order; a strategy with a
/// non-static row is alone.
std::vector<std::vector<int>> strategies_sharing_walks(const CompiledModelData& m);

}  // namespace hemsim::detail
