#pragma once
// The compiled model: dense tables and small descriptors, no strings on the hot path.
//
// Every expression becomes a Quantity. Its value for an individual at a cycle is read
// from a table indexed by the "coordinates" it depends on:
//   coordinate 0: t (cycle, 0..T)          coordinate 1: age on the cycle grid
//   coordinate 2: time in state (capped)   then one per counter, then one per discrete attribute.
// Expressions that use a continuous attribute are evaluated per individual (once, when
// they use nothing that changes) or, as a last resort, at every cycle ("dynamic").

#include <array>
#include <cmath>
#include <limits>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "scenario/expression_engine.hpp"
#include "hemsim/distribution.hpp"
#include "hemsim/error.hpp"
#include "hemsim/model.hpp"
#include "hemsim/scenario.hpp"

namespace hemsim::detail {

inline constexpr int kCoordT = 0;
inline constexpr int kCoordAge = 1;
inline constexpr int kCoordStateTime = 2;
inline constexpr int kFirstCounterCoord = 3;
inline constexpr int kMaxTableDims = 8;

/// What values an expression may take; checked where the value is computed.
enum class ValueCheck : std::uint8_t { probability, nonnegative, finite };

struct Quantity {
  enum class Kind : std::uint8_t { constant, table, per_individual, dynamic };
  Kind kind = Kind::constant;
  ValueCheck check = ValueCheck::finite;
  std::uint8_t dim_count = 0;
  double constant = 0.0;
  std::uint32_t offset = 0;  ///< table: first entry in CompiledModelData::table_values
  std::array<std::uint8_t, kMaxTableDims> dims{};
  std::array<std::uint32_t, kMaxTableDims> strides{};
  int slot = -1;           ///< per_individual / dynamic: index into StrategyModel::runtime_expressions
  std::uint64_t uses = 0;  ///< bit c set when the expression reads coordinate c (any kind)
  bool depends_on_time_only() const { return kind == Kind::table && dim_count == 1 && dims[0] == kCoordT; }
  bool is_static() const { return kind == Kind::constant || depends_on_time_only(); }
  bool uses_coordinate(int coordinate) const { return (uses >> coordinate) & 1U; }
  bool operator==(const Quantity&) const = default;  ///< same value wherever it is evaluated
};

/// An expression evaluated outside tables, with what it is for (messages) and its check.
struct RuntimeExpression {
  Expression expression;
  std::string what;
  ValueCheck check = ValueCheck::finite;
  bool per_individual = false;  ///< evaluated once at entry (else every cycle)
};

/// Random sources of a transition draw (see docs/methods.md, "Aligned random numbers").
/// Each competing group of outcomes is decided by its own clock (deaths, each event, the
/// stay's moves), so an outcome whose probability is the same in two strategies happens
/// to the same individuals in the same cycle in both, whatever else their rows hold.
inline constexpr std::uint32_t kStreamDeath = 0;       ///< moves into dead or absorbing states
inline constexpr std::uint32_t kStreamMove = 1;        ///< the other moves, staying included
inline constexpr std::uint32_t kStreamFirstEvent = 2;  ///< + e: moves that record event e

/// How far a row's probabilities may sum from 1 (beside a complement: above 1) before the
/// row is refused.
inline constexpr double kProbabilitySumTolerance = 1e-9;

/// Outcomes [previous group's end, end) of a row's sampling order, drawn with `stream`.
struct OutcomeGroup {
  std::uint32_t end = 0;
  std::uint32_t stream = kStreamMove;
  bool operator==(const OutcomeGroup&) const = default;
};

/// A gridded row's thresholds. Equal consecutive slices along the first coordinate are
/// stored once (a probability read from a yearly life table is the same for twelve
/// monthly ages): first_offsets maps each value of that coordinate to its slice, so the
/// grid stays small enough for the processor's caches.
struct RowGrid {
  std::vector<double> thresholds;
  std::vector<std::size_t> first_offsets;  ///< per value of the first coordinate: the index of its slice
};

/// One state's outgoing transitions for one strategy. `outcomes` and `probabilities` are
/// in declaration order (background death first, if any, the complement last);
/// `sampling_order` is the canonical order in which they are drawn: deaths first, then the
/// moves that record events (by event), then the other moves (staying first, then by
/// destination state), each group with its own random stream.
struct Row {
  std::vector<int> outcomes;            ///< destination states
  std::vector<Quantity> probabilities;  ///< one per outcome except the complement
  bool has_complement = false;          ///< the last outcome takes 1 - the rest
  bool has_background = false;          ///< outcome 0 is background death; the others are conditional on surviving it
  bool is_static = false;               ///< every quantity constant or time-only: use `thresholds`
  /// Static rows: T x outcomes conditional thresholds in `sampling_order` (see
  /// cumulative_to_thresholds); the last of each cycle is exactly 1.
  std::vector<double> thresholds;
  /// The last group is the moves and begins with staying (the complement or an explicit
  /// stay): its first threshold is the conditional probability of staying.
  bool stay_first = false;
  std::vector<int> sampling_order;            ///< destination states in sampling order
  std::vector<std::uint32_t> sampling_index;  ///< outcome indices in sampling order
  std::vector<OutcomeGroup> groups;           ///< the sampling order's competing groups
  /// Gridded rows (tabulated quantities over a bounded grid of coordinates): thresholds
  /// for every combination, in sampling_order; entry at
  /// (grid->first_offsets[coords[grid_dims[0]]] + sum over i >= 1 of coords[grid_dims[i]]
  /// * grid_strides[i]) * outcomes.
  bool is_gridded = false;
  std::vector<int> grid_dims;
  std::vector<std::size_t> grid_strides;
  /// Shared between strategies whose rows are the same (same quantities and tables).
  std::shared_ptr<const RowGrid> grid;
  SourceLocation where;
};

/// Turns cumulative probabilities `c` (sampling order, the last exactly 1) into the
/// conditional thresholds sample_outcome compares uniforms with: within group g, whose
/// earlier groups have probability L, entry j becomes (c[j] - L) / (1 - L), the
/// probability of outcomes up to j given that no earlier group was chosen. The death
/// group (L = 0) keeps its cumulative probabilities; the last entry stays 1.
inline void cumulative_to_thresholds(double* c, const OutcomeGroup* groups, std::size_t group_count) {
  for (std::size_t g = group_count; g-- > 0;) {  // backwards: L is read before it is overwritten
    const std::size_t start = g == 0 ? 0 : groups[g - 1].end;
    const double below = start == 0 ? 0.0 : c[start - 1];
    for (std::size_t j = start; j < groups[g].end; ++j) c[j] = below >= 1.0 ? 0.0 : (c[j] - below) / (1.0 - below);
  }
  c[groups[group_count - 1].end - 1] = 1.0;
}

/// The thresholds of `row` (sampling order) from its probabilities in declaration order,
/// as row_probabilities gives them: cumulated in sampling order, the last set to exactly
/// 1 (rounding), then made conditional per group.
inline void fill_thresholds(const Row& row, const double* probabilities, double* th) {
  const std::size_t n = row.outcomes.size();
  double sum = 0.0;
  for (std::size_t j = 0; j < n; ++j) th[j] = (sum += probabilities[row.sampling_index[j]]);
  th[n - 1] = 1.0;
  cumulative_to_thresholds(th, row.groups.data(), row.groups.size());
}

/// Draws an outcome from conditional thresholds `th` (cumulative_to_thresholds) group by
/// group: group g is chosen when its own uniform `uniform(stream, q, g)` in [0, 1) is below its
/// last threshold, i.e. with its probability given that no earlier group was chosen, and
/// the same uniform picks the outcome within it. Returns the position in sampling order.
/// The death group's thresholds are its plain probabilities, so an individual dies when
/// the death uniform is below the row's death probability: the same outcome in every
/// strategy where that probability is the same, and a larger probability only adds
/// deaths. A group that cannot happen draws no uniform.
template <typename Uniform>
inline std::size_t sample_outcome(const double* th, const OutcomeGroup* groups, std::size_t group_count, Uniform&& uniform) {
  std::size_t start = 0;
  for (std::size_t g = 0;; ++g) {
    const std::size_t end = groups[g].end;
    const bool last = g + 1 == group_count;
    if (last && end - start == 1) return start;
    if (last || th[end - 1] > 0.0) {
      const double u = uniform(groups[g].stream, th[end - 1], g);
      if (last || u < th[end - 1]) {
        std::size_t j = start;
        while (j + 1 < end && !(u < th[j])) ++j;
        return j;
      }
    }
    start = end;
  }
}

/// A reward paid while in a state (or on a transition), for one output.
struct RewardTerm {
  int output = 0;   ///< index into the per-individual output vector
  int weights = 0;  ///< which weight series multiplies it (see WeightSeries)
  Quantity value;
  std::vector<double> table;   ///< static terms: value(t) x weight(t), t = 0..T
  std::vector<double> suffix;  ///< static terms: sum of table[t..T] (absorbing-state shortcut)
  /// Dynamic terms: the value is the previous term's (the discounted and undiscounted
  /// outputs of one expression), so it is looked up once.
  bool same_value_as_previous = false;
};

/// A dynamic state reward that reads only age and discrete attributes (productivity or
/// utility by age): the microsimulation pays it per stay, one run of equal values along
/// age at a time (the value times the difference of the weight prefix sums over the run's
/// points), instead of looking it up every cycle. The term stays in dynamic_terms too,
/// for the cohort engine.
struct AgeSettledTerm {
  int output = 0;
  int weights = 0;               ///< a state weight series (0-3): a column of StateModel::static_prefix
  Quantity value;                ///< a table whose dimensions are age and discrete attributes
  int age_dim = 0;               ///< position of the age coordinate in value.dims
  std::vector<int> run_starts;   ///< age coordinates where some slice of the table changes; starts with 0
};

/// Weight series indices: within-cycle weight x discount (x cycle years for effects).
enum WeightSeries : int {
  kCostDiscounted = 0,
  kCostUndiscounted,
  kEffectDiscounted,
  kEffectUndiscounted,
  kTransitionCostDiscounted,  ///< discount at t+1, no within-cycle weight
  kTransitionEffectDiscounted,
  kTransitionUndiscounted,
  kWeightSeriesCount
};

struct StateModel {
  std::vector<RewardTerm> static_terms;
  std::vector<RewardTerm> dynamic_terms;
  /// Rewards constant over an individual's life (they read only discrete attributes or
  /// per-individual values): valued once per individual, paid per stay through the weight
  /// prefix columns 0-3, never looked up per cycle.
  std::vector<RewardTerm> individual_terms;
  /// Microsimulation: the dynamic terms settled per stay, and the indices of the others
  /// (valued every cycle) in dynamic_terms.
  std::vector<AgeSettledTerm> age_terms;
  std::vector<std::uint32_t> per_cycle_terms;
  bool absorbing = false;
  /// Absorbing with no reward valued per cycle: the microsimulation finishes the
  /// individual in closed form.
  bool shortcut = false;
  /// Static rewards as prefix sums over points, so a stay from point a to point b (exclusive)
  /// earns prefix[b] - prefix[a]: the microsimulation pays rewards per stay, not per cycle.
  /// Columns 0-3 are the prefix sums of the four state weight series (shared by every
  /// constant reward of the state); each time-varying reward has a column of its own.
  /// Row-major (T + 2) x prefix_width.
  std::size_t prefix_width = 0;
  std::vector<double> static_prefix;
  struct PrefixUse {
    int output;
    std::size_t column;
    double factor;  ///< the constant reward, or 1 for a time-varying column
  };
  std::vector<PrefixUse> prefix_uses;  ///< output += factor x (sum of the column over the stays)
};

struct StrategyModel {
  std::string name, label;
  ParameterValues parameters;
  std::vector<Distribution> attributes;  ///< aligned with Scenario::attributes
  std::vector<Quantity> initial;         ///< per state (constant 0 where absent)
  int certain_initial_state = -1;        ///< everyone starts here (no draw needed), or -1
  std::vector<Row> rows;                 ///< per state
  std::vector<StateModel> states;
  std::vector<std::vector<RewardTerm>> transition_terms;  ///< per (from * S + to)
  std::vector<double> one_time_costs;                     ///< per category
  std::vector<RuntimeExpression> runtime_expressions;
};

/// Output layout of the per-individual vector (one per strategy).
struct OutputLayout {
  int categories = 0, perspectives = 0, states = 0, events = 0, outcomes = 0;
  int cost_discounted(int c) const { return c; }
  int cost_undiscounted(int c) const { return categories + c; }
  int qalys_discounted() const { return 2 * categories; }
  int qalys_undiscounted() const { return 2 * categories + 1; }
  int life_years_discounted() const { return 2 * categories + 2; }
  int life_years_undiscounted() const { return 2 * categories + 3; }
  int outcome_discounted(int o) const { return 2 * categories + 4 + o; }
  int outcome_undiscounted(int o) const { return 2 * categories + 4 + outcomes + o; }
  int accumulated() const { return 2 * categories + 4 + 2 * outcomes; }  ///< outputs summed inside the cycle loop
  int perspective_discounted(int p) const { return accumulated() + p; }
  int perspective_undiscounted(int p) const { return accumulated() + perspectives + p; }
  int years_in_state(int s) const { return accumulated() + 2 * perspectives + s; }
  int event_count(int e) const { return accumulated() + 2 * perspectives + states + e; }
  int event_ever(int e) const { return accumulated() + 2 * perspectives + states + events + e; }
  int size() const { return accumulated() + 2 * perspectives + states + 2 * events; }
  /// Paired increments: costs by perspective (disc, undisc), QALYs and LYs (disc, undisc).
  int increment_size() const { return 2 * perspectives + 4; }
};

struct CompiledModelData {
  Scenario scenario;
  int cycles = 0;  ///< T
  int coordinate_count = 0;
  std::vector<int> coordinate_sizes;
  int age_attribute = -1;      ///< index of the "age" attribute, if any
  int age_grid_start = 0;      ///< youngest reachable age, in cycles: age coordinate 0
  int oldest_start_age = 0;    ///< age coordinate of the oldest starting age
  int reference_strategy = 0;  ///< index of settings.reference_strategy
  int state_time_cap = 0;
  std::vector<int> discrete_attribute_coordinate;  ///< per attribute: coordinate or -1
  std::vector<bool> continuous_attribute;          ///< per attribute
  std::vector<double> table_values;
  std::array<std::vector<double>, kWeightSeriesCount> weights;  ///< t = 0..T
  std::vector<double> years_suffix;                             ///< suffix sums of weights[kEffectUndiscounted] (years in state)
  std::vector<std::uint32_t> event_masks;                       ///< per (from * S + to): bit e set if event e happens
  struct CounterRule {
    int max = 0, initial = 0;
    std::vector<int> before;          ///< per (from * S + to): increment for the cycle spent in `from`
    std::vector<int> after;           ///< per (from * S + to): increment on entry
    std::vector<std::uint8_t> reset;  ///< per (from * S + to)
  };
  std::vector<CounterRule> counters;
  std::vector<bool> counter_used;  ///< some expression reads the counter
  bool uses_state_time_any = false;
  /// Some quantity is evaluated per cycle (non-static row or dynamic reward), so the
  /// microsimulation must keep t, age and time in state current.
  bool needs_coordinates_per_cycle = false;
  std::vector<bool> state_uses_state_time;  ///< per state: some quantity of this state reads state_time
  /// Life-years by survival: when every living state weighs a year alike (the default
  /// weight 1, or the same constant everywhere), an individual's life-years are
  /// weight x prefix[point of death] (prefix sums of the effect weight series, discounted
  /// and undiscounted), so two strategies in which someone dies at the same point give
  /// exactly the same life-years, whatever route the stays took. Otherwise empty, and
  /// life-years are paid per stay like any other reward.
  double life_years_weight = 0.0;
  std::array<std::vector<double>, 2> life_years_prefix;  ///< discounted, undiscounted; t = 0..T+1
  std::vector<bool> dead_state;                          ///< per state
  OutputLayout layout;
  std::vector<std::vector<int>> perspective_categories;  ///< per perspective: category indices
  std::vector<StrategyModel> strategies;
  std::vector<std::string> level_descriptions;
};

/// Value of a tabulated or constant quantity at `coords`.
inline double table_value(const Quantity& q, const double* tables, const int* coords) {
  if (q.kind == Quantity::Kind::constant) return q.constant;
  std::size_t index = q.offset;
  for (int d = 0; d < q.dim_count; ++d)
    index += static_cast<std::size_t>(coords[q.dims[static_cast<std::size_t>(d)]]) * q.strides[static_cast<std::size_t>(d)];
  return tables[index];
}

/// True when `value` passes `check` (cheap; call check_value only when it fails, so the
/// error context is formatted only for the error).
inline bool passes(ValueCheck check, double value) {
  if (!std::isfinite(value)) return false;
  switch (check) {
    case ValueCheck::probability:
      return value >= 0.0 && value <= 1.0;
    case ValueCheck::nonnegative:
      return value >= 0.0;
    case ValueCheck::finite:
      return true;
  }
  return true;
}

/// Throws ScenarioError when `value` fails `check`.
void check_value(ValueCheck check, double value, const SourceLocation& where, const std::string& what, const std::string& context);

/// Evaluates per-individual and dynamic expressions; one per thread.
class RuntimeEvaluator {
 public:
  RuntimeEvaluator(const CompiledModelData& model, int strategy);
  /// Sets the individual's attribute values (continuous values and discrete codes).
  void set_attributes(const double* values);
  double evaluate(const Quantity& q, const int* coords);

