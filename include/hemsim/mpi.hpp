#pragma once
/// \file mpi.hpp
/// PSA draws, DSA points and price evaluations divided among MPI ranks (built when CMake
/// finds MPI; target hemsim::mpi).
/// Rank 0 hands out draws one or two at a time as ranks ask for them (draws differ in
/// cost), computes draws itself between messages, gathers every finished draw, and alone
/// writes results and the checkpoint. A draw's values depend only on its index, so the
/// results are byte-identical to a single-process run for any number of ranks and
/// threads per rank.
///
///     hemsim::MpiSession mpi(&argc, &argv);            // inert unless started by mpirun
///     options.scheduler = hemsim::mpi_draw_scheduler(mpi);
///     auto psa = hemsim::run_psa(scenario, options);   // complete on rank 0 only
///
/// A DSA or price analysis (dsa.hpp) runs on every rank, in step: each round of model
/// evaluations is divided among the ranks in the same way (rank 0 hands out jobs as
/// ranks finish), and every rank gets the whole round back, so all go on alike. The
/// results are again byte-identical to a single-process run.
///
///     dsa_options.scheduler = hemsim::mpi_evaluation_scheduler(mpi);
///     auto one_way = hemsim::one_way_sensitivity(scenario, dsa_options);  // on every rank

#include <string>

#include "hemsim/evaluation_scheduler.hpp"
#include "hemsim/psa.hpp"

namespace hemsim {

/// MPI for the life of the object, when the process was started by an MPI launcher
/// (mpirun, srun); otherwise inert (rank 0 of 1).
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] bool active() const { return active_; }
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool is_root() const { return rank_ == 0; }
  /// Ranks on this machine (the launcher's local size), to share its cores among them.
  [[nodiscard]] int local_size() const { return local_size_; }
  /// Ends every rank at once with `code` (an error on one rank would otherwise leave the
  /// others waiting for it).
  [[noreturn]] void abort(int code) const;

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1, local_size_ = 1;
};

/// Divides a PSA's draws among the session's ranks. With one rank (or an inert session)
/// the draws run on this process's threads as usual.
[[nodiscard]] DrawScheduler mpi_draw_scheduler(const MpiSession& session);

/// Divides each round of a DSA's or price analysis's evaluations among the session's
/// ranks; every rank must run the same analysis. With one rank (or an inert session) the
/// evaluations run here, one after another.
[[nodiscard]] EvaluationScheduler mpi_evaluation_scheduler(const MpiSession& session);

}  // namespace hemsim
