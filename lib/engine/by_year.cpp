// The part of the microsimulation's costs and outcomes by year that is not paid inside
// its cycle loop. Static state rewards are paid per stay through prefix sums
// (docs/performance.md, "Rewards per stay"), so a stay never knows which years it spans;
// but their expected value in year y only needs how many individuals were in each state
// at each point, which the trace already counts in whole numbers. Valuing those counts
// here costs nothing in the loop and, the counts being exact, gives the same bits for
// any number of threads.

#include "engine/accumulator.hpp"

namespace hemsim::detail {

void add_microsimulation_by_year_from_counts(const CompiledModelData& m, Accumulator& acc) {
  const int S = m.layout.states;
  const int T = m.cycles;
  const int O = acc.yearly;
  const bool by_survival = !m.life_years_prefix[0].empty();
  std::vector<double> in_state(static_cast<std::size_t>((T + 1) * S));
  std::vector<double> alive(static_cast<std::size_t>(T) + 1);
  for (int k = 0; k < acc.strategies; ++k) {
    const StrategyModel& sm = m.strategies[static_cast<std::size_t>(k)];
    // Individuals in each state at each point (the running sum of entries and exits).
    std::fill(alive.begin(), alive.end(), 0.0);
    for (int s = 0; s < S; ++s) {
      double count = 0.0;
      for (int t = 0; t <= T; ++t) {
        count += acc.trace_change_row(k, t)[s];
        in_state[static_cast<std::size_t>(t * S + s)] = count;
        if (!m.dead_state.empty() && !m.dead_state[static_cast<std::size_t>(s)]) alive[static_cast<std::size_t>(t)] += count;
      }
    }
    for (int s = 0; s < S; ++s) {
      const StateModel& st = sm.states[static_cast<std::size_t>(s)];
      const std::size_t width = st.prefix_width;
      for (const auto& use : st.prefix_uses) {
        if (use.output >= O) continue;  // years in state and user outcomes are not kept by year
        for (int t = 0; t <= T; ++t) {
          const double n = in_state[static_cast<std::size_t>(t * S + s)];
          if (n == 0.0) continue;
          const double step = st.static_prefix[(static_cast<std::size_t>(t) + 1) * width + use.column] -
                              st.static_prefix[static_cast<std::size_t>(t) * width + use.column];
          acc.year_row(k, year_of_point(m, t))[use.output] += use.factor * n * step;
        }
      }
    }
    if (by_survival) {
      const OutputLayout& L = m.layout;
      for (int t = 0; t <= T; ++t) {
        const auto i = static_cast<std::size_t>(t);
        double* year = acc.year_row(k, year_of_point(m, t));
        year[L.life_years_discounted()] += m.life_years_weight * alive[i] * (m.life_years_prefix[0][i + 1] - m.life_years_prefix[0][i]);
        year[L.life_years_undiscounted()] += m.life_years_weight * alive[i] * (m.life_years_prefix[1][i + 1] - m.life_years_prefix[1][i]);
      }
    }
    double* first_year = acc.year_row(k, 0);
    for (int c = 0; c < m.layout.categories; ++c) {
      first_year[m.layout.cost_discounted(c)] += acc.individuals * sm.one_time_costs[static_cast<std::size_t>(c)];
      first_year[m.layout.cost_undiscounted(c)] += acc.individuals * sm.one_time_costs[static_cast<std::size_t>(c)];
    }
  }
}

}  // namespace hemsim::detail
