#pragma once
/// \file evaluation_scheduler.hpp
/// Who runs the model evaluations of a DSA or price analysis (dsa.hpp). Each analysis
/// hands its scheduler rounds of independent jobs (the base case and both ends of every
/// ranged parameter, a two-way grid, scenario variants, threshold grid points, prices)
/// and gets the results back in job order; a step that depends on earlier results (a
/// bisection, the price checks) is a later round. A job's result depends only on its
/// index, so the analysis is the same however the jobs are run: here one after another
/// (the default), or divided among MPI ranks (mpi.hpp), which send results as
/// pack_evaluated_run's doubles.

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace hemsim {

struct EvaluatedRun;  // dsa.hpp

/// One round: `jobs` evaluations, job i computed by compute(i) (pure and repeatable).
struct EvaluationWork {
  std::size_t jobs = 0;
  std::function<EvaluatedRun(std::size_t)> compute;
};

/// Runs a round and returns its results in job order. With several processes every
/// process calls it with the same round (they run the same analysis) and every process
/// gets every result, so each goes on to the same next round.
struct EvaluationScheduler {
  std::function<std::vector<EvaluatedRun>(const EvaluationWork&)> run;  ///< empty: in this process, in order
  /// Jobs it runs at once: an analysis that may stop early (the threshold's grid)
  /// submits this many at a time.
  std::size_t concurrency = 1;
  std::string description;  ///< e.g. "3 MPI ranks"; empty: this process
};

/// The round's results, by `scheduler` or, without one, in this process in job order.
[[nodiscard]] std::vector<EvaluatedRun> run_evaluations(const EvaluationScheduler& scheduler, const EvaluationWork& work);

/// An evaluation and the parts of its run that DSA and price use (every Evaluation field;
/// the seed, individuals, per-strategy costs by perspective, QALYs and life-years with
/// their MCSEs, and the batch sums that pair runs) as doubles, bit for bit, and back. The
/// unpacked run has no trace, events, categories or names (its perspectives are unnamed).
/// The analyses' jobs return their runs so reduced whatever the scheduler, so a round
/// of hundreds of runs stays small and every scheduler hands back the same values.
[[nodiscard]] std::vector<double> pack_evaluated_run(const EvaluatedRun& run);
/// std::invalid_argument when `packed` is not the output of pack_evaluated_run.
[[nodiscard]] EvaluatedRun unpack_evaluated_run(const std::vector<double>& packed);

}  // namespace hemsim
