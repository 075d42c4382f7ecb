// The report's data assembly: its tables hold exactly the saved results' numbers, and
// the derived ones (ICERs, acceptability, EVPI, PSA means) equal an independent
// calculation from the per-draw tables; bad input is a clear error that writes nothing.

#include "hemsim/report.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "hemsim/hemsim.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kIntro = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml";
const std::string kMicro = HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_microsim.yaml";

int cli(const std::string& arguments) {
  const int status = std::system((std::string(HEMSIM_CLI_PATH) + " " + arguments + " > /dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// `content` as the whole set of output folder `dir` (with its manifest), as hemsim writes it.
void write_as_set(const fs::path& dir, const std::string& name, const std::string& content) {
  hemsim::OutputFolder folder(dir.string());
  folder.add(name, content);
  folder.commit();
}

fs::path fresh(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_report_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// results.json, psa.json (40 cohort draws) and dsa.json of the intro Sick-Sicker model,
/// written once by the library for every test here.
struct Saved {
  fs::path root;
  hemsim::RunResults run;
  hemsim::PsaResults psa;
  hemsim::DsaReport dsa;
  Saved() : root(fresh("saved")) {
    const auto scenario = hemsim::load_scenario(kIntro);
    hemsim::SimulationOptions options;
    options.method = hemsim::Method::cohort;
    run = hemsim::simulate(hemsim::compile_model(scenario), options);
    hemsim::write_results(run, (root / "run").string());
    hemsim::PsaOptions psa_options;
    psa_options.method = hemsim::Method::cohort;
    psa_options.draws = 40;
    psa = hemsim::run_psa(scenario, psa_options);
    hemsim::write_psa_results(psa, hemsim::willingness_to_pay_grid(psa, 300000, 3000), (root / "psa").string());
    hemsim::DsaOptions dsa_options;
    dsa_options.simulation.method = hemsim::Method::cohort;
    dsa.scenario_name = scenario.name;
    for (const auto& s : scenario.strategies) dsa.strategies.push_back(s.name);
    dsa.strategy = 3;
    dsa.comparator = 0;
    dsa.willingness_to_pay = 50000;
    dsa.one_way = hemsim::one_way_sensitivity(scenario, dsa_options);
    write_as_set(root / "dsa", "dsa.json", hemsim::dsa_to_json(dsa));
  }
  ~Saved() { fs::remove_all(root); }
};

const Saved& saved() {
  static const Saved s;  // built once per test binary; the tests only read it
  return s;
}

hemsim::ReportDocument full_report() {
  const auto& s = saved();
  return hemsim::build_report(
      hemsim::load_report_inputs({(s.root / "run").string(), (s.root / "psa").string(), (s.root / "dsa").string()}));
}

/// The row of `table` whose first cell is `label`.
const std::vector<hemsim::ReportCell>& row_labelled(const hemsim::ReportTable& table, const std::string& label) {
  for (const auto& row : table.rows)
    if (!row.empty() && row[0].as_text() == label) return row;
  throw std::runtime_error("no row " + label + " in " + table.id);
}

std::size_t column_named(const hemsim::ReportTable& table, const std::string& name) {
  const auto it = std::find(table.columns.begin(), table.columns.end(), name);
  if (it == table.columns.end()) throw std::runtime_error("no column " + name + " in " + table.id);
  return static_cast<std::size_t>(it - table.columns.begin());
}

double number(const hemsim::ReportCell& cell) {
  EXPECT_TRUE(cell.is_number()) << cell.as_text();
  return cell.is_number() ? cell.as_number() : NAN;
}

}  // namespace

TEST(Report, BaseCaseTableHoldsTheSavedMeansAndStandardErrors) {
  const auto doc = full_report();
  const auto& r = saved().run;
  const auto* table = doc.find_table("base_case");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->columns.size(), 1 + 2 * r.strategies.size());
  const auto& qalys = row_labelled(*table, "QALYs (discounted)");
  const auto& cost = row_labelled(*table, "Total cost, health_care perspective (discounted, USD)");
  const auto& medical = row_labelled(*table, "Cost: medical (discounted, USD)");
  for (std::size_t k = 0; k < r.strategies.size(); ++k) {
    // JSON round-trips exactly, so the report shows the run's numbers bit for bit.
    EXPECT_EQ(number(qalys[1 + 2 * k]), r.strategies[k].qalys.discounted.mean);
    EXPECT_EQ(number(qalys[2 + 2 * k]), r.strategies[k].qalys.discounted.mcse);
    EXPECT_EQ(number(cost[1 + 2 * k]), r.strategies[k].costs_by_perspective[0].discounted.mean);
    EXPECT_EQ(number(medical[1 + 2 * k]), r.strategies[k].costs_by_category[0].discounted.mean);
  }
  // The published value (Alarid-Escudero et al. 2023): strategy B costs $259,101.
  EXPECT_NEAR(number(cost[1 + 2 * 2]), 259100.410617, 1e-5);
}

TEST(Report, IncrementalTableMatchesAnIndependentIcerCalculation) {
  const auto doc = full_report();
  const auto& r = saved().run;
  const auto* table = doc.find_table("incremental");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), r.incremental_tables[0].rows.size());
  std::map<std::string, std::pair<double, double>> cost_effect;  // by label
  for (const auto& st : r.strategies) cost_effect[st.label] = {st.costs_by_perspective[0].discounted.mean, st.qalys.discounted.mean};
  int frontier_with_icer = 0;
  for (std::size_t i = 0; i < table->rows.size(); ++i) {
    const auto& row = table->rows[i];
    EXPECT_EQ(row[4].as_text(), hemsim::to_string(r.incremental_tables[0].rows[i].status));
    if (!row[8].is_number()) continue;
    // ICER = (C_s - C_prev) / (E_s - E_prev), from the base-case means.
    const auto [c1, e1] = cost_effect.at(row[1].as_text());
    const auto [c0, e0] = cost_effect.at(row[5].as_text());
    EXPECT_NEAR(row[8].as_number(), (c1 - c0) / (e1 - e0), 1e-9 * std::fabs(row[8].as_number()));
    ++frontier_with_icer;
  }
  EXPECT_GE(frontier_with_icer, 1);
}

