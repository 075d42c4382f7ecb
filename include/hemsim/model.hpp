#pragma once
/// \file model.hpp
/// A scenario compiled for simulation: every expression analysed once for what it
/// depends on and tabulated at the coarsest level that allows (once per draw, per
/// cycle, per age, per time in state, per counter value, per individual). The
/// simulation loop reads only these dense tables.

#include <memory>
#include <string>
#include <vector>

#include "hemsim/parameters.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim {

namespace detail {
struct CompiledModelData;
}

/// Immutable and cheap to copy (shared). Thread-safe to simulate from many threads.
class CompiledModel {
 public:
  explicit CompiledModel(std::shared_ptr<const detail::CompiledModelData> data);
  [[nodiscard]] const detail::CompiledModelData& data() const { return *data_; }
  [[nodiscard]] const Scenario& scenario() const;
  [[nodiscard]] int cycles() const;                 ///< T
  [[nodiscard]] int strategy_count() const;
  /// What each strategy's expressions were tabulated over, for diagnostics (hemsim validate).
  [[nodiscard]] std::vector<std::string> describe_levels() const;

 private:
  std::shared_ptr<const detail::CompiledModelData> data_;
};

/// Evaluates parameters (with `overrides`) for every strategy and compiles the model.
/// Throws ScenarioError for numeric problems found at this stage: a probability outside
/// [0,1], a row whose probabilities do not sum to 1, a negative cost, and so on.
[[nodiscard]] CompiledModel compile_model(const Scenario& scenario,
                                          const ParameterOverrides& overrides = {});

}  // namespace hemsim
