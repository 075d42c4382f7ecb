// dsa.json: every Monte Carlo error survives a round trip, and files written before
// they were recorded still load (with the errors marked as not recorded).

#include "hemsim/dsa_io.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace {

hemsim::Evaluation evaluation(double seed) {
  hemsim::Evaluation e;
  e.costs = {seed, seed + 1};
  e.effects = {0.5 * seed, 0.5 * seed + 0.25};
  e.incremental_cost = 1.5 * seed;
  e.incremental_effect = 0.125 * seed;
  e.icer = 12.0;
  e.incremental_net_benefit = 3.25 * seed;
  e.optimal_strategy = 1;
  e.incremental_cost_mcse = 0.1 * seed;
  e.incremental_effect_mcse = 0.01 * seed;
  e.incremental_net_benefit_mcse = 0.3 * seed;
  return e;
}

hemsim::DsaReport report() {
  hemsim::DsaReport r;
  r.scenario_name = "round trip";
  r.strategies = {"usual care", "new"};
  r.strategy = 1;
  r.willingness_to_pay = 100000;
  hemsim::OneWayAnalysis a;
  a.base = evaluation(1);
  a.parameters.push_back({"p", "a source", 1, 0.5, 2, evaluation(2), evaluation(3), 3.25, 0.7, 0.8, 1.1, true, false, true});
  r.one_way = a;
  r.variants.push_back({"horizon 5 years", evaluation(4), -6.5, 2.5});
  r.two_way = hemsim::TwoWayAnalysis{"p", "q", {1, 2}, {3, 4}, {{1, 2}, {3, 4}}, {{0, 1}, {1, 0}}, {{0.5, 0.25}, {0.125, 0.0625}}};
  r.threshold = hemsim::ThresholdResult{"p", 1.75, 1, 0, 0.03125};
  r.price_parameter = "price";
  r.prices.push_back({100000, 1234.5, 0, 100000.25, 56.75, 812.5});
  r.headroom.push_back({0, -10, 0, 0, 2.5, 3.5});
  return r;
}

}  // namespace

TEST(DsaIo, MonteCarloErrorsSurviveARoundTrip) {
  const auto original = report();
  const std::string text = hemsim::dsa_to_json(original);
  const auto back = hemsim::dsa_from_json(text);
  EXPECT_EQ(hemsim::dsa_to_json(back), text);
  const auto& e = back.one_way->base;
  EXPECT_EQ(e.incremental_cost_mcse, 0.1);
  EXPECT_EQ(e.incremental_effect_mcse, 0.01);
  EXPECT_EQ(e.incremental_net_benefit_mcse, 0.3);
  const auto& row = back.one_way->parameters.at(0);
  EXPECT_EQ(row.low_change_mcse, 0.7);
  EXPECT_EQ(row.high_change_mcse, 0.8);
  EXPECT_EQ(row.swing_mcse, 1.1);
  EXPECT_TRUE(row.within_noise);
  EXPECT_FALSE(row.low_within_noise);
  EXPECT_TRUE(row.high_within_noise);
  EXPECT_EQ(row.high.incremental_net_benefit_mcse, 0.3 * 3);
  EXPECT_EQ(back.variants.at(0).net_benefit_change, -6.5);
  EXPECT_EQ(back.variants.at(0).net_benefit_change_mcse, 2.5);
  EXPECT_EQ(back.two_way->incremental_net_benefit_mcse, original.two_way->incremental_net_benefit_mcse);
  EXPECT_EQ(back.threshold->threshold_mcse, 0.03125);
  EXPECT_EQ(back.prices.at(0).price_mcse, 56.75);
  EXPECT_EQ(back.prices.at(0).check_icer_mcse, 812.5);
  EXPECT_EQ(back.headroom.at(0).price_mcse, 2.5);
  // The interval is written for readers of the file: price -/+ 1.96 MCSE.
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["prices"][0]["price_interval95"][0].get<double>(), 1234.5 - 1.96 * 56.75);
  EXPECT_EQ(j["prices"][0]["price_interval95"][1].get<double>(), 1234.5 + 1.96 * 56.75);
}

TEST(DsaIo, FilesWithoutMonteCarloErrorsStillLoad) {
  // A dsa.json from before the errors were recorded: the same file without their fields.
  auto j = nlohmann::json::parse(hemsim::dsa_to_json(report()));
  auto strip = [](nlohmann::json& e) {
    for (const char* k : {"incremental_cost_mcse", "incremental_effect_mcse", "incremental_net_benefit_mcse"}) e.erase(k);
  };
  strip(j["one_way"]["base"]);
  for (auto& p : j["one_way"]["parameters"]) {
    strip(p["low"]);
    strip(p["high"]);
    for (const char* k : {"low_change_mcse", "high_change_mcse", "swing_mcse", "within_noise", "low_within_noise", "high_within_noise"}) p.erase(k);
  }
  for (auto& v : j["variants"]) {
    strip(v["evaluation"]);
    v.erase("net_benefit_change");
    v.erase("net_benefit_change_mcse");
  }
  j["two_way"].erase("incremental_net_benefit_mcse");
  j["threshold"].erase("threshold_mcse");
  for (const char* list : {"prices", "headroom"})
    for (auto& p : j[list])
      for (const char* k : {"price_mcse", "price_interval95", "icer_at_price_mcse"}) p.erase(k);
  const auto back = hemsim::dsa_from_json(j.dump());
  EXPECT_TRUE(std::isnan(back.one_way->base.incremental_net_benefit_mcse));
  EXPECT_TRUE(std::isnan(back.one_way->parameters.at(0).swing_mcse));
  EXPECT_FALSE(back.one_way->parameters.at(0).within_noise);
  EXPECT_EQ(back.one_way->parameters.at(0).net_benefit_swing, 3.25);
  EXPECT_TRUE(std::isnan(back.variants.at(0).net_benefit_change_mcse));
  EXPECT_TRUE(back.two_way->incremental_net_benefit_mcse.empty());
  EXPECT_TRUE(std::isnan(back.threshold->threshold_mcse));
  EXPECT_TRUE(std::isnan(back.prices.at(0).price_mcse));
  EXPECT_EQ(back.prices.at(0).price, 1234.5);
  // The CSV and terminal tables still render (an empty field where nothing was recorded).
  EXPECT_NE(hemsim::price_csv(back.prices, back.strategies).find("1234.5,usual care,100000.25,"), std::string::npos);
  EXPECT_NE(hemsim::two_way_csv(*back.two_way, back.strategies).find("1,3,1,usual care,\n"), std::string::npos);
}