TEST(Report, PsaNoiseTableHoldsTheShareOfEachIncrementComputedFromTheDraws) {
  EXPECT_EQ(full_report().find_table("psa_noise"), nullptr);  // the saved PSA is a cohort PSA: no noise
  hemsim::PsaOptions options;
  options.method = hemsim::Method::microsimulation;
  options.draws = 20;
  options.individuals = 200;
  hemsim::ReportInputs inputs;
  inputs.psa = hemsim::run_psa(hemsim::load_scenario(kIntro), options);
  const auto doc = hemsim::build_report(inputs);
  const auto& p = *inputs.psa;
  const auto* noise = doc.find_table("psa_noise");
  ASSERT_NE(noise, nullptr);
  const auto K = static_cast<std::size_t>(p.effects.cols());
  ASSERT_EQ(noise->rows.size(), 2 * K - 1);  // every strategy, then every increment
  const auto ref = static_cast<Eigen::Index>(p.reference);
  std::size_t row = K;
  for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(K); ++k) {
    if (k == ref) continue;
    const Eigen::VectorXd d = p.effects.col(k) - p.effects.col(ref);
    const double variance = (d.array() - d.mean()).square().sum() / static_cast<double>(d.size() - 1);
    const double share = std::min(1.0, p.increment_effects_mcse.col(k).array().square().mean() / variance);
    EXPECT_NEAR(number(noise->rows[row][3]), share, 1e-12);
    ++row;
  }
}

