// The CVSS v4.0 macrovector score table (FIRST CVSS v4.0 specification, section 8.2): the score
// of each of the 270 EQ1..EQ6 combinations that expert ranking produced, in tenths.
#include "common/cvss/internal/v4_table.h"

#include <array>
#include <cstddef>

namespace qlrf::cvss::internal {
namespace {

// Indexed by ((((eq1 * 2 + eq2) * 3 + eq3) * 3 + eq4) * 3 + eq5) * 2 + eq6; -1 marks the
// combinations that cannot occur (EQ3 = 2 with EQ6 = 0). Each row lists eq4, eq5, eq6 in order.
// clang-format off
constexpr std::array<int16_t, 324> kScores = {
    /* 000xxx */ 100,  99,  98,  95,  95,  92, 100,  96,  93,  87,  91,  81,  93,  90,  89,  80,  81,  68,
    /* 001xxx */  98,  95,  95,  92,  90,  84,  93,  92,  89,  81,  81,  65,  88,  80,  78,  70,  69,  48,
    /* 002xxx */  -1,  92,  -1,  82,  -1,  72,  -1,  79,  -1,  69,  -1,  50,  -1,  69,  -1,  55,  -1,  27,
    /* 010xxx */  99,  97,  95,  92,  92,  85,  95,  91,  90,  83,  84,  71,  92,  81,  82,  71,  72,  53,
    /* 011xxx */  95,  93,  92,  85,  85,  73,  92,  82,  80,  72,  70,  59,  84,  70,  71,  52,  50,  30,
    /* 012xxx */  -1,  86,  -1,  75,  -1,  52,  -1,  71,  -1,  52,  -1,  29,  -1,  63,  -1,  29,  -1,  17,
    /* 100xxx */  98,  95,  94,  87,  91,  81,  94,  89,  86,  74,  77,  64,  87,  75,  74,  63,  63,  49,
    /* 101xxx */  94,  89,  88,  77,  76,  67,  86,  76,  74,  58,  59,  50,  72,  57,  57,  52,  52,  25,
    /* 102xxx */  -1,  83,  -1,  70,  -1,  54,  -1,  65,  -1,  58,  -1,  26,  -1,  53,  -1,  21,  -1,  13,
    /* 110xxx */  95,  90,  88,  76,  76,  70,  90,  77,  75,  62,  61,  53,  77,  66,  68,  59,  52,  30,
    /* 111xxx */  89,  78,  76,  67,  62,  58,  74,  59,  57,  57,  47,  23,  61,  52,  57,  29,  24,  16,
    /* 112xxx */  -1,  71,  -1,  59,  -1,  30,  -1,  58,  -1,  26,  -1,  15,  -1,  23,  -1,  13,  -1,   6,
    /* 200xxx */  93,  87,  86,  72,  75,  58,  86,  74,  74,  61,  56,  34,  70,  54,  52,  40,  40,  22,
    /* 201xxx */  85,  75,  74,  55,  62,  51,  72,  57,  55,  41,  46,  19,  53,  36,  34,  19,  19,   8,
    /* 202xxx */  -1,  64,  -1,  51,  -1,  20,  -1,  47,  -1,  21,  -1,  11,  -1,  24,  -1,   9,  -1,   4,
    /* 210xxx */  88,  75,  73,  53,  60,  50,  73,  55,  59,  40,  41,  20,  54,  43,  45,  22,  20,  11,
    /* 211xxx */  75,  55,  58,  45,  40,  21,  61,  51,  48,  18,  20,   9,  46,  18,  17,   7,   8,   2,
    /* 212xxx */  -1,  53,  -1,  24,  -1,  14,  -1,  24,  -1,  12,  -1,   5,  -1,  10,  -1,   3,  -1,   1,
};
// clang-format on

}  // namespace

int MacroVectorScoreTenths(int eq1, int eq2, int eq3, int eq4, int eq5, int eq6) {
  if (eq1 < 0 || eq1 > 2 || eq2 < 0 || eq2 > 1 || eq3 < 0 || eq3 > 2 || eq4 < 0 || eq4 > 2 ||
      eq5 < 0 || eq5 > 2 || eq6 < 0 || eq6 > 1) {
    return -1;
  }
  auto u = [](int eq) { return static_cast<size_t>(eq); };
  size_t index = ((((u(eq1) * 2 + u(eq2)) * 3 + u(eq3)) * 3 + u(eq4)) * 3 + u(eq5)) * 2 + u(eq6);
  return kScores[index];
}

}  // namespace qlrf::cvss::internal
