#include "hemsim/psa.hpp"

#include <Eigen/Cholesky>
#include <boost/math/distributions/normal.hpp>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <cmath>
#include <limits>
#include <fmt/format.h>

#include "engine/compile_workspace.hpp"
#include "scenario/expression_engine.hpp"
#include "hemsim/decision.hpp"
#include "hemsim/error.hpp"
#include "hemsim/market.hpp"
#include "hemsim/model.hpp"
#include "io/psa_checkpoint.hpp"
#include "engine/random_stream.hpp"

namespace hemsim {

ParameterSampler::ParameterSampler(const Scenario& scenario) {
  const int reference = std::max(0, scenario.strategy_index(scenario.settings.reference_strategy));
  const ParameterValues base = evaluate_parameters(scenario, reference);
  detail::ExpressionContext ctx(scenario.tables);
  for (std::size_t i = 0; i < base.names.size(); ++i) ctx.value(ctx.declare(base.names[i])) = base.values[i];
  ctx.value(ctx.declare("cycle_years")) = scenario.settings.cycle_length_years;
  auto evaluate = [&](const Expression& e) { return ctx.evaluate(ctx.compile(e, "distribution argument")); };
  auto dirichlet_of = [&](const std::string& name) -> std::pair<int, int> {
    for (std::size_t g = 0; g < scenario.dirichlet.size(); ++g)
      for (std::size_t j = 0; j < scenario.dirichlet[g].parameters.size(); ++j)
        if (scenario.dirichlet[g].parameters[j] == name) return {static_cast<int>(g), static_cast<int>(j)};
    return {-1, -1};
  };
  dirichlet_groups_.assign(scenario.dirichlet.size(), {});
  for (const auto& p : scenario.parameters) {
    if (p.is_formula) continue;
    const auto [group, member] = dirichlet_of(p.name);
    Distribution d;
    if (group >= 0) {
      d.kind = DistributionKind::gamma;
      d.a = scenario.dirichlet[static_cast<std::size_t>(group)].alpha[static_cast<std::size_t>(member)];
      d.b = 1.0;
      dirichlet_groups_[static_cast<std::size_t>(group)].push_back(static_cast<int>(names_.size()));
    } else if (p.distribution) {
      d = resolve_distribution(*p.distribution, evaluate);
      if (d.kind == DistributionKind::dirichlet)
        throw ScenarioError(p.distribution->where, "a Dirichlet distribution is declared for a group, under dirichlet:",
                            "dirichlet: [{parameters: [a, b, ...], alpha: [...]}]");
    } else {
      continue;
    }
    names_.push_back(p.name);
    distributions_.push_back(std::move(d));
    streams_.push_back(detail::stream_id(p.name));  // a parameter's stream is keyed by its name only
  }
  // Gaussian copula over the correlated parameters.
  for (std::size_t i = 0; i < names_.size(); ++i)
    for (const auto& c : scenario.correlations)
      if ((c.a == names_[i] || c.b == names_[i]) &&
          std::find(copula_members_.begin(), copula_members_.end(), static_cast<int>(i)) == copula_members_.end())
        copula_members_.push_back(static_cast<int>(i));
  if (!copula_members_.empty()) {
    const auto m = static_cast<Eigen::Index>(copula_members_.size());
    Eigen::MatrixXd correlation = Eigen::MatrixXd::Identity(m, m);
    auto position = [&](const std::string& name) {
      for (Eigen::Index k = 0; k < m; ++k)
        if (names_[static_cast<std::size_t>(copula_members_[static_cast<std::size_t>(k)])] == name) return k;
      return Eigen::Index{-1};
    };
    for (const auto& c : scenario.correlations) {
      const Eigen::Index a = position(c.a), b = position(c.b);
      correlation(a, b) = correlation(b, a) = c.rho;
    }
    const Eigen::LLT<Eigen::MatrixXd> llt(correlation);
    if (llt.info() != Eigen::Success || (llt.matrixL().toDenseMatrix().diagonal().array() <= 1e-12).any())
      throw ScenarioError(scenario.correlations.front().where, "the correlations do not form a valid (positive definite) correlation matrix",
                          "correlations that can hold together");
    copula_factor_ = llt.matrixL();
  }
}

ParameterOverrides ParameterSampler::sample(std::uint64_t seed, std::uint32_t draw) const {
  const detail::RandomStream random(seed, draw);
  std::vector<double> u(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) u[i] = random.uniform(streams_[i], detail::Purpose::parameter, 0);
  if (!copula_members_.empty()) {
    const boost::math::normal standard;
    Eigen::VectorXd z(static_cast<Eigen::Index>(copula_members_.size()));
    for (Eigen::Index k = 0; k < z.size(); ++k) z(k) = boost::math::quantile(standard, u[static_cast<std::size_t>(copula_members_[static_cast<std::size_t>(k)])]);
    const Eigen::VectorXd correlated = copula_factor_ * z;
    for (Eigen::Index k = 0; k < z.size(); ++k)
      u[static_cast<std::size_t>(copula_members_[static_cast<std::size_t>(k)])] =
          std::clamp(boost::math::cdf(standard, correlated(k)), 1e-300, 1 - 1e-16);
  }
  std::vector<double> value(names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) value[i] = distributions_[i].quantile(u[i]);
  for (const auto& group : dirichlet_groups_) {  // gamma draws normalised
    double total = 0;
    for (int i : group) total += value[static_cast<std::size_t>(i)];
    for (int i : group) value[static_cast<std::size_t>(i)] /= total;
  }
  ParameterOverrides sampled;
  for (std::size_t i = 0; i < names_.size(); ++i) sampled[names_[i]] = value[i];
  return sampled;
}

ParameterOverrides sample_parameters(const Scenario& scenario, std::uint64_t seed, std::uint32_t draw) {
  return ParameterSampler(scenario).sample(seed, draw);
}

namespace {

// The people a decision on `market` affects: every eligible patient, newly eligible each
// market year (incident basis, discounted like evpi_population's annual incidence) or
// the prevalent pool at once.
double market_effective_population(const MarketSpec& market, double discount_rate) {
  double eligible = market.population;
  for (const MarketStep& step : market.funnel) eligible *= step.proportion;
  if (market.basis == MarketSpec::Basis::prevalent) return effective_population(0.0, 0.0, discount_rate, eligible);
  return effective_population(eligible, static_cast<double>(market.uptake.size()), discount_rate);
}

/// A draw's row of every per-draw table of `r`, in the order run_psa lists them.
// The market measures a PSA keeps per draw (PsaResults::market_measures).
std::vector<std::string> market_measure_names(const std::vector<double>& thresholds) {
  std::vector<std::string> names{"eligible_per_year", "budget_impact", "revenue", "royalty_npv"};
  for (double w : thresholds) names.push_back(fmt::format("population_nmb_{}", w));
  return names;
}

std::vector<double> market_values(const MarketResults& m) {
  std::vector<double> values{m.eligible_per_year, m.budget_impact_total, m.revenue_total, m.royalty_npv};
  values.insert(values.end(), m.population_nmb.begin(), m.population_nmb.end());
  return values;
}

std::vector<double> draw_values(const PsaResults& r, const ParameterOverrides& sampled, const RunResults& run) {
  const auto K = r.strategies.size();
  const auto P = r.perspectives.size();
  std::vector<double> values;
  for (const auto& name : r.parameters) values.push_back(sampled.at(name));
  auto per_strategy = [&](auto&& value_of) {
    for (std::size_t k = 0; k < K; ++k) values.push_back(value_of(run.strategies[k], k));
  };
  for (std::size_t p = 0; p < P; ++p) per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.costs_by_perspective[p].discounted.mean; });
  for (std::size_t p = 0; p < P; ++p) per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.costs_by_perspective[p].discounted.mcse; });
  const bool qalys = r.effect_measure == "qalys";
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return (qalys ? o.qalys : o.life_years).discounted.mean; });
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return (qalys ? o.qalys : o.life_years).discounted.mcse; });
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.qalys.discounted.mean; });
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.life_years.discounted.mean; });
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.qalys.undiscounted.mean; });
  per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.life_years.undiscounted.mean; });
  for (std::size_t e = 0; e < r.events.size(); ++e) per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.events[e].count.mean; });
  for (std::size_t c = 0; c < r.cost_categories.size(); ++c)
    per_strategy([&](const StrategyOutcomes& o, std::size_t) { return o.costs_by_category[c].discounted.mean; });
  // Increment errors: 0 in the reference's column (it has no increment).
  auto increment_of = [&](std::size_t k) -> const Increment* {
    for (const auto& inc : run.increments)
      if (inc.name == r.strategies[k]) return &inc;
    return nullptr;
  };
  for (std::size_t p = 0; p < P; ++p)
    per_strategy([&](const StrategyOutcomes&, std::size_t k) {
      const Increment* inc = increment_of(k);
      return inc ? inc->costs_by_perspective[p].discounted.mcse : 0.0;
    });
  per_strategy([&](const StrategyOutcomes&, std::size_t k) {
    const Increment* inc = increment_of(k);
    return inc ? (qalys ? inc->qalys : inc->life_years).discounted.mcse : 0.0;
  });
  return values;
}

