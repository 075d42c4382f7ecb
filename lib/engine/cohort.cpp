// Cohort (expected-value) engine over the same compiled model. Time in state is handled
// by tunnel expansion up to the cap; discrete attributes by one trace per combination,
// weighted by its probability. Counters and continuous attributes need microsimulation.

#include <cmath>
#include <fmt/format.h>

#include "engine/accumulator.hpp"

namespace hemsim::detail {

namespace {

void require_cohort_compatible(const CompiledModelData& m) {
  const Scenario& s = m.scenario;
  for (std::size_t a = 0; a < s.attributes.size(); ++a) {
    const bool continuous_age = static_cast<int>(a) == m.age_attribute &&
                                m.strategies[0].attributes[a].kind != DistributionKind::fixed;
    if (m.continuous_attribute[a] || continuous_age)
      throw ScenarioError(s.attributes[a].where,
                          fmt::format("the cohort method cannot follow the continuous attribute '{}'", s.attributes[a].name),
                          "fixed or discrete attributes for --method cohort, or --method microsim");
  }
  for (std::size_t c = 0; c < s.counters.size(); ++c)
    if (m.counter_used[c])
      throw ScenarioError(s.counters[c].where,
                          fmt::format("the cohort method cannot follow the counter '{}', which expressions read", s.counters[c].name),
                          "--method microsim for models with counters");
  for (const auto& sm : m.strategies)
    for (const auto& r : sm.runtime_expressions)
      throw ScenarioError(r.expression.where, fmt::format("{} is too large to tabulate for the cohort method", r.what),
                          "--method microsim");
}

}  // namespace

Accumulator run_cohort(const CompiledModelData& m) {
  require_cohort_compatible(m);
  const Scenario& s = m.scenario;
  const int S = m.layout.states;
  const int T = m.cycles;
  const int K = static_cast<int>(m.strategies.size());
  const OutputLayout& L = m.layout;
  Accumulator acc(m, Accumulator::PerPoint::cohort);
  acc.individuals = 1;

  // Expanded states: (state, time in state) with time in state only where it matters.
  std::vector<int> offset(static_cast<std::size_t>(S) + 1, 0);
  std::vector<int> cap(static_cast<std::size_t>(S), 0);
  for (int i = 0; i < S; ++i) {
    cap[static_cast<std::size_t>(i)] = m.state_uses_state_time[static_cast<std::size_t>(i)] ? m.state_time_cap : 0;
    offset[static_cast<std::size_t>(i) + 1] = offset[static_cast<std::size_t>(i)] + cap[static_cast<std::size_t>(i)] + 1;
  }
  const auto expanded = static_cast<std::size_t>(offset[static_cast<std::size_t>(S)]);

  // Discrete attribute combinations.
  std::vector<std::size_t> discrete;
  for (std::size_t a = 0; a < s.attributes.size(); ++a)
    if (m.discrete_attribute_coordinate[a] >= 0) discrete.push_back(a);

  std::vector<double> out(static_cast<std::size_t>(L.size()));
  const std::vector<PerspectiveTerm> perspectives = perspective_terms(m);
  // The same rewards by model year (yearly outputs only).
  const int O = acc.yearly;
  std::vector<double> year_out(static_cast<std::size_t>(acc.years * O));
  std::vector<int> year_of(static_cast<std::size_t>(T) + 1);
  for (int t = 0; t <= T; ++t) year_of[static_cast<std::size_t>(t)] = year_of_point(m, t);
  auto pay = [&](int output, int t, double value) {
    out[static_cast<std::size_t>(output)] += value;
    if (output < O) year_out[static_cast<std::size_t>(year_of[static_cast<std::size_t>(t)] * O + output)] += value;
  };
  std::vector<double> mass(expanded), next(expanded), p(static_cast<std::size_t>(S) + 2);
  std::vector<int> coords(static_cast<std::size_t>(m.coordinate_count), 0);
  const auto& years_weight = m.weights[kEffectUndiscounted];

  for (int k = 0; k < K; ++k) {
    const StrategyModel& sm = m.strategies[static_cast<std::size_t>(k)];
    std::vector<double> strategy_out(static_cast<std::size_t>(L.size()), 0.0);
    std::vector<int> code(discrete.size(), 0);
    int age0 = 0;
    if (m.age_attribute >= 0)
      age0 = std::max(0, static_cast<int>(std::floor(sm.attributes[static_cast<std::size_t>(m.age_attribute)].a /
                                                         s.settings.cycle_length_years + 1e-9)) -
                             m.age_grid_start);
    const int age_limit = m.coordinate_sizes[kCoordAge] - 1;
    for (bool more = true; more;) {
      double weight = 1.0;
      std::fill(coords.begin(), coords.end(), 0);
      for (std::size_t d = 0; d < discrete.size(); ++d) {
        weight *= sm.attributes[discrete[d]].category_probability(code[d]);
        coords[static_cast<std::size_t>(m.discrete_attribute_coordinate[discrete[d]])] = code[d];
      }
      for (std::size_t c = 0; c < m.counters.size(); ++c) coords[kFirstCounterCoord + c] = m.counters[c].initial;
      if (weight > 0) {
        std::fill(out.begin(), out.end(), 0.0);
        std::fill(year_out.begin(), year_out.end(), 0.0);
        std::fill(mass.begin(), mass.end(), 0.0);
        coords[kCoordAge] = std::min(age0, age_limit);
        double total = 0;
        for (int i = 0; i < S; ++i) {
          const double q = quantity_value(m, sm.initial[static_cast<std::size_t>(i)], coords.data(), nullptr, nullptr);
          mass[static_cast<std::size_t>(offset[static_cast<std::size_t>(i)])] = q;
          total += q;
        }
        if (std::abs(total - 1.0) > 1e-9)
          throw ScenarioError(s.initial_where, fmt::format("initial probabilities sum to {:.12g}", total), "probabilities summing to 1");
        for (int c = 0; c < L.categories; ++c) {
          pay(L.cost_discounted(c), 0, sm.one_time_costs[static_cast<std::size_t>(c)]);
          pay(L.cost_undiscounted(c), 0, sm.one_time_costs[static_cast<std::size_t>(c)]);
        }
        for (int t = 0; t <= T; ++t) {
          coords[kCoordT] = t;
          coords[kCoordAge] = std::min(age0 + t, age_limit);
          double* trace = acc.trace_row(k, t);
          for (int i = 0; i < S; ++i) {
            const StateModel& here = sm.states[static_cast<std::size_t>(i)];
            for (int tau = 0; tau <= cap[static_cast<std::size_t>(i)]; ++tau) {
              const double x = mass[static_cast<std::size_t>(offset[static_cast<std::size_t>(i)] + tau)];
              if (x == 0.0) continue;
              coords[kCoordStateTime] = tau;
              for (const RewardTerm& term : here.static_terms) pay(term.output, t, x * term.table[static_cast<std::size_t>(t)]);
              for (const auto* terms : {&here.dynamic_terms, &here.individual_terms})
                for (const RewardTerm& term : *terms)
                  pay(term.output, t, x * quantity_value(m, term.value, coords.data(), nullptr, nullptr) *
                                          m.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)]);
              out[static_cast<std::size_t>(L.years_in_state(i))] += x * years_weight[static_cast<std::size_t>(t)];
              trace[i] += weight * x;
            }
          }
          if (t == T) break;
          std::fill(next.begin(), next.end(), 0.0);
          for (int i = 0; i < S; ++i) {
            const Row& row = sm.rows[static_cast<std::size_t>(i)];
            const std::size_t n = row.outcomes.size();
            for (int tau = 0; tau <= cap[static_cast<std::size_t>(i)]; ++tau) {
              const double x = mass[static_cast<std::size_t>(offset[static_cast<std::size_t>(i)] + tau)];
              if (x == 0.0) continue;
              coords[kCoordStateTime] = tau;
              row_probabilities(m, sm, row, coords.data(), nullptr, nullptr, p.data());
              const int* destinations = row.outcomes.data();
              for (std::size_t j = 0; j < n; ++j) {
                if (p[j] == 0.0) continue;
                const int to = destinations[j];
                const double flow = x * p[j];
                const int to_tau = to == i ? std::min(tau + 1, cap[static_cast<std::size_t>(i)]) : 0;
                next[static_cast<std::size_t>(offset[static_cast<std::size_t>(to)] + to_tau)] += flow;
                const std::size_t pair = static_cast<std::size_t>(i * S + to);
                for (const RewardTerm& term : sm.transition_terms[pair]) {
                  const double value = term.table.empty()
                                           ? quantity_value(m, term.value, coords.data(), nullptr, nullptr) *
                                                 m.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)]
                                           : term.table[static_cast<std::size_t>(t)];
                  pay(term.output, t, flow * value);
                }
                if (const std::uint32_t mask = m.event_masks[pair]) {
                  for (int e = 0; e < L.events; ++e) {
                    if (!((mask >> e) & 1U)) continue;
                    out[static_cast<std::size_t>(L.event_count(e))] += flow;
                    acc.first_event_row(k, e)[t + 1] += weight * flow;
                  }
                }
              }
            }
          }
          std::swap(mass, next);
        }
        // A cohort cannot tell first occurrences from repeats: "ever" is the expected count.
        for (int e = 0; e < L.events; ++e) out[static_cast<std::size_t>(L.event_ever(e))] = out[static_cast<std::size_t>(L.event_count(e))];
        finish_outputs(perspectives, out.data());
        for (std::size_t v = 0; v < out.size(); ++v) strategy_out[v] += weight * out[v];
        for (int y = 0; y < acc.years; ++y)
          for (int v = 0; v < O; ++v) acc.year_row(k, y)[v] += weight * year_out[static_cast<std::size_t>(y * O + v)];
      }
      // Next combination (odometer).
      more = false;
      for (std::size_t d = discrete.size(); d-- > 0;) {
        if (++code[d] < sm.attributes[discrete[d]].categories()) {
          more = true;
          break;
        }
        code[d] = 0;
      }
    }
    for (int v = 0; v < L.size(); ++v) acc.sum[static_cast<std::size_t>(k * L.size() + v)] = strategy_out[static_cast<std::size_t>(v)];
  }
  // Increments: plain differences of expectations.
  const int reference = s.strategy_index(s.settings.reference_strategy);
  const int I = L.increment_size();
  const std::vector<int> paired = paired_outputs(L);
  for (int k = 0; k < K; ++k) {
    if (k == reference) continue;
    const double* out = &acc.sum[static_cast<std::size_t>(k * L.size())];
    const double* ref = &acc.sum[static_cast<std::size_t>(reference * L.size())];
    for (int v = 0; v < I; ++v) {
      const auto at = static_cast<std::size_t>(paired[static_cast<std::size_t>(v)]);
      acc.increment_sum[static_cast<std::size_t>(k * I + v)] = out[at] - ref[at];
    }
  }
  return acc;
}

}  // namespace hemsim::detail
