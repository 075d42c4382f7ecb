#include "io/provenance_json.hpp"
#include "hemsim/psa_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "hemsim/decision.hpp"
#include "hemsim/error.hpp"
#include "hemsim/results_io.hpp"
#include "core/number_text.hpp"
#include "core/quantile.hpp"

namespace hemsim {

namespace {

std::string number(double v) { return detail::shortest_number(v); }

using detail::empirical_quantile;

}  // namespace

namespace {

using nlohmann::json;

json matrix_to_json(const Eigen::MatrixXd& m) {
  json rows = json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    json row = json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(std::isfinite(m(r, c)) ? json(m(r, c)) : json(nullptr));
    rows.push_back(std::move(row));
  }
  return {{"rows", m.rows()}, {"cols", m.cols()}, {"values", rows}};
}

Eigen::MatrixXd matrix_from_json(const json& j) {
  Eigen::MatrixXd m(j.at("rows").get<Eigen::Index>(), j.at("cols").get<Eigen::Index>());
  const auto& rows = j.at("values");
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const auto& v = rows[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
      m(r, c) = v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
    }
  return m;
}

json matrices_to_json(const std::vector<Eigen::MatrixXd>& ms) {
  json out = json::array();
  for (const auto& m : ms) out.push_back(matrix_to_json(m));
  return out;
}

std::vector<Eigen::MatrixXd> matrices_from_json(const json& j) {
  std::vector<Eigen::MatrixXd> out;
  for (const auto& m : j) out.push_back(matrix_from_json(m));
  return out;
}

}  // namespace

std::string psa_to_json(const PsaResults& p) {
  json j;
  j["kind"] = "psa";
  j["scenario_name"] = p.scenario_name;
  detail::write_provenance(j, p.provenance);
  j["method"] = p.method;
  j["seed"] = p.seed;
  j["draws"] = p.draws;
  j["individuals"] = p.individuals;
  j["effect_measure"] = p.effect_measure;
  j["willingness_to_pay"] = p.willingness_to_pay;
  j["effective_population"] = p.effective_population;
  j["reference"] = p.reference;
  j["strategies"] = p.strategies;
  j["perspectives"] = p.perspectives;
  j["parameters"] = p.parameters;
  j["cost_categories"] = p.cost_categories;
  j["events"] = p.events;
  j["parameter_values"] = matrix_to_json(p.parameter_values);
  j["costs"] = matrices_to_json(p.costs);
  j["costs_mcse"] = matrices_to_json(p.costs_mcse);
  j["effects"] = matrix_to_json(p.effects);
  j["effects_mcse"] = matrix_to_json(p.effects_mcse);
  j["increment_costs_mcse"] = matrices_to_json(p.increment_costs_mcse);
  j["increment_effects_mcse"] = matrix_to_json(p.increment_effects_mcse);
  j["qalys"] = matrix_to_json(p.qalys);
  j["life_years"] = matrix_to_json(p.life_years);
  j["qalys_undiscounted"] = matrix_to_json(p.qalys_undiscounted);
  j["life_years_undiscounted"] = matrix_to_json(p.life_years_undiscounted);
  j["costs_by_category"] = matrices_to_json(p.costs_by_category);
  j["event_counts"] = matrices_to_json(p.event_counts);
  if (!p.market_measures.empty()) {
    j["market_measures"] = p.market_measures;
    j["market"] = matrix_to_json(p.market);
  }
  // Derived, for readers of the file (recomputed from the draws on load).
  const NoiseShares noise = noise_shares(p);
  json shares = {{"warning_share", noise.warning_share}, {"strategies", json::array()}, {"increments", json::array()},
                 {"warnings", noise.warnings}};
  for (const auto& row : noise.strategies) shares["strategies"].push_back({{"strategy", row.strategy}, {"costs", row.costs}, {"effects", row.effects}});
  for (const auto& row : noise.increments) shares["increments"].push_back({{"strategy", row.strategy}, {"costs", row.costs}, {"effects", row.effects}});
  j["noise"] = shares;
  return j.dump() + "\n";
}

