// Named variants (`scenarios:`), --set overrides and strategy subsets: each must give
// exactly what editing the file by hand gives, and a side-by-side comparison must pair
// its runs.

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "hemsim/hemsim.hpp"
#include "io/psa_checkpoint.hpp"

namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const std::string kCohortFile = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml";
const std::string kMicroFile = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml";

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

hemsim::RunResults cohort(const std::string& text, const hemsim::ScenarioChoices& choices = {}) {
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  return hemsim::run_scenario(hemsim::parse_scenario(text, kCohortFile, choices), options);
}

void expect_same_outcomes(const hemsim::RunResults& a, const hemsim::RunResults& b) {
  ASSERT_EQ(a.strategies.size(), b.strategies.size());
  for (std::size_t k = 0; k < a.strategies.size(); ++k) {
    SCOPED_TRACE(a.strategies[k].name);
    EXPECT_EQ(a.strategies[k].name, b.strategies[k].name);
    EXPECT_EQ(a.strategies[k].costs_by_perspective[0].discounted.mean, b.strategies[k].costs_by_perspective[0].discounted.mean);
    EXPECT_EQ(a.strategies[k].qalys.discounted.mean, b.strategies[k].qalys.discounted.mean);
    EXPECT_EQ(a.strategies[k].life_years.discounted.mean, b.strategies[k].life_years.discounted.mean);
  }
}

const std::string kVariants = R"yaml(
scenarios:
  cheap_a:
    label: "Strategy A at half price"
    rationale: "A price cut under negotiation"
    parameters: {c_trtA: 6000}
  deadlier_s2:
    label: "Sicker state twice as deadly"
    transitions: {S2: {D: "1 - exp(-2 * hr_S2 * r_HD)"}}
  start_sick:
    initial: {S1: 1}
  short:
    settings: {horizon: {cycles: 20}}
  two_arms:
    strategies: [B]
)yaml";

TEST(ScenarioVariants, ParameterVariantEqualsTheEditedFile) {
  const std::string base = read(kCohortFile);
  const auto edited = cohort(replace_once(base, "c_trtA: {value: 12000,", "c_trtA: {value: 6000,"));
  expect_same_outcomes(cohort(base + kVariants, {"cheap_a", {}, {}}), edited);
  expect_same_outcomes(cohort(base, {"", {{"c_trtA", "6000"}}, {}}), edited);
  // And the change is real: A costs less than in the base case.
  EXPECT_LT(edited.strategies[1].costs_by_perspective[0].discounted.mean,
            cohort(base).strategies[1].costs_by_perspective[0].discounted.mean - 1000);
}

TEST(ScenarioVariants, TransitionInitialAndSettingsVariantsEqualTheEditedFile) {
  const std::string base = read(kCohortFile);
  expect_same_outcomes(
      cohort(base + kVariants, {"deadlier_s2", {}, {}}),
      cohort(replace_once(base, "S2: {D: p_S2D, S2: complement}", "S2: {D: \"1 - exp(-2 * hr_S2 * r_HD)\", S2: complement}")));
  expect_same_outcomes(cohort(base + kVariants, {"start_sick", {}, {}}), cohort(replace_once(base, "initial: {H: 1}", "initial: {S1: 1}")));
  const auto short_run = cohort(base + kVariants, {"short", {}, {}});
  EXPECT_EQ(short_run.cycles, 20);
  expect_same_outcomes(short_run, cohort(replace_once(base, "horizon: {cycles: 75}", "horizon: {cycles: 20}")));
}

TEST(ScenarioVariants, FormulaOverrideGivesTheTreatedProgression) {
  // With B's lower progression, standard of care's QALYs are B's (B changes no utility).
  const auto set = cohort(read(kCohortFile), {"", {{"p_progress", "p_S1S2_trtB"}}, {}});
  EXPECT_DOUBLE_EQ(set.strategies[0].qalys.discounted.mean, set.strategies[2].qalys.discounted.mean);
  const auto base = cohort(read(kCohortFile));
  EXPECT_GT(set.strategies[0].qalys.discounted.mean, base.strategies[0].qalys.discounted.mean);
  EXPECT_EQ(set.overrides.size(), 1u);
  EXPECT_NE(hemsim::results_to_json(set).find("\"p_progress\""), std::string::npos);
}