TEST(Report, PsaTablesMatchAnIndependentCalculationFromTheDraws) {
  const auto doc = full_report();
  const auto& p = saved().psa;
  const Eigen::Index D = p.effects.rows(), K = p.effects.cols();
  const auto* summary = doc.find_table("psa_summary");
  ASSERT_NE(summary, nullptr);
  ASSERT_EQ(summary->rows.size(), static_cast<std::size_t>(K));
  for (Eigen::Index k = 0; k < K; ++k) {
    EXPECT_NEAR(number(summary->rows[static_cast<std::size_t>(k)][2]), p.costs[0].col(k).mean(), 1e-9 * p.costs[0].col(k).mean());
    EXPECT_NEAR(number(summary->rows[static_cast<std::size_t>(k)][5]), p.effects.col(k).mean(), 1e-12);
  }
  // Acceptability and EVPI at 100,000 per QALY by counting draws by hand.
  const double wtp = 100000;
  std::vector<double> wins(static_cast<std::size_t>(K), 0.0), expected(static_cast<std::size_t>(K), 0.0);
  double expected_max = 0;
  for (Eigen::Index d = 0; d < D; ++d) {
    Eigen::Index best = 0;
    for (Eigen::Index k = 0; k < K; ++k) {
      const double nb = wtp * p.effects(d, k) - p.costs[0](d, k);
      expected[static_cast<std::size_t>(k)] += nb / static_cast<double>(D);
      if (nb > wtp * p.effects(d, best) - p.costs[0](d, best)) best = k;
    }
    wins[static_cast<std::size_t>(best)] += 1.0 / static_cast<double>(D);
    expected_max += (wtp * p.effects(d, best) - p.costs[0](d, best)) / static_cast<double>(D);
  }
  const auto* ceac = doc.find_table("ceac");
  ASSERT_NE(ceac, nullptr);
  const auto& at = row_labelled(*ceac, "health_care");  // first row: wtp 0
  EXPECT_EQ(number(at[1]), 0.0);
  bool found = false;
  for (const auto& row : ceac->rows) {
    if (!row[1].is_number() || row[1].as_number() != wtp) continue;
    found = true;
    for (Eigen::Index k = 0; k < K; ++k)
      EXPECT_NEAR(number(row[2 + static_cast<std::size_t>(k)]), wins[static_cast<std::size_t>(k)], 1e-12);
  }
  EXPECT_TRUE(found);
  const auto* evpi = doc.find_table("evpi_thresholds");
  ASSERT_NE(evpi, nullptr);
  const double by_hand = expected_max - *std::max_element(expected.begin(), expected.end());
  found = false;
  for (const auto& row : evpi->rows)
    if (row[1].is_number() && row[1].as_number() == wtp) {
      found = true;
      EXPECT_NEAR(number(row[2]), by_hand, 1e-6 * std::max(1.0, by_hand));
    }
  EXPECT_TRUE(found);
  // Every draw is in the workbook's draws table, costs exactly as saved.
  const auto* draws = doc.find_table("psa_draws");
  ASSERT_NE(draws, nullptr);
  ASSERT_EQ(draws->rows.size(), static_cast<std::size_t>(D));
  EXPECT_FALSE(draws->in_html);
  const std::size_t first_cost = 1 + p.parameters.size();
  EXPECT_EQ(number(draws->rows[7][first_cost + 2]), p.costs[0](7, 2));
}

