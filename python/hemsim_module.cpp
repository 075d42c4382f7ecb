// The Python module `hemsim`: run, psa, dsa and price as the `hemsim` command runs them
// (embedding.hpp), results as dicts of columns and numpy arrays, and the decision
// functions on numpy arrays. docs/embedding.md documents it.
//
//     import hemsim
//     r = hemsim.run("scenarios/bmsc_cipn.yaml", individuals=10000, set={"bmsc_price": 20000})
//     pandas.DataFrame(r.table())
//
// The GIL is released while the library simulates; the progress and cancel callbacks
// take it back. Ctrl-C is seen through the cancellation poll (PyErr_CheckSignals on the
// calling thread) and stops the run with KeyboardInterrupt.

#include <pybind11/eigen.h>
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/decision_json.hpp"
#include "hemsim/decision_outputs.hpp"
#include "hemsim/dsa_io.hpp"
#include "hemsim/embedding.hpp"
#include "hemsim/error.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/results_io.hpp"
#include "hemsim/scenario_io.hpp"
#include "hemsim/version.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---- Arguments --------------------------------------------------------------------------

struct PyScenario {
  hemsim::Scenario scenario;
};

// A Scenario object, or a path (str or os.PathLike) loaded now.
hemsim::Scenario scenario_from(const py::object& scenario) {
  if (py::isinstance<PyScenario>(scenario)) return scenario.cast<const PyScenario&>().scenario;
  const auto path = py::module_::import("os").attr("fspath")(scenario).cast<std::string>();
  return hemsim::load_scenario(path);
}

// set={"name": number} sets a value; set={"name": "formula"} replaces the definition.
hemsim::ParameterChanges changes_from(const std::optional<py::dict>& set) {
  hemsim::ParameterChanges changes;
  if (!set) return changes;
  for (const auto& [key, value] : *set) {
    const auto name = py::str(key).cast<std::string>();
    if (py::isinstance<py::str>(value))
      changes.formulas[name] = value.cast<std::string>();
    else if (py::isinstance<py::bool_>(value) ||
             !(py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value) || py::hasattr(value, "__float__")))
      throw py::type_error("set['" + name + "'] must be a number (a value) or a str (a formula)");
    else
      changes.values[name] = value.cast<double>();
  }
  return changes;
}

hemsim::Method method_from(const std::string& method) {
  if (method == "microsim" || method == "microsimulation") return hemsim::Method::microsimulation;
  if (method == "cohort") return hemsim::Method::cohort;
  throw std::invalid_argument("method must be 'microsim' or 'cohort', not '" + method + "'");
}

// ---- Callbacks across the GIL -------------------------------------------------------------

// The host side of progress and cancellation. The library calls them from its worker
// threads with the GIL released; each takes the GIL to run Python. A Python exception
// raised in a callback (or a Ctrl-C seen by PyErr_CheckSignals) is kept and stops the
// run through the cancellation poll; the caller re-raises it once the GIL is back.
class PythonCallbacks {
 public:
  PythonCallbacks(py::object progress, py::object cancel)
      : progress_(std::move(progress)), cancel_(std::move(cancel)), caller_(std::this_thread::get_id()) {}

  void apply(hemsim::EmbeddedOptions& options) {
    if (!progress_.is_none()) options.progress = [this](double fraction) { report(fraction); };
    options.cancelled = [this] { return should_stop(); };
  }

  /// With the GIL held: raises the Python exception a callback raised, if any.
  void raise_kept_error() {
    std::lock_guard lock(mutex_);
    if (error_) {
      py::error_already_set error = std::move(*error_);
      error_.reset();
      throw error;
    }
  }

 private:
  void report(double fraction) {
    if (failed_) return;
    py::gil_scoped_acquire gil;
    try {
      progress_(fraction);
    } catch (py::error_already_set& e) {
      keep(std::move(e));
    }
  }

  bool should_stop() {
    if (failed_) return true;
    // Signals reach Python only on the thread that called in (if it is the main thread);
    // workers need not take the GIL unless there is a cancel callback to ask.
    const bool on_caller = std::this_thread::get_id() == caller_;
    if (!on_caller && cancel_.is_none()) return false;
    py::gil_scoped_acquire gil;
    try {
      if (on_caller && PyErr_CheckSignals() != 0) throw py::error_already_set();
      if (!cancel_.is_none() && py::bool_(cancel_())) return true;
    } catch (py::error_already_set& e) {
      keep(std::move(e));
      return true;
    }
    return false;
  }

  void keep(py::error_already_set&& error) {
    std::lock_guard lock(mutex_);
    if (!error_) error_.emplace(std::move(error));
    failed_ = true;
  }

  py::object progress_, cancel_;
  std::thread::id caller_;
  std::mutex mutex_;
  std::optional<py::error_already_set> error_;
  std::atomic<bool> failed_{false};
};

struct CallOptions {
  std::string method = "microsim";
  std::uint64_t individuals = 0;
  std::optional<std::uint64_t> seed;
  int threads = 0;
};

// Runs `call` with the GIL released and callbacks wired; a Python error raised in a
// callback (KeyboardInterrupt included) comes back out as itself.
template <class Call>
auto call_library(const CallOptions& given, const py::object& progress, const py::object& cancel, Call&& call) {
  hemsim::EmbeddedOptions options;
  options.method = method_from(given.method);
  options.individuals = given.individuals;
  options.seed = given.seed.value_or(0);
  options.seed_set = given.seed.has_value();
  if (given.threads < 0) throw std::invalid_argument("threads must not be negative");
  options.threads = given.threads;
  PythonCallbacks callbacks(progress, cancel);
  callbacks.apply(options);
  try {
    auto result = [&] {
      py::gil_scoped_release release;
      return call(options);
    }();
    callbacks.raise_kept_error();
    return result;
  } catch (const hemsim::Cancelled&) {
    callbacks.raise_kept_error();  // the reason it stopped, when a callback raised
    throw;
  }
}