TEST(ScenarioVariants, SetFixesTheParameterInPsaAndDsa) {
  const auto s = hemsim::load_scenario(kCohortFile, {"", {{"c_trtA", "6000"}}, {}});
  const auto* p = s.find_parameter("c_trtA");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->distribution.has_value());
  EXPECT_FALSE(p->has_range);
  EXPECT_EQ(p->source, "Alarid-Escudero et al. 2023, Table 2");  // the citation stays
  EXPECT_EQ(s.overrides.front().second, "6000");
}

TEST(ScenarioVariants, StrategySubsetKeepsEachStrategysResultsBitForBit) {
  hemsim::SimulationOptions options;
  options.individuals = 4000;
  const auto all = hemsim::run_scenario(hemsim::load_scenario(kMicroFile), options);
  const auto subset = hemsim::run_scenario(hemsim::load_scenario(kMicroFile, {"", {}, {"treatment"}}), options);
  ASSERT_EQ(all.strategies.size(), 2u);
  ASSERT_EQ(subset.strategies.size(), 2u);  // the reference always runs
  expect_same_outcomes(all, subset);
  const auto only_reference = hemsim::load_scenario(kMicroFile, {"", {}, {"no_treatment"}});
  EXPECT_EQ(only_reference.strategies.size(), 1u);
  const auto variant = hemsim::parse_scenario(read(kCohortFile) + kVariants, kCohortFile, {"two_arms", {}, {}});
  ASSERT_EQ(variant.strategies.size(), 2u);
  EXPECT_EQ(variant.strategies[0].name, "soc");
  EXPECT_EQ(variant.strategies[1].name, "B");
}

TEST(ScenarioVariants, MistakesNameTheFileLineAndKey) {
  const std::string text = read(kCohortFile) + kVariants + "  typo:\n    parameters: {c_trtZ: 1}\n";
  try {
    (void)hemsim::parse_scenario(text, "my.yaml", {"typo", {}, {}});
    FAIL() << "no error";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_EQ(e.where().file, "my.yaml");
    EXPECT_EQ(e.where().key_path, "scenarios.typo.parameters.c_trtZ");
    EXPECT_GT(e.where().line, 90);                                       // the variant's own line, appended at the end of the file
    EXPECT_NE(std::string(e.what()).find("c_trtA"), std::string::npos);  // the closest names are suggested
  }
  try {
    (void)hemsim::parse_scenario(text, "my.yaml", {"nope", {}, {}});
    FAIL() << "no error";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_EQ(e.where().key_path, "scenarios.nope");
    EXPECT_NE(std::string(e.what()).find("cheap_a"), std::string::npos);
  }
  EXPECT_THROW((void)hemsim::load_scenario(kCohortFile, {"", {}, {"Z"}}), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::load_scenario(kCohortFile, {"", {{"c_trtA", "c_trtA +"}}, {}}), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::parse_override("c_trtA"), hemsim::ScenarioError);
  EXPECT_EQ(hemsim::parse_override("x=a=b").second, "a=b");
  const std::string bad_key = read(kCohortFile) + "scenarios:\n  odd:\n    colour: red\n";
  EXPECT_THROW((void)hemsim::parse_scenario(bad_key, "my.yaml"), hemsim::ScenarioError);
}

TEST(ScenarioVariants, ACheckpointOfOneChoiceIsNotResumedForAnother) {
  const auto plain = hemsim::detail::checkpoint_inputs(hemsim::load_scenario(kCohortFile));
  const auto set = hemsim::detail::checkpoint_inputs(hemsim::load_scenario(kCohortFile, {"", {{"c_trtA", "6000"}}, {}}));
  const auto other = hemsim::detail::checkpoint_inputs(hemsim::load_scenario(kCohortFile, {"", {{"c_trtA", "7000"}}, {}}));
  EXPECT_EQ(plain.size() + 1, set.size());
  EXPECT_NE(set.back().sha256, other.back().sha256);
}

