// Markov microsimulation: individuals in fixed blocks, TBB deterministic reduction,
// every individual through every strategy with the same random numbers.

#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_reduce.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <memory>
#include <optional>

#include "engine/accumulator.hpp"
#include "engine/clock.hpp"
#include "engine/lanes.hpp"
#include "engine/random_stream.hpp"
#include "engine/shared_walks.hpp"

namespace hemsim::detail {

namespace {

// Individuals per block: a leaf of the reduction tree and a batch for paired Monte Carlo
// errors (BatchSums). It depends on the number of individuals only, so the summation
// order, and with it every bit of the result, does not depend on the number of threads.
// Small runs get smaller blocks, so that they still have enough batches (at least 64
// below 16,384 individuals) for a batch variance.
std::uint64_t block_size(std::uint64_t individuals) {
  return std::clamp<std::uint64_t>((individuals + 63) / 64, 16, 256);
}

class IndividualSimulator {
 public:
  // `evaluators` are the thread's run-time evaluators (one per strategy that needs one),
  // made on first use and kept across blocks: parsing them is the costly part of setting
  // up. The simulator is made once per thread and moved onto each block's stack, which
  // keeps its hot members where the compiler can hold them in registers (ThreadState).
  IndividualSimulator(const CompiledModelData& m, const RandomStream& random, const WalkPlan& plan,
                      std::vector<std::unique_ptr<RuntimeEvaluator>>& evaluators)
      : m_(m),
        random_(random),
        K_(static_cast<int>(m.strategies.size())),
        S_(m.layout.states),
        V_(m.layout.size()),
        outputs_(m.strategies.size() * static_cast<std::size_t>(V_), 0.0),
        coords_(static_cast<std::size_t>(m.coordinate_count), 0),
        attributes_(m.scenario.attributes.size(), 0.0),
        attribute_streams_(m.scenario.attributes.size()),
        probabilities_(static_cast<std::size_t>(S_) + 2, 0.0),
        thresholds_(probabilities_.size(), 0.0),
        paired_(paired_outputs(m.layout)),
        perspective_terms_(perspective_terms(m)),
        counters_(m.counters.size(), 0),
        evaluators_(m.strategies.size()),
        lanes_(make_lanes(m, plan)),
        years_(model_years(m)),
        yearly_(yearly_outputs(m.layout)),
        fast_(takes_fast_path(m)) {
    for (std::size_t a = 0; a < attribute_streams_.size(); ++a)
      attribute_streams_[a] = stream_id(m.scenario.attributes[a].name);
    // Moves that change some counter. The others leave every counter as it is (a counter
    // stays within [0, max] once updated), unless a counter starts outside that range.
    counter_pairs_.assign(static_cast<std::size_t>(S_ * S_), 0);
    bool starts_in_range = true;
    for (const auto& rule : m.counters) starts_in_range = starts_in_range && rule.initial >= 0 && rule.initial <= rule.max;
    for (std::size_t pair = 0; pair < counter_pairs_.size(); ++pair)
      for (const auto& rule : m.counters)
        if (!starts_in_range || rule.reset[pair] || rule.before[pair] || rule.after[pair]) counter_pairs_[pair] = 1;
    // Strategies usually share the population: the same distributions give the same
    // draws (same streams), so the inverse CDFs are computed once per individual.
    same_attributes_as_previous_.assign(m.strategies.size(), false);
    for (std::size_t k = 1; k < m.strategies.size(); ++k)
      same_attributes_as_previous_[k] = m.strategies[k].attributes == m.strategies[k - 1].attributes;
    std::size_t slots = 0;
    for (std::size_t k = 0; k < m.strategies.size(); ++k) {
      slots = std::max(slots, m.strategies[k].runtime_expressions.size());
      if (!m.strategies[k].runtime_expressions.empty())
      {
        if (evaluators.size() != m.strategies.size()) evaluators.resize(m.strategies.size());
        if (!evaluators[k]) evaluators[k] = std::make_unique<RuntimeEvaluator>(m, static_cast<int>(k));
        evaluators_[k] = evaluators[k].get();
      }
    }
    individual_values_.assign(slots, 0.0);
    for (int t = 0; t <= m.cycles + 1; ++t) year_of_point_.push_back(year_of_point(m, t));
    year_start_.assign(static_cast<std::size_t>(years_) + 1, m.cycles + 2);
    for (int t = m.cycles + 1; t >= 0; --t) year_start_[static_cast<std::size_t>(year_of_point_[static_cast<std::size_t>(t)])] = t;
    for (int y = years_ - 1; y >= 0; --y)  // a year no cycle starts in (cycles over a year) is empty
      year_start_[static_cast<std::size_t>(y)] = std::min(year_start_[static_cast<std::size_t>(y)], year_start_[static_cast<std::size_t>(y) + 1]);
    if (fast_) walks_ = make_walks(plan, lanes_, S_);
    // Without attributes, run-time or per-individual values, the fast path's coordinates
    // stay 0 and every age0 0: begin_individual has nothing to do.
    same_every_individual_ = fast_ && attributes_.empty() &&
                             std::all_of(evaluators_.begin(), evaluators_.end(), [](const RuntimeEvaluator* e) { return e == nullptr; }) &&
                             std::all_of(lanes_.begin(), lanes_.end(), [](const Lane& lane) { return lane.individual_values.empty(); });
  }

  // Where this thread's whole-number per-point counts go (trace changes, first events).
  void use_counts(Accumulator* counts) { counts_ = counts; }

  // Simulates individual i in every strategy, adding its outputs to `block` (its block's
  // sums) and its rewards by year to `by_year` (Accumulator::by_year).
  void simulate(std::uint64_t i, Accumulator& block, double* by_year) {
    by_year_ = by_year;
    if (fast_) {
      for (int k = 0; k < K_; ++k) begin_strategy(i, k);
      run_walks(i);
      for (int k = 0; k < K_; ++k) finish_strategy(k);
    } else {
      for (int k = 0; k < K_; ++k) {
        begin_strategy(i, k);
        run_cycles(i, k);
        finish_strategy(k);
      }
    }
    for (Lane& lane : lanes_)
      if (lane.totals_from < 0) clear_stay_totals(lane);  // after every strategy that reads them
    add_individual(block);
  }

  // A block's batch totals (strategies x BatchSums values): the sums of its paired outputs.
  void write_batch_totals(const Accumulator& block, double* batch) const {
    const std::size_t I = paired_.size();
    for (int k = 0; k < K_; ++k)
      for (std::size_t v = 0; v < I; ++v)
        batch[static_cast<std::size_t>(k) * I + v] = block.sum[static_cast<std::size_t>(k * V_ + paired_[v])];
  }