PsaResults psa_from_json(const std::string& text) {
  const json j = json::parse(text);
  if (j.value("kind", "") != "psa") throw std::runtime_error("not a hemsim PSA result");
  PsaResults p;
  p.scenario_name = j.at("scenario_name").get<std::string>();
  p.provenance = detail::read_provenance(j);
  p.method = j.at("method").get<std::string>();
  p.seed = j.at("seed").get<std::uint64_t>();
  p.draws = j.at("draws").get<std::uint64_t>();
  p.individuals = j.at("individuals").get<std::uint64_t>();
  p.effect_measure = j.at("effect_measure").get<std::string>();
  p.willingness_to_pay = j.at("willingness_to_pay").get<std::vector<double>>();
  p.effective_population = j.at("effective_population").get<double>();
  p.reference = j.at("reference").get<int>();
  p.strategies = j.at("strategies").get<std::vector<std::string>>();
  p.perspectives = j.at("perspectives").get<std::vector<std::string>>();
  p.parameters = j.at("parameters").get<std::vector<std::string>>();
  p.cost_categories = j.at("cost_categories").get<std::vector<std::string>>();
  p.events = j.at("events").get<std::vector<std::string>>();
  p.parameter_values = matrix_from_json(j.at("parameter_values"));
  p.costs = matrices_from_json(j.at("costs"));
  p.costs_mcse = matrices_from_json(j.at("costs_mcse"));
  p.effects = matrix_from_json(j.at("effects"));
  p.effects_mcse = matrix_from_json(j.at("effects_mcse"));
  if (j.contains("increment_effects_mcse")) {  // files of earlier versions lack them
    p.increment_costs_mcse = matrices_from_json(j.at("increment_costs_mcse"));
    p.increment_effects_mcse = matrix_from_json(j.at("increment_effects_mcse"));
  }
  p.qalys = matrix_from_json(j.at("qalys"));
  p.life_years = matrix_from_json(j.at("life_years"));
  p.qalys_undiscounted = matrix_from_json(j.at("qalys_undiscounted"));
  p.life_years_undiscounted = matrix_from_json(j.at("life_years_undiscounted"));
  p.costs_by_category = matrices_from_json(j.at("costs_by_category"));
  p.event_counts = matrices_from_json(j.at("event_counts"));
  if (j.contains("market_measures")) {
    p.market_measures = j.at("market_measures").get<std::vector<std::string>>();
    p.market = matrix_from_json(j.at("market"));
  }
  return p;
}

std::vector<double> willingness_to_pay_grid(const PsaResults& psa, double max, double step) {
  if (!(step > 0) || !(max >= 0)) throw ScenarioError({"", 0, 0, "--wtp-step"}, "the threshold grid needs max >= 0 and step > 0", "e.g. --wtp-max 200000 --wtp-step 5000");
  std::vector<double> grid;
  for (double w = 0; w <= max + 1e-9 * step; w += step) grid.push_back(w);
  for (double w : psa.willingness_to_pay) grid.push_back(w);
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  return grid;
}

