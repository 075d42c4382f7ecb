// The market block of results.json, budget_impact.csv and market_funnel.csv, and the
// terminal table (docs/results-format.md, "market").

#include "io/market_io.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/number_text.hpp"
#include "io/json_numbers.hpp"

namespace hemsim::detail {

namespace {

using nlohmann::json;

double number(const json& j) { return detail::json_number(j); }
json number(double v) { return detail::json_number(v); }
json numbers(const std::vector<double>& values) { return detail::json_numbers(values); }
std::vector<double> numbers(const json& j) { return detail::json_numbers(j); }

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
std::string field(double v) { return shortest_number(v); }

// 1234567 -> "1,234,567" (rounded to whole units).
std::string grouped(double v) {
  if (!std::isfinite(v)) return "—";
  const long long n = std::llround(std::abs(v));
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 && n != 0 ? "-" : "") + out;
}

}  // namespace

json market_to_json(const MarketResults& m) {
  json funnel = json::array();
  for (const auto& f : m.funnel)
    funnel.push_back({{"name", f.name}, {"label", f.label}, {"proportion", number(f.proportion)}, {"people", number(f.people)},
                      {"source", f.source}, {"assumption", f.assumption}});
  json years = json::array();
  for (const auto& y : m.years)
    years.push_back({{"year", y.year},
                     {"calendar_year", y.calendar_year},
                     {"eligible", number(y.eligible)},
                     {"uptake", number(y.uptake)},
                     {"treated", number(y.treated)},
                     {"cost_current", number(y.cost_current)},
                     {"cost_new", number(y.cost_new)},
                     {"budget_impact", number(y.budget_impact)},
                     {"revenue", number(y.revenue)},
                     {"royalty", number(y.royalty)},
                     {"royalty_discounted", number(y.royalty_discounted)}});
  json mix = json::array();
  for (const auto& [name, share] : m.current_mix) mix.push_back({{"strategy", name}, {"share", number(share)}});
  return {{"strategy", m.strategy},
          {"perspective", m.perspective},
          {"current_mix", mix},
          {"population_label", m.population_label},
          {"basis", m.basis},
          {"funnel", funnel},
          {"eligible_per_year", number(m.eligible_per_year)},
          {"years", years},
          {"budget_impact_total", number(m.budget_impact_total)},
          {"treated_total", number(m.treated_total)},
          {"price", number(m.price)},
          {"doses_per_patient", number(m.doses_per_patient)},
          {"revenue_total", number(m.revenue_total)},
          {"royalty_rate", number(m.royalty_rate)},
          {"discount_rate", number(m.discount_rate)},
          {"royalty_npv", number(m.royalty_npv)},
          {"willingness_to_pay", numbers(m.willingness_to_pay)},
          {"inmb_per_patient", numbers(m.inmb_per_patient)},
          {"inmb_per_patient_mcse", numbers(m.inmb_per_patient_mcse)},
          {"population_nmb", numbers(m.population_nmb)},
          {"population_nmb_mcse", numbers(m.population_nmb_mcse)}};
}

MarketResults market_from_json(const json& j) {
  MarketResults m;
  m.strategy = j.at("strategy").get<std::string>();
  m.perspective = j.at("perspective").get<std::string>();
  for (const auto& x : j.at("current_mix")) m.current_mix.emplace_back(x.at("strategy").get<std::string>(), number(x.at("share")));
  m.population_label = j.at("population_label").get<std::string>();
  m.basis = j.at("basis").get<std::string>();
  for (const auto& f : j.at("funnel"))
    m.funnel.push_back({f.at("name").get<std::string>(), f.at("label").get<std::string>(), f.at("source").get<std::string>(),
                        number(f.at("proportion")), number(f.at("people")), f.at("assumption").get<bool>()});
  m.eligible_per_year = number(j.at("eligible_per_year"));
  for (const auto& y : j.at("years")) {
    MarketYear x;
    x.year = y.at("year").get<int>();
    x.calendar_year = y.at("calendar_year").get<int>();
    x.eligible = number(y.at("eligible"));
    x.uptake = number(y.at("uptake"));
    x.treated = number(y.at("treated"));
    x.cost_current = number(y.at("cost_current"));
    x.cost_new = number(y.at("cost_new"));
    x.budget_impact = number(y.at("budget_impact"));
    x.revenue = number(y.at("revenue"));
    x.royalty = number(y.at("royalty"));
    x.royalty_discounted = number(y.at("royalty_discounted"));
    m.years.push_back(x);
  }
  m.budget_impact_total = number(j.at("budget_impact_total"));
  m.treated_total = number(j.at("treated_total"));
  m.price = number(j.at("price"));
  m.doses_per_patient = number(j.at("doses_per_patient"));
  m.revenue_total = number(j.at("revenue_total"));
  m.royalty_rate = number(j.at("royalty_rate"));
  m.discount_rate = number(j.at("discount_rate"));
  m.royalty_npv = number(j.at("royalty_npv"));
  m.willingness_to_pay = numbers(j.at("willingness_to_pay"));
  m.inmb_per_patient = numbers(j.at("inmb_per_patient"));
  m.inmb_per_patient_mcse = numbers(j.at("inmb_per_patient_mcse"));
  m.population_nmb = numbers(j.at("population_nmb"));
  m.population_nmb_mcse = numbers(j.at("population_nmb_mcse"));
  return m;
}

