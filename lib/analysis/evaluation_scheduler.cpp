// Rounds of DSA and price evaluations (evaluation_scheduler.hpp): run here in order, or
// packed into doubles for a scheduler that runs them in other processes.

#include "hemsim/evaluation_scheduler.hpp"

#include <cstdint>
#include <stdexcept>

#include "hemsim/dsa.hpp"

namespace hemsim {

std::vector<EvaluatedRun> run_evaluations(const EvaluationScheduler& scheduler, const EvaluationWork& work) {
  if (scheduler.run) return scheduler.run(work);
  std::vector<EvaluatedRun> results;
  results.reserve(work.jobs);
  for (std::size_t job = 0; job < work.jobs; ++job) results.push_back(work.compute(job));
  return results;
}

namespace {

// Layout: a header of sizes, the Evaluation, per strategy its estimates, then the batches.
// Every count is a double (exact below 2^53); a 64-bit integer is two 32-bit halves.
constexpr double kFormat = 1.0;  // changes with the layout

void put_u64(std::vector<double>& out, std::uint64_t value) {
  out.push_back(static_cast<double>(value >> 32));
  out.push_back(static_cast<double>(value & 0xffffffffULL));
}

void put(std::vector<double>& out, const DiscountedEstimate& e) {
  out.insert(out.end(), {e.discounted.mean, e.discounted.mcse, e.undiscounted.mean, e.undiscounted.mcse});
}

// Reads the packed doubles in order, checking that they last.
class Reader {
 public:
  explicit Reader(const std::vector<double>& packed) : packed_(packed) {}
  double next() {
    if (at_ >= packed_.size()) throw std::invalid_argument("unpack_evaluated_run: the packed run is too short");
    return packed_[at_++];
  }
  std::size_t count() {
    const double value = next();
    if (!(value >= 0 && value < 9007199254740992.0) || value != static_cast<double>(static_cast<std::uint64_t>(value)))
      throw std::invalid_argument("unpack_evaluated_run: a size is not a whole number");
    return static_cast<std::size_t>(value);
  }
  std::uint64_t u64() {
    const auto high = static_cast<std::uint64_t>(count()), low = static_cast<std::uint64_t>(count());
    return high << 32 | low;
  }
  std::vector<double> doubles(std::size_t n) {
    if (n > packed_.size() - at_) throw std::invalid_argument("unpack_evaluated_run: the packed run is too short");
    std::vector<double> out(packed_.begin() + static_cast<std::ptrdiff_t>(at_), packed_.begin() + static_cast<std::ptrdiff_t>(at_ + n));
    at_ += n;
    return out;
  }
  DiscountedEstimate discounted() {
    DiscountedEstimate e;
    e.discounted = {next(), next()};
    e.undiscounted = {next(), next()};
    return e;
  }
  bool finished() const { return at_ == packed_.size(); }

 private:
  const std::vector<double>& packed_;
  std::size_t at_ = 0;
};

}  // namespace

std::vector<double> pack_evaluated_run(const EvaluatedRun& evaluated) {
  const Evaluation& e = evaluated.evaluation;
  const RunResults& run = evaluated.run;
  const std::size_t S = run.strategies.size(), P = run.perspectives.size();
  const BatchSums& b = run.batches;
  if (e.costs.size() != S || e.effects.size() != S || b.sums.size() != b.counts.size() * static_cast<std::size_t>(b.strategies * b.values))
    throw std::invalid_argument("pack_evaluated_run: the evaluation does not match its run");
  std::vector<double> out{kFormat, static_cast<double>(S), static_cast<double>(P), static_cast<double>(b.counts.size()),
                          static_cast<double>(b.strategies), static_cast<double>(b.values)};
  put_u64(out, run.seed);
  put_u64(out, run.individuals);
  put_u64(out, b.batch_size);
  out.insert(out.end(), {e.incremental_cost, e.incremental_effect, e.icer, e.incremental_net_benefit, static_cast<double>(e.optimal_strategy),
                         e.incremental_cost_mcse, e.incremental_effect_mcse, e.incremental_net_benefit_mcse});
  out.insert(out.end(), e.costs.begin(), e.costs.end());
  out.insert(out.end(), e.effects.begin(), e.effects.end());
  for (const StrategyOutcomes& s : run.strategies) {
    if (s.costs_by_perspective.size() != P) throw std::invalid_argument("pack_evaluated_run: a strategy lacks a perspective");
    for (const DiscountedEstimate& c : s.costs_by_perspective) put(out, c);
    put(out, s.qalys);
    put(out, s.life_years);
  }
  out.insert(out.end(), b.counts.begin(), b.counts.end());
  out.insert(out.end(), b.sums.begin(), b.sums.end());
  return out;
}

EvaluatedRun unpack_evaluated_run(const std::vector<double>& packed) {
  Reader in(packed);
  if (in.next() != kFormat) throw std::invalid_argument("unpack_evaluated_run: not a packed evaluation");
  const std::size_t S = in.count(), P = in.count(), B = in.count();
  EvaluatedRun out;
  RunResults& run = out.run;
  BatchSums& b = run.batches;
  b.strategies = static_cast<int>(in.count());
  b.values = static_cast<int>(in.count());
  run.seed = in.u64();
  run.individuals = in.u64();
  b.batch_size = in.u64();
  Evaluation& e = out.evaluation;
  e.incremental_cost = in.next();
  e.incremental_effect = in.next();
  e.icer = in.next();
  e.incremental_net_benefit = in.next();
  e.optimal_strategy = static_cast<int>(in.count());
  e.incremental_cost_mcse = in.next();
  e.incremental_effect_mcse = in.next();
  e.incremental_net_benefit_mcse = in.next();
  e.costs = in.doubles(S);
  e.effects = in.doubles(S);
  run.perspectives.assign(P, std::string());
  run.strategies.resize(S);
  for (StrategyOutcomes& s : run.strategies) {
    for (std::size_t p = 0; p < P; ++p) s.costs_by_perspective.push_back(in.discounted());
    s.qalys = in.discounted();
    s.life_years = in.discounted();
  }
  b.counts = in.doubles(B);
  b.sums = in.doubles(B * static_cast<std::size_t>(b.strategies) * static_cast<std::size_t>(b.values));
  if (!in.finished()) throw std::invalid_argument("unpack_evaluated_run: the packed run is too long");
  return out;
}

}  // namespace hemsim
