// Lookup of the CVSS v4.0 macrovector scores.
#pragma once

#include <cstdint>

namespace qlrf::cvss::internal {

// The score of macrovector (eq1..eq6) in tenths (93 = 9.3), or -1 when the combination does not
// exist (out of range, or EQ3 = 2 with EQ6 = 0).
int MacroVectorScoreTenths(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6);

}  // namespace qlrf::cvss::internal