 private:
  // Adds the individual's outputs to the sums and sums of squares, and its increments over
  // the reference strategy.
  void add_individual(Accumulator& acc) {
    const int reference = m_.reference_strategy;
    const auto I = static_cast<std::size_t>(paired_.size());
    const double* __restrict ref = &outputs_[static_cast<std::size_t>(reference * V_)];
    const int* __restrict paired = paired_.data();
    for (int k = 0; k < K_; ++k) {
      const double* __restrict out = &outputs_[static_cast<std::size_t>(k * V_)];
      if (k == reference) continue;
      double* __restrict increment_sum = &acc.increment_sum[static_cast<std::size_t>(k) * I];
      double* __restrict increment_sq = &acc.increment_sum_of_squares[static_cast<std::size_t>(k) * I];
      for (std::size_t v = 0; v < I; ++v) {
        const double diff = out[paired[v]] - ref[paired[v]];
        increment_sum[v] += diff;
        increment_sq[v] += diff * diff;
      }
    }
    add_with_squares_and_clear(outputs_.data(), acc.sum.data(), acc.sum_of_squares.data(), outputs_.size());  // strategies x outputs, as the sums
    acc.individuals += 1;
  }

  // sum += x and sq += x * x element by element, then x = 0 (so the outputs start the next
  // individual at zero); restrict parameters (which GCC honours, unlike restrict locals)
  // let it vectorise without checking for overlap.
  static void add_with_squares_and_clear(double* __restrict x, double* __restrict sum, double* __restrict sq, std::size_t n) {
    for (std::size_t v = 0; v < n; ++v) {
      sum[v] += x[v];
      sq[v] += x[v] * x[v];
      x[v] = 0.0;
    }
  }

  static constexpr std::size_t kScatterEveryState = 48;  // stay uses (see finish_strategy)

  // Death or event clock c at a cycle in which its group has probability q (see
  // engine/clock.hpp): the uniform below q when the clock arrives (the group is chosen),
  // else 1. Its arrivals come one per occurrence from its own stream, each drawn when the
  // clock is next used (an unarmed clock's u is above any product, so `arrives` sends it
  // here); the next counts from this cycle.
  double clock_uniform(std::uint64_t i, std::size_t c, double q, Clock& clock) {
    if (!arrives(clock, 1.0 - q)) return 1.0;  // an unarmed clock always "arrives", its product untouched
    if (clock.u == Clock::kUnarmed) {
      clock.u = clock_arrival(i, c, clock.occurrences);
      if (!arrives(clock, 1.0 - q)) return 1.0;
    }
    const double v = arrival_uniform(clock, q);
    clock = {Clock::kUnarmed, 1.0, clock.occurrences + 1};  // memoryless: the next arrival counts from this cycle
    return v;
  }

  // The lane clock (Lane::clocks) of a death or event stream.
  static std::size_t clock_of(std::uint32_t stream) { return stream == kStreamDeath ? 0 : stream - kStreamFirstEvent + 1; }

  // Draws death or event clock c's next arrival if it has none.
  void arm(std::uint64_t i, std::size_t c, Clock& clock) {
    if (clock.u == Clock::kUnarmed) clock.u = clock_arrival(i, c, clock.occurrences);
  }

  // The uniform of occurrence k + 1 on clock c (0 deaths, 1 + e event e): 53 bits. First
  // arrivals come two clocks to a Philox block (the death clock's and the first event's
  // share one, and most individuals need both); later ones from the clock's own stream,
  // two per block. The last blocks are cached, so strategies share their arrivals.
  double clock_arrival(std::uint64_t i, std::size_t c, std::uint32_t k) {
    if (k == 0) {
      ArrivalBlock& first = first_arrival_blocks_[c >> 1];
      if (first.individual != i) {
        first.individual = i;
        first.block = random_.block(i, Purpose::first_arrival, static_cast<std::uint32_t>(c >> 1));
      }
      return RandomStream::uniform53(first.block, c & 1U);
    }
    ArrivalBlock& cache = arrival_blocks_[c];
    const std::uint32_t b = (k - 1) >> 1;
    if (cache.individual != i || cache.index != b) {
      cache.individual = i;
      cache.index = b;
      cache.block = c == 0 ? random_.block(i, Purpose::death_clock, b)
                           : random_.block(i, Purpose::event_clock, (static_cast<std::uint32_t>(c - 1) << 24) | b);
    }
    return RandomStream::uniform53(cache.block, (k - 1) & 1U);
  }

  // The moves run on a clock of their own per stay (engine/clock.hpp): one uniform per
  // stay, keyed by (state, visit to it), against the product of the probabilities of
  // staying `stay`. So an individual whose stays in a state match in two strategies makes
  // the same moves out of it, whenever the stay began (the same response to the same drug
  // line), a higher probability of leaving never makes a stay longer, and a stay costs one
  // uniform, not one per cycle. Returns 0 (below `stay`) while the individual stays.
  double move_uniform(std::uint64_t i, double stay, Lane& lane) {
    Clock& clock = lane.stay_clock;
    if (clock.u == Clock::kUnarmed) clock.u = stay_uniform(i, lane);
    return arrives(clock, stay) ? leave_uniform(stay, clock) : 0.0;
  }

  // A cached move block (shared_move_block).
  struct MoveBlock {
    std::uint64_t individual = ~std::uint64_t{0};
    std::uint64_t place = 0;  // state << 32 | quad of visits
    RandomStream::Block words{};
  };

  // The current stay's uniform; four visits to a state share a Philox block.
  double stay_uniform(std::uint64_t i, const Lane& lane) {
    const auto state = static_cast<std::uint32_t>(lane.state);
    return RandomStream::to_uniform(shared_move_block(i, state, lane.visit >> 2).words[lane.visit & 3U]);
  }

  // Strategies that walk the same stays, and a state's next visits, need the same move
  // block: a small cache keyed by (individual, state, quad of visits) makes each once.
  const MoveBlock& shared_move_block(std::uint64_t i, std::uint32_t state, std::uint32_t quad) {
    MoveBlock& slot = move_blocks_[(state * 7U + quad * 3U) & (move_blocks_.size() - 1)];
    if (slot.individual != i || slot.place != (std::uint64_t{state} << 32 | quad)) {
      slot.individual = i;
      slot.place = std::uint64_t{state} << 32 | quad;
      slot.words = random_.move_block(i, state, quad);
    }
    return slot;
  }

