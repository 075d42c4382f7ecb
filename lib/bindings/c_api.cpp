// The C API (include/hemsim/hemsim.h) over the embedding calls (embedding.hpp) and the
// decision functions (decision.hpp). Every entry point runs its body through guarded(),
// the one place where exceptions become status codes and the thread's last error.

#include "hemsim/hemsim.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/decision_json.hpp"
#include "hemsim/decision_outputs.hpp"
#include "hemsim/embedding.hpp"
#include "hemsim/error.hpp"
#include "hemsim/precision.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results_io.hpp"
#include "hemsim/scenario_io.hpp"
#include "hemsim/version.hpp"
#include "bindings/c_distribution.hpp"

struct hemsim_scenario {
  hemsim::Scenario scenario;
  hemsim::ParameterChanges changes;
};

struct hemsim_result {
  hemsim::RunResults results;
  std::string json;
  std::optional<hemsim::SizedAnalysis> sizing;  // hemsim_run_to_precision
};

// Row-major copies of what the caller reads as plain arrays.
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct hemsim_psa_result {
  hemsim::EmbeddedPsa run;
  std::string json;
  std::string sizing_json;  // inner_sample.json; "" when not sized
  std::vector<RowMajor> costs;  // per perspective
  RowMajor effects;
};

struct hemsim_dsa_result {
  hemsim::DsaReport report;
  std::string json;
  std::optional<hemsim::SizedAnalysis> sizing;  // hemsim_dsa_to_precision, hemsim_price_to_precision
};

struct hemsim_icer_table {
  hemsim::IncrementalTable table;
  std::vector<std::string> statuses;
  std::vector<std::vector<const char*>> dominated_by;  // into table.rows[i].dominated_by
  std::string json;
};

struct hemsim_decision_result {
  std::string json;
};

