#include "hemsim/dsa_io.hpp"

#include <fmt/format.h>

#include <cmath>

namespace hemsim {

namespace {
std::string number(double v) { return std::isfinite(v) ? fmt::format("{:.17g}", v) : std::string(); }
}  // namespace

std::string one_way_csv(const OneWayAnalysis& a) {
  std::string out = "parameter,base_value,low_value,high_value,icer_low,icer_high,incremental_nmb_low,incremental_nmb_high,nmb_swing,source\n";
  out += fmt::format("(base case),,,,{},{},{},{},0,\n", number(a.base.icer), number(a.base.icer), number(a.base.incremental_net_benefit),
                     number(a.base.incremental_net_benefit));
  for (const auto& r : a.parameters)
    out += fmt::format("{},{},{},{},{},{},{},{},{},\"{}\"\n", r.parameter, number(r.base_value), number(r.low_value), number(r.high_value),
                       number(r.low.icer), number(r.high.icer), number(r.low.incremental_net_benefit),
                       number(r.high.incremental_net_benefit), number(r.net_benefit_swing), r.source);
  return out;
}

std::string two_way_csv(const TwoWayAnalysis& t, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("{},{},incremental_nmb,optimal_strategy\n", t.parameter_a, t.parameter_b);
  for (std::size_t i = 0; i < t.values_a.size(); ++i)
    for (std::size_t j = 0; j < t.values_b.size(); ++j)
      out += fmt::format("{},{},{},{}\n", number(t.values_a[i]), number(t.values_b[j]), number(t.incremental_net_benefit[i][j]),
                         strategies[static_cast<std::size_t>(t.optimal_strategy[i][j])]);
  return out;
}

std::string variants_csv(const std::vector<VariantResult>& variants) {
  std::string out = "variant,incremental_cost,incremental_effect,icer,incremental_nmb,optimal_strategy_index\n";
  for (const auto& v : variants)
    out += fmt::format("\"{}\",{},{},{},{},{}\n", v.name, number(v.evaluation.incremental_cost), number(v.evaluation.incremental_effect),
                       number(v.evaluation.icer), number(v.evaluation.incremental_net_benefit), v.evaluation.optimal_strategy);
  return out;
}

std::string price_csv(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies) {
  std::string out = "wtp,price,next_best,icer_at_price\n";
  for (const auto& p : prices)
    out += fmt::format("{},{},{},{}\n", number(p.willingness_to_pay), number(p.price), strategies[static_cast<std::size_t>(p.next_best)],
                       number(p.check_icer));
  return out;
}

std::string format_one_way(const OneWayAnalysis& a, const std::string& comparison) {
  std::string out = fmt::format("One-way sensitivity, {} (base: ΔC {:.0f}, ΔE {:.4f}, ICER {:.0f}, ΔNMB {:.0f})\n", comparison,
                                a.base.incremental_cost, a.base.incremental_effect, a.base.icer, a.base.incremental_net_benefit);
  out += fmt::format("{:<22}{:>12}{:>12}{:>14}{:>14}{:>14}{:>14}\n", "Parameter", "low", "high", "ICER low", "ICER high", "ΔNMB low",
                     "ΔNMB high");
  for (const auto& r : a.parameters)
    out += fmt::format("{:<22}{:>12.4g}{:>12.4g}{:>14.0f}{:>14.0f}{:>14.0f}{:>14.0f}\n", r.parameter, r.low_value, r.high_value, r.low.icer,
                       r.high.icer, r.low.incremental_net_benefit, r.high.incremental_net_benefit);
  return out;
}

std::string format_variants(const std::vector<VariantResult>& variants, const std::vector<std::string>& strategies) {
  std::string out = fmt::format("\nScenario analysis\n{:<24}{:>14}{:>12}{:>14}{:>14}{:>16}\n", "Variant", "ΔCost", "ΔEffect", "ICER", "ΔNMB", "Optimal");
  for (const auto& v : variants)
    out += fmt::format("{:<24}{:>14.0f}{:>12.4f}{:>14.0f}{:>14.0f}{:>16}\n", v.name, v.evaluation.incremental_cost,
                       v.evaluation.incremental_effect, v.evaluation.icer, v.evaluation.incremental_net_benefit,
                       strategies[static_cast<std::size_t>(v.evaluation.optimal_strategy)]);
  return out;
}

std::string format_prices(const std::vector<PricePoint>& prices, const std::vector<std::string>& strategies, const std::string& parameter) {
  std::string out = fmt::format("Value-based price ({}): the price at which the ICER against the next best strategy equals the threshold\n", parameter);
  out += fmt::format("{:>14}{:>16}{:>18}{:>18}\n", "WTP", "price", "next best", "ICER at price");
  for (const auto& p : prices)
    out += fmt::format("{:>14.0f}{:>16.2f}{:>18}{:>18.0f}\n", p.willingness_to_pay, p.price, strategies[static_cast<std::size_t>(p.next_best)],
                       p.check_icer);
  return out;
}

}  // namespace hemsim
