// Markov microsimulation: individuals in fixed blocks, TBB deterministic reduction,
// every individual through every strategy with the same random numbers.

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>

#include <atomic>
#include <cmath>
#include <fmt/format.h>
#include <functional>

#include "accumulator.hpp"
#include "random_stream.hpp"

namespace hemsim::detail {

namespace {

// Individuals per leaf of the reduction tree. Fixed, so the summation order, and with it
// every bit of the result, does not depend on the number of threads.
constexpr std::uint64_t kBlockSize = 256;

class IndividualSimulator {
 public:
  IndividualSimulator(const CompiledModelData& m, const RandomStream& random)
      : m_(m),
        random_(random),
        S_(m.layout.states),
        V_(m.layout.size()),
        outputs_(m.strategies.size() * static_cast<std::size_t>(V_), 0.0),
        coords_(static_cast<std::size_t>(m.coordinate_count), 0),
        attributes_(m.scenario.attributes.size(), 0.0),
        attribute_streams_(m.scenario.attributes.size()),
        probabilities_(static_cast<std::size_t>(S_) + 2, 0.0),
        diff_(static_cast<std::size_t>(m.layout.increment_size()), 0.0),
        counters_(m.counters.size(), 0),
        evaluators_(m.strategies.size()) {
    for (std::size_t a = 0; a < attribute_streams_.size(); ++a)
      attribute_streams_[a] = stream_id(m.scenario.attributes[a].name);
    std::size_t slots = 0;
    for (std::size_t k = 0; k < m.strategies.size(); ++k) {
      slots = std::max(slots, m.strategies[k].runtime_expressions.size());
      if (!m.strategies[k].runtime_expressions.empty())
        evaluators_[k] = std::make_unique<RuntimeEvaluator>(m, static_cast<int>(k));
    }
    individual_values_.assign(slots, 0.0);
    blocks_.resize(static_cast<std::size_t>(m.cycles) / 4 + 1);
    std::size_t widest = 0;
    for (const auto& sm : m.strategies) {
      std::vector<std::size_t> offsets;
      std::size_t width = 0;
      for (const auto& st : sm.states) {
        offsets.push_back(width);
        width += st.prefix_width;
      }
      stay_offsets_.push_back(std::move(offsets));
      widest = std::max(widest, width);
    }
    stay_totals_.assign(widest, 0.0);
    for (const auto& sm : m.strategies) {
      std::vector<HotState> hot;
      for (int st = 0; st < S_; ++st) {
        const Row& row = sm.rows[static_cast<std::size_t>(st)];
        const StateModel& state = sm.states[static_cast<std::size_t>(st)];
        hot.push_back({row.cumulative.data(), row.is_static ? row.sampling_order.data() : row.outcomes.data(),
                       row.outcomes.size(), row.is_static, state.shortcut,
                       !state.dynamic_terms.empty()});
      }
      std::vector<std::uint8_t> flags(static_cast<std::size_t>(S_ * S_), 0);
      for (std::size_t pair = 0; pair < flags.size(); ++pair)
        flags[pair] = static_cast<std::uint8_t>((sm.transition_terms[pair].empty() ? 0 : 1) | (m.event_masks[pair] ? 2 : 0));
      for (int st = 0; st < S_; ++st) {
        const Row& row = sm.rows[static_cast<std::size_t>(st)];
        hot[static_cast<std::size_t>(st)].quiet_stay = row.is_static && !row.sampling_order.empty() &&
                                                       row.sampling_order[0] == st && flags[static_cast<std::size_t>(st * S_ + st)] == 0;
      }
      hot_.push_back(std::move(hot));
      pair_flags_.push_back(std::move(flags));
    }
  }

  // Plain pointers to each strategy's per-state data, so the cycle loop does no
  // container bookkeeping.
  struct HotState {
    const double* cumulative = nullptr;  // static rows: T x n
    const int* outcomes = nullptr;
    std::size_t n = 0;
    bool is_static = false;
    bool shortcut = false;
    bool has_dynamic = false;
    bool quiet_stay = false;  // static row whose first sampled outcome is staying, with nothing recorded
  };

  void simulate(std::uint64_t i, Accumulator& acc) {
    const int K = static_cast<int>(m_.strategies.size());
    blocks_ready_ = 0;  // this individual's transition numbers, shared by every strategy
    for (int k = 0; k < K; ++k) simulate_strategy(i, k, acc);
    const OutputLayout& L = m_.layout;
    const int reference = m_.reference_strategy;
    const double* ref = &outputs_[static_cast<std::size_t>(reference * V_)];
    for (int k = 0; k < K; ++k) {
      const double* out = &outputs_[static_cast<std::size_t>(k * V_)];
      double* sum = &acc.sum[static_cast<std::size_t>(k * V_)];
      double* sq = &acc.sum_of_squares[static_cast<std::size_t>(k * V_)];
      for (int v = 0; v < V_; ++v) {
        sum[v] += out[v];
        sq[v] += out[v] * out[v];
      }
      if (k == reference) continue;
      increment_values(L, out, ref, diff_.data());
      const int I = L.increment_size();
      for (int v = 0; v < I; ++v) {
        acc.increment_sum[static_cast<std::size_t>(k * I + v)] += diff_[static_cast<std::size_t>(v)];
        acc.increment_sum_of_squares[static_cast<std::size_t>(k * I + v)] += diff_[static_cast<std::size_t>(v)] * diff_[static_cast<std::size_t>(v)];
      }
    }
    acc.individuals += 1;
  }

