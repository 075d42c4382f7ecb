#include "engine/finite_outcomes.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "hemsim/error.hpp"

namespace hemsim::detail {

namespace {

void require_finite(const DiscountedEstimate& e, const std::string& quantity, const std::string& strategy, const std::string& file) {
  for (const auto& [value, what] :
       {std::pair{e.discounted.mean, "discounted mean"}, std::pair{e.discounted.mcse, "discounted MCSE"},
        std::pair{e.undiscounted.mean, "undiscounted mean"}, std::pair{e.undiscounted.mcse, "undiscounted MCSE"}})
    if (!std::isfinite(value))
      throw ScenarioError({file, 0, 0, ""},
                          fmt::format("the {} of {} for strategy '{}' is {}: summed over individuals and cycles, the scenario's values "
                                      "exceed the largest number a double holds (about {:.1e})",
                                      what, quantity, strategy, value, std::numeric_limits<double>::max()),
                          "costs, utilities and outcome values of a realistic size");
}

}  // namespace

void require_finite_outcomes(const RunResults& r, const std::string& file) {
  for (const auto& s : r.strategies) {
    for (std::size_t p = 0; p < s.costs_by_perspective.size() && p < r.perspectives.size(); ++p)
      require_finite(s.costs_by_perspective[p], fmt::format("the cost ({} perspective)", r.perspectives[p]), s.name, file);
    for (std::size_t c = 0; c < s.costs_by_category.size() && c < r.cost_categories.size(); ++c)
      require_finite(s.costs_by_category[c], fmt::format("the cost category '{}'", r.cost_categories[c]), s.name, file);
    require_finite(s.qalys, "QALYs", s.name, file);
    require_finite(s.life_years, "life-years", s.name, file);
    for (std::size_t o = 0; o < s.outcomes.size() && o < r.outcomes.size(); ++o)
      require_finite(s.outcomes[o], fmt::format("the outcome '{}'", r.outcomes[o]), s.name, file);
  }
  for (const auto& inc : r.increments) {
    for (std::size_t p = 0; p < inc.costs_by_perspective.size() && p < r.perspectives.size(); ++p)
      require_finite(inc.costs_by_perspective[p], fmt::format("the incremental cost ({} perspective)", r.perspectives[p]), inc.name, file);
    require_finite(inc.qalys, "incremental QALYs", inc.name, file);
    require_finite(inc.life_years, "incremental life-years", inc.name, file);
  }
}

}  // namespace hemsim::detail
