#pragma once
// Rewards the microsimulation settles per stay rather than per cycle: life-years by
// survival, and rewards read from tables over age (lib/engine/stay_rewards.cpp; used by
// compile_model).

#include <cstdint>
#include <map>
#include <vector>

#include "engine/compiled_model.hpp"

namespace hemsim::detail {

/// Life-years by survival (see CompiledModelData::life_years_weight): taken when no
/// dead state counts life-years and every living state of every strategy counts them with
/// one constant weight. The per-stay life-year rewards are then dropped from the
/// microsimulation's prefix uses (the cohort keeps its own terms).
void use_life_years_by_survival(CompiledModelData& m);

/// Sorts a state's dynamic terms into those the microsimulation settles per stay (tables
/// over age and discrete attributes only) and those it values every cycle.
/// `runs_by_table` caches each table's runs of equal values along age, by table offset.
void split_age_settled_terms(const CompiledModelData& m, StateModel& state, std::map<std::uint32_t, std::vector<int>>& runs_by_table);

}  // namespace hemsim::detail
