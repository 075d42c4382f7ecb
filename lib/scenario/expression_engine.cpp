#include "scenario/expression_engine.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <cmath>
#include <fmt/format.h>
#include <muParser.h>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

double table_lookup(void* data, double x) {
  const auto* column = static_cast<const TableColumnRef*>(data);
  const Table& table = *column->table;
  const auto& keys = table.keys;
  // Last row whose key <= x, clamped to the first and last rows.
  auto it = std::upper_bound(keys.begin(), keys.end(), x);
  std::size_t row = it == keys.begin() ? 0 : static_cast<std::size_t>(it - keys.begin() - 1);
  const double value = table.values[column->column][row];
  if (std::isnan(value)) [[unlikely]] {
    // muparser passes C++ exceptions from callbacks through Eval() unchanged.
    const int line = row < table.row_lines.size() ? table.row_lines[row] : 0;
    throw ScenarioError(table.where,
                        fmt::format("'{}' line {}, column '{}' is empty, and {}_{}({:.6g}) reads it", table.file, line,
                                    table.columns[column->column], table.name, table.columns[column->column], x),
                        "a number in every cell that a simulation reads");
  }
  return value;
}

// R's %% and heemod's convention: the result has the sign of the divisor.
double modulo(double x, double y) { return x - y * std::floor(x / y); }
double floor_of(double x) { return std::floor(x); }
double ceil_of(double x) { return std::ceil(x); }

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

// The first name written as a call, name(...), that is not a function of `parser`.
std::string unknown_function(const std::string& text, const mu::Parser& parser,
                             const std::unordered_map<std::string, int>& variables) {
  const auto& functions = parser.GetFunDef();
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (std::isdigit(c) || c == '.') {  // a number such as 2e3: its letters are not a name
      while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
      continue;
    }
    if (!std::isalpha(c) && c != '_') {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' || text[end] == '.')) ++end;
    std::size_t next = end;
    while (next < text.size() && std::isspace(static_cast<unsigned char>(text[next]))) ++next;
    const std::string name = text.substr(i, end - i);
    if (next < text.size() && text[next] == '(' && functions.find(name) == functions.end() &&
        !variables.contains(name))
      return name;
    i = end;
  }
  return {};
}

std::string name_list(const std::vector<std::string>& names, std::size_t at_most) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < at_most; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > at_most) out += fmt::format(", ... ({} more)", names.size() - at_most);
  return out;
}

}  // namespace

std::string shown_expression(const std::string& text) {
  constexpr std::size_t kShown = 120;
  if (text.size() <= kShown) return text;
  // Cut at a UTF-8 character boundary.
  std::size_t cut = kShown;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0U) == 0x80U) --cut;
  return fmt::format("{}... ({} characters)", text.substr(0, cut), text.size());
}

const std::vector<std::string>& builtin_function_names() {
  static const std::vector<std::string> names{
      "abs", "sign", "sqrt", "exp", "ln", "log", "log2", "log10", "rint", "floor", "ceil", "mod",
      "min", "max", "sum", "avg", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
      "asinh", "acosh", "atanh", "rate_to_prob", "prob_to_rate", "prob_rescale"};
  return names;
}

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
      columns_.push_back({&table, c});
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

namespace {

// The value of a text that is a plain decimal number ("0.25", "-3", "1e-5"), as muparser
// would read it (both round correctly); nothing otherwise. Most parameters are plain
// numbers, and a muparser instance costs tens of microseconds to make: a model with
// hundreds of parameters compiled once per PSA draw spent most of its set-up on them.
std::optional<double> plain_number(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return std::nullopt;
  const auto last = text.find_last_not_of(" \t") + 1;
  std::size_t i = first;
  if (text[i] == '-') ++i;
  std::size_t digits = 0;
  while (i < last && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i, ++digits;
  if (i < last && text[i] == '.') {
    ++i;
    while (i < last && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < last && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < last && (text[i] == '+' || text[i] == '-')) ++i;
    std::size_t exponent_digits = 0;
    while (i < last && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i, ++exponent_digits;
    if (exponent_digits == 0) return std::nullopt;
  }
  if (i != last) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data() + first, text.data() + last, value);
  if (error != std::errc() || end != text.data() + last || !std::isfinite(value)) return std::nullopt;
  return value;
}

}  // namespace

int ExpressionContext::compile(const Expression& expression, const std::string& what) {
  if (auto it = by_text_.find(expression.text); it != by_text_.end()) return it->second;
  if (const std::optional<double> number = plain_number(expression.text)) {
    parsers_.push_back(nullptr);
    literals_.push_back(*number);
    used_.emplace_back();
    sources_.push_back(expression);
    const int id = static_cast<int>(parsers_.size() - 1);
    by_text_.emplace(expression.text, id);
    return id;
  }
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
    parser->DefineFun("floor", floor_of);
    parser->DefineFun("ceil", ceil_of);
    parser->DefineFun("mod", modulo);
    parser->DefineOprt("%", modulo, mu::prMUL_DIV, mu::oaLEFT);
    parser->SetVarFactory(bind_name, &binder);
    parser->SetExpr(expression.text);
    parser->GetUsedVar();  // parses; unknown names go to the factory
  } catch (const mu::Parser::exception_type& e) {
    // muparser reads an unknown f(x) as a variable followed by a parenthesis; say what it is.
    if (const std::string name = unknown_function(expression.text, *parser, slots_); !name.empty()) {
      std::vector<std::string> known = builtin_function_names();
      known.insert(known.end(), column_names_.begin(), column_names_.end());
      throw ScenarioError(expression.where,
                          fmt::format("{} \"{}\" calls unknown function '{}'", what, shown_expression(expression.text), name),
                          "one of: " + name_list(known, 60));
    }
    throw ScenarioError(expression.where,
                        fmt::format("cannot read {} \"{}\": {}", what, shown_expression(expression.text),
                                    shown_expression(e.GetMsg())),
                        "an expression such as \"1 - exp(-r * cycle_years)\"");
  }
  if (!binder.unknown.empty()) {
    throw ScenarioError(expression.where,
                        fmt::format("{} \"{}\" uses unknown name '{}'", what, shown_expression(expression.text),
                                    shown_expression(binder.unknown.front())),
                        "a parameter, attribute, counter, table function or model variable");
  }
  std::vector<int> used;
  for (const auto& [name, ptr] : parser->GetUsedVar()) used.push_back(slot_of(name));
  std::sort(used.begin(), used.end());
  // Switch the factory off: from now on evaluation never defines variables.
  parser->SetVarFactory(nullptr, nullptr);
  parsers_.push_back(std::move(parser));
  literals_.push_back(0.0);
  used_.push_back(std::move(used));
  sources_.push_back(expression);
  const int id = static_cast<int>(parsers_.size() - 1);
  by_text_.emplace(expression.text, id);
  return id;
}

double ExpressionContext::evaluate(int id) {
  const auto& parser = parsers_[static_cast<std::size_t>(id)];
  if (!parser) return literals_[static_cast<std::size_t>(id)];
  try {
    return parser->Eval();
  } catch (const mu::Parser::exception_type& e) {
    const Expression& source = sources_[static_cast<std::size_t>(id)];
    throw ScenarioError(source.where, fmt::format("cannot evaluate \"{}\": {}", shown_expression(source.text), shown_expression(e.GetMsg())));
  }
}

}  // namespace hemsim::detail
