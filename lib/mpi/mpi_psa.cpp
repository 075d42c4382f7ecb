// Dynamic distribution of PSA draws over MPI ranks (see include/hemsim/mpi.hpp).
//
// Protocol: rank 0 sends each other rank up to two draw indices (tag kWork) so that a
// rank always has its next draw waiting while rank 0 is busy; a rank returns each
// finished draw as one message of doubles [draw, values...] (tag kResult) and gets the
// next index, or kStop when none is left. Rank 0 computes draws itself between
// messages. Waiting ranks poll with a short sleep instead of MPI's busy wait, which
// would take a core from the ranks that compute.

#include "hemsim/mpi.hpp"

#include <mpi.h>

#include <fmt/format.h>
#include <cstdlib>
#include <deque>
#include <vector>

#include "hemsim/error.hpp"
#include "mpi/mpi_messages.hpp"

namespace hemsim {
namespace {

using detail::wait_for_message;

constexpr int kWork = 1, kResult = 2, kStop = 3;
constexpr int kAssignmentsPerRank = 2;

bool started_by_mpi_launcher() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "SLURM_STEP_NUM_TASKS"})
    if (std::getenv(variable)) return true;
  return false;
}

void send_draw(int rank, std::uint64_t draw) {
  unsigned long long index = draw;
  MPI_Send(&index, 1, MPI_UNSIGNED_LONG_LONG, rank, kWork, MPI_COMM_WORLD);
}

void send_stop(int rank) {
  unsigned long long none = 0;
  MPI_Send(&none, 1, MPI_UNSIGNED_LONG_LONG, rank, kStop, MPI_COMM_WORLD);
}

/// Rank 0: hands out draws, gathers results, computes draws itself in between.
void coordinate(const DrawWork& work, int ranks) {
  std::deque<std::uint64_t> queue(work.missing.begin(), work.missing.end());
  std::vector<int> outstanding(static_cast<std::size_t>(ranks), 0);
  int assigned = 0;
  auto assign = [&](int rank) {
    if (queue.empty()) return false;
    send_draw(rank, queue.front());
    queue.pop_front();
    ++outstanding[static_cast<std::size_t>(rank)];
    ++assigned;
    return true;
  };
  for (int slot = 0; slot < kAssignmentsPerRank; ++slot)
    for (int rank = 1; rank < ranks; ++rank) assign(rank);
  std::vector<double> message(work.values_per_draw + 1);
  auto receive_result = [&](const MPI_Status& probed) {
    int count = 0;
    MPI_Get_count(&probed, MPI_DOUBLE, &count);
    if (count != static_cast<int>(message.size())) throw InternalError("an MPI rank returned a PSA draw of the wrong size");
    MPI_Status status;
    MPI_Recv(message.data(), count, MPI_DOUBLE, probed.MPI_SOURCE, kResult, MPI_COMM_WORLD, &status);
    const auto draw = static_cast<std::uint64_t>(message[0]);
    work.store(draw, std::vector<double>(message.begin() + 1, message.end()));
    --outstanding[static_cast<std::size_t>(status.MPI_SOURCE)];
    --assigned;
    assign(status.MPI_SOURCE);
  };
  while (!queue.empty() || assigned > 0) {
    if (!queue.empty()) {  // a draw of its own, then whatever arrived meanwhile
      const std::uint64_t draw = queue.front();
      queue.pop_front();
      work.store(draw, work.compute(draw));
      int flag = 0;
      MPI_Status status;
      for (MPI_Iprobe(MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &flag, &status); flag;
           MPI_Iprobe(MPI_ANY_SOURCE, kResult, MPI_COMM_WORLD, &flag, &status))
        receive_result(status);
    } else {
      receive_result(wait_for_message(kResult));
    }
  }
  for (int rank = 1; rank < ranks; ++rank) send_stop(rank);
}

/// Other ranks: compute the draws rank 0 sends until it says stop.
void serve(const DrawWork& work) {
  std::vector<double> message(work.values_per_draw + 1);
  for (;;) {
    const MPI_Status probed = wait_for_message(-1);
    unsigned long long index = 0;
    MPI_Status status;
    MPI_Recv(&index, 1, MPI_UNSIGNED_LONG_LONG, 0, probed.MPI_TAG, MPI_COMM_WORLD, &status);
    if (probed.MPI_TAG == kStop) return;
    const std::vector<double> values = work.compute(index);
    if (values.size() != work.values_per_draw) throw InternalError("a PSA draw's values do not fit the results");
    message[0] = static_cast<double>(index);
    std::copy(values.begin(), values.end(), message.begin() + 1);
    MPI_Send(message.data(), static_cast<int>(message.size()), MPI_DOUBLE, 0, kResult, MPI_COMM_WORLD);
  }
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!started_by_mpi_launcher()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
}

MpiSession::~MpiSession() {
  if (active_) MPI_Finalize();
}

void MpiSession::abort(int code) const {
  if (active_) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

DrawScheduler mpi_draw_scheduler(const MpiSession& session) {
  DrawScheduler scheduler;
  if (!session.active() || session.size() == 1) return scheduler;
  const int ranks = session.size();
  scheduler.holds_results = session.is_root();
  scheduler.description = fmt::format("{} MPI ranks", ranks);
  if (session.is_root())
    scheduler.run = [ranks](const DrawWork& work) { coordinate(work, ranks); };
  else
    scheduler.run = [](const DrawWork& work) { serve(work); };
  return scheduler;
}

}  // namespace hemsim
