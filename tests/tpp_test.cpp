// Target product profile (tpp.hpp): the price surface checked against re-runs of the
// model at its points (at the reported price the ICER against the next best equals the
// threshold; at the break-even price the incremental cost is 0), doses per patient
// against the model's own count of re-doses, and the evidence thresholds against re-runs
// at the reported parameter value (INMB 0). Model: tests/scenarios/tpp_therapy.yaml.

#include "hemsim/tpp.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "hemsim/hemsim.hpp"
#include "support/files_and_commands.hpp"

namespace {

constexpr int kUsual = 0, kTherapy = 2;

hemsim::Scenario therapy_model() { return hemsim::load_scenario(HEMSIM_SOURCE_DIR "/tests/scenarios/tpp_therapy.yaml"); }

hemsim::DsaOptions options_for(hemsim::Method method, int perspective = 0) {
  hemsim::DsaOptions o;
  o.simulation.method = method;
  o.simulation.individuals = 2000;
  o.strategy = kTherapy;
  o.perspective = perspective;
  return o;
}

hemsim::TppOptions tpp_options(int steps_a, int steps_b, std::optional<double> assumed_price = std::nullopt) {
  return {"price",
          {50000, 100000},
          hemsim::parse_surface_axis(fmt::format("p_response=0.3:0.7:{}", steps_a)),
          hemsim::parse_surface_axis(fmt::format("median_durability=1:7:{}", steps_b)),
          assumed_price};
}

// The run at a point of the surface with the price set, summarised against `comparator`.
hemsim::EvaluatedRun rerun(const hemsim::Scenario& s, hemsim::DsaOptions o, const hemsim::SurfacePoint& point, double price, int comparator,
                           int perspective, double wtp) {
  o.comparator = comparator;
  o.perspective = perspective;
  o.willingness_to_pay = wtp;
  return hemsim::evaluate_run(s, {{"p_response", point.value_a}, {"median_durability", point.value_b}, {"price", price}}, o);
}

}  // namespace

TEST(TppSurface, ParsesAxesAndNamesTheOptionOfABadOne) {
  const auto axis = hemsim::parse_surface_axis("p_response=0.3:0.8:6");
  EXPECT_EQ(axis.parameter, "p_response");
  ASSERT_EQ(axis.values.size(), 6U);
  EXPECT_DOUBLE_EQ(axis.values[0], 0.3);
  EXPECT_DOUBLE_EQ(axis.values[1], 0.4);
  EXPECT_DOUBLE_EQ(axis.values[5], 0.8);
  for (const char* bad : {"p=0.3:0.8", "=1:2:3", "p=1:0:3", "p=0:1:1", "p=a:1:3", "p=0:1:3x", "p0:1:3"}) {
    try {
      (void)hemsim::parse_surface_axis(bad);
      ADD_FAILURE() << bad;
    } catch (const hemsim::ScenarioError& e) {
      EXPECT_NE(std::string(e.what()).find("--surface"), std::string::npos) << e.what();
    }
  }
}

TEST(TppSurface, CohortPricesGiveTheThresholdIcerAndBreakEvenAtEveryPointAndPerspective) {
  const auto s = therapy_model();
  const auto options = options_for(hemsim::Method::cohort);
  const auto surface = hemsim::price_surface(s, options, tpp_options(3, 3));
  ASSERT_EQ(surface.points.size(), 9U);
  ASSERT_EQ(surface.perspectives.size(), 2U);
  int checked = 0;
  for (const auto& point : surface.points)
    for (int p = 0; p < 2; ++p) {
      // Break-even: at that price the therapy costs exactly what the cheapest other strategy does.
      const auto& even = surface.price(point, p, 0);
      EXPECT_EQ(even.willingness_to_pay, 0.0);
      ASSERT_GT(even.per_dose, 0.0);
      const auto at_even = rerun(s, options, point, even.per_dose, even.next_best, p, 1.0);
      EXPECT_NEAR(at_even.evaluation.incremental_cost, 0.0, 1e-6 * at_even.evaluation.costs[kUsual]);
      for (std::size_t t = 1; t <= surface.thresholds.size(); ++t) {
        const auto& q = surface.price(point, p, t);
        const double w = surface.thresholds[t - 1];
        EXPECT_EQ(q.willingness_to_pay, w);
        EXPECT_EQ(q.per_dose_mcse, 0.0);  // a cohort has no Monte Carlo error
        if (q.per_dose < 0) continue;     // not cost-effective even if free: a negative price cannot be run
        ++checked;
        const auto at_price = rerun(s, options, point, q.per_dose, q.next_best, p, w);
        EXPECT_NEAR(at_price.evaluation.icer, w, 1e-6 * w) << point.value_a << " " << point.value_b << " " << p;
        // ... and the strategy it ties with is the best of the others there.
        for (std::size_t k = 0; k < 3; ++k) {
          if (static_cast<int>(k) == kTherapy) continue;
          EXPECT_LE(w * at_price.evaluation.effects[k] - at_price.evaluation.costs[k],
                    w * at_price.evaluation.effects[static_cast<std::size_t>(q.next_best)] -
                        at_price.evaluation.costs[static_cast<std::size_t>(q.next_best)] + 1e-6);
        }
      }
    }
  EXPECT_GE(checked, 30);  // of 9 points x 2 perspectives x 2 thresholds
  // Productivity losses avoided are worth more to society: a higher price in that perspective.
  EXPECT_GT(surface.price(surface.at(1, 1), 1, 2).per_dose, surface.price(surface.at(1, 1), 0, 2).per_dose);
  // More response and longer durability are worth more.
  EXPECT_GT(surface.price(surface.at(2, 1), 0, 2).per_dose, surface.price(surface.at(0, 1), 0, 2).per_dose);
}

