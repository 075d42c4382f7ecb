// Uses the installed decision component alone: dampack's HERC example, whose optimal
// strategy changes at the frontier ICERs 5000, 12500 and 20000 (decision_cases.md).
#include <hemsim/decision.hpp>
#include <hemsim/decision_json.hpp>
#include <hemsim/decision_outputs.hpp>

#include <cstdio>

int main() {
  const std::vector<std::string> names{"E", "D", "C", "B", "A", "UC"};
  const std::vector<double> costs{55000, 35000, 25000, 10000, 12000, 5000}, effects{5, 4, 3, 2, 1.5, 1};
  const auto switches = hemsim::optimal_strategy_switches(names, costs, effects);
  std::printf("%s\n", hemsim::to_json(switches).c_str());
  const bool ok = switches.size() == 3 && switches[0].wtp == 5000 && switches[1].wtp == 12500 && switches[2].wtp == 20000 &&
                  hemsim::incremental_table(names, costs, effects).rows[4].dominated_by == std::vector<std::string>{"B", "D"};
  return ok ? 0 : 1;
}