void add_psa_results(OutputFolder& folder, const PsaResults& psa, const std::vector<double>& wtp) {
  const auto D = psa.parameter_values.rows();
  std::string draws = "draw";
  for (const auto& p : psa.parameters) draws += fmt::format(",{}", p);
  for (std::size_t p = 0; p < psa.perspectives.size(); ++p)
    for (const auto& s : psa.strategies) draws += fmt::format(",cost_{0}__{1},cost_{0}__{1}_mcse", psa.perspectives[p], s);
  for (const auto& s : psa.strategies) draws += fmt::format(",{0}__{1},{0}__{1}_mcse", psa.effect_measure, s);
  for (const char* name : {"qalys", "qalys_undiscounted", "life_years", "life_years_undiscounted"})
    for (const auto& s : psa.strategies) draws += fmt::format(",{}__{}", name, s);
  for (const auto& c : psa.cost_categories)
    for (const auto& s : psa.strategies) draws += fmt::format(",cost_category_{}__{}", c, s);
  for (const auto& e : psa.events)
    for (const auto& s : psa.strategies) draws += fmt::format(",event_{}__{}", e, s);
  draws += "\n";
  for (Eigen::Index d = 0; d < D; ++d) {
    draws += std::to_string(d + 1);
    for (Eigen::Index j = 0; j < psa.parameter_values.cols(); ++j) draws += fmt::format(",{}", number(psa.parameter_values(d, j)));
    for (std::size_t p = 0; p < psa.perspectives.size(); ++p)
      for (Eigen::Index k = 0; k < psa.costs[p].cols(); ++k) draws += fmt::format(",{},{}", number(psa.costs[p](d, k)), number(psa.costs_mcse[p](d, k)));
    for (Eigen::Index k = 0; k < psa.effects.cols(); ++k) draws += fmt::format(",{},{}", number(psa.effects(d, k)), number(psa.effects_mcse(d, k)));
    for (const Eigen::MatrixXd* m : {&psa.qalys, &psa.qalys_undiscounted, &psa.life_years, &psa.life_years_undiscounted})
      for (Eigen::Index k = 0; k < m->cols(); ++k) draws += fmt::format(",{}", number((*m)(d, k)));
    for (const auto& costs : psa.costs_by_category)
      for (Eigen::Index k = 0; k < costs.cols(); ++k) draws += fmt::format(",{}", number(costs(d, k)));
    for (const auto& counts : psa.event_counts)
      for (Eigen::Index k = 0; k < counts.cols(); ++k) draws += fmt::format(",{}", number(counts(d, k)));
    draws += "\n";
  }
  std::string ceac = "perspective,wtp,strategy,probability,optimal\n", evpi = "perspective,wtp,evpi_per_person\n";
  for (std::size_t p = 0; p < psa.perspectives.size(); ++p) {
    const Eigen::MatrixXd curves = acceptability_curves(psa.costs[p], psa.effects, wtp);
    const auto frontier = acceptability_frontier(psa.costs[p], psa.effects, wtp);
    const auto values = expected_value_of_perfect_information(psa.costs[p], psa.effects, wtp);
    for (std::size_t w = 0; w < wtp.size(); ++w) {
      for (std::size_t k = 0; k < psa.strategies.size(); ++k)
        ceac += fmt::format("{},{},{},{},{}\n", psa.perspectives[p], number(wtp[w]), psa.strategies[k],
                            number(curves(static_cast<Eigen::Index>(w), static_cast<Eigen::Index>(k))),
                            frontier[w].optimal_strategy == static_cast<int>(k) ? 1 : 0);
      evpi += fmt::format("{},{},{}\n", psa.perspectives[p], number(wtp[w]), number(values[w]));
    }
  }
  folder.add("psa.json", psa_to_json(psa));
  folder.add("psa_draws.csv", draws);
  folder.add("ceac.csv", ceac);
  folder.add("evpi.csv", evpi);
  // The cost-effectiveness plane: each draw's increments against the reference.
  std::string plane = "perspective,strategy,draw,incremental_cost,incremental_effect\n";
  const auto ref = static_cast<Eigen::Index>(psa.reference);
  for (std::size_t p = 0; p < psa.perspectives.size(); ++p)
    for (Eigen::Index k = 0; k < psa.effects.cols(); ++k) {
      if (k == ref) continue;
      for (Eigen::Index d = 0; d < D; ++d)
        plane += fmt::format("{},{},{},{},{}\n", psa.perspectives[p], psa.strategies[static_cast<std::size_t>(k)], d + 1,
                             number(psa.costs[p](d, k) - psa.costs[p](d, ref)), number(psa.effects(d, k) - psa.effects(d, ref)));
    }
  folder.add("ce_plane.csv", plane);
}

void write_psa_results(const PsaResults& psa, const std::vector<double>& wtp, const std::string& directory) {
  OutputFolder folder(directory);
  add_psa_results(folder, psa, wtp);
  folder.commit();
}

