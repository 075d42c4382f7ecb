// Deterministic sensitivity analysis and pricing, checked against direct runs and
// against each other: the threshold found by bisection equals the value-based price
// found from the linearity of costs in price.

#include "hemsim/dsa.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <sstream>
#include <unistd.h>
#include <fmt/format.h>
#include <tuple>
#include <vector>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::Scenario intro() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"); }
hemsim::Scenario general() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml"); }

hemsim::DsaOptions cohort_options(int strategy, double wtp) {
  hemsim::DsaOptions o;
  o.simulation.method = hemsim::Method::cohort;
  o.strategy = strategy;
  o.willingness_to_pay = wtp;
  return o;
}

double cost_of(const hemsim::Scenario& s, const hemsim::ParameterOverrides& overrides, int k) {
  hemsim::SimulationOptions cohort;
  cohort.method = hemsim::Method::cohort;
  return hemsim::simulate(hemsim::compile_model(s, overrides), cohort).strategies[static_cast<std::size_t>(k)].costs_by_perspective[0].discounted.mean;
}

}  // namespace

TEST(Dsa, OneWayEndsEqualDirectRunsAndAreOrderedBySwing) {
  const auto s = intro();
  const auto a = hemsim::one_way_sensitivity(s, cohort_options(2, 100000));  // B vs SoC
  EXPECT_NEAR(a.base.icer, 72987.636067, 1e-5);
  ASSERT_EQ(a.parameters.size(), 16U);
  for (std::size_t i = 1; i < a.parameters.size(); ++i) EXPECT_GE(a.parameters[i - 1].net_benefit_swing, a.parameters[i].net_benefit_swing);
  const auto& top = a.parameters.front();
  EXPECT_EQ(top.parameter, "hr_S1S2_trtB");
  EXPECT_EQ(top.low_value, 0.4);
  EXPECT_EQ(top.high_value, 0.8);
  EXPECT_EQ(top.low.costs[2], cost_of(s, {{"hr_S1S2_trtB", 0.4}}, 2));
  EXPECT_EQ(top.high.costs[0], cost_of(s, {{"hr_S1S2_trtB", 0.8}}, 0));
  EXPECT_NEAR(top.low.incremental_net_benefit, 100000 * top.low.incremental_effect - top.low.incremental_cost, 1e-6);
  // A parameter only strategy A uses cannot move B vs SoC.
  const auto only_a = std::find_if(a.parameters.begin(), a.parameters.end(), [](const auto& r) { return r.parameter == "c_trtA"; });
  ASSERT_NE(only_a, a.parameters.end());
  EXPECT_EQ(only_a->net_benefit_swing, 0.0);
}

TEST(Dsa, ScenarioVariantsReproduceTheBaseCaseWhenUnchanged) {
  const auto s = intro();
  const auto options = cohort_options(2, 100000);
  const auto variants = hemsim::scenario_analysis(s, options, {hemsim::horizon_variants({75})[0], hemsim::discount_variants({0.03})[0],
                                                               hemsim::horizon_variants({5})[0]});
  const auto base = hemsim::evaluate(s, {}, options);
  EXPECT_EQ(variants[0].evaluation.icer, base.icer);
  EXPECT_EQ(variants[1].evaluation.icer, base.icer);
  EXPECT_LT(variants[2].evaluation.incremental_effect, base.incremental_effect);  // a 5-year horizon captures less benefit
  EXPECT_EQ(variants[2].name, "horizon 5 years");
}

TEST(Dsa, TwoWayCornersMatchDirectEvaluations) {
  const auto s = intro();
  const auto options = cohort_options(2, 100000);
  const auto grid = hemsim::two_way_sensitivity(s, options, "c_trtB", "hr_S1S2_trtB", 3);
  ASSERT_EQ(grid.values_a.size(), 3U);
  EXPECT_EQ(grid.values_a[1], 13000);
  const auto corner = hemsim::evaluate(s, {{"c_trtB", 16000}, {"hr_S1S2_trtB", 0.4}}, options);
  EXPECT_EQ(grid.incremental_net_benefit[2][0], corner.incremental_net_benefit);
  EXPECT_EQ(grid.optimal_strategy[2][0], corner.optimal_strategy);
}