// ---- Conversions ----------------------------------------------------------------------------

py::array_t<double> numpy(const std::vector<double>& values) {
  return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
}

py::object parsed_json(const std::string& json) { return py::module_::import("json").attr("loads")(json); }

// A decision function's result: a dict of columns or curves (pandas.DataFrame takes it)
// of the class hemsim.DecisionResult, a dict subclass whose `json` attribute is the
// library's to_json text; `attributes` adds what is not a column (e.g. a 3-D array).
py::object decision_result(const py::dict& columns, const std::string& json, const py::dict& attributes = py::dict()) {
  py::object result = py::module_::import("hemsim").attr("DecisionResult")(columns);
  result.attr("json") = json;
  for (const auto& [name, value] : attributes) py::setattr(result, name, value);
  return result;
}

// A caller's 2-D array (draws x columns) as an Eigen matrix.
Eigen::MatrixXd matrix_from(const py::array_t<double, py::array::c_style | py::array::forcecast>& array, const char* name) {
  if (array.ndim() != 2) throw std::invalid_argument(std::string(name) + " must be a 2-D array (draws x strategies)");
  return Eigen::Map<const RowMajor>(array.data(), array.shape(0), array.shape(1));
}

std::vector<std::string> names_or_numbers(const std::optional<std::vector<std::string>>& names, Eigen::Index count) {
  if (names) {
    if (static_cast<Eigen::Index>(names->size()) != count)
      throw std::invalid_argument("strategies has " + std::to_string(names->size()) + " names for " + std::to_string(count) + " columns");
    return *names;
  }
  std::vector<std::string> numbered;
  for (Eigen::Index k = 0; k < count; ++k) numbered.push_back(std::to_string(k));
  return numbered;
}

void check_same_shape(const Eigen::MatrixXd& costs, const Eigen::MatrixXd& effects) {
  if (costs.rows() != effects.rows() || costs.cols() != effects.cols())
    throw std::invalid_argument("costs and effects must have the same shape (draws x strategies)");
}

// ---- Results ---------------------------------------------------------------------------------

// With target_mcse: {'target_mcse', 'met', 'achieved_mcse', 'individuals', 'individuals_tried'}.
py::dict sizing_dict(const hemsim::SizedAnalysis& sized, double target_mcse) {
  return py::dict("target_mcse"_a = target_mcse, "met"_a = sized.met, "achieved_mcse"_a = sized.achieved_mcse,
                  "individuals"_a = sized.individuals, "individuals_tried"_a = sized.individuals_tried);
}

struct RunResult {
  hemsim::RunResults results;
  std::string json;
  py::object precision = py::none();  // when target_mcse sized the run

  std::size_t perspective_index(const std::optional<std::string>& perspective) const {
    if (!perspective) return 0;
    for (std::size_t p = 0; p < results.perspectives.size(); ++p)
      if (results.perspectives[p] == *perspective) return p;
    throw std::invalid_argument("no perspective named '" + *perspective + "'");
  }

  // One row per strategy: discounted costs (in `perspective`), QALYs and life-years, each with its MCSE.
  py::dict table(const std::optional<std::string>& perspective) const {
    const std::size_t p = perspective_index(perspective);
    std::vector<std::string> names, labels;
    std::vector<double> cost, cost_mcse, qalys, qalys_mcse, life_years, life_years_mcse;
    for (const auto& s : results.strategies) {
      names.push_back(s.name);
      labels.push_back(s.label);
      cost.push_back(s.costs_by_perspective.at(p).discounted.mean);
      cost_mcse.push_back(s.costs_by_perspective.at(p).discounted.mcse);
      qalys.push_back(s.qalys.discounted.mean);
      qalys_mcse.push_back(s.qalys.discounted.mcse);
      life_years.push_back(s.life_years.discounted.mean);
      life_years_mcse.push_back(s.life_years.discounted.mcse);
    }
    return py::dict("strategy"_a = names, "label"_a = labels, "cost"_a = numpy(cost), "cost_mcse"_a = numpy(cost_mcse),
                    "qalys"_a = numpy(qalys), "qalys_mcse"_a = numpy(qalys_mcse), "life_years"_a = numpy(life_years),
                    "life_years_mcse"_a = numpy(life_years_mcse));
  }
};

py::object incremental_table_columns(const hemsim::IncrementalTable& table) {
  std::vector<std::string> strategy, status;
  std::vector<std::vector<std::string>> dominated_by;
  std::vector<std::optional<std::string>> compared_with;
  std::vector<double> cost, effect, incremental_cost, incremental_effect, icer;
  for (const auto& row : table.rows) {
    strategy.push_back(row.strategy);
    status.push_back(hemsim::to_string(row.status));
    compared_with.push_back(row.compared_with);
    cost.push_back(row.cost);
    effect.push_back(row.effect);
    incremental_cost.push_back(row.incremental_cost.value_or(kNaN));
    incremental_effect.push_back(row.incremental_effect.value_or(kNaN));
    icer.push_back(row.icer.value_or(kNaN));
    dominated_by.push_back(row.dominated_by);
  }
  return decision_result(
      py::dict("strategy"_a = strategy, "cost"_a = numpy(cost), "effect"_a = numpy(effect), "status"_a = status,
               "compared_with"_a = compared_with, "incremental_cost"_a = numpy(incremental_cost),
               "incremental_effect"_a = numpy(incremental_effect), "icer"_a = numpy(icer), "dominated_by"_a = dominated_by),
      hemsim::to_json(table));
}