TEST(Report, TornadoDataAndParametersComeFromTheSavedAnalysisAndScenario) {
  const auto doc = full_report();
  const auto& a = *saved().dsa.one_way;
  const auto* table = doc.find_table("one_way");
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rows.size(), a.parameters.size());
  for (std::size_t i = 0; i < a.parameters.size(); ++i) {
    EXPECT_EQ(table->rows[i][0].as_text(), a.parameters[i].parameter);
    EXPECT_EQ(number(table->rows[i][7]), a.parameters[i].low.incremental_net_benefit);
    EXPECT_EQ(number(table->rows[i][9]), a.parameters[i].net_benefit_swing);
  }
  // The tornado chart carries the two ends of every parameter.
  const hemsim::ReportChart* tornado = nullptr;
  for (const auto* c : doc.charts())
    if (c->id == "tornado") tornado = c;
  ASSERT_NE(tornado, nullptr);
  const auto spec = nlohmann::json::parse(tornado->vega_lite);
  // The diagram holds the 15 largest swings (the intro model has 16 ranges), largest first.
  ASSERT_EQ(a.parameters.size(), 16U);
  const auto& bars = spec["layer"][0]["data"]["values"];
  EXPECT_EQ(bars.size(), 2 * 15U);
  const auto largest = std::max_element(a.parameters.begin(), a.parameters.end(),
                                        [](const auto& x, const auto& y) { return x.net_benefit_swing < y.net_benefit_swing; });
  const auto smallest = std::min_element(a.parameters.begin(), a.parameters.end(),
                                         [](const auto& x, const auto& y) { return x.net_benefit_swing < y.net_benefit_swing; });
  EXPECT_EQ(bars[0]["parameter"].get<std::string>().rfind(largest->parameter + " (", 0), 0U) << bars[0];
  EXPECT_EQ(bars[0]["inmb"].get<double>(), largest->low.incremental_net_benefit);
  for (const auto& bar : bars) EXPECT_NE(bar["parameter"].get<std::string>().rfind(smallest->parameter + " (", 0), 0U);
  // Parameters with their sources, from the scenario file named by results.json.
  const auto scenario = hemsim::load_scenario(kIntro);
  const auto* params = doc.find_table("parameters");
  ASSERT_NE(params, nullptr);
  ASSERT_EQ(params->rows.size(), scenario.parameters.size());
  EXPECT_EQ(row_labelled(*params, "c_trtB")[column_named(*params, "Source")].as_text(), scenario.find_parameter("c_trtB")->source);
  EXPECT_EQ(row_labelled(*params, "r_HS1")[column_named(*params, "Distribution (PSA)")].as_text(), "gamma(shape = 30, rate = 200)");
  EXPECT_EQ(row_labelled(*params, "p_HS1")[column_named(*params, "Base value")].as_text(), "1 - exp(-r_HS1)");
}

TEST(Report, ChartsCarryTheDrawsAndEverySectionPresent) {
  const auto doc = full_report();
  const auto& p = saved().psa;
  std::set<std::string> ids;
  for (const auto* c : doc.charts()) ids.insert(c->id);
  for (const char* id : {"state_trace", "ce_plane", "ceac", "ceaf", "evpi", "tornado"}) EXPECT_TRUE(ids.count(id)) << id;
  for (const auto* c : doc.charts()) {
    if (c->id != "ce_plane") continue;
    const auto spec = nlohmann::json::parse(c->vega_lite);
    EXPECT_EQ(spec["layer"][0]["data"]["values"].size(), static_cast<std::size_t>(p.effects.rows() * (p.effects.cols() - 1)));
    EXPECT_EQ(spec["layer"][0]["data"]["values"][0]["delta_cost"].get<double>(), p.costs[0](0, 1) - p.costs[0](0, 0));
  }
  // Only the results present give sections: a PSA alone has no base case nor tornado.
  const auto psa_only = hemsim::build_report(hemsim::load_report_inputs({(saved().root / "psa").string()}));
  EXPECT_EQ(psa_only.find_table("base_case"), nullptr);
  EXPECT_EQ(psa_only.find_table("one_way"), nullptr);
  EXPECT_NE(psa_only.find_table("psa_summary"), nullptr);
}

