// The report opens with the answer: the first section holds the assessed strategy's
// increments, ICER, value-based price and probability of being cost-effective, each
// as computed in the results it was built from.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "hemsim/hemsim.hpp"
#include "support/files_and_commands.hpp"

namespace {

namespace fs = std::filesystem;
using hemsim_test::read_bytes;
using hemsim_test::shell;


std::string with_commas(double v) { return hemsim::ReportCell::number(v, hemsim::ReportCell::Format::integer).as_text(); }

TEST(ReportAnswer, TheFirstSectionAnswersWithTheResultsFigures) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_answer_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  // The tutorial's model without strategy AB (whose costs include B's price, which the
  // value-based price of B must not change).
  fs::create_directories(dir);
  const std::string file = (dir / "model.yaml").string();
  {
    std::ifstream in(HEMSIM_SOURCE_DIR "/scenarios/validation/sick_sicker_intro_cohort.yaml");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("  reference_strategy: soc"), 25, "  reference_strategy: soc\n  strategies: [soc, A, B]");
    std::ofstream(file) << text;
  }
  ASSERT_EQ(hemsim_test::hemsim_cli("run " + file + " --method cohort -q -o " + (dir / "run").string()), 0);
  ASSERT_EQ(hemsim_test::hemsim_cli("price " + file + " --method cohort --parameter c_trtB --strategy B -q -o " + (dir / "price").string()), 0);
  ASSERT_EQ(hemsim_test::hemsim_cli("psa " + file + " --method cohort -d 50 -q -o " + (dir / "psa").string()), 0);
  const auto in = hemsim::load_report_inputs({(dir / "run").string(), (dir / "price").string(), (dir / "psa").string()});
  const auto doc = hemsim::build_report(in);
  ASSERT_FALSE(doc.sections.empty());
  EXPECT_EQ(doc.sections.front().id, "answer");
  const auto* table = doc.find_table("answer");
  ASSERT_NE(table, nullptr);
  std::string all;
  for (const auto& row : table->rows)
    for (const auto& cell : row) all += cell.as_text() + " | ";
  EXPECT_NE(all.find("Is Strategy B worth its cost"), std::string::npos) << all;
  // The price at the first threshold, as the price results hold it.
  ASSERT_FALSE(in.price->prices.empty());
  EXPECT_NE(all.find(with_commas(in.price->prices.front().price)), std::string::npos) << all;
  // B's increment against standard of care, from the run.
  const auto& increment = *std::find_if(in.run->increments.begin(), in.run->increments.end(), [](const auto& i) { return i.name == "B"; });
  EXPECT_NE(all.find(fmt::format("{:.3f} QALYs", increment.qalys.discounted.mean)), std::string::npos) << all;
  EXPECT_NE(all.find("Probability that it is the most cost-effective"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace

namespace {

// With a market section, the summary's market slots hold the run's own figures.
TEST(ReportAnswer, MarketSlotsHoldTheMarketAnalysisFigures) {
  const fs::path dir = fs::temp_directory_path() / ("hemsim_answer_market_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  ASSERT_EQ(hemsim_test::hemsim_cli("run " HEMSIM_SOURCE_DIR "/scenarios/bmsc_cipn.yaml -n 400 -q -o " + (dir / "run").string()), 0);
  const auto in = hemsim::load_report_inputs({(dir / "run").string()});
  ASSERT_TRUE(in.run && in.run->market);
  const auto& market = *in.run->market;
  const auto doc = hemsim::build_report(in);
  const auto* table = doc.find_table("answer");
  ASSERT_NE(table, nullptr);
  auto finding = [&](const std::string& slot) {
    for (const auto& row : table->rows)
      if (row[0].as_text().rfind(slot, 0) == 0) return row[1].as_text();
    return std::string("(absent)");
  };
  EXPECT_NE(finding("Market size").find(with_commas(market.eligible_per_year)), std::string::npos) << finding("Market size");
  EXPECT_NE(finding("Budget impact").find(with_commas(market.budget_impact_total)), std::string::npos) << finding("Budget impact");
  EXPECT_NE(finding("Population value").find(with_commas(market.population_nmb.front())), std::string::npos) << finding("Population value");
  EXPECT_NE(finding("Licence value").find(with_commas(market.royalty_npv)), std::string::npos) << finding("Licence value");
  EXPECT_EQ(table->caption.find("Not in these results"), std::string::npos) << table->caption;
  fs::remove_all(dir);
}

}  // namespace
