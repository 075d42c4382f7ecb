#pragma once
/// \file dsa_io.hpp
/// Tables for deterministic sensitivity analysis and pricing: terminal text and CSV.

#include <optional>
#include <string>
#include <vector>

#include "hemsim/dsa.hpp"
#include "hemsim/psa.hpp"
#include "hemsim/tpp.hpp"

namespace hemsim {

/// Everything one `hemsim dsa` or `hemsim price` run produced, saved as dsa.json so a
/// report can be rebuilt without re-running.
struct DsaReport {
  std::string scenario_name;
  Provenance provenance;  ///< how it was made
  std::vector<std::string> strategies;
  int strategy = 0, comparator = 0;
  double willingness_to_pay = 0;
  std::string perspective;  ///< whose costs (empty in files written before it was recorded)
  std::optional<OneWayAnalysis> one_way;
  std::vector<VariantResult> variants;
  std::optional<TwoWayAnalysis> two_way;
  std::optional<ThresholdResult> threshold;
  std::string price_parameter;
  std::vector<PricePoint> prices;    ///< value-based prices at the requested thresholds
  std::vector<PricePoint> headroom;  ///< over a threshold grid
  std::vector<ProbabilisticPrice> probabilistic_prices;
  std::optional<PriceSurface> tpp;  ///< the price surface and evidence thresholds (price --surface)
};
[[nodiscard]] std::string dsa_to_json(const DsaReport& report);
[[nodiscard]] DsaReport dsa_from_json(const std::string& json_text);

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
