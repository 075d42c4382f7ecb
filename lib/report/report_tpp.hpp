#pragma once
// The report's target-product-profile section (`hemsim price --surface`): the value-based
// price over two parameters per dose and per patient, a contour chart with the assumed
// price's contour, and the evidence thresholds as sentences.

#include <functional>
#include <string>

#include "hemsim/report.hpp"
#include "hemsim/tpp.hpp"

namespace hemsim::detail {

/// `unit`: money (e.g. "USD 2024"); `per`: money per unit of effect; `label`: a strategy's display name.
[[nodiscard]] ReportSection tpp_section(const PriceSurface& surface, const std::string& unit, const std::string& per,
                                        const std::function<std::string(const std::string&)>& label);

/// The headline evidence thresholds (each axis at the other's base value) as one sentence
/// each, for the report's opening answer; empty without an assumed price.
[[nodiscard]] std::vector<std::string> tpp_headlines(const PriceSurface& surface);

/// Contour segments of a function on a rectilinear grid (marching squares, linear
/// interpolation along cell edges): each segment is {x0, y0, x1, y1}. `z[i][j]` is the
/// value at (x[i], y[j]); cells with a non-finite corner are skipped.
struct ContourSegment {
  double x0, y0, x1, y1;
};
[[nodiscard]] std::vector<ContourSegment> contour_segments(const std::vector<double>& x, const std::vector<double>& y,
                                                           const std::vector<std::vector<double>>& z, double level);

}  // namespace hemsim::detail
