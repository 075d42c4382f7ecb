/* The C API from C (C99): a published model reproduced through it, its error paths,
 * cancellation, progress, precision targets, and the decision functions on plain arrays.
 *
 * Reference values come from the papers, not from hemsim's output:
 *   Krijkamp et al. 2018 (Med Decis Making 38:400), Appendix C, cohort Sick-Sicker model:
 *   No Treatment 75976 / 15.839 QALYs, Treatment 141623 / 16.400, ICER 116901
 *   (full-precision recomputation 75976.149140 in shared/research/validation_cases.md);
 *   dampack's HERC incremental-table example (shared/research/decision_cases.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hemsim/hemsim.h"

#include "check.h"

static const char* const kSickSicker = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml";

/* Krijkamp 2018 Appendix C, as published (rounded) and recomputed to full precision. */
static const double kPublishedCost[2] = {75976, 141623};
static const double kPublishedQalys[2] = {15.839, 16.400};
static const double kPublishedIcer = 116901;
static const double kExactCostNoTreatment = 75976.149140;

static void cohort_reproduces_appendix_c(const hemsim_scenario* scenario) {
  hemsim_options options;
  hemsim_result* result = NULL;
  double cost[2], qalys[2], mcse[2];
  size_t strategies = 0;
  const char* name = NULL;
  const char* json = NULL;
  hemsim_options_init(&options);
  options.method = HEMSIM_COHORT;
  CHECK_OK(hemsim_run(scenario, &options, &result));
  if (!result) return;
  CHECK_OK(hemsim_result_strategy_count(result, &strategies));
  CHECK(strategies == 2);
  CHECK_OK(hemsim_result_strategy_name(result, 1, &name));
  CHECK(name && strcmp(name, "treatment") == 0);
  CHECK_OK(hemsim_result_outcome(result, HEMSIM_COSTS, 0, 1, cost, mcse, 2));
  CHECK_OK(hemsim_result_outcome(result, HEMSIM_QALYS, 0, 1, qalys, NULL, 2));
  /* Within the published rounding. */
  CHECK(fabs(cost[0] - kPublishedCost[0]) <= 0.5);
  CHECK(fabs(cost[1] - kPublishedCost[1]) <= 0.5);
  CHECK(fabs(qalys[0] - kPublishedQalys[0]) <= 0.0005);
  CHECK(fabs(qalys[1] - kPublishedQalys[1]) <= 0.0005);
  CHECK(fabs((cost[1] - cost[0]) / (qalys[1] - qalys[0]) - kPublishedIcer) <= 0.5);
  CHECK(mcse[0] == 0.0);                                                                     /* a cohort has no Monte Carlo error */
  CHECK(hemsim_result_outcome(result, HEMSIM_COSTS, 0, 1, cost, mcse, 1) == HEMSIM_E_INPUT); /* buffer too small */
  CHECK_OK(hemsim_result_json(result, &json));
  CHECK(json && strstr(json, "\"strategies\"") && strstr(json, "no_treatment"));
  hemsim_result_free(result);
}

struct progress_log {
  int calls;
  int decreased;
  double last;
};

static void record_progress(double fraction, void* user) {
  struct progress_log* log = (struct progress_log*)user;
  if (fraction < log->last) log->decreased = 1;
  log->last = fraction;
  ++log->calls;
}

static void microsimulation_agrees_within_mcse(const hemsim_scenario* scenario) {
  hemsim_options options;
  hemsim_result* result = NULL;
  struct progress_log log = {0, 0, 0.0};
  double cost[2], mcse[2];
  hemsim_options_init(&options);
  options.individuals = 20000;
  options.seed = 2018;
  options.seed_set = 1;
  options.threads = 2;
  options.progress = record_progress;
  options.user = &log;
  CHECK_OK(hemsim_run(scenario, &options, &result));
  if (!result) return;
  CHECK_OK(hemsim_result_outcome(result, HEMSIM_COSTS, 0, 1, cost, mcse, 2));
  CHECK(mcse[0] > 0);
  CHECK(fabs(cost[0] - kExactCostNoTreatment) <= 4 * mcse[0]);
  CHECK(log.calls > 0 && !log.decreased && log.last == 1.0);
  hemsim_result_free(result);
}

