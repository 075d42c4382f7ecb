// PSA: sampled parameters follow their distributions; a parameter's draws depend only
// on (seed, draw, name); results are bit-identical for any thread count; the variance
// split recovers known components.

#include "hemsim/psa.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tbb/global_control.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sqlite3.h>
#include <sstream>
#include <unistd.h>
#include <random>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::Scenario intro() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml"); }

// A plain microsimulation at PSA draw `draw`'s sampled values and simulation stream.
hemsim::RunResults run_at_draw(const hemsim::Scenario& s, std::uint64_t seed, std::uint32_t draw, std::uint64_t individuals) {
  hemsim::SimulationOptions sim;
  sim.individuals = individuals;
  sim.seed = seed;
  sim.seed_set = true;
  sim.draw = draw;
  return hemsim::simulate(hemsim::compile_model(s, hemsim::sample_parameters(s, seed, draw)), sim);
}

}  // namespace

TEST(Psa, SampledParametersMatchTheirDistributions) {
  const auto s = intro();
  const int n = 4000;
  const hemsim::ParameterSampler sampler(s);
  double sum_r = 0, sum_sq_r = 0, sum_u = 0, sum_sq_u = 0;
  for (int d = 1; d <= n; ++d) {
    const auto draw = sampler.sample(1, static_cast<std::uint32_t>(d));
    const double r = draw.at("r_HS1"), u = draw.at("u_S1");
    sum_r += r;
    sum_sq_r += r * r;
    sum_u += u;
    sum_sq_u += u * u;
  }
  // r_HS1 ~ gamma(shape 30, rate 200): mean 0.15, sd sqrt(30)/200.
  const double mean_r = sum_r / n, sd_r = std::sqrt(sum_sq_r / n - mean_r * mean_r);
  EXPECT_NEAR(mean_r, 0.15, 4 * (std::sqrt(30.0) / 200) / std::sqrt(n));
  EXPECT_NEAR(sd_r, std::sqrt(30.0) / 200, 0.05 * std::sqrt(30.0) / 200);
  // u_S1 ~ beta(130, 45): mean 130/175.
  const double mean_u = sum_u / n, sd_u = std::sqrt(sum_sq_u / n - mean_u * mean_u);
  const double beta_sd = std::sqrt(130.0 * 45 / (175.0 * 175 * 176));
  EXPECT_NEAR(mean_u, 130.0 / 175, 4 * beta_sd / std::sqrt(n));
  EXPECT_NEAR(sd_u, beta_sd, 0.05 * beta_sd);
  // Derived parameters are not sampled; they follow.
  EXPECT_EQ(hemsim::sample_parameters(s, 1, 1).count("p_HS1"), 0U);
}

TEST(Psa, AddingAParameterDoesNotChangeTheOthersDraws) {
  auto s = intro();
  const auto before = hemsim::sample_parameters(s, 9, 17);
  hemsim::Parameter extra;
  extra.name = "aaa_new";
  extra.value = {"1", {}};
  hemsim::DistributionSpec d;
  d.kind = hemsim::DistributionKind::uniform;
  d.arguments = {{"min", {"0", {}}}, {"max", {"2", {}}}};
  extra.distribution = d;
  s.parameters.insert(s.parameters.begin(), extra);
  const auto after = hemsim::sample_parameters(s, 9, 17);
  for (const auto& [name, value] : before) EXPECT_EQ(after.at(name), value) << name;
  EXPECT_EQ(after.size(), before.size() + 1);
  EXPECT_NE(hemsim::sample_parameters(s, 9, 18).at("r_HS1"), before.at("r_HS1"));
  EXPECT_NE(hemsim::sample_parameters(s, 10, 17).at("r_HS1"), before.at("r_HS1"));
}

