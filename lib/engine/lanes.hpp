#pragma once
// Each strategy's per-individual walk state in the microsimulation (a lane), with plain
// pointers to its per-state data so that the cycle loop does no container bookkeeping;
// and the walks shared by strategies on the fast path. Made once per simulator.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/clock.hpp"
#include "engine/compiled_model.hpp"
#include "engine/shared_walks.hpp"

namespace hemsim::detail {

/// One state of one strategy, as the cycle loop reads it.
struct HotState {
  const double* thresholds = nullptr;  // static rows: T x n
  const int* outcomes = nullptr;       // destinations in sampling order
  const OutcomeGroup* groups = nullptr;
  std::size_t group_count = 0;
  std::size_t n = 0;
  bool is_static = false;
  bool shortcut = false;
  bool has_dynamic = false;
  bool quiet_stay = false;  // staying records nothing (no transition reward, no event)
  bool deaths_then_moves = false;  // groups: deaths (if any) then moves, no event group
  std::size_t deaths = 0;          // outcomes in the death group
  int clocks_before_moves = -1;    // stay_with_clocks: clock groups before moves that begin with staying (0-3), else -1
  bool draws_moves = false;        // the row's last group is moves with a choice (the stay's move clock)
  bool stay_first = false;         // Row::stay_first: the moves begin with staying
  // close_stay's inputs: StateModel::static_prefix, its width, the state's first column
  // in Lane::stay_totals, and whether the stay pays only through the prefix sums.
  const double* prefix = nullptr;
  std::size_t prefix_width = 0, stay_offset = 0;
  bool plain_stay = false;
  bool dead = false;  // CompiledModelData::dead_state
  std::uint64_t visited_bit = 0;  // the state's bit in Lane::visited (bit s % 64)
};

/// One strategy's walk of the current individual.
struct Lane {
  std::vector<HotState> hot;
  std::vector<std::uint8_t> pair_flags;  // per (from * S + to): 1 transition rewards, 2 events
  std::vector<std::size_t> stay_offset;  // per state: first column in stay_totals
  std::vector<double> stay_totals;       // per state: summed prefix differences of the stays
  std::vector<std::size_t> individual_offset;  // per state: first entry in individual_values
  std::vector<double> individual_values;       // this individual's constant rewards, per state and term
  double* out = nullptr;
  double* trace_changes = nullptr;
  int state = 0;
  int entered = 0;  // point at which the current stay began
  int age0 = 0;
  std::vector<StateModel::PrefixUse> stay_uses;  // every state's prefix_uses, columns counted from the start of stay_totals
  std::vector<std::size_t> first_use;            // per state, then the end: its first entry in stay_uses
  std::uint64_t visited = 0;                     // states with stay totals (bit s % 64)
  int totals_from = -1;   // the lane whose stay totals and trace are this one's (WalkPlan::totals_sources), or -1: its own
  int records_from = -1;  // the lane whose walk records are this one's (WalkPlan::record_sources), or -1: its own
  std::uint32_t ever = 0;             // events that have happened
  std::vector<Clock> clocks;          // deaths, then one per event
  std::vector<std::uint32_t> visits;  // per state: stays begun so far
  std::uint32_t visit = 0;            // the current stay's index among the state's stays
  Clock stay_clock;                   // the current stay's moves (see move_uniform)
  bool active = false;
  bool one_time_costs = false;  // some category has a one-time cost
  // A strategy whose walk records are its walk leader's (records_from; its stay totals are
  // then the leader's too) starts its outputs as a copy of the leader's finished ones and
  // settles only those that differ (plan_output_copies): `own_outputs` back to their value
  // before the stay totals (the one-time cost, or 0; the perspectives 0), then `own_uses`
  // (its stay_uses on them, in order), then the perspectives are summed again. The same
  // operations in the same order as settling every output, so the same bits.
  std::vector<std::pair<int, double>> own_outputs;
  std::vector<StateModel::PrefixUse> own_uses;
};

/// Strategies walked as one on the fast path (WalkPlan::walks).
struct Walk {
  std::vector<int> recorders;            // members that record their own walk (WalkPlan::record_sources), the leader (who walks) first
  std::vector<std::uint8_t> quiet_stay;  // per state: staying records nothing for any recorder
};

/// Every strategy's lane, with its sources of stay totals and records from `plan`.
std::vector<Lane> make_lanes(const CompiledModelData& m, const WalkPlan& plan);

/// The fast path's walks: `plan`'s, each with its members that record their own walk.
std::vector<Walk> make_walks(const WalkPlan& plan, const std::vector<Lane>& lanes, int states);

}  // namespace hemsim::detail