/// The default scheduler: draws in parallel on this process's threads. Each draw writes
/// only its own rows, so the result does not depend on scheduling. With enough draws to
/// keep every thread busy, each draw's microsimulation runs on the thread that took the
/// draw (a one-thread arena): nested parallelism left threads idle waiting on each
/// other's inner reductions. The inner reduction tree does not depend on the thread
/// count, so the results are the same either way.
void run_draws_on_threads(const DrawWork& work, const PsaOptions& options) {
  const auto threads = tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  const bool serial_inner = work.missing.size() >= 4 * static_cast<std::size_t>(threads);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, work.missing.size(), 1), [&](const tbb::blocked_range<std::size_t>& range) {
    std::optional<tbb::task_arena> one_thread;
    if (serial_inner) one_thread.emplace(1);
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      if (options.cancelled && options.cancelled()) throw Cancelled();
      const std::uint64_t d = work.missing[i];
      std::vector<double> values;
      if (one_thread) {
        one_thread->execute([&] { values = work.compute(d); });
      } else {
        values = work.compute(d);
      }
      work.store(d, values);
    }
  });
}

}  // namespace

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
  else if (scenario.market)  // no evpi_population: the market's eligible patients (docs/methods.md, "Market and budget impact")
    r.effective_population = market_effective_population(*scenario.market, st.discount_costs);
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
  r.qalys_undiscounted = r.life_years_undiscounted = Eigen::MatrixXd::Zero(D, K);
  r.increment_costs_mcse.assign(P, Eigen::MatrixXd::Zero(D, K));
  r.increment_effects_mcse = Eigen::MatrixXd::Zero(D, K);
  for (const auto& e : scenario.events) r.events.push_back(e.name);
  for (const auto& c : scenario.cost_categories) r.cost_categories.push_back(c.name);
  r.costs_by_category.assign(r.cost_categories.size(), Eigen::MatrixXd::Zero(D, K));
  r.event_counts.assign(r.events.size(), Eigen::MatrixXd::Zero(D, K));
  if (scenario.market) r.market_measures = market_measure_names(scenario.settings.willingness_to_pay);
  r.market = Eigen::MatrixXd::Zero(D, static_cast<Eigen::Index>(r.market_measures.size()));

  // Every per-draw table, in a fixed order: a draw's row of all of them is what a
  // checkpoint saves.
  std::vector<Eigen::MatrixXd*> tables{&r.parameter_values};
  for (auto& m : r.costs) tables.push_back(&m);
  for (auto& m : r.costs_mcse) tables.push_back(&m);
  for (Eigen::MatrixXd* m : {&r.effects, &r.effects_mcse, &r.qalys, &r.life_years, &r.qalys_undiscounted, &r.life_years_undiscounted})
    tables.push_back(m);
  for (auto& m : r.event_counts) tables.push_back(&m);
  for (auto& m : r.costs_by_category) tables.push_back(&m);
  for (auto& m : r.increment_costs_mcse) tables.push_back(&m);
  tables.push_back(&r.increment_effects_mcse);
  tables.push_back(&r.market);
  std::size_t width = 0;
  for (const auto* m : tables) width += static_cast<std::size_t>(m->cols());
  std::unique_ptr<detail::PsaCheckpoint> checkpoint;
  std::vector<char> saved(options.draws, 0);
  const bool holds_results = options.scheduler.holds_results;
  if (!options.checkpoint.empty() && holds_results) {
    checkpoint = std::make_unique<detail::PsaCheckpoint>(options.checkpoint, options.checkpoint_key, width, detail::checkpoint_inputs(scenario));
    for (const auto& [draw, values] : checkpoint->load()) {
      if (draw < 1 || draw > options.draws) continue;  // a later run may ask for fewer draws
      const auto row = static_cast<Eigen::Index>(draw - 1);
      std::size_t i = 0;
      for (auto* m : tables)
        for (Eigen::Index c = 0; c < m->cols(); ++c) (*m)(row, c) = values[i++];
      saved[draw - 1] = 1;
    }
  }

  std::atomic<std::uint64_t> finished{0};
  for (char s : saved) finished += static_cast<std::uint64_t>(s);

  // One draw's values, in the order of `tables` (what a checkpoint saves). Draw d uses
  // parameter stream d + 1 and simulation stream d + 1; 0 is the base case.
  // Each thread keeps its parsed expressions from draw to draw (CompileWorkspace).
  tbb::enumerable_thread_specific<detail::CompileWorkspace> workspaces;
  auto compute = [&](std::uint64_t d) {
    const auto draw = static_cast<std::uint32_t>(d + 1);
    ParameterOverrides sampled = sampler.sample(seed, draw);
    for (const auto& [name, value] : options.fixed) sampled[name] = value;
    RunResults run;
    try {
      SimulationOptions sim;
      sim.method = options.method;
      sim.individuals = individuals;
      sim.seed = seed;
      sim.seed_set = true;
      sim.draw = draw;
      sim.cancelled = options.cancelled;
      run = simulate(detail::compile_model_in(&workspaces.local(), scenario, sampled), sim);
    } catch (const ScenarioError& e) {
      throw ScenarioError(e.where(), fmt::format("PSA draw {}: {}", d + 1, e.problem()), e.expected());
    }
    std::vector<double> values = draw_values(r, sampled, run);
    if (!r.market_measures.empty()) {
      std::vector<double> market(r.market_measures.size(), std::numeric_limits<double>::quiet_NaN());
      if (market_applies(scenario, run)) market = market_values(analyse_market(scenario, run, sampled));
      values.insert(values.end(), market.begin(), market.end());
    }
    return values;
  };
  auto store = [&](std::uint64_t d, const std::vector<double>& values) {
    if (values.size() != width) throw InternalError("a PSA draw's values do not fit the results");
    const auto row = static_cast<Eigen::Index>(d);
    std::size_t i = 0;
    for (auto* m : tables)
      for (Eigen::Index c = 0; c < m->cols(); ++c) (*m)(row, c) = values[i++];
    if (checkpoint) checkpoint->save(d + 1, values);
    const std::uint64_t done = ++finished;
    if (options.progress) options.progress(static_cast<double>(done) / static_cast<double>(options.draws));
  };
  DrawWork work;
  work.values_per_draw = width;
  work.compute = compute;
  if (holds_results) {
    work.store = store;
    for (std::uint64_t d = 0; d < options.draws; ++d)
      if (!saved[d]) work.missing.push_back(d);
  }
  if (options.scheduler.run) {
    options.scheduler.run(work);
  } else {
    run_draws_on_threads(work, options);
  }
  return r;
}

