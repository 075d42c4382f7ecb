// The report's target-product-profile section (lib/report/report_tpp.cpp): contour lines
// against a plane whose level sets are known, and the section's tables and charts against
// the surface they show.

#include "report/report_tpp.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "hemsim/hemsim.hpp"

namespace {

hemsim::PriceSurface small_surface(std::optional<double> assumed_price) {
  const auto s = hemsim::load_scenario(HEMSIM_SOURCE_DIR "/tests/scenarios/tpp_therapy.yaml");
  hemsim::DsaOptions o;
  o.simulation.method = hemsim::Method::cohort;
  o.strategy = 2;
  const hemsim::TppOptions tpp{"price",
                               {50000, 100000},
                               hemsim::parse_surface_axis("p_response=0.3:0.7:3"),
                               hemsim::parse_surface_axis("median_durability=1:7:4"),
                               assumed_price};
  return hemsim::price_surface(s, o, tpp);
}

}  // namespace

TEST(ReportTpp, ContourSegmentsLieOnTheLevelSetOfAPlane) {
  // z = x + 2y: every contour point at level L satisfies x + 2y = L exactly (linear
  // interpolation is exact on a plane), and a level crossing two cells gives two segments.
  const std::vector<double> x{0, 1, 3}, y{0, 1, 2};
  std::vector<std::vector<double>> z(3, std::vector<double>(3));
  for (std::size_t i = 0; i < 3; ++i)
    for (std::size_t j = 0; j < 3; ++j) z[i][j] = x[i] + 2 * y[j];
  const auto segments = hemsim::detail::contour_segments(x, y, z, 2.5);
  ASSERT_EQ(segments.size(), 3U);  // cells (0,0), (0,1), (1,0); not (1,1), all above 2.5
  for (const auto& s : segments) {
    EXPECT_NEAR(s.x0 + 2 * s.y0, 2.5, 1e-12);
    EXPECT_NEAR(s.x1 + 2 * s.y1, 2.5, 1e-12);
  }
  EXPECT_TRUE(hemsim::detail::contour_segments(x, y, z, 100).empty());
  z[0][0] = NAN;  // a cell with a missing corner is skipped
  EXPECT_EQ(hemsim::detail::contour_segments(x, y, z, 2.5).size(), 2U);
}

TEST(ReportTpp, SectionHoldsEveryPriceAsNumbersAndTheAssumedPricesContour) {
  const auto plain = small_surface(std::nullopt);
  const double assumed = plain.price(plain.at(1, 1), 0, 2).per_dose;  // inside the surface at 100,000
  const auto surface = small_surface(assumed);
  const auto section = hemsim::detail::tpp_section(surface, "USD", "USD per QALY", [](const std::string& n) { return n; });
  const hemsim::ReportTable* all = nullptr;
  for (const auto& t : section.tables)
    if (t.id == "tpp_surface") all = &t;
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(all->sheet, "TPP");
  ASSERT_EQ(all->rows.size(), surface.points.size() * 2 * 3);  // points x perspectives x (break-even + 2 thresholds)
  std::size_t r = 0;
  for (const auto& p : surface.points)
    for (const auto& q : p.prices) {
      const auto& row = all->rows[r++];
      EXPECT_EQ(row[0].as_number(), p.value_a);
      EXPECT_EQ(row[1].as_number(), p.value_b);
      EXPECT_EQ(row[3].as_number(), q.willingness_to_pay);
      EXPECT_EQ(row[5].as_number(), q.per_dose);
      EXPECT_EQ(row[11].as_number(), q.per_patient);
    }
  ASSERT_EQ(section.charts.size(), 2U);  // one per threshold
  // The red contour of the assumed price at 100,000 passes through the centre point,
  // where the assumed price is the value-based price.
  const auto spec = nlohmann::json::parse(section.charts[1].vega_lite);
  bool through_centre = false;
  int red_points = 0;
  for (const auto& layer : spec.at("layer"))
    for (const auto& v : layer.at("data").at("values"))
      if (v.contains("assumed") && v.at("assumed").get<bool>()) {
        ++red_points;
        EXPECT_EQ(v.at("level").get<double>(), assumed);
        through_centre = through_centre || (std::abs(v.at("x").get<double>() - surface.axis_b.values[1]) < 1e-9 &&
                                            std::abs(v.at("y").get<double>() - surface.axis_a.values[1]) < 1e-9);
      }
  EXPECT_GT(red_points, 0);
  EXPECT_TRUE(through_centre);
  // Sentences for the lines at the base values: one per axis and threshold.
  EXPECT_EQ(hemsim::detail::tpp_headlines(surface).size(), 4U);
  EXPECT_TRUE(hemsim::detail::tpp_headlines(plain).empty());
}
