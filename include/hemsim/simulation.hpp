#pragma once
/// \file simulation.hpp
/// Running a compiled model: Markov microsimulation (TBB, common random numbers,
/// counter-based random streams, bit-identical for any thread count) or an
/// expected-value cohort trace. Thread count is the caller's: cap it with
/// tbb::global_control around the call.

#include <cstdint>
#include <functional>
#include <string>

#include "hemsim/model.hpp"
#include "hemsim/results.hpp"

namespace hemsim {

enum class Method { microsimulation, cohort };

[[nodiscard]] std::string to_string(Method method);

struct SimulationOptions {
  Method method = Method::microsimulation;
  std::uint64_t individuals = 0;  ///< 0: the scenario's settings.individuals
  std::uint64_t seed = 0;         ///< 0: the scenario's settings.seed
  bool seed_set = false;          ///< use `seed` even when it is 0
  std::uint32_t draw = 0;         ///< parameter-draw index (keys the random streams)
  /// Called now and then with the fraction done (0..1), from any thread.
  std::function<void(double)> progress;
  /// Polled between blocks of individuals, from any thread; returning true stops the run
  /// with hemsim::Cancelled (nothing is returned or written).
  std::function<bool()> cancelled;
};

/// Simulates every strategy of `model` and fills outcomes, increments and ICER tables.
[[nodiscard]] RunResults simulate(const CompiledModel& model, const SimulationOptions& options);

/// compile_model(scenario) then simulate().
[[nodiscard]] RunResults run_scenario(const Scenario& scenario, const SimulationOptions& options);

}  // namespace hemsim