TEST(Psa, BitIdenticalForAnyThreadCount) {
  const auto s = intro();
  hemsim::PsaOptions options;
  options.draws = 24;
  options.individuals = 300;
  auto run = [&](std::size_t threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return hemsim::run_psa(s, options);
  };
  // 24 draws: with 1 and 2 threads each draw's microsimulation runs on one thread (at
  // least 4 draws per thread); with 8, draws and individuals are both parallel.
  const auto one = run(1), two = run(2), eight = run(8);
  EXPECT_EQ(one.costs[0], two.costs[0]);
  EXPECT_EQ(one.costs[0], eight.costs[0]);
  EXPECT_EQ(one.effects, two.effects);
  EXPECT_EQ(one.effects_mcse, eight.effects_mcse);
  EXPECT_EQ(one.parameter_values, eight.parameter_values);
}

TEST(Psa, CohortDrawsEqualRunsAtTheSampledValues) {
  const auto s = intro();
  hemsim::PsaOptions options;
  options.draws = 3;
  options.method = hemsim::Method::cohort;
  const auto psa = hemsim::run_psa(s, options);
  for (std::uint32_t d = 1; d <= 3; ++d) {
    hemsim::SimulationOptions cohort;
    cohort.method = hemsim::Method::cohort;
    const auto direct = hemsim::simulate(hemsim::compile_model(s, hemsim::sample_parameters(s, 1, d)), cohort);
    for (std::size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(psa.costs[0](d - 1, static_cast<Eigen::Index>(k)), direct.strategies[k].costs_by_perspective[0].discounted.mean);
      EXPECT_EQ(psa.effects(d - 1, static_cast<Eigen::Index>(k)), direct.strategies[k].qalys.discounted.mean);
    }
  }
}

TEST(Psa, DrawsCompiledInOneWorkspaceEqualFreshCompiles) {
  // A PSA keeps each thread's parsed expressions from draw to draw (CompileWorkspace). On
  // one thread every draw after the first reuses them; on the flagship (strategy
  // overrides, derived formulas, attributes, counters, run-time expressions) each draw
  // must still equal a fresh compile at its sampled values, bit for bit.
  const auto s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/scenarios/bmsc_cipn.yaml");
  tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
  hemsim::PsaOptions options;
  options.draws = 4;
  options.individuals = 150;
  options.seed = 9;
  const auto psa = hemsim::run_psa(s, options);
  for (std::uint32_t d = 1; d <= 4; ++d) {
    const auto direct = run_at_draw(s, 9, d, 150);
    for (std::size_t k = 0; k < direct.strategies.size(); ++k) {
      const auto row = static_cast<Eigen::Index>(d - 1), col = static_cast<Eigen::Index>(k);
      EXPECT_EQ(psa.costs[0](row, col), direct.strategies[k].costs_by_perspective[0].discounted.mean) << d << " " << k;
      EXPECT_EQ(psa.effects(row, col), direct.strategies[k].qalys.discounted.mean) << d << " " << k;
    }
  }
}

TEST(Psa, IncrementErrorsAreThoseOfTheRunAtEachDraw) {
  // Each draw keeps the Monte Carlo error of the paired increments against the reference;
  // a direct run at the draw's sampled values and simulation stream has the same.
  const auto s = intro();
  hemsim::PsaOptions options;
  options.draws = 3;
  options.individuals = 500;
  options.seed = 5;
  const auto psa = hemsim::run_psa(s, options);
  ASSERT_EQ(psa.increment_effects_mcse.rows(), 3);
  for (std::uint32_t d = 1; d <= 3; ++d) {
    const auto direct = run_at_draw(s, 5, d, 500);
    const auto row = static_cast<Eigen::Index>(d - 1);
    EXPECT_EQ(psa.increment_effects_mcse(row, psa.reference), 0.0);
    ASSERT_EQ(direct.increments.size(), psa.strategies.size() - 1);
    for (const auto& inc : direct.increments) {
      const auto k = static_cast<Eigen::Index>(std::find(psa.strategies.begin(), psa.strategies.end(), inc.name) - psa.strategies.begin());
      EXPECT_EQ(psa.increment_effects_mcse(row, k), inc.qalys.discounted.mcse) << inc.name;
      EXPECT_EQ(psa.increment_costs_mcse[0](row, k), inc.costs_by_perspective[0].discounted.mcse) << inc.name;
      EXPECT_GT(psa.increment_effects_mcse(row, k), 0.0) << inc.name;
      // Paired differences are more precise than the difference of two unpaired means.
      EXPECT_LT(psa.increment_effects_mcse(row, k), std::hypot(psa.effects_mcse(row, psa.reference), psa.effects_mcse(row, k))) << inc.name;
    }
  }
  const auto back = hemsim::psa_from_json(hemsim::psa_to_json(psa));
  EXPECT_EQ(back.increment_effects_mcse, psa.increment_effects_mcse);
  EXPECT_EQ(back.increment_costs_mcse[0], psa.increment_costs_mcse[0]);
  EXPECT_NE(hemsim::format_psa_summary(psa).find("increments against"), std::string::npos);
}

