// Market and budget impact (market.hpp) against hand computations on a small cohort
// model: the funnel's product, the budget impact by year (patients x uptake x cost
// difference in each year since starting), revenue, the royalty NPV, the population net
// monetary benefit; bad sections named by line and key; the JSON round trip.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "hemsim/hemsim.hpp"
#include "core/quantile.hpp"
#include "support/inline_scenario.hpp"

namespace {

using hemsim::Method;

// Annual cycles, no discounting, rewards at the start of each cycle: strategy `old`
// costs 100 a year alive, `new` 50 a year plus 1000 once; 10 % die each year; the same
// utility, so the new strategy's QALYs equal the old one's.
const std::string kMarket = R"y(
schema_version: 1
name: market
settings:
  cycle_length: 1 year
  horizon: {cycles: 3}
  discount: {costs: 0, effects: 0}
  reward_timing: start_of_cycle
  within_cycle_correction: none
  willingness_to_pay: [1000]
parameters:
  c_alive: 100
  price_new: 1000
states:
  A: {costs: {cost: c_alive}, utility: 0.7}
  D: {dead: true}
initial: {A: 1}
transitions:
  A: {D: 0.1, A: complement}
strategies:
  old: {}
  new: {parameters: {c_alive: 50}, one_time_costs: {cost: 1000}}
market:
  population: {value: 2000000, label: adults, source: "test census"}
  funnel:
    - {name: pain, proportion: 0.2, source: "test survey"}
    - {name: eligible, label: "Eligible", proportion: 0.005, source: "assumed", assumption: true}
  strategy: new
  uptake: [0.1, 0.2, 0.3]
  current_mix: {old: 1}
  licence: {royalty_rate: 0.05, launch_year: 2030, exclusivity_years: 2, discount_rate: 0.1, price_parameter: price_new}
)y";

double cost_old(int j) { return j >= 1 && j <= 3 ? 100 * std::pow(0.9, j - 1) : 0.0; }
double cost_new(int j) { return j >= 1 && j <= 3 ? 50 * std::pow(0.9, j - 1) + (j == 1 ? 1000 : 0) : 0.0; }

hemsim::MarketResults analyse(const std::string& yaml, Method method, std::uint64_t individuals = 0) {
  const hemsim::Scenario s = hemsim::parse_scenario(yaml, "market.yaml");
  hemsim::SimulationOptions options;
  options.method = method;
  options.individuals = individuals;
  const hemsim::RunResults run = hemsim::run_scenario(s, options);
  EXPECT_TRUE(hemsim::market_applies(s, run));
  return hemsim::analyse_market(s, run);
}

}  // namespace

TEST(Market, FunnelIsTheProductOfItsSteps) {
  const auto m = analyse(kMarket, Method::cohort);
  ASSERT_EQ(m.funnel.size(), 3U);
  EXPECT_DOUBLE_EQ(m.funnel[1].people, 2000000 * 0.2);
  EXPECT_DOUBLE_EQ(m.eligible_per_year, 2000000 * 0.2 * 0.005);  // 2000 a year
  EXPECT_TRUE(m.funnel[2].assumption);
  EXPECT_EQ(m.funnel[2].source, "assumed");
}

TEST(Market, BudgetImpactByYearIsPatientsTimesUptakeTimesCostDifference) {
  const auto m = analyse(kMarket, Method::cohort);
  const double N = 2000;
  const std::vector<double> u{0.1, 0.2, 0.3};
  ASSERT_EQ(m.years.size(), 3U);
  double total = 0;
  for (int y = 1; y <= 3; ++y) {
    double bi = 0, current = 0;
    for (int c = 1; c <= y; ++c) {
      const int j = y - c + 1;  // cohort c is in its j-th year
      bi += N * u[static_cast<std::size_t>(c - 1)] * (cost_new(j) - cost_old(j));
      current += N * u[static_cast<std::size_t>(c - 1)] * cost_old(j);
    }
    const auto& year = m.years[static_cast<std::size_t>(y - 1)];
    EXPECT_NEAR(year.budget_impact, bi, 1e-6) << y;
    EXPECT_NEAR(year.cost_current, current, 1e-6) << y;
    EXPECT_NEAR(year.cost_new - year.cost_current, bi, 1e-6) << y;
    EXPECT_DOUBLE_EQ(year.treated, N * u[static_cast<std::size_t>(y - 1)]);
    EXPECT_EQ(year.calendar_year, 2029 + y);
    total += bi;
  }
  // Year 1 by hand: 200 patients x (1050 - 100) = 190,000.
  EXPECT_NEAR(m.years[0].budget_impact, 190000.0, 1e-6);
  EXPECT_NEAR(m.budget_impact_total, total, 1e-6);
}

