#include "hemsim/provenance.hpp"

#include <fmt/format.h>

#include "core/read_file.hpp"
#include "core/sha256.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim {

std::vector<InputFile> scenario_inputs(const Scenario& scenario) {
  std::vector<InputFile> inputs{{"scenario", scenario.file, scenario.sha256}};
  for (const auto& t : scenario.tables) inputs.push_back({fmt::format("table '{}'", t.name), t.file, t.sha256});
  return inputs;
}

std::vector<std::string> changed_inputs(const Provenance& provenance) {
  std::vector<std::string> changes;
  for (const auto& input : provenance.inputs) {
    const auto bytes = detail::read_file(input.path);
    if (!bytes) {
      changes.push_back(fmt::format("the {} file {} is not found here, so it cannot be checked", input.role, input.path));
      continue;
    }
    const std::string now = detail::sha256_hex(*bytes);
    if (now != input.sha256)
      changes.push_back(fmt::format("the {} file {} has changed since these results were made (SHA-256 {}... then, {}... now)", input.role,
                                    input.path, input.sha256.substr(0, 12), now.substr(0, 12)));
  }
  return changes;
}

}  // namespace hemsim
