#include "report/report_answer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/join.hpp"
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

/// The MCSE of the DSA base case's ICER when it compares `strategy` with `comparator`
/// (the DSA records the increments' MCSEs and that of the net benefit); else NaN.
double dsa_icer_mcse(const ReportInputs& in, const std::string& strategy, const std::string& comparator) {
  if (!in.dsa || !in.dsa->one_way) return std::numeric_limits<double>::quiet_NaN();
  const auto& d = *in.dsa;
  if (d.strategies.at(static_cast<std::size_t>(d.strategy)) != strategy || d.strategies.at(static_cast<std::size_t>(d.comparator)) != comparator)
    return std::numeric_limits<double>::quiet_NaN();
  const auto& b = d.one_way->base;
  return icer_mcse(b.incremental_cost, b.incremental_effect, b.incremental_cost_mcse, b.incremental_effect_mcse,
                   b.incremental_net_benefit_mcse, d.willingness_to_pay);
}

/// "QALY" or "life-year": the unit of the thresholds.
std::string effect_unit(const ReportInputs& in) {
  const std::string measure = in.run ? in.run->effect_measure : in.psa ? in.psa->effect_measure : std::string("qalys");
  return measure == "life_years" ? "life-year" : "QALY";
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

double icer_mcse(double incremental_cost, double incremental_effect, double cost_mcse, double effect_mcse, double net_benefit_mcse,
                 double willingness_to_pay) {
  if (!(incremental_effect != 0) || !(willingness_to_pay > 0) || !std::isfinite(cost_mcse) || !std::isfinite(effect_mcse) ||
      !std::isfinite(net_benefit_mcse))
    return std::numeric_limits<double>::quiet_NaN();
  // Var(INMB) = w^2 Var(dE) + Var(dC) - 2 w Cov(dC, dE) gives the covariance.
  const double w = willingness_to_pay;
  const double covariance =
      (w * w * effect_mcse * effect_mcse + cost_mcse * cost_mcse - net_benefit_mcse * net_benefit_mcse) / (2 * w);
  const double icer = incremental_cost / incremental_effect;
  const double variance =
      (cost_mcse * cost_mcse - 2 * icer * covariance + icer * icer * effect_mcse * effect_mcse) / (incremental_effect * incremental_effect);
  return std::sqrt(std::max(0.0, variance));
}

ReportSection answer_section(const ReportInputs& in, const std::function<std::string(const std::string&)>& label) {
  ReportSection s{"answer", "Executive summary: the answer at a glance", {}, {}, {}};
  ReportTable t{"answer",
                "Key results (± Monte Carlo standard error)",
                "Each figure is detailed, with its method, further down. Lines appear only for the analyses these results hold.",
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
  const std::string against = join(others, "; ");
  add("Question", fmt::format("Is {} worth its cost compared with {}?", label(assessed), against.empty() ? "the alternatives" : against),
      "");
  if (in.run || in.scenario) {
    std::string population = in.run ? in.run->scenario_name : in.scenario->name;
    if (in.scenario && !in.scenario->attributes.empty()) {
      std::string attributes;
      for (const auto& a : in.scenario->attributes) attributes += (attributes.empty() ? "" : ", ") + a.name;
      population += "; individuals differ in " + attributes;
    }
    if (in.run && in.run->method != "cohort") population += fmt::format(" ({} simulated)", money(static_cast<double>(in.run->individuals)));
    add("Population", population, "Scenario");
  }
  if (in.run) {
    std::string comparators;
    for (const auto& st : in.run->strategies)
      comparators += (comparators.empty() ? "" : "; ") + label(st.name) + (st.name == in.run->reference_strategy ? " (reference)" : "");
    add("Strategies compared", comparators, "Scenario");
  }

  std::string frontier_comparator;  // whom the frontier ICER compares the assessed strategy with
  if (in.run) {
    const RunResults& r = *in.run;
    const std::string effect = r.effect_measure == "life_years" ? "life-years" : "QALYs";
    const std::string how =
        r.method == "cohort" ? "cohort" : fmt::format("microsimulation, {} individuals, seed {}", r.individuals, r.seed);
    for (const auto& inc : r.increments) {
      if (inc.name != assessed) continue;
      const auto& dc = inc.costs_by_perspective.front().discounted;
      const auto& de = (r.effect_measure == "life_years" ? inc.life_years : inc.qalys).discounted;
      add(fmt::format("Gain and extra cost vs {} (discounted, {})", label(r.reference_strategy), r.perspectives.front()),
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
        else if (row.icer) {
          frontier_comparator = row.compared_with.value_or("");
          finding = fmt::format("{} {} per {} against {}", money_pm(*row.icer, dsa_icer_mcse(in, assessed, frontier_comparator)),
                                r.currency, effect == "QALYs" ? "QALY" : "life-year", label(frontier_comparator));
        } else
          finding = "on the frontier, the least costly strategy";
        add("ICER on the efficiency frontier", finding, "Base case, incremental table");
      }
  }
  const std::string per = "per " + effect_unit(in);
  if (in.dsa && in.dsa->one_way) {
    const auto& base = in.dsa->one_way->base;
    const std::string comparator = in.dsa->strategies.at(static_cast<std::size_t>(in.dsa->comparator));
    std::string finding;
    if (comparator != frontier_comparator && std::isfinite(base.icer) && base.incremental_effect != 0)
      finding = fmt::format("ICER {} {}; ", money_pm(base.icer, dsa_icer_mcse(in, assessed, comparator)), per);
    finding += fmt::format("incremental net benefit {} at {} {}", money_pm(base.incremental_net_benefit, base.incremental_net_benefit_mcse),
                           money(in.dsa->willingness_to_pay), per);
    add(fmt::format("Against {} (DSA base case)", label(comparator)), finding, "DSA base case");
  }
  if (in.price && !in.price->prices.empty()) {
    // One line for every threshold; the strategy priced against once when it is the same.
    std::string prices;
    bool same_next_best = true;
    for (const auto& p : in.price->prices) same_next_best = same_next_best && p.next_best == in.price->prices.front().next_best;
    for (const auto& p : in.price->prices) {
      prices += fmt::format("{}{} ({} to {}) at {}", prices.empty() ? "" : "; ", money_pm(p.price, p.price_mcse), money(p.price_low95()),
                            money(p.price_high95()), money(p.willingness_to_pay));
      if (!same_next_best) prices += " against " + label(in.price->strategies.at(static_cast<std::size_t>(p.next_best)));
    }
    if (same_next_best)
      prices += "; against " + label(in.price->strategies.at(static_cast<std::size_t>(in.price->prices.front().next_best)));
    add(fmt::format("Value-based price of {} ({}, 95 % Monte Carlo interval, {} thresholds{})", label(assessed), in.price->price_parameter,
                    per, in.price->perspective.empty() ? "" : ", " + in.price->perspective + " perspective"),
        prices, "Value-based price");
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
  if (in.run && in.run->market) {  // the scenario's market: section (market.hpp)
    const MarketResults& mk = *in.run->market;
    const std::string from = "Market and budget impact";
    add("Market size", fmt::format("{} eligible patients a year ({}, {} basis)", money(mk.eligible_per_year), mk.population_label, mk.basis), from);
    if (!mk.years.empty())
      add(fmt::format("Budget impact over {} years", mk.years.size()),
          fmt::format("{} {} undiscounted ({} perspective), {} patients treated with {}", money(mk.budget_impact_total), in.run->currency,
                      mk.perspective, money(mk.treated_total), label(mk.strategy)),
          from);
    std::string value;
    for (std::size_t w = 0; w < mk.willingness_to_pay.size(); ++w)
      value += fmt::format("{}{} {} at {}", value.empty() ? "" : "; ", money_pm(mk.population_nmb[w], mk.population_nmb_mcse[w]), in.run->currency,
                           money(mk.willingness_to_pay[w]));
    if (!value.empty()) add("Population value (net monetary benefit of the treated)", value, from);
    if (mk.royalty_rate > 0)
      add("Licence value", fmt::format("royalty NPV {} {} at {:.1f} % of revenue {} {}", money(mk.royalty_npv), in.run->currency, 100 * mk.royalty_rate,
                                       money(mk.revenue_total), in.run->currency),
          from);
  }
  // Slots other analyses fill, in this order, after the evidence threshold: market size,
  // budget impact, population value, licence value. Each adds its line with
  // add("Market size ...", finding, from) only when its results are present; the note
  // below then stops listing it.
  std::string missing;
  for (const char* slot : {"Market size", "Budget impact", "Population value", "Licence value"}) {
    const bool present = std::any_of(t.rows.begin(), t.rows.end(), [&](const auto& row) { return row[0].as_text().rfind(slot, 0) == 0; });
    if (!present) missing += std::string(missing.empty() ? "" : ", ") + slot;
  }
  if (!missing.empty()) t.caption += " Not in these results: " + missing + "; the figures above are per person.";
  s.tables.push_back(std::move(t));
  return s;
}

}  // namespace hemsim::detail
