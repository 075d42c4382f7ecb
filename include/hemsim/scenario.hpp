#pragma once
/// \file scenario.hpp
/// A decision problem as written in a scenario file, parsed and checked, but not yet
/// evaluated: expressions are still text (with their source locations). Load one with
/// hemsim::load_scenario (scenario_io.hpp); compile it with hemsim::compile_model.
/// The format is documented in docs/scenario-format.md.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hemsim/distribution.hpp"
#include "hemsim/expression.hpp"
#include "hemsim/market.hpp"

namespace hemsim {

inline constexpr int kSchemaVersion = 1;

/// Which time points of the trace carry state rewards.
enum class RewardTiming {
  both_ends,     ///< points 0..T (DARTH convention)
  start_of_cycle,///< points 0..T-1
  end_of_cycle,  ///< points 1..T (heemod "end", Briggs et al.)
};

enum class WithinCycleCorrection {
  none,
  half_cycle,     ///< weights 1/2, 1, ..., 1, 1/2 on points 0..T
  trapezoid,      ///< same weights as half_cycle (the two coincide on points 0..T)
  simpson,        ///< textbook Simpson 1/3: 1/3, 4/3, 2/3, ..., 4/3, 1/3 (T even)
  simpson_darth,  ///< DARTH gen_wcc("Simpson1/3") as coded: 1/3, 2/3, 4/3, ..., 1/3
};

/// The outcome measure used as the denominator of ICERs.
enum class EffectMeasure { qalys, life_years };

struct Settings {
  double cycle_length_years = 1.0;     ///< the cycle length, converted to years
  std::string cycle_unit = "year";     ///< as written: day, week, month, year
  double cycle_length_value = 1.0;     ///< as written
  bool lifetime = false;               ///< horizon "lifetime": until the youngest reaches max_age
  int horizon_cycles = 0;              ///< when not lifetime
  double max_age = 100.0;
  double discount_costs = 0.0;         ///< annual rates
  double discount_effects = 0.0;
  RewardTiming reward_timing = RewardTiming::both_ends;
  WithinCycleCorrection correction = WithinCycleCorrection::none;
  /// How a transition reward (paid on a move made in cycle t, i.e. at point t + 1) is
  /// weighted: by the discount factor of point t + 1 alone (the default), or also by the
  /// within-cycle weight of that point, as some published cohort models do
  /// (`transition_reward_weight: discount_only | destination_point`).
  bool transition_rewards_corrected = false;
  std::uint64_t individuals = 10000;
  std::uint64_t seed = 1;
  std::string currency = "USD";
  int price_year = 0;
  std::vector<double> willingness_to_pay;
  std::string reference_strategy;       ///< id; defaults to the first strategy
  /// Strategies run by default (`settings.strategies`); empty = all. The reference is
  /// always run.
  std::vector<std::string> strategies;
  EffectMeasure icer_effect = EffectMeasure::qalys;
  int state_time_cap = 0;               ///< cycles; 0 = the horizon
  /// Population for EVPI: people newly affected per year, years the decision holds,
  /// and people affected at the start (discounted at discount_costs). 0 = not given.
  double evpi_annual_incidence = 0.0, evpi_horizon_years = 0.0, evpi_prevalent = 0.0;
  SourceLocation where;
};

struct Parameter {
  std::string name;
  bool is_formula = false;    ///< derived: value is an expression of other parameters
  Expression value;           ///< a number or, when is_formula, an expression
  std::optional<DistributionSpec> distribution;  ///< for PSA
  bool has_range = false;     ///< DSA range
  Expression range_low, range_high;
  std::string source;         ///< citation
  std::string description;
  bool assumption = false;    ///< flagged as an assumption rather than sourced
  SourceLocation where;
};

/// A table loaded from CSV beside the scenario. Every value column becomes a function
/// `<table>_<column>(x)`: the row with the largest key <= x (clamped at both ends).
struct Table {
  std::string name;
  std::string file;           ///< as resolved (absolute or relative to cwd)
  std::string key_column;
  std::vector<double> keys;   ///< ascending
  std::vector<std::string> columns;
  std::vector<std::vector<double>> values;  ///< values[column][row]; NaN for an empty cell
  std::vector<int> row_lines;  ///< 1-based line in the file of each row (an empty cell read is reported there)
  std::string sha256;         ///< of the file's bytes as read (a PSA checkpoint compares it)
  SourceLocation where;
};

/// An individual attribute: fixed value or a distribution (discrete ones give codes 0..k-1).
/// An attribute named "age" is the age at entry; in expressions `age` is the current age.
struct Attribute {
  std::string name;
  DistributionSpec distribution;
  SourceLocation where;
};

struct CostCategory {
  std::string name;
  std::vector<std::string> perspectives;
  SourceLocation where;
};

/// A non-monetary outcome accumulated per cycle (e.g. workdays lost), reported like
/// costs: per strategy, discounted at the cost rate and undiscounted, with MCSE.
struct OutcomeDefinition {
  std::string name;
  std::string label;
  SourceLocation where;
};

struct State {
  std::string name;
  std::string label;
  std::string group;  ///< reports draw the trace by group (empty: the state alone)
  std::map<std::string, Expression> costs;  ///< per cycle, by category
  std::map<std::string, Expression> outcomes;  ///< per cycle, by outcome name
  std::optional<Expression> utility;         ///< annual quality weight (QALYs = weight x cycle years)
  std::optional<Expression> life_years;      ///< life-year weight; default 1, or 0 when dead
  bool absorbing = false;
  bool dead = false;
  SourceLocation where;
};

enum class TransitionKind { probability, rate, complement };

struct Transition {
  std::string from, to;
  TransitionKind kind = TransitionKind::probability;
  Expression value;  ///< empty for complement; rates are per year
  SourceLocation where;
};

/// One-off costs and QALY changes on a transition. from/to "*" means any state.
struct TransitionReward {
  std::string from, to;
  std::map<std::string, Expression> costs;
  std::optional<Expression> qalys;
  SourceLocation where;
};

/// A per-individual whole-number variable updated at the end of every cycle.
struct Counter {
  std::string name;
  int initial = 0;
  int max = 0;  ///< values are clamped to [0, max]
  std::map<std::string, int> increment_in;        ///< per cycle spent in state ("*" = any living state)
  std::map<std::string, int> increment_on_entry;  ///< on entering state from another
  std::vector<std::string> reset_on_entry;        ///< set to 0 on entering state from another
  SourceLocation where;
};

/// A named event whose incidence is reported: entering any of `enter` (from another
/// state) or making any of `transitions` ("A -> B").
struct Event {
  std::string name;
  std::string label;  ///< for reports; the name when not given
  std::vector<std::string> enter;
  std::vector<std::pair<std::string, std::string>> transitions;
  std::vector<double> report_years;  ///< times at which cumulative incidence is reported
  SourceLocation where;
};

/// A life table as a competing risk in every living state.
struct BackgroundMortality {
  std::string to;                 ///< the death state
  Expression annual_probability;  ///< e.g. "sex == 1 ? lt_qx_female(age) : lt_qx_male(age)"
  std::map<std::string, Expression> hazard_ratios;  ///< per state; default 1
  SourceLocation where;
};

struct StateOverride {
  std::map<std::string, Expression> costs;
  std::map<std::string, Expression> outcomes;
  std::optional<Expression> utility;
  std::optional<Expression> life_years;
  SourceLocation where;
};

struct Strategy {
  std::string name;
  std::string label;
  std::string description;
  std::map<std::string, Expression> parameters;  ///< overrides of value or formula
  std::map<std::string, StateOverride> states;
  std::vector<Transition> transitions;           ///< replace or add cells
  std::map<std::string, Expression> one_time_costs;  ///< at time 0, by category, undiscounted
  SourceLocation where;
};

/// Correlated PSA draws: a Gaussian copula over the parameters' own marginals.
struct Correlation {
  std::string a, b;
  double rho = 0.0;
  SourceLocation where;
};

/// Parameters drawn jointly from a Dirichlet distribution (e.g. multinomial transition
/// probabilities), in PSA.
struct DirichletGroup {
  std::vector<std::string> parameters;
  std::vector<double> alpha;
  SourceLocation where;
};

/// A named variant of the scenario (`scenarios:` section): its changes are applied when
/// the file is loaded with ScenarioChoices::variant (scenario_io.hpp).
struct VariantInfo {
  std::string name;
  std::string label;
  std::string rationale;
  SourceLocation where;
};

struct Scenario {
  int schema_version = kSchemaVersion;
  std::string name;
  std::string description;
  std::string file;  ///< where it was loaded from
  std::string sha256;  ///< of the scenario text as parsed (a PSA checkpoint compares it)
  Settings settings;
  std::vector<Parameter> parameters;
  std::vector<Table> tables;
  std::vector<Attribute> attributes;
  std::vector<CostCategory> cost_categories;
  std::vector<std::string> perspectives;
  std::vector<OutcomeDefinition> outcomes;
  std::vector<State> states;
  std::map<std::string, Expression> initial;  ///< state -> probability expression
  SourceLocation initial_where;
  std::vector<Transition> transitions;
  std::vector<TransitionReward> transition_rewards;
  std::vector<Counter> counters;
  std::vector<Event> events;
  std::optional<BackgroundMortality> background_mortality;
  std::vector<Strategy> strategies;
  std::vector<Correlation> correlations;
  std::vector<DirichletGroup> dirichlet;
  std::vector<VariantInfo> variants;  ///< every variant the file defines
  std::optional<MarketSpec> market;   ///< `market:` (market.hpp)
  std::string variant;                ///< the variant applied ("" = the base case)
  /// `--set NAME=VALUE` overrides applied, in order.
  std::vector<std::pair<std::string, std::string>> overrides;

  [[nodiscard]] int state_index(const std::string& state) const;        ///< -1 if absent
  [[nodiscard]] int strategy_index(const std::string& strategy) const;  ///< -1 if absent
  [[nodiscard]] const Parameter* find_parameter(const std::string& name) const;
};

}  // namespace hemsim