struct PsaResult {
  hemsim::EmbeddedPsa run;
  std::string json;
  std::string sizing_json;  // inner_sample.json, when max_noise_share sized the PSA

  // Long format, one row per draw and strategy: cost (first perspective) and effect.
  py::dict table() const {
    const auto& psa = run.psa;
    std::vector<std::int64_t> draw;
    std::vector<std::string> strategy;
    std::vector<double> cost, effect;
    for (Eigen::Index d = 0; d < psa.effects.rows(); ++d)
      for (Eigen::Index k = 0; k < psa.effects.cols(); ++k) {
        draw.push_back(d + 1);
        strategy.push_back(psa.strategies[static_cast<std::size_t>(k)]);
        cost.push_back(psa.costs.at(0)(d, k));
        effect.push_back(psa.effects(d, k));
      }
    return py::dict("draw"_a = py::array_t<std::int64_t>(static_cast<py::ssize_t>(draw.size()), draw.data()), "strategy"_a = strategy,
                    "cost"_a = numpy(cost), "effect"_a = numpy(effect));
  }

  py::list evppi() const {
    py::list out;
    for (std::size_t g = 0; g < run.evppi.results.size(); ++g) {
      const auto& r = run.evppi.results[g];
      out.append(py::dict("parameters"_a = run.evppi.groups[g], "method"_a = r.method, "wtp"_a = numpy(r.wtp), "evppi"_a = numpy(r.evppi),
                          "standard_error"_a = numpy(r.standard_error)));
    }
    return out;
  }
};

struct DsaResult {
  hemsim::DsaReport report;
  std::string json;
  py::object precision = py::none();  // when target_mcse sized the analysis

  // Tornado rows, largest swing in incremental net benefit first.
  py::dict table() const {
    std::vector<std::string> parameter;
    std::vector<double> base, low, high, low_nb, high_nb, swing, swing_mcse;
    std::vector<bool> within_noise;
    if (report.one_way)
      for (const auto& row : report.one_way->parameters) {
        parameter.push_back(row.parameter);
        base.push_back(row.base_value);
        low.push_back(row.low_value);
        high.push_back(row.high_value);
        low_nb.push_back(row.low.incremental_net_benefit);
        high_nb.push_back(row.high.incremental_net_benefit);
        swing.push_back(row.net_benefit_swing);
        swing_mcse.push_back(row.swing_mcse);
        within_noise.push_back(row.within_noise);
      }
    return py::dict("parameter"_a = parameter, "base_value"_a = numpy(base), "low_value"_a = numpy(low), "high_value"_a = numpy(high),
                    "low_net_benefit"_a = numpy(low_nb), "high_net_benefit"_a = numpy(high_nb), "swing"_a = numpy(swing),
                    "swing_mcse"_a = numpy(swing_mcse), "within_noise"_a = within_noise);
  }
};

struct PriceResult {
  hemsim::DsaReport report;
  std::string json;
  py::object precision = py::none();  // when target_mcse sized the analysis

  py::dict table() const {
    std::vector<double> wtp, price, mcse, low95, high95, check_icer;
    std::vector<std::string> next_best;
    for (const auto& p : report.prices) {
      wtp.push_back(p.willingness_to_pay);
      price.push_back(p.price);
      mcse.push_back(p.price_mcse);
      low95.push_back(p.price_low95());
      high95.push_back(p.price_high95());
      check_icer.push_back(p.check_icer);
      next_best.push_back(report.strategies.at(static_cast<std::size_t>(p.next_best)));
    }
    return py::dict("wtp"_a = numpy(wtp), "price"_a = numpy(price), "price_mcse"_a = numpy(mcse), "price_low95"_a = numpy(low95),
                    "price_high95"_a = numpy(high95), "next_best"_a = next_best, "check_icer"_a = numpy(check_icer));
  }
};

// ---- Entry points ------------------------------------------------------------------------------

RunResult run(const py::object& scenario, const std::string& method, std::uint64_t individuals, std::optional<std::uint64_t> seed,
              int threads, const std::optional<py::dict>& set, const py::object& progress, const py::object& cancel,
              std::optional<double> target_mcse, const std::string& target_measure, std::uint64_t max_individuals) {
  const hemsim::Scenario loaded = scenario_from(scenario);
  const hemsim::ParameterChanges changes = changes_from(set);
  RunResult out;
  if (target_mcse) {
    hemsim::PrecisionTarget target;
    target.mcse = *target_mcse;
    target.measure = hemsim::increment_measure_named(target_measure);
    target.max_individuals = max_individuals;
    hemsim::PrecisionRun sized = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
      return hemsim::embedded_run_to_precision(loaded, changes, options, target);
    });
    out.results = std::move(sized.results);
    py::dict precision = sizing_dict(sized, target.mcse);
    precision["measure"] = target_measure;
    out.precision = precision;
  } else {
    out.results = call_library({method, individuals, seed, threads}, progress, cancel,
                               [&](const hemsim::EmbeddedOptions& options) { return hemsim::embedded_run(loaded, changes, options); });
  }
  out.json = hemsim::results_to_json(out.results);
  return out;
}

// evppi=["p1", ["p2", "p3"]]: one group per item, a name or a list of names.
std::vector<std::vector<std::string>> evppi_groups_from(const std::optional<py::list>& evppi) {
  std::vector<std::vector<std::string>> groups;
  if (!evppi) return groups;
  for (const auto& item : *evppi) {
    if (py::isinstance<py::str>(item))
      groups.push_back({item.cast<std::string>()});
    else
      groups.push_back(item.cast<std::vector<std::string>>());
  }
  return groups;
}

