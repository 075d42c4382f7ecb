#pragma once
// What hemsim.h's opaque hemsim_distribution holds: the schedulers a C call hands to the
// library. The core C API only passes them on; hemsim_mpi.h makes them (lib/mpi).

#include "hemsim/dsa.hpp"  // EvaluatedRun, complete for the scheduler's std::function
#include "hemsim/evaluation_scheduler.hpp"
#include "hemsim/psa.hpp"

struct hemsim_distribution {
  hemsim::DrawScheduler draws;
  hemsim::EvaluationScheduler evaluations;
  bool holds_results = true;  ///< false on MPI ranks other than 0: the call returns no result
};
