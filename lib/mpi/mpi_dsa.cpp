// DSA and price evaluations divided among MPI ranks (see include/hemsim/mpi.hpp).
//
// Every rank runs the same analysis, so every rank reaches the same round of jobs. Rank 0
// computes the first job itself and sends each other rank two job indices (tag kJob); a rank
// returns each finished job as one message of doubles [job, pack_evaluated_run...] (tag
// kJobResult) and gets the next index, while rank 0 computes jobs itself between
// messages. When every job is in, rank 0 sends every other rank the whole round
// (kRoundResults: [jobs, length of each, the packed jobs...]), so that all ranks go on to
// the same next round (a bisection step, the price checks) with the same numbers. Rank 0
// unpacks its own jobs too: every rank uses the very same values.

#include <mpi.h>

#include <chrono>
#include <climits>
#include <thread>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "hemsim/dsa.hpp"
#include "hemsim/error.hpp"
#include "hemsim/mpi.hpp"
#include "mpi/mpi_messages.hpp"

namespace hemsim {
namespace {

constexpr int kJob = 11, kJobResult = 12, kRoundResults = 13;
constexpr int kJobsAhead = 2;

int message_size(std::size_t doubles) {
  if (doubles > static_cast<std::size_t>(INT_MAX)) throw InternalError("an MPI message of DSA results is too large");
  return static_cast<int>(doubles);
}

void send_job(int rank, std::size_t job) {
  unsigned long long index = job;
  MPI_Send(&index, 1, MPI_UNSIGNED_LONG_LONG, rank, kJob, MPI_COMM_WORLD);
}

// Sends without MPI's busy wait: a job's result (tens of KB and more) waits until rank 0
// is between its own jobs to be received, and spinning meanwhile would take its core.
void send_doubles_politely(const std::vector<double>& message, int rank, int tag) {
  MPI_Request request;
  MPI_Isend(message.data(), message_size(message.size()), MPI_DOUBLE, rank, tag, MPI_COMM_WORLD, &request);
  int done = 0;
  for (MPI_Test(&request, &done, MPI_STATUS_IGNORE); !done; MPI_Test(&request, &done, MPI_STATUS_IGNORE))
    std::this_thread::sleep_for(std::chrono::microseconds(500));
}

std::vector<double> receive_doubles(const MPI_Status& probed) {
  int count = 0;
  MPI_Get_count(&probed, MPI_DOUBLE, &count);
  std::vector<double> message(static_cast<std::size_t>(count));
  MPI_Recv(message.data(), count, MPI_DOUBLE, probed.MPI_SOURCE, probed.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return message;
}

std::vector<EvaluatedRun> unpack_round(const std::vector<std::vector<double>>& packed) {
  std::vector<EvaluatedRun> runs;
  runs.reserve(packed.size());
  for (const auto& job : packed) runs.push_back(unpack_evaluated_run(job));
  return runs;
}

/// Rank 0: hands out the round's jobs, computes jobs itself, gathers and shares them all.
std::vector<EvaluatedRun> coordinate(const EvaluationWork& work, int ranks) {
  std::vector<std::vector<double>> packed(work.jobs);
  std::size_t next = 0;
  int busy = 0;
  auto take = [&]() -> std::optional<std::size_t> {
    if (next >= work.jobs) return std::nullopt;
    return next++;
  };
  auto assign = [&](int rank) {
    if (const auto job = take()) {
      send_job(rank, *job);
      ++busy;
    }
  };
  auto receive = [&](const MPI_Status& probed) {
    std::vector<double> message = receive_doubles(probed);
    if (message.empty() || !(message[0] >= 0 && message[0] < static_cast<double>(work.jobs)))
      throw InternalError("an MPI rank returned a DSA job that was not asked for");
    const auto job = static_cast<std::size_t>(message[0]);
    packed[job].assign(message.begin() + 1, message.end());
    --busy;
    assign(probed.MPI_SOURCE);
  };
  std::optional<std::size_t> own = take();  // rank 0 starts on the first job
  // Each other rank has its next job waiting while rank 0 computes its own.
  for (int slot = 0; slot < kJobsAhead; ++slot)
    for (int rank = 1; rank < ranks; ++rank) assign(rank);
  for (; own; own = take()) {
    packed[*own] = pack_evaluated_run(work.compute(*own));
    int arrived = 0;
    MPI_Status status;
    for (MPI_Iprobe(MPI_ANY_SOURCE, kJobResult, MPI_COMM_WORLD, &arrived, &status); arrived;
         MPI_Iprobe(MPI_ANY_SOURCE, kJobResult, MPI_COMM_WORLD, &arrived, &status))
      receive(status);
  }
  while (busy > 0) receive(detail::wait_for_message(kJobResult));

  std::vector<double> round{static_cast<double>(work.jobs)};
  for (const auto& job : packed) round.push_back(static_cast<double>(job.size()));
  for (const auto& job : packed) round.insert(round.end(), job.begin(), job.end());
  for (int rank = 1; rank < ranks; ++rank)
    MPI_Send(round.data(), message_size(round.size()), MPI_DOUBLE, rank, kRoundResults, MPI_COMM_WORLD);
  return unpack_round(packed);
}

/// The round as rank 0 shares it: [jobs, length of each, packed jobs...].
std::vector<std::vector<double>> split_round(const std::vector<double>& round, std::size_t jobs) {
  if (round.empty() || round[0] != static_cast<double>(jobs) || round.size() < 1 + jobs)
    throw InternalError("rank 0 sent a DSA round that does not match this rank's");
  std::vector<std::vector<double>> packed(jobs);
  std::size_t at = 1 + jobs;
  for (std::size_t job = 0; job < jobs; ++job) {
    const auto length = static_cast<std::size_t>(round[1 + job]);
    if (length > round.size() - at) throw InternalError("rank 0 sent a truncated DSA round");
    packed[job].assign(round.begin() + static_cast<std::ptrdiff_t>(at), round.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
  }
  return packed;
}

/// Other ranks: compute the jobs rank 0 sends until it shares the finished round.
std::vector<EvaluatedRun> serve(const EvaluationWork& work) {
  for (;;) {
    const MPI_Status probed = detail::wait_for_message(-1);
    if (probed.MPI_TAG == kRoundResults) return unpack_round(split_round(receive_doubles(probed), work.jobs));
    if (probed.MPI_TAG != kJob) throw InternalError(fmt::format("an unexpected MPI message (tag {}) during a DSA", probed.MPI_TAG));
    unsigned long long index = 0;
    MPI_Recv(&index, 1, MPI_UNSIGNED_LONG_LONG, probed.MPI_SOURCE, kJob, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (index >= work.jobs) throw InternalError("rank 0 asked for a DSA job this rank does not have");
    std::vector<double> message = pack_evaluated_run(work.compute(static_cast<std::size_t>(index)));
    message.insert(message.begin(), static_cast<double>(index));
    send_doubles_politely(message, 0, kJobResult);
  }
}

}  // namespace

EvaluationScheduler mpi_evaluation_scheduler(const MpiSession& session) {
  EvaluationScheduler scheduler;
  if (!session.active() || session.size() == 1) return scheduler;
  const int ranks = session.size();
  scheduler.concurrency = static_cast<std::size_t>(ranks);
  scheduler.description = fmt::format("{} MPI ranks", ranks);
  if (session.is_root())
    scheduler.run = [ranks](const EvaluationWork& work) { return coordinate(work, ranks); };
  else
    scheduler.run = [](const EvaluationWork& work) { return serve(work); };
  return scheduler;
}

}  // namespace hemsim