TEST(Dsa, ValueBasedPriceGivesTheThresholdIcerAndMatchesThresholdAnalysis) {
  const auto s = general();
  for (hemsim::Method method : {hemsim::Method::cohort, hemsim::Method::microsimulation}) {
    auto options = cohort_options(1, 50000);
    options.simulation.method = method;
    options.simulation.individuals = 4000;
    const auto prices = hemsim::value_based_price(s, options, "c_drug", {20000, 50000, 100000});
    ASSERT_EQ(prices.size(), 3U);
    for (const auto& p : prices) EXPECT_NEAR(p.check_icer, p.willingness_to_pay, 1e-6 * p.willingness_to_pay);
    EXPECT_LT(prices[0].price, prices[1].price);
    EXPECT_LT(prices[1].price, prices[2].price);
    // Independently: bisection on the price where the optimal strategy changes at 50,000.
    const auto t = hemsim::threshold_analysis(s, options, "c_drug", 0, 5000, 10, 1e-9);
    ASSERT_TRUE(t.threshold.has_value());
    EXPECT_EQ(t.optimal_below, 1);
    EXPECT_EQ(t.optimal_above, 0);
    EXPECT_NEAR(*t.threshold, prices[1].price, 1e-4);
  }
}

TEST(Dsa, RejectsPriceParametersThatAreNotTheStrategysOwn) {
  const auto s = intro();
  EXPECT_THROW((void)hemsim::value_based_price(s, cohort_options(2, 100000), "c_trtB", {100000}), hemsim::ScenarioError);  // AB too
  EXPECT_THROW((void)hemsim::value_based_price(s, cohort_options(2, 100000), "p_S1S2", {100000}), hemsim::ScenarioError);  // derived
}

// Monte Carlo error of every DSA and pricing output.
namespace {

hemsim::Scenario sick_sicker_microsim() {
  return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml");
}

// Gives `name` the DSA range [low, high] and takes every other parameter's away.
void only_range(hemsim::Scenario& s, const std::vector<std::tuple<std::string, double, double>>& ranges) {
  for (auto& p : s.parameters) p.has_range = false;
  for (const auto& [name, low, high] : ranges) {
    auto it = std::find_if(s.parameters.begin(), s.parameters.end(), [&](const hemsim::Parameter& p) { return p.name == name; });
    ASSERT_NE(it, s.parameters.end()) << name;
    it->has_range = true;
    it->range_low.text = fmt::format("{}", low);
    it->range_high.text = fmt::format("{}", high);
  }
}

hemsim::DsaOptions microsim_options(int strategy, int comparator, double wtp, std::uint64_t individuals, std::uint64_t seed = 1) {
  hemsim::DsaOptions o;
  o.strategy = strategy;
  o.comparator = comparator;
  o.willingness_to_pay = wtp;
  o.simulation.individuals = individuals;
  o.simulation.seed = seed;
  o.simulation.seed_set = true;
  return o;
}

}  // namespace