namespace {

thread_local std::string last_error;

// Keeps the message for hemsim_last_error. Cannot throw: when even the message cannot be
// stored (out of memory), the status alone still reaches the caller.
int fail(int status, const char* prefix, const char* message) noexcept {
  try {
    last_error = prefix;
    last_error += message;
  } catch (...) {
    last_error.clear();
  }
  return status;
}

// Runs `body` and maps every exception onto a status code: nothing crosses into C.
template <class Body>
int guarded(Body&& body) noexcept {
  constexpr const char* kInternal = "internal error (please report): ";
  last_error.clear();
  try {
    body();
    return HEMSIM_OK;
  } catch (const hemsim::ScenarioError& e) {
    return fail(HEMSIM_E_INPUT, "", e.what());
  } catch (const hemsim::Cancelled& e) {
    return fail(HEMSIM_E_CANCELLED, "", e.what());
  } catch (const std::invalid_argument& e) {
    return fail(HEMSIM_E_INPUT, "", e.what());
  } catch (const std::bad_alloc&) {
    return fail(HEMSIM_E_INTERNAL, "", "out of memory");
  } catch (const std::exception& e) {
    return fail(HEMSIM_E_INTERNAL, kInternal, e.what());
  } catch (...) {
    return fail(HEMSIM_E_INTERNAL, kInternal, "unknown exception");
  }
}

// A NULL where a pointer is needed is the caller's mistake.
template <class T>
T* not_null(T* pointer, const char* argument) {
  if (!pointer) throw std::invalid_argument(fmt::format("argument '{}' is NULL", argument));
  return pointer;
}

std::size_t checked_index(std::size_t index, std::size_t size, const char* what) {
  if (index >= size) throw std::invalid_argument(fmt::format("{} {} is out of range (there are {})", what, index, size));
  return index;
}

hemsim::EmbeddedOptions embedded_options(const hemsim_options* options) {
  hemsim_options given;
  hemsim_options_init(&given);
  if (options) given = *options;
  if (given.method != HEMSIM_MICROSIMULATION && given.method != HEMSIM_COHORT)
    throw std::invalid_argument(fmt::format("method {} is neither HEMSIM_MICROSIMULATION nor HEMSIM_COHORT", given.method));
  if (given.threads < 0) throw std::invalid_argument("threads must not be negative");
  hemsim::EmbeddedOptions out;
  out.method = given.method == HEMSIM_COHORT ? hemsim::Method::cohort : hemsim::Method::microsimulation;
  out.individuals = given.individuals;
  out.seed = given.seed;
  out.seed_set = given.seed_set != 0;
  out.threads = given.threads;
  if (given.progress) out.progress = [fn = given.progress, user = given.user](double fraction) { fn(fraction, user); };
  if (given.cancelled) out.cancelled = [fn = given.cancelled, user = given.user] { return fn(user) != 0; };
  if (given.distribution) {
    out.draws = given.distribution->draws;
    out.evaluations = given.distribution->evaluations;
  }
  return out;
}

// Whether this process gets the call's result: not an MPI rank other than 0 (hemsim.h).
bool holds_results(const hemsim_options* options) { return !options || !options->distribution || options->distribution->holds_results; }

std::string text_or_empty(const char* text) { return text ? std::string(text) : std::string(); }

// Comma-separated parameter names, as `hemsim psa --evppi` takes them.
std::vector<std::string> split_names(const std::string& group) {
  std::vector<std::string> names;
  std::string::size_type start = 0;
  while (true) {
    const auto comma = group.find(',', start);
    names.push_back(group.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) return names;
    start = comma + 1;
  }
}

// The caller's row-major draws x columns array as an Eigen matrix.
Eigen::MatrixXd matrix_from(const double* values, std::size_t rows, std::size_t columns, const char* argument) {
  not_null(values, argument);
  return Eigen::Map<const RowMajor>(values, static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(columns));
}

void copy_to(const Eigen::MatrixXd& from, double* out) { Eigen::Map<RowMajor>(out, from.rows(), from.cols()) = from; }

std::vector<double> vector_from(const double* values, std::size_t count, const char* argument) {
  if (count == 0) return {};
  return std::vector<double>(not_null(values, argument), values + count);
}

void check_sizes(std::size_t draws, std::size_t strategies) {
  if (draws == 0 || strategies == 0) throw std::invalid_argument("draws and strategies must be at least 1");
}

std::vector<std::string> names_from(const char* const* strategies, std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t k = 0; k < count; ++k) names.emplace_back(not_null(not_null(strategies, "strategies")[k], "strategies[k]"));
  return names;
}

// The caller's labelled draws, checked for size here; the decision functions check values.
struct LabelledDraws {
  std::vector<std::string> strategies;
  Eigen::MatrixXd costs, effects;
};

LabelledDraws labelled_draws(const char* const* strategies, const double* costs, const double* effects, std::size_t draws,
                             std::size_t strategy_count) {
  check_sizes(draws, strategy_count);
  return {names_from(strategies, strategy_count), matrix_from(costs, draws, strategy_count, "costs"),
          matrix_from(effects, draws, strategy_count, "effects")};
}

// A decision result handle holding `json`; `*out` is NULL until it is made.
template <class MakeJson>
int decision_result(hemsim_decision_result** out, MakeJson&& make_json) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    auto result = std::make_unique<hemsim_decision_result>();
    result->json = make_json();
    *out = result.release();
  });
}

double or_nan(const std::optional<double>& value) { return value.value_or(std::numeric_limits<double>::quiet_NaN()); }

const hemsim::DiscountedEstimate& outcome_of(const hemsim::StrategyOutcomes& s, int outcome, std::size_t perspective) {
  switch (outcome) {
    case HEMSIM_COSTS:
      return s.costs_by_perspective.at(perspective);
    case HEMSIM_QALYS:
      return s.qalys;
    case HEMSIM_LIFE_YEARS:
      return s.life_years;
    default:
      throw std::invalid_argument(fmt::format("outcome {} is not HEMSIM_COSTS, HEMSIM_QALYS or HEMSIM_LIFE_YEARS", outcome));
  }
}

}  // namespace

