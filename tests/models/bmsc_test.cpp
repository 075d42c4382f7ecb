// The flagship models, scenarios/bmsc_cipn.yaml and scenarios/bmsc_neuropathic.yaml:
// tests that would catch a wrong model. Each runs the shipped scenario file, changing
// parameters only through the API's overrides (as DSA and PSA do).
//
// * BMSC with zero efficacy costs more and gains no QALYs.
// * The opioid-containing sequences cause opioid use disorder; a sequence without
//   opioids causes none; zero opioid risk gives zero incidence.
// * Longer BMSC durability gives more QALYs.
// * The ICER of BMSC against usual care is linear in its price, with the slope that the
//   discounted number of injections implies.
// * With disease mortality off, life expectancy equals a life-table calculation written
//   out here from the CSV and the population's age and sex distribution, and every
//   strategy gives every individual exactly the same life-years (aligned random numbers).
// * Productivity loss counts in the societal perspective only, and is positive there.
// * Results are identical for 1, 2 and 8 threads.
// * Every parameter has a source, and every number that is not a structural switch has a
//   PSA distribution and a DSA range.

#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hemsim/hemsim.hpp"
#include "support/life_table.hpp"

namespace {

using hemsim::ParameterOverrides;
using hemsim::RunResults;

std::string path_of(const std::string& file) { return std::string(HEMSIM_SOURCE_DIR) + "/scenarios/" + file; }

RunResults run(const std::string& file, const ParameterOverrides& overrides = {}, std::uint64_t individuals = 4000) {
  hemsim::SimulationOptions options;
  options.individuals = individuals;
  return hemsim::simulate(hemsim::compile_model(hemsim::load_scenario(path_of(file)), overrides), options);
}

int index_of(const std::vector<std::string>& names, const std::string& name) {
  const auto it = std::find(names.begin(), names.end(), name);
  EXPECT_NE(it, names.end()) << name;
  return static_cast<int>(it - names.begin());
}

const hemsim::StrategyOutcomes& strategy(const RunResults& r, const std::string& name) {
  for (const auto& s : r.strategies)
    if (s.name == name) return s;
  throw std::runtime_error("no strategy " + name);
}

const hemsim::Increment& increment(const RunResults& r, const std::string& name) {
  for (const auto& inc : r.increments)
    if (inc.name == name) return inc;
  throw std::runtime_error("no increment " + name);
}

double event_count(const RunResults& r, const hemsim::StrategyOutcomes& s, const std::string& event) {
  return s.events.at(static_cast<std::size_t>(index_of(r.events, event))).count.mean;
}

double outcome(const RunResults& r, const hemsim::StrategyOutcomes& s, const std::string& name) {
  return s.outcomes.at(static_cast<std::size_t>(index_of(r.outcomes, name))).undiscounted.mean;
}

class Flagship : public ::testing::TestWithParam<const char*> {};

TEST_P(Flagship, ZeroEfficacyBmscCostsMoreAndGainsNoQalys) {
  const RunResults r = run(GetParam(), {{"p_bmsc_resp", 0.0}});
  const auto& inc = increment(r, "bmsc");
  // Everyone gets one injection (no responder, so no re-dose): at least its price,
  // discounted by one month, on top of the same usual care, which starts a month later.
  EXPECT_GT(inc.costs_by_perspective[0].discounted.mean, 0.95 * 30000);
  // One injection each (nobody responds, so nobody relapses into a re-dose): the count
  // equals the share ever injected, everyone but those who die while waiting.
  const auto& injections = strategy(r, "bmsc").events.at(static_cast<std::size_t>(index_of(r.events, "bmsc_injection")));
  EXPECT_EQ(injections.count.mean, injections.ever.mean);
  EXPECT_GT(injections.ever.mean, 0.99);
  // No QALY gain: the difference is not positive beyond Monte Carlo error (it is
  // slightly negative: the procedure's adverse events and a later start of usual care).
  EXPECT_LT(inc.qalys.discounted.mean, 2 * inc.qalys.discounted.mcse);
  EXPECT_LT(inc.qalys.discounted.mean, 0.0);
  // Nobody responds, so nobody is ever in the BMSC responder state.
  const auto& bmsc = strategy(r, "bmsc");
  EXPECT_EQ(bmsc.years_in_state.at(static_cast<std::size_t>(index_of(r.states, "bmsc_resp"))).mean, 0.0);
}

TEST_P(Flagship, OpioidSequencesCauseOpioidUseDisorderAndSequencesWithoutOpioidsDoNot) {
  const RunResults with = run(GetParam());
  const RunResults without = run(GetParam(), {{"opioid_lines", 0.0}});
  for (std::size_t k = 0; k < with.strategies.size(); ++k) {
    const auto& a = with.strategies[k];
    const auto& b = without.strategies[k];
    const auto& oud = a.events.at(static_cast<std::size_t>(index_of(with.events, "oud")));
    EXPECT_GT(oud.ever.mean, 3 * oud.ever.mcse) << a.name;
    EXPECT_GT(outcome(with, a, "opioid_exposed_years"), 0.5) << a.name;
    EXPECT_EQ(event_count(without, b, "oud"), 0.0) << b.name;
    EXPECT_EQ(event_count(without, b, "overdose"), 0.0) << b.name;
    EXPECT_EQ(event_count(without, b, "ltot_start"), 0.0) << b.name;
    EXPECT_EQ(outcome(without, b, "opioid_exposed_years"), 0.0) << b.name;
  }
}

TEST_P(Flagship, ZeroOpioidRiskGivesZeroIncidence) {
  const RunResults r = run(GetParam(), {{"r_oud_ltot", 0.0}});
  for (const auto& s : r.strategies) {
    EXPECT_EQ(event_count(r, s, "oud"), 0.0) << s.name;
    EXPECT_EQ(s.years_in_state.at(static_cast<std::size_t>(index_of(r.states, "oud_untreated"))).mean, 0.0) << s.name;
    EXPECT_GT(outcome(r, s, "opioid_exposed_years"), 0.5) << s.name;  // still exposed, never addicted
  }
}

TEST_P(Flagship, LongerBmscDurabilityGivesMoreQalys) {
  // Same individuals and random numbers in each run (common random numbers across runs),
  // so the gain rises with every step, and from 6 to 60 months well beyond its error.
  std::vector<hemsim::Estimate> gain;
  for (const double months : {6.0, 12.0, 24.0, 60.0}) {
    const RunResults r = run(GetParam(), {{"bmsc_median_durability_months", months}}, 10000);
    gain.push_back(increment(r, "bmsc").qalys.discounted);
    if (gain.size() > 1) {
      EXPECT_GT(gain.back().mean, gain[gain.size() - 2].mean) << months;
    }
  }
  EXPECT_GT(gain.back().mean - gain.front().mean, 3 * gain.back().mcse);
}

TEST_P(Flagship, IcerOfBmscIsLinearInItsPrice) {
  std::vector<double> icer, cost;
  double effect = 0;
  for (const double price : {10000.0, 30000.0, 100000.0}) {
    const RunResults r = run(GetParam(), {{"bmsc_price", price}});
    const auto& inc = increment(r, "bmsc");
    cost.push_back(inc.costs_by_perspective[0].discounted.mean);
    effect = inc.qalys.discounted.mean;
    icer.push_back(cost.back() / effect);
    ASSERT_GT(effect, 0.0);
  }
  const double slope1 = (icer[1] - icer[0]) / 20000, slope2 = (icer[2] - icer[1]) / 70000;
  EXPECT_NEAR(slope1, slope2, 1e-9 * std::abs(slope1));
  // d(cost)/d(price) is the discounted number of injections per person: between the
  // undiscounted count discounted over a few years and the undiscounted count.
  const RunResults base = run(GetParam());
  const double injections = event_count(base, strategy(base, "bmsc"), "bmsc_injection");
  const double per_price = (cost[2] - cost[0]) / 90000;
  EXPECT_LT(per_price, injections);
  EXPECT_GT(per_price, injections / std::pow(1.03, 5.0));
  EXPECT_GT(injections, 1.0);
}

std::vector<std::array<double, 2>> life_table_2019() {
  return hemsim_test::read_life_table(path_of("data/us_life_table_2019.csv"));
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

TEST_P(Flagship, LifeExpectancyMatchesTheLifeTableWithoutDiseaseMortality) {
  // Population: age Normal(57, 12) truncated to [30, 85] (entry age on the monthly grid,
  // i.e. whole months), half female here; monthly cycles to the horizon of 840 months
  // (age 30 to 100); q per month = 1 - (1 - qx)^(1/12); half-cycle correction.
  const auto qx = life_table_2019();
  const double cy = 1.0 / 12.0;
  const int T = 840;
  const double z = normal_cdf((85 - 57) / 12.0) - normal_cdf((30 - 57) / 12.0);
  double expected = 0;
  for (int m = 30 * 12; m < 85 * 12; ++m) {
    const double weight = (normal_cdf(((m + 1) * cy - 57) / 12.0) - normal_cdf((m * cy - 57) / 12.0)) / z;
    for (int sex = 0; sex < 2; ++sex) {
      double alive = 1, years = 0;
      for (int t = 0; t <= T && alive > 0; ++t) {
        years += (t == 0 || t == T ? 0.5 : 1.0) * alive * cy;
        const double age = static_cast<double>(m + t) * cy;
        const double q = qx.at(static_cast<std::size_t>(std::min(100.0, std::floor(age))))[static_cast<std::size_t>(sex)];
        alive *= std::pow(1 - q, cy);
      }
      expected += weight * 0.5 * years;
    }
  }
  EXPECT_GT(expected, 20.0);
  EXPECT_LT(expected, 30.0);
  const ParameterOverrides no_disease_deaths{{"p_female", 0.5},        {"hr_chronic_pain", 1.0}, {"smr_oud", 0.1},
                                              {"r_od_ltot_low", 0.0},   {"r_od_ltot_high", 0.0},  {"od_death_rate_oud", 0.0},
                                              {"cf_gi", 0.0}};
  const hemsim::Scenario scenario = hemsim::load_scenario(path_of(GetParam()));
  ParameterOverrides overrides;
  for (const auto& [name, value] : no_disease_deaths)  // cf_gi exists only in the neuropathic model
    if (std::any_of(scenario.parameters.begin(), scenario.parameters.end(), [&](const auto& p) { return p.name == name; }))
      overrides[name] = value;
  const RunResults r = run(GetParam(), overrides, 20000);
  for (const auto& s : r.strategies) {
    const auto& ly = s.life_years.undiscounted;
    EXPECT_NEAR(ly.mean, expected, 4 * ly.mcse) << s.name;
    EXPECT_LT(ly.mcse, 0.15) << s.name;
    EXPECT_EQ(event_count(r, s, "overdose_death"), 0.0) << s.name;
  }
  // Aligned random numbers: with the same (background) death risk in every strategy,
  // everyone dies at the same point in every strategy, so each paired life-year
  // increment is exactly 0, for every individual (MCSE 0), even with BMSC response 0.
  overrides["p_bmsc_resp"] = 0.0;
  const RunResults same_deaths = run(GetParam(), overrides, 20000);
  for (const auto& inc : same_deaths.increments) {
    EXPECT_EQ(inc.life_years.undiscounted.mean, 0.0) << inc.name;
    EXPECT_EQ(inc.life_years.undiscounted.mcse, 0.0) << inc.name;
    EXPECT_EQ(inc.life_years.discounted.mcse, 0.0) << inc.name;
  }
  // And with disease mortality on, fewer life-years (overdoses, OUD).
  const RunResults base = run(GetParam(), {{"p_female", 0.5}}, 20000);
  EXPECT_LT(base.strategies[0].life_years.undiscounted.mean, r.strategies[0].life_years.undiscounted.mean);
}

TEST_P(Flagship, ProductivityLossOnlyInTheSocietalPerspective) {
  const RunResults r = run(GetParam());
  const int health_care = index_of(r.perspectives, "health_care"), societal = index_of(r.perspectives, "societal");
  const int productivity = index_of(r.cost_categories, "productivity");
  for (const auto& s : r.strategies) {
    double health_care_sum = 0;
    for (std::size_t c = 0; c < r.cost_categories.size(); ++c)
      if (static_cast<int>(c) != productivity) health_care_sum += s.costs_by_category[c].discounted.mean;
    const double loss = s.costs_by_category[static_cast<std::size_t>(productivity)].discounted.mean;
    EXPECT_GT(loss, 1000.0) << s.name;
    EXPECT_NEAR(s.costs_by_perspective[static_cast<std::size_t>(health_care)].discounted.mean, health_care_sum, 1e-9 * health_care_sum) << s.name;
    EXPECT_NEAR(s.costs_by_perspective[static_cast<std::size_t>(societal)].discounted.mean, health_care_sum + loss, 1e-9 * (health_care_sum + loss))
        << s.name;
    EXPECT_GT(outcome(r, s, "workdays_lost"), 10.0) << s.name;
  }
  // Nobody employable: no productivity loss and no workdays lost.
  const RunResults none = run(GetParam(), {{"p_employable", 0.0}});
  for (const auto& s : none.strategies) {
    EXPECT_EQ(s.costs_by_category[static_cast<std::size_t>(productivity)].discounted.mean, 0.0) << s.name;
    EXPECT_EQ(outcome(none, s, "workdays_lost"), 0.0) << s.name;
  }
}

TEST_P(Flagship, EveryLivingMonthIsInExactlyOnePainBand) {
  // Years in severe, moderate and mild pain and free of pain add up to the life-years:
  // every living state assigns each individual exactly one band.
  const RunResults r = run(GetParam());
  for (const auto& s : r.strategies) {
    const double bands = outcome(r, s, "severe_pain_years") + outcome(r, s, "moderate_pain_years") + outcome(r, s, "mild_pain_years") +
                         outcome(r, s, "pain_free_years");
    EXPECT_NEAR(bands, s.life_years.undiscounted.mean, 1e-9 * bands) << s.name;
    EXPECT_GT(outcome(r, s, "severe_pain_years"), 0.5) << s.name;
  }
  // BMSC responders spend time one band lower: less severe pain than usual care.
  EXPECT_LT(outcome(r, strategy(r, "bmsc"), "severe_pain_years"), outcome(r, strategy(r, "usual_care"), "severe_pain_years"));
}

TEST_P(Flagship, ResultsAreIdenticalForAnyThreadCount) {
  std::vector<RunResults> results;
  for (const std::size_t threads : {1U, 2U, 8U}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    results.push_back(run(GetParam(), {}, 3000));
  }
  for (std::size_t i = 1; i < results.size(); ++i) {
    for (std::size_t k = 0; k < results[0].strategies.size(); ++k) {
      const auto& a = results[0].strategies[k];
      const auto& b = results[i].strategies[k];
      for (std::size_t p = 0; p < a.costs_by_perspective.size(); ++p) {
        EXPECT_EQ(a.costs_by_perspective[p].discounted.mean, b.costs_by_perspective[p].discounted.mean);
        EXPECT_EQ(a.costs_by_perspective[p].discounted.mcse, b.costs_by_perspective[p].discounted.mcse);
      }
      EXPECT_EQ(a.qalys.discounted.mean, b.qalys.discounted.mean);
      EXPECT_EQ(a.life_years.discounted.mean, b.life_years.discounted.mean);
      for (std::size_t o = 0; o < a.outcomes.size(); ++o) EXPECT_EQ(a.outcomes[o].undiscounted.mean, b.outcomes[o].undiscounted.mean);
      for (std::size_t e = 0; e < a.events.size(); ++e) EXPECT_EQ(a.events[e].cumulative_incidence, b.events[e].cumulative_incidence);
      EXPECT_EQ(a.trace, b.trace);
    }
    for (std::size_t k = 0; k < results[0].increments.size(); ++k)
      EXPECT_EQ(results[0].increments[k].qalys.discounted.mcse, results[i].increments[k].qalys.discounted.mcse);
  }
}

TEST_P(Flagship, EveryParameterHasASourceADistributionAndARange) {
  const hemsim::Scenario s = hemsim::load_scenario(path_of(GetParam()));
  // Structural switches and definitions, not uncertain quantities.
  // sev_mild is 0 by definition of the CIPN population (pain >= 4/10).
  const std::set<std::string> structural{"bmsc_arm", "opioid_lines", "use_life_table_2021", "bmsc_max_doses", "workdays_per_month", "sev_mild"};
  std::set<std::string> dirichlet;
  for (const auto& group : s.dirichlet)
    for (const auto& name : group.parameters) dirichlet.insert(name);
  int uncertain = 0;
  for (const auto& p : s.parameters) {
    EXPECT_FALSE(p.source.empty()) << p.name;
    if (p.is_formula || structural.count(p.name)) continue;
    ++uncertain;
    EXPECT_TRUE(p.distribution.has_value() || dirichlet.count(p.name)) << p.name << " has no PSA distribution";
    EXPECT_TRUE(p.has_range || dirichlet.count(p.name)) << p.name << " has no DSA range";
    if (p.assumption) {
      EXPECT_TRUE(p.source.find("[A]") != std::string::npos || p.source.find("/A]") != std::string::npos)
          << p.name << ": assumptions say so in the source ([A] or [S-derived/A])";
    }
  }
  EXPECT_GT(uncertain, 60);
}

INSTANTIATE_TEST_SUITE_P(Bmsc, Flagship, ::testing::Values("bmsc_cipn.yaml", "bmsc_neuropathic.yaml"),
                         [](const auto& info) { return std::string(info.param).substr(5, std::string(info.param).find('.') - 5); });

TEST(BmscNeuropathic, NsaidAdjunctCausesGastrointestinalBleedsAndNoneWithoutIt) {
  const RunResults with = run("bmsc_neuropathic.yaml", {}, 10000);
  const RunResults without = run("bmsc_neuropathic.yaml", {{"p_nsaid_adjunct", 0.0}}, 10000);
  const int ae = index_of(with.cost_categories, "adverse_events");
  for (std::size_t k = 0; k < with.strategies.size(); ++k) {
    EXPECT_GT(outcome(with, with.strategies[k], "gi_bleeds"), 0.01);
    EXPECT_GT(event_count(with, with.strategies[k], "gi_bleed_death"), 0.0);
    EXPECT_EQ(outcome(without, without.strategies[k], "gi_bleeds"), 0.0);
    EXPECT_EQ(event_count(without, without.strategies[k], "gi_bleed_death"), 0.0);
    EXPECT_GT(with.strategies[k].costs_by_category[static_cast<std::size_t>(ae)].discounted.mean,
              without.strategies[k].costs_by_category[static_cast<std::size_t>(ae)].discounted.mean);
  }
}

TEST(BmscCipn, GabapentinoidFirstIsTheSameSequenceInAnotherOrder) {
  // With equal efficacy, tolerability and price of the two first drugs, the two
  // sequences are the same model: identical results under common random numbers.
  const ParameterOverrides equal{{"cipn_gabapentinoid_factor", (0.27 - 0.115) / 0.145}, {"ae_gabapentinoid", 0.085}, {"c_gabapentinoid", 150}};
  const RunResults r = run("bmsc_cipn.yaml", equal);
  const auto& a = strategy(r, "usual_care");
  const auto& b = strategy(r, "gabapentinoid_first");
  EXPECT_NEAR(a.qalys.discounted.mean, b.qalys.discounted.mean, 1e-9);
  EXPECT_NEAR(a.costs_by_perspective[0].discounted.mean, b.costs_by_perspective[0].discounted.mean, 1e-6);
  // With the base-case (weaker) gabapentinoid in CIPN the two orders differ.
  const RunResults base = run("bmsc_cipn.yaml");
  EXPECT_NE(strategy(base, "usual_care").qalys.discounted.mean, strategy(base, "gabapentinoid_first").qalys.discounted.mean);
}

}  // namespace