TEST(Report, WorkbookAndPageAreMadeFromTheDocument) {
  const auto doc = full_report();
  const std::string xlsx = hemsim::report_xlsx(doc);
  ASSERT_GT(xlsx.size(), 1000U);
  EXPECT_EQ(xlsx.substr(0, 2), "PK");  // a zip container
  if (!hemsim::report_charts_available()) GTEST_SKIP() << "built without report/node_modules";
  const std::string html = hemsim::report_html(doc);
  EXPECT_NE(html.find("Content-Security-Policy"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_NE(html.find("data-chart=\"tornado\""), std::string::npos);
}

TEST(Report, TheSameDocumentGivesTheSameWorkbookBytesAtAnotherTime) {
  const auto doc = full_report();
  const std::string first = hemsim::report_xlsx(doc);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the workbook's clock has whole seconds
  EXPECT_EQ(hemsim::report_xlsx(doc), first);
}

TEST(Report, BadInputIsAClearErrorNamingTheFile) {
  const fs::path dir = fresh("bad");
  EXPECT_THROW((void)hemsim::load_report_inputs({(dir / "missing").string()}), hemsim::ScenarioError);
  EXPECT_THROW((void)hemsim::load_report_inputs({dir.string()}), hemsim::ScenarioError);  // no result file
  write_as_set(dir / "set", "results.json", "{\"format_version\": 1, \"method\": ");
  try {
    (void)hemsim::load_report_inputs({(dir / "set").string()});
    ADD_FAILURE() << "a truncated results.json was accepted";
  } catch (const hemsim::ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("results.json"), std::string::npos) << e.what();
  }
  write_as_set(dir / "set", "psa.json", "{\"kind\": \"psa\"}");
  EXPECT_THROW((void)hemsim::load_report_inputs({(dir / "set").string()}), hemsim::ScenarioError);
  fs::remove_all(dir);
}

TEST(Report, ResultsOfDifferentScenariosAreRefused) {
  const fs::path dir = fresh("mixed");
  const auto scenario = hemsim::load_scenario(kMicro);
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  hemsim::write_results(hemsim::simulate(hemsim::compile_model(scenario), options), (dir / "run").string());
  EXPECT_THROW((void)hemsim::build_report(hemsim::load_report_inputs({(dir / "run").string(), (saved().root / "psa").string()})),
               hemsim::ScenarioError);
  fs::remove_all(dir);
}

TEST(ReportCli, MissingOrCorruptResultsExitTwoAndWriteNothing) {
  const fs::path dir = fresh("cli");
  const fs::path html = dir / "r.html", xlsx = dir / "r.xlsx", figures = dir / "figures";
  const std::string outputs = " --html " + html.string() + " --xlsx " + xlsx.string() + " --figures " + figures.string();
  EXPECT_EQ(cli("report " + (dir / "nowhere").string() + outputs), 2);
  write_as_set(dir / "results", "results.json", "not json");
  EXPECT_EQ(cli("report " + (dir / "results").string() + outputs), 2);
  // A good run directory beside a corrupt dsa.json: still nothing written.
  write_as_set(dir / "bad_dsa", "dsa.json", "{\"kind\": \"dsa\", \"strategies\": [1]}");
  EXPECT_EQ(cli("report " + (saved().root / "run").string() + " " + (dir / "bad_dsa").string() + outputs), 2);
  EXPECT_FALSE(fs::exists(html));
  EXPECT_FALSE(fs::exists(xlsx));
  EXPECT_FALSE(fs::exists(figures));
  // An output into a directory that does not exist: exit 2, and the workbook asked for
  // with it is not written either.
  EXPECT_EQ(cli("report " + (saved().root / "run").string() + " --xlsx " + xlsx.string() + " --html " + (dir / "no" / "r.html").string()),
            2);
  EXPECT_FALSE(fs::exists(xlsx));
  // No temporary files left behind (an output folder's lock file stays beside it by design).
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name[0] != '.' || name.ends_with(".hemsim-lock")) << entry.path();
  }
  fs::remove_all(dir);
}

