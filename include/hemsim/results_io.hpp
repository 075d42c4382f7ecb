#pragma once
/// \file results_io.hpp
/// Writing and reading run results: JSON (schema in docs/results-format.md, reloads
/// losslessly), CSV tables, and the readable terminal table. Files are written to a
/// staged output folder swapped in when complete (output_folder.hpp), so a failure never
/// leaves a partial set nor destroys an earlier result.

#include <string>

#include "hemsim/output_folder.hpp"
#include "hemsim/results.hpp"

namespace hemsim {

/// Throws InternalError if the per-name arrays of `results` do not line up with their names.
[[nodiscard]] std::string results_to_json(const RunResults& results);
/// Throws ScenarioError for text that is not a results file of a format this version reads.
[[nodiscard]] RunResults results_from_json(const std::string& json_text);

/// Adds results.json, summary.csv (one row per strategy), increments.csv, icers.csv (per
/// perspective), trace.csv, events.csv, event_incidence.csv, years_in_state.csv and costs_by_year.csv to
/// the set staged in `folder`.
void add_results(OutputFolder& folder, const RunResults& results);

/// Replaces `directory` (created if missing) by exactly the files of add_results() and
/// their manifest, as one transaction (output_folder.hpp): a failure (ScenarioError) or a
/// kill leaves the earlier results whole.
void write_results(const RunResults& results, const std::string& directory);

/// The terminal table (fmt): outcomes with MCSE, increments, ICERs with dominance.
[[nodiscard]] std::string format_results_table(const RunResults& results);

/// Writes `content` to `path` atomically (temporary file + rename). On failure throws
/// ScenarioError, removes the temporary file and leaves any existing file as it was.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace hemsim