 private:
  const CompiledModelData& model_;
  std::unique_ptr<ExpressionContext> context_;
  std::vector<int> expression_ids_;
  std::vector<int> attribute_slots_;
  int t_slot_ = -1, time_slot_ = -1, age_slot_ = -1, state_time_slot_ = -1;
  std::vector<int> counter_slots_;
};

/// Fills `probabilities` (size = row.outcomes.size()) for a general row at `coords`.
/// `individual` holds per-individual values; `runtime` may be null if none are needed.
void row_probabilities(const CompiledModelData& model, const StrategyModel& strategy, const Row& row, const int* coords,
                       const double* individual, RuntimeEvaluator* runtime, double* probabilities);

/// Evaluates a dynamic quantity; `runtime` must not be null.
double evaluate_at_run_time(RuntimeEvaluator* runtime, const Quantity& q, const int* coords);

/// Value of any quantity.
inline double quantity_value(const CompiledModelData& model, const Quantity& q, const int* coords, const double* individual,
                             RuntimeEvaluator* runtime) {
  switch (q.kind) {
    case Quantity::Kind::constant:
      return q.constant;
    case Quantity::Kind::table:
      return table_value(q, model.table_values.data(), coords);
    case Quantity::Kind::per_individual:
      return individual[q.slot];
    case Quantity::Kind::dynamic:
      return evaluate_at_run_time(runtime, q, coords);
  }
  return 0.0;
}

/// Describes the coordinates for error messages ("cycle 12, age 65.0").
std::string describe_coordinates(const CompiledModelData& model, const int* coords);

}  // namespace hemsim::detail