  // Enters state `to` at point `point` (the start of a new stay).
  void enter(Lane& lane, int to, int point) {
    lane.state = to;
    lane.entered = point;
    lane.visit = lane.visits[static_cast<std::size_t>(to)]++;
    lane.stay_clock = {};  // its uniform is drawn at the stay's first draw
  }

  // Draws the outcome of a row from its thresholds (sampling order), each group from its
  // random source (docs/methods.md, "Aligned random numbers"): deaths and events from the
  // lane's clocks, the other moves from the stay's clock.
  std::size_t draw(std::uint64_t i, const double* thresholds, const OutcomeGroup* groups, std::size_t group_count, bool stay_first,
                   Lane& lane) {
    return sample_outcome(thresholds, groups, group_count, [&](std::uint32_t stream, double q, std::size_t g) {
      if (stream == kStreamMove) return move_uniform(i, stay_first ? thresholds[g == 0 ? 0 : groups[g - 1].end] : 0.0, lane);
      const std::size_t c = clock_of(stream);
      return clock_uniform(i, c, q, lane.clocks[c]);
    });
  }

  // Static rewards and the trace are settled per stay: the stay adds prefix[exit] -
  // prefix[entry] to its state's contiguous row of totals, scattered to the outputs once
  // the individual is done.
  void close_stay(int k, Lane& lane, int s, int from_point, int to_point) {
    const HotState& h = lane.hot[static_cast<std::size_t>(s)];
    const std::size_t width = h.prefix_width;
    const double* a = h.prefix + static_cast<std::size_t>(from_point) * width;
    const double* b = h.prefix + static_cast<std::size_t>(to_point) * width;
    lane.visited |= h.visited_bit;
    add_differences(lane.stay_totals.data() + h.stay_offset, a, b, width);
    double* trace = lane.trace_changes + s;  // column s of the points x states changes
    trace[static_cast<std::ptrdiff_t>(from_point) * S_] += 1.0;
    trace[static_cast<std::ptrdiff_t>(to_point) * S_] -= 1.0;
    if (!h.plain_stay) pay_stay_terms(k, lane, s, from_point, to_point, a, b);
  }

  // total += b - a over a stay's `width` prefix columns (at least the four weight series);
  // restrict parameters, which GCC honours, spare the overlap checks.
  static void add_differences(double* __restrict total, const double* __restrict a, const double* __restrict b, std::size_t width) {
    for (std::size_t j = 0; j < 4; ++j) total[j] += b[j] - a[j];
    for (std::size_t j = 4; j < width; ++j) total[j] += b[j] - a[j];
  }

  // close_stay's part for rewards valued per individual or settled along age (`a`, `b`:
  // the state's prefix rows at from_point and to_point).
  void pay_stay_terms(int k, Lane& lane, int s, int from_point, int to_point, const double* a, const double* b) {
    const StateModel& st = m_.strategies[static_cast<std::size_t>(k)].states[static_cast<std::size_t>(s)];
    if (!st.individual_terms.empty()) {
      const double* v = &lane.individual_values[lane.individual_offset[static_cast<std::size_t>(s)]];
      for (std::size_t j = 0; j < st.individual_terms.size(); ++j) {
        const auto w = static_cast<std::size_t>(st.individual_terms[j].weights);
        lane.out[st.individual_terms[j].output] += v[j] * (b[w] - a[w]);
      }
      pay_stay_by_year(k, st, lane, s, from_point, to_point);
    }
    if (!st.age_terms.empty()) settle_age_terms(k, st, lane, from_point, to_point);
  }

  // Pays a stay's age-settled rewards (see AgeSettledTerm): over the points from_point to
  // to_point - 1 the age coordinate is min(age0 + t, last age), so the stay crosses the
  // table's runs of equal values in order, each paid as value x (prefix[t2] - prefix[t1]).
  // Each run's part is also added to the years it spans.
  void settle_age_terms(int k, const StateModel& st, const Lane& lane, int from_point, int to_point) {
    const int age_limit = m_.coordinate_sizes[kCoordAge] - 1;
    const std::size_t width = st.prefix_width;
    const double* prefix = st.static_prefix.data();
    for (const AgeSettledTerm& term : st.age_terms) {
      const Quantity& q = term.value;
      std::size_t base = q.offset;
      for (int d = 0; d < q.dim_count; ++d)
        if (d != term.age_dim) base += static_cast<std::size_t>(coords_[q.dims[static_cast<std::size_t>(d)]]) * q.strides[static_cast<std::size_t>(d)];
      const std::size_t age_stride = q.strides[static_cast<std::size_t>(term.age_dim)];
      const auto w = static_cast<std::size_t>(term.weights);
      const int first_age = std::min(lane.age0 + from_point, age_limit);
      auto run = std::upper_bound(term.run_starts.begin(), term.run_starts.end(), first_age) - 1;
      double total = 0.0;
      for (int t1 = from_point; t1 < to_point; ++run) {
        const auto next = run + 1;
        const int t2 = next == term.run_starts.end() ? to_point : std::min(to_point, *next - lane.age0);
        const double value = m_.table_values[base + static_cast<std::size_t>(*run) * age_stride];
        total += value * (prefix[static_cast<std::size_t>(t2) * width + w] - prefix[static_cast<std::size_t>(t1) * width + w]);
        if (term.output < yearly_) {
          for (int y = year_of_point_[static_cast<std::size_t>(t1)]; y < years_; ++y) {
            const int lo = std::max(t1, year_start_[static_cast<std::size_t>(y)]);
            const int hi = std::min(t2, year_start_[static_cast<std::size_t>(y) + 1]);
            if (lo >= t2) break;
            if (lo >= hi) continue;
            year_row(k, y)[term.output] += value * (prefix[static_cast<std::size_t>(hi) * width + w] - prefix[static_cast<std::size_t>(lo) * width + w]);
          }
        }
        t1 = t2;
      }
      lane.out[term.output] += total;
    }
  }