PsaResult psa(const py::object& scenario, std::uint64_t draws, const std::string& method, std::uint64_t individuals,
              std::optional<std::uint64_t> seed, int threads, const std::optional<py::dict>& set, const std::optional<py::list>& evppi,
              const py::object& progress, const py::object& cancel, std::optional<double> max_noise_share,
              const std::vector<std::string>& noise_strategies, std::uint64_t pilot_draws, double noise_confidence,
              std::uint64_t max_individuals) {
  if (draws < 2) throw std::invalid_argument("a PSA needs at least 2 draws");
  if (pilot_draws < 2) throw std::invalid_argument("the pilot needs at least 2 draws");
  const hemsim::Scenario loaded = scenario_from(scenario);
  const hemsim::ParameterChanges changes = changes_from(set);
  const auto groups = evppi_groups_from(evppi);
  hemsim::NoiseShareTarget sizing;
  if (max_noise_share) {
    if (!(*max_noise_share > 0)) throw std::invalid_argument("max_noise_share must be between 0 and 1 (exclusive)");
    sizing = {*max_noise_share, noise_strategies, pilot_draws, noise_confidence, max_individuals};
  }
  PsaResult out;
  out.run = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
    return hemsim::embedded_psa(loaded, changes, options, draws, groups, sizing);
  });
  if (out.run.sizing) out.sizing_json = hemsim::inner_sample_size_json(*out.run.sizing);
  out.json = hemsim::psa_to_json(out.run.psa);
  return out;
}

DsaResult dsa(const py::object& scenario, const std::optional<std::string>& strategy, const std::optional<std::string>& comparator,
              double wtp, const std::string& method, std::uint64_t individuals, std::optional<std::uint64_t> seed, int threads,
              const std::optional<py::dict>& set, const py::object& progress, const py::object& cancel, std::optional<double> target_mcse,
              std::uint64_t max_individuals) {
  const hemsim::Scenario loaded = scenario_from(scenario);
  const hemsim::ParameterChanges changes = changes_from(set);
  const hemsim::Comparison comparison{strategy.value_or(""), comparator.value_or(""), wtp};
  DsaResult out;
  if (target_mcse) {
    hemsim::SizedReport sized = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
      return hemsim::embedded_one_way_to_precision(loaded, changes, options, comparison, *target_mcse, max_individuals);
    });
    out.report = std::move(sized.report);
    out.precision = sizing_dict(sized.sizing, *target_mcse);
  } else {
    out.report = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
      return hemsim::embedded_one_way(loaded, changes, options, comparison);
    });
  }
  out.json = hemsim::dsa_to_json(out.report);
  return out;
}

PriceResult price(const py::object& scenario, const std::string& parameter, const std::optional<std::string>& strategy,
                  const std::vector<double>& wtp, const std::string& method, std::uint64_t individuals, std::optional<std::uint64_t> seed,
                  int threads, const std::optional<py::dict>& set, const py::object& progress, const py::object& cancel,
                  std::optional<double> target_mcse, std::uint64_t max_individuals) {
  const hemsim::Scenario loaded = scenario_from(scenario);
  const hemsim::ParameterChanges changes = changes_from(set);
  const hemsim::Comparison comparison{strategy.value_or(""), "", 0.0};
  PriceResult out;
  if (target_mcse) {
    hemsim::SizedReport sized = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
      return hemsim::embedded_price_to_precision(loaded, changes, options, comparison, parameter, wtp, *target_mcse, max_individuals);
    });
    out.report = std::move(sized.report);
    out.precision = sizing_dict(sized.sizing, *target_mcse);
  } else {
    out.report = call_library({method, individuals, seed, threads}, progress, cancel, [&](const hemsim::EmbeddedOptions& options) {
      return hemsim::embedded_price(loaded, changes, options, comparison, parameter, wtp);
    });
  }
  out.json = hemsim::dsa_to_json(out.report);
  return out;
}

// ---- Decision functions on numpy arrays ---------------------------------------------------------

using Array = py::array_t<double, py::array::c_style | py::array::forcecast>;

py::object incremental_table(const std::vector<std::string>& strategies, const std::vector<double>& costs,
                             const std::vector<double>& effects) {
  return incremental_table_columns(hemsim::incremental_table(strategies, costs, effects));
}

// {strategy name: net benefit per draw}: a DataFrame with one column per strategy.
py::dict net_monetary_benefit(const Array& costs, const Array& effects, double wtp,
                              const std::optional<std::vector<std::string>>& strategies) {
  const Eigen::MatrixXd c = matrix_from(costs, "costs"), e = matrix_from(effects, "effects");
  check_same_shape(c, e);
  const auto names = names_or_numbers(strategies, c.cols());
  const Eigen::MatrixXd nmb = hemsim::net_monetary_benefit(c, e, wtp);
  py::dict out;
  for (Eigen::Index k = 0; k < nmb.cols(); ++k) out[py::str(names[static_cast<std::size_t>(k)])] = Eigen::VectorXd(nmb.col(k));
  return out;
}

// {"wtp": thresholds, strategy name: probability cost-effective at each, ...}, with the
// frontier's optimal strategy and its probability.
py::object acceptability_curves(const Array& costs, const Array& effects, const std::vector<double>& wtp,
                                const std::optional<std::vector<std::string>>& strategies) {
  const Eigen::MatrixXd c = matrix_from(costs, "costs"), e = matrix_from(effects, "effects");
  check_same_shape(c, e);
  const auto names = names_or_numbers(strategies, c.cols());
  hemsim::AcceptabilityCurves labelled;
  std::vector<hemsim::AcceptabilityFrontierPoint> frontier;
  {
    py::gil_scoped_release release;
    labelled = hemsim::acceptability_curves(names, c, e, wtp);
    frontier = hemsim::acceptability_frontier(c, e, wtp);
  }
  const Eigen::MatrixXd& curves = labelled.probability;
  py::dict out;
  out["wtp"] = numpy(wtp);
  for (Eigen::Index k = 0; k < curves.cols(); ++k) out[py::str(names[static_cast<std::size_t>(k)])] = Eigen::VectorXd(curves.col(k));
  std::vector<std::string> optimal;
  std::vector<double> probability;
  for (const auto& point : frontier) {
    optimal.push_back(names[static_cast<std::size_t>(point.optimal_strategy)]);
    probability.push_back(point.probability);
  }
  out["optimal"] = optimal;
  out["frontier_probability"] = numpy(probability);
  return decision_result(out, hemsim::to_json(labelled));
}

