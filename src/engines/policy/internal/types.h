// Static argument types of the built-ins, checked at compile time where a call's arguments have
// a known type (literals, comprehensions, nested built-in calls), as OPA's type checker does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engines/policy/internal/ast.h"

namespace qlrf::policy::internal {

// Bit sets of value kinds.
inline constexpr uint8_t kTNull = 1;
inline constexpr uint8_t kTBool = 2;
inline constexpr uint8_t kTNumber = 4;
inline constexpr uint8_t kTString = 8;
inline constexpr uint8_t kTArray = 16;
inline constexpr uint8_t kTObject = 32;
inline constexpr uint8_t kTSet = 64;
inline constexpr uint8_t kTAny = 127;

struct Signature {
  std::vector<uint8_t> args;
  uint8_t result = kTAny;
};

// The signature of built-in `name`, or nullptr when it has none (anything goes).
const Signature* FindSignature(std::string_view name);

// The kinds `t` can evaluate to, as far as its syntax tells (kTAny when unknown).
uint8_t StaticKinds(const Term& t);

// "number", "any<string, array>" …
std::string KindsText(uint8_t kinds);

}  // namespace qlrf::policy::internal
