#pragma once
// The report's section for named scenarios run side by side (`hemsim run --scenario all`).

#include "hemsim/report.hpp"
#include "hemsim/variants.hpp"

namespace hemsim::detail {

[[nodiscard]] ReportSection variants_section(const VariantComparison& comparison);

}  // namespace hemsim::detail
