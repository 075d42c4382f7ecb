#pragma once
// The "tpp" object of dsa.json (docs/results-format.md): the price surface and the
// evidence thresholds of `hemsim price --surface`.

#include <nlohmann/json.hpp>

#include "hemsim/tpp.hpp"

namespace hemsim::detail {

[[nodiscard]] nlohmann::json tpp_to_json(const PriceSurface& surface);
[[nodiscard]] PriceSurface tpp_from_json(const nlohmann::json& j);

}  // namespace hemsim::detail
