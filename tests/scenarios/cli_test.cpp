// End-to-end runs of the command line: run, psa, dsa and price write their files and
// exit 0; the files hold what the library computes.

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "hemsim/hemsim.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kIntro = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml";

int cli(const std::string& arguments) {
  const int status = std::system((std::string(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

}  // namespace

TEST(Cli, RunWritesResultsThatReloadToTheSameNumbers) {
  const fs::path out = fresh("run");
  ASSERT_EQ(cli("run " + kIntro + " --method cohort --quiet --out " + out.string()), 0);
  const auto loaded = hemsim::results_from_json(read(out / "results.json"));
  EXPECT_NEAR(loaded.strategies[2].costs_by_perspective[0].discounted.mean, 259100.410617, 1e-5);
  fs::remove_all(out);
}

TEST(Cli, PsaWritesDrawsCurvesAndEvppi) {
  const fs::path out = fresh("psa");
  ASSERT_EQ(cli("psa " + kIntro + " --method cohort --draws 60 --evppi c_trtB --quiet --out " + out.string()), 0);
  const std::string draws = read(out / "psa_draws.csv");
  EXPECT_EQ(std::count(draws.begin(), draws.end(), '\n'), 61);
  EXPECT_EQ(draws.rfind("draw,r_HS1,", 0), 0U) << draws.substr(0, 80);
  EXPECT_NE(draws.find(",life_years_undiscounted__AB"), std::string::npos);
  // Draw 1's sampled r_HS1 is what the library samples for draw 1.
  const double r_hs1 = hemsim::sample_parameters(hemsim::load_scenario(kIntro), 1, 1).at("r_HS1");
  EXPECT_NE(draws.find(fmt::format("\n1,{},", r_hs1)), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "ceac.csv"));
  EXPECT_TRUE(fs::exists(out / "evpi.csv"));
  const std::string plane = read(out / "ce_plane.csv");
  EXPECT_EQ(std::count(plane.begin(), plane.end(), '\n'), 1 + 3 * 60);  // A, B, AB against SoC
  EXPECT_NE(draws.find(",cost_category_treatment__AB"), std::string::npos);
  EXPECT_NE(read(out / "evppi_parameters.csv").find("c_trtB,P-spline (GCV),100000,"), std::string::npos);
  fs::remove_all(out);
}

TEST(Cli, EvppiOfAFixedParameterIsZeroAndTheResultsAreWritten) {
  // A parameter whose PSA distribution is `fixed` does not vary across draws: its EVPPI,
  // alone or in a group, is 0 (this used to end the process with SIGSEGV, exit 139,
  // after every draw had run, and write nothing).
  const fs::path dir = fresh("evppi_fixed");
  fs::create_directories(dir);
  std::string text = read(kIntro);
  const std::string gamma = "distribution: {type: gamma, shape: 86.2, scale: 150.8}";
  const auto at = text.find(gamma);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, gamma.size(), "distribution: {type: fixed, value: 13000}");
  const fs::path scenario = dir / "fixed_c_trtB.yaml";
  std::ofstream(scenario) << text;
  const fs::path out = dir / "out";
  ASSERT_EQ(cli("psa " + scenario.string() + " --method cohort --draws 40 --evppi c_trtB --evppi c_trtB,u_S1 --quiet --out " + out.string()), 0);
  const std::string evppi = read(out / "evppi_parameters.csv");
  EXPECT_NE(evppi.find("\nc_trtB,constant,100000,0,0,"), std::string::npos) << evppi;
  // In the group, c_trtB adds nothing: the group's EVPPI is u_S1's by P-spline.
  EXPECT_NE(evppi.find("c_trtB;u_S1,P-spline (GCV),"), std::string::npos) << evppi;
  EXPECT_TRUE(fs::exists(out / "psa.json"));
  fs::remove_all(dir);
}

TEST(Cli, DsaAndPriceWriteTheirTables) {
  const fs::path out = fresh("dsa");
  ASSERT_EQ(cli("dsa " + kIntro + " --method cohort --strategy B --wtp 100000 --horizons 5 --two-way c_trtB,u_S1 --steps 3 --threshold c_trtB --quiet --out " +
                out.string()),
            0);
  EXPECT_NE(read(out / "one_way.csv").find("hr_S1S2_trtB,0.6,0.4,0.8,"), std::string::npos);
  EXPECT_TRUE(fs::exists(out / "two_way.csv"));
  EXPECT_TRUE(fs::exists(out / "scenarios.csv"));
  ASSERT_EQ(cli("price " HEMSIM_SOURCE_DIR "/scenarios/validation/general_features.yaml --method cohort --parameter c_drug --wtp 50000 "
                "--headroom-max 100000 --headroom-step 25000 --quiet --out " + out.string()),
            0);
  const std::string headroom = read(out / "headroom.csv");
  EXPECT_EQ(std::count(headroom.begin(), headroom.end(), '\n'), 6) << headroom;  // header + 0, 25k, 50k, 75k, 100k
  EXPECT_NE(headroom.find("50000,1605.8"), std::string::npos) << headroom;
  EXPECT_NE(read(out / "value_based_price.csv").find("50000,1605.8"), std::string::npos) << read(out / "value_based_price.csv");
  EXPECT_EQ(cli("price " + kIntro + " --method cohort --strategy B --parameter c_trtB --quiet"), 2);  // shared by AB
  EXPECT_EQ(cli("psa " + kIntro + " --draws 40 --evppi not_a_parameter --method cohort --quiet"), 2);
  fs::remove_all(out);
}

TEST(Cli, SavedPsaAndDsaResultsReloadLosslessly) {
  const fs::path out = fresh("reload");
  ASSERT_EQ(cli("psa " + kIntro + " --draws 40 -n 100 --quiet --out " + out.string()), 0);
  const auto psa = hemsim::psa_from_json(read(out / "psa.json"));
  EXPECT_EQ(psa.draws, 40U);
  EXPECT_EQ(hemsim::psa_to_json(psa), read(out / "psa.json"));
  // The reloaded table gives the same curves as a fresh run with the same seed.
  hemsim::PsaOptions options;
  options.draws = 40;
  options.individuals = 100;
  const auto direct = hemsim::run_psa(hemsim::load_scenario(kIntro), options);
  EXPECT_EQ(psa.costs[0], direct.costs[0]);
  EXPECT_EQ(psa.effects, direct.effects);
  ASSERT_EQ(cli("dsa " + kIntro + " --method cohort --strategy B --horizons 5 --two-way c_trtB,u_S1 --steps 2 --threshold c_trtB --quiet --out " +
                out.string()),
            0);
  const auto dsa = hemsim::dsa_from_json(read(out / "dsa.json"));
  ASSERT_TRUE(dsa.one_way.has_value());
  EXPECT_EQ(dsa.one_way->parameters.front().parameter, "hr_S1S2_trtB");
  EXPECT_EQ(dsa.strategies[static_cast<std::size_t>(dsa.strategy)], "B");
  ASSERT_TRUE(dsa.two_way.has_value());
  EXPECT_EQ(dsa.two_way->values_a.size(), 2U);
  EXPECT_EQ(hemsim::dsa_to_json(dsa), read(out / "dsa.json"));
  fs::remove_all(out);
}

TEST(Cli, ValidateListsParametersWithoutASource) {
  const fs::path out = fresh("validate");
  fs::create_directories(out);
  const std::string command = std::string(HEMSIM_CLI_PATH) + " validate " HEMSIM_SOURCE_DIR "/tests/bad_input/valid/base.yaml > " +
                              (out / "stdout.txt").string() + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string text = read(out / "stdout.txt");
  EXPECT_NE(text.find("warning: 2 parameters without a source: c_H, c_S"), std::string::npos) << text;
  EXPECT_NE(text.find("table over [age]"), std::string::npos) << text;
  fs::remove_all(out);
}

TEST(Cli, SizedPsaSavesItsSizingAndACommandThatGivesTheSameBytes) {
  // A PSA sized by --max-noise-share writes the sizing beside psa.json, and its saved
  // command spells out the sizing's defaults: running that command again gives the same
  // files, byte for byte.
  const fs::path out = fresh("sized_psa"), again = fresh("sized_psa_again");
  ASSERT_EQ(cli("psa " + kIntro + " --method microsim --draws 12 -n 200 --max-noise-share 0.3 --pilot-draws 8 --noise-strategy A --quiet --out " +
                out.string()),
            0);
  const auto sizing = nlohmann::json::parse(read(out / "inner_sample.json"));
  const auto psa = hemsim::psa_from_json(read(out / "psa.json"));
  EXPECT_EQ(sizing.at("max_noise_share").get<double>(), 0.3);
  EXPECT_EQ(sizing.at("confidence").get<double>(), hemsim::kNoiseShareConfidence);
  EXPECT_EQ(sizing.at("pilot_draws").get<int>(), 8);
  EXPECT_EQ(sizing.at("pilot_individuals").at(0).get<std::uint64_t>(), 200U);
  EXPECT_EQ(sizing.at("individuals").get<std::uint64_t>(), psa.individuals);
  ASSERT_EQ(sizing.at("increments").size(), 2U);  // A's effects and costs
  EXPECT_EQ(sizing.at("increments").at(0).at("strategy"), "A");
  EXPECT_LT(sizing.at("increments").at(0).at("parameter_lower").get<double>(),
            sizing.at("increments").at(0).at("parameter_variance").get<double>());
  // The report reads the sizing back beside psa.json and shows every increment's row.
  const hemsim::ReportInputs inputs = hemsim::load_report_inputs({out.string()});
  ASSERT_TRUE(inputs.inner_sample.has_value());
  EXPECT_EQ(hemsim::inner_sample_size_json(*inputs.inner_sample), read(out / "inner_sample.json"));  // read back whole
  const auto doc = hemsim::build_report(inputs);
  const auto* table = doc.find_table("psa_sizing");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), sizing.at("increments").size());
  for (std::size_t r = 0; r < table->rows.size(); ++r) {
    const auto& row = sizing.at("increments").at(r);
    EXPECT_EQ(table->rows[r][0].as_text(), row.at("strategy").get<std::string>());
    EXPECT_EQ(table->rows[r][2].as_text(), row.at("measure").get<std::string>());
    EXPECT_EQ(table->rows[r][5].as_number(), row.at("parameter_lower").get<double>());
    EXPECT_EQ(table->rows[r][6].as_number(), row.at("pilot_noise_share").get<double>());
    if (row.at("needed").is_null()) EXPECT_EQ(table->rows[r][7].as_text(), "unreachable");
    else EXPECT_EQ(table->rows[r][7].as_number(), row.at("needed").get<double>());
  }
  const auto* section = &doc.sections[0];
  for (const auto& each : doc.sections)
    if (each.id == "psa") section = &each;
  bool told = false;
  for (const auto& paragraph : section->paragraphs)
    told = told || (paragraph.find(fmt::format("{} individuals per draw", psa.individuals)) != std::string::npos &&
                    paragraph.find("at most 30 %") != std::string::npos);
  EXPECT_TRUE(told);
  const std::string command = psa.provenance.command;
  EXPECT_NE(command.find("--noise-confidence 0.8"), std::string::npos) << command;
  ASSERT_EQ(command.rfind("hemsim ", 0), 0U) << command;
  ASSERT_EQ(cli(command.substr(std::string("hemsim ").size()) + " --quiet --out " + again.string()), 0);
  EXPECT_EQ(read(again / "psa.json"), read(out / "psa.json"));
  EXPECT_EQ(read(again / "inner_sample.json"), read(out / "inner_sample.json"));
  fs::remove_all(out);
  fs::remove_all(again);
}