TEST(TppSurface, DosesPerPatientAreTheFirstDosePlusTheModelsRedoses) {
  // Independent count: the first dose at time 0 plus the expected number of entries into
  // the re-dose state (the model's `redose` event), from a plain run at that point.
  const auto s = therapy_model();
  const auto surface = hemsim::price_surface(s, options_for(hemsim::Method::cohort), tpp_options(2, 3));
  hemsim::SimulationOptions cohort;
  cohort.method = hemsim::Method::cohort;
  for (const auto& point : surface.points) {
    const auto run =
        hemsim::simulate(hemsim::compile_model(s, {{"p_response", point.value_a}, {"median_durability", point.value_b}}), cohort);
    const double doses = 1.0 + run.strategies[kTherapy].events.at(0).count.mean;
    for (int p = 0; p < 2; ++p) {
      EXPECT_NEAR(point.doses_per_patient[static_cast<std::size_t>(p)].mean, doses, 1e-9);
      const auto& q = surface.price(point, p, 1);
      EXPECT_NEAR(q.per_patient, q.per_dose * doses, 1e-6 * q.per_patient);
    }
  }
  // Shorter durability: more relapses, more re-doses.
  EXPECT_GT(surface.at(0, 0).doses_per_patient[0].mean, surface.at(0, 2).doses_per_patient[0].mean);
}

TEST(TppSurface, CohortEvidenceThresholdsGiveZeroNetBenefitWhenReRun) {
  const auto s = therapy_model();
  const auto options = options_for(hemsim::Method::cohort);
  // An assumed price inside the surface's range, so that the lines cross.
  const auto plain = hemsim::price_surface(s, options, tpp_options(3, 3));
  const double price = plain.price(plain.at(1, 1), 0, 2).per_dose;
  const auto surface = hemsim::price_surface(s, options, tpp_options(3, 3, price));
  // Per threshold: 2 lines at the base values + 3 rows + 3 columns.
  ASSERT_EQ(surface.evidence.size(), 2U * (2 + 3 + 3));
  int crossings = 0;
  for (const auto& e : surface.evidence) {
    if (!e.value) continue;
    ++crossings;
    const double a = e.parameter == "p_response" ? *e.value : e.held_value;
    const double b = e.parameter == "p_response" ? e.held_value : *e.value;
    hemsim::DsaOptions o = options;
    o.comparator = e.next_best;
    o.willingness_to_pay = e.willingness_to_pay;
    const auto at = hemsim::evaluate(s, {{"p_response", a}, {"median_durability", b}, {"price", price}}, o);
    EXPECT_NEAR(at.incremental_net_benefit, 0.0, 1e-6 * std::abs(at.costs[kTherapy])) << e.parameter << " " << e.held_value;
    EXPECT_EQ(e.value_mcse, 0.0);
    // The direction: a little beyond the root (towards cost_effective_above) the INMB is positive.
    const double step = 0.01 * (e.parameter == "p_response" ? 0.4 : 6.0) * (e.cost_effective_above ? 1 : -1);
    const auto beyond = hemsim::evaluate(s,
                                         {{"p_response", a + (e.parameter == "p_response" ? step : 0)},
                                          {"median_durability", b + (e.parameter == "p_response" ? 0 : step)},
                                          {"price", price}},
                                         o);
    EXPECT_GT(beyond.incremental_net_benefit, 0.0);
  }
  EXPECT_GE(crossings, 4);
  // At the centre point the assumed price is the value-based price at 100,000: the row
  // through it crosses exactly there.
  for (const auto& e : surface.evidence)
    if (e.willingness_to_pay == 100000 && !e.held_at_base && e.parameter == "p_response" && e.held_value == surface.axis_b.values[1]) {
      ASSERT_TRUE(e.value.has_value());
      EXPECT_NEAR(*e.value, surface.axis_a.values[1], 1e-6);
    }
}

