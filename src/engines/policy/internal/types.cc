// Built-in signatures and static kinds of terms.
#include "engines/policy/internal/types.h"

#include <map>

namespace qlrf::policy::internal {
namespace {

constexpr uint8_t kNum = kTNumber;
constexpr uint8_t kStr = kTString;
constexpr uint8_t kArr = kTArray;
constexpr uint8_t kObj = kTObject;
constexpr uint8_t kSet = kTSet;
constexpr uint8_t kBool = kTBool;
constexpr uint8_t kAny = kTAny;
constexpr uint8_t kColl = kTArray | kTSet;

const std::map<std::string, Signature, std::less<>>& Table() {
  static const auto* const kTable = new std::map<std::string, Signature, std::less<>>{
      {"plus", {{kNum, kNum}, kNum}},
      {"minus", {{kNum | kSet, kNum | kSet}, kNum | kSet}},
      {"mul", {{kNum, kNum}, kNum}},
      {"div", {{kNum, kNum}, kNum}},
      {"rem", {{kNum, kNum}, kNum}},
      {"abs", {{kNum}, kNum}},
      {"round", {{kNum}, kNum}},
      {"ceil", {{kNum}, kNum}},
      {"floor", {{kNum}, kNum}},
      {"numbers.range", {{kNum, kNum}, kArr}},
      {"numbers.range_step", {{kNum, kNum, kNum}, kArr}},
      {"and", {{kSet, kSet}, kSet}},
      {"or", {{kSet, kSet}, kSet}},
      {"intersection", {{kSet}, kSet}},
      {"union", {{kSet}, kSet}},
      {"count", {{kStr | kArr | kObj | kSet}, kNum}},
      {"sum", {{kColl}, kNum}},
      {"product", {{kColl}, kNum}},
      {"max", {{kColl}, kAny}},
      {"min", {{kColl}, kAny}},
      {"sort", {{kColl}, kArr}},
      {"array.concat", {{kArr, kArr}, kArr}},
      {"array.slice", {{kArr, kNum, kNum}, kArr}},
      {"array.reverse", {{kArr}, kArr}},
      {"object.get", {{kObj, kAny, kAny}, kAny}},
      {"object.keys", {{kObj}, kSet}},
      {"object.remove", {{kObj, kColl | kObj}, kObj}},
      {"object.filter", {{kObj, kColl | kObj}, kObj}},
      {"object.union", {{kObj, kObj}, kObj}},
      {"object.union_n", {{kArr}, kObj}},
      {"concat", {{kStr, kColl}, kStr}},
      {"contains", {{kStr, kStr}, kBool}},
      {"startswith", {{kStr, kStr}, kBool}},
      {"endswith", {{kStr, kStr}, kBool}},
      {"lower", {{kStr}, kStr}},
      {"upper", {{kStr}, kStr}},
      {"split", {{kStr, kStr}, kArr}},
      {"trim", {{kStr, kStr}, kStr}},
      {"trim_left", {{kStr, kStr}, kStr}},
      {"trim_right", {{kStr, kStr}, kStr}},
      {"trim_prefix", {{kStr, kStr}, kStr}},
      {"trim_suffix", {{kStr, kStr}, kStr}},
      {"trim_space", {{kStr}, kStr}},
      {"replace", {{kStr, kStr, kStr}, kStr}},
      {"strings.replace_n", {{kObj, kStr}, kStr}},
      {"strings.reverse", {{kStr}, kStr}},
      {"strings.count", {{kStr, kStr}, kNum}},
      {"strings.split_n", {{kStr, kStr, kNum}, kArr}},
      {"indexof", {{kStr, kStr}, kNum}},
      {"indexof_n", {{kStr, kStr}, kArr}},
      {"substring", {{kStr, kNum, kNum}, kStr}},
      {"format_int", {{kNum, kNum}, kStr}},
      {"sprintf", {{kStr, kArr}, kStr}},
      {"regex.match", {{kStr, kStr}, kBool}},
      {"regex.split", {{kStr, kStr}, kArr}},
      {"regex.find_n", {{kStr, kStr, kNum}, kArr}},
      {"regex.find_all_string_submatch_n", {{kStr, kStr, kNum}, kArr}},
      {"regex.replace", {{kStr, kStr, kStr}, kStr}},
      {"regex.globs_match", {{kStr, kStr}, kBool}},
      {"glob.match", {{kStr, kColl | kTNull, kStr}, kBool}},
      {"glob.quote_meta", {{kStr}, kStr}},
      {"json.unmarshal", {{kStr}, kAny}},
      {"json.marshal", {{kAny}, kStr}},
      {"json.remove", {{kObj, kColl}, kAny}},
      {"json.filter", {{kObj, kColl}, kAny}},
      {"yaml.unmarshal", {{kStr}, kAny}},
      {"yaml.marshal", {{kAny}, kStr}},
      {"base64.encode", {{kStr}, kStr}},
      {"base64.decode", {{kStr}, kStr}},
      {"base64url.encode", {{kStr}, kStr}},
      {"base64url.encode_no_pad", {{kStr}, kStr}},
      {"base64url.decode", {{kStr}, kStr}},
      {"hex.encode", {{kStr}, kStr}},
      {"hex.decode", {{kStr}, kStr}},
      {"crypto.sha256", {{kStr}, kStr}},
      {"crypto.hmac.sha256", {{kStr, kStr}, kStr}},
      {"io.jwt.decode", {{kStr}, kArr}},
      {"io.jwt.encode_sign", {{kObj, kObj, kObj}, kStr}},
      {"io.jwt.decode_verify", {{kStr, kObj}, kArr}},
      {"uuid.rfc4122", {{kStr}, kStr}},
      {"uuid.parse", {{kStr}, kObj}},
      {"units.parse", {{kStr}, kNum}},
      {"units.parse_bytes", {{kStr}, kNum}},
      {"net.cidr_contains", {{kStr, kStr}, kBool}},
      {"net.cidr_intersects", {{kStr, kStr}, kBool}},
      {"semver.compare", {{kStr, kStr}, kNum}},
      {"time.now_ns", {{}, kNum}},
      {"time.parse_rfc3339_ns", {{kStr}, kNum}},
      {"time.parse_duration_ns", {{kStr}, kNum}},
      {"time.add_date", {{kNum, kNum, kNum, kNum}, kNum}},
      {"time.date", {{kNum | kArr}, kArr}},
      {"time.clock", {{kNum | kArr}, kArr}},
      {"time.weekday", {{kNum | kArr}, kStr}},
      {"time.format", {{kNum | kArr}, kStr}},
      {"to_number", {{kTNull | kBool | kNum | kStr}, kNum}},
      {"type_name", {{kAny}, kStr}},
      {"equal", {{kAny, kAny}, kBool}},
      {"neq", {{kAny, kAny}, kBool}},
      {"lt", {{kAny, kAny}, kBool}},
      {"lte", {{kAny, kAny}, kBool}},
      {"gt", {{kAny, kAny}, kBool}},
      {"gte", {{kAny, kAny}, kBool}},
      {"internal.member_2", {{kAny, kAny}, kBool}},
      {"internal.member_3", {{kAny, kAny, kAny}, kBool}},
  };
  return *kTable;
}

}  // namespace

const Signature* FindSignature(std::string_view name) {
  const auto& t = Table();
  auto it = t.find(name);
  return it == t.end() ? nullptr : &it->second;
}

uint8_t StaticKinds(const Term& t) {
  switch (t.kind) {
    case TermKind::kScalar:
      switch (t.value.kind()) {
        case Kind::kNull:
          return kTNull;
        case Kind::kBool:
          return kTBool;
        case Kind::kNumber:
          return kTNumber;
        case Kind::kString:
          return kTString;
        default:
          return kTAny;
      }
    case TermKind::kArray:
    case TermKind::kArrayCompr:
      return kTArray;
    case TermKind::kSet:
    case TermKind::kSetCompr:
      return kTSet;
    case TermKind::kObject:
    case TermKind::kObjectCompr:
      return kTObject;
    case TermKind::kTemplate:
      return kTString;
    case TermKind::kCall:
      if (t.call_kind == CallKind::kBuiltin) {
        if (const Signature* s = FindSignature(t.name)) {
          return s->result;
        }
      }
      return kTAny;
    default:
      return kTAny;
  }
}

std::string KindsText(uint8_t kinds) {
  if (kinds == kTAny) {
    return "any";
  }
  static const std::pair<uint8_t, const char*> kNames[] = {
      {kTNull, "null"},   {kTBool, "boolean"},  {kTNumber, "number"}, {kTString, "string"},
      {kTArray, "array"}, {kTObject, "object"}, {kTSet, "set"},
  };
  std::vector<std::string> names;
  for (const auto& [bit, name] : kNames) {
    if ((kinds & bit) != 0) {
      names.emplace_back(name);
    }
  }
  if (names.size() == 1) {
    return names[0];
  }
  std::string out = "any<";
  for (size_t i = 0; i < names.size(); ++i) {
    out += (i > 0 ? ", " : "") + names[i];
  }
  return out + ">";
}

}  // namespace qlrf::policy::internal