static int cancel_at_once(void* user) {
  (void)user;
  return 1;
}

static void cancellation_stops_the_run(const hemsim_scenario* scenario) {
  hemsim_options options;
  hemsim_result* result = NULL;
  hemsim_options_init(&options);
  options.individuals = 20000;
  options.cancelled = cancel_at_once;
  CHECK(hemsim_run(scenario, &options, &result) == HEMSIM_E_CANCELLED);
  CHECK(result == NULL);
  CHECK(strstr(hemsim_last_error(), "cancelled") != NULL);
}

static void bad_input_is_reported_with_its_place(void) {
  hemsim_scenario* scenario = (hemsim_scenario*)&failures; /* must be reset to NULL */
  const char* bad_yaml = "schema_version: 1\nname: broken\nsettings:\n  cycle_length: 1 year\n    horizon: x: y\n";
  CHECK(hemsim_scenario_load_yaml(bad_yaml, "bad.yaml", &scenario) == HEMSIM_E_INPUT);
  CHECK(scenario == NULL);
  CHECK(strstr(hemsim_last_error(), "bad.yaml:5:") != NULL); /* the line with the stray colon */
  CHECK(strstr(hemsim_last_error(), "not valid YAML") != NULL);
  CHECK(hemsim_scenario_load_file("no/such/scenario.yaml", &scenario) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "no/such/scenario.yaml") != NULL);
  CHECK(hemsim_scenario_load_file(NULL, &scenario) == HEMSIM_E_INPUT);
}

static void overrides_are_checked_and_applied(hemsim_scenario* scenario) {
  hemsim_options options;
  hemsim_result* result = NULL;
  double cost[2];
  CHECK(hemsim_scenario_set_value(scenario, "no_such_parameter", 1) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "no_such_parameter") != NULL);
  /* With treatment free, its costs are those of no treatment: treatment changes only
     the treatment cost, never transitions (Krijkamp 2018, Table 2). */
  CHECK_OK(hemsim_scenario_set_value(scenario, "c_Trt", 0));
  hemsim_options_init(&options);
  options.method = HEMSIM_COHORT;
  CHECK_OK(hemsim_run(scenario, &options, &result));
  if (result) {
    CHECK_OK(hemsim_result_outcome(result, HEMSIM_COSTS, 0, 1, cost, NULL, 2));
    CHECK(fabs(cost[1] - cost[0]) < 1e-6 * cost[0]);
    CHECK(fabs(cost[0] - kPublishedCost[0]) <= 0.5);
    hemsim_result_free(result);
  }
  CHECK_OK(hemsim_scenario_clear_changes(scenario));
}

/* The value-based price of treatment at the published ICER is the published price:
   Krijkamp 2018 Appendix C has ICER 116901.380421 at c_Trt = 12000. */
static void price_at_the_published_icer(const hemsim_scenario* scenario) {
  const double thresholds[1] = {116901.380421};
  hemsim_options options;
  hemsim_dsa_result* price = NULL;
  hemsim_price_point point;
  size_t count = 0;
  const char* json = NULL;
  hemsim_options_init(&options);
  options.method = HEMSIM_COHORT;
  CHECK_OK(hemsim_price(scenario, &options, "c_Trt", "treatment", thresholds, 1, &price));
  if (!price) return;
  CHECK_OK(hemsim_price_count(price, &count));
  CHECK(count == 1);
  CHECK_OK(hemsim_price_point_at(price, 0, &point));
  CHECK(fabs(point.price - 12000) <= 12000 * 1e-6);
  CHECK(strcmp(point.next_best, "no_treatment") == 0);
  CHECK_OK(hemsim_dsa_json(price, &json));
  CHECK(json && strstr(json, "price_parameter") && strstr(json, "\"c_Trt\""));
  hemsim_dsa_free(price);
}

