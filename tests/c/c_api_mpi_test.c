/* hemsim_mpi.h from C (C99): the same PSA, one-way DSA and value-based price under
 * `mpirun -np K` and without MPI. Rank 0 writes each result's JSON into the directory
 * given as the argument; the other ranks must get HEMSIM_OK and no result.
 * tests/mpi_test.cpp runs it with 1, 2 and 3 ranks and compares the files byte for byte
 * with the single-process run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hemsim/hemsim_mpi.h"

#include "check.h"

static void write_file(const char* directory, const char* name, const char* text) {
  char path[4096];
  FILE* file = NULL;
  snprintf(path, sizeof path, "%s/%s", directory, name);
  file = fopen(path, "w");
  CHECK(file != NULL);
  if (!file) return;
  CHECK(fputs(text, file) >= 0);
  CHECK(fclose(file) == 0);
}

int main(int argc, char** argv) {
  hemsim_mpi* mpi = NULL;
  hemsim_scenario* tutorial = NULL;
  hemsim_scenario* priced = NULL;
  hemsim_psa_result* psa = NULL;
  hemsim_dsa_result* dsa = NULL;
  hemsim_dsa_result* price = NULL;
  hemsim_options options;
  const char* json = NULL;
  const double thresholds[2] = {50000, 100000};
  int rank = -1, size = 0;
  if (hemsim_mpi_init(&argc, &argv, &mpi) != HEMSIM_OK) return 3;
  CHECK_OK(hemsim_mpi_rank(mpi, &rank, &size));
  if (argc != 2) {
    fprintf(stderr, "usage: %s OUTPUT_DIRECTORY\n", argv[0]);
    hemsim_mpi_finalize(mpi);
    return 2;
  }
  CHECK_OK(hemsim_scenario_load_file(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml", &tutorial));
  CHECK_OK(hemsim_scenario_load_file(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml", &priced));
  hemsim_options_init(&options);
  CHECK(options.distribution == NULL);
  options.individuals = 300;
  options.seed = 11;
  options.seed_set = 1;
  options.threads = 1;
  options.distribution = hemsim_mpi_distribution(mpi);
  CHECK(options.distribution != NULL);

  CHECK_OK(hemsim_psa(tutorial, &options, 9, NULL, 0, &psa));
  CHECK_OK(hemsim_dsa(tutorial, &options, NULL, NULL, 0, &dsa));
  CHECK_OK(hemsim_price(priced, &options, "c_Trt", NULL, thresholds, 2, &price));
  if (rank == 0) {
    CHECK(psa != NULL && dsa != NULL && price != NULL);
    if (psa && hemsim_psa_json(psa, &json) == HEMSIM_OK) write_file(argv[1], "psa.json", json);
    if (dsa && hemsim_dsa_json(dsa, &json) == HEMSIM_OK) write_file(argv[1], "dsa.json", json);
    if (price && hemsim_dsa_json(price, &json) == HEMSIM_OK) write_file(argv[1], "price.json", json);
  } else {
    CHECK(psa == NULL && dsa == NULL && price == NULL);
  }
  hemsim_psa_free(psa);
  hemsim_dsa_free(dsa);
  hemsim_dsa_free(price);
  hemsim_scenario_free(tutorial);
  hemsim_scenario_free(priced);
  hemsim_mpi_finalize(mpi);
  return failures == 0 ? 0 : 1;
}