extern "C" {

const char* hemsim_last_error(void) { return last_error.c_str(); }

const char* hemsim_version(void) { return hemsim::kVersion; }

// ---- Scenarios ------------------------------------------------------------------------

int hemsim_scenario_load_file(const char* path, hemsim_scenario** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    *out = new hemsim_scenario{hemsim::load_scenario(not_null(path, "path")), {}};
  });
}

int hemsim_scenario_load_yaml(const char* yaml_text, const char* file_name, hemsim_scenario** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    *out = new hemsim_scenario{hemsim::parse_scenario(not_null(yaml_text, "yaml_text"), file_name ? file_name : "<text>"), {}};
  });
}

void hemsim_scenario_free(hemsim_scenario* scenario) { delete scenario; }

int hemsim_scenario_set_value(hemsim_scenario* scenario, const char* parameter, double value) {
  return guarded([&] {
    auto& s = *not_null(scenario, "scenario");
    hemsim::ParameterChanges changed = s.changes;
    const std::string name = not_null(parameter, "parameter");
    changed.formulas.erase(name);
    changed.values[name] = value;
    hemsim::check_parameter_changes(s.scenario, changed);  // refuse now, not at the next run
    s.changes = std::move(changed);
  });
}

int hemsim_scenario_set_formula(hemsim_scenario* scenario, const char* parameter, const char* formula) {
  return guarded([&] {
    auto& s = *not_null(scenario, "scenario");
    hemsim::ParameterChanges changed = s.changes;
    const std::string name = not_null(parameter, "parameter");
    changed.values.erase(name);
    changed.formulas[name] = not_null(formula, "formula");
    hemsim::check_parameter_changes(s.scenario, changed);
    s.changes = std::move(changed);
  });
}

int hemsim_scenario_clear_changes(hemsim_scenario* scenario) {
  return guarded([&] { not_null(scenario, "scenario")->changes = {}; });
}

int hemsim_scenario_strategy_count(const hemsim_scenario* scenario, size_t* out) {
  return guarded([&] { *not_null(out, "out") = not_null(scenario, "scenario")->scenario.strategies.size(); });
}

int hemsim_scenario_strategy_name(const hemsim_scenario* scenario, size_t strategy, const char** out) {
  return guarded([&] {
    const auto& strategies = not_null(scenario, "scenario")->scenario.strategies;
    *not_null(out, "out") = strategies[checked_index(strategy, strategies.size(), "strategy")].name.c_str();
  });
}

void hemsim_options_init(hemsim_options* options) {
  if (options) *options = hemsim_options{HEMSIM_MICROSIMULATION, 0, 0, 0, 0, nullptr, nullptr, nullptr, nullptr};
}

// ---- Run -------------------------------------------------------------------------------

int hemsim_run(const hemsim_scenario* scenario, const hemsim_options* options, hemsim_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    auto result = std::make_unique<hemsim_result>();
    result->results = hemsim::embedded_run(s.scenario, s.changes, embedded_options(options));
    result->json = hemsim::results_to_json(result->results);
    *out = result.release();
  });
}

namespace {

hemsim::IncrementMeasure increment_measure(int measure) {
  switch (measure) {
    case HEMSIM_INCREMENT_EFFECTS: return hemsim::IncrementMeasure::effects;
    case HEMSIM_INCREMENT_COSTS: return hemsim::IncrementMeasure::costs;
    case HEMSIM_INCREMENT_NET_BENEFIT: return hemsim::IncrementMeasure::net_benefit;
    default: throw std::invalid_argument(fmt::format("measure {} is not one of HEMSIM_INCREMENT_EFFECTS, _COSTS, _NET_BENEFIT", measure));
  }
}

std::uint64_t max_individuals_or_default(uint64_t max_individuals) {
  return max_individuals ? max_individuals : hemsim::kDefaultMaxIndividuals;
}

// hemsim_result_precision and hemsim_dsa_precision.
void report_sizing(const std::optional<hemsim::SizedAnalysis>& sizing, int* met, double* achieved_mcse, uint64_t* individuals) {
  if (!sizing) throw std::invalid_argument("the result was not sized to a precision target");
  if (met) *met = sizing->met ? 1 : 0;
  if (achieved_mcse) *achieved_mcse = sizing->achieved_mcse;
  if (individuals) *individuals = sizing->individuals;
}

}  // namespace