TEST(Market, RevenueAndRoyaltyNpvByHand) {
  const auto m = analyse(kMarket, Method::cohort);
  EXPECT_DOUBLE_EQ(m.price, 1000.0);  // from the parameter price_new
  // Royalties in years 1 and 2 only (exclusivity), paid at the end of each year.
  const double npv = 0.05 * 1000 * 200 / 1.1 + 0.05 * 1000 * 400 / (1.1 * 1.1);
  EXPECT_NEAR(m.royalty_npv, npv, 1e-6);
  EXPECT_EQ(m.years[2].royalty, 0.0);
  EXPECT_NEAR(m.revenue_total, 1000.0 * (200 + 400 + 600), 1e-6);
}

TEST(Market, PopulationNetBenefitIsPerPatientTimesTreated) {
  const auto m = analyse(kMarket, Method::cohort);
  // Same survival and utility: INMB = -(cost difference over the three years).
  const double inmb = -((cost_new(1) + cost_new(2) + cost_new(3)) - (cost_old(1) + cost_old(2) + cost_old(3)));
  ASSERT_EQ(m.inmb_per_patient.size(), 1U);
  EXPECT_NEAR(m.inmb_per_patient[0], inmb, 1e-9);
  EXPECT_NEAR(m.population_nmb[0], inmb * 1200, 1e-6);
  EXPECT_EQ(m.inmb_per_patient_mcse[0], 0.0);  // a cohort has no Monte Carlo error
}

TEST(Market, MicrosimulationGivesTheNetBenefitsMonteCarloError) {
  std::string yaml = kMarket;
  yaml.replace(yaml.find("utility: 0.7"), 12, "utility: 0.7}\n  B: {costs: {cost: 10}, utility: 0.9");
  yaml.replace(yaml.find("A: {D: 0.1, A: complement}"), 26, "A: {D: 0.1, B: 0.1, A: complement}\n  B: {D: 0.1, B: complement}");
  yaml.replace(yaml.find("new: {parameters"), 16, "mid: {parameters: {c_alive: 80}}\n  new: {parameters");
  yaml.replace(yaml.find("current_mix: {old: 1}"), 21, "current_mix: {old: 0.4, mid: 0.6}");
  const auto micro = analyse(yaml, Method::microsimulation, 4000);
  EXPECT_GT(micro.inmb_per_patient_mcse[0], 0.0);
  EXPECT_DOUBLE_EQ(micro.population_nmb_mcse[0], micro.inmb_per_patient_mcse[0] * micro.treated_total);
  const auto cohort = analyse(yaml, Method::cohort);
  EXPECT_NEAR(micro.inmb_per_patient[0], cohort.inmb_per_patient[0], 4 * micro.inmb_per_patient_mcse[0]);
}

TEST(Market, APrevalentPoolShrinksByThoseSwitched) {
  std::string yaml = kMarket;
  yaml.replace(yaml.find("  strategy: new"), 15, "  basis: prevalent\n  strategy: new");
  const auto m = analyse(yaml, Method::cohort);
  EXPECT_DOUBLE_EQ(m.years[0].eligible, 2000.0);
  EXPECT_DOUBLE_EQ(m.years[1].eligible, 2000.0 - 200.0);
  EXPECT_DOUBLE_EQ(m.years[2].eligible, 2000.0 - 200.0 - 1800.0 * 0.2);
  EXPECT_NEAR(m.years[1].budget_impact, 200 * (cost_new(2) - cost_old(2)) + 360 * (cost_new(1) - cost_old(1)), 1e-6);
}