std::vector<ProbabilisticPrice> probabilistic_value_based_price(const Scenario& scenario, const PsaOptions& options, int strategy,
                                                                const std::string& price_parameter, const std::vector<double>& thresholds,
                                                                const std::vector<double>& probabilities) {
  const Parameter* p = scenario.find_parameter(price_parameter);
  if (!p || p->is_formula)
    throw ScenarioError({scenario.file, 0, 0, price_parameter}, fmt::format("'{}' is not a plain parameter", price_parameter), "a price parameter");
  const int K = static_cast<int>(scenario.strategies.size());
  if (strategy < 0 || strategy >= K) throw ScenarioError({scenario.file, 0, 0, "strategy"}, "no such strategy", "a strategy index");
  for (double q : probabilities)
    if (!(q > 0 && q < 1)) throw ScenarioError({scenario.file, 0, 0, "--probabilities"}, fmt::format("probability {} is outside (0, 1)", q), "levels such as 0.5, 0.8");
  const double p0 = std::stod(p->value.text), p1 = p0 == 0 ? 1000.0 : 2 * p0;
  PsaOptions at0 = options, at1 = options;
  at0.fixed[price_parameter] = p0;
  at1.fixed[price_parameter] = p1;
  const PsaResults r0 = run_psa(scenario, at0), r1 = run_psa(scenario, at1);
  if (!options.scheduler.holds_results) return {};  // computed draws for another process, which has the prices
  const Eigen::Index D = r0.effects.rows();
  const auto s = static_cast<Eigen::Index>(strategy);
  std::vector<ProbabilisticPrice> out;
  for (double w : thresholds) {
    ProbabilisticPrice result;
    result.willingness_to_pay = w;
    result.probabilities = probabilities;
    for (Eigen::Index d = 0; d < D; ++d) {
      const double slope = (r1.costs[0](d, s) - r0.costs[0](d, s)) / (p1 - p0);
      if (!(slope > 0))
        throw ScenarioError({scenario.file, 0, 0, price_parameter},
                            fmt::format("in draw {} the costs of '{}' do not increase with '{}'", d + 1, scenario.strategies[static_cast<std::size_t>(strategy)].name, price_parameter),
                            "a price parameter used in the strategy's costs");
      double best_other = -INFINITY;
      for (Eigen::Index k = 0; k < r0.effects.cols(); ++k) {
        if (k == s) continue;
        if (r1.costs[0](d, k) != r0.costs[0](d, k))
          throw ScenarioError({scenario.file, 0, 0, price_parameter},
                              fmt::format("'{}' also changes the costs of '{}'", price_parameter, scenario.strategies[static_cast<std::size_t>(k)].name),
                              "a price parameter used only by the priced strategy");
        best_other = std::max(best_other, w * r0.effects(d, k) - r0.costs[0](d, k));
      }
      result.break_even.push_back(p0 + (w * r0.effects(d, s) - r0.costs[0](d, s) - best_other) / slope);
    }
    std::vector<double> sorted = result.break_even;
    std::sort(sorted.begin(), sorted.end());
    for (double q : probabilities) {
      // At price x the probability is the share of draws with break_even >= x; the largest
      // x with share >= q is the ceil(qD)-th largest break-even price.
      const auto needed = static_cast<std::size_t>(std::ceil(q * static_cast<double>(D) - 1e-12));
      result.prices.push_back(sorted[sorted.size() - needed]);
    }
    out.push_back(std::move(result));
  }
  return out;
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

NoiseShares noise_shares(const PsaResults& psa, double warning_share) {
  NoiseShares noise;
  noise.warning_share = warning_share;
  if (psa.method == "cohort" || psa.costs.empty()) return noise;
  auto warn = [&](const std::string& what, double share, const std::string& consequence) {
    if (share > warning_share)
      noise.warnings.push_back(fmt::format("{}: {:.0f}% of the spread across draws is Monte Carlo noise{}", what, 100 * share, consequence));
  };
  for (std::size_t k = 0; k < psa.strategies.size(); ++k) {
    const auto col = static_cast<Eigen::Index>(k);
    NoiseShares::Row row{psa.strategies[k], decompose_variance(psa.costs[0].col(col), psa.costs_mcse[0].col(col)).monte_carlo_share,
                         decompose_variance(psa.effects.col(col), psa.effects_mcse.col(col)).monte_carlo_share};
    warn(row.strategy + " costs", row.costs, " of the inner simulation");
    warn(row.strategy + " effects", row.effects, " of the inner simulation");
    noise.strategies.push_back(row);
  }
  if (psa.increment_effects_mcse.size() == 0 || psa.increment_costs_mcse.empty()) return noise;
  const auto ref = static_cast<Eigen::Index>(psa.reference);
  const std::string& reference = psa.strategies[static_cast<std::size_t>(ref)];
  for (std::size_t k = 0; k < psa.strategies.size(); ++k) {
    const auto col = static_cast<Eigen::Index>(k);
    if (col == ref) continue;
    NoiseShares::Row row{psa.strategies[k],
                         decompose_variance(psa.costs[0].col(col) - psa.costs[0].col(ref), psa.increment_costs_mcse[0].col(col)).monte_carlo_share,
                         decompose_variance(psa.effects.col(col) - psa.effects.col(ref), psa.increment_effects_mcse.col(col)).monte_carlo_share};
    const std::string consequence = "; the probability that it is cost-effective against " + reference + " is uncertain for that reason";
    warn(row.strategy + " incremental costs", row.costs, consequence);
    warn(row.strategy + " incremental effects", row.effects, consequence);
    noise.increments.push_back(row);
  }
  return noise;
}

}  // namespace hemsim
