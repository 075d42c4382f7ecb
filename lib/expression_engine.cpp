#include "expression_engine.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <muParser.h>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

double table_lookup(void* data, double x) {
  const auto* column = static_cast<const TableColumnRef*>(data);
  const auto& keys = *column->keys;
  // Last row whose key <= x, clamped to the first and last rows.
  auto it = std::upper_bound(keys.begin(), keys.end(), x);
  std::size_t row = it == keys.begin() ? 0 : static_cast<std::size_t>(it - keys.begin() - 1);
  return (*column->values)[row];
}

double rate_to_prob(double rate, double years) { return 1.0 - std::exp(-rate * years); }
double prob_to_rate(double p, double years) { return -std::log1p(-p) / years; }
double prob_rescale(double p, double from_years, double to_years) {
  return 1.0 - std::pow(1.0 - p, to_years / from_years);
}

// Binds the names an expression uses to their slots as muparser meets them (defining
// every declared name up front made compiling a large model slow), and collects the
// names that are not declared, so they can be reported by name.
struct NameBinder {
  const std::unordered_map<std::string, int>* slots = nullptr;
  const std::vector<double*>* addresses = nullptr;
  std::vector<std::string> unknown;
  double dummy = 0.0;
};

double* bind_name(const char* name, void* user) {
  auto* binder = static_cast<NameBinder*>(user);
  if (auto it = binder->slots->find(name); it != binder->slots->end())
    return (*binder->addresses)[static_cast<std::size_t>(it->second)];
  binder->unknown.emplace_back(name);
  return &binder->dummy;
}

}  // namespace

bool is_identifier(const std::string& name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

const std::vector<std::string>& reserved_variable_names() {
  static const std::vector<std::string> names{"t", "time", "state_time", "cycle_years"};
  return names;
}

ExpressionContext::ExpressionContext(const std::vector<Table>& tables) {
  for (const auto& table : tables) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      columns_.push_back({&table.keys, &table.values[c]});
      column_names_.push_back(table.name + "_" + table.columns[c]);
    }
  }
}

ExpressionContext::~ExpressionContext() = default;

int ExpressionContext::declare(const std::string& name) {
  auto [it, inserted] = slots_.try_emplace(name, static_cast<int>(storage_.size()));
  if (inserted) {
    storage_.push_back(0.0);
    addresses_.push_back(&storage_.back());
  }
  return it->second;
}

int ExpressionContext::slot_of(const std::string& name) const {
  auto it = slots_.find(name);
  return it == slots_.end() ? -1 : it->second;
}

int ExpressionContext::compile(const Expression& expression, const std::string& what) {
  if (auto it = by_text_.find(expression.text); it != by_text_.end()) return it->second;
  auto parser = std::make_unique<mu::Parser>();
  NameBinder binder;
  binder.slots = &slots_;
  binder.addresses = &addresses_;
  try {
    for (std::size_t c = 0; c < columns_.size(); ++c)
      parser->DefineFunUserData(column_names_[c], table_lookup, &columns_[c]);
    parser->DefineFun("rate_to_prob", rate_to_prob);
    parser->DefineFun("prob_to_rate", prob_to_rate);
    parser->DefineFun("prob_rescale", prob_rescale);
    parser->SetVarFactory(bind_name, &binder);
    parser->SetExpr(expression.text);
    parser->GetUsedVar();  // parses; unknown names go to the factory
  } catch (const mu::Parser::exception_type& e) {
    throw ScenarioError(expression.where,
                        fmt::format("cannot read {} \"{}\": {}", what, expression.text, e.GetMsg()),
                        "an expression such as \"1 - exp(-r * cycle_years)\"");
  }
  if (!binder.unknown.empty()) {
    throw ScenarioError(expression.where,
                        fmt::format("{} \"{}\" uses unknown name '{}'", what, expression.text, binder.unknown.front()),
                        "a parameter, attribute, counter, table function or model variable");
  }
  std::vector<int> used;
  for (const auto& [name, ptr] : parser->GetUsedVar()) used.push_back(slot_of(name));
  std::sort(used.begin(), used.end());
  // Switch the factory off: from now on evaluation never defines variables.
  parser->SetVarFactory(nullptr, nullptr);
  parsers_.push_back(std::move(parser));
  used_.push_back(std::move(used));
  sources_.push_back(expression);
  const int id = static_cast<int>(parsers_.size() - 1);
  by_text_.emplace(expression.text, id);
  return id;
}

double ExpressionContext::evaluate(int id) {
  try {
    return parsers_[static_cast<std::size_t>(id)]->Eval();
  } catch (const mu::Parser::exception_type& e) {
    const Expression& source = sources_[static_cast<std::size_t>(id)];
    throw ScenarioError(source.where, fmt::format("cannot evaluate \"{}\": {}", source.text, e.GetMsg()));
  }
}

}  // namespace hemsim::detail
