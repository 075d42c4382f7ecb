/* hemsim.h: the C API of hemsim (C99 and C++).
 *
 *     hemsim_scenario* scenario = NULL;
 *     hemsim_result* result = NULL;
 *     hemsim_options options;
 *     hemsim_options_init(&options);
 *     options.individuals = 10000;
 *     if (hemsim_scenario_load_file("scenarios/bmsc_cipn.yaml", &scenario) != HEMSIM_OK ||
 *         hemsim_scenario_set_value(scenario, "bmsc_price", 20000) != HEMSIM_OK ||
 *         hemsim_run(scenario, &options, &result) != HEMSIM_OK)
 *       fprintf(stderr, "%s\n", hemsim_last_error());
 *     ...
 *     hemsim_result_free(result);
 *     hemsim_scenario_free(scenario);
 *
 * Every function that can fail returns a status (HEMSIM_OK or an HEMSIM_E_* code) and
 * sets the calling thread's last error message (hemsim_last_error). No C++ exception
 * crosses this boundary. Handles are opaque; free each with its own *_free function
 * (NULL is accepted). Strings and arrays returned through `const` out-parameters belong
 * to the handle they came from and stay valid until it is freed. Matrices are row-major:
 * element (draw d, strategy k) of a draws x strategies matrix is m[d * strategies + k].
 * Calls on different handles may run concurrently; the library keeps no global state.
 * Documented in docs/embedding.md.
 */
#ifndef HEMSIM_H
#define HEMSIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes and errors ------------------------------------------------------ */

enum {
  HEMSIM_OK = 0,
  HEMSIM_E_INPUT = 2,    /* the caller's input: a scenario mistake, a bad argument (the CLI's exit code 2) */
  HEMSIM_E_INTERNAL = 3, /* a bug in hemsim, or out of memory (the CLI's exit code 3) */
  HEMSIM_E_CANCELLED = 4 /* the cancellation callback asked the call to stop */
};

/* The message of the last call on this thread that failed ("" after a success), e.g.
 * "scenario.yaml:12:5: parameters.p_HD: ... (expected ...)". Valid until the next call. */
const char* hemsim_last_error(void);

/* "0.1.0". */
const char* hemsim_version(void);

/* ---- Scenarios ----------------------------------------------------------------------- */

typedef struct hemsim_scenario hemsim_scenario;

/* Loads and checks a YAML scenario; tables are read beside it. */
int hemsim_scenario_load_file(const char* path, hemsim_scenario** out);
/* Same from text; `file_name` names it in messages and locates its tables. */
int hemsim_scenario_load_yaml(const char* yaml_text, const char* file_name, hemsim_scenario** out);
void hemsim_scenario_free(hemsim_scenario* scenario);

/* Sets a plain parameter's value for every later call on this scenario (in a PSA it
 * stays fixed in every draw; a DSA varies the others around it). */
int hemsim_scenario_set_value(hemsim_scenario* scenario, const char* parameter, double value);
/* Replaces a parameter's definition by a formula of the others (muparser syntax). */
int hemsim_scenario_set_formula(hemsim_scenario* scenario, const char* parameter, const char* formula);
/* Forgets every value and formula set. */
int hemsim_scenario_clear_changes(hemsim_scenario* scenario);

int hemsim_scenario_strategy_count(const hemsim_scenario* scenario, size_t* out);
int hemsim_scenario_strategy_name(const hemsim_scenario* scenario, size_t strategy, const char** out);

/* ---- Options of run, PSA, DSA and price -------------------------------------------- */

enum { HEMSIM_MICROSIMULATION = 0, HEMSIM_COHORT = 1 };

/* Called now and then with the fraction of the call done (0..1, increasing), from any
 * thread, never twice at once. */
typedef void (*hemsim_progress_fn)(double fraction, void* user);
/* Polled from any thread; return nonzero to stop the call with HEMSIM_E_CANCELLED. */
typedef int (*hemsim_cancel_fn)(void* user);

/* Who computes the PSA draws and DSA/price evaluations of a call: opaque; NULL is this
 * process. hemsim_mpi.h (library hemsim_mpi, built with MPI) gives one that divides them
 * among MPI ranks: every rank makes the same call, and rank 0 gets the result, which is
 * byte-identical to a single-process call; on the other ranks the call returns HEMSIM_OK
 * with `*out` NULL. The core library itself has no MPI in it. */
typedef struct hemsim_distribution hemsim_distribution;