TEST(ReportCli, ReportFlagWritesBesideTheResults) {
  if (!hemsim::report_charts_available()) GTEST_SKIP() << "built without report/node_modules";
  const fs::path dir = fresh("flag");
  ASSERT_EQ(cli("run " + kIntro + " --method cohort --quiet --report --out " + (dir / "run").string()), 0);
  EXPECT_TRUE(fs::exists(dir / "run" / "report.xlsx"));
  EXPECT_TRUE(fs::exists(dir / "run" / "report.html"));
  EXPECT_EQ(cli("run " + kIntro + " --method cohort --quiet --report"), 2);  // --report needs --out
  fs::remove_all(dir);
}

TEST(Report, EveryPerspectiveOutcomeAndCategoryOfTheResultsIsReported) {
  // Nothing about the scenario is assumed: two perspectives give two incremental tables,
  // two CE planes and CEACs; the societal-only category and the user outcome appear.
  const fs::path dir = fresh("perspectives");
  const auto scenario = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/tests/report/two_perspectives.yaml");
  hemsim::SimulationOptions options;
  options.method = hemsim::Method::cohort;
  const auto run = hemsim::simulate(hemsim::compile_model(scenario), options);
  hemsim::write_results(run, (dir / "run").string());
  hemsim::PsaOptions psa_options;
  psa_options.method = hemsim::Method::cohort;
  psa_options.draws = 20;
  const auto psa = hemsim::run_psa(scenario, psa_options);
  hemsim::write_psa_results(psa, hemsim::willingness_to_pay_grid(psa, 300000, 3000), (dir / "psa").string());
  const auto doc = hemsim::build_report(hemsim::load_report_inputs({(dir / "run").string(), (dir / "psa").string()}));
  ASSERT_EQ(run.perspectives, (std::vector<std::string>{"health_care", "societal"}));
  const auto* base = doc.find_table("base_case");
  ASSERT_NE(base, nullptr);
  const auto& societal = row_labelled(*base, "Total cost, societal perspective (discounted, USD)");
  const auto& productivity = row_labelled(*base, "Cost: productivity (discounted, USD)");
  const auto& workdays = row_labelled(*base, "Workdays lost (discounted)");
  for (std::size_t k = 0; k < run.strategies.size(); ++k) {
    EXPECT_EQ(number(societal[1 + 2 * k]), run.strategies[k].costs_by_perspective[1].discounted.mean);
    EXPECT_EQ(number(productivity[1 + 2 * k]), run.strategies[k].costs_by_category[2].discounted.mean);
    EXPECT_EQ(number(workdays[1 + 2 * k]), run.strategies[k].outcomes[0].discounted.mean);
    // Societal = health care + productivity, checked from the categories.
    EXPECT_NEAR(number(societal[1 + 2 * k]),
                run.strategies[k].costs_by_perspective[0].discounted.mean + run.strategies[k].costs_by_category[2].discounted.mean, 1e-6);
  }
  const auto* icers = doc.find_table("incremental");
  ASSERT_NE(icers, nullptr);
  EXPECT_EQ(icers->rows.size(), run.incremental_tables[0].rows.size() + run.incremental_tables[1].rows.size());
  EXPECT_EQ(icers->rows.back()[0].as_text(), "societal");
  std::set<std::string> ids;
  for (const auto* c : doc.charts()) ids.insert(c->id);
  for (const char* id : {"ce_plane_1", "ce_plane_2", "ceac_1", "ceac_2", "ceaf_1", "ceaf_2", "evpi_1", "evpi_2"})
    EXPECT_TRUE(ids.count(id)) << id;
  const auto* summary = doc.find_table("psa_summary");
  ASSERT_NE(summary, nullptr);
  EXPECT_EQ(summary->rows.size(), 2 * psa.strategies.size());
  EXPECT_NEAR(number(summary->rows[psa.strategies.size()][2]), psa.costs[1].col(0).mean(), 1e-9 * psa.costs[1].col(0).mean());
  fs::remove_all(dir);
}

