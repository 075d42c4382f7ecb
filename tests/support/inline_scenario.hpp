#pragma once
// Runs a scenario written inline in a test.

#include <cstdint>
#include <string>

#include "hemsim/hemsim.hpp"

namespace hemsim_test {

inline hemsim::RunResults run(const std::string& yaml, hemsim::Method method, std::uint64_t individuals = 0,
                              const std::string& file = "inline.yaml") {
  hemsim::SimulationOptions options;
  options.method = method;
  options.individuals = individuals;
  return hemsim::run_scenario(hemsim::parse_scenario(yaml, file), options);
}

}  // namespace hemsim_test