typedef struct hemsim_options {
  int method;           /* HEMSIM_MICROSIMULATION (default) or HEMSIM_COHORT */
  uint64_t individuals; /* 0: the scenario's */
  uint64_t seed;        /* used when seed_set is nonzero; else the scenario's */
  int seed_set;
  int threads;                 /* worker threads for this call; 0: all cores (results do not depend on it) */
  hemsim_progress_fn progress; /* may be NULL */
  hemsim_cancel_fn cancelled;  /* may be NULL */
  void* user;                  /* passed to both callbacks */
  const hemsim_distribution* distribution; /* NULL (default): this process */
} hemsim_options;

/* Fills `options` with the defaults. */
void hemsim_options_init(hemsim_options* options);

/* ---- Run --------------------------------------------------------------------------- */

typedef struct hemsim_result hemsim_result;

/* `hemsim run`. `options` may be NULL (defaults). */
int hemsim_run(const hemsim_scenario* scenario, const hemsim_options* options, hemsim_result** out);
void hemsim_result_free(hemsim_result* result);

/* The results as JSON (docs/results-format.md), owned by the result. */
int hemsim_result_json(const hemsim_result* result, const char** out);
int hemsim_result_strategy_count(const hemsim_result* result, size_t* out);
int hemsim_result_strategy_name(const hemsim_result* result, size_t strategy, const char** out);
int hemsim_result_perspective_count(const hemsim_result* result, size_t* out);

enum { HEMSIM_COSTS = 0, HEMSIM_QALYS = 1, HEMSIM_LIFE_YEARS = 2 };

/* Per-strategy means and Monte Carlo standard errors (0 for a cohort run) of an outcome
 * (HEMSIM_COSTS in `perspective`; the perspective is ignored for the others), discounted
 * when `discounted` is nonzero, into `mean` and `mcse` (either may be NULL), each of
 * `capacity` >= the strategy count. */
int hemsim_result_outcome(const hemsim_result* result, int outcome, size_t perspective, int discounted, double* mean, double* mcse,
                          size_t capacity);

/* ---- PSA --------------------------------------------------------------------------- */

typedef struct hemsim_psa_result hemsim_psa_result;

/* `hemsim psa`: `draws` parameter draws; EVPPI for each of `evppi_groups` (parameter
 * names separated by commas, e.g. "p_HS1,c_S1"; `group_count` may be 0). */
int hemsim_psa(const hemsim_scenario* scenario, const hemsim_options* options, uint64_t draws, const char* const* evppi_groups,
               size_t group_count, hemsim_psa_result** out);
void hemsim_psa_free(hemsim_psa_result* psa);

int hemsim_psa_json(const hemsim_psa_result* psa, const char** out);
int hemsim_psa_size(const hemsim_psa_result* psa, size_t* draws, size_t* strategies);
int hemsim_psa_strategy_name(const hemsim_psa_result* psa, size_t strategy, const char** out);
/* Discounted costs (in `perspective`) and effects (the ICER measure): draws x strategies. */
int hemsim_psa_costs(const hemsim_psa_result* psa, size_t perspective, const double** out);
int hemsim_psa_effects(const hemsim_psa_result* psa, const double** out);
/* EVPPI of group `group` at `*count` thresholds: the thresholds, the EVPPI per person and
 * its standard error. */
int hemsim_psa_evppi(const hemsim_psa_result* psa, size_t group, size_t* count, const double** wtp, const double** evppi,
                     const double** standard_error);

/* ---- DSA and value-based price ------------------------------------------------------ */

typedef struct hemsim_dsa_result hemsim_dsa_result;

/* `hemsim dsa` (one-way): `strategy` against `comparator` (NULL: the last strategy
 * against the reference) with net benefit at `wtp` (0: the scenario's first). */
int hemsim_dsa(const hemsim_scenario* scenario, const hemsim_options* options, const char* strategy, const char* comparator, double wtp,
               hemsim_dsa_result** out);
/* `hemsim price`: the value-based price of `strategy` (NULL: the last), whose price is
 * `parameter`, at each of `thresholds` (`count` 0: the scenario's thresholds). */
int hemsim_price(const hemsim_scenario* scenario, const hemsim_options* options, const char* parameter, const char* strategy,
                 const double* thresholds, size_t count, hemsim_dsa_result** out);
void hemsim_dsa_free(hemsim_dsa_result* dsa);

