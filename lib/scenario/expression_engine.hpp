#pragma once
// Expressions evaluated with muparser. One ExpressionContext owns the variable storage
// (stable addresses), the table functions and the parsed expressions; it is not
// thread-safe, so each thread that evaluates builds its own.

#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hemsim/expression.hpp"
#include "hemsim/scenario.hpp"

namespace mu {
class Parser;
}

namespace hemsim::detail {

struct TableColumnRef {
  const Table* table;
  std::size_t column;
};

/// `text` as shown in a message: whole when short, otherwise its start and its length,
/// so a huge expression does not flood the terminal.
[[nodiscard]] std::string shown_expression(const std::string& text);

/// The functions every expression may call besides the table functions, in the order
/// docs/scenario-format.md lists them.
[[nodiscard]] const std::vector<std::string>& builtin_function_names();

class ExpressionContext {
 public:
  /// `tables` must outlive the context.
  explicit ExpressionContext(const std::vector<Table>& tables);
  ~ExpressionContext();
  ExpressionContext(const ExpressionContext&) = delete;
  ExpressionContext& operator=(const ExpressionContext&) = delete;

  /// Declares a variable (idempotent) and returns its slot.
  int declare(const std::string& name);
  [[nodiscard]] int slot_of(const std::string& name) const;  ///< -1 if not declared
  double& value(int slot) { return *addresses_[static_cast<std::size_t>(slot)]; }

  /// Parses `expression` (`what` describes it in messages). Throws ScenarioError naming
  /// the expression's location on a syntax error or an undeclared name. A text already
  /// compiled returns the same id (its source is the first occurrence).
  int compile(const Expression& expression, const std::string& what);
  /// Slots of the variables the compiled expression reads.
  [[nodiscard]] const std::vector<int>& used_slots(int id) const { return used_[static_cast<std::size_t>(id)]; }
  /// Evaluates a compiled expression with the current variable values.
  double evaluate(int id);
  [[nodiscard]] const Expression& source(int id) const { return sources_[static_cast<std::size_t>(id)]; }

 private:
  std::vector<TableColumnRef> columns_;
  std::vector<std::string> column_names_;
  std::deque<double> storage_;       ///< stable addresses: muparser keeps pointers to them
  std::vector<double*> addresses_;   ///< per slot, so value() is one load
  std::unordered_map<std::string, int> slots_;
  std::vector<std::unique_ptr<mu::Parser>> parsers_;  ///< null for a plain number
  std::vector<double> literals_;                       ///< the plain numbers' values
  std::vector<std::vector<int>> used_;
  std::vector<Expression> sources_;
  std::unordered_map<std::string, int> by_text_;  ///< identical texts share one parser
};

/// True if `name` is an identifier hemsim accepts (letter, then letters, digits, '_').
bool is_identifier(const std::string& name);

/// Names reserved for model variables.
const std::vector<std::string>& reserved_variable_names();

}  // namespace hemsim::detail
