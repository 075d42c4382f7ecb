#pragma once
/// \file expression.hpp
/// An expression as written in a scenario (muparser syntax), with where it was written.

#include <string>

#include "hemsim/error.hpp"

namespace hemsim {

struct Expression {
  std::string text;        ///< e.g. "1 - exp(-r_HD * hr_S1)"; a plain number is an expression too
  SourceLocation where;
};

}  // namespace hemsim