std::string format_psa_summary(const PsaResults& psa) {
  std::string out = fmt::format("{} — PSA, {} draws × {}, seed {}\n\n", psa.scenario_name, psa.draws,
                                psa.method == "cohort" ? std::string("cohort") : fmt::format("{} individuals", psa.individuals), psa.seed);
  const std::string effect = psa.effect_measure == "qalys" ? "QALYs" : "Life-years";
  std::size_t name_width = 22;  // wide enough for the longest strategy name
  for (const auto& name : psa.strategies) name_width = std::max(name_width, name.size() + 2);
  out += fmt::format("{:<{}}{:>34}{:>30}\n", "Strategy", name_width, "Cost, mean (95% interval)", effect + ", mean (95% interval)");
  for (std::size_t k = 0; k < psa.strategies.size(); ++k) {
    const auto col = static_cast<Eigen::Index>(k);
    const Eigen::VectorXd c = psa.costs[0].col(col), e = psa.effects.col(col);
    out += fmt::format("{:<{}}{:>34}{:>30}\n", psa.strategies[k], name_width,
                       fmt::format("{:.0f} ({:.0f} to {:.0f})", c.mean(), empirical_quantile(c, 0.025), empirical_quantile(c, 0.975)),
                       fmt::format("{:.4f} ({:.4f} to {:.4f})", e.mean(), empirical_quantile(e, 0.025), empirical_quantile(e, 0.975)));
  }
  const NoiseShares noise = noise_shares(psa);
  const std::vector<std::string>& warnings = noise.warnings;
  if (!noise.strategies.empty()) {
    out += "\nShare of the variance across draws due to Monte Carlo noise (O'Hagan et al. 2007):\n";
    for (const auto& row : noise.strategies)
      out += fmt::format("  {:<{}} costs {:5.1f}%   effects {:5.1f}%\n", row.strategy, name_width, 100 * row.costs, 100 * row.effects);
  }
  if (!noise.increments.empty()) {
    out += fmt::format("Share of the variance of the increments against {} due to Monte Carlo noise:\n",
                       psa.strategies[static_cast<std::size_t>(psa.reference)]);
    for (const auto& row : noise.increments)
      out += fmt::format("  {:<{}} costs {:5.1f}%   effects {:5.1f}%\n", row.strategy, name_width, 100 * row.costs, 100 * row.effects);
  }
  for (const auto& w : warnings)
    out += fmt::format("warning: {}; increase --individuals (noise falls as 1/individuals)\n", w);
  if (!psa.market_measures.empty()) {
    out += "\nMarket and budget impact over the draws (mean and 95% interval; undiscounted budget impact, NPV of royalties):\n";
    for (std::size_t j = 0; j < psa.market_measures.size(); ++j)
      if (const auto i = detail::finite_draw_interval(psa.market.col(static_cast<Eigen::Index>(j))))
        out += fmt::format("  {:<32}{:>18.0f} ({:.0f} to {:.0f})\n", psa.market_measures[j], i->mean, i->low, i->high);
  }
  if (!psa.willingness_to_pay.empty()) {
    for (std::size_t p = 0; p < psa.perspectives.size(); ++p) {
      out += fmt::format("\nProbability cost-effective and EVPI per person, {} perspective\n{:<14}", psa.perspectives[p], "WTP");
      for (const auto& s : psa.strategies) out += fmt::format("{:>{}}", s, std::max<std::size_t>(16, s.size() + 2));
      out += fmt::format("{:>16}{}\n", "EVPI", psa.effective_population > 0 ? fmt::format("{:>20}", "population EVPI") : std::string());
      const Eigen::MatrixXd curves = acceptability_curves(psa.costs[p], psa.effects, psa.willingness_to_pay);
      const auto evpi = expected_value_of_perfect_information(psa.costs[p], psa.effects, psa.willingness_to_pay);
      for (std::size_t w = 0; w < psa.willingness_to_pay.size(); ++w) {
        out += fmt::format("{:<14.0f}", psa.willingness_to_pay[w]);
        for (Eigen::Index k = 0; k < curves.cols(); ++k)
          out += fmt::format("{:>{}.3f}", curves(static_cast<Eigen::Index>(w), k),
                             std::max<std::size_t>(16, psa.strategies[static_cast<std::size_t>(k)].size() + 2));
        out += fmt::format("{:>16.2f}", evpi[w]);
        if (psa.effective_population > 0) out += fmt::format("{:>20.0f}", evpi[w] * psa.effective_population);
        out += "\n";
      }
    }
  }
  return out;
}

