#include "scenario/additive_terms.hpp"

#include <cctype>
#include <string>

namespace hemsim::detail {
namespace {

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Characters that may appear at depth 0 of a plain sum of products. Anything else at
// depth 0 (?, :, <, >, =, !, &, |, ',', quotes) means the expression is not split.
bool allowed_at_top(char c) {
  return c == '+' || c == '-' || c == '*' || c == '/' || c == '^' || c == '%' || c == '(' || c == ')' || c == '.' ||
         std::isspace(static_cast<unsigned char>(c)) != 0 || is_identifier_char(c);
}

std::string trimmed(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::vector<Expression> additive_terms(const Expression& e) {
  const std::string& text = e.text;
  std::vector<std::size_t> cuts;  // positions of the binary + and - at depth 0
  int depth = 0;
  bool after_operand = false;  // the previous token ends an operand (a binary operator may follow)
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    if (depth == 0 && !allowed_at_top(c)) return {e};
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 || (c == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0)) {
      // A number, with its exponent's sign ("1e-5") inside the token.
      while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) ++i;
      if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < text.size() && (text[j] == '+' || text[j] == '-')) ++j;
        if (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) != 0) {
          i = j;
          while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) != 0) ++i;
        }
      }
      after_operand = true;
      continue;
    }
    if (is_identifier_char(c)) {
      while (i < text.size() && is_identifier_char(text[i])) ++i;
      after_operand = true;
      continue;
    }
    if (c == '(') {
      ++depth;
      after_operand = false;
    } else if (c == ')') {
      if (--depth < 0) return {e};
      after_operand = true;
    } else if ((c == '+' || c == '-') && depth == 0 && after_operand) {
      cuts.push_back(i);
      after_operand = false;
    } else {
      after_operand = false;
    }
    ++i;
  }
  if (depth != 0 || cuts.empty()) return {e};

  std::vector<Expression> terms;
  std::size_t start = 0;
  char sign = '+';
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    const std::size_t end = k < cuts.size() ? cuts[k] : text.size();
    const std::string body = trimmed(text.substr(start, end - start));
    if (body.empty()) return {e};
    terms.push_back({sign == '-' ? "-(" + body + ")" : body, e.where});
    if (k < cuts.size()) {
      sign = text[cuts[k]];
      start = cuts[k] + 1;
    }
  }
  return terms;
}

}  // namespace hemsim::detail
