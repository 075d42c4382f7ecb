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

/// Whether the microsimulation takes its fast path (stay by stay, walks shared): every
/// row static, and nothing tracked but the state (no counters, no per-cycle coordinates).
bool takes_fast_path(const CompiledModelData& m);

/// How a microsimulation run shares its walks, worked out once per run.
struct WalkPlan {
  /// On the fast path, strategies_sharing_walks; else none.
  std::vector<std::vector<int>> walks;
  /// Per strategy: the strategy whose stay totals and trace are also its own (itself when
  /// there is none). That is the first member of its walk when every state of both pays
  /// only through prefix columns equal bit for bit (the same weight series; the rewards
  /// may differ, as the factors applied to the totals): the same stays over the same
  /// columns give the same sums, so they are made once.
  std::vector<int> totals_sources;
  /// Per strategy: the strategy whose walk records are also its own (itself when there
  /// is none): the first member of its walk when the strategy takes its stay totals from
  /// that member and has no transition rewards. Such a strategy records nothing as it
  /// walks: its events (defined for the model, not the strategy), its trace and where it
  /// ends are the first member's, so it copies them once the walk is done.
  std::vector<int> record_sources;

  explicit WalkPlan(const CompiledModelData& m);
};

}  // namespace hemsim::detail
