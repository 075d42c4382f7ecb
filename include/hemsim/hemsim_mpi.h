/* hemsim_mpi.h: hemsim's C calls divided among MPI ranks (C99 and C++). In library
 * hemsim_mpi (CMake target hemsim::mpi), built when MPI is found; the core library and
 * hemsim.h have no MPI in them.
 *
 *     hemsim_mpi* mpi = NULL;
 *     hemsim_mpi_init(&argc, &argv, &mpi);      // inert unless started by mpirun or srun
 *     hemsim_options options;
 *     hemsim_options_init(&options);
 *     options.distribution = hemsim_mpi_distribution(mpi);
 *     hemsim_dsa_result* dsa = NULL;
 *     if (hemsim_dsa(scenario, &options, NULL, NULL, 0, &dsa) != HEMSIM_OK) ...;  // on every rank
 *     if (dsa) ...;                             // rank 0 only: NULL on the others
 *     hemsim_mpi_finalize(mpi);
 *
 * hemsim_psa, hemsim_dsa and hemsim_price then divide their draws or model evaluations
 * among the ranks (docs/scaling.md): every rank must make the same calls with the same
 * arguments; rank 0 gets a result byte-identical to a single-process call, the others
 * HEMSIM_OK and a NULL result. An error in a rank's share of the work (e.g. a PSA draw
 * whose parameters are invalid) is printed on stderr by that rank and ends every rank
 * (MPI_Abort) with the status as exit code, since the others would otherwise wait for
 * it. Documented in docs/embedding.md.
 */
#ifndef HEMSIM_MPI_H
#define HEMSIM_MPI_H

#include "hemsim/hemsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hemsim_mpi hemsim_mpi;

/* Starts MPI (MPI_Init_thread) when the process was started by an MPI launcher; otherwise
 * the session is inert (rank 0 of 1) and calls run in this process. Once per process,
 * before any other MPI call. `argc` and `argv` may be NULL. */
int hemsim_mpi_init(int* argc, char*** argv, hemsim_mpi** out);
/* This process's rank and the number of ranks (either may be NULL). */
int hemsim_mpi_rank(const hemsim_mpi* mpi, int* rank, int* size);
/* For hemsim_options.distribution; owned by the session. */
const hemsim_distribution* hemsim_mpi_distribution(const hemsim_mpi* mpi);
/* Ends MPI when the session started it (MPI_Finalize) and frees the session; NULL accepted. */
void hemsim_mpi_finalize(hemsim_mpi* mpi);

#ifdef __cplusplus
}
#endif

#endif /* HEMSIM_MPI_H */