  // This individual's constant rewards of a stay [from_point, to_point), split at the
  // year boundaries it crosses (static rewards are valued by year from the trace counts).
  void pay_stay_by_year(int k, const StateModel& st, const Lane& lane, int s, int from_point, int to_point) {
    const double* v = &lane.individual_values[lane.individual_offset[static_cast<std::size_t>(s)]];
    const std::size_t width = st.prefix_width;
    for (int y = year_of_point_[static_cast<std::size_t>(from_point)]; y < years_; ++y) {
      const int lo = std::max(from_point, year_start_[static_cast<std::size_t>(y)]);
      const int hi = std::min(to_point, year_start_[static_cast<std::size_t>(y) + 1]);
      if (lo >= to_point) break;
      if (lo >= hi) continue;
      const double* a = &st.static_prefix[static_cast<std::size_t>(lo) * width];
      const double* b = &st.static_prefix[static_cast<std::size_t>(hi) * width];
      for (std::size_t j = 0; j < st.individual_terms.size(); ++j) {
        const RewardTerm& term = st.individual_terms[j];
        if (term.output >= yearly_) continue;
        const auto w = static_cast<std::size_t>(term.weights);
        year_row(k, y)[term.output] += v[j] * (b[w] - a[w]);
      }
    }
  }

  double* year_row(int k, int y) {
    return by_year_ + (static_cast<std::size_t>(k) * static_cast<std::size_t>(years_) + static_cast<std::size_t>(y)) * static_cast<std::size_t>(yearly_);
  }

  // Adds a reward paid at point t to the output and to its year.
  void pay(int k, Lane& lane, int output, int t, double value) {
    lane.out[output] += value;
    if (output < yearly_) year_row(k, year_of_point_[static_cast<std::size_t>(t)])[output] += value;
  }

  // Counts the events of one transition (made at cycle t) and their first occurrences.
  void record_events(std::uint32_t mask, int t, int k, Lane& lane) const {
    const OutputLayout& L = m_.layout;
    for (int e = 0; e < L.events; ++e) {
      if (!((mask >> e) & 1U)) continue;
      lane.out[L.event_count(e)] += 1.0;
      if (!((lane.ever >> e) & 1U)) {
        lane.ever |= std::uint32_t{1} << e;
        counts_->first_event_row(k, e)[t + 1] += 1.0;
      }
    }
  }

  // One-off rewards and events of the move state -> to at cycle t.
  void record_transition(int k, Lane& lane, std::size_t pair, int t, RuntimeEvaluator* runtime) {
    const std::uint8_t flags = lane.pair_flags[pair];
    if (flags & 1U) {
      for (const RewardTerm& term : m_.strategies[static_cast<std::size_t>(k)].transition_terms[pair]) {
        pay(k, lane, term.output, t,
            term.table.empty() ? quantity_value(m_, term.value, coords_.data(), individual_values_.data(), runtime) *
                                     m_.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)]
                               : term.table[static_cast<std::size_t>(t)]);
      }
    }
    if (flags & 2U) record_events(m_.event_masks[pair], t, k, lane);
  }