int hemsim_run_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, double target_mcse, int measure,
                            const char* strategy, uint64_t max_individuals, hemsim_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    hemsim::PrecisionTarget target;
    target.mcse = target_mcse;
    target.measure = increment_measure(measure);
    target.max_individuals = max_individuals_or_default(max_individuals);
    if (strategy) {
      target.strategy = s.scenario.strategy_index(strategy);
      if (target.strategy < 0) throw std::invalid_argument(fmt::format("the scenario has no strategy '{}'", strategy));
    }
    auto result = std::make_unique<hemsim_result>();
    hemsim::PrecisionRun sized = hemsim::embedded_run_to_precision(s.scenario, s.changes, embedded_options(options), target);
    result->results = std::move(sized.results);
    result->sizing = static_cast<const hemsim::SizedAnalysis&>(sized);
    result->json = hemsim::results_to_json(result->results);
    *out = result.release();
  });
}

int hemsim_result_precision(const hemsim_result* result, int* met, double* achieved_mcse, uint64_t* individuals) {
  return guarded([&] { report_sizing(not_null(result, "result")->sizing, met, achieved_mcse, individuals); });
}

void hemsim_result_free(hemsim_result* result) { delete result; }

int hemsim_result_json(const hemsim_result* result, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(result, "result")->json.c_str(); });
}

int hemsim_result_strategy_count(const hemsim_result* result, size_t* out) {
  return guarded([&] { *not_null(out, "out") = not_null(result, "result")->results.strategies.size(); });
}

int hemsim_result_strategy_name(const hemsim_result* result, size_t strategy, const char** out) {
  return guarded([&] {
    const auto& strategies = not_null(result, "result")->results.strategies;
    *not_null(out, "out") = strategies[checked_index(strategy, strategies.size(), "strategy")].name.c_str();
  });
}

int hemsim_result_perspective_count(const hemsim_result* result, size_t* out) {
  return guarded([&] { *not_null(out, "out") = not_null(result, "result")->results.perspectives.size(); });
}

int hemsim_result_outcome(const hemsim_result* result, int outcome, size_t perspective, int discounted, double* mean, double* mcse,
                          size_t capacity) {
  return guarded([&] {
    const auto& r = not_null(result, "result")->results;
    if (capacity < r.strategies.size())
      throw std::invalid_argument(fmt::format("capacity {} is less than the {} strategies", capacity, r.strategies.size()));
    if (outcome == HEMSIM_COSTS) checked_index(perspective, r.perspectives.size(), "perspective");
    for (std::size_t k = 0; k < r.strategies.size(); ++k) {
      const auto& both = outcome_of(r.strategies[k], outcome, perspective);
      const hemsim::Estimate& e = discounted ? both.discounted : both.undiscounted;
      if (mean) mean[k] = e.mean;
      if (mcse) mcse[k] = e.mcse;
    }
  });
}

// ---- PSA -------------------------------------------------------------------------------

namespace {

// hemsim_psa and hemsim_psa_to_noise_share: the PSA, sized when sizing.max_share > 0.
int run_psa(const hemsim_scenario* scenario, const hemsim_options* options, uint64_t draws, const char* const* evppi_groups,
            size_t group_count, const hemsim::NoiseShareTarget& sizing, hemsim_psa_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    if (draws < 2) throw std::invalid_argument("a PSA needs at least 2 draws");
    std::vector<std::vector<std::string>> groups;
    for (std::size_t g = 0; g < group_count; ++g)
      groups.push_back(split_names(not_null(not_null(evppi_groups, "evppi_groups")[g], "evppi_groups[g]")));
    auto result = std::make_unique<hemsim_psa_result>();
    result->run = hemsim::embedded_psa(s.scenario, s.changes, embedded_options(options), draws, groups, sizing);
    if (!holds_results(options)) return;
    result->json = hemsim::psa_to_json(result->run.psa);
    if (result->run.sizing) result->sizing_json = hemsim::inner_sample_size_json(*result->run.sizing);
    for (const auto& costs : result->run.psa.costs) result->costs.emplace_back(costs);
    result->effects = result->run.psa.effects;
    *out = result.release();
  });
}

}  // namespace

