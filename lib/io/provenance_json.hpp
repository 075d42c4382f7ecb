#pragma once
// The "provenance" object of results.json, psa.json, dsa.json and named_scenarios.json
// (docs/results-format.md), for either of nlohmann's JSON types.

#include "hemsim/provenance.hpp"

namespace hemsim::detail {

template <typename Json>
void write_provenance(Json& j, const Provenance& p) {
  if (p.command.empty()) return;
  Json inputs = Json::array();
  for (const auto& input : p.inputs) inputs.push_back({{"role", input.role}, {"path", input.path}, {"sha256", input.sha256}});
  j["provenance"] = {{"command", p.command}, {"hemsim_version", p.hemsim_version}, {"inputs", inputs}};
}

template <typename Json>
Provenance read_provenance(const Json& j) {
  Provenance p;
  if (!j.contains("provenance")) return p;
  const Json& o = j.at("provenance");
  p.command = o.at("command").template get<std::string>();
  p.hemsim_version = o.at("hemsim_version").template get<std::string>();
  for (const auto& input : o.at("inputs"))
    p.inputs.push_back({input.at("role").template get<std::string>(), input.at("path").template get<std::string>(),
                        input.at("sha256").template get<std::string>()});
  return p;
}

}  // namespace hemsim::detail