TEST(Psa, VarianceDecompositionRecoversKnownComponents) {
  // means = parameter part (sd 2) + noise (sd 1, reported as the MCSE).
  std::mt19937_64 generator(42);
  std::normal_distribution<double> parameter(10.0, 2.0), noise(0.0, 1.0);
  const int n = 20000;
  Eigen::VectorXd means(n), mcse = Eigen::VectorXd::Constant(n, 1.0);
  for (int i = 0; i < n; ++i) means(i) = parameter(generator) + noise(generator);
  const auto v = hemsim::decompose_variance(means, mcse);
  EXPECT_NEAR(v.total, 5.0, 0.15);
  EXPECT_DOUBLE_EQ(v.monte_carlo, 1.0);
  EXPECT_NEAR(v.parameter, 4.0, 0.15);
  EXPECT_NEAR(v.monte_carlo_share, 0.2, 0.01);
}

TEST(Psa, PriceForAProbabilityOfBeingCostEffectiveHoldsWhenReRun) {
  auto s = intro();
  s.strategies.erase(s.strategies.begin() + 3);  // drop AB, so c_trtB is B's own price
  hemsim::PsaOptions options;
  options.draws = 200;
  options.method = hemsim::Method::cohort;
  const auto levels = hemsim::probabilistic_value_based_price(s, options, 2, "c_trtB", {100000}, {0.5, 0.8});
  ASSERT_EQ(levels.size(), 1U);
  ASSERT_EQ(levels[0].prices.size(), 2U);
  EXPECT_GT(levels[0].prices[0], levels[0].prices[1]);  // a higher confidence needs a lower price
  for (std::size_t i = 0; i < 2; ++i) {
    const double q = levels[0].probabilities[i], price = levels[0].prices[i];
    auto probability_at = [&](double x) {
      hemsim::PsaOptions fixed = options;
      fixed.fixed["c_trtB"] = x;
      const auto psa = hemsim::run_psa(s, fixed);
      return hemsim::acceptability_curves(psa.costs[0], psa.effects, {100000})(0, 2);
    };
    EXPECT_GE(probability_at(price * (1 - 1e-7)), q);
    EXPECT_LT(probability_at(price * (1 + 1e-7)), q);
  }
}

namespace {

const char* kCorrelated = R"y(
schema_version: 1
name: correlated
settings: {horizon: {cycles: 2}}
parameters:
  a: {value: 10, distribution: {type: normal, mean: 10, sd: 2}}
  b: {value: 5, distribution: {type: gamma, mean: 5, se: 1}}
  c: {value: 0.5, distribution: {type: beta, mean: 0.5, se: 0.1}}
  mild: 0.2
  moderate: 0.55
  severe: 0.25
correlations:
  - {parameters: [a, b], rho: 0.6}
  - {parameters: [a, c], rho: -0.3}
dirichlet:
  - {parameters: [mild, moderate, severe], alpha: [20, 55, 25]}
states: {A: {}}
initial: {A: 1}
transitions: {A: {A: complement}}
strategies: {only: {}}
)y";

}  // namespace