TEST(TppSurface, MicrosimPricesArePairedAndMatchValueBasedPriceAtTheBasePoint) {
  // The grid includes the base values (p_response 0.5, median_durability 4): there the
  // surface's price and MCSE are value_based_price's (the same runs and formula).
  const auto s = therapy_model();
  const auto options = options_for(hemsim::Method::microsimulation);
  const hemsim::TppOptions tpp{"price",
                               {100000},
                               hemsim::parse_surface_axis("p_response=0.3:0.5:2"),
                               hemsim::parse_surface_axis("median_durability=2:4:2"),
                               std::nullopt};
  const auto surface = hemsim::price_surface(s, options, tpp);
  const auto& base = surface.at(1, 1);
  const auto direct = hemsim::value_based_price(s, options, "price", {100000}).at(0);
  EXPECT_NEAR(surface.price(base, 0, 1).per_dose, direct.price, 1e-9 * direct.price);
  EXPECT_NEAR(surface.price(base, 0, 1).per_dose_mcse, direct.price_mcse, 1e-9 * direct.price_mcse);
  EXPECT_EQ(surface.price(base, 0, 1).next_best, direct.next_best);
  for (const auto& point : surface.points) {
    const auto& q = surface.price(point, 0, 1);
    EXPECT_GT(q.per_dose_mcse, 0.0);
    EXPECT_GT(q.per_patient_mcse, 0.0);
    EXPECT_GT(point.doses_per_patient[0].mcse, 0.0);
    // Costs are linear in the price for every individual: the re-run ICER is the threshold.
    const auto at_price = rerun(s, options, point, q.per_dose, q.next_best, 0, 100000);
    EXPECT_NEAR(at_price.evaluation.icer, 100000, 1e-6 * 100000);
    const auto& even = surface.price(point, 0, 0);
    const auto at_even = rerun(s, options, point, even.per_dose, even.next_best, 0, 1.0);
    EXPECT_NEAR(at_even.evaluation.incremental_cost, 0.0, 1e-6 * at_even.evaluation.costs[kUsual]);
  }
}

TEST(TppSurface, MicrosimEvidenceThresholdIsWithinItsNoiseOfZeroNetBenefit) {
  const auto s = therapy_model();
  const auto options = options_for(hemsim::Method::microsimulation);
  const hemsim::TppOptions tpp{"price",
                               {100000},
                               hemsim::parse_surface_axis("p_response=0.2:0.8:4"),
                               hemsim::parse_surface_axis("median_durability=1:7:3"),
                               std::nullopt};
  const double price = hemsim::value_based_price(s, options, "price", {100000}).at(0).price;
  auto with_price = tpp;
  with_price.assumed_price = price;
  const auto surface = hemsim::price_surface(s, options, with_price);
  int checked = 0;
  for (const auto& e : surface.evidence) {
    if (!e.value) continue;
    ++checked;
    EXPECT_TRUE(std::isfinite(e.value_mcse));
    EXPECT_GT(e.value_mcse, 0.0);
    const double a = e.parameter == "p_response" ? *e.value : e.held_value;
    const double b = e.parameter == "p_response" ? e.held_value : *e.value;
    hemsim::DsaOptions o = options;
    o.comparator = e.next_best;
    o.willingness_to_pay = 100000;
    const auto at = hemsim::evaluate(s, {{"p_response", a}, {"median_durability", b}, {"price", price}}, o);
    EXPECT_NEAR(at.incremental_net_benefit, e.net_benefit_at_value, 1e-9 * std::abs(at.costs[kTherapy]));  // the reported run is that run
    EXPECT_LE(std::abs(at.incremental_net_benefit), 2 * at.incremental_net_benefit_mcse);
  }
  // The base-case price: along each axis at the other's base value, the line crosses
  // within a few MCSE of the base value.
  for (const auto& e : surface.evidence)
    if (e.held_at_base && e.parameter == "p_response") {
      ASSERT_TRUE(e.value.has_value());
      EXPECT_LT(std::abs(*e.value - 0.5), 4 * e.value_mcse + 1e-9);
    }
  EXPECT_GE(checked, 3);
}

