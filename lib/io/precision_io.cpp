// Terminal text for precision targets, and the PSA sizing as JSON.

#include <fmt/format.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "hemsim/precision.hpp"

namespace hemsim {

namespace {

// "10000 -> 97000": the sizes a target tried, pilot first.
std::string tried_text(const SizedAnalysis& sized) {
  std::string tried;
  for (std::uint64_t n : sized.individuals_tried) tried += fmt::format("{}{}", tried.empty() ? "" : " -> ", n);
  return tried;
}

}  // namespace

std::string format_precision_run(const PrecisionRun& run, const PrecisionTarget& target, const std::string& scenario_file) {
  const std::string tried = tried_text(run);
  const std::string which =
      target.strategy >= 0 ? run.results.strategies.at(static_cast<std::size_t>(target.strategy)).name : "every strategy";
  std::string out = fmt::format("Precision target: MCSE of the increment in {} ({} against {}) at most {:.6g}\n", to_string(target.measure),
                                which, run.results.reference_strategy, target.mcse);
  out += fmt::format("  {} with {} individuals (MCSE {:.6g}; individuals tried: {})\n",
                     run.met ? "reached" : "NOT reached (capped by --max-individuals)", run.results.individuals, run.achieved_mcse, tried);
  out += fmt::format("  the same results: hemsim run {} --individuals {} --seed {}\n", scenario_file, run.results.individuals,
                     run.results.seed);
  return out;
}

std::string format_sized_analysis(const SizedAnalysis& sized, const std::string& what, double target_mcse) {
  const std::string tried = tried_text(sized);
  return fmt::format("Precision target: MCSE of the {} at most {:.6g}: {} with {} individuals (MCSE {:.6g}; individuals tried: {})\n\n",
                     what, target_mcse, sized.met ? "reached" : "NOT reached (capped by --max-individuals)", sized.individuals,
                     sized.achieved_mcse, tried);
}

std::string format_inner_sample_size(const InnerSampleSize& size) {
  std::string pilots;
  for (const std::uint64_t n : size.pilot_individuals) pilots += fmt::format("{}{}", pilots.empty() ? "" : ", then ", n);
  std::string out = fmt::format("Inner sample for Monte Carlo noise at most {:.3g}% of each increment's spread (pilot of {} draws{};\n"
                                "parameter variances at their lower {:.3g}% confidence bound):\n",
                                100 * size.max_share, size.pilot_draws, pilots.empty() ? "" : " x " + pilots + " individuals", 100 * size.confidence);
  out += fmt::format("  {:<28} {:<8} {:>17} {:>14} {:>14} {:>12} {:>12}\n", "strategy", "measure", "within (per ind.)", "parameter",
                     "lower bound", "pilot noise", "individuals");
  for (const auto& inc : size.increments)
    out += fmt::format("  {:<28} {:<8} {:>17.6g} {:>14.6g} {:>14.6g} {:>11.1f}% {:>12}\n", inc.strategy, to_string(inc.measure),
                       inc.within_variance, inc.parameter_variance, inc.parameter_lower, 100 * inc.pilot_noise_share,
                       inc.reachable() ? fmt::format("{:.0f}", inc.needed) : "unreachable");
  out += fmt::format("  individuals per draw: {}{}\n\n", size.individuals, size.capped ? " (capped by --max-individuals)" : "");
  return out;
}

std::string inner_sample_size_json(const InnerSampleSize& size) {
  nlohmann::ordered_json j;
  j["max_noise_share"] = size.max_share;
  j["confidence"] = size.confidence;
  j["pilot_draws"] = size.pilot_draws;
  j["pilot_individuals"] = size.pilot_individuals;
  j["individuals"] = size.individuals;
  j["capped"] = size.capped;
  j["increments"] = nlohmann::ordered_json::array();
  for (const auto& inc : size.increments) {
    nlohmann::ordered_json row;
    row["strategy"] = inc.strategy;
    row["measure"] = to_string(inc.measure);
    row["within_variance"] = inc.within_variance;
    row["parameter_variance"] = inc.parameter_variance;
    row["parameter_lower"] = inc.parameter_lower;
    row["pilot_noise_share"] = inc.pilot_noise_share;
    if (inc.reachable()) row["needed"] = inc.needed;
    else row["needed"] = nullptr;
    j["increments"].push_back(std::move(row));
  }
  return j.dump(2) + "\n";
}

InnerSampleSize inner_sample_size_from_json(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  InnerSampleSize size;
  size.max_share = j.at("max_noise_share").get<double>();
  size.confidence = j.at("confidence").get<double>();
  size.pilot_draws = j.at("pilot_draws").get<std::uint64_t>();
  size.pilot_individuals = j.at("pilot_individuals").get<std::vector<std::uint64_t>>();
  size.individuals = j.at("individuals").get<std::uint64_t>();
  size.capped = j.at("capped").get<bool>();
  for (const auto& row : j.at("increments")) {
    InnerSampleSize::Increment inc;
    inc.strategy = row.at("strategy").get<std::string>();
    inc.measure = increment_measure_named(row.at("measure").get<std::string>());
    inc.within_variance = row.at("within_variance").get<double>();
    inc.parameter_variance = row.at("parameter_variance").get<double>();
    inc.parameter_lower = row.at("parameter_lower").get<double>();
    inc.pilot_noise_share = row.at("pilot_noise_share").get<double>();
    // null: unreachable (InnerSampleSize::Increment::reachable)
    inc.needed = row.at("needed").is_null() ? std::numeric_limits<double>::infinity() : row.at("needed").get<double>();
    size.increments.push_back(std::move(inc));
  }
  return size;
}

}  // namespace hemsim
