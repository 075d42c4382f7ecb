#pragma once
// The market block of results.json and its tables (market.hpp, docs/results-format.md).

#include <nlohmann/json.hpp>

#include <string>

#include "hemsim/market.hpp"

namespace hemsim::detail {

nlohmann::json market_to_json(const MarketResults& market);
MarketResults market_from_json(const nlohmann::json& j);
std::string budget_impact_csv(const MarketResults& market);
std::string market_funnel_csv(const MarketResults& market);
/// The funnel, the budget impact by year, revenue, royalty NPV and population NMB.
std::string format_market_table(const MarketResults& market, const std::string& currency);

}  // namespace hemsim::detail
