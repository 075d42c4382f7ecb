// The expression engine (lib/scenario/expression_engine.cpp), checked against muparser itself.

#include <gtest/gtest.h>

#include <muParser.h>

#include <string>
#include <vector>

#include "hemsim/error.hpp"
#include "scenario/expression_engine.hpp"

namespace {

// Plain numbers skip muparser (lib/scenario/expression_engine.cpp); their values must be
// exactly what muparser reads.
TEST(PlainNumbers, ReadExactlyAsMuparserReadsThem) {
  const std::vector<hemsim::Table> no_tables;
  hemsim::detail::ExpressionContext context(no_tables);
  for (const std::string text : {"0.1", "-0.3", "1e-5", "2.5E+3", "  7 ", "0.000123456789012345678", "12345678901234567890", "-.5e-2", "3."}) {
    mu::Parser p;
    p.SetExpr(text);
    const double expected = p.Eval();
    const double got = context.evaluate(context.compile({text, {}}, "test"));
    EXPECT_EQ(got, expected) << text;
    EXPECT_TRUE(context.used_slots(context.compile({text, {}}, "test")).empty());
  }
  // Not plain numbers: still read by muparser (or refused by it).
  EXPECT_EQ(context.evaluate(context.compile({"+2", {}}, "test")), 2.0);
  EXPECT_EQ(context.evaluate(context.compile({"2 - 3", {}}, "test")), -1.0);
  EXPECT_THROW((void)context.compile({"inf", {}}, "test"), hemsim::ScenarioError);
  EXPECT_THROW((void)context.compile({"1e", {}}, "test"), hemsim::ScenarioError);
}

}  // namespace
