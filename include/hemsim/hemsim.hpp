#pragma once
/// \file hemsim.hpp
/// Everything in one include.
///
///     auto scenario = hemsim::load_scenario("scenarios/validation/sick_sicker_microsim.yaml");
///     auto results = hemsim::run_scenario(scenario, {});
///     std::cout << hemsim::format_results_table(results);

#include "hemsim/decision.hpp"
#include "hemsim/decision_json.hpp"
#include "hemsim/decision_outputs.hpp"
#include "hemsim/distribution.hpp"
#include "hemsim/dsa.hpp"
#include "hemsim/dsa_io.hpp"
#include "hemsim/embedding.hpp"
#include "hemsim/error.hpp"
#include "hemsim/market.hpp"
#include "hemsim/model.hpp"
#include "hemsim/output_folder.hpp"
#include "hemsim/parameters.hpp"
#include "hemsim/paired.hpp"
#include "hemsim/precision.hpp"
#include "hemsim/psa.hpp"
#include "hemsim/psa_io.hpp"
#include "hemsim/report.hpp"
#include "hemsim/report_figures.hpp"
#include "hemsim/report_html.hpp"
#include "hemsim/report_writer.hpp"
#include "hemsim/report_xlsx.hpp"
#include "hemsim/results.hpp"
#include "hemsim/results_io.hpp"
#include "hemsim/scenario.hpp"
#include "hemsim/scenario_io.hpp"
#include "hemsim/simulation.hpp"
#include "hemsim/tpp.hpp"
#include "hemsim/variants.hpp"
#include "hemsim/version.hpp"