  // Attributes, per-individual values, one-time costs and the initial state.
  void begin_strategy(std::uint64_t i, int k) {
    const StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k)];
    const OutputLayout& L = m_.layout;
    Lane& lane = lanes_[static_cast<std::size_t>(k)];
    lane.out = &outputs_[static_cast<std::size_t>(k * V_)];  // zeros (add_individual clears them)
    RuntimeEvaluator* runtime = evaluators_[static_cast<std::size_t>(k)];
    if (!same_every_individual_) begin_individual(i, k, sm, lane, runtime);
    for (int c = 0; c < L.categories && lane.one_time_costs; ++c) {
      lane.out[L.cost_discounted(c)] += sm.one_time_costs[static_cast<std::size_t>(c)];
      lane.out[L.cost_undiscounted(c)] += sm.one_time_costs[static_cast<std::size_t>(c)];
    }
    if (lane.records_from >= 0) return;  // its walk is the leader's (finish_from_leader)

    lane.trace_changes = counts_->trace_change_row(k, 0);
    lane.visited = 0;
    lane.ever = 0;
    lane.entered = 0;
    // Event clocks are armed when first needed; the death clock now, so that the fast
    // path reads it with one comparison.
    for (Clock& clock : lane.clocks) clock = {};
    lane.clocks[0] = {clock_arrival(i, 0, 0), 1.0, 0};
    std::fill(lane.visits.begin(), lane.visits.end(), 0U);
    lane.state = 0;
    if (sm.certain_initial_state >= 0) {
      lane.state = sm.certain_initial_state;
    } else {
      const double u = random_.uniform(i, Purpose::initial_state, 0);
      double cumulative = 0.0, total = 0.0;
      int chosen = -1;
      for (int s = 0; s < S_; ++s) {
        const double p = quantity_value(m_, sm.initial[static_cast<std::size_t>(s)], coords_.data(), individual_values_.data(), runtime);
        total += p;
        cumulative += p;
        if (chosen < 0 && u < cumulative) chosen = s;
        if (p > 0) lane.state = s;  // catch-all: the last state with positive probability
      }
      if (std::abs(total - 1.0) > 1e-9)
        throw ScenarioError(m_.scenario.initial_where,
                            fmt::format("initial probabilities sum to {:.12g} for individual {}", total, i),
                            "probabilities summing to 1 for every individual");
      if (chosen >= 0) lane.state = chosen;
    }
    enter(lane, lane.state, 0);
    lane.active = !lane.hot[static_cast<std::size_t>(lane.state)].shortcut;
  }

  // begin_strategy's part for models whose individuals differ before they walk:
  // attributes, coordinates, run-time and per-individual values.
  void begin_individual(std::uint64_t i, int k, const StrategyModel& sm, Lane& lane, RuntimeEvaluator* runtime) {
    // The fast path sets no coordinate but those set below, so the others stay 0.
    if (!fast_) std::fill(coords_.begin(), coords_.end(), 0);

    // Attributes, each from its own stream.
    lane.age0 = 0;
    const bool reuse = same_attributes_as_previous_[static_cast<std::size_t>(k)];
    for (std::size_t a = 0; a < attributes_.size(); ++a) {
      if (!reuse) attributes_[a] = sm.attributes[a].quantile(random_.uniform(i, Purpose::attribute, attribute_streams_[a]));
      if (m_.discrete_attribute_coordinate[a] >= 0)
        coords_[static_cast<std::size_t>(m_.discrete_attribute_coordinate[a])] = static_cast<int>(attributes_[a]);
      if (static_cast<int>(a) == m_.age_attribute)
        lane.age0 = std::max(0, static_cast<int>(std::floor(attributes_[a] / m_.scenario.settings.cycle_length_years + 1e-9)) -
                                    m_.age_grid_start);
    }
    coords_[kCoordAge] = std::min(lane.age0, m_.coordinate_sizes[kCoordAge] - 1);
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
    for (std::size_t s = 0; s < sm.states.size() && !lane.individual_values.empty(); ++s) {
      const auto& terms = sm.states[s].individual_terms;
      double* v = lane.individual_values.data() + lane.individual_offset[s];
      for (std::size_t j = 0; j < terms.size(); ++j)
        v[j] = quantity_value(m_, terms[j].value, coords_.data(), individual_values_.data(), runtime);
    }
  }

  // Fast path: every row is a static table and only the state is tracked. Each walk runs
  // stay by stay: within a stay the row's pointers only step forward, and staying put
  // (the complement, sampled first) costs a comparison or two. Strategies with the same
  // walk (strategies_sharing_walks) are walked once; each member records its own moves.
  void run_walks(std::uint64_t i) {
    for (const Walk& walk : walks_) run_walk(i, walk);
  }

  void run_walk(std::uint64_t i, const Walk& walk) {
    Lane& lane = lanes_[static_cast<std::size_t>(walk.recorders.front())];
    const int T = m_.cycles;
    int t = 0;
    while (lane.active && t < T) {  // one stay per pass
      const int from = lane.state;
      const HotState& h = lane.hot[static_cast<std::size_t>(from)];
      const bool quiet = walk.quiet_stay[static_cast<std::size_t>(from)] != 0;
      const std::size_t n = h.n;
      const double* th = h.thresholds + static_cast<std::size_t>(t) * n;
      if (h.draws_moves) lane.stay_clock.u = stay_uniform(i, lane);  // now, outside the cycle loop's branches
      int to = from;
      if (quiet && h.clocks_before_moves >= 0) {
        to = h.outcomes[stay_with_clocks(i, t, h, th, lane)];
      } else {
        for (; t < T; ++t, th += n) {
          to = h.outcomes[next_outcome(i, h, th, lane)];
          if (to != from) break;
          if (!quiet) record_stay(walk, from, t);
        }
      }
      if (t == T) return;
      bool absorbed = false;  // the members reach the same states, absorbing or not
      for (const int member : walk.recorders) absorbed = step(member, lanes_[static_cast<std::size_t>(member)], from, to, t);
      ++t;
      if (absorbed) return;
    }
  }

  // The outcome (position in sampling order) of cycle t in a static row (`th`: the
  // cycle's thresholds): sample_outcome with the clocks read in place, so that a cycle in
  // which no clock arrives costs a product and a comparison per clock. An unarmed clock's
  // u is above any product, which sends it to clock_uniform to be armed. It repeats
  // sample_outcome's logic because calling it (through draw) made Sick-Sicker 7-14 %
  // slower; the shared-walk test holds the two to the same bits.
  std::size_t next_outcome(std::uint64_t i, const HotState& h, const double* th, Lane& lane) {
    if (h.deaths_then_moves) return deaths_then_moves(i, h, th, lane);
    const OutcomeGroup* groups = h.groups;
    const std::size_t last = h.group_count - 1;
    std::size_t start = 0;
    for (std::size_t g = 0;; ++g) {
      const std::size_t end = groups[g].end;
      if (g == last && end - start == 1) return start;
      const std::uint32_t stream = groups[g].stream;
      double u;
      if (stream == kStreamMove) {  // always the last group
        u = move_uniform(i, h.stay_first ? th[start] : 0.0, lane);
      } else {
        const double q = th[end - 1];
        if (g != last && !(q > 0.0)) {
          start = end;
          continue;
        }
        const std::size_t c = clock_of(stream);
        Clock& clock = lane.clocks[c];
        if (!arrives(clock, 1.0 - q)) {
          start = end;
          continue;
        }
        u = clock_uniform(i, c, q, clock);
        if (g != last && !(u < q)) {
          start = end;
          continue;
        }
      }
      std::size_t j = start;
      while (j + 1 < end && !(u < th[j])) ++j;
      return j;
    }
  }

  // A quiet stay whose row's groups are clocks (deaths, events) and then moves that begin
  // with staying, cycle by cycle from t until it ends (t: the cycle of the move out, or
  // T; returns the outcome's position). next_outcome's arithmetic in next_outcome's
  // order, with the clocks' products and arrivals held in locals: a cycle in which nothing
  // happens costs a product and a comparison per clock and for the stay. Unarmed clocks
  // are armed at the start (with the arrival next_outcome would arm them with later).
  std::size_t stay_with_clocks(std::uint64_t i, int& t, const HotState& h, const double* th, Lane& lane) {
    switch (h.clocks_before_moves) {
      case 0: return stay_with_clocks<0>(i, t, h, th, lane);
      case 1: return stay_with_clocks<1>(i, t, h, th, lane);
      case 2: return stay_with_clocks<2>(i, t, h, th, lane);
      default: return stay_with_clocks<3>(i, t, h, th, lane);
    }
  }

  template <int kClocks>
  std::size_t stay_with_clocks(std::uint64_t i, int& t, const HotState& h, const double* th, Lane& lane) {
    const int T = m_.cycles;
    const std::size_t n = h.n;
    std::array<Clock*, kClocks> clock{};
    std::array<double, kClocks> product{}, arrival{};
    std::array<std::size_t, kClocks> last{};  // each group's last position: its probability
    for (int c = 0; c < kClocks; ++c) {
      const std::size_t index = clock_of(h.groups[c].stream);
      clock[c] = &lane.clocks[index];
      arm(i, index, *clock[c]);
      product[c] = clock[c]->product;
      arrival[c] = clock[c]->u;
      last[c] = h.groups[c].end - 1;
    }
    const std::size_t moves = kClocks == 0 ? 0 : h.groups[kClocks - 1].end;  // staying's position
    const bool choice = n - moves > 1;
    const double u = lane.stay_clock.u;
    double stayed = lane.stay_clock.product;
    auto keep = [&] {
      for (int c = 0; c < kClocks; ++c) clock[c]->product = product[c];
      lane.stay_clock.product = stayed;
    };
    for (; t < T; ++t, th += n) {
      for (int c = 0; c < kClocks; ++c) {
        const double next = product[c] * (1.0 - th[last[c]]);
        if (next > arrival[c]) {
          product[c] = next;
          continue;
        }
        keep();
        const std::size_t start = c == 0 ? 0 : h.groups[c - 1].end;
        const std::size_t index = static_cast<std::size_t>(clock[c] - lane.clocks.data());
        const double v = clock_uniform(i, index, th[last[c]], *clock[c]);  // below the group's probability
        std::size_t j = start;
        while (j < last[c] && !(v < th[j])) ++j;
        return j;
      }
      if (!choice) continue;
      const double next = stayed * th[moves];
      if (next > u) {
        stayed = next;
        continue;
      }
      keep();
      const double v = leave_uniform(th[moves], lane.stay_clock);
      std::size_t j = moves;
      while (!(v < th[j])) ++j;  // the last threshold is 1 and v < 1
      return j;
    }
    keep();
    return moves;
  }

  // next_outcome for the common groups [deaths][moves], spelled out. The stay's uniform
  // was drawn at its entry (run_walk).
  std::size_t deaths_then_moves(std::uint64_t i, const HotState& h, const double* th, Lane& lane) {
    const std::size_t d = h.deaths;
    if (d)
      if (const std::size_t j = death_at(i, d, th, lane.clocks[0]); j != kNoDeath) return j;
    if (h.n - d == 1) return d;  // a single move: no uniform needed
    const double stay = h.stay_first ? th[d] : 0.0;
    if (!arrives(lane.stay_clock, stay)) return d;
    const double u = leave_uniform(stay, lane.stay_clock);
    std::size_t j = d;
    while (!(u < th[j])) ++j;  // the last threshold is 1 and u < 1
    return j;
  }

  // The death group (the first `d` outcomes of thresholds `th`) at one cycle: the
  // position of the death the clock arrives for, or kNoDeath. The death clock is armed in
  // begin_strategy, so a cycle without one is a product and a comparison.
  static constexpr std::size_t kNoDeath = ~std::size_t{0};
  std::size_t death_at(std::uint64_t i, std::size_t d, const double* th, Clock& clock) {
    if (!arrives(clock, 1.0 - th[d - 1])) return kNoDeath;
    const double u = clock_uniform(i, 0, th[d - 1], clock);
    if (!(u < th[d - 1])) return kNoDeath;
    std::size_t j = 0;
    while (!(u < th[j])) ++j;
    return j;
  }

  // Each member's records of staying in `from` at cycle t (transition rewards, events).
  void record_stay(const Walk& walk, int from, int t) {
    for (const int member : walk.recorders) {
      Lane& each = lanes_[static_cast<std::size_t>(member)];
      if (!each.hot[static_cast<std::size_t>(from)].quiet_stay) step(member, each, from, from, t);
    }
  }

  // Records strategy k's move from -> to at cycle t (its rewards, events and stays).
  // Returns whether the move ends the walk (an absorbing state).
  bool step(int k, Lane& lane, int from, int to, int t) {
    const std::size_t pair = static_cast<std::size_t>(from * S_ + to);
    if (lane.pair_flags[pair]) record_transition(k, lane, pair, t, nullptr);
    if (to == from) return false;
    if (lane.totals_from < 0) close_stay(k, lane, from, lane.entered, t + 1);
    enter(lane, to, t + 1);
    if (!lane.hot[static_cast<std::size_t>(to)].shortcut) return false;
    lane.active = false;  // absorbing: the stay runs to the horizon
    return true;
  }

  // General path: keeps t, age, time in state and counters current for tabulated,
  // per-individual and run-time quantities.
  void run_cycles(std::uint64_t i, int k) {
    const StrategyModel& sm = m_.strategies[static_cast<std::size_t>(k)];
    Lane& lane = lanes_[static_cast<std::size_t>(k)];
    RuntimeEvaluator* runtime = evaluators_[static_cast<std::size_t>(k)];
    const int T = m_.cycles;
    const int age_limit = m_.coordinate_sizes[kCoordAge] - 1;
    for (std::size_t c = 0; c < counters_.size(); ++c) {
      counters_[c] = m_.counters[c].initial;
      coords_[kFirstCounterCoord + c] = counters_[c];
    }
    int state_time = 0;
    auto set_coordinates = [&](int t) {
      coords_[kCoordT] = t;
      coords_[kCoordAge] = std::min(lane.age0 + t, age_limit);
      coords_[kCoordStateTime] = std::min(state_time, m_.state_time_cap);
    };
    auto add_dynamic_rewards = [&](int t) {
      double value = 0.0;
      const StateModel& state = sm.states[static_cast<std::size_t>(lane.state)];
      for (const std::uint32_t j : state.per_cycle_terms) {
        const RewardTerm& term = state.dynamic_terms[j];
        if (!term.same_value_as_previous) value = quantity_value(m_, term.value, coords_.data(), individual_values_.data(), runtime);
        pay(k, lane, term.output, t, value * m_.weights[static_cast<std::size_t>(term.weights)][static_cast<std::size_t>(t)]);
      }
    };
    int t = 0;
    for (; t < T; ++t) {
      const HotState& h = lane.hot[static_cast<std::size_t>(lane.state)];
      if (h.shortcut) return;  // absorbing with static rewards: the stay runs to the horizon
      set_coordinates(t);
      if (h.has_dynamic) add_dynamic_rewards(t);
      const std::size_t n = h.n;
      const Row& row = sm.rows[static_cast<std::size_t>(lane.state)];
      const double* thresholds = nullptr;
      if (h.is_static) {
        thresholds = h.thresholds + static_cast<std::size_t>(t) * n;
      } else if (row.is_gridded) {
        const RowGrid& grid = *row.grid;
        std::size_t index = grid.first_offsets[static_cast<std::size_t>(coords_[static_cast<std::size_t>(row.grid_dims[0])])] * row.grid_strides[0];
        for (std::size_t d = 1; d < row.grid_dims.size(); ++d)
          index += static_cast<std::size_t>(coords_[static_cast<std::size_t>(row.grid_dims[d])]) * row.grid_strides[d];
        thresholds = grid.thresholds.data() + index * n;
      } else {
        row_probabilities(m_, sm, row, coords_.data(), individual_values_.data(), runtime, probabilities_.data());
        fill_thresholds(row, probabilities_.data(), thresholds_.data());
        thresholds = thresholds_.data();
      }
      const int to = row.sampling_order[draw(i, thresholds, h.groups, h.group_count, h.stay_first, lane)];
      const std::size_t pair = static_cast<std::size_t>(lane.state * S_ + to);
      if (lane.pair_flags[pair]) record_transition(k, lane, pair, t, runtime);
      if (counter_pairs_[pair]) for (std::size_t c = 0; c < counters_.size(); ++c) {
        const auto& rule = m_.counters[c];
        int v = rule.reset[pair] ? rule.after[pair] : counters_[c] + rule.before[pair] + rule.after[pair];
        v = std::clamp(v, 0, rule.max);
        counters_[c] = v;
        coords_[kFirstCounterCoord + c] = v;
      }
      if (to == lane.state) {
        ++state_time;
      } else {
        close_stay(k, lane, lane.state, lane.entered, t + 1);
        enter(lane, to, t + 1);
        state_time = 0;
      }
    }
    // Point T carries the dynamic rewards of the last state.
    if (!lane.hot[static_cast<std::size_t>(lane.state)].shortcut && lane.hot[static_cast<std::size_t>(lane.state)].has_dynamic) {
      set_coordinates(T);
      add_dynamic_rewards(T);
    }
  }

  // Closes the last stay (to the horizon), scatters the stay totals, derives outputs.
  void finish_strategy(int k) {
    const OutputLayout& L = m_.layout;
    Lane& lane = lanes_[static_cast<std::size_t>(k)];
    if (lane.records_from >= 0) return finish_from_leader(lane);
    const int alive_until = lane.hot[static_cast<std::size_t>(lane.state)].dead ? lane.entered : m_.cycles + 1;
    if (lane.totals_from < 0) close_stay(k, lane, lane.state, lane.entered, m_.cycles + 1);
    const Lane& source = lane.totals_from < 0 ? lane : lanes_[static_cast<std::size_t>(lane.totals_from)];
    const double* totals = source.stay_totals.data();
    // Small models scatter every state's totals, visited or not: an unvisited state's are
    // zeros, which leave the outputs as they are, and a loop of fixed length costs no
    // mispredicted branches. Models with many states scatter only the states visited.
    if (lane.stay_uses.size() <= kScatterEveryState) {
#pragma GCC unroll 4
      for (const auto& use : lane.stay_uses) lane.out[use.output] += use.factor * totals[use.column];
    } else {
      for (int s = 0; s < S_; ++s) {
        if (!((source.visited >> (s & 63)) & 1U)) continue;
        for (std::size_t u = lane.first_use[static_cast<std::size_t>(s)]; u < lane.first_use[static_cast<std::size_t>(s) + 1]; ++u) {
          const auto& use = lane.stay_uses[u];
          lane.out[use.output] += use.factor * totals[use.column];
        }
      }
    }
    if (!m_.life_years_prefix[0].empty()) {  // life-years by survival: equal deaths, equal life-years
      lane.out[L.life_years_discounted()] = m_.life_years_weight * m_.life_years_prefix[0][static_cast<std::size_t>(alive_until)];
      lane.out[L.life_years_undiscounted()] = m_.life_years_weight * m_.life_years_prefix[1][static_cast<std::size_t>(alive_until)];
    }
    for (int e = 0; e < L.events; ++e) lane.out[L.event_ever(e)] = static_cast<double>((lane.ever >> e) & 1U);
    finish_outputs(perspective_terms_, lane.out);
  }

  // finish_strategy for a strategy that records nothing as it walks (Lane::records_from):
  // it copies its walk leader's outputs, whose walk, events and life-years are its own, and
  // settles only those that differ (Lane::own_outputs); the leader has finished. The
  // leader's trace and per-point event counts are copied after the run
  // (copy_shared_records).
  void finish_from_leader(Lane& lane) {
    const Lane& leader = lanes_[static_cast<std::size_t>(lane.records_from)];
    std::copy_n(leader.out, V_, lane.out);
    for (const auto& [output, initial] : lane.own_outputs) lane.out[output] = initial;
    const double* totals = leader.stay_totals.data();
#pragma GCC unroll 4
    for (const auto& use : lane.own_uses) lane.out[use.output] += use.factor * totals[use.column];
    finish_outputs(perspective_terms_, lane.out);
  }

  // Zeros a lane's stay totals for the next individual: all of them in small models, the
  // visited states' otherwise.
  void clear_stay_totals(Lane& lane) {
    if (lane.stay_uses.size() <= kScatterEveryState) {
      std::fill(lane.stay_totals.begin(), lane.stay_totals.end(), 0.0);
      return;
    }
    for (int s = 0; s < S_; ++s) {
      if (!((lane.visited >> (s & 63)) & 1U)) continue;
      const std::size_t first = lane.stay_offset[static_cast<std::size_t>(s)];
      const std::size_t end = s + 1 < S_ ? lane.stay_offset[static_cast<std::size_t>(s) + 1] : lane.stay_totals.size();
      std::fill(lane.stay_totals.begin() + static_cast<std::ptrdiff_t>(first), lane.stay_totals.begin() + static_cast<std::ptrdiff_t>(end), 0.0);
    }
  }

  const CompiledModelData& m_;
  const RandomStream& random_;
  int K_, S_, V_;
  std::vector<double> outputs_;
  std::vector<int> coords_;
  std::vector<double> attributes_;
  std::vector<std::uint32_t> attribute_streams_;
  std::vector<bool> same_attributes_as_previous_;  // per strategy
  std::vector<double> probabilities_;
  std::vector<double> thresholds_;  // general rows, in sampling order
  std::vector<int> paired_;  // paired_outputs
  std::vector<PerspectiveTerm> perspective_terms_;
  std::vector<int> counters_;
  std::vector<std::uint8_t> counter_pairs_;  // per (from * S + to): the move changes some counter
  std::vector<double> individual_values_;
  std::vector<RuntimeEvaluator*> evaluators_;
  std::vector<Lane> lanes_;
  std::vector<Walk> walks_;  // fast path
  int years_, yearly_;
  std::vector<int> year_of_point_;  // t = 0..T + 1
  std::vector<int> year_start_;     // per year: its first point; then T + 2
  double* by_year_ = nullptr;       // the block's Accumulator::by_year
  struct ArrivalBlock {
    std::uint64_t individual = ~std::uint64_t{0};
    std::uint32_t index = 0;
    RandomStream::Block block{};
  };
  std::array<ArrivalBlock, 33> arrival_blocks_{};  // per clock (deaths, then events): the last block of later arrivals
  std::array<ArrivalBlock, 17> first_arrival_blocks_{};  // per pair of clocks: their first arrivals
  std::array<MoveBlock, 16> move_blocks_{};  // recent move blocks, shared by strategies and visits
  bool fast_;
  bool same_every_individual_ = false;  // begin_individual is skipped
  Accumulator* counts_ = nullptr;
};