py::dict evpi(const Array& costs, const Array& effects, const std::vector<double>& wtp) {
  const Eigen::MatrixXd c = matrix_from(costs, "costs"), e = matrix_from(effects, "effects");
  check_same_shape(c, e);
  return py::dict("wtp"_a = numpy(wtp), "evpi"_a = numpy(hemsim::expected_value_of_perfect_information(c, e, wtp)));
}

py::dict evppi(const Array& costs, const Array& effects, const Array& parameters, const std::vector<double>& wtp, int reference) {
  const Eigen::MatrixXd c = matrix_from(costs, "costs"), e = matrix_from(effects, "effects");
  check_same_shape(c, e);
  Eigen::MatrixXd theta;
  if (parameters.ndim() == 1)  // one parameter: a vector of draws
    theta = Eigen::Map<const Eigen::VectorXd>(parameters.data(), parameters.shape(0));
  else
    theta = matrix_from(parameters, "parameters");
  if (theta.rows() != c.rows()) throw std::invalid_argument("parameters must have one row per draw");
  if (reference < 0 || reference >= c.cols()) throw std::invalid_argument("reference is not a strategy column");
  hemsim::EvppiResult r;
  {
    py::gil_scoped_release release;
    r = hemsim::expected_value_of_partial_perfect_information(c, e, theta, wtp, reference);
  }
  return decision_result(
      py::dict("wtp"_a = numpy(r.wtp), "evppi"_a = numpy(r.evppi), "standard_error"_a = numpy(r.standard_error), "method"_a = r.method),
      hemsim::to_json(r));
}

// ---- Decision outputs labelled by strategy (decision_outputs.hpp) ------------------------------

struct LabelledDraws {
  std::vector<std::string> names;
  Eigen::MatrixXd costs, effects;
};

LabelledDraws labelled_draws(const Array& costs, const Array& effects, const std::optional<std::vector<std::string>>& strategies) {
  LabelledDraws d{{}, matrix_from(costs, "costs"), matrix_from(effects, "effects")};
  check_same_shape(d.costs, d.effects);
  d.names = names_or_numbers(strategies, d.costs.cols());
  return d;
}

// {"wtp": thresholds, name: value at each threshold, ...} from thresholds x strategies.
py::dict curves_by_name(const std::vector<std::string>& names, const std::vector<double>& wtp, const Eigen::MatrixXd& by_threshold) {
  py::dict out;
  out["wtp"] = numpy(wtp);
  for (Eigen::Index k = 0; k < by_threshold.cols(); ++k)
    out[py::str(names[static_cast<std::size_t>(k)])] = Eigen::VectorXd(by_threshold.col(k));
  return out;
}

// One row per strategy other than the reference: incremental cost and effect with their
// intervals, the ICER (NaN when the mean incremental effect is zero) and its interval (NaN
// when the incremental effect changes sign across draws). The net benefit by threshold is
// the attribute incremental_net_benefit: {name: {"mean", "lower", "upper"} over wtp}.
py::object compare_with_reference(const Array& costs, const Array& effects, const py::object& reference, const std::vector<double>& wtp,
                                  const std::optional<std::vector<std::string>>& strategies, double interval_level) {
  const LabelledDraws d = labelled_draws(costs, effects, strategies);
  std::string reference_name;
  if (py::isinstance<py::str>(reference))
    reference_name = reference.cast<std::string>();
  else if (py::isinstance<py::int_>(reference) && !py::isinstance<py::bool_>(reference)) {
    const auto k = reference.cast<long long>();
    if (k < 0 || k >= static_cast<long long>(d.names.size())) throw std::invalid_argument("reference is not a strategy column");
    reference_name = d.names[static_cast<std::size_t>(k)];
  } else
    throw py::type_error("reference must be a strategy name (str) or a column (int)");
  hemsim::ReferenceComparisons r;
  {
    py::gil_scoped_release release;
    r = hemsim::compare_with_reference(d.names, d.costs, d.effects, reference_name, wtp, interval_level);
  }
  std::vector<std::string> strategy;
  std::vector<double> cost, cost_lower, cost_upper, effect, effect_lower, effect_upper, icer, icer_lower, icer_upper;
  py::dict net_benefit;
  for (const auto& c : r.comparisons) {
    strategy.push_back(c.strategy);
    cost.push_back(c.incremental_cost.mean);
    cost_lower.push_back(c.incremental_cost.lower);
    cost_upper.push_back(c.incremental_cost.upper);
    effect.push_back(c.incremental_effect.mean);
    effect_lower.push_back(c.incremental_effect.lower);
    effect_upper.push_back(c.incremental_effect.upper);
    icer.push_back(c.icer.value_or(kNaN));
    icer_lower.push_back(c.icer_lower.value_or(kNaN));
    icer_upper.push_back(c.icer_upper.value_or(kNaN));
    std::vector<double> mean, lower, upper;
    for (const auto& s : c.incremental_net_benefit) {
      mean.push_back(s.mean);
      lower.push_back(s.lower);
      upper.push_back(s.upper);
    }
    net_benefit[py::str(c.strategy)] = py::dict("mean"_a = numpy(mean), "lower"_a = numpy(lower), "upper"_a = numpy(upper));
  }
  py::dict columns("strategy"_a = strategy, "incremental_cost"_a = numpy(cost), "incremental_cost_lower"_a = numpy(cost_lower),
                   "incremental_cost_upper"_a = numpy(cost_upper), "incremental_effect"_a = numpy(effect),
                   "incremental_effect_lower"_a = numpy(effect_lower), "incremental_effect_upper"_a = numpy(effect_upper),
                   "icer"_a = numpy(icer), "icer_lower"_a = numpy(icer_lower), "icer_upper"_a = numpy(icer_upper));
  return decision_result(columns, hemsim::to_json(r),
                         py::dict("reference"_a = r.reference, "interval_level"_a = r.interval_level, "wtp"_a = numpy(r.wtp),
                                  "incremental_net_benefit"_a = net_benefit));
}

