/* CHECK and CHECK_OK for the C tests: count failures instead of stopping at the first. */
#ifndef HEMSIM_TESTS_C_CHECK_H
#define HEMSIM_TESTS_C_CHECK_H

#include <stdio.h>

#include "hemsim/hemsim.h"

static int failures = 0;

#define CHECK(condition)                                                            \
  do {                                                                              \
    if (!(condition)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                                   \
    }                                                                               \
  } while (0)

#define CHECK_OK(call)                                                                                         \
  do {                                                                                                         \
    int status_ = (call);                                                                                      \
    if (status_ != HEMSIM_OK) {                                                                                \
      fprintf(stderr, "%s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call, status_, hemsim_last_error()); \
      ++failures;                                                                                              \
    }                                                                                                          \
  } while (0)

#endif