TEST(Report, AScenarioFileThatIsGoneIsSaidAndItsPartsLeftOut) {
  const fs::path dir = fresh("gone");
  hemsim::RunResults run = saved().run;
  run.scenario_file = (dir / "moved_away.yaml").string();
  hemsim::write_results(run, (dir / "run").string());
  const auto inputs = hemsim::load_report_inputs({(dir / "run").string()});
  EXPECT_FALSE(inputs.scenario.has_value());
  EXPECT_NE(inputs.scenario_note.find("moved_away.yaml"), std::string::npos) << inputs.scenario_note;
  const auto doc = hemsim::build_report(inputs);
  EXPECT_EQ(doc.find_table("parameters"), nullptr);
  ASSERT_NE(doc.find_table("base_case"), nullptr);  // the results themselves are all there
  const auto& summary = *std::find_if(doc.sections.begin(), doc.sections.end(), [](const auto& s) { return s.id == "summary"; });
  EXPECT_NE(std::find(summary.paragraphs.begin(), summary.paragraphs.end(), inputs.scenario_note), summary.paragraphs.end());
  fs::remove_all(dir);
}

TEST(Report, LongTracesAreThinnedForChartsKeepingTheLastPoint) {
  const fs::path dir = fresh("long");
  hemsim::RunResults run = saved().run;
  const std::size_t S = run.states.size(), points = 1201;  // e.g. 100 years of monthly cycles
  run.cycles = static_cast<int>(points - 1);
  for (auto& st : run.strategies) {
    st.trace.assign(points * S, 0.0);
    for (std::size_t t = 0; t < points; ++t) st.trace[t * S] = 1.0 - static_cast<double>(t) / static_cast<double>(points - 1);
  }
  hemsim::write_results(run, (dir / "run").string());
  const auto doc = hemsim::build_report(hemsim::load_report_inputs({(dir / "run").string()}));
  const hemsim::ReportChart* trace = nullptr;
  for (const auto* c : doc.charts())
    if (c->id == "state_trace") trace = c;
  ASSERT_NE(trace, nullptr);
  const auto values = nlohmann::json::parse(trace->vega_lite)["data"]["values"];
  std::set<double> times;
  double last_proportion = -1;
  for (const auto& v : values) {
    times.insert(v["time"].get<double>());
    if (v["time"].get<double>() == run.cycles * run.cycle_length_years && v["order"] == 0)  // the first state's band
      last_proportion = v["proportion"].get<double>();
  }
  EXPECT_LE(times.size(), 402U);
  EXPECT_GE(times.size(), 300U);
  EXPECT_EQ(*times.rbegin(), run.cycles * run.cycle_length_years);
  EXPECT_EQ(last_proportion, 0.0);
  fs::remove_all(dir);
}

TEST(Report, CellsAreFormattedForReading) {
  using F = hemsim::ReportCell::Format;
  EXPECT_EQ(hemsim::ReportCell::number(1234567.891, F::money).as_text(), "1,234,568");
  EXPECT_EQ(hemsim::ReportCell::number(-65647.4, F::money).as_text(), "-65,647");
  EXPECT_EQ(hemsim::ReportCell::number(999.5, F::money).as_text(), "999.50");
  EXPECT_EQ(hemsim::ReportCell::number(-0.001, F::money).as_text(), "0.00");  // no "-0.00"
  EXPECT_EQ(hemsim::ReportCell::number(100000, F::integer).as_text(), "100,000");
  EXPECT_EQ(hemsim::ReportCell::number(22.18451, F::effect).as_text(), "22.1845");
  EXPECT_EQ(hemsim::ReportCell::number(0.4185, F::probability).as_text(), "0.418");
  EXPECT_EQ(hemsim::ReportCell::number(0.002, F::number).as_text(), "0.002");
  EXPECT_EQ(hemsim::ReportCell::number(NAN, F::money).as_text(), "");
  EXPECT_EQ(hemsim::ReportCell::empty().as_text(), "");
  EXPECT_EQ(hemsim::ReportCell::text("ND").as_text(), "ND");
}

