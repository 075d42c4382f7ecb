// hemsim_plain_loop INDIVIDUALS: the plain Sick-Sicker loop (sick_sicker_plain_loop.hpp)
// as a whole process, the yardstick of bench/engine_vs_plain.sh. Prints the mean
// discounted costs and QALYs per strategy, so the loop cannot be optimised away.

#include <cstdio>
#include <cstdlib>

#include "sick_sicker_plain_loop.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: hemsim_plain_loop INDIVIDUALS\n");
    return 2;
  }
  char* end = nullptr;
  const auto individuals = std::strtoull(argv[1], &end, 10);
  if (argv[1][0] < '1' || argv[1][0] > '9' || *end != '\0') {
    std::fprintf(stderr, "hemsim_plain_loop: INDIVIDUALS must be a positive whole number\n");
    return 2;
  }
  const auto totals = hemsim_bench::sick_sicker_plain_loop(individuals);
  const auto n = static_cast<double>(individuals);
  std::printf("costs %.6f %.6f qalys %.6f %.6f\n", totals.costs[0] / n, totals.costs[1] / n, totals.qalys[0] / n, totals.qalys[1] / n);
  return 0;
}