std::string budget_impact_csv(const MarketResults& m) {
  std::string out = "year,calendar_year,eligible,uptake,treated,cost_current,cost_new,budget_impact,revenue,royalty,royalty_discounted\n";
  for (const auto& y : m.years)
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", y.year, y.calendar_year ? std::to_string(y.calendar_year) : std::string(),
                       field(y.eligible), field(y.uptake), field(y.treated), field(y.cost_current), field(y.cost_new),
                       field(y.budget_impact), field(y.revenue), field(y.royalty), field(y.royalty_discounted));
  return out;
}

std::string market_funnel_csv(const MarketResults& m) {
  std::string out = "step,label,proportion,people,source,assumption\n";
  for (const auto& f : m.funnel)
    out += fmt::format("{},{},{},{},{},{}\n", field(f.name), field(f.label), field(f.proportion), field(f.people), field(f.source),
                       f.assumption ? "true" : "false");
  return out;
}

std::string format_market_table(const MarketResults& m, const std::string& currency) {
  const std::string money = currency.empty() ? std::string() : currency + " ";
  std::string out = fmt::format("\nMarket and budget impact: {} displacing", m.strategy);
  for (const auto& [name, share] : m.current_mix) out += fmt::format(" {} {:.0f}%", name, 100 * share);
  out += fmt::format(" ({} perspective, undiscounted {})\n", m.perspective, money.empty() ? "costs" : money + "costs");
  for (const auto& f : m.funnel)
    out += fmt::format("  {:<44} {:>7} {:>15}\n", f.label + (f.assumption ? " [assumption]" : ""),
                       f.name == "population" ? std::string() : fmt::format("{:.4g}%", 100 * f.proportion), grouped(f.people));
  out += fmt::format("  eligible patients per year ({}): {}\n", m.basis, grouped(m.eligible_per_year));
  out += fmt::format("  {:>4} {:>6} {:>12} {:>7} {:>11} {:>17} {:>15} {:>13}\n", "Year", "Cal.", "Eligible", "Uptake", "Treated",
                     "Budget impact", "Revenue", "Royalty");
  for (const auto& y : m.years)
    out += fmt::format("  {:>4} {:>6} {:>12} {:>6.1f}% {:>11} {:>17} {:>15} {:>13}\n", y.year,
                       y.calendar_year ? std::to_string(y.calendar_year) : std::string("—"), grouped(y.eligible), 100 * y.uptake,
                       grouped(y.treated), grouped(y.budget_impact), grouped(y.revenue), grouped(y.royalty));
  out += fmt::format("  total over {} years: budget impact {}{}, {} patients treated, revenue {}{} at {}{} per dose\n", m.years.size(), money,
                     grouped(m.budget_impact_total), grouped(m.treated_total), money, grouped(m.revenue_total), money, grouped(m.price));
  out += fmt::format("  royalty NPV at {:.4g}% royalty, {:.4g}% discount: {}{}\n", 100 * m.royalty_rate, 100 * m.discount_rate, money,
                     grouped(m.royalty_npv));
  for (std::size_t i = 0; i < m.willingness_to_pay.size(); ++i)
    out += fmt::format("  at {}{} per unit of effect: INMB per patient {} ± {}, population NMB {}{} ± {}\n", money,
                       grouped(m.willingness_to_pay[i]), grouped(m.inmb_per_patient[i]), grouped(m.inmb_per_patient_mcse[i]), money,
                       grouped(m.population_nmb[i]), grouped(m.population_nmb_mcse[i]));
  return out;
}

}  // namespace hemsim::detail