/* A sized DSA or price and the plain call with the individuals it reports give the same
   dsa.json, byte for byte; frees both. */
static void same_dsa_json_then_free(hemsim_dsa_result* sized, hemsim_dsa_result* plain) {
  const char *sized_json = NULL, *plain_json = NULL;
  CHECK_OK(hemsim_dsa_json(sized, &sized_json));
  CHECK_OK(hemsim_dsa_json(plain, &plain_json));
  CHECK(sized_json && plain_json && strcmp(sized_json, plain_json) == 0);
  hemsim_dsa_free(sized);
  hemsim_dsa_free(plain);
}

/* A sized result is the plain call's with the individuals it reports, byte for byte. */
static void precision_targets_size_a_run_and_a_price(const hemsim_scenario* scenario) {
  const double thresholds[1] = {100000};
  hemsim_options options;
  hemsim_result *sized = NULL, *plain = NULL;
  hemsim_dsa_result *price = NULL, *plain_price = NULL;
  const char *sized_json = NULL, *plain_json = NULL;
  int met = 0;
  double mcse = 0;
  uint64_t individuals = 0;
  hemsim_options_init(&options);
  options.individuals = 2000; /* the pilot: its Δ QALY MCSE is about 0.008 */
  options.seed = 7;
  options.seed_set = 1;
  CHECK_OK(hemsim_run_to_precision(scenario, &options, 0.004, HEMSIM_INCREMENT_EFFECTS, "treatment", 0, &sized));
  if (!sized) return;
  CHECK_OK(hemsim_result_precision(sized, &met, &mcse, &individuals));
  CHECK(met == 1 && mcse <= 0.004 && mcse > 0.002 && individuals > 2000);
  options.individuals = individuals;
  CHECK_OK(hemsim_run(scenario, &options, &plain));
  CHECK(hemsim_result_precision(plain, &met, NULL, NULL) == HEMSIM_E_INPUT); /* no target sized it */
  CHECK_OK(hemsim_result_json(sized, &sized_json));
  CHECK_OK(hemsim_result_json(plain, &plain_json));
  CHECK(sized_json && plain_json && strcmp(sized_json, plain_json) == 0);
  hemsim_result_free(sized);
  hemsim_result_free(plain);

  options.individuals = 2000; /* the price's MCSE there is about 220 */
  CHECK_OK(hemsim_price_to_precision(scenario, &options, "c_Trt", NULL, thresholds, 1, 150, 0, &price));
  if (!price) return;
  CHECK_OK(hemsim_dsa_precision(price, &met, &mcse, &individuals));
  CHECK(met == 1 && mcse <= 150 && individuals > 2000);
  options.individuals = individuals;
  CHECK_OK(hemsim_price(scenario, &options, "c_Trt", NULL, thresholds, 1, &plain_price));
  same_dsa_json_then_free(price, plain_price);

  CHECK(hemsim_run_to_precision(scenario, &options, 0.004, 7, NULL, 0, &sized) == HEMSIM_E_INPUT);
  CHECK(sized == NULL && strstr(hemsim_last_error(), "measure 7") != NULL);
  CHECK(hemsim_run_to_precision(scenario, &options, 0.004, HEMSIM_INCREMENT_EFFECTS, "no_such_arm", 0, &sized) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "no_such_arm") != NULL);
  CHECK(hemsim_run_to_precision(scenario, &options, -1, HEMSIM_INCREMENT_EFFECTS, NULL, 0, &sized) == HEMSIM_E_INPUT);
  /* The reference has no increment: a target on it alone is refused, not "met" by the pilot. */
  CHECK(hemsim_run_to_precision(scenario, &options, 0.004, HEMSIM_INCREMENT_EFFECTS, "no_treatment", 0, &sized) == HEMSIM_E_INPUT);
  CHECK(sized == NULL && strstr(hemsim_last_error(), "reference") != NULL);
}

