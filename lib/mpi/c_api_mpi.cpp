// The C API's MPI session (include/hemsim/hemsim_mpi.h): an MpiSession and the
// schedulers of mpi.hpp, handed to hemsim.h's calls as a hemsim_distribution.

#include "hemsim/hemsim_mpi.h"

#include <cstdio>
#include <memory>
#include <new>
#include <stdexcept>

#include "bindings/c_distribution.hpp"
#include "hemsim/error.hpp"
#include "hemsim/mpi.hpp"

struct hemsim_mpi {
  hemsim_mpi(int* argc, char*** argv) : session(argc, argv) {}
  hemsim::MpiSession session;
  hemsim_distribution distribution;
};

namespace {

// The status hemsim.h would return for the exception in flight.
int status_of_current_exception() {
  try {
    throw;
  } catch (const hemsim::ScenarioError&) {
    return HEMSIM_E_INPUT;
  } catch (const std::invalid_argument&) {
    return HEMSIM_E_INPUT;
  } catch (const hemsim::Cancelled&) {
    return HEMSIM_E_CANCELLED;
  } catch (...) {
    return HEMSIM_E_INTERNAL;
  }
}

// Runs a rank's share of a distributed call; an error there ends every rank (the others
// would wait for it forever), after this rank prints it.
template <class Share>
auto or_end_every_rank(const hemsim::MpiSession& session, Share&& share) {
  try {
    return share();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "hemsim: error on MPI rank %d: %s\n", session.rank(), e.what());
    session.abort(status_of_current_exception());
  } catch (...) {
    std::fprintf(stderr, "hemsim: error on MPI rank %d: unknown exception\n", session.rank());
    session.abort(HEMSIM_E_INTERNAL);
  }
}

hemsim_distribution distribution_of(const hemsim::MpiSession& session) {
  hemsim_distribution d;
  d.draws = hemsim::mpi_draw_scheduler(session);
  d.evaluations = hemsim::mpi_evaluation_scheduler(session);
  d.holds_results = session.is_root();
  if (d.draws.run)
    d.draws.run = [&session, run = d.draws.run](const hemsim::DrawWork& work) { or_end_every_rank(session, [&] { run(work); }); };
  if (d.evaluations.run)
    d.evaluations.run = [&session, run = d.evaluations.run](const hemsim::EvaluationWork& work) {
      return or_end_every_rank(session, [&] { return run(work); });
    };
  return d;
}

}  // namespace

extern "C" {

int hemsim_mpi_init(int* argc, char*** argv, hemsim_mpi** out) {
  if (!out) return HEMSIM_E_INPUT;
  *out = nullptr;
  try {
    auto mpi = std::make_unique<hemsim_mpi>(argc, argv);
    mpi->distribution = distribution_of(mpi->session);
    *out = mpi.release();
    return HEMSIM_OK;
  } catch (...) {
    return HEMSIM_E_INTERNAL;
  }
}

int hemsim_mpi_rank(const hemsim_mpi* mpi, int* rank, int* size) {
  if (!mpi) return HEMSIM_E_INPUT;
  if (rank) *rank = mpi->session.rank();
  if (size) *size = mpi->session.size();
  return HEMSIM_OK;
}

const hemsim_distribution* hemsim_mpi_distribution(const hemsim_mpi* mpi) { return mpi ? &mpi->distribution : nullptr; }

void hemsim_mpi_finalize(hemsim_mpi* mpi) { delete mpi; }

}  // extern "C"