int hemsim_psa(const hemsim_scenario* scenario, const hemsim_options* options, uint64_t draws, const char* const* evppi_groups,
               size_t group_count, hemsim_psa_result** out) {
  return run_psa(scenario, options, draws, evppi_groups, group_count, {}, out);
}

int hemsim_psa_to_noise_share(const hemsim_scenario* scenario, const hemsim_options* options, uint64_t draws, double max_noise_share,
                              const char* const* noise_strategies, size_t noise_count, uint64_t pilot_draws, double confidence,
                              uint64_t max_individuals, const char* const* evppi_groups, size_t group_count, hemsim_psa_result** out) {
  hemsim::NoiseShareTarget sizing;
  const int status = guarded([&] {
    // 0 would mean "no sizing" to embedded_psa: here it is a share out of range.
    if (!(max_noise_share > 0 && max_noise_share < 1)) throw std::invalid_argument("max_noise_share must be in (0, 1)");
    sizing.max_share = max_noise_share;
    sizing.strategies = names_from(noise_strategies, noise_count);
    if (pilot_draws) sizing.pilot_draws = pilot_draws;
    if (confidence != 0) sizing.confidence = confidence;
    if (max_individuals) sizing.max_individuals = max_individuals;
  });
  if (status != HEMSIM_OK) {
    if (out) *out = nullptr;
    return status;
  }
  return run_psa(scenario, options, draws, evppi_groups, group_count, sizing, out);
}

int hemsim_psa_sizing_json(const hemsim_psa_result* psa, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(psa, "psa")->sizing_json.c_str(); });
}

void hemsim_psa_free(hemsim_psa_result* psa) { delete psa; }

int hemsim_psa_json(const hemsim_psa_result* psa, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(psa, "psa")->json.c_str(); });
}

int hemsim_psa_size(const hemsim_psa_result* psa, size_t* draws, size_t* strategies) {
  return guarded([&] {
    const auto& p = *not_null(psa, "psa");
    *not_null(draws, "draws") = static_cast<std::size_t>(p.effects.rows());
    *not_null(strategies, "strategies") = static_cast<std::size_t>(p.effects.cols());
  });
}

int hemsim_psa_strategy_name(const hemsim_psa_result* psa, size_t strategy, const char** out) {
  return guarded([&] {
    const auto& names = not_null(psa, "psa")->run.psa.strategies;
    *not_null(out, "out") = names[checked_index(strategy, names.size(), "strategy")].c_str();
  });
}

int hemsim_psa_costs(const hemsim_psa_result* psa, size_t perspective, const double** out) {
  return guarded([&] {
    const auto& costs = not_null(psa, "psa")->costs;
    *not_null(out, "out") = costs[checked_index(perspective, costs.size(), "perspective")].data();
  });
}

int hemsim_psa_effects(const hemsim_psa_result* psa, const double** out) {
  return guarded([&] { *not_null(out, "out") = not_null(psa, "psa")->effects.data(); });
}

int hemsim_psa_evppi(const hemsim_psa_result* psa, size_t group, size_t* count, const double** wtp, const double** evppi,
                     const double** standard_error) {
  return guarded([&] {
    const auto& results = not_null(psa, "psa")->run.evppi.results;
    const auto& r = results[checked_index(group, results.size(), "EVPPI group")];
    *not_null(count, "count") = r.wtp.size();
    *not_null(wtp, "wtp") = r.wtp.data();
    *not_null(evppi, "evppi") = r.evppi.data();
    *not_null(standard_error, "standard_error") = r.standard_error.data();
  });
}