/* A one-way DSA sized so that the base case's incremental net benefit has an MCSE of at
   most 800: the plain DSA with the individuals it reports gives the same dsa.json. */
static void dsa_sized_to_a_target(const hemsim_scenario* scenario) {
  hemsim_options options;
  hemsim_dsa_result *sized = NULL, *plain = NULL;
  int met = 0;
  double mcse = 0;
  uint64_t individuals = 0;
  hemsim_options_init(&options);
  options.individuals = 1000;
  options.seed = 3;
  options.seed_set = 1;
  CHECK_OK(hemsim_dsa_to_precision(scenario, &options, "treatment", NULL, 100000, 800, 0, &sized)); /* the pilot's MCSE: about 1,380 */
  if (!sized) return;
  CHECK_OK(hemsim_dsa_precision(sized, &met, &mcse, &individuals));
  CHECK(met == 1 && mcse <= 800 && mcse > 0 && individuals > 1000);
  options.individuals = individuals;
  CHECK_OK(hemsim_dsa(scenario, &options, "treatment", NULL, 100000, &plain));
  CHECK(hemsim_dsa_precision(plain, &met, NULL, NULL) == HEMSIM_E_INPUT); /* not sized */
  same_dsa_json_then_free(sized, plain);
}

/* A PSA sized for at most 30 % noise in A's increments: its sizing, and the plain PSA
   with the individuals it chose gives the same psa.json. */