TEST(ScenarioVariants, SideBySideRunsArePaired) {
  const fs::path file = fs::temp_directory_path() / "hemsim_variants_test.yaml";
  {
    std::ofstream out(file);
    out << replace_once(read(kMicroFile), "initial:",
                        "scenarios:\n  same: {parameters: {c_Trt: 12000}}\n  cheap: {parameters: {c_Trt: 6000}}\n"
                        "initial:");
  }
  hemsim::SimulationOptions options;
  options.individuals = 3000;
  const auto c = hemsim::compare_variants(file.string(), {}, options, {});
  ASSERT_EQ(c.variants.size(), 3u);
  EXPECT_EQ(c.variants[0].name, "base");
  const auto& same = c.variants[1].rows[1];
  const auto& cheap = c.variants[2].rows[1];
  // The base case's own value again: exactly no change, with no error.
  EXPECT_EQ(same.net_benefit_change.mean, 0.0);
  EXPECT_EQ(same.net_benefit_change.mcse, 0.0);
  // A cheaper treatment: the change is the difference of the two separate runs' INMBs.
  hemsim::SimulationOptions fixed = options;
  fixed.seed = c.seed;
  fixed.seed_set = true;
  auto inmb = [&](const hemsim::RunResults& r) {
    return c.willingness_to_pay * r.increments[0].qalys.discounted.mean - r.increments[0].costs_by_perspective[0].discounted.mean;
  };
  const auto base_run = hemsim::run_scenario(hemsim::load_scenario(kMicroFile), fixed);
  const auto cheap_run = hemsim::run_scenario(hemsim::load_scenario(kMicroFile, {"", {{"c_Trt", "6000"}}, {}}), fixed);
  EXPECT_NEAR(cheap.net_benefit_change.mean, inmb(cheap_run) - inmb(base_run), 1e-6);
  EXPECT_GT(cheap.net_benefit_change.mean, 0.0);
  EXPECT_GT(cheap.net_benefit_change.mcse, 0.0);
  // Paired: per individual the change is 6,000 x (discounted treated years), so its error
  // is half that of the treatment arm's treatment cost at 12,000 (an individual-level
  // estimate, against the batch estimate of the change: equal up to their own noise).
  const auto& categories = base_run.cost_categories;
  const auto treatment = static_cast<std::size_t>(std::find(categories.begin(), categories.end(), "treatment") - categories.begin());
  ASSERT_LT(treatment, categories.size());
  const double treatment_cost_mcse = base_run.strategies[1].costs_by_category[treatment].discounted.mcse;
  EXPECT_NEAR(cheap.net_benefit_change.mcse, 0.5 * treatment_cost_mcse, 0.25 * 0.5 * treatment_cost_mcse);
  const auto back = hemsim::variants_from_json(hemsim::variants_to_json(c));
  EXPECT_EQ(hemsim::variants_to_json(back), hemsim::variants_to_json(c));
  EXPECT_NE(hemsim::format_variant_comparison(c).find("Δ INMB vs base"), std::string::npos);
  fs::remove(file);
}

}  // namespace

namespace {

int cli(const std::string& arguments) {
  const int status = std::system((std::string(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ScenarioVariantsCli, AllVariantsSideBySideIntoTheReport) {
  const fs::path dir = fs::temp_directory_path() / "hemsim_variants_cli";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "model.yaml";
  {
    std::ofstream out(file);
    out << read(kCohortFile) << kVariants;
  }
  const std::string out = (dir / "out").string();
  ASSERT_EQ(cli("run " + file.string() + " --method cohort --scenario all --set c_trtB=14000 --out " + out + " --report"), 0);
  const std::string html = read(out + "/report.html");
  EXPECT_NE(html.find("Named scenarios side by side"), std::string::npos);
  EXPECT_NE(html.find("Strategy A at half price"), std::string::npos);
  EXPECT_NE(html.find("--scenario all --method cohort --set c_trtB=14000"), std::string::npos);
  const auto saved = hemsim::variants_from_json(read(out + "/named_scenarios.json"));
  EXPECT_EQ(saved.variants.size(), 6u);
  EXPECT_EQ(saved.overrides.size(), 1u);
  EXPECT_EQ(cli("psa " + file.string() + " --scenario all -d 2"), 2);
  EXPECT_EQ(cli("run " + file.string() + " --scenario nope"), 2);
  EXPECT_EQ(cli("run " + file.string() + " --set nope=1"), 2);
  EXPECT_EQ(cli("run " + file.string() + " --method cohort --scenario two_arms --strategy A"), 0);
  EXPECT_EQ(cli("validate " + file.string()), 0);
  fs::remove_all(dir);
}

}  // namespace
