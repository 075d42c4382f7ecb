#pragma once
/// \file dsa_io.hpp
/// Tables for deterministic sensitivity analysis and pricing: terminal text and CSV.

#include <string>
#include <vector>

#include "hemsim/dsa.hpp"

namespace hemsim {

/// Tornado data: one row per parameter (largest swing first) with low/high values and
/// the ICER and incremental NMB at each.
[[nodiscard]] std::string one_way_csv(const OneWayAnalysis& analysis);
[[nodiscard]] std::string two_way_csv(const TwoWayAnalysis& analysis, const std::vector<std::string>& strategies);
[[nodiscard]] std::string variants_csv(const std::vector<VariantResult>& variants);
[[nodiscard]] std::string price_csv(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies);

[[nodiscard]] std::string format_one_way(const OneWayAnalysis& analysis, const std::string& comparison);
[[nodiscard]] std::string format_variants(const std::vector<VariantResult>& variants, const std::vector<std::string>& strategies);
[[nodiscard]] std::string format_prices(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies,
                                        const std::string& parameter);

}  // namespace hemsim
