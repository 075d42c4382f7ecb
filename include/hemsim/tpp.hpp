#pragma once
/// \file tpp.hpp
/// Target product profile: the value-based price of a strategy as a surface over two
/// parameters (e.g. response probability x durability), the break-even (cost-neutral)
/// price, prices per dose and per patient, and the evidence thresholds at an assumed
/// price (the parameter value from which the strategy is cost-effective).
///
/// Every grid point is two runs of the scenario (at the base price and at another price)
/// with the same seed and individuals, so all points share their random numbers (common
/// random numbers) and the surface is smooth; each price carries its Monte Carlo
/// standard error (delta method, paired over the batches of individuals, as PricePoint).
///
///     hemsim::TppOptions tpp;
///     tpp.price_parameter = "bmsc_price";
///     tpp.thresholds = {50000, 100000};
///     tpp.axis_a = hemsim::parse_surface_axis("p_bmsc_resp=0.2:0.6:5");
///     tpp.axis_b = hemsim::parse_surface_axis("bmsc_median_durability_months=6:36:6");
///     tpp.assumed_price = 30000;
///     hemsim::PriceSurface surface = hemsim::price_surface(scenario, dsa_options, tpp);

#include <optional>
#include <string>
#include <vector>

#include "hemsim/dsa.hpp"
#include "hemsim/results.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim {

/// One axis of the surface: a plain parameter and the values it takes (ascending).
struct SurfaceAxis {
  std::string parameter;
  std::vector<double> values;
  double base_value = 0;  ///< the scenario's value (set by price_surface)
};

/// Parses "NAME=LOW:HIGH:STEPS" (STEPS >= 2 values, ends included, LOW < HIGH) into an
/// axis; throws ScenarioError naming `option` (e.g. "--surface") otherwise.
[[nodiscard]] SurfaceAxis parse_surface_axis(const std::string& text, const std::string& option = "--surface");

struct TppOptions {
  std::string price_parameter;     ///< the price per dose (a plain parameter in the strategy's costs only)
  std::vector<double> thresholds;  ///< willingness to pay (> 0); the break-even price (0) is always added
  SurfaceAxis axis_a, axis_b;
  /// Price per dose at which to find the evidence thresholds (none: not computed).
  std::optional<double> assumed_price;
};

/// The value-based price at one grid point, threshold and perspective.
struct SurfacePrice {
  int perspective = 0;
  double willingness_to_pay = 0;  ///< 0: the break-even (cost-neutral) price
  int next_best = 0;              ///< the strategy it ties with at that price
  double per_dose = 0, per_dose_mcse = 0;
  /// per_dose x the doses per patient (of this perspective), MCSE by the delta method
  /// on the product, paired over batches.
  double per_patient = 0, per_patient_mcse = 0;
};

struct SurfacePoint {
  double value_a = 0, value_b = 0;
  /// Per perspective: the mean number of doses a patient of the strategy is charged, i.e.
  /// the slope of its undiscounted cost in the price parameter (costs are linear in a
  /// price), with its MCSE. 0 where the price is not a cost of that perspective.
  std::vector<Estimate> doses_per_patient;
  /// Perspective-major: prices[p * (thresholds + 1) + i], i = 0 the break-even price,
  /// i >= 1 the value-based price at thresholds[i - 1]. NaN prices where the price is not
  /// a cost of that perspective.
  std::vector<SurfacePrice> prices;
};

/// Where the strategy's incremental net monetary benefit (against the best other
/// strategy), at the assumed price, crosses 0 as `parameter` varies with `held` fixed:
/// found between the grid points that bracket the sign change (linear interpolation),
/// then refined by runs of the model at the root (regula falsi, same random numbers).
/// MCSE by the delta method: MCSE(INMB at the root) / |dINMB/dparameter| (slope from the
/// bracketing grid points); 0 for a cohort run.
struct EvidenceThreshold {
  std::string parameter, held;
  double held_value = 0;
  bool held_at_base = false;  ///< the other parameter at its base value (not a grid row)
  double willingness_to_pay = 0, price = 0;
  std::optional<double> value;  ///< none: no sign change over the grid
  double value_mcse = 0;
  /// The run at `value`: INMB (against `next_best`) and its MCSE; ~0 by construction.
  double net_benefit_at_value = 0, net_benefit_at_value_mcse = 0;
  int next_best = 0;
  /// Cost-effective (INMB > 0) above `value` (true) or below it; with no crossing,
  /// whether it is cost-effective over the whole line.
  bool cost_effective_above = false;
  int runs = 0;  ///< model runs spent refining
};

struct PriceSurface {
  std::string price_parameter;
  double base_price = 0;
  int strategy = 0;
  std::vector<std::string> strategies, perspectives;
  std::string effect_measure = "qalys";  ///< the ICER's effect: "qalys" or "life_years"
  std::vector<double> thresholds;  ///< as given (the break-even price is threshold 0)
  SurfaceAxis axis_a, axis_b;
  std::vector<SurfacePoint> points;  ///< row-major: points[i_a * axis_b.values.size() + i_b]
  std::optional<double> assumed_price;
  int evidence_perspective = 0;  ///< the perspective of the evidence thresholds
  std::vector<EvidenceThreshold> evidence;

  [[nodiscard]] const SurfacePoint& at(std::size_t i_a, std::size_t i_b) const { return points.at(i_a * axis_b.values.size() + i_b); }
  /// threshold_index 0: the break-even price; i >= 1: thresholds[i - 1].
  [[nodiscard]] const SurfacePrice& price(const SurfacePoint& point, int perspective, std::size_t threshold_index) const {
    return point.prices.at(static_cast<std::size_t>(perspective) * (thresholds.size() + 1) + threshold_index);
  }
};

/// The surface over axis_a x axis_b for options.strategy (every perspective), and the
/// evidence thresholds at the assumed price in options.perspective: along each axis with
/// the other at its base value, and along each grid row and column. Throws ScenarioError
/// for an unknown or derived parameter, an axis over the price itself, a price not in
/// the strategy's costs (of options.perspective) or in another strategy's.
[[nodiscard]] PriceSurface price_surface(const Scenario& scenario, const DsaOptions& options, const TppOptions& tpp);

/// Terminal text: the surface per dose and per patient at each threshold, then the evidence thresholds.
[[nodiscard]] std::string format_price_surface(const PriceSurface& surface, int perspective);
/// CSV: one row per grid point, perspective and threshold.
[[nodiscard]] std::string price_surface_csv(const PriceSurface& surface);
/// CSV: one row per evidence threshold.
[[nodiscard]] std::string evidence_thresholds_csv(const PriceSurface& surface);
/// One sentence per evidence threshold, e.g. "At 30,000 a dose, bmsc is cost-effective at
/// 100,000 per QALY once bmsc_median_durability_months >= 14.2 (± 0.3) months ...".
[[nodiscard]] std::string describe_evidence_threshold(const PriceSurface& surface, const EvidenceThreshold& e);

}  // namespace hemsim