TEST(Psa, GaussianCopulaGivesTheRequestedCorrelationsAndKeepsMarginals) {
  const auto s = hemsim::parse_scenario(kCorrelated, "correlated.yaml");
  const hemsim::ParameterSampler sampler(s);
  const int n = 20000;
  Eigen::MatrixXd x(n, 3);
  for (int d = 0; d < n; ++d) {
    const auto v = sampler.sample(5, static_cast<std::uint32_t>(d + 1));
    x(d, 0) = v.at("a");
    x(d, 1) = v.at("b");
    x(d, 2) = v.at("c");
  }
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd centred = x.rowwise() - mean;
  const Eigen::MatrixXd covariance = centred.transpose() * centred / (n - 1);
  auto correlation = [&](int i, int j) { return covariance(i, j) / std::sqrt(covariance(i, i) * covariance(j, j)); };
  // a is normal, so its linear correlation with the normal scores is the copula's; the
  // gamma and beta margins bend it only slightly.
  EXPECT_NEAR(correlation(0, 1), 0.6, 0.03);
  EXPECT_NEAR(correlation(0, 2), -0.3, 0.03);
  EXPECT_NEAR(correlation(1, 2), 0.0, 0.03);  // pairs not listed are uncorrelated
  EXPECT_NEAR(mean(0), 10, 4 * 2 / std::sqrt(n));
  EXPECT_NEAR(mean(1), 5, 4 * 1 / std::sqrt(n));
  EXPECT_NEAR(std::sqrt(covariance(1, 1)), 1.0, 0.03);
  EXPECT_NEAR(mean(2), 0.5, 4 * 0.1 / std::sqrt(n));
}

TEST(Psa, DirichletGroupsSumToOneWithTheRightMeans) {
  const auto s = hemsim::parse_scenario(kCorrelated, "correlated.yaml");
  const hemsim::ParameterSampler sampler(s);
  const int n = 10000;
  double sum_mild = 0, sum_severe = 0;
  for (int d = 0; d < n; ++d) {
    const auto v = sampler.sample(3, static_cast<std::uint32_t>(d + 1));
    EXPECT_NEAR(v.at("mild") + v.at("moderate") + v.at("severe"), 1.0, 1e-12);
    sum_mild += v.at("mild");
    sum_severe += v.at("severe");
  }
  // Dirichlet(20, 55, 25): means 0.2 and 0.25, sd of mild sqrt(0.2 x 0.8 / 101).
  EXPECT_NEAR(sum_mild / n, 0.2, 4 * std::sqrt(0.2 * 0.8 / 101) / std::sqrt(n));
  EXPECT_NEAR(sum_severe / n, 0.25, 4 * std::sqrt(0.25 * 0.75 / 101) / std::sqrt(n));
}

TEST(Psa, ImpossibleCorrelationsAndDoubleDistributionsAreErrors) {
  std::string bad = kCorrelated;
  bad.replace(bad.find("rho: -0.3"), 9, "rho: -0.9");
  bad.replace(bad.find("dirichlet:"), 0, "");
  auto with_bc = bad;
  with_bc.replace(with_bc.find("dirichlet:"), 0, "  - {parameters: [b, c], rho: 0.9}\n");
  EXPECT_THROW(hemsim::ParameterSampler(hemsim::parse_scenario(with_bc, "bad.yaml")), hemsim::ScenarioError);
  std::string twice = kCorrelated;
  twice.replace(twice.find("mild: 0.2"), 9, "mild: {value: 0.2, distribution: {type: beta, mean: 0.2, se: 0.05}}");
  EXPECT_THROW((void)hemsim::parse_scenario(twice, "twice.yaml"), hemsim::ScenarioError);
}