// What a worker thread keeps across blocks, made on first use: its run-time evaluators,
// its per-point counts, and its simulator between blocks. Each block moves the simulator
// onto its stack, where the compiler keeps its hot members in registers, and back when
// done: making it and its vectors again for every block of 256 individuals cost
// Sick-Sicker 4 % of its instructions. Its per-individual state is reset as each
// individual begins, and its random-block caches are keyed by individual.
struct ThreadState {
  std::vector<std::unique_ptr<RuntimeEvaluator>> evaluators;
  std::optional<IndividualSimulator> simulator;
  Accumulator counts;
  Accumulator block;  // the current block's sums
  explicit ThreadState(const CompiledModelData& m)
      : counts(m, Accumulator::PerPoint::microsimulation_counts), block(m, Accumulator::PerPoint::none) {}
};

using ThreadStates = tbb::enumerable_thread_specific<std::unique_ptr<ThreadState>>;

struct Body {
  const CompiledModelData& m;
  const RandomStream& random;
  const WalkPlan& plan;
  const std::function<void(double)>& progress;
  const std::function<bool()>& cancelled;
  std::atomic<std::uint64_t>& done;
  std::uint64_t total;
  ThreadStates& threads;
  BatchSums& batches;  // each block writes its own rows
  Accumulator acc;  // sums whose order matters: joined in block order