/* As dsa.json (docs/results-format.md). */
int hemsim_dsa_json(const hemsim_dsa_result* dsa, const char** out);

typedef struct hemsim_tornado_row {
  const char* parameter;
  double low_value, high_value;
  double low_net_benefit, high_net_benefit; /* incremental net benefit at each end */
  double swing, swing_mcse;
} hemsim_tornado_row;
/* One-way rows, largest swing first. */
int hemsim_dsa_tornado_count(const hemsim_dsa_result* dsa, size_t* out);
int hemsim_dsa_tornado_row(const hemsim_dsa_result* dsa, size_t row, hemsim_tornado_row* out);

typedef struct hemsim_price_point {
  double willingness_to_pay;
  double price, price_mcse;
  const char* next_best; /* the strategy it ties with at that price */
} hemsim_price_point;
int hemsim_price_count(const hemsim_dsa_result* dsa, size_t* out);
int hemsim_price_point_at(const hemsim_dsa_result* dsa, size_t point, hemsim_price_point* out);

/* ---- Precision targets (docs/methods.md, "Precision targets") -------------------------- */

/* Which increment (strategy minus the reference, discounted) a target bounds. */
enum { HEMSIM_INCREMENT_EFFECTS = 0, HEMSIM_INCREMENT_COSTS = 1, HEMSIM_INCREMENT_NET_BENEFIT = 2 };

/* `hemsim run --target-mcse`: a pilot with options->individuals (or the scenario's), then
 * as many individuals as the MCSE of the increment `measure` of `strategy` (NULL: every
 * non-reference strategy) against the reference needs to be at most `target_mcse`, at
 * most `max_individuals` (0: 10,000,000). The result is that of hemsim_run with the
 * individuals hemsim_result_precision reports. Costs and net benefit are of the first
 * perspective, net benefit at the scenario's first threshold (or 100,000). */
int hemsim_run_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, double target_mcse, int measure,
                            const char* strategy, uint64_t max_individuals, hemsim_result** out);
/* `hemsim dsa --target-mcse` and `hemsim price --target-mcse`: sized once on the base case
 * (the MCSE of the incremental net benefit, or of every price), then every point runs with
 * that many individuals. */
int hemsim_dsa_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, const char* strategy, const char* comparator,
                            double wtp, double target_mcse, uint64_t max_individuals, hemsim_dsa_result** out);
int hemsim_price_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, const char* parameter, const char* strategy,
                              const double* thresholds, size_t count, double target_mcse, uint64_t max_individuals,
                              hemsim_dsa_result** out);
/* How a sized run, DSA or price was sized: whether the target was met (0: capped by
 * max_individuals), the MCSE reached and the individuals used (any may be NULL).
 * HEMSIM_E_INPUT for a result that no target sized. */
int hemsim_result_precision(const hemsim_result* result, int* met, double* achieved_mcse, uint64_t* individuals);
int hemsim_dsa_precision(const hemsim_dsa_result* dsa, int* met, double* achieved_mcse, uint64_t* individuals);

/* `hemsim psa --max-noise-share`: the individuals per draw sized from pilot PSAs of
 * `pilot_draws` draws (0: 50) so that Monte Carlo noise is at most `max_noise_share` of
 * the spread across draws of each increment of `noise_strategies` (`noise_count` 0:
 * every non-reference strategy), each parameter variance at its lower `confidence` bound
 * (0: 0.8), at most `max_individuals` per draw (0: 10,000,000); then as hemsim_psa. */
int hemsim_psa_to_noise_share(const hemsim_scenario* scenario, const hemsim_options* options, uint64_t draws, double max_noise_share,
                              const char* const* noise_strategies, size_t noise_count, uint64_t pilot_draws, double confidence,
                              uint64_t max_individuals, const char* const* evppi_groups, size_t group_count, hemsim_psa_result** out);
/* The sizing as inner_sample.json (docs/results-format.md), owned by the result; "" for
 * a PSA that was not sized. */
int hemsim_psa_sizing_json(const hemsim_psa_result* psa, const char** out);

/* ---- Decision analysis on the caller's arrays ---------------------------------------- */

typedef struct hemsim_icer_table hemsim_icer_table;

/* The incremental table with strong and extended dominance (rows: the frontier by cost,
 * then extendedly dominated, then dominated strategies). */
int hemsim_incremental_table(const char* const* strategies, const double* costs, const double* effects, size_t count,
                             hemsim_icer_table** out);
void hemsim_icer_table_free(hemsim_icer_table* table);