static void psa_sized_to_a_noise_share(void) {
  const char* arms[1];
  hemsim_scenario* intro = NULL;
  hemsim_psa_result *sized = NULL, *plain = NULL;
  hemsim_options options;
  const char *sizing = NULL, *sized_json = NULL, *plain_json = NULL, *at = NULL;
  CHECK_OK(hemsim_scenario_load_file(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml", &intro));
  if (!intro) return;
  hemsim_options_init(&options);
  options.individuals = 200; /* the pilot's */
  arms[0] = "A";
  CHECK_OK(hemsim_psa_to_noise_share(intro, &options, 12, 0.3, arms, 1, 8, 0, 20000, NULL, 0, &sized));
  if (sized) {
    CHECK_OK(hemsim_psa_sizing_json(sized, &sizing));
    CHECK(sizing && strstr(sizing, "\"max_noise_share\": 0.3") && strstr(sizing, "\"pilot_draws\": 8") &&
          strstr(sizing, "\"confidence\": 0.8") && strstr(sizing, "\"strategy\": \"A\""));
    at = sizing ? strstr(sizing, "\"individuals\": ") : NULL;
    CHECK(at != NULL);
    if (at) options.individuals = strtoull(at + strlen("\"individuals\": "), NULL, 10);
    CHECK(options.individuals >= 200 && options.individuals <= 20000);
    CHECK_OK(hemsim_psa(intro, &options, 12, NULL, 0, &plain));
    CHECK_OK(hemsim_psa_json(sized, &sized_json));
    CHECK_OK(hemsim_psa_json(plain, &plain_json));
    CHECK(sized_json && plain_json && strcmp(sized_json, plain_json) == 0);
    CHECK_OK(hemsim_psa_sizing_json(plain, &sizing));
    CHECK(sizing && sizing[0] == '\0'); /* not sized */
    hemsim_psa_free(sized);
    hemsim_psa_free(plain);
  }
  CHECK(hemsim_psa_to_noise_share(intro, &options, 12, 1.5, NULL, 0, 0, 0, 0, NULL, 0, &sized) == HEMSIM_E_INPUT);
  CHECK(sized == NULL && strstr(hemsim_last_error(), "max_noise_share") != NULL);
  CHECK(hemsim_psa_to_noise_share(intro, &options, 12, 0.3, NULL, 0, 0, 0.3, 0, NULL, 0, &sized) == HEMSIM_E_INPUT); /* confidence */
  arms[0] = "soc"; /* the reference: sizing for it alone would size for nothing */
  CHECK(hemsim_psa_to_noise_share(intro, &options, 12, 0.3, arms, 1, 8, 0, 0, NULL, 0, &sized) == HEMSIM_E_INPUT);
  CHECK(sized == NULL && strstr(hemsim_last_error(), "reference") != NULL);
  arms[0] = "no_such_arm";
  CHECK(hemsim_psa_to_noise_share(intro, &options, 12, 0.3, arms, 1, 8, 0, 0, NULL, 0, &sized) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "no_such_arm") != NULL);
  hemsim_scenario_free(intro);
}

/* Alarid-Escudero et al. 2023 cohort model: a PSA (cohort, so quick) with EVPPI, and the
   one-way DSA over its 16 ranged parameters. */
static void psa_and_dsa_of_the_intro_model(void) {
  const char* groups[1] = {"u_S1,u_S2"};
  const double wtp[1] = {100000};
  hemsim_scenario* intro = NULL;
  hemsim_psa_result* psa = NULL;
  hemsim_dsa_result* dsa = NULL;
  hemsim_tornado_row row, next;
  hemsim_options options;
  const double *costs = NULL, *effects = NULL, *at = NULL, *evppi = NULL, *se = NULL;
  const char* name = NULL;
  size_t draws = 0, strategies = 0, count = 0, rows = 0, i;
  double evpi = 0;
  CHECK_OK(hemsim_scenario_load_file(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml", &intro));
  if (!intro) return;
  hemsim_options_init(&options);
  options.method = HEMSIM_COHORT;
  CHECK_OK(hemsim_psa(intro, &options, 50, groups, 1, &psa));
  if (psa) {
    CHECK_OK(hemsim_psa_size(psa, &draws, &strategies));
    CHECK(draws == 50 && strategies == 4);
    CHECK_OK(hemsim_psa_strategy_name(psa, 2, &name));
    CHECK(name && strcmp(name, "B") == 0);
    CHECK_OK(hemsim_psa_costs(psa, 0, &costs));
    CHECK_OK(hemsim_psa_effects(psa, &effects));
    /* Every draw's standard of care costs something and lives a while. */
    for (i = 0; i < draws; ++i) CHECK(costs[i * strategies] > 0 && effects[i * strategies] > 0);
    CHECK_OK(hemsim_psa_evppi(psa, 0, &count, &at, &evppi, &se));
    CHECK(count >= 1);
    /* Partial perfect information is worth no more than perfect information. */
    CHECK_OK(hemsim_evpi(costs, effects, draws, strategies, at, 1, &evpi));
    CHECK(evppi[0] <= evpi + 4 * se[0] + 1e-9);
    CHECK(hemsim_psa_evppi(psa, 1, &count, &at, &evppi, &se) == HEMSIM_E_INPUT);
    hemsim_psa_free(psa);
  }
  CHECK_OK(hemsim_dsa(intro, &options, "B", "soc", wtp[0], &dsa));
  if (dsa) {
    CHECK_OK(hemsim_dsa_tornado_count(dsa, &rows));
    CHECK(rows == 16);
    for (i = 0; i + 1 < rows; ++i) {
      CHECK_OK(hemsim_dsa_tornado_row(dsa, i, &row));
      CHECK_OK(hemsim_dsa_tornado_row(dsa, i + 1, &next));
      CHECK(row.swing >= next.swing); /* largest swing first */
    }
    hemsim_dsa_free(dsa);
  }
  CHECK(hemsim_dsa(intro, &options, "no such strategy", NULL, 0, &dsa) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "no such strategy") != NULL);
  hemsim_scenario_free(intro);
}

static void incremental_table_of_dampack_herc_example(void) {
  const char* names[6] = {"E", "D", "C", "B", "A", "UC"};
  const double costs[6] = {55000, 35000, 25000, 10000, 12000, 5000};
  const double effects[6] = {5, 4, 3, 2, 1.5, 1};
  const char* expected_order[6] = {"UC", "B", "D", "E", "C", "A"};
  const char* expected_status[6] = {"ND", "ND", "ND", "ND", "ED", "D"};
  const double expected_icer[4] = {NAN, 5000, 12500, 20000};
  hemsim_icer_table* table = NULL;
  hemsim_icer_row row;
  size_t rows = 0, i;
  CHECK_OK(hemsim_incremental_table(names, costs, effects, 6, &table));
  if (!table) return;
  CHECK_OK(hemsim_icer_table_count(table, &rows));
  CHECK(rows == 6);
  for (i = 0; i < rows && i < 6; ++i) {
    CHECK_OK(hemsim_icer_table_row(table, i, &row));
    CHECK(strcmp(row.strategy, expected_order[i]) == 0);
    CHECK(strcmp(row.status, expected_status[i]) == 0);
    if (i == 0 || i >= 4) {
      CHECK(isnan(row.icer) && row.compared_with == NULL);
    } else {
      CHECK(fabs(row.icer - expected_icer[i]) < 1e-9);
      CHECK(row.compared_with && strcmp(row.compared_with, expected_order[i - 1]) == 0);
    }
  }
  CHECK(hemsim_icer_table_row(table, 6, &row) == HEMSIM_E_INPUT);
  /* Why C and A are off the frontier: C's ICER against B (15000) exceeds D's against C
     (10000), so a mix of B and D dominates it; B is cheaper and more effective than A. */
  {
    size_t count = 9;
    const char* const* by = NULL;
    const char* json = NULL;
    CHECK_OK(hemsim_icer_table_dominated_by(table, 0, &count, &by));
    CHECK(count == 0);
    CHECK_OK(hemsim_icer_table_dominated_by(table, 4, &count, &by));
    CHECK(count == 2 && by && strcmp(by[0], "B") == 0 && strcmp(by[1], "D") == 0);
    CHECK_OK(hemsim_icer_table_dominated_by(table, 5, &count, &by));
    CHECK(count == 1 && by && strcmp(by[0], "B") == 0);
    CHECK(hemsim_icer_table_dominated_by(table, 6, &count, &by) == HEMSIM_E_INPUT);
    CHECK_OK(hemsim_icer_table_json(table, &json));
    CHECK(json && strstr(json, "\"dominated_by\":[\"B\",\"D\"]") != NULL);
  }
  hemsim_icer_table_free(table);
}

/* The numbers after each `"key":` in `json`, in order, into `out` (at most `capacity`). */
static size_t numbers_after(const char* json, const char* key, double* out, size_t capacity) {
  char pattern[64];
  size_t found = 0;
  const char* at = json;
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  while (at && (at = strstr(at, pattern)) != NULL && found < capacity) {
    at += strlen(pattern);
    out[found++] = strtod(at, NULL);
  }
  return found;
}

/* BCEA's kstar on dampack's HERC example: the optimal strategy changes at the frontier's
   ICERs, UC -> B at 5000, B -> D at 12500, D -> E at 20000 (decision_cases.md). From two
   draws per strategy whose means are the table's values, as from the values themselves. */
static void optimal_strategy_switches_of_dampack_herc_example(void) {
  const char* names[6] = {"E", "D", "C", "B", "A", "UC"};
  const double costs[18] = {55000, 35000, 25000, 10000, 12000, 5000, /* draw 0 */
                            56000, 34000, 26000, 9000,  13000, 4000, /* draws 1 and 2: means as draw 0 */
                            54000, 36000, 24000, 11000, 11000, 6000};
  const double effects[18] = {5, 4, 3, 2, 1.5, 1, 5.5, 3.5, 3.5, 1.5, 2, 0.5, 4.5, 4.5, 2.5, 2.5, 1, 1.5};
  const double expected[3] = {5000, 12500, 20000};
  double wtp[4];
  size_t i;
  int pass;
  for (pass = 0; pass < 2; ++pass) {
    /* pass 0: the deterministic values (one draw); pass 1: the last two draws. */
    hemsim_decision_result* kstar = NULL;
    const char* json = NULL;
    CHECK_OK(hemsim_optimal_strategy_switches(names, pass ? costs + 6 : costs, pass ? effects + 6 : effects, pass ? 2 : 1, 6, &kstar));
    if (!kstar) continue;
    CHECK_OK(hemsim_decision_json(kstar, &json));
    CHECK(json && numbers_after(json, "wtp", wtp, 4) == 3);
    for (i = 0; i < 3; ++i) CHECK(fabs(wtp[i] - expected[i]) < 1e-9 * expected[i]);
    CHECK(json && strstr(json, "\"from\":\"UC\",\"to\":\"B\"") && strstr(json, "\"from\":\"B\",\"to\":\"D\"") &&
          strstr(json, "\"from\":\"D\",\"to\":\"E\""));
    hemsim_decision_free(kstar);
  }
}

/* Hand-made: no costs; B gains 1, 1, -1 and 0 over A in four draws. At wtp 1, B beats A
   in 2 draws and ties in 1: P(B > A) = (2 + 0.5) / 4 = 0.625, P(A > B) = 0.375. Expected
   loss: A forgoes (1 + 1 + 0 + 0) / 4 = 0.5, B (0 + 0 + 1 + 0) / 4 = 0.25 = EVPI. */
static void labelled_decision_outputs_as_json(void) {
  const char* names[2] = {"A", "B"};
  const char* bad_names[2] = {"A", "A"};
  const double costs[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const double effects[8] = {0, 1, 0, 1, 0, -1, 0, 0};
  const double wtp[1] = {1};
  hemsim_decision_result* result = (hemsim_decision_result*)&failures; /* must be reset to NULL */
  const char* json = NULL;
  double values[4], evpi = 0;
  CHECK_OK(hemsim_pairwise_acceptability(names, costs, effects, 4, 2, wtp, 1, &result));
  if (result) {
    CHECK_OK(hemsim_decision_json(result, &json));
    CHECK(json && strstr(json, "{\"comparator\":\"B\",\"probability\":[0.375],\"strategy\":\"A\"}") &&
          strstr(json, "{\"comparator\":\"A\",\"probability\":[0.625],\"strategy\":\"B\"}"));
    hemsim_decision_free(result);
  }
  CHECK_OK(hemsim_expected_loss_curves(names, costs, effects, 4, 2, wtp, 1, &result));
  if (result) {
    CHECK_OK(hemsim_decision_json(result, &json));
    CHECK(json && strstr(json, "{\"expected_loss\":[0.5],\"strategy\":\"A\"}") &&
          strstr(json, "{\"expected_loss\":[0.25],\"strategy\":\"B\"}"));
    CHECK_OK(hemsim_evpi(costs, effects, 4, 2, wtp, 1, &evpi));
    CHECK(fabs(evpi - 0.25) < 1e-12);
    hemsim_decision_free(result);
  }
  /* Against A: B's incremental effect has mean 0.25 over the draws (1 + 1 - 1 + 0) / 4. */
  CHECK_OK(hemsim_compare_with_reference(names, costs, effects, 4, 2, "A", wtp, 1, 0.95, &result));
  if (result) {
    CHECK_OK(hemsim_decision_json(result, &json));
    CHECK(json && strstr(json, "\"reference\":\"A\"") && strstr(json, "\"strategy\":\"B\""));
    CHECK(json && numbers_after(json, "mean", values, 4) == 3 && values[1] == 0.25 && values[2] == 0.25);
    hemsim_decision_free(result);
  }
  CHECK_OK(hemsim_labelled_acceptability_curves(names, costs, effects, 4, 2, wtp, 1, &result));
  if (result) {
    CHECK_OK(hemsim_decision_json(result, &json));
    CHECK(json && strstr(json, "{\"probability\":[0.625],\"strategy\":\"B\"}"));
    hemsim_decision_free(result);
  }
  /* Errors: a reference that is not a name, repeated names, a NULL array. */
  CHECK(hemsim_compare_with_reference(names, costs, effects, 4, 2, "C", wtp, 1, 0.95, &result) == HEMSIM_E_INPUT);
  CHECK(result == NULL);
  CHECK(strstr(hemsim_last_error(), "'C'") != NULL);
  CHECK(hemsim_pairwise_acceptability(bad_names, costs, effects, 4, 2, wtp, 1, &result) == HEMSIM_E_INPUT);
  CHECK(hemsim_optimal_strategy_switches(names, costs, NULL, 4, 2, &result) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "effects") != NULL);
  hemsim_decision_free(NULL);
}

/* Two draws, two strategies, no costs: strategy 1 gains 1 in draw 0 and loses 1 in draw
   1. At wtp 1: NB = (0, 1), (0, -1); E[max NB] = 0.5, max E[NB] = 0, so EVPI = 0.5, and
   each strategy is best in one draw of two. */
static void value_of_information_on_arrays(void) {
  const double costs[4] = {0, 0, 0, 0};
  const double effects[4] = {0, 1, 0, -1};
  const double wtp[2] = {1, 3};
  double nmb[4], ceac[4], evpi[2];
  CHECK_OK(hemsim_net_monetary_benefit(costs, effects, 2, 2, 3, nmb));
  CHECK(nmb[0] == 0 && nmb[1] == 3 && nmb[2] == 0 && nmb[3] == -3);
  CHECK_OK(hemsim_acceptability_curves(costs, effects, 2, 2, wtp, 2, ceac));
  CHECK(ceac[0] == 0.5 && ceac[1] == 0.5 && ceac[2] == 0.5 && ceac[3] == 0.5);
  CHECK_OK(hemsim_evpi(costs, effects, 2, 2, wtp, 2, evpi));
  CHECK(fabs(evpi[0] - 0.5) < 1e-12 && fabs(evpi[1] - 1.5) < 1e-12);
  CHECK(hemsim_evpi(NULL, effects, 2, 2, wtp, 2, evpi) == HEMSIM_E_INPUT);
  CHECK(strstr(hemsim_last_error(), "costs") != NULL);
}

int main(void) {
  hemsim_scenario* scenario = NULL;
  CHECK(hemsim_version() && strlen(hemsim_version()) > 0);
  CHECK_OK(hemsim_scenario_load_file(kSickSicker, &scenario));
  if (scenario) {
    cohort_reproduces_appendix_c(scenario);
    microsimulation_agrees_within_mcse(scenario);
    cancellation_stops_the_run(scenario);
    overrides_are_checked_and_applied(scenario);
    price_at_the_published_icer(scenario);
    precision_targets_size_a_run_and_a_price(scenario);
    dsa_sized_to_a_target(scenario);
    hemsim_scenario_free(scenario);
  }
  bad_input_is_reported_with_its_place();
  psa_and_dsa_of_the_intro_model();
  psa_sized_to_a_noise_share();
  incremental_table_of_dampack_herc_example();
  value_of_information_on_arrays();
  optimal_strategy_switches_of_dampack_herc_example();
  labelled_decision_outputs_as_json();
  hemsim_scenario_free(NULL);
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("C API: all checks passed\n");
  return failures ? 1 : 0;
}
