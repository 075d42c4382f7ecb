#pragma once
// Splitting an expression into the terms of its top-level sum, so that a reward such as
// "u(severity, age) - (t == 0) * loss" can be tabulated as one table per term (each over
// only the coordinates it reads) instead of one table over all of them together.

#include <vector>

#include "hemsim/expression.hpp"

namespace hemsim::detail {

/// The terms whose sum is `e`, in order, each keeping its sign ("a - b*c + d" gives "a",
/// "-(b*c)", "d"); every term keeps `e`'s location. Returns `e` alone when the expression
/// is not a plain top-level sum: when its top level holds an operator that binds more
/// loosely than + and - (comparison, logical, ternary, assignment) or a syntax this
/// scanner does not know, so that the sum of the terms always equals the expression.
[[nodiscard]] std::vector<Expression> additive_terms(const Expression& e);

}  // namespace hemsim::detail