typedef struct hemsim_icer_row {
  const char* strategy;
  const char* status;        /* "ND", "D" or "ED" */
  const char* compared_with; /* NULL for the first frontier strategy and dominated ones */
  double cost, effect;
  double incremental_cost, incremental_effect, icer; /* NaN where compared_with is NULL */
} hemsim_icer_row;
int hemsim_icer_table_count(const hemsim_icer_table* table, size_t* out);
int hemsim_icer_table_row(const hemsim_icer_table* table, size_t row, hemsim_icer_row* out);
/* Why row `row` is off the frontier: `*count` names (0 on the frontier; 1 for "D", the
 * strategy that strongly dominates it; 2 for "ED", the frontier neighbours whose mix
 * dominates it), owned by the table. */
int hemsim_icer_table_dominated_by(const hemsim_icer_table* table, size_t row, size_t* count, const char* const** names);
/* The table as JSON (docs/results-format.md#decision-results-as-json), owned by the table. */
int hemsim_icer_table_json(const hemsim_icer_table* table, const char** out);

/* Net monetary benefit effects x wtp - costs of a draws x strategies table, into `out`
 * (draws x strategies). */
int hemsim_net_monetary_benefit(const double* costs, const double* effects, size_t draws, size_t strategies, double wtp, double* out);
/* Acceptability curves: `out` is wtp_count x strategies, the share of draws in which each
 * strategy has the highest net benefit. */
int hemsim_acceptability_curves(const double* costs, const double* effects, size_t draws, size_t strategies, const double* wtp,
                                size_t wtp_count, double* out);
/* EVPI per person at each threshold, into `out` (wtp_count). */
int hemsim_evpi(const double* costs, const double* effects, size_t draws, size_t strategies, const double* wtp, size_t wtp_count,
                double* out);
/* EVPPI per person (Strong, Oakley & Brennan regression) for the parameters of interest
 * (`parameters`: draws x parameter_count), into `evppi` and `standard_error` (wtp_count
 * each; `standard_error` may be NULL). */
int hemsim_evppi(const double* costs, const double* effects, size_t draws, size_t strategies, const double* parameters,
                 size_t parameter_count, const double* wtp, size_t wtp_count, size_t reference, double* evppi, double* standard_error);

/* ---- Decision outputs labelled by strategy, as JSON ------------------------------------
 *
 * Each takes `strategies` names (one per column, non-empty, distinct) and row-major
 * draws x strategies `costs` and `effects` (a single row for deterministic values), and
 * returns a handle whose JSON text (docs/results-format.md#decision-results-as-json) is
 * read with hemsim_decision_json. Thresholds (`wtp`, `wtp_count` may be 0) must be
 * finite and not negative. Definitions: docs/methods.md#decision-outputs. */

typedef struct hemsim_decision_result hemsim_decision_result;

/* Every strategy against `reference` (one of the names): incremental cost, effect, ICER
 * and net benefit at each threshold, with equal-tailed intervals at `interval_level` in
 * (0, 1) over the draws. {"reference", "interval_level", "wtp", "comparisons": [...]} */
int hemsim_compare_with_reference(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                  size_t strategy_count, const char* reference, const double* wtp, size_t wtp_count, double interval_level,
                                  hemsim_decision_result** out);
/* Acceptability curves by name: {"wtp", "curves": [{"strategy", "probability"}, ...]}. */
int hemsim_labelled_acceptability_curves(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                         size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out);
/* P(strategy's net benefit > comparator's) for every ordered pair (ties count one half):
 * {"wtp", "pairs": [{"strategy", "comparator", "probability"}, ...]}. */
int hemsim_pairwise_acceptability(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                  size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out);
/* Expected net benefit forgone by each strategy (its minimum at a threshold is the EVPI):
 * {"wtp", "curves": [{"strategy", "expected_loss"}, ...]}. */
int hemsim_expected_loss_curves(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out);
/* The thresholds at which the strategy of highest expected net benefit changes (BCEA's
 * kstar), from the column means: [{"wtp", "from", "to"}, ...], increasing. */
int hemsim_optimal_strategy_switches(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                     size_t strategy_count, hemsim_decision_result** out);
void hemsim_decision_free(hemsim_decision_result* result);
/* The result as JSON, owned by the result. */
int hemsim_decision_json(const hemsim_decision_result* result, const char** out);

#ifdef __cplusplus
}
#endif

#endif /* HEMSIM_H */
