// The registered purl types (42, purl-spec 2025) as a sorted constant table.
#include "common/purl/internal/type_rules.h"

#include <algorithm>
#include <array>

namespace qlrf::purl::internal {
namespace {

constexpr Requirement kOpt = Requirement::kOptional;
constexpr Requirement kReq = Requirement::kRequired;
constexpr Requirement kNo = Requirement::kProhibited;
constexpr CaseRule kKeep = CaseRule::kKeep;
constexpr CaseRule kLower = CaseRule::kLower;
constexpr CaseRule kUpper = CaseRule::kUpper;

// type, namespace requirement, namespace case, name case, version case, required qualifier.
constexpr std::array kRules = std::to_array<TypeRules>({
    {"alpm", kReq, kLower, kLower, kKeep, ""},
    {"apk", kReq, kLower, kLower, kKeep, ""},
    {"bazel", kNo, kKeep, kKeep, kKeep, ""},
    {"bitbucket", kReq, kLower, kLower, kKeep, ""},
    {"bitnami", kNo, kKeep, kLower, kKeep, ""},
    {"brew", kOpt, kLower, kLower, kKeep, ""},
    {"cargo", kNo, kKeep, kKeep, kKeep, ""},
    {"chrome-extension", kNo, kKeep, kLower, kKeep, ""},
    {"cocoapods", kNo, kKeep, kKeep, kKeep, ""},
    {"composer", kReq, kLower, kLower, kKeep, ""},
    {"conan", kOpt, kKeep, kKeep, kKeep, ""},
    {"conda", kNo, kKeep, kKeep, kKeep, ""},
    {"cpan", kOpt, kUpper, kKeep, kKeep, ""},  // the namespace is a CPAN id, "shall be uppercase"
    {"cran", kNo, kKeep, kKeep, kKeep, ""},
    {"deb", kReq, kLower, kLower, kKeep, ""},
    {"docker", kOpt, kKeep, kKeep, kKeep, ""},
    {"gem", kNo, kKeep, kKeep, kKeep, ""},
    {"generic", kOpt, kKeep, kKeep, kKeep, ""},
    {"git", kReq, kKeep, kKeep, kKeep, ""},
    {"github", kReq, kLower, kLower, kKeep, ""},
    {"golang", kReq, kKeep, kKeep, kKeep, ""},
    {"hackage", kNo, kKeep, kKeep, kKeep, ""},
    {"hex", kOpt, kLower, kLower, kKeep, ""},
    {"huggingface", kReq, kKeep, kKeep, kLower, ""},
    {"julia", kNo, kKeep, kKeep, kKeep, "uuid"},
    {"luarocks", kOpt, kLower, kLower, kKeep, ""},
    {"maven", kReq, kKeep, kKeep, kKeep, ""},
    {"mlflow", kNo, kKeep, kKeep, kKeep, ""},
    {"npm", kOpt, kKeep, kKeep, kKeep, ""},
    {"nuget", kNo, kKeep, kKeep, kKeep, ""},
    {"oci", kNo, kKeep, kLower, kLower, ""},
    {"opam", kNo, kKeep, kKeep, kKeep, ""},
    {"otp", kNo, kKeep, kLower, kKeep, ""},
    {"pub", kNo, kKeep, kLower, kKeep, ""},
    {"pypi", kNo, kKeep, kLower, kLower, ""},
    {"qpkg", kReq, kLower, kKeep, kKeep, ""},
    {"rpm", kReq, kLower, kKeep, kKeep, ""},
    {"swid", kOpt, kKeep, kKeep, kKeep, "tag_id"},
    {"swift", kReq, kKeep, kKeep, kKeep, ""},
    {"vcpkg", kNo, kKeep, kKeep, kKeep, ""},
    {"vscode-extension", kReq, kLower, kLower, kLower, ""},
    {"yocto", kOpt, kLower, kKeep, kKeep, ""},
});

constexpr bool IsSorted() {
  for (size_t i = 1; i < kRules.size(); ++i) {
    if (!(kRules[i - 1].type < kRules[i].type)) {
      return false;
    }
  }
  return true;
}
static_assert(IsSorted(), "kRules must stay sorted for the binary search");

}  // namespace

const TypeRules* FindTypeRules(std::string_view type) {
  const auto* it = std::lower_bound(
      kRules.begin(), kRules.end(), type,
      [](const TypeRules& rules, std::string_view key) { return rules.type < key; });
  if (it == kRules.end() || it->type != type) {
    return nullptr;
  }
  return &*it;
}

std::span<const TypeRules> AllTypeRules() { return kRules; }

}  // namespace qlrf::purl::internal
