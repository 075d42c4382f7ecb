#include "report/report_answer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "hemsim/decision.hpp"
#include "report/report_tpp.hpp"

namespace hemsim::detail {
namespace {

// Whole units with thousands separators, as the report's tables show them.
std::string money(double v) { return std::isfinite(v) ? ReportCell::number(v, ReportCell::Format::integer).as_text() : "n/a"; }

std::string plus_minus(double mean, double mcse, int decimals) {
  if (!std::isfinite(mcse) || mcse == 0) return fmt::format("{:.{}f}", mean, decimals);
  return fmt::format("{:.{}f} ± {:.{}f}", mean, decimals, mcse, decimals);
}

std::string money_pm(double mean, double mcse) {
  if (!std::isfinite(mcse) || mcse == 0) return money(mean);
  return money(mean) + " ± " + money(mcse);
}

/// The strategy the dossier is about: the one the DSA or price assessed, else the last.
std::string assessed_strategy(const ReportInputs& in) {
  if (in.price) return in.price->strategies.at(static_cast<std::size_t>(in.price->strategy));
  if (in.dsa) return in.dsa->strategies.at(static_cast<std::size_t>(in.dsa->strategy));
  if (in.run && !in.run->strategies.empty()) return in.run->strategies.back().name;
  if (in.psa && !in.psa->strategies.empty()) return in.psa->strategies.back();
  return {};
}

}  // namespace

ReportSection answer_section(const ReportInputs& in, const std::function<std::string(const std::string&)>& label) {
  ReportSection s{"answer", "The answer at a glance", {}, {}, {}};
  ReportTable t{"answer",
                "Key results (± Monte Carlo standard error)",
                "Each figure is detailed, with its method, further down.",
                "Answer",
                true,
                {"Question", "Finding", "From"},
                {}};
  auto add = [&](const std::string& question, const std::string& finding, const std::string& from) {
    t.rows.push_back({ReportCell::text(question), ReportCell::text(finding), ReportCell::text(from)});
  };
  const std::string assessed = assessed_strategy(in);
  std::vector<std::string> others;
  auto collect_others = [&](const std::vector<std::string>& names) {
    for (const auto& n : names)
      if (n != assessed) others.push_back(label(n));
  };
  if (in.run) {
    std::vector<std::string> names;
    for (const auto& st : in.run->strategies) names.push_back(st.name);
    collect_others(names);
  } else if (in.psa) {
    collect_others(in.psa->strategies);
  } else if (in.dsa || in.price) {
    collect_others((in.dsa ? in.dsa : in.price)->strategies);
  }
  std::string against;
  for (const auto& o : others) against += (against.empty() ? "" : "; ") + o;
  add("Question", fmt::format("Is {} worth its cost compared with {}?", label(assessed), against.empty() ? "the alternatives" : against),
      "");

  if (in.run) {
    const RunResults& r = *in.run;
    const std::string effect = r.effect_measure == "life_years" ? "life-years" : "QALYs";
    const std::string how =
        r.method == "cohort" ? "cohort" : fmt::format("microsimulation, {} individuals, seed {}", r.individuals, r.seed);
    for (const auto& inc : r.increments) {
      if (inc.name != assessed) continue;
      const auto& dc = inc.costs_by_perspective.front().discounted;
      const auto& de = (r.effect_measure == "life_years" ? inc.life_years : inc.qalys).discounted;
      add(fmt::format("Gain and extra cost against {} ({} perspective, discounted)", label(r.reference_strategy), r.perspectives.front()),
          fmt::format("{} {}; {} {}", plus_minus(de.mean, de.mcse, 3), effect, money_pm(dc.mean, dc.mcse), r.currency),
          "Base case (" + how + ")");
    }
    if (!r.incremental_tables.empty())
      for (const auto& row : r.incremental_tables.front().rows) {
        if (row.strategy != assessed) continue;
        std::string finding, by;
        for (const auto& d : row.dominated_by) by += (by.empty() ? " by " : " and ") + label(d);
        if (row.status == DominanceStatus::dominated)
          finding = "dominated" + by;
        else if (row.status == DominanceStatus::extendedly_dominated)
          finding = "extendedly dominated" + by;
        else if (row.icer)
          finding = fmt::format("{} {} per {} against {}", money(*row.icer), r.currency, effect == "QALYs" ? "QALY" : "life-year",
                                label(row.compared_with.value_or("")));
        else
          finding = "on the frontier, the least costly strategy";
        add("ICER on the efficiency frontier", finding, "Base case, incremental table");
      }
  }
  if (in.dsa && in.dsa->one_way) {
    const auto& base = in.dsa->one_way->base;
    add(fmt::format("Incremental net benefit at {} per unit of effect", money(in.dsa->willingness_to_pay)),
        money_pm(base.incremental_net_benefit, base.incremental_net_benefit_mcse), "DSA base case");
  }
  if (in.price) {
    for (const auto& p : in.price->prices)
      add(fmt::format("Value-based price of {} ({}) at {} per unit of effect{}", label(assessed), in.price->price_parameter,
                      money(p.willingness_to_pay), in.price->perspective.empty() ? "" : ", " + in.price->perspective + " perspective"),
          fmt::format("{} (95 % Monte Carlo interval {} to {}), against {}", money_pm(p.price, p.price_mcse), money(p.price_low95()),
                      money(p.price_high95()), label(in.price->strategies.at(static_cast<std::size_t>(p.next_best)))),
          "Value-based price");
    if (in.price->tpp)  // the evidence a price needs (target product profile)
      for (const auto& sentence : tpp_headlines(*in.price->tpp)) add("Evidence needed at the assumed price", sentence, "Target product profile");
  }
  if (in.psa && !in.psa->costs.empty()) {
    const PsaResults& p = *in.psa;
    const auto k = std::find(p.strategies.begin(), p.strategies.end(), assessed) - p.strategies.begin();
    if (k < static_cast<long>(p.strategies.size()) && !p.willingness_to_pay.empty()) {
      const Eigen::MatrixXd ceac = acceptability_curves(p.costs.front(), p.effects, p.willingness_to_pay);
      const std::vector<double> evpi = expected_value_of_perfect_information(p.costs.front(), p.effects, p.willingness_to_pay);
      std::string probabilities, values;
      for (std::size_t w = 0; w < p.willingness_to_pay.size(); ++w) {
        probabilities +=
            fmt::format("{}{:.2f} at {}", w ? "; " : "", ceac(static_cast<Eigen::Index>(w), k), money(p.willingness_to_pay[w]));
        values += fmt::format("{}{} at {}", w ? "; " : "", money(evpi[w]), money(p.willingness_to_pay[w]));
        if (p.effective_population > 0) values += fmt::format(" ({} for the population)", money(evpi[w] * p.effective_population));
      }
      add("Probability that it is the most cost-effective", probabilities, fmt::format("PSA, {} draws", p.draws));
      add("Expected value of perfect information, per person", values, fmt::format("PSA, {} draws", p.draws));
    }
  }
  if (in.dsa && in.dsa->one_way && !in.dsa->one_way->parameters.empty()) {
    std::string drivers;
    const auto& rows = in.dsa->one_way->parameters;
    for (std::size_t i = 0; i < rows.size() && i < 3; ++i)
      drivers += fmt::format("{}{} (swing {}{})", i ? "; " : "", rows[i].parameter, money_pm(rows[i].net_benefit_swing, rows[i].swing_mcse),
                             rows[i].within_noise ? ", within noise" : "");
    add("What drives the result most (incremental net benefit)", drivers, "One-way DSA, tornado");
  }
  if (in.dsa && in.dsa->threshold) {
    const auto& th = *in.dsa->threshold;
    const auto& names = in.dsa->strategies;
    add(fmt::format("Evidence threshold: {}", th.parameter),
        th.threshold
            ? fmt::format("the best strategy changes from {} to {} at {}", label(names.at(static_cast<std::size_t>(th.optimal_below))),
                          label(names.at(static_cast<std::size_t>(th.optimal_above))), plus_minus(*th.threshold, th.threshold_mcse, 4))
            : fmt::format("{} is best over the whole range", label(names.at(static_cast<std::size_t>(th.optimal_below)))),
        "Threshold analysis");
  }
  if (in.variants) {
    std::string range;
    for (const auto& v : in.variants->variants)
      for (const auto& row : v.rows)
        if (row.strategy == assessed && std::isfinite(row.incremental_net_benefit.mean))
          range += fmt::format("{}{}: {}", range.empty() ? "" : "; ", v.label,
                               money_pm(row.incremental_net_benefit.mean, row.incremental_net_benefit.mcse));
    if (!range.empty())
      add(fmt::format("Incremental net benefit in each named scenario (at {})", money(in.variants->willingness_to_pay)), range,
          "Named scenarios");
  }
  s.tables.push_back(std::move(t));
  s.paragraphs.push_back(
      "Market size, budget impact, population value and licence value are not computed by this version of hemsim; the figures "
      "above are per person.");
  return s;
}

}  // namespace hemsim::detail
