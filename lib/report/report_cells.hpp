#pragma once
// What every section of the report (report.cpp, report_psa.cpp, report_dsa.cpp) builds
// its tables and charts with: cells in the report's number formats, Vega-Lite field
// definitions, units, and the limits of the figures.

#include <fmt/format.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/join.hpp"
#include "core/quantile.hpp"
#include "hemsim/report.hpp"
#include "report/report_charts.hpp"
#include "report/report_style.hpp"

namespace hemsim::detail::report_cells {

using nlohmann::json;
using Format = ReportCell::Format;

inline ReportCell money(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::money) : ReportCell::empty(); }
inline ReportCell effect(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::effect) : ReportCell::empty(); }
inline ReportCell probability(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::probability) : ReportCell::empty(); }
inline ReportCell plain(double v) { return std::isfinite(v) ? ReportCell::number(v, Format::number) : ReportCell::empty(); }
inline ReportCell integer(double v) { return ReportCell::number(v, Format::integer); }
inline ReportCell text(std::string s) { return ReportCell::text(std::move(s)); }
/// A number when the whole text is one (a parameter's value "0.60"), else the text (a
/// formula): the workbook then stores numbers as numbers.
inline ReportCell number_or_text(const std::string& s) {
  const char* begin = s.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  const bool whole = !s.empty() && end == begin + s.size() && std::isfinite(v) && s.find_first_of(" \t") == std::string::npos;
  return whole ? ReportCell::number(v, Format::number) : text(s);
}
inline ReportCell optional_money(const std::optional<double>& v) { return v ? money(*v) : ReportCell::empty(); }
inline ReportCell optional_effect(const std::optional<double>& v) { return v ? effect(*v) : ReportCell::empty(); }

using hemsim::detail::join;

inline std::string money_unit(const std::string& currency, int price_year) {
  std::string unit = currency.empty() ? std::string("money") : currency;
  if (price_year) unit += fmt::format(" {}", price_year);
  return unit;
}

inline std::string effect_name(const std::string& measure) { return measure == "life_years" ? "life-year" : "QALY"; }
inline std::string effect_plural(const std::string& measure) { return measure == "life_years" ? "life-years" : "QALYs"; }

using hemsim::detail::empirical_quantile;

// Summed in draw order (as the tests' hand calculations do); NaN when empty.
inline double mean(const Eigen::VectorXd& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.size() == 0 ? std::numeric_limits<double>::quiet_NaN() : s / static_cast<double>(v.size());
}

using hemsim::detail::base_spec;

inline json quantitative(const std::string& field, const std::string& title, const std::string& format = {}) {
  json j{{"field", field}, {"type", "quantitative"}, {"title", title}};
  if (!format.empty()) j["axis"] = {{"format", format}};
  return j;
}

inline json nominal(const std::string& field, const std::string& title, const std::vector<std::string>& order = {}) {
  json j{{"field", field}, {"type", "nominal"}, {"title", title}};
  if (!order.empty()) j["scale"] = {{"domain", order}};
  if (!order.empty()) j["sort"] = order;
  return j;
}

inline std::string dump(const json& j) { return j.dump(); }

/// The trace's early-years view covers this many years.
inline constexpr double kEarlyTraceYears = 5;

/// Tornado labels longer than this are cut (with an ellipsis).
inline constexpr std::size_t kMaxTornadoLabel = 60;

/// At most this many parameters in a tornado diagram (the largest swings).
inline constexpr std::size_t kMaxTornadoBars = 15;

/// At most this many draws per strategy are drawn on a CE plane (the means use all).
inline constexpr Eigen::Index kMaxPlaneDraws = 2500;

/// Display labels of strategies, states and events (report_style.hpp); `names(x)` is the
/// label of strategy x.
using Names = hemsim::detail::ReportLabels;

}  // namespace hemsim::detail::report_cells