TEST(DsaMonteCarloError, TornadoEndsHaveTheErrorOfTheirPerIndividualDifferenceFromTheBase) {
  // The treatment cost changes no path, so each individual's INMB at c_Trt = 10,000 is
  // theirs at the base 12,000 plus 2,000 / 12,000 of their treatment cost: the low end's
  // change from the base has the mean and the standard error of a sixth of the treatment
  // cost category (reported by the run from individuals, an estimator independent of the
  // batches the pairing uses), the high end's minus that, the swing a third.
  auto s = sick_sicker_microsim();
  only_range(s, {{"c_Trt", 10000.0, 14000.0}});
  const auto options = microsim_options(1, 0, 100000, 20000);
  const auto a = hemsim::one_way_sensitivity(s, options);
  ASSERT_EQ(a.parameters.size(), 1U);
  const auto& row = a.parameters.front();
  const hemsim::RunResults base = hemsim::simulate(hemsim::compile_model(s), options.simulation);
  std::size_t treatment = 0;
  while (base.cost_categories.at(treatment) != "treatment") ++treatment;
  const auto& cost = base.strategies[1].costs_by_category[treatment].discounted;
  EXPECT_NEAR(row.low.incremental_net_benefit - a.base.incremental_net_benefit, cost.mean / 6, 1e-9 * cost.mean);
  EXPECT_NEAR(row.net_benefit_swing, cost.mean / 3, 1e-9 * cost.mean);
  // Batch and per-individual estimators of one standard error: agree to their sampling
  // error (about 8 % relative with 79 batches; 25 % is three of those).
  EXPECT_NEAR(row.low_change_mcse, cost.mcse / 6, 0.25 * cost.mcse / 6);
  EXPECT_NEAR(row.high_change_mcse, cost.mcse / 6, 0.25 * cost.mcse / 6);
  EXPECT_NEAR(row.swing_mcse, cost.mcse / 3, 0.25 * cost.mcse / 3);
  // The same batch quantity scaled: exactly proportional.
  EXPECT_NEAR(row.high_change_mcse, row.low_change_mcse, 1e-9 * row.low_change_mcse);
  EXPECT_NEAR(row.swing_mcse, 2 * row.low_change_mcse, 1e-9 * row.swing_mcse);
  // Unpaired, the swing's error would be that of two independent INMBs: over 4 times larger here.
  EXPECT_LT(3 * row.swing_mcse, std::hypot(row.low.incremental_net_benefit_mcse, row.high.incremental_net_benefit_mcse));
  EXPECT_FALSE(row.within_noise);  // a sixth of the treatment cost is many MCSEs
  // Each evaluation's own INMB error, paired within the run, agrees with the per-individual one.
  EXPECT_GT(a.base.incremental_net_benefit_mcse, 0.0);
  EXPECT_NEAR(a.base.incremental_cost_mcse, base.increments.at(0).costs_by_perspective.at(0).discounted.mcse,
              0.25 * base.increments.at(0).costs_by_perspective.at(0).discounted.mcse);
  EXPECT_NEAR(a.base.incremental_effect_mcse, base.increments.at(0).qalys.discounted.mcse, 0.25 * base.increments.at(0).qalys.discounted.mcse);
}

TEST(DsaMonteCarloError, AParameterWithNoEffectHasZeroSwingAndErrorAndIsWithinNoise) {
  // Strategy A's drug cost cannot move B against standard of care: both ends reproduce
  // the base run bit for bit, so the paired differences are exactly 0.
  auto s = intro();
  only_range(s, {{"c_trtA", 6000.0, 18000.0}, {"hr_S1S2_trtB", 0.4, 0.8}});
  const auto a = hemsim::one_way_sensitivity(s, microsim_options(2, 0, 100000, 2000));
  ASSERT_EQ(a.parameters.size(), 2U);
  const auto& none = a.parameters.back();
  ASSERT_EQ(none.parameter, "c_trtA");
  EXPECT_EQ(none.net_benefit_swing, 0.0);
  EXPECT_EQ(none.swing_mcse, 0.0);
  EXPECT_EQ(none.low_change_mcse, 0.0);
  EXPECT_EQ(none.high_change_mcse, 0.0);
  EXPECT_TRUE(none.within_noise);
  EXPECT_TRUE(none.low_within_noise);
  EXPECT_TRUE(none.high_within_noise);
  const auto& real = a.parameters.front();
  EXPECT_GT(real.swing_mcse, 0.0);
  EXPECT_FALSE(real.within_noise);
  EXPECT_EQ(real.within_noise, !(real.net_benefit_swing > 2 * real.swing_mcse));
}

TEST(DsaMonteCarloError, CohortRunsHaveNoMonteCarloError) {
  const auto s = intro();
  const auto options = cohort_options(2, 100000);
  const auto a = hemsim::one_way_sensitivity(s, options);
  EXPECT_EQ(a.base.incremental_cost_mcse, 0.0);
  EXPECT_EQ(a.base.incremental_effect_mcse, 0.0);
  EXPECT_EQ(a.base.incremental_net_benefit_mcse, 0.0);
  for (const auto& row : a.parameters) {
    EXPECT_EQ(row.low_change_mcse, 0.0);
    EXPECT_EQ(row.high_change_mcse, 0.0);
    EXPECT_EQ(row.swing_mcse, 0.0);
    EXPECT_EQ(row.within_noise, row.net_benefit_swing == 0.0) << row.parameter;
  }
  const auto variants = hemsim::scenario_analysis(s, options, hemsim::horizon_variants({5}));
  EXPECT_EQ(variants[0].net_benefit_change_mcse, 0.0);
  EXPECT_EQ(variants[0].net_benefit_change, variants[0].evaluation.incremental_net_benefit - a.base.incremental_net_benefit);
  const auto grid = hemsim::two_way_sensitivity(s, options, "c_trtB", "hr_S1S2_trtB", 2);
  ASSERT_EQ(grid.incremental_net_benefit_mcse.size(), 2U);
  EXPECT_EQ(grid.incremental_net_benefit_mcse[1][1], 0.0);
  const auto t = hemsim::threshold_analysis(general(), cohort_options(1, 50000), "c_drug", 0, 5000, 10, 1e-9);
  ASSERT_TRUE(t.threshold.has_value());
  EXPECT_EQ(t.threshold_mcse, 0.0);
  for (const auto& p : hemsim::value_based_price(general(), cohort_options(1, 50000), "c_drug", {20000, 50000})) {
    EXPECT_EQ(p.price_mcse, 0.0);
    EXPECT_EQ(p.check_icer_mcse, 0.0);
    EXPECT_EQ(p.price_low95(), p.price);
  }
}