EvppiReport evppi_report(const PsaResults& psa, const std::vector<std::vector<std::string>>& groups, const std::vector<double>& wtp) {
  EvppiReport report;
  for (const auto& group : groups) {
    Eigen::MatrixXd theta(psa.parameter_values.rows(), static_cast<Eigen::Index>(group.size()));
    for (std::size_t j = 0; j < group.size(); ++j) {
      const auto it = std::find(psa.parameters.begin(), psa.parameters.end(), group[j]);
      if (it == psa.parameters.end())
        throw ScenarioError({"", 0, 0, "--evppi"}, fmt::format("'{}' is not a parameter with a PSA distribution", group[j]),
                            "names of sampled parameters, e.g. --evppi p1 --evppi p2,p3");
      theta.col(static_cast<Eigen::Index>(j)) = psa.parameter_values.col(it - psa.parameters.begin());
    }
    try {
      report.results.push_back(expected_value_of_partial_perfect_information(psa.costs[0], psa.effects, theta, wtp, psa.reference));
    } catch (const std::invalid_argument& e) {
      throw ScenarioError({"", 0, 0, "--evppi"}, e.what(), "enough draws (at least 30; at most 3000 for groups of 3 or more)");
    }
    report.groups.push_back(group);
  }
  return report;
}

std::string format_evppi(const EvppiReport& report, const PsaResults& psa) {
  // Group labels, and a first column wide enough for the longest.
  std::vector<std::string> labels;
  std::size_t width = 28;
  for (const auto& group : report.groups) {
    std::string names;
    for (const auto& n : group) names += (names.empty() ? "" : ", ") + n;
    width = std::max(width, names.size() + 2);
    labels.push_back(std::move(names));
  }
  std::string out = fmt::format("\nEVPPI per person ({} perspective; ± standard error of the regression estimate)\n{:<{}}", psa.perspectives[0],
                                "Parameters", width);
  if (!report.results.empty())
    for (double w : report.results.front().wtp) out += fmt::format("{:>24}", fmt::format("WTP {:.0f}", w));
  out += "\n";
  for (std::size_t g = 0; g < report.groups.size(); ++g) {
    out += fmt::format("{:<{}}", labels[g], width);
    for (std::size_t w = 0; w < report.results[g].wtp.size(); ++w)
      out += fmt::format("{:>24}", fmt::format("{:.2f} ± {:.2f}", report.results[g].evppi[w], report.results[g].standard_error[w]));
    out += fmt::format("   [{}]\n", report.results[g].method);
  }
  return out;
}

std::string evppi_csv(const EvppiReport& report, const PsaResults& psa) {
  std::string out = "parameters,method,wtp,evppi_per_person,standard_error,population_evppi\n";
  for (std::size_t g = 0; g < report.groups.size(); ++g) {
    std::string names;
    for (const auto& n : report.groups[g]) names += (names.empty() ? "" : ";") + n;
    for (std::size_t w = 0; w < report.results[g].wtp.size(); ++w)
      out += fmt::format("{},{},{},{},{},{}\n", names, report.results[g].method, number(report.results[g].wtp[w]), number(report.results[g].evppi[w]),
                         number(report.results[g].standard_error[w]),
                         psa.effective_population > 0 ? number(report.results[g].evppi[w] * psa.effective_population) : std::string());
  }
  return out;
}

}  // namespace hemsim