TEST(Psa, InterruptedRunResumesFromItsCheckpointWithIdenticalResults) {
  const auto s = intro();
  const std::string file = (std::filesystem::temp_directory_path() / ("hemsim_checkpoint_" + std::to_string(::getpid()) + ".sqlite")).string();
  std::filesystem::remove(file);
  hemsim::PsaOptions options;
  options.draws = 40;
  options.individuals = 200;
  const auto uninterrupted = hemsim::run_psa(s, options);

  options.checkpoint = file;
  options.checkpoint_key = "intro, seed 1, 200 individuals";
  std::atomic<int> started{0};
  options.cancelled = [&] { return ++started > 150; };  // about 14 polls per draw (one per block of 16): stops part-way
  EXPECT_THROW((void)hemsim::run_psa(s, options), hemsim::Cancelled);
  options.cancelled = nullptr;
  std::atomic<double> first_progress{2.0};
  options.progress = [&](double fraction) {
    double expected = 2.0;
    first_progress.compare_exchange_strong(expected, fraction);
  };
  const auto resumed = hemsim::run_psa(s, options);
  // Progress counts the saved draws: the first report is already past them.
  EXPECT_GT(first_progress.load(), 5.0 / 40);
  EXPECT_LT(first_progress.load(), 1.0);
  EXPECT_EQ(resumed.costs[0], uninterrupted.costs[0]);
  EXPECT_EQ(resumed.effects, uninterrupted.effects);
  EXPECT_EQ(resumed.effects_mcse, uninterrupted.effects_mcse);
  EXPECT_EQ(resumed.parameter_values, uninterrupted.parameter_values);
  EXPECT_EQ(resumed.life_years_undiscounted, uninterrupted.life_years_undiscounted);
  // A checkpoint of another run is refused.
  options.checkpoint_key = "another run";
  EXPECT_THROW((void)hemsim::run_psa(s, options), hemsim::ScenarioError);
  std::filesystem::remove(file);
  std::filesystem::remove(file + "-wal");
  std::filesystem::remove(file + "-shm");
}

namespace {

// A copy of a scenario that reads a table (the life table), in a scratch directory whose
// files a test may edit.
struct ScenarioWithTable {
  std::filesystem::path root, scenario, table;
  explicit ScenarioWithTable(const std::string& tag) {
    root = std::filesystem::temp_directory_path() / ("hemsim_psa_inputs_" + tag + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root);
    std::filesystem::create_directories(root / "validation");
    std::filesystem::create_directories(root / "data");
    scenario = root / "validation" / "general_features.yaml";
    table = root / "data" / "us_life_table_2019.csv";
    std::filesystem::copy_file(HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml", scenario);
    std::filesystem::copy_file(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv", table);
  }
  ~ScenarioWithTable() { std::filesystem::remove_all(root); }
};

hemsim::PsaOptions small_cohort_psa(const std::string& checkpoint) {
  hemsim::PsaOptions options;
  options.draws = 4;
  options.method = hemsim::Method::cohort;
  options.checkpoint = checkpoint;
  options.checkpoint_key = "cohort";
  return options;
}

}  // namespace

TEST(Psa, CheckpointRefusesToResumeAfterATableFileChanged) {
  ScenarioWithTable copy("table_changed");
  const std::string checkpoint = (copy.root / "checkpoint.sqlite").string();
  const auto before = hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), small_cohort_psa(checkpoint));

  // The same scenario text, reading a life table whose values changed: extending the run
  // would mix draws of the two tables, so it is refused, naming the table file.
  std::string csv;
  {
    std::ifstream in(copy.table);
    std::stringstream s;
    s << in.rdbuf();
    csv = s.str();
  }
  const auto row = csv.find("\n40,") + 4;  // the row of the population's entry age
  csv.replace(row, csv.find(',', row) - row, "0.5");   // qx_male
  std::ofstream(copy.table, std::ios::binary | std::ios::trunc) << csv;