// ---- DSA and price ---------------------------------------------------------------------

namespace {

// The handle of a DSA or price report, with how a target sized it (if one did); nothing on
// an MPI rank other than 0 (hemsim.h).
void hand_over(const hemsim_options* options, hemsim::DsaReport report, std::optional<hemsim::SizedAnalysis> sizing, hemsim_dsa_result** out) {
  if (!holds_results(options)) return;
  auto result = std::make_unique<hemsim_dsa_result>();
  result->report = std::move(report);
  result->sizing = std::move(sizing);
  result->json = hemsim::dsa_to_json(result->report);
  *out = result.release();
}

}  // namespace

int hemsim_dsa(const hemsim_scenario* scenario, const hemsim_options* options, const char* strategy, const char* comparator, double wtp,
               hemsim_dsa_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    hand_over(options,
              hemsim::embedded_one_way(s.scenario, s.changes, embedded_options(options), {text_or_empty(strategy), text_or_empty(comparator), wtp}),
              {}, out);
  });
}

int hemsim_price(const hemsim_scenario* scenario, const hemsim_options* options, const char* parameter, const char* strategy,
                 const double* thresholds, size_t count, hemsim_dsa_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    hand_over(options,
              hemsim::embedded_price(s.scenario, s.changes, embedded_options(options), {text_or_empty(strategy), {}, 0.0},
                                     not_null(parameter, "parameter"), vector_from(thresholds, count, "thresholds")),
              {}, out);
  });
}

int hemsim_dsa_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, const char* strategy, const char* comparator,
                            double wtp, double target_mcse, uint64_t max_individuals, hemsim_dsa_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    hemsim::SizedReport sized = hemsim::embedded_one_way_to_precision(s.scenario, s.changes, embedded_options(options),
                                                                      {text_or_empty(strategy), text_or_empty(comparator), wtp},
                                                                      target_mcse, max_individuals_or_default(max_individuals));
    hand_over(options, std::move(sized.report), sized.sizing, out);
  });
}

int hemsim_price_to_precision(const hemsim_scenario* scenario, const hemsim_options* options, const char* parameter, const char* strategy,
                              const double* thresholds, size_t count, double target_mcse, uint64_t max_individuals,
                              hemsim_dsa_result** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto& s = *not_null(scenario, "scenario");
    hemsim::SizedReport sized = hemsim::embedded_price_to_precision(
        s.scenario, s.changes, embedded_options(options), {text_or_empty(strategy), {}, 0.0}, not_null(parameter, "parameter"),
        vector_from(thresholds, count, "thresholds"), target_mcse, max_individuals_or_default(max_individuals));
    hand_over(options, std::move(sized.report), sized.sizing, out);
  });
}

int hemsim_dsa_precision(const hemsim_dsa_result* dsa, int* met, double* achieved_mcse, uint64_t* individuals) {
  return guarded([&] { report_sizing(not_null(dsa, "dsa")->sizing, met, achieved_mcse, individuals); });
}

void hemsim_dsa_free(hemsim_dsa_result* dsa) { delete dsa; }

int hemsim_dsa_json(const hemsim_dsa_result* dsa, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(dsa, "dsa")->json.c_str(); });
}

int hemsim_dsa_tornado_count(const hemsim_dsa_result* dsa, size_t* out) {
  return guarded([&] {
    const auto& one_way = not_null(dsa, "dsa")->report.one_way;
    *not_null(out, "out") = one_way ? one_way->parameters.size() : 0;
  });
}

int hemsim_dsa_tornado_row(const hemsim_dsa_result* dsa, size_t row, hemsim_tornado_row* out) {
  return guarded([&] {
    const auto& one_way = not_null(dsa, "dsa")->report.one_way;
    const std::size_t rows = one_way ? one_way->parameters.size() : 0;
    const auto& r = one_way->parameters[checked_index(row, rows, "tornado row")];
    *not_null(out, "out") = {r.parameter.c_str(), r.low_value, r.high_value, r.low.incremental_net_benefit, r.high.incremental_net_benefit,
                             r.net_benefit_swing, r.swing_mcse};
  });
}

