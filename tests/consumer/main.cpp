// Runs the Alarid-Escudero cohort model through the installed library and checks the
// standard-of-care cost against the published value.
#include <hemsim/hemsim.hpp>

#include <cmath>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  const auto results = hemsim::run_scenario(hemsim::load_scenario(argv[1]), options);
  const double cost = results.strategies[0].costs_by_perspective[0].discounted.mean;
  std::printf("installed hemsim %s: standard of care %.6f\n", hemsim::kVersion, cost);
  return std::abs(cost - 151579.865957) < 1e-3 ? 0 : 1;
}