 private:
  // Counts the events of one transition (made at cycle t) and their first occurrences.
  void record_events(std::uint32_t mask, int t, int k, double* out, std::uint32_t& ever, Accumulator& acc) const {
    const OutputLayout& L = m_.layout;
    for (int e = 0; e < L.events; ++e) {
      if (!((mask >> e) & 1U)) continue;
      out[L.event_count(e)] += 1.0;
      if (!((ever >> e) & 1U)) {
        ever |= std::uint32_t{1} << e;
        acc.first_event_row(k, e)[t + 1] += 1.0;
      }
    }
  }

  void simulate_strategy(std::uint64_t i, int k, Accumulator& acc) {
    const StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k)];
    const OutputLayout& L = m_.layout;
    const int T = m_.cycles;
    double* out = &outputs_[static_cast<std::size_t>(k * V_)];
    std::fill(out, out + V_, 0.0);
    std::fill(coords_.begin(), coords_.end(), 0);
    RuntimeEvaluator* runtime = evaluators_[static_cast<std::size_t>(k)].get();

    // Attributes, each from its own stream.
    int age0 = 0;
    for (std::size_t a = 0; a < attributes_.size(); ++a) {
      const Distribution& d = sm.attributes[a];
      const double u = random_.uniform(i, Purpose::attribute, attribute_streams_[a]);
      attributes_[a] = d.quantile(u);
      if (m_.discrete_attribute_coordinate[a] >= 0) coords_[static_cast<std::size_t>(m_.discrete_attribute_coordinate[a])] = static_cast<int>(attributes_[a]);
      if (static_cast<int>(a) == m_.age_attribute)
        age0 = std::max(0, static_cast<int>(std::floor(attributes_[a] / m_.scenario.settings.cycle_length_years + 1e-9)));
    }
    const int age_limit = m_.coordinate_sizes[kCoordAge] - 1;
    coords_[kCoordAge] = std::min(age0, age_limit);
    if (runtime) {
      runtime->set_attributes(attributes_.data());
      for (std::size_t r = 0; r < sm.runtime_expressions.size(); ++r) {
        if (!sm.runtime_expressions[r].per_individual) continue;
        Quantity q;
        q.kind = Quantity::Kind::per_individual;
        q.slot = static_cast<int>(r);
        q.check = sm.runtime_expressions[r].check;
        individual_values_[r] = runtime->evaluate(q, coords_.data());
      }
    }
    for (int c = 0; c < L.categories; ++c) {
      out[L.cost_discounted(c)] += sm.one_time_costs[static_cast<std::size_t>(c)];
      out[L.cost_undiscounted(c)] += sm.one_time_costs[static_cast<std::size_t>(c)];
    }

    // Initial state.
    int state = 0;
    if (sm.certain_initial_state >= 0) {
      state = sm.certain_initial_state;
    } else {
      const double u = random_.uniform(i, Purpose::initial_state, 0);
      double cumulative = 0.0, total = 0.0;
      int chosen = -1;
      for (int s = 0; s < S_; ++s) {
        const double p = quantity_value(m_, sm.initial[static_cast<std::size_t>(s)], coords_.data(), individual_values_.data(), runtime);
        total += p;
        cumulative += p;
        if (chosen < 0 && u < cumulative) chosen = s;
        if (p > 0) state = s;  // catch-all: the last state with positive probability
      }
      if (std::abs(total - 1.0) > 1e-9)
        throw ScenarioError(m_.scenario.initial_where,
                            fmt::format("initial probabilities sum to {:.12g} for individual {}", total, i),
                            "probabilities summing to 1 for every individual");
      if (chosen >= 0) state = chosen;
    }
    for (std::size_t c = 0; c < counters_.size(); ++c) {
      counters_[c] = m_.counters[c].initial;
      coords_[kFirstCounterCoord + c] = counters_[c];
    }
    std::uint32_t ever = 0;
    int state_time = 0;
    int entered = 0;  // point at which the current stay began
    r123::Philox4x32::ctr_type block{};
    const bool track_coordinates = m_.needs_coordinates_per_cycle;