TEST(DsaMonteCarloError, ScenarioVariantsArePairedWithTheBaseCase) {
  // A horizon as long as the model's reproduces the base run: change exactly 0, error 0.
  const auto s = sick_sicker_microsim();
  const auto options = microsim_options(1, 0, 100000, 4000);
  const auto variants = hemsim::scenario_analysis(s, options, {hemsim::horizon_variants({30})[0], hemsim::horizon_variants({5})[0]});
  const auto base = hemsim::evaluate(s, {}, options);
  EXPECT_EQ(variants[0].net_benefit_change, 0.0);
  EXPECT_EQ(variants[0].net_benefit_change_mcse, 0.0);
  EXPECT_EQ(variants[0].evaluation.incremental_net_benefit_mcse, base.incremental_net_benefit_mcse);
  EXPECT_GT(variants[1].net_benefit_change_mcse, 0.0);
  EXPECT_NEAR(variants[1].net_benefit_change, variants[1].evaluation.incremental_net_benefit - base.incremental_net_benefit, 1e-6);
}

TEST(DsaMonteCarloError, PriceErrorMatchesTheSpreadAcrossSeedsAndShrinksWithTheSample) {
  // Independent oracle: the standard deviation of the price over 30 seeds at 2,000
  // individuals. The reported MCSE (its mean over the seeds) must match it to the
  // sampling error of a 30-seed standard deviation (about 13 %).
  const auto s = sick_sicker_microsim();
  std::vector<double> prices, errors;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const auto p = hemsim::value_based_price(s, microsim_options(1, 0, 100000, 2000, seed), "c_Trt", {100000}).at(0);
    prices.push_back(p.price);
    errors.push_back(p.price_mcse);
  }
  double mean = 0, squares = 0, reported = 0;
  for (double p : prices) mean += p / 30;
  for (double p : prices) squares += (p - mean) * (p - mean);
  for (double e : errors) reported += e / 30;
  const double spread = std::sqrt(squares / 29);
  EXPECT_GT(reported, 0.6 * spread);
  EXPECT_LT(reported, 1.5 * spread);
  // Ten times the individuals: about sqrt(10) times less error, and the two prices agree
  // within their 95 % intervals.
  const auto small = hemsim::value_based_price(s, microsim_options(1, 0, 100000, 2000), "c_Trt", {100000}).at(0);
  const auto large = hemsim::value_based_price(s, microsim_options(1, 0, 100000, 20000), "c_Trt", {100000}).at(0);
  EXPECT_GT(small.price_mcse / large.price_mcse, 0.6 * std::sqrt(10.0));
  EXPECT_LT(small.price_mcse / large.price_mcse, 1.6 * std::sqrt(10.0));
  EXPECT_LT(small.price_low95(), large.price_high95());
  EXPECT_GT(small.price_high95(), large.price_low95());
  EXPECT_GT(large.check_icer_mcse, 0.0);
  EXPECT_NEAR(large.check_icer, 100000, 1e-6 * 100000);
}