  Body(const CompiledModelData& model, const RandomStream& r, const WalkPlan& w, const std::function<void(double)>& p,
       const std::function<bool()>& c, std::atomic<std::uint64_t>& d, std::uint64_t n, ThreadStates& t, BatchSums& b)
      : m(model), random(r), plan(w), progress(p), cancelled(c), done(d), total(n), threads(t), batches(b), acc(model, Accumulator::PerPoint::none) {}
  Body(Body& other, tbb::split)
      : m(other.m), random(other.random), plan(other.plan), progress(other.progress), cancelled(other.cancelled), done(other.done), total(other.total),
        threads(other.threads), batches(other.batches), acc(other.m, Accumulator::PerPoint::none) {}

  // `range` counts blocks; each block is simulated whole by one call, so its batch totals
  // are written by one thread. A block's individuals are summed from zero, and the block's
  // sums (its paired ones are its batch totals) added to the body's in block order.
  void operator()(const tbb::blocked_range<std::uint64_t>& range) {
    if (cancelled && cancelled()) throw Cancelled();
    auto& state = threads.local();
    if (!state) state = std::make_unique<ThreadState>(m);
    IndividualSimulator simulator = state->simulator ? std::move(*state->simulator) : IndividualSimulator(m, random, plan, state->evaluators);
    state->simulator.reset();
    simulator.use_counts(&state->counts);
    const std::uint64_t size = batches.batch_size;
    const auto width = static_cast<std::size_t>(batches.strategies * batches.values);
    std::uint64_t simulated = 0;
    for (std::uint64_t b = range.begin(); b != range.end(); ++b) {
      const std::uint64_t first = b * size, last = std::min(total, first + size);
      Accumulator& block = state->block;
      block.clear_sums();
      for (std::uint64_t i = first; i != last; ++i) simulator.simulate(i, block, acc.by_year.data());
      simulator.write_batch_totals(block, &batches.sums[b * width]);
      acc.add_sums(block);
      batches.counts[b] = static_cast<double>(last - first);
      simulated += last - first;
    }
    state->simulator.emplace(std::move(simulator));
    const std::uint64_t finished = done.fetch_add(simulated) + simulated;
    if (progress) progress(static_cast<double>(finished) / static_cast<double>(total));
  }
  void join(Body& rhs) { acc.join(rhs.acc); }
};