int hemsim_price_count(const hemsim_dsa_result* dsa, size_t* out) {
  return guarded([&] { *not_null(out, "out") = not_null(dsa, "dsa")->report.prices.size(); });
}

int hemsim_price_point_at(const hemsim_dsa_result* dsa, size_t point, hemsim_price_point* out) {
  return guarded([&] {
    const auto& report = not_null(dsa, "dsa")->report;
    const auto& p = report.prices[checked_index(point, report.prices.size(), "price point")];
    const auto& next_best = report.strategies.at(static_cast<std::size_t>(p.next_best));
    *not_null(out, "out") = {p.willingness_to_pay, p.price, p.price_mcse, next_best.c_str()};
  });
}

// ---- Decision analysis on the caller's arrays ---------------------------------------------

int hemsim_incremental_table(const char* const* strategies, const double* costs, const double* effects, size_t count,
                             hemsim_icer_table** out) {
  return guarded([&] {
    *not_null(out, "out") = nullptr;
    const auto names = names_from(strategies, count);
    auto table = std::make_unique<hemsim_icer_table>();
    table->table = hemsim::incremental_table(names, vector_from(costs, count, "costs"), vector_from(effects, count, "effects"));
    for (const auto& row : table->table.rows) {
      table->statuses.push_back(hemsim::to_string(row.status));
      auto& pointers = table->dominated_by.emplace_back();
      for (const auto& name : row.dominated_by) pointers.push_back(name.c_str());
    }
    table->json = hemsim::to_json(table->table);
    *out = table.release();
  });
}

void hemsim_icer_table_free(hemsim_icer_table* table) { delete table; }

int hemsim_icer_table_count(const hemsim_icer_table* table, size_t* out) {
  return guarded([&] { *not_null(out, "out") = not_null(table, "table")->table.rows.size(); });
}

int hemsim_icer_table_row(const hemsim_icer_table* table, size_t row, hemsim_icer_row* out) {
  return guarded([&] {
    const auto& t = *not_null(table, "table");
    const std::size_t i = checked_index(row, t.table.rows.size(), "row");
    const auto& r = t.table.rows[i];
    *not_null(out, "out") = {r.strategy.c_str(),
                             t.statuses[i].c_str(),
                             r.compared_with ? r.compared_with->c_str() : nullptr,
                             r.cost,
                             r.effect,
                             or_nan(r.incremental_cost),
                             or_nan(r.incremental_effect),
                             or_nan(r.icer)};
  });
}

int hemsim_icer_table_dominated_by(const hemsim_icer_table* table, size_t row, size_t* count, const char* const** names) {
  return guarded([&] {
    const auto& t = *not_null(table, "table");
    const auto& pointers = t.dominated_by[checked_index(row, t.dominated_by.size(), "row")];
    *not_null(count, "count") = pointers.size();
    *not_null(names, "names") = pointers.data();
  });
}

int hemsim_icer_table_json(const hemsim_icer_table* table, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(table, "table")->json.c_str(); });
}

int hemsim_net_monetary_benefit(const double* costs, const double* effects, size_t draws, size_t strategies, double wtp, double* out) {
  return guarded([&] {
    check_sizes(draws, strategies);
    const auto nmb = hemsim::net_monetary_benefit(matrix_from(costs, draws, strategies, "costs"),
                                                  matrix_from(effects, draws, strategies, "effects"), wtp);
    copy_to(nmb, not_null(out, "out"));
  });
}

int hemsim_acceptability_curves(const double* costs, const double* effects, size_t draws, size_t strategies, const double* wtp,
                                size_t wtp_count, double* out) {
  return guarded([&] {
    check_sizes(draws, strategies);
    const auto curves =
        hemsim::acceptability_curves(matrix_from(costs, draws, strategies, "costs"), matrix_from(effects, draws, strategies, "effects"),
                                     vector_from(wtp, wtp_count, "wtp"));
    copy_to(curves, not_null(out, "out"));
  });
}

