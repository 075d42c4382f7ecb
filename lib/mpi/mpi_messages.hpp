#pragma once
// What the MPI schedulers (mpi_psa.cpp, mpi_dsa.cpp) share: waiting for a message.

#include <mpi.h>

#include <chrono>
#include <thread>

namespace hemsim::detail {

/// Waits for any message with `tag` (any tag when negative), polling with a short sleep
/// instead of MPI's busy wait, which would take a core from the ranks that compute.
inline MPI_Status wait_for_message(int tag) {
  MPI_Status status;
  int flag = 0;
  for (;;) {
    MPI_Iprobe(MPI_ANY_SOURCE, tag < 0 ? MPI_ANY_TAG : tag, MPI_COMM_WORLD, &flag, &status);
    if (flag) return status;
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

}  // namespace hemsim::detail
