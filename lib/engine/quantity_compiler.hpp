#pragma once
// Compiles one strategy's expressions into quantities (engine/compiled_model.hpp,
// Quantity): each is tabulated over the coordinates it reads (t, age, state time,
// counters, discrete attributes), at the coarsest level its dependencies allow, or left to
// run time when it reads a continuous attribute or its table would be too large.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/compiled_model.hpp"
#include "scenario/expression_engine.hpp"

namespace hemsim::detail {

/// Tables already built, keyed by expression text, check, grid and the values of the
/// constants the expression reads: states and strategies that share an expression (and
/// the parameter values it uses) share one table instead of tabulating it again.
using TableCache = std::map<std::string, std::uint32_t>;

class QuantityCompiler {
 public:
  /// `context` is shared by the strategies' compilers (one after the other), so that an
  /// expression is parsed once per model, not once per strategy.
  QuantityCompiler(CompiledModelData& model, int strategy, ExpressionContext& context, TableCache& cache);

  /// Compiles `e` into a quantity; `what` names it in messages (e.g. "transition S1 -> S2").
  /// Tables are checked with `check` wherever the model can reach them (ScenarioError).
  Quantity compile(const Expression& e, const std::string& what, ValueCheck check, bool allow_runtime = true);

  const CompiledModelData& model() const { return m_; }

  /// Entries a table of `e` would hold; 0 when it would be evaluated at run time (it reads
  /// continuous attributes or exceeds the table limit).
  std::size_t entries_if_tabulated(const Expression& e, const std::string& what);

 private:
  enum class Role { constant, t, time, age, state_time, counter, discrete, continuous };
  struct SlotRole {
    int slot;
    Role role;
    int coordinate;
  };

  std::vector<int> coordinates_read(int id, bool& continuous) const;
  std::size_t table_entries(const std::vector<int>& coordinates) const;
  std::string coordinate_name(int c) const;
  void set_coordinate(int c, int v, std::vector<int>& coords);
  void describe(const std::string& what, const std::string& how);

  CompiledModelData& m_;
  int k_;
  ExpressionContext& ctx_;
  TableCache& cache_;
  std::vector<SlotRole> roles_;
  std::vector<std::vector<SlotRole>> coordinate_roles_;  // per coordinate: the variables it sets
};

}  // namespace hemsim::detail
