// Every decision result serialises on its own: the JSON parses and holds the result's
// numbers and strategy names (checked field by field against the struct).

#include "hemsim/decision_json.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

using nlohmann::json;

namespace {

struct Table {
  std::vector<std::string> names{"A", "B", "C"};
  Eigen::MatrixXd costs{{100, 300, 150}, {100, 500, 250}, {100, 250, 50}, {100, 400, 350}};
  Eigen::MatrixXd effects{{1, 2, 1.2}, {1, 3, 1.0}, {1, 1.5, 0.8}, {1, 2.5, 1.4}};
  std::vector<double> wtp{0, 100, 1000};
};

}  // namespace

TEST(DecisionJson, IncrementalTable) {
  auto table = hemsim::incremental_table({"E", "D", "C", "B", "A", "UC"}, {55000, 35000, 25000, 10000, 12000, 5000}, {5, 4, 3, 2, 1.5, 1});
  table.perspective = "health care";
  const json j = json::parse(hemsim::to_json(table));
  EXPECT_EQ(j["perspective"], "health care");
  ASSERT_EQ(j["rows"].size(), 6U);
  EXPECT_EQ(j["rows"][0]["strategy"], "UC");
  EXPECT_TRUE(j["rows"][0]["icer"].is_null());
  EXPECT_TRUE(j["rows"][0]["compared_with"].is_null());
  EXPECT_EQ(j["rows"][2]["icer"], 12500.0);
  EXPECT_EQ(j["rows"][2]["compared_with"], "B");
  EXPECT_EQ(j["rows"][2]["incremental_cost"], 25000.0);
  EXPECT_EQ(j["rows"][4]["status"], "ED");
  EXPECT_EQ(j["rows"][4]["dominated_by"], json({"B", "D"}));
  EXPECT_EQ(j["rows"][5]["dominated_by"], json({"B"}));
}

TEST(DecisionJson, ProbabilisticResults) {
  const Table t;
  const auto curves = hemsim::acceptability_curves(t.names, t.costs, t.effects, t.wtp);
  json j = json::parse(hemsim::to_json(curves));
  EXPECT_EQ(j["wtp"], json(t.wtp));
  ASSERT_EQ(j["curves"].size(), 3U);
  EXPECT_EQ(j["curves"][2]["strategy"], "C");
  for (std::size_t w = 0; w < 3; ++w) EXPECT_EQ(j["curves"][2]["probability"][w], curves.probability(static_cast<Eigen::Index>(w), 2));

  const auto frontier = hemsim::acceptability_frontier(t.names, t.costs, t.effects, t.wtp);
  j = json::parse(hemsim::to_json(frontier));
  ASSERT_EQ(j.size(), 3U);
  EXPECT_EQ(j[1]["strategy"], frontier[1].strategy);
  EXPECT_EQ(j[1]["probability"], frontier[1].probability);

  const auto loss = hemsim::expected_loss_curves(t.names, t.costs, t.effects, t.wtp);
  j = json::parse(hemsim::to_json(loss));
  EXPECT_EQ(j["curves"][1]["strategy"], "B");
  EXPECT_EQ(j["curves"][1]["expected_loss"][2], loss.expected_loss(2, 1));

  const auto pairwise = hemsim::pairwise_acceptability(t.names, t.costs, t.effects, t.wtp);
  j = json::parse(hemsim::to_json(pairwise));
  ASSERT_EQ(j["pairs"].size(), 6U);  // ordered pairs of different strategies
  EXPECT_EQ(j["pairs"][0]["strategy"], "A");
  EXPECT_EQ(j["pairs"][0]["comparator"], "B");
  EXPECT_EQ(j["pairs"][0]["probability"][1], pairwise.beats(1, "A", "B"));

  const auto vs = hemsim::compare_with_reference(t.names, t.costs, t.effects, "A", t.wtp);
  j = json::parse(hemsim::to_json(vs));
  EXPECT_EQ(j["reference"], "A");
  EXPECT_EQ(j["interval_level"], 0.95);
  EXPECT_EQ(j["comparisons"][0]["strategy"], "B");
  EXPECT_EQ(j["comparisons"][0]["icer"], *vs.comparisons[0].icer);
  EXPECT_EQ(j["comparisons"][0]["icer_interval"]["upper"], *vs.comparisons[0].icer_upper);
  EXPECT_TRUE(j["comparisons"][1]["icer_interval"].is_null());
  EXPECT_EQ(j["comparisons"][1]["incremental_net_benefit"][2]["lower"], vs.comparisons[1].incremental_net_benefit[2].lower);
  EXPECT_EQ(j["comparisons"][0]["incremental_cost"]["mean"], 262.5);

  const auto switches = hemsim::optimal_strategy_switches({"UC", "B"}, std::vector<double>{5000, 10000}, {1, 2});
  j = json::parse(hemsim::to_json(switches));
  EXPECT_EQ(j, json::parse(R"([{"wtp": 5000.0, "from": "UC", "to": "B"}])"));

  hemsim::EvppiResult evppi{"P-spline (GCV)", {100, 200}, {1.5, 2.5}, {0.1, 0.2}};
  j = json::parse(hemsim::to_json(evppi));
  EXPECT_EQ(j["method"], "P-spline (GCV)");
  EXPECT_EQ(j["evppi"], json({1.5, 2.5}));
  EXPECT_EQ(j["standard_error"], json({0.1, 0.2}));
}

TEST(DecisionJson, NamesThatAreNotUtf8AreReplacedNotThrown) {
  const auto table = hemsim::incremental_table({"caf\xe9", "ok"}, {1, 2}, {1, 2});  // Latin-1 é
  const json j = json::parse(hemsim::to_json(table));
  EXPECT_EQ(j["rows"][0]["strategy"], "caf\xef\xbf\xbd");
}