TEST(Report, DsaAndPriceTablesCarryTheirMonteCarloErrors) {
  const fs::path dir = fresh("mcse");
  // A microsimulation tornado with one parameter that cannot move B vs SoC (c_trtA).
  auto intro = hemsim::load_scenario(kIntro);
  for (auto& p : intro.parameters) p.has_range = p.has_range && (p.name == "c_trtA" || p.name == "hr_S1S2_trtB");
  hemsim::DsaOptions options;
  options.simulation.individuals = 2000;
  options.strategy = 2;
  options.comparator = 0;
  options.willingness_to_pay = 100000;
  hemsim::DsaReport dsa;
  dsa.scenario_name = intro.name;
  for (const auto& s : intro.strategies) dsa.strategies.push_back(s.name);
  dsa.strategy = 2;
  dsa.willingness_to_pay = 100000;
  dsa.one_way = hemsim::one_way_sensitivity(intro, options);
  write_as_set(dir / "dsa", "dsa.json", hemsim::dsa_to_json(dsa));
  const auto doc = hemsim::build_report(hemsim::load_report_inputs({(dir / "dsa").string()}));
  const auto* tornado = doc.find_table("one_way");
  ASSERT_NE(tornado, nullptr);
  ASSERT_EQ(tornado->columns.size(), 14U);
  EXPECT_EQ(tornado->columns[13], "Within noise");
  for (std::size_t i = 0; i < dsa.one_way->parameters.size(); ++i) {
    const auto& p = dsa.one_way->parameters[i];
    EXPECT_EQ(number(tornado->rows[i][10]), p.low_change_mcse);
    EXPECT_EQ(number(tornado->rows[i][11]), p.high_change_mcse);
    EXPECT_EQ(number(tornado->rows[i][12]), p.swing_mcse);
    EXPECT_EQ(tornado->rows[i][13].as_text(), p.parameter == "c_trtA" ? "swing" : "");
  }
  bool noted = false;
  for (const auto& section : doc.sections)
    for (const auto& paragraph : section.paragraphs) noted = noted || (paragraph.find("1 of 2 swings are within noise") != std::string::npos &&
                                                                      paragraph.find("1 of them exactly 0") != std::string::npos);
  EXPECT_TRUE(noted);
  // Prices with their MCSE and 95 % interval, in the table and the headroom curve.
  const auto micro = hemsim::load_scenario(kMicro);
  hemsim::DsaReport price;
  price.scenario_name = micro.name;
  for (const auto& s : micro.strategies) price.strategies.push_back(s.name);
  price.strategy = 1;
  price.price_parameter = "c_Trt";
  auto price_options = options;
  price_options.strategy = 1;
  price.prices = hemsim::value_based_price(micro, price_options, "c_Trt", {100000});
  price.headroom = hemsim::value_based_price(micro, price_options, "c_Trt", {50000, 100000});
  write_as_set(dir / "price", "dsa.json", hemsim::dsa_to_json(price));
  const auto priced = hemsim::build_report(hemsim::load_report_inputs({(dir / "price").string()}));
  const auto* table = priced.find_table("value_based_price");
  ASSERT_NE(table, nullptr);
  const auto& p = price.prices.at(0);
  ASSERT_GT(p.price_mcse, 0.0);
  EXPECT_EQ(number(table->rows[0][1]), p.price);
  EXPECT_EQ(number(table->rows[0][4]), p.price_mcse);
  EXPECT_EQ(number(table->rows[0][5]), p.price - 1.96 * p.price_mcse);
  EXPECT_EQ(number(table->rows[0][6]), p.price + 1.96 * p.price_mcse);
  EXPECT_EQ(number(table->rows[0][7]), p.check_icer_mcse);
  const auto* headroom = priced.find_table("headroom");
  ASSERT_NE(headroom, nullptr);
  EXPECT_EQ(number(headroom->rows[1][2]), price.headroom[1].price_mcse);
  EXPECT_EQ(number(headroom->rows[1][2]), p.price_mcse);  // the same price at the same threshold
  fs::remove_all(dir);
}