  auto extended = small_cohort_psa(checkpoint);
  extended.draws = 8;
  try {
    (void)hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), extended);
    FAIL() << "a changed table file was accepted";
  } catch (const hemsim::ScenarioError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("the file '" + copy.table.string() + "' (table 'lt') has changed"), std::string::npos) << message;
  }

  // Restoring the file makes the checkpoint usable again, with the same draws.
  std::filesystem::copy_file(HEMSIM_SOURCE_DIR "/scenarios/data/us_life_table_2019.csv", copy.table,
                             std::filesystem::copy_options::overwrite_existing);
  const auto resumed = hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), small_cohort_psa(checkpoint));
  EXPECT_EQ(resumed.costs[0], before.costs[0]);
  EXPECT_EQ(resumed.effects, before.effects);
}

TEST(Psa, CheckpointRefusesToResumeAfterTheScenarioTextChanged) {
  ScenarioWithTable copy("text_changed");
  const std::string checkpoint = (copy.root / "checkpoint.sqlite").string();
  (void)hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), small_cohort_psa(checkpoint));
  std::ofstream(copy.scenario, std::ios::app) << "# edited\n";
  try {
    (void)hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), small_cohort_psa(checkpoint));
    FAIL() << "a changed scenario file was accepted";
  } catch (const hemsim::ScenarioError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("the file '" + copy.scenario.string() + "' (scenario) has changed"), std::string::npos) << message;
  }
}

TEST(Psa, CheckpointRefusesAnotherProgramsSqliteFile) {
  ScenarioWithTable copy("foreign");
  const std::string file = (copy.root / "other.sqlite").string();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE patients (id INTEGER, name TEXT); INSERT INTO patients VALUES (1, 'x');", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  const auto size_before = std::filesystem::file_size(file);
  try {
    (void)hemsim::run_psa(hemsim::load_scenario(copy.scenario.string()), small_cohort_psa(file));
    FAIL() << "another program's SQLite file was adopted as a checkpoint";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("not a hemsim PSA checkpoint"), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::filesystem::file_size(file), size_before);  // left as it was
  EXPECT_FALSE(std::filesystem::exists(file + "-wal"));
}

TEST(Psa, NoiseSharesOfIncrementsAreSavedAndEqualAHandComputation) {
  const auto s = intro();
  hemsim::PsaOptions options;
  options.draws = 30;
  options.individuals = 300;
  const auto psa = hemsim::run_psa(s, options);
  const auto noise = hemsim::noise_shares(psa);
  ASSERT_EQ(noise.increments.size(), psa.strategies.size() - 1);
  // By hand: mean squared MCSE of the paired increments over the sample variance of the
  // increments across draws.
  const auto ref = static_cast<Eigen::Index>(psa.reference);
  std::size_t row = 0;
  for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(psa.strategies.size()); ++k) {
    if (k == ref) continue;
    const Eigen::VectorXd d = psa.effects.col(k) - psa.effects.col(ref);
    const double variance = (d.array() - d.mean()).square().sum() / static_cast<double>(d.size() - 1);
    const double noise_variance = psa.increment_effects_mcse.col(k).array().square().mean();
    EXPECT_NEAR(noise.increments[row].effects, std::min(1.0, noise_variance / variance), 1e-12);
    EXPECT_EQ(noise.increments[row].strategy, psa.strategies[static_cast<std::size_t>(k)]);
    ++row;
  }
  // Saved in psa.json with the warnings.
  const auto json = nlohmann::json::parse(hemsim::psa_to_json(psa));
  ASSERT_TRUE(json.contains("noise"));
  EXPECT_EQ(json["noise"]["increments"].size(), noise.increments.size());
  EXPECT_DOUBLE_EQ(json["noise"]["increments"][0]["effects"].get<double>(), noise.increments[0].effects);
  EXPECT_EQ(json["noise"]["warnings"].size(), noise.warnings.size());
}
