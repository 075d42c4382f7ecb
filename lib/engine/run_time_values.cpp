// What the engines evaluate while they run: rows whose probabilities are computed per
// individual or per cycle, expressions evaluated at run time, and the coordinates named
// in their error messages.

#include <cmath>
#include <fmt/format.h>

#include "engine/compiled_model.hpp"
#include "hemsim/error.hpp"

namespace hemsim::detail {

std::string describe_coordinates(const CompiledModelData& model, const int* coords) {
  const Scenario& s = model.scenario;
  std::string out = fmt::format("cycle {}", coords[kCoordT]);
  if (model.age_attribute >= 0) out += fmt::format(", age {:.4g}", (coords[kCoordAge] + model.age_grid_start) * s.settings.cycle_length_years);
  if (model.uses_state_time_any) out += fmt::format(", state_time {}", coords[kCoordStateTime]);
  for (std::size_t c = 0; c < s.counters.size(); ++c)
    out += fmt::format(", {} {}", s.counters[c].name, coords[kFirstCounterCoord + static_cast<int>(c)]);
  for (std::size_t a = 0; a < s.attributes.size(); ++a)
    if (model.discrete_attribute_coordinate[a] >= 0)
      out += fmt::format(", {} {}", s.attributes[a].name, coords[model.discrete_attribute_coordinate[a]]);
  return out;
}

void row_probabilities(const CompiledModelData& model, const StrategyModel&, const Row& row, const int* coords,
                       const double* individual, RuntimeEvaluator* runtime, double* probabilities) {
  const std::size_t n = row.outcomes.size();
  const std::size_t explicit_count = row.probabilities.size();
  double survive = 1.0;
  double sum = 0.0;
  for (std::size_t j = 0; j < explicit_count; ++j) {
    double p = quantity_value(model, row.probabilities[j], coords, individual, runtime);
    if (row.has_background) {
      if (j == 0) survive = 1.0 - p;
      else p *= survive;
    }
    probabilities[j] = p;
    sum += p;
  }
  if (row.has_complement) {
    const double rest = 1.0 - sum;
    if (rest < -kProbabilitySumTolerance)
      throw ScenarioError(row.where, fmt::format("probabilities sum to {:.12g}, above 1, at {}", sum, describe_coordinates(model, coords)),
                          "probabilities summing to at most 1 beside the complement");
    probabilities[n - 1] = std::max(0.0, rest);
  } else if (std::abs(sum - 1.0) > kProbabilitySumTolerance) {
    throw ScenarioError(row.where, fmt::format("probabilities sum to {:.12g} at {}, and the row has no complement", sum,
                                               describe_coordinates(model, coords)),
                        "probabilities summing to 1, or a 'complement' entry");
  }
}

double evaluate_at_run_time(RuntimeEvaluator* runtime, const Quantity& q, const int* coords) {
  if (!runtime) throw InternalError("a run-time expression was reached without an evaluator");
  return runtime->evaluate(q, coords);
}

RuntimeEvaluator::RuntimeEvaluator(const CompiledModelData& model, int strategy)
    : model_(model), context_(std::make_unique<ExpressionContext>(model.scenario.tables)) {
  const Scenario& s = model.scenario;
  const StrategyModel& sm = model.strategies[static_cast<std::size_t>(strategy)];
  for (std::size_t i = 0; i < s.parameters.size(); ++i) context_->value(context_->declare(s.parameters[i].name)) = sm.parameters.values[i];
  for (std::size_t a = 0; a < s.attributes.size(); ++a) {
    attribute_slots_.push_back(context_->declare(s.attributes[a].name));
    if (sm.attributes[a].kind == DistributionKind::fixed) context_->value(attribute_slots_.back()) = sm.attributes[a].a;
  }
  for (const auto& c : s.counters) counter_slots_.push_back(context_->declare(c.name));
  t_slot_ = context_->declare("t");
  time_slot_ = context_->declare("time");
  state_time_slot_ = context_->declare("state_time");
  context_->value(context_->declare("cycle_years")) = s.settings.cycle_length_years;
  if (model.age_attribute >= 0) age_slot_ = attribute_slots_[static_cast<std::size_t>(model.age_attribute)];
  for (const auto& r : sm.runtime_expressions) expression_ids_.push_back(context_->compile(r.expression, r.what));
}

void RuntimeEvaluator::set_attributes(const double* values) {
  for (std::size_t a = 0; a < attribute_slots_.size(); ++a) context_->value(attribute_slots_[a]) = values[a];
}

double RuntimeEvaluator::evaluate(const Quantity& q, const int* coords) {
  const double cy = model_.scenario.settings.cycle_length_years;
  context_->value(t_slot_) = coords[kCoordT];
  context_->value(time_slot_) = coords[kCoordT] * cy;
  context_->value(state_time_slot_) = coords[kCoordStateTime];
  if (age_slot_ >= 0) context_->value(age_slot_) = (coords[kCoordAge] + model_.age_grid_start) * cy;
  for (std::size_t c = 0; c < counter_slots_.size(); ++c)
    context_->value(counter_slots_[c]) = coords[kFirstCounterCoord + static_cast<int>(c)];
  for (std::size_t a = 0; a < attribute_slots_.size(); ++a)
    if (model_.discrete_attribute_coordinate[a] >= 0)
      context_->value(attribute_slots_[a]) = coords[model_.discrete_attribute_coordinate[a]];
  const double v = context_->evaluate(expression_ids_[static_cast<std::size_t>(q.slot)]);
  if (!passes(q.check, v)) {
    const auto& source = context_->source(expression_ids_[static_cast<std::size_t>(q.slot)]);
    check_value(q.check, v, source.where, source.text, describe_coordinates(model_, coords));
  }
  return v;
}

}  // namespace hemsim::detail
