#include "hemsim/psa.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <atomic>
#include <fmt/format.h>

#include "expression_engine.hpp"
#include "hemsim/decision.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "random_stream.hpp"

namespace hemsim {

ParameterSampler::ParameterSampler(const Scenario& scenario) {
  const int reference = std::max(0, scenario.strategy_index(scenario.settings.reference_strategy));
  const ParameterValues base = evaluate_parameters(scenario, reference);
  detail::ExpressionContext ctx(scenario.tables);
  for (std::size_t i = 0; i < base.names.size(); ++i) ctx.value(ctx.declare(base.names[i])) = base.values[i];
  ctx.value(ctx.declare("cycle_years")) = scenario.settings.cycle_length_years;
  auto evaluate = [&](const Expression& e) { return ctx.evaluate(ctx.compile(e, "distribution argument")); };
  for (const auto& p : scenario.parameters) {
    if (!p.distribution || p.is_formula) continue;
    Distribution d = resolve_distribution(*p.distribution, evaluate);
    if (d.kind == DistributionKind::dirichlet)
      throw ScenarioError(p.distribution->where, "Dirichlet parameters are not supported in PSA yet", "a scalar distribution");
    names_.push_back(p.name);
    distributions_.push_back(std::move(d));
    streams_.push_back(detail::stream_id(p.name));  // a parameter's stream is keyed by its name only
  }
}

ParameterOverrides ParameterSampler::sample(std::uint64_t seed, std::uint32_t draw) const {
  const detail::RandomStream random(seed, draw);
  ParameterOverrides sampled;
  for (std::size_t i = 0; i < names_.size(); ++i)
    sampled[names_[i]] = distributions_[i].quantile(random.uniform(streams_[i], detail::Purpose::parameter, 0));
  return sampled;
}

ParameterOverrides sample_parameters(const Scenario& scenario, std::uint64_t seed, std::uint32_t draw) {
  return ParameterSampler(scenario).sample(seed, draw);
}

PsaResults run_psa(const Scenario& scenario, const PsaOptions& options) {
  if (options.draws < 1) throw ScenarioError({scenario.file, 0, 0, "--draws"}, "no PSA draws requested", "at least one draw");
  const std::uint64_t seed = options.seed_set || options.seed ? options.seed : scenario.settings.seed;
  const std::uint64_t individuals = options.individuals ? options.individuals : scenario.settings.individuals;
  const auto D = static_cast<Eigen::Index>(options.draws);
  const auto K = static_cast<Eigen::Index>(scenario.strategies.size());
  const auto P = scenario.perspectives.size();

  PsaResults r;
  r.scenario_name = scenario.name;
  r.method = to_string(options.method);
  r.seed = seed;
  r.draws = options.draws;
  r.individuals = options.method == Method::microsimulation ? individuals : 0;
  r.effect_measure = scenario.settings.icer_effect == EffectMeasure::qalys ? "qalys" : "life_years";
  r.willingness_to_pay = scenario.settings.willingness_to_pay;
  r.reference = std::max(0, scenario.strategy_index(scenario.settings.reference_strategy));
  const Settings& st = scenario.settings;
  if (st.evpi_annual_incidence > 0 || st.evpi_prevalent > 0)
    r.effective_population = effective_population(st.evpi_annual_incidence, st.evpi_horizon_years, st.discount_costs, st.evpi_prevalent);
  for (const auto& s : scenario.strategies) r.strategies.push_back(s.name);
  r.perspectives = scenario.perspectives;
  const ParameterSampler sampler(scenario);
  r.parameters = sampler.names();
  if (r.parameters.empty())
    throw ScenarioError({scenario.file, 0, 0, "parameters"}, "no parameter has a PSA distribution", "distribution: {...} on the uncertain parameters");
  r.parameter_values = Eigen::MatrixXd::Zero(D, static_cast<Eigen::Index>(r.parameters.size()));
  r.costs.assign(P, Eigen::MatrixXd::Zero(D, K));
  r.costs_mcse.assign(P, Eigen::MatrixXd::Zero(D, K));
  r.effects = r.effects_mcse = r.qalys = r.life_years = Eigen::MatrixXd::Zero(D, K);

  std::atomic<std::uint64_t> finished{0};
  // Each draw writes only its own rows: the result does not depend on scheduling.
  tbb::parallel_for(tbb::blocked_range<std::uint64_t>(0, options.draws, 1), [&](const tbb::blocked_range<std::uint64_t>& range) {
    for (std::uint64_t d = range.begin(); d != range.end(); ++d) {
      const auto row = static_cast<Eigen::Index>(d);
      // Draw d uses parameter stream d + 1 and simulation stream d + 1; 0 is the base case.
      const auto draw = static_cast<std::uint32_t>(d + 1);
      const ParameterOverrides sampled = sampler.sample(seed, draw);
      for (std::size_t j = 0; j < r.parameters.size(); ++j) r.parameter_values(row, static_cast<Eigen::Index>(j)) = sampled.at(r.parameters[j]);
      RunResults run;
      try {
        SimulationOptions sim;
        sim.method = options.method;
        sim.individuals = individuals;
        sim.seed = seed;
        sim.seed_set = true;
        sim.draw = draw;
        run = simulate(compile_model(scenario, sampled), sim);
      } catch (const ScenarioError& e) {
        throw ScenarioError(e.where(), fmt::format("PSA draw {}: {}", d + 1, e.problem()), e.expected());
      }
      for (Eigen::Index k = 0; k < K; ++k) {
        const auto& o = run.strategies[static_cast<std::size_t>(k)];
        for (std::size_t p = 0; p < P; ++p) {
          r.costs[p](row, k) = o.costs_by_perspective[p].discounted.mean;
          r.costs_mcse[p](row, k) = o.costs_by_perspective[p].discounted.mcse;
        }
        r.qalys(row, k) = o.qalys.discounted.mean;
        r.life_years(row, k) = o.life_years.discounted.mean;
        const auto& effect = r.effect_measure == "qalys" ? o.qalys.discounted : o.life_years.discounted;
        r.effects(row, k) = effect.mean;
        r.effects_mcse(row, k) = effect.mcse;
      }
      const std::uint64_t done = ++finished;
      if (options.progress) options.progress(static_cast<double>(done) / static_cast<double>(options.draws));
    }
  });
  return r;
}

VarianceDecomposition decompose_variance(const Eigen::VectorXd& means, const Eigen::VectorXd& mcse) {
  VarianceDecomposition v;
  const auto n = static_cast<double>(means.size());
  if (means.size() < 2 || mcse.size() != means.size()) return v;
  const double mean = means.mean();
  v.total = (means.array() - mean).square().sum() / (n - 1);
  v.monte_carlo = mcse.array().square().mean();
  v.parameter = std::max(0.0, v.total - v.monte_carlo);
  v.monte_carlo_share = v.total > 0 ? std::min(1.0, v.monte_carlo / v.total) : 0.0;
  return v;
}

}  // namespace hemsim