// Long format, one row per threshold and ordered pair: {"wtp", "strategy", "comparator",
// "probability"}; attributes strategies, wtp and probability (thresholds x strategies x
// strategies, [w, i, j] = P(strategy i beats j)).
py::object pairwise_acceptability(const Array& costs, const Array& effects, const std::vector<double>& wtp,
                                  const std::optional<std::vector<std::string>>& strategies) {
  const LabelledDraws d = labelled_draws(costs, effects, strategies);
  hemsim::PairwiseAcceptability r;
  {
    py::gil_scoped_release release;
    r = hemsim::pairwise_acceptability(d.names, d.costs, d.effects, wtp);
  }
  const auto n = static_cast<py::ssize_t>(d.names.size());
  py::array_t<double> cube({static_cast<py::ssize_t>(wtp.size()), n, n});
  auto view = cube.mutable_unchecked<3>();
  std::vector<double> at, probability;
  std::vector<std::string> strategy, comparator;
  for (std::size_t w = 0; w < wtp.size(); ++w)
    for (py::ssize_t i = 0; i < n; ++i)
      for (py::ssize_t j = 0; j < n; ++j) {
        const double p = r.probability[w](i, j);
        view(static_cast<py::ssize_t>(w), i, j) = p;
        if (i == j) continue;
        at.push_back(wtp[w]);
        strategy.push_back(d.names[static_cast<std::size_t>(i)]);
        comparator.push_back(d.names[static_cast<std::size_t>(j)]);
        probability.push_back(p);
      }
  return decision_result(
      py::dict("wtp"_a = numpy(at), "strategy"_a = strategy, "comparator"_a = comparator, "probability"_a = numpy(probability)),
      hemsim::to_json(r), py::dict("strategies"_a = d.names, "wtp"_a = numpy(wtp), "probability"_a = cube));
}

py::object expected_loss_curves(const Array& costs, const Array& effects, const std::vector<double>& wtp,
                                const std::optional<std::vector<std::string>>& strategies) {
  const LabelledDraws d = labelled_draws(costs, effects, strategies);
  hemsim::ExpectedLossCurves r;
  {
    py::gil_scoped_release release;
    r = hemsim::expected_loss_curves(d.names, d.costs, d.effects, wtp);
  }
  return decision_result(curves_by_name(d.names, wtp, r.expected_loss), hemsim::to_json(r));
}

// From draws (2-D, draws x strategies: their means) or expected values (1-D).
py::object optimal_strategy_switches(const Array& costs, const Array& effects, const std::optional<std::vector<std::string>>& strategies) {
  std::vector<hemsim::OptimalStrategySwitch> switches;
  if (costs.ndim() == 1 && effects.ndim() == 1) {
    const std::vector<double> c(costs.data(), costs.data() + costs.shape(0)), e(effects.data(), effects.data() + effects.shape(0));
    if (c.size() != e.size()) throw std::invalid_argument("costs and effects must have the same length");
    switches = hemsim::optimal_strategy_switches(names_or_numbers(strategies, static_cast<Eigen::Index>(c.size())), c, e);
  } else {
    const LabelledDraws d = labelled_draws(costs, effects, strategies);
    switches = hemsim::optimal_strategy_switches(d.names, d.costs, d.effects);
  }
  std::vector<double> wtp;
  std::vector<std::string> from, to;
  for (const auto& s : switches) {
    wtp.push_back(s.wtp);
    from.push_back(s.from);
    to.push_back(s.to);
  }
  return decision_result(py::dict("wtp"_a = numpy(wtp), "from"_a = from, "to"_a = to), hemsim::to_json(switches));
}

}  // namespace