int hemsim_evpi(const double* costs, const double* effects, size_t draws, size_t strategies, const double* wtp, size_t wtp_count,
                double* out) {
  return guarded([&] {
    check_sizes(draws, strategies);
    const auto evpi = hemsim::expected_value_of_perfect_information(matrix_from(costs, draws, strategies, "costs"),
                                                                    matrix_from(effects, draws, strategies, "effects"),
                                                                    vector_from(wtp, wtp_count, "wtp"));
    std::copy(evpi.begin(), evpi.end(), not_null(out, "out"));
  });
}

int hemsim_evppi(const double* costs, const double* effects, size_t draws, size_t strategies, const double* parameters,
                 size_t parameter_count, const double* wtp, size_t wtp_count, size_t reference, double* evppi, double* standard_error) {
  return guarded([&] {
    check_sizes(draws, strategies);
    if (parameter_count == 0) throw std::invalid_argument("EVPPI needs at least one parameter");
    checked_index(reference, strategies, "reference strategy");
    const auto r = hemsim::expected_value_of_partial_perfect_information(
        matrix_from(costs, draws, strategies, "costs"), matrix_from(effects, draws, strategies, "effects"),
        matrix_from(parameters, draws, parameter_count, "parameters"), vector_from(wtp, wtp_count, "wtp"), static_cast<int>(reference));
    std::copy(r.evppi.begin(), r.evppi.end(), not_null(evppi, "evppi"));
    if (standard_error) std::copy(r.standard_error.begin(), r.standard_error.end(), standard_error);
  });
}

// ---- Decision outputs labelled by strategy, as JSON ---------------------------------------

int hemsim_compare_with_reference(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                  size_t strategy_count, const char* reference, const double* wtp, size_t wtp_count, double interval_level,
                                  hemsim_decision_result** out) {
  return decision_result(out, [&] {
    const auto d = labelled_draws(strategies, costs, effects, draws, strategy_count);
    return hemsim::to_json(hemsim::compare_with_reference(d.strategies, d.costs, d.effects, not_null(reference, "reference"),
                                                          vector_from(wtp, wtp_count, "wtp"), interval_level));
  });
}

int hemsim_labelled_acceptability_curves(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                         size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out) {
  return decision_result(out, [&] {
    const auto d = labelled_draws(strategies, costs, effects, draws, strategy_count);
    return hemsim::to_json(hemsim::acceptability_curves(d.strategies, d.costs, d.effects, vector_from(wtp, wtp_count, "wtp")));
  });
}

int hemsim_pairwise_acceptability(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                  size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out) {
  return decision_result(out, [&] {
    const auto d = labelled_draws(strategies, costs, effects, draws, strategy_count);
    return hemsim::to_json(hemsim::pairwise_acceptability(d.strategies, d.costs, d.effects, vector_from(wtp, wtp_count, "wtp")));
  });
}

int hemsim_expected_loss_curves(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                size_t strategy_count, const double* wtp, size_t wtp_count, hemsim_decision_result** out) {
  return decision_result(out, [&] {
    const auto d = labelled_draws(strategies, costs, effects, draws, strategy_count);
    return hemsim::to_json(hemsim::expected_loss_curves(d.strategies, d.costs, d.effects, vector_from(wtp, wtp_count, "wtp")));
  });
}

int hemsim_optimal_strategy_switches(const char* const* strategies, const double* costs, const double* effects, size_t draws,
                                     size_t strategy_count, hemsim_decision_result** out) {
  return decision_result(out, [&] {
    const auto d = labelled_draws(strategies, costs, effects, draws, strategy_count);
    return hemsim::to_json(hemsim::optimal_strategy_switches(d.strategies, d.costs, d.effects));
  });
}

void hemsim_decision_free(hemsim_decision_result* result) { delete result; }

int hemsim_decision_json(const hemsim_decision_result* result, const char** out) {
  return guarded([&] { *not_null(out, "out") = not_null(result, "result")->json.c_str(); });
}

}  // extern "C"