TEST(TppSurface, RoundTripsThroughDsaJson) {
  const auto s = therapy_model();
  hemsim::DsaReport report;
  report.strategies = {"usual", "drug", "therapy"};
  report.price_parameter = "price";
  report.tpp = hemsim::price_surface(s, options_for(hemsim::Method::cohort), tpp_options(2, 2, 20000.0));
  const auto back = hemsim::dsa_from_json(hemsim::dsa_to_json(report));
  ASSERT_TRUE(back.tpp.has_value());
  EXPECT_EQ(hemsim::price_surface_csv(*back.tpp), hemsim::price_surface_csv(*report.tpp));
  EXPECT_EQ(hemsim::evidence_thresholds_csv(*back.tpp), hemsim::evidence_thresholds_csv(*report.tpp));
  EXPECT_EQ(back.tpp->axis_b.base_value, 4.0);
  EXPECT_EQ(*back.tpp->assumed_price, 20000.0);
}

TEST(TppSurface, RejectsAnAxisOverThePriceOrAnUnknownParameter) {
  const auto s = therapy_model();
  auto tpp = tpp_options(2, 2);
  tpp.axis_b = hemsim::parse_surface_axis("price=1:2:2");
  EXPECT_THROW((void)hemsim::price_surface(s, options_for(hemsim::Method::cohort), tpp), hemsim::ScenarioError);
  tpp.axis_b = hemsim::parse_surface_axis("nope=1:2:2");
  EXPECT_THROW((void)hemsim::price_surface(s, options_for(hemsim::Method::cohort), tpp), hemsim::ScenarioError);
  tpp.axis_b = hemsim::parse_surface_axis("p_response=0.1:0.2:2");  // the same as axis a
  EXPECT_THROW((void)hemsim::price_surface(s, options_for(hemsim::Method::cohort), tpp), hemsim::ScenarioError);
}

TEST(TppCommand, WritesTheSurfaceAndEvidenceAndRejectsABadAxis) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("hemsim_tpp_cli_{}", ::getpid());
  std::filesystem::remove_all(dir);
  const std::string model = HEMSIM_SOURCE_DIR "/tests/scenarios/tpp_therapy.yaml";
  ASSERT_EQ(
      hemsim_test::hemsim_cli(fmt::format("price {} --parameter price --strategy therapy --method cohort --wtp 100000 "
                                          "--surface p_response=0.3:0.7:3 --surface median_durability=1:7:3 --at-price 20000 --out {}",
                                          model, dir.string())),
      0);
  const auto j = nlohmann::json::parse(hemsim_test::read_bytes(dir / "dsa.json"));
  ASSERT_TRUE(j.contains("tpp"));
  EXPECT_EQ(j["tpp"]["points"].size(), 9U);
  EXPECT_EQ(j["tpp"]["assumed_price"].get<double>(), 20000.0);
  EXPECT_FALSE(hemsim_test::read_bytes(dir / "price_surface.csv").empty());
  EXPECT_FALSE(hemsim_test::read_bytes(dir / "evidence_thresholds.csv").empty());
  // The surface in dsa.json is the library's.
  const auto s = therapy_model();
  auto o = options_for(hemsim::Method::cohort);
  const hemsim::TppOptions tpp{"price",
                               {100000},
                               hemsim::parse_surface_axis("p_response=0.3:0.7:3"),
                               hemsim::parse_surface_axis("median_durability=1:7:3"),
                               std::optional<double>(20000.0)};
  EXPECT_EQ(hemsim::price_surface_csv(hemsim::price_surface(s, o, tpp)), hemsim_test::read_bytes(dir / "price_surface.csv"));
  EXPECT_EQ(hemsim_test::hemsim_cli(fmt::format("price {} --parameter price --method cohort --surface p_response=0.3:0.7", model)), 2);
  EXPECT_EQ(hemsim_test::hemsim_cli(fmt::format("price {} --parameter price --method cohort --surface p_response=0.3:0.7:3", model)), 2);
  EXPECT_EQ(hemsim_test::hemsim_cli(
                fmt::format("price {} --parameter price --method cohort --surface nope=1:2:2 --surface p_response=0.3:0.7:3", model)),
            2);
  std::filesystem::remove_all(dir);
}