TEST(DsaMonteCarloError, ThresholdErrorEqualsThePriceErrorForAPriceParameter) {
  // The threshold of a price at which the optimal strategy changes is the value-based
  // price; its delta-method MCSE (noise of the tie over the slope) and the price's
  // (linearised ratio at the base price) are two routes to one number, since costs are
  // linear in price for every individual.
  const auto s = sick_sicker_microsim();
  const auto options = microsim_options(1, 0, 100000, 4000);
  const auto price = hemsim::value_based_price(s, options, "c_Trt", {100000}).at(0);
  const auto t = hemsim::threshold_analysis(s, options, "c_Trt", 0, 2 * price.price, 10, 1e-9);
  ASSERT_TRUE(t.threshold.has_value());
  EXPECT_NEAR(*t.threshold, price.price, 1e-6 * price.price);
  EXPECT_GT(t.threshold_mcse, 0.0);
  EXPECT_NEAR(t.threshold_mcse, price.price_mcse, 1e-3 * price.price_mcse);
}

TEST(DsaMonteCarloError, AFreeTreatmentPriceAtAZeroThresholdHasNoErrorAndIsNotReRunBelowZero) {
  // At a threshold of 0 the price makes the treatment cost no more than no treatment; in
  // Sick-Sicker its only extra cost is the price itself, so the price is 0 for every
  // individual sample: the delta-method residual (N_b - (N / S) S_b) is 0 in every batch.
  // Rounding can put it a hair below 0, which must not fail the check run.
  const auto s = sick_sicker_microsim();
  const auto prices = hemsim::value_based_price(s, microsim_options(1, 0, 100000, 4000), "c_Trt", {0, 100000});
  EXPECT_NEAR(prices[0].price, 0.0, 1e-6);
  EXPECT_LT(prices[0].price_mcse, 1e-6);
  EXPECT_GT(prices[1].price_mcse, 1.0);
}

TEST(DsaMonteCarloError, PriceCommandTakesASeedForIndependentReplicates) {
  // `--seed` gives every run of the analysis that seed: the price and its MCSE are those
  // of the library at that seed (and differ from the scenario's seed).
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() / ("hemsim_dsa_seed_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const std::string command = std::string(HEMSIM_CLI_PATH) + " price " HEMSIM_SOURCE_DIR
                              "/scenarios/validation/sick_sicker_microsim.yaml --parameter c_Trt -n 2000 --wtp 100000 --seed 7 -q --out " +
                              out.string();
  ASSERT_EQ(std::system(command.c_str()), 0);
  std::ifstream in(out / "value_based_price.csv");
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  const auto expected = hemsim::value_based_price(sick_sicker_microsim(), microsim_options(1, 0, 100000, 2000, 7), "c_Trt", {100000}).at(0);
  const auto other = hemsim::value_based_price(sick_sicker_microsim(), microsim_options(1, 0, 100000, 2000, 1), "c_Trt", {100000}).at(0);
  EXPECT_EQ(line.rfind(fmt::format("100000,{},no_treatment,", expected.price), 0), 0U) << line;
  EXPECT_NE(line.find(fmt::format(",{},", expected.price_mcse)), std::string::npos) << line;
  EXPECT_NE(expected.price, other.price);
  fs::remove_all(out);
}

namespace {

TEST(PriceCli, PerspectiveChoosesWhoseCostsThePriceBalances) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("hemsim_perspective_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto price = [&](const std::string& extra, const std::string& name) {
    const std::string command = std::string(HEMSIM_CLI_PATH) + " price " HEMSIM_SOURCE_DIR
                                "/scenarios/bmsc_cipn.yaml --parameter bmsc_price -n 500 --wtp 100000 -q " + extra + " -o " + (dir / name).string() +
                                " > /dev/null 2>&1";
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  ASSERT_EQ(price("", "default"), 0);
  ASSERT_EQ(price("--perspective health_care", "health_care"), 0);
  ASSERT_EQ(price("--perspective societal", "societal"), 0);
  EXPECT_EQ(price("--perspective payer", "none"), 2);
  auto read_price = [&](const std::string& name) {
    std::ifstream in(dir / name / "dsa.json");
    const auto j = nlohmann::json::parse(in);
    return std::pair{j.at("perspective").get<std::string>(), j.at("prices").at(0).at("price").get<double>()};
  };
  EXPECT_EQ(read_price("default"), read_price("health_care"));  // the first perspective is the default
  EXPECT_EQ(read_price("societal").first, "societal");
  // Responders work more: counting productivity, the cells are worth more.
  EXPECT_GT(read_price("societal").second, read_price("health_care").second);
  fs::remove_all(dir);
}

}  // namespace