    // Static rewards and the trace are settled per stay (prefix sums); only dynamic
    // rewards and non-static rows are evaluated cycle by cycle.
    // Each stay adds prefix[exit] - prefix[entry] to its state's contiguous row of stay
    // totals; the rows are scattered to the outputs once, when the individual is done.
    const std::size_t* stay_offset = stay_offsets_[static_cast<std::size_t>(k)].data();
    double* trace_changes = acc.trace_change_row(k, 0);
    std::uint64_t visited = 0;  // states with stay totals to scatter (bit s % 64)
    auto close_stay = [&](int s, int from_point, int to_point) {
      const StateModel& st = sm.states[static_cast<std::size_t>(s)];
      const std::size_t width = st.prefix_width;
      const double* __restrict a = &st.static_prefix[static_cast<std::size_t>(from_point) * width];
      const double* __restrict b = &st.static_prefix[static_cast<std::size_t>(to_point) * width];
      double* __restrict total = &stay_totals_[stay_offset[s]];
      for (std::size_t j = 0; j < 4; ++j) total[j] += b[j] - a[j];
      for (std::size_t j = 4; j < width; ++j) total[j] += b[j] - a[j];
      visited |= std::uint64_t{1} << (s & 63);
      trace_changes[static_cast<std::size_t>(from_point * S_ + s)] += 1.0;
      trace_changes[static_cast<std::size_t>(to_point * S_ + s)] -= 1.0;
    };

    const HotState* hot = hot_[static_cast<std::size_t>(k)].data();
    const std::uint8_t* pair_flags = pair_flags_[static_cast<std::size_t>(k)].data();
    const bool has_counters = !counters_.empty();
    int t = 0;
    auto next_uniform = [&](int cycle) {
      if ((cycle & 3) == 0) {
        const auto b = static_cast<std::size_t>(cycle >> 2);
        while (blocks_ready_ <= b) {
          blocks_[blocks_ready_] = random_.block(i, Purpose::transition, static_cast<std::uint32_t>(blocks_ready_));
          ++blocks_ready_;
        }
        block = blocks_[b];
      }
      return RandomStream::to_uniform(block[static_cast<std::size_t>(cycle & 3)]);
    };
    if (!track_coordinates && !has_counters) {
      // Fast path: every row is a static table and nothing but the state is tracked.
      // Staying put (the complement, sampled first) costs one comparison.
      if (!hot[state].shortcut) {
        for (; t < T; ++t) {
          const double u = next_uniform(t);
          const HotState& h = hot[state];
          const double* cumulative = h.cumulative + static_cast<std::size_t>(t) * h.n;
          std::size_t j = 0;
          while (!(u < cumulative[j])) ++j;
          if (j == 0 && h.quiet_stay) continue;
          const int to = h.outcomes[j];
          const std::size_t pair = static_cast<std::size_t>(state * S_ + to);
          if (const std::uint8_t flags = pair_flags[pair]) {
            if (flags & 1U)
              for (const RewardTerm& term : sm.transition_terms[pair]) out[term.output] += term.table[static_cast<std::size_t>(t)];
            if (flags & 2U) record_events(m_.event_masks[pair], t, k, out, ever, acc);
          }
          if (to != state) {
            close_stay(state, entered, t + 1);
            entered = t + 1;
            state = to;
            if (hot[state].shortcut) break;
          }
        }
      }
    }
    for (; t < T && (track_coordinates || has_counters); ++t) {
      const HotState& h = hot[state];
      if (h.shortcut) break;  // absorbing with static rewards: the stay runs to the horizon
      if (track_coordinates) {
        coords_[kCoordT] = t;
        coords_[kCoordAge] = std::min(age0 + t, age_limit);
        coords_[kCoordStateTime] = std::min(state_time, m_.state_time_cap);
        if (h.has_dynamic)
          for (const RewardTerm& term : sm.states[static_cast<std::size_t>(state)].dynamic_terms)
            out[term.output] += quantity_value(m_, term.value, coords_.data(), individual_values_.data(), runtime) *
                                m_.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)];
      }

      const double u = next_uniform(t);
      const std::size_t n = h.n;
      std::size_t j = 0;
      if (h.is_static) {
        // The last cumulative value is exactly 1 and u < 1, so the scan always stops.
        const double* cumulative = h.cumulative + static_cast<std::size_t>(t) * n;
        while (!(u < cumulative[j])) ++j;
      } else {
        row_probabilities(m_, sm, sm.rows[static_cast<std::size_t>(state)], coords_.data(), individual_values_.data(), runtime,
                          probabilities_.data());
        double cumulative = probabilities_[0];
        while (j + 1 < n && !(u < cumulative)) cumulative += probabilities_[++j];
      }
      const int to = h.outcomes[j];
      const std::size_t pair = static_cast<std::size_t>(state * S_ + to);
      const std::uint8_t flags = pair_flags[pair];

