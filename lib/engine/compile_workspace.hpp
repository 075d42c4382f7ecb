#pragma once
// Parsed expressions kept from one compile of a scenario to the next. A PSA compiles the
// same scenario at every draw with other parameter values, and parsing the expressions
// (making a muparser instance for each) was a third of a compile. Only the variables'
// values change between compiles; each compile sets every value it reads before it reads
// it, so a compile in a workspace gives the same bits as a fresh one.

#include <memory>

#include "hemsim/model.hpp"
#include "hemsim/parameters.hpp"
#include "hemsim/scenario.hpp"
#include "scenario/expression_engine.hpp"

namespace hemsim::detail {

class CompileWorkspace {
 public:
  /// Readies the contexts for `scenario` (which must outlive the workspace's use), made
  /// anew when it is another scenario object than last time.
  void bind(const Scenario& scenario) {
    if (scenario_ == &scenario) return;
    scenario_ = &scenario;
    parameters_ = std::make_unique<ExpressionContext>(scenario.tables);
    distributions_ = std::make_unique<ExpressionContext>(scenario.tables);
    model_ = std::make_unique<ExpressionContext>(scenario.tables);
  }
  ExpressionContext& parameters() { return *parameters_; }        ///< evaluate_parameters
  ExpressionContext& distributions() { return *distributions_; }  ///< distribution arguments and ranges
  ExpressionContext& model() { return *model_; }                  ///< the model's quantities

 private:
  const Scenario* scenario_ = nullptr;
  std::unique_ptr<ExpressionContext> parameters_, distributions_, model_;
};

/// compile_model with the parsed expressions of `workspace` (none: fresh contexts).
CompiledModel compile_model_in(CompileWorkspace* workspace, const Scenario& scenario, const ParameterOverrides& overrides);

/// evaluate_parameters with the parsed expressions of `context` (see CompileWorkspace).
ParameterValues evaluate_parameters_in(ExpressionContext& context, const Scenario& scenario, int strategy,
                                       const ParameterOverrides& overrides);

}  // namespace hemsim::detail
