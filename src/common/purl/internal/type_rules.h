// Per-type purl rules, compiled in from the registered type definitions
// (purl-spec types/*-definition.json): namespace requirement, case folding, required qualifiers.
// Rules that need code (pypi name normalisation, chrome-extension ids, ...) live in purl.cc.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace qlrf::purl::internal {

enum class Requirement : uint8_t { kOptional, kRequired, kProhibited };
enum class CaseRule : uint8_t { kKeep, kLower, kUpper };

struct TypeRules {
  std::string_view type;
  Requirement namespace_requirement = Requirement::kOptional;
  CaseRule namespace_case = CaseRule::kKeep;
  CaseRule name_case = CaseRule::kKeep;
  CaseRule version_case = CaseRule::kKeep;
  std::string_view required_qualifier;  // empty: none
};

// The rules of a registered type, or nullptr for an unregistered one (which gets only the
// type-independent rules).
const TypeRules* FindTypeRules(std::string_view type);

// Every registered type, sorted by name (the conformance test compares them with the JSON
// definitions).
std::span<const TypeRules> AllTypeRules();

}  // namespace qlrf::purl::internal