      if (flags & 1U) {
        for (const RewardTerm& term : sm.transition_terms[pair]) {
          const double value = term.table.empty()
                                   ? quantity_value(m_, term.value, coords_.data(), individual_values_.data(), runtime) *
                                         m_.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)]
                                   : term.table[static_cast<std::size_t>(t)];
          out[term.output] += value;
        }
      }
      if (flags & 2U) record_events(m_.event_masks[pair], t, k, out, ever, acc);
      if (has_counters) {
        for (std::size_t c = 0; c < counters_.size(); ++c) {
          const auto& rule = m_.counters[c];
          int v = rule.reset[pair] ? rule.after[pair] : counters_[c] + rule.before[pair] + rule.after[pair];
          v = std::clamp(v, 0, rule.max);
          counters_[c] = v;
          coords_[kFirstCounterCoord + c] = v;
        }
      }
      if (to == state) {
        ++state_time;
      } else {
        close_stay(state, entered, t + 1);
        entered = t + 1;
        state_time = 0;
        state = to;
      }
    }
    // The last stay includes point T (and the remaining horizon after an absorbing shortcut).
    {
      const StateModel& here = sm.states[static_cast<std::size_t>(state)];
      if (!here.shortcut && t == T) {
        coords_[kCoordT] = T;
        coords_[kCoordAge] = std::min(age0 + T, age_limit);
        coords_[kCoordStateTime] = std::min(state_time, m_.state_time_cap);
        for (const RewardTerm& term : here.dynamic_terms)
          out[term.output] += quantity_value(m_, term.value, coords_.data(), individual_values_.data(), runtime) *
                              m_.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(T)];
      }
      close_stay(state, entered, T + 1);
    }
    for (int s = 0; s < S_; ++s) {
      if (!((visited >> (s & 63)) & 1U)) continue;
      const StateModel& st = sm.states[static_cast<std::size_t>(s)];
      double* total = &stay_totals_[stay_offset[s]];
      for (const auto& use : st.prefix_uses) out[use.output] += use.factor * total[use.column];
      std::fill(total, total + st.prefix_width, 0.0);  // ready for the next individual
    }
    for (int e = 0; e < L.events; ++e) out[L.event_ever(e)] = (ever >> e) & 1U ? 1.0 : 0.0;
    finish_outputs(m_, out);
  }

  const CompiledModelData& m_;
  const RandomStream& random_;
  int S_, V_;
  std::vector<double> outputs_;
  std::vector<int> coords_;
  std::vector<double> attributes_;
  std::vector<std::uint32_t> attribute_streams_;
  std::vector<double> probabilities_;
  std::vector<double> diff_;
  std::vector<int> counters_;
  std::vector<double> individual_values_;
  std::vector<std::unique_ptr<RuntimeEvaluator>> evaluators_;
  std::vector<std::vector<HotState>> hot_;
  std::vector<r123::Philox4x32::ctr_type> blocks_;
  std::vector<std::vector<std::size_t>> stay_offsets_;  // per strategy, per state: first column in stay_totals_
  std::vector<double> stay_totals_;
  std::size_t blocks_ready_ = 0;
  std::vector<std::vector<std::uint8_t>> pair_flags_;
};

struct Body {
  const CompiledModelData& m;
  const RandomStream& random;
  const std::function<void(double)>& progress;
  std::atomic<std::uint64_t>& done;
  std::uint64_t total;
  Accumulator acc;

  Body(const CompiledModelData& model, const RandomStream& r, const std::function<void(double)>& p,
       std::atomic<std::uint64_t>& d, std::uint64_t n)
      : m(model), random(r), progress(p), done(d), total(n), acc(model) {}
  Body(Body& other, tbb::split)
      : m(other.m), random(other.random), progress(other.progress), done(other.done), total(other.total), acc(other.m) {}

  void operator()(const tbb::blocked_range<std::uint64_t>& range) {
    IndividualSimulator simulator(m, random);
    for (std::uint64_t i = range.begin(); i != range.end(); ++i) simulator.simulate(i, acc);
    const std::uint64_t finished = done.fetch_add(range.size()) + range.size();
    if (progress) progress(static_cast<double>(finished) / static_cast<double>(total));
  }
  void join(Body& rhs) { acc.join(rhs.acc); }
};

}  // namespace

Accumulator run_microsimulation(const CompiledModelData& m, std::uint64_t individuals, std::uint64_t seed,
                                std::uint32_t draw, const std::function<void(double)>& progress) {
  const RandomStream random(seed, draw);
  std::atomic<std::uint64_t> done{0};
  Body body(m, random, progress, done, individuals);
  tbb::parallel_deterministic_reduce(tbb::blocked_range<std::uint64_t>(0, individuals, kBlockSize), body);
  return std::move(body.acc);
}

}  // namespace hemsim::detail
