#pragma once
// Numbers in saved results: NaN and infinity are not JSON, so they are written as null
// and read back as NaN.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace hemsim::detail {

inline nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

inline double json_number(const nlohmann::json& j) { return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>(); }

inline nlohmann::json json_numbers(const std::vector<double>& values) {
  nlohmann::json out = nlohmann::json::array();
  for (double v : values) out.push_back(json_number(v));
  return out;
}

inline std::vector<double> json_numbers(const nlohmann::json& j) {
  if (!j.is_array())
    throw nlohmann::json::type_error::create(302, "expected an array of numbers, found " + std::string(j.type_name()), &j);
  std::vector<double> out;
  for (const auto& x : j) out.push_back(json_number(x));
  return out;
}

}  // namespace hemsim::detail