// Strategies whose stays were totalled by another (WalkPlan::totals_sources) have its
// trace; those whose walk records are another's (WalkPlan::record_sources), its first
// events too.
void copy_shared_records(const WalkPlan& plan, Accumulator& counts) {
  const auto copy_rows = [](std::vector<double>& rows, std::size_t row, std::size_t from, std::size_t to) {
    std::copy_n(rows.begin() + static_cast<std::ptrdiff_t>(from * row), row, rows.begin() + static_cast<std::ptrdiff_t>(to * row));
  };
  const std::size_t trace_row = static_cast<std::size_t>(counts.points + 1) * static_cast<std::size_t>(counts.states);
  const std::size_t event_row = static_cast<std::size_t>(counts.events) * static_cast<std::size_t>(counts.points);
  for (std::size_t k = 0; k < plan.totals_sources.size(); ++k) {
    if (plan.totals_sources[k] != static_cast<int>(k)) copy_rows(counts.trace_changes, trace_row, static_cast<std::size_t>(plan.totals_sources[k]), k);
    if (plan.record_sources[k] != static_cast<int>(k)) copy_rows(counts.first_event, event_row, static_cast<std::size_t>(plan.record_sources[k]), k);
  }
}

}  // namespace

Accumulator run_microsimulation(const CompiledModelData& m, std::uint64_t individuals, std::uint64_t seed,
                                std::uint32_t draw, const std::function<void(double)>& progress,
                                const std::function<bool()>& cancelled) {
  // The move streams' counters hold (state, quad of visits) without overlap only within
  // these limits (RandomStream::move_block).
  const auto cycles = static_cast<std::uint64_t>(m.cycles);
  if (m.layout.states > static_cast<int>(RandomStream::kMaxStates) || cycles + 1 >= RandomStream::kMaxVisits ||
      individuals > RandomStream::kMaxIndividuals)
    throw ScenarioError(m.scenario.settings.where,
                        fmt::format("a microsimulation of {} states, {} cycles and {} individuals is beyond the random streams' range",
                                    m.layout.states, m.cycles, individuals),
                        "at most 65,536 states, 262,000 cycles and 2^40 individuals");
  const RandomStream random(seed, draw);
  std::atomic<std::uint64_t> done{0};
  ThreadStates threads;
  BatchSums batches;
  batches.batch_size = block_size(individuals);
  batches.strategies = static_cast<int>(m.strategies.size());
  batches.values = m.layout.increment_size();
  const std::uint64_t blocks = (individuals + batches.batch_size - 1) / batches.batch_size;
  batches.counts.assign(blocks, 0.0);
  batches.sums.assign(blocks * static_cast<std::size_t>(batches.strategies * batches.values), 0.0);
  const WalkPlan plan(m);
  Body body(m, random, plan, progress, cancelled, done, individuals, threads, batches);
  tbb::parallel_deterministic_reduce(tbb::blocked_range<std::uint64_t>(0, blocks, 1), body);
  // Whole-number counts: the same totals whichever thread counted what.
  Accumulator result = std::move(body.acc);
  result.batches = std::move(batches);
  Accumulator counts(m, Accumulator::PerPoint::microsimulation_counts);
  for (const auto& state : threads)
    if (state) counts.join(state->counts);
  copy_shared_records(plan, counts);
  result.trace_changes = std::move(counts.trace_changes);
  result.first_event = std::move(counts.first_event);
  add_microsimulation_by_year_from_counts(m, result);
  return result;
}

}  // namespace hemsim::detail
