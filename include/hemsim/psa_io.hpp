#pragma once
/// \file psa_io.hpp
/// Writing PSA results: per-draw values, acceptability curves and frontier, EVPI, and a
/// terminal summary. An output folder is replaced as one transaction (output_folder.hpp).

#include <string>
#include <vector>

#include "hemsim/decision.hpp"
#include "hemsim/output_folder.hpp"
#include "hemsim/psa.hpp"

namespace hemsim {

/// PSA results as JSON (every per-draw table) and back, losslessly (psa.json).
[[nodiscard]] std::string psa_to_json(const PsaResults& psa);
[[nodiscard]] PsaResults psa_from_json(const std::string& json_text);

/// Thresholds for curves: 0 to `max` in steps of `step`, plus the scenario's thresholds.
[[nodiscard]] std::vector<double> willingness_to_pay_grid(const PsaResults& psa, double max, double step);

/// psa.json (the whole PsaResults, reloadable with psa_from_json), psa_draws.csv (one row per draw: sampled parameters, costs per perspective and the
/// effect measure per strategy with MCSEs, QALYs and life-years discounted and not, and
/// the mean count of each event), ceac.csv (perspective, wtp, strategy,
/// probability, optimal), evpi.csv (perspective, wtp, evpi_per_person), ce_plane.csv
/// (perspective, strategy, draw, incremental cost and effect against the reference),
/// added to the set staged in `folder`.
void add_psa_results(OutputFolder& folder, const PsaResults& psa, const std::vector<double>& wtp_grid);
/// Replaces `directory` by exactly the files of add_psa_results() and their manifest, as
/// one transaction (output_folder.hpp).
void write_psa_results(const PsaResults& psa, const std::vector<double>& wtp_grid, const std::string& directory);

/// Means with 95 % intervals over draws, the Monte Carlo share of the spread (with a
/// warning when the inner sample is too small), acceptability and EVPI at the
/// scenario's thresholds.
[[nodiscard]] std::string format_psa_summary(const PsaResults& psa);

/// EVPPI for groups of parameters (names from PsaResults::parameters) at `wtp`, in the
/// first perspective; as a table and as evppi_parameters.csv content.
struct EvppiReport {
  std::vector<std::vector<std::string>> groups;
  std::vector<EvppiResult> results;
};
[[nodiscard]] EvppiReport evppi_report(const PsaResults& psa, const std::vector<std::vector<std::string>>& groups,
                                       const std::vector<double>& wtp);
[[nodiscard]] std::string format_evppi(const EvppiReport& report, const PsaResults& psa);
[[nodiscard]] std::string evppi_csv(const EvppiReport& report, const PsaResults& psa);

}  // namespace hemsim