PYBIND11_MODULE(hemsim, m) {
  m.doc() = "hemsim: health-economic evaluation by Markov microsimulation (docs/embedding.md)";
  m.attr("__version__") = hemsim::kVersion;

  py::register_exception<hemsim::ScenarioError>(m, "ScenarioError", PyExc_ValueError);
  py::register_exception<hemsim::Cancelled>(m, "Cancelled", PyExc_RuntimeError);

  py::class_<PyScenario>(m, "Scenario", "A loaded and checked scenario, reusable across calls.")
      .def_property_readonly("name", [](const PyScenario& s) { return s.scenario.name; })
      .def_property_readonly("file", [](const PyScenario& s) { return s.scenario.file; })
      .def_property_readonly("strategies",
                             [](const PyScenario& s) {
                               std::vector<std::string> names;
                               for (const auto& st : s.scenario.strategies) names.push_back(st.name);
                               return names;
                             })
      .def_property_readonly("parameters",
                             [](const PyScenario& s) {
                               std::vector<std::string> names;
                               for (const auto& p : s.scenario.parameters) names.push_back(p.name);
                               return names;
                             })
      .def_static(
          "from_yaml",
          [](const std::string& text, const std::string& file_name) { return PyScenario{hemsim::parse_scenario(text, file_name)}; },
          "text"_a, "file_name"_a = "<text>", "A scenario from YAML text; file_name names it in messages and locates its tables.")
      .def("__repr__", [](const PyScenario& s) { return "<hemsim.Scenario '" + s.scenario.name + "'>"; });
  m.def(
      "load", [](const py::object& path) { return PyScenario{scenario_from(path)}; }, "path"_a, "Loads and checks a scenario file.");

  py::class_<RunResult>(m, "RunResult", "Results of hemsim.run: per-strategy means with Monte Carlo standard errors.")
      .def_property_readonly(
          "json", [](const RunResult& r) { return r.json; }, "results.json as text (docs/results-format.md)")
      .def(
          "to_dict", [](const RunResult& r) { return parsed_json(r.json); }, "results.json as a dict")
      .def_property_readonly(
          "precision", [](const RunResult& r) { return r.precision; },
          "with target_mcse: {'target_mcse', 'measure', 'met', 'achieved_mcse', 'individuals', 'individuals_tried'}; else None")
      .def("table", &RunResult::table, "perspective"_a = py::none(),
           "A dict of columns, one row per strategy (pandas.DataFrame accepts it); costs in `perspective` (default: the first)")
      .def(
          "incremental_table",
          [](const RunResult& r, const std::optional<std::string>& perspective) {
            return incremental_table_columns(r.results.incremental_tables.at(r.perspective_index(perspective)));
          },
          "perspective"_a = py::none(), "The incremental table with dominance, as a dict of columns")
      .def_property_readonly("strategies",
                             [](const RunResult& r) {
                               std::vector<std::string> names;
                               for (const auto& s : r.results.strategies) names.push_back(s.name);
                               return names;
                             })
      .def_property_readonly("perspectives", [](const RunResult& r) { return r.results.perspectives; })
      .def_property_readonly("method", [](const RunResult& r) { return r.results.method; })
      .def_property_readonly("individuals", [](const RunResult& r) { return r.results.individuals; })
      .def_property_readonly("seed", [](const RunResult& r) { return r.results.seed; });

  // costs, effects and parameter_values are read-only views into the result (no copy of a
  // large PSA); each keeps the result alive.
  py::class_<PsaResult>(m, "PsaResult", "Results of hemsim.psa: draws x strategies tables.")
      .def_property_readonly(
          "json", [](const PsaResult& r) { return r.json; }, "psa.json as text")
      .def("to_dict", [](const PsaResult& r) { return parsed_json(r.json); })
      .def_property_readonly(
          "sizing", [](const PsaResult& r) { return r.sizing_json.empty() ? py::object(py::none()) : parsed_json(r.sizing_json); },
          "the inner sample's sizing when max_noise_share was given (inner_sample.json as a dict), else None")
      .def("table", &PsaResult::table, "One row per draw and strategy: cost (first perspective) and effect")
      .def_property_readonly("strategies", [](const PsaResult& r) { return r.run.psa.strategies; })
      .def_property_readonly("perspectives", [](const PsaResult& r) { return r.run.psa.perspectives; })
      .def_property_readonly("effect_measure", [](const PsaResult& r) { return r.run.psa.effect_measure; })
      .def_property_readonly(
          "costs", [](const PsaResult& r) -> const Eigen::MatrixXd& { return r.run.psa.costs.at(0); },
          "draws x strategies, first perspective")
      .def_property_readonly("costs_by_perspective",
                             [](const PsaResult& r) {
                               py::dict out;
                               for (std::size_t p = 0; p < r.run.psa.perspectives.size(); ++p)
                                 out[py::str(r.run.psa.perspectives[p])] = r.run.psa.costs[p];
                               return out;
                             })
      .def_property_readonly(
          "effects", [](const PsaResult& r) -> const Eigen::MatrixXd& { return r.run.psa.effects; }, "draws x strategies, the ICER measure")
      .def_property_readonly("parameters", [](const PsaResult& r) { return r.run.psa.parameters; })
      .def_property_readonly(
          "parameter_values", [](const PsaResult& r) -> const Eigen::MatrixXd& { return r.run.psa.parameter_values; }, "draws x parameters")
      .def_property_readonly("evppi", &PsaResult::evppi, "per group: parameters, wtp, evppi, standard_error");

  py::class_<DsaResult>(m, "DsaResult", "Results of hemsim.dsa (one-way).")
      .def_property_readonly(
          "json", [](const DsaResult& r) { return r.json; }, "dsa.json as text")
      .def("to_dict", [](const DsaResult& r) { return parsed_json(r.json); })
      .def("table", &DsaResult::table, "Tornado rows as a dict of columns, largest swing first")
      .def_property_readonly(
          "precision", [](const DsaResult& r) { return r.precision; }, "with target_mcse: how the individuals were sized; else None");

  py::class_<PriceResult>(m, "PriceResult", "Results of hemsim.price: the value-based price at each threshold.")
      .def_property_readonly(
          "json", [](const PriceResult& r) { return r.json; }, "dsa.json as text")
      .def("to_dict", [](const PriceResult& r) { return parsed_json(r.json); })
      .def("table", &PriceResult::table, "One row per threshold: price, its MCSE and 95 % interval, next best strategy")
      .def_property_readonly(
          "precision", [](const PriceResult& r) { return r.precision; }, "with target_mcse: how the individuals were sized; else None");

  m.def("run", &run, "scenario"_a, py::kw_only(), "method"_a = "microsim", "individuals"_a = 0, "seed"_a = py::none(), "threads"_a = 0,
        "set"_a = py::none(), "progress"_a = py::none(), "cancel"_a = py::none(), "target_mcse"_a = py::none(),
        "target_measure"_a = "effects", "max_individuals"_a = hemsim::kDefaultMaxIndividuals,
        "Runs a scenario (path or Scenario), as `hemsim run`. set={'name': value or 'formula'}; progress(fraction); "
        "cancel() -> True stops with hemsim.Cancelled; Ctrl-C raises KeyboardInterrupt. target_mcse simulates until every "
        "increment's MCSE (target_measure: effects, costs or net_benefit) is at most it, as `--target-mcse`; the result's "
        "`precision` says how.");
  m.def("psa", &psa, "scenario"_a, py::kw_only(), "draws"_a = 1000, "method"_a = "microsim", "individuals"_a = 0, "seed"_a = py::none(),
        "threads"_a = 0, "set"_a = py::none(), "evppi"_a = py::none(), "progress"_a = py::none(), "cancel"_a = py::none(),
        "max_noise_share"_a = py::none(), "noise_strategies"_a = std::vector<std::string>{}, "pilot_draws"_a = 50,
        "noise_confidence"_a = hemsim::kNoiseShareConfidence, "max_individuals"_a = hemsim::kDefaultMaxIndividuals,
        "Probabilistic sensitivity analysis, as `hemsim psa`; evppi=['p', ['q', 'r']] adds EVPPI per group. "
        "max_noise_share sizes the individuals per draw from pilot PSAs as `--max-noise-share` (noise_strategies, pilot_draws, "
        "noise_confidence, max_individuals as the command's options); the result's `sizing` says how.");
  m.def("dsa", &dsa, "scenario"_a, py::kw_only(), "strategy"_a = py::none(), "comparator"_a = py::none(), "wtp"_a = 0.0,
        "method"_a = "microsim", "individuals"_a = 0, "seed"_a = py::none(), "threads"_a = 0, "set"_a = py::none(),
        "progress"_a = py::none(), "cancel"_a = py::none(), "target_mcse"_a = py::none(), "max_individuals"_a = hemsim::kDefaultMaxIndividuals,
        "One-way sensitivity analysis (tornado), as `hemsim dsa`; target_mcse sizes the individuals as `--target-mcse` "
        "(the base case's incremental net benefit), and the result's `precision` says how.");
  m.def("price", &price, "scenario"_a, "parameter"_a, py::kw_only(), "strategy"_a = py::none(), "wtp"_a = std::vector<double>{},
        "method"_a = "microsim", "individuals"_a = 0, "seed"_a = py::none(), "threads"_a = 0, "set"_a = py::none(),
        "progress"_a = py::none(), "cancel"_a = py::none(), "target_mcse"_a = py::none(), "max_individuals"_a = hemsim::kDefaultMaxIndividuals,
        "Value-based price at each threshold, as `hemsim price`; target_mcse sizes the individuals as `--target-mcse` (the "
        "prices' MCSE), and the result's `precision` says how.");

  // dict subclass, so that results are plain dicts of columns that also carry `json`.
  m.attr("DecisionResult") =
      py::module_::import("builtins")
          .attr("type")("DecisionResult", py::make_tuple(py::module_::import("builtins").attr("dict")),
                        py::dict("__module__"_a = "hemsim",
                                 "__doc__"_a = "A decision result: a dict of columns (pandas.DataFrame takes it) with `json`, "
                                               "the library's JSON (docs/results-format.md#decision-results-as-json)"));

  m.def("incremental_table", &incremental_table, "strategies"_a, "costs"_a, "effects"_a,
        "The incremental table with strong and extended dominance, as a dict of columns.");
  m.def("net_monetary_benefit", &net_monetary_benefit, "costs"_a, "effects"_a, "wtp"_a, "strategies"_a = py::none(),
        "Net monetary benefit of a draws x strategies table: {strategy: array over draws}.");
  m.def("acceptability_curves", &acceptability_curves, "costs"_a, "effects"_a, "wtp"_a, "strategies"_a = py::none(),
        "CEAC: {'wtp': ..., strategy: probability at each threshold, 'optimal': ..., 'frontier_probability': ...}.");
  m.def("evpi", &evpi, "costs"_a, "effects"_a, "wtp"_a, "EVPI per person at each threshold: {'wtp', 'evpi'}.");
  m.def("evppi", &evppi, "costs"_a, "effects"_a, "parameters"_a, "wtp"_a, "reference"_a = 0,
        "EVPPI per person for the parameters of interest (draws, or draws x parameters): {'wtp', 'evppi', 'standard_error', 'method'}.");
  m.def("compare_with_reference", &compare_with_reference, "costs"_a, "effects"_a, "reference"_a, "wtp"_a = std::vector<double>{},
        "strategies"_a = py::none(), "interval_level"_a = 0.95,
        "Every strategy against `reference` (name or column): one row each with incremental cost, effect and ICER and their "
        "intervals; .incremental_net_benefit = {name: {'mean', 'lower', 'upper'} over wtp}.");
  m.def("pairwise_acceptability", &pairwise_acceptability, "costs"_a, "effects"_a, "wtp"_a, "strategies"_a = py::none(),
        "P(strategy beats comparator) per threshold and ordered pair (ties count one half), long format; "
        ".probability[w, i, j] as a numpy array.");
  m.def("expected_loss_curves", &expected_loss_curves, "costs"_a, "effects"_a, "wtp"_a, "strategies"_a = py::none(),
        "Expected net benefit forgone by each strategy: {'wtp', name: loss at each threshold}; the minimum at a threshold is the EVPI.");
  m.def("optimal_strategy_switches", &optimal_strategy_switches, "costs"_a, "effects"_a, "strategies"_a = py::none(),
        "Thresholds at which the optimal strategy changes (BCEA's kstar), from draws x strategies (their means) or expected "
        "values: {'wtp', 'from', 'to'}.");
}