TEST(Market, MistakesNameLineAndKey) {
  auto error_of = [](const std::string& from, const std::string& to) {
    std::string yaml = kMarket;
    yaml.replace(yaml.find(from), from.size(), to);
    try {
      (void)hemsim::parse_scenario(yaml, "market.yaml");
    } catch (const hemsim::ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error_of("{old: 1}", "{ols: 1}").find("market.current_mix"), std::string::npos);
  EXPECT_NE(error_of("{old: 1}", "{old: 0.5}").find("summing to 1"), std::string::npos);
  EXPECT_NE(error_of("proportion: 0.2,", "proportion: 1.2,").find("market.funnel[0].proportion"), std::string::npos);
  EXPECT_NE(error_of("source: \"test survey\"", "label: x").find("missing 'source'"), std::string::npos);
  EXPECT_NE(error_of("uptake: [0.1", "uptake: [1.1").find("market.yaml:"), std::string::npos);
  EXPECT_NE(error_of("price_parameter: price_new", "price_parameter: nope").find("unknown parameter"), std::string::npos);
}

TEST(Market, RoundTripsThroughResultsJson) {
  const hemsim::Scenario s = hemsim::parse_scenario(kMarket, "market.yaml");
  hemsim::SimulationOptions options;
  options.method = Method::cohort;
  hemsim::RunResults run = hemsim::run_scenario(s, options);
  run.market = hemsim::analyse_market(s, run);
  const auto back = hemsim::results_from_json(hemsim::results_to_json(run));
  ASSERT_TRUE(back.market.has_value());
  EXPECT_EQ(back.market->years[1].budget_impact, run.market->years[1].budget_impact);
  EXPECT_EQ(back.market->funnel[2].label, "Eligible");
  EXPECT_EQ(back.market->royalty_npv, run.market->royalty_npv);
  EXPECT_NE(hemsim::format_results_table(run).find("Market and budget impact"), std::string::npos);
}

TEST(Market, FlagshipFunnelsAreTheProductOfTheirSourcedSteps) {
  const std::string dir = HEMSIM_SOURCE_DIR "/scenarios/";
  const hemsim::Scenario cipn = hemsim::load_scenario(dir + "bmsc_cipn.yaml");
  ASSERT_TRUE(cipn.market.has_value());
  hemsim::SimulationOptions options;
  options.individuals = 256;
  const hemsim::RunResults run = hemsim::run_scenario(cipn, options);
  ASSERT_TRUE(hemsim::market_applies(cipn, run));
  const auto m = hemsim::analyse_market(cipn, run);
  EXPECT_NEAR(m.eligible_per_year, 258300000 * 0.204 * 0.22 * 0.01 * 0.6 * 0.79, 1e-6);
  for (const auto& step : m.funnel) EXPECT_FALSE(step.source.empty()) << step.name;
  EXPECT_EQ(m.price, 30000.0);  // bmsc_price
  ASSERT_EQ(m.years.size(), 5U);
  EXPECT_NEAR(m.years[0].treated, m.eligible_per_year * 0.02, 1e-6);
  EXPECT_TRUE(std::isfinite(m.budget_impact_total));
  const hemsim::Scenario neuropathic = hemsim::load_scenario(dir + "bmsc_neuropathic.yaml");
  ASSERT_TRUE(neuropathic.market.has_value());
  EXPECT_EQ(neuropathic.market->current_mix.size(), 1U);
}

TEST(Market, PsaEvpiPopulationComesFromTheMarketWhenNotGiven) {
  std::string yaml = kMarket;
  yaml.replace(yaml.find("c_alive: 100"), 12, "c_alive: {value: 100, distribution: {type: gamma, shape: 100, scale: 1}}");
  yaml.replace(yaml.find("costs: 0, effects: 0"), 20, "costs: 0.05, effects: 0");
  hemsim::PsaOptions options;
  options.draws = 4;
  options.method = Method::cohort;
  const auto psa = hemsim::run_psa(hemsim::parse_scenario(yaml, "market.yaml"), options);
  // 2000 newly eligible in each of the 3 market years, discounted at the cost rate.
  EXPECT_NEAR(psa.effective_population, 2000 * (1 + 1 / 1.05 + 1 / (1.05 * 1.05)), 1e-9);
}

// The test market with the current mix's annual cost uncertain (a PSA parameter).
hemsim::Scenario uncertain_market() {
  std::string yaml = kMarket;
  yaml.replace(yaml.find("c_alive: 100"), 12, "c_alive: {value: 100, distribution: {type: gamma, shape: 100, scale: 1}}");
  return hemsim::parse_scenario(yaml, "market.yaml");
}

// Under PSA every draw carries the market analysis of that draw's run: re-running the
// cohort with the draw's sampled values and analysing its market gives the same figures,
// and psa.json keeps them.
TEST(Market, EachPsaDrawHoldsTheMarketAnalysisOfThatDraw) {
  const hemsim::Scenario s = uncertain_market();
  hemsim::PsaOptions options;
  options.draws = 6;
  options.method = Method::cohort;
  const auto psa = hemsim::run_psa(s, options);
  ASSERT_EQ(psa.market_measures.size(), 5U);  // eligible, budget impact, revenue, royalty NPV, NMB at 1000
  EXPECT_EQ(psa.market_measures[1], "budget_impact");
  ASSERT_EQ(psa.market.rows(), 6);
  double lowest = 1e300, highest = -1e300;
  for (Eigen::Index d = 0; d < psa.market.rows(); ++d) {
    hemsim::SimulationOptions sim;
    sim.method = Method::cohort;
    const auto run = hemsim::simulate(hemsim::compile_model(s, {{"c_alive", psa.parameter_values(d, 0)}}), sim);
    const auto m = hemsim::analyse_market(s, run, {{"c_alive", psa.parameter_values(d, 0)}});
    EXPECT_NEAR(psa.market(d, 0), m.eligible_per_year, 1e-9);
    EXPECT_NEAR(psa.market(d, 1), m.budget_impact_total, 1e-9 * std::abs(m.budget_impact_total));
    EXPECT_NEAR(psa.market(d, 2), m.revenue_total, 1e-9 * m.revenue_total);
    EXPECT_NEAR(psa.market(d, 3), m.royalty_npv, 1e-9 * m.royalty_npv);
    EXPECT_NEAR(psa.market(d, 4), m.population_nmb[0], 1e-9 * std::abs(m.population_nmb[0]));
    lowest = std::min(lowest, psa.market(d, 1));
    highest = std::max(highest, psa.market(d, 1));
  }
  EXPECT_LT(lowest, highest);  // the budget impact varies with the sampled cost
  const auto back = hemsim::psa_from_json(hemsim::psa_to_json(psa));
  EXPECT_EQ(back.market_measures, psa.market_measures);
  EXPECT_EQ(back.market(3, 1), psa.market(3, 1));
  EXPECT_NE(hemsim::format_psa_summary(psa).find("budget_impact"), std::string::npos);
}

// The report's market section gives each measure's PSA interval: the percentiles of the draws.
TEST(Market, ReportShowsThePsaIntervalOfEachMeasure) {
  const hemsim::Scenario s = uncertain_market();
  hemsim::PsaOptions options;
  options.draws = 40;
  options.method = Method::cohort;
  hemsim::ReportInputs in;
  in.psa = hemsim::run_psa(s, options);
  hemsim::SimulationOptions sim;
  sim.method = Method::cohort;
  in.run = hemsim::run_scenario(s, sim);
  in.run->market = hemsim::analyse_market(s, *in.run);
  const auto doc = hemsim::build_report(in);
  const auto* table = doc.find_table("market_psa");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), 5U);
  const Eigen::VectorXd bi = in.psa->market.col(1);
  EXPECT_EQ(table->rows[1][0].as_text(), "budget_impact");
  EXPECT_EQ(table->rows[1][2].as_text(), hemsim::ReportCell::number(hemsim::detail::empirical_quantile(bi, 0.025), hemsim::ReportCell::Format::money).as_text());
  EXPECT_EQ(table->rows[1][3].as_text(), hemsim::ReportCell::number(hemsim::detail::empirical_quantile(bi, 0.975), hemsim::ReportCell::Format::money).as_text());
  EXPECT_NE(table->rows[1][2].as_text(), table->rows[1][3].as_text());
}
