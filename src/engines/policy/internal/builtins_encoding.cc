// Encoding and data built-ins: json.*, yaml.*, base64*, hex.*, io.jwt.* (HS256), uuid.*,
// units.*, net.cidr_*, semver.*, crypto.sha256.
#include <arpa/inet.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "common/crypto.h"
#include "common/json.h"
#include "engines/policy/internal/builtins_impl.h"

namespace qlrf::policy::internal::builtins {
namespace {

constexpr int kMaxYamlDepth = 64;

// ---- JSON ----

Result<Value> JsonMarshal(Args a, BuiltinContext& /*ctx*/) {
  return Value::String(ToJsonText(a[0]));
}

Result<Value> JsonUnmarshal(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("json.unmarshal", a, 0));
  auto parsed = json::Parse(a[0].AsString());
  if (!parsed) {
    return Fail(BuiltinError("json.unmarshal", parsed.error().message));
  }
  return FromJson(*parsed);
}

Result<Value> JsonIsValid(Args a, BuiltinContext& /*ctx*/) {
  if (!a[0].IsString()) {
    return Value::Bool(false);
  }
  return Value::Bool(json::Parse(a[0].AsString()).has_value());
}

// json.remove / json.filter paths: "a/b/0" strings or ["a", "b", 0] arrays.
Result<std::vector<std::vector<Value>>> JsonPaths(std::string_view fn, const Value& paths) {
  if (!paths.IsArray() && !paths.IsSet()) {
    return Fail(OperandError(fn, 2, "one of {array, set}", paths));
  }
  std::vector<std::vector<Value>> out;
  for (const auto& p : paths.Items()) {
    std::vector<Value> path;
    if (p.IsString()) {
      std::string_view s = p.AsString();
      while (!s.empty() && s.front() == '/') {
        s.remove_prefix(1);
      }
      size_t start = 0;
      while (start <= s.size() && !s.empty()) {
        size_t slash = s.find('/', start);
        std::string part(s.substr(start, slash == std::string_view::npos ? slash : slash - start));
        // JSON-pointer escapes
        for (size_t k = 0; (k = part.find('~', k)) != std::string::npos; ++k) {
          if (k + 1 < part.size()) {
            part.replace(k, 2, part[k + 1] == '1' ? "/" : "~");
          }
        }
        path.push_back(Value::String(std::move(part)));
        if (slash == std::string_view::npos) {
          break;
        }
        start = slash + 1;
      }
    } else if (p.IsArray()) {
      path = p.Items();
    } else {
      return Fail(OperandError(fn, 2, "collection of paths", paths));
    }
    out.push_back(std::move(path));
  }
  return out;
}

bool KeyMatches(const Value& key, const Value& want) {
  if (Compare(key, want) == 0) {
    return true;
  }
  // "0" addresses array index 0.
  return key.IsInt() && want.IsString() && want.AsString() == std::to_string(key.AsInt());
}

Value RemovePath(const Value& v, const std::vector<Value>& path, size_t i) {
  if (i >= path.size()) {
    return v;
  }
  bool last = i + 1 == path.size();
  if (v.IsObject()) {
    ObjectEntries out;
    for (const auto& [k, val] : v.Entries()) {
      if (KeyMatches(k, path[i])) {
        if (!last) {
          out.emplace_back(k, RemovePath(val, path, i + 1));
        }
      } else {
        out.emplace_back(k, val);
      }
    }
    return Value::SortedObject(std::move(out));
  }
  if (v.IsArray() || v.IsSet()) {
    std::vector<Value> out;
    const auto& items = v.Items();
    for (size_t idx = 0; idx < items.size(); ++idx) {
      Value key = v.IsArray() ? Value::Int(static_cast<int64_t>(idx)) : items[idx];
      if (KeyMatches(key, path[i])) {
        if (!last) {
          out.push_back(RemovePath(items[idx], path, i + 1));
        }
      } else {
        out.push_back(items[idx]);
      }
    }
    return v.IsArray() ? Value::Array(std::move(out)) : Value::Set(std::move(out));
  }
  return v;
}

Result<Value> JsonRemove(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("json.remove", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto paths, JsonPaths("json.remove", a[1]));
  Value v = a[0];
  for (const auto& p : paths) {
    v = RemovePath(v, p, 0);
  }
  return v;
}

// Keeps only what lies on one of `paths` (a trie walk).
Value FilterPaths(const Value& v, const std::vector<std::vector<Value>>& paths, size_t depth) {
  for (const auto& p : paths) {
    if (p.size() == depth) {
      return v;  // a path ends here: keep the whole subtree
    }
  }
  if (v.IsObject()) {
    ObjectEntries out;
    for (const auto& [k, val] : v.Entries()) {
      std::vector<std::vector<Value>> sub;
      for (const auto& p : paths) {
        if (p.size() > depth && KeyMatches(k, p[depth])) {
          sub.push_back(p);
        }
      }
      if (!sub.empty()) {
        out.emplace_back(k, FilterPaths(val, sub, depth + 1));
      }
    }
    return Value::SortedObject(std::move(out));
  }
  if (v.IsArray() || v.IsSet()) {
    std::vector<Value> out;
    const auto& items = v.Items();
    for (size_t idx = 0; idx < items.size(); ++idx) {
      Value key = v.IsArray() ? Value::Int(static_cast<int64_t>(idx)) : items[idx];
      std::vector<std::vector<Value>> sub;
      for (const auto& p : paths) {
        if (p.size() > depth && KeyMatches(key, p[depth])) {
          sub.push_back(p);
        }
      }
      if (!sub.empty()) {
        out.push_back(FilterPaths(items[idx], sub, depth + 1));
      }
    }
    return v.IsArray() ? Value::Array(std::move(out)) : Value::Set(std::move(out));
  }
  return v;
}

Result<Value> JsonFilter(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("json.filter", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto paths, JsonPaths("json.filter", a[1]));
  return FilterPaths(a[0], paths, 0);
}

// ---- json.patch (RFC 6902) ----

// A JSON-pointer path as keys ("/a/0" -> ["a", "0"]); arrays of keys are taken as they are.
Result<std::vector<Value>> PatchPath(const Value& p) {
  if (p.IsArray()) {
    return p.Items();
  }
  if (!p.IsString()) {
    return Fail(BuiltinError("json.patch", "path must be a string or an array"));
  }
  std::string_view s = p.AsString();
  std::vector<Value> out;
  if (s.empty()) {
    return out;
  }
  if (s[0] != '/') {
    return Fail(BuiltinError("json.patch", "invalid JSON pointer \"" + std::string(s) + "\""));
  }
  size_t start = 1;
  while (true) {
    size_t slash = s.find('/', start);
    std::string part(s.substr(start, slash == std::string_view::npos ? slash : slash - start));
    for (size_t k = 0; (k = part.find('~', k)) != std::string::npos; ++k) {
      if (k + 1 < part.size()) {
        part.replace(k, 2, part[k + 1] == '1' ? "/" : "~");
      }
    }
    out.push_back(Value::String(std::move(part)));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

// An array index from a path key ("-" appends when `for_insert`); nullopt when invalid.
std::optional<size_t> ArrayIndex(const Value& key, size_t size, bool for_insert) {
  if (key.IsInt()) {
    if (key.AsInt() < 0) {
      return std::nullopt;
    }
    auto i = static_cast<size_t>(key.AsInt());
    return i < size || (for_insert && i == size) ? std::optional<size_t>(i) : std::nullopt;
  }
  if (!key.IsString()) {
    return std::nullopt;
  }
  const std::string& k = key.AsString();
  if (for_insert && k == "-") {
    return size;
  }
  size_t i = 0;
  auto r = std::from_chars(k.data(), k.data() + k.size(), i);
  if (k.empty() || r.ec != std::errc() || r.ptr != k.data() + k.size() ||
      (k.size() > 1 && k[0] == '0')) {
    return std::nullopt;
  }
  return i < size || (for_insert && i == size) ? std::optional<size_t>(i) : std::nullopt;
}

enum class PatchOp { kAdd, kRemove, kReplace };

// Applies one add/remove/replace at `path[i..]` below `doc`; nullopt when the path is invalid.
std::optional<Value> PatchAt(const Value& doc, const std::vector<Value>& path, size_t i, PatchOp op,
                             const Value& value) {
  if (i == path.size()) {
    return op == PatchOp::kRemove ? std::optional<Value>() : std::optional<Value>(value);
  }
  const Value& key = path[i];
  bool last = i + 1 == path.size();
  if (doc.IsObject()) {
    const Value* child = doc.Find(key);
    if (last) {
      if (op != PatchOp::kAdd && child == nullptr) {
        return std::nullopt;
      }
      if (op == PatchOp::kRemove) {
        ObjectEntries out;
        for (const auto& e : doc.Entries()) {
          if (Compare(e.first, key) != 0) {
            out.push_back(e);
          }
        }
        return Value::SortedObject(std::move(out));
      }
      return ObjectInsert(doc, key, value);
    }
    if (child == nullptr) {
      return std::nullopt;
    }
    auto sub = PatchAt(*child, path, i + 1, op, value);
    return sub ? std::optional<Value>(ObjectInsert(doc, key, *sub)) : std::nullopt;
  }
  if (doc.IsArray()) {
    std::vector<Value> items = doc.Items();
    auto idx = ArrayIndex(key, items.size(), last && op == PatchOp::kAdd);
    if (!idx) {
      return std::nullopt;
    }
    auto pos = items.begin() + static_cast<std::ptrdiff_t>(*idx);
    if (last) {
      if (op == PatchOp::kAdd) {
        items.insert(pos, value);
      } else if (op == PatchOp::kRemove) {
        items.erase(pos);
      } else {
        *pos = value;
      }
      return Value::Array(std::move(items));
    }
    auto sub = PatchAt(*pos, path, i + 1, op, value);
    if (!sub) {
      return std::nullopt;
    }
    *pos = *sub;
    return Value::Array(std::move(items));
  }
  if (doc.IsSet() && last) {
    std::vector<Value> items = doc.Items();
    if (op == PatchOp::kAdd) {
      items.push_back(value);
    } else if (doc.Find(key) == nullptr) {
      return std::nullopt;
    } else {
      items.erase(std::find_if(items.begin(), items.end(),
                               [&](const Value& v) { return Compare(v, key) == 0; }));
      if (op == PatchOp::kReplace) {
        items.push_back(value);
      }
    }
    return Value::Set(std::move(items));
  }
  return std::nullopt;
}

const Value* Lookup(const Value& doc, const std::vector<Value>& path) {
  const Value* cur = &doc;
  for (const auto& key : path) {
    if (cur->IsArray()) {
      auto idx = ArrayIndex(key, cur->Size(), false);
      if (!idx) {
        return nullptr;
      }
      cur = &cur->Items()[*idx];
    } else {
      cur = cur->Find(key);
      if (cur == nullptr) {
        return nullptr;
      }
    }
  }
  return cur;
}

Result<Value> JsonPatch(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArray("json.patch", a, 1));
  Value doc = a[0];
  for (const auto& patch : a[1].Items()) {
    const Value* op = patch.Find("op");
    const Value* path_v = patch.Find("path");
    if (op == nullptr || !op->IsString() || path_v == nullptr) {
      return Fail(BuiltinError("json.patch", "each patch needs an op and a path"));
    }
    QLRF_ASSIGN_OR_RETURN(auto path, PatchPath(*path_v));
    const std::string& name = op->AsString();
    const Value* value = patch.Find("value");
    std::optional<Value> next;
    if (name == "add" || name == "replace") {
      if (value == nullptr) {
        return Fail(BuiltinError("json.patch", name + " needs a value"));
      }
      next = PatchAt(doc, path, 0, name == "add" ? PatchOp::kAdd : PatchOp::kReplace, *value);
    } else if (name == "remove") {
      next = path.empty() ? std::nullopt : PatchAt(doc, path, 0, PatchOp::kRemove, Value());
    } else if (name == "test") {
      const Value* at = Lookup(doc, path);
      if (value == nullptr || at == nullptr || Compare(*at, *value) != 0) {
        return Value();  // a failed test makes the result undefined
      }
      next = doc;
    } else if (name == "move" || name == "copy") {
      const Value* from_v = patch.Find("from");
      if (from_v == nullptr) {
        return Fail(BuiltinError("json.patch", name + " needs from"));
      }
      QLRF_ASSIGN_OR_RETURN(auto from, PatchPath(*from_v));
      const Value* moved = Lookup(doc, from);
      if (moved == nullptr) {
        return Value();
      }
      Value copy = *moved;
      Value base = doc;
      if (name == "move") {
        auto removed = PatchAt(doc, from, 0, PatchOp::kRemove, Value());
        if (!removed) {
          return Value();
        }
        base = *removed;
      }
      next = PatchAt(base, path, 0, PatchOp::kAdd, copy);
    } else {
      return Fail(BuiltinError("json.patch", "unknown op " + name));
    }
    if (!next) {
      return Value();
    }
    doc = std::move(*next);
  }
  return doc;
}

// ---- YAML (yaml-cpp; exceptions stop here) ----

Value ScalarFromYaml(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") {  // quoted scalar
    return Value::String(s);
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return Value::Null();
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return Value::Bool(true);
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return Value::Bool(false);
  }
  int64_t i = 0;
  auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) {
    return Value::Int(i);
  }
  double d = 0;
  const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
  auto rd = std::from_chars(begin, s.data() + s.size(), d);
  if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::isfinite(d)) {
    return Value::Double(d);
  }
  return Value::String(s);
}

Result<Value> FromYaml(const YAML::Node& n, int depth) {
  if (depth > kMaxYamlDepth) {
    return Fail(BuiltinError("yaml.unmarshal", "document nests too deeply"));
  }
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return Value::Null();
    case YAML::NodeType::Scalar:
      return ScalarFromYaml(n);
    case YAML::NodeType::Sequence: {
      std::vector<Value> items;
      for (const auto& item : n) {
        QLRF_ASSIGN_OR_RETURN(auto v, FromYaml(item, depth + 1));
        items.push_back(std::move(v));
      }
      return Value::Array(std::move(items));
    }
    case YAML::NodeType::Map: {
      ObjectEntries entries;
      for (const auto& kv : n) {
        QLRF_ASSIGN_OR_RETURN(auto k, FromYaml(kv.first, depth + 1));
        QLRF_ASSIGN_OR_RETURN(auto v, FromYaml(kv.second, depth + 1));
        if (!k.IsString()) {
          k = Value::String(k.IsNull() ? "null" : ToJsonText(k));
        }
        entries.emplace_back(std::move(k), std::move(v));
      }
      return Value::Object(std::move(entries));
    }
  }
  return Value::Null();
}

// yaml-cpp silently drops content that is less indented than a document's first line
// ("  a: 1\nb: 2" loads as {a: 1}); YAML parsers such as OPA's reject it, and so do we.
bool IndentationConsistent(const std::string& text) {
  size_t base = std::string::npos;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      end = text.size();
    }
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    if (line.rfind("---", 0) == 0 || line.rfind("...", 0) == 0) {
      base = std::string::npos;
      continue;
    }
    size_t indent = line.find_first_not_of(' ');
    if (indent == std::string_view::npos || line[indent] == '#' || line[indent] == '\r' ||
        (indent == 0 && line[0] == '%')) {
      continue;
    }
    if (base == std::string::npos) {
      base = indent;
    } else if (indent < base) {
      return false;
    }
  }
  return true;
}

Result<std::vector<YAML::Node>> LoadYaml(std::string_view fn, const std::string& text) {
  if (!IndentationConsistent(text)) {
    return Fail(BuiltinError(fn, "yaml: did not find expected key (inconsistent indentation)"));
  }
  try {
    return YAML::LoadAll(text);
  } catch (const std::exception& e) {
    return Fail(BuiltinError(fn, e.what()));
  }
}

Result<Value> YamlUnmarshal(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("yaml.unmarshal", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto docs, LoadYaml("yaml.unmarshal", a[0].AsString()));
  if (docs.empty()) {
    return Value::Null();
  }
  return FromYaml(docs[0], 0);
}

Result<Value> YamlIsValid(Args a, BuiltinContext& /*ctx*/) {
  if (!a[0].IsString()) {
    return Value::Bool(false);
  }
  auto docs = LoadYaml("yaml.is_valid", a[0].AsString());
  if (!docs) {
    return Value::Bool(false);
  }
  for (const auto& d : *docs) {
    if (!FromYaml(d, 0)) {
      return Value::Bool(false);
    }
  }
  return Value::Bool(true);
}

void EmitYaml(YAML::Emitter& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kArray:
    case Kind::kSet:
      out << YAML::BeginSeq;
      for (const auto& item : v.Items()) {
        EmitYaml(out, item);
      }
      out << YAML::EndSeq;
      return;
    case Kind::kObject:
      out << YAML::BeginMap;
      for (const auto& [k, val] : v.Entries()) {
        out << YAML::Key << (k.IsString() ? k.AsString() : ToJsonText(k)) << YAML::Value;
        EmitYaml(out, val);
      }
      out << YAML::EndMap;
      return;
    case Kind::kString:
      out << v.AsString();
      return;
    default:
      out << ToJsonText(v);
      return;
  }
}

Result<Value> YamlMarshal(Args a, BuiltinContext& /*ctx*/) {
  YAML::Emitter out;
  EmitYaml(out, a[0]);
  std::string text = out.c_str();
  text += '\n';
  return Value::String(std::move(text));
}

// ---- base64 / hex ----

std::string StdToUrl(std::string s, bool pad) {
  for (char& c : s) {
    if (c == '+') {
      c = '-';
    } else if (c == '/') {
      c = '_';
    }
  }
  if (!pad) {
    while (!s.empty() && s.back() == '=') {
      s.pop_back();
    }
  }
  return s;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Result<Value> Base64Encode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("base64.encode", a, 0));
  return Value::String(crypto::Base64Encode(Bytes(a[0].AsString())));
}

// Where Go's decoder would stop: the first byte outside the alphabet (or padding that is not
// at the end), as "illegal base64 data at input byte N"; empty when every byte is valid.
std::string IllegalBase64Byte(std::string_view text, bool url) {
  size_t end = text.find_last_not_of('=');
  end = end == std::string_view::npos ? 0 : end + 1;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool ok = std::isalnum(c) != 0 || (url ? (c == '-' || c == '_') : (c == '+' || c == '/')) ||
              (c == '=' && i >= end);
    if (!ok) {
      return "illegal base64 data at input byte " + std::to_string(i);
    }
  }
  return {};
}

Result<std::string> DecodeBase64Any(std::string_view fn, std::string text, bool url) {
  if (std::string bad = IllegalBase64Byte(text, url); !bad.empty()) {
    return Fail(BuiltinError(fn, bad));
  }
  if (url) {
    for (char& c : text) {
      if (c == '-') {
        c = '+';
      } else if (c == '_') {
        c = '/';
      }
    }
  }
  while (text.size() % 4 != 0) {
    text += '=';
  }
  auto decoded = crypto::Base64Decode(text);
  if (!decoded) {
    return Fail(BuiltinError(fn, "illegal base64 data"));
  }
  return std::string(crypto::AsString(*decoded));
}

Result<Value> Base64Decode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("base64.decode", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto s, DecodeBase64Any("base64.decode", a[0].AsString(), false));
  return Value::String(std::move(s));
}

Result<Value> Base64IsValid(Args a, BuiltinContext& /*ctx*/) {
  if (!a[0].IsString()) {
    return Value::Bool(false);
  }
  return Value::Bool(crypto::Base64Decode(a[0].AsString()).has_value());
}

Result<Value> Base64UrlEncode(Args a, bool pad) {
  std::string_view name = pad ? "base64url.encode" : "base64url.encode_no_pad";
  QLRF_TRY(WantString(name, a, 0));
  return Value::String(StdToUrl(crypto::Base64Encode(Bytes(a[0].AsString())), pad));
}

Result<Value> Base64UrlDecode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("base64url.decode", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto s, DecodeBase64Any("base64url.decode", a[0].AsString(), true));
  return Value::String(std::move(s));
}

Result<Value> HexEncode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("hex.encode", a, 0));
  return Value::String(crypto::HexEncode(Bytes(a[0].AsString())));
}

Result<Value> HexDecode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("hex.decode", a, 0));
  auto d = crypto::HexDecode(a[0].AsString());
  if (!d) {
    return Fail(BuiltinError("hex.decode", "invalid hex string"));
  }
  return Value::String(std::string(crypto::AsString(*d)));
}

Result<Value> Sha256(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("crypto.sha256", a, 0));
  return Value::String(crypto::Sha256Hex(a[0].AsString()));
}

Result<Value> HmacSha256(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("crypto.hmac.sha256", a, 0));
  QLRF_TRY(WantString("crypto.hmac.sha256", a, 1));
  return Value::String(crypto::HmacSha256Hex(a[1].AsString(), a[0].AsString()));
}

// ---- JWT (HS256) ----

struct Jwt {
  Value header;
  Value payload;
  std::string signature;  // raw bytes
  std::string signing_input;
};

// A token whose header says "cty": "JWT" carries another token as its payload; decoding
// follows the nesting (as OPA does) this many levels deep at most.
constexpr int kMaxJwtNesting = 8;

Result<Jwt> DecodeJwt(std::string_view fn, const std::string& token, int depth = 0) {
  size_t d1 = token.find('.');
  size_t d2 = d1 == std::string::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string::npos || token.find('.', d2 + 1) != std::string::npos) {
    return Fail(BuiltinError(fn, "encoded JWT had no period separators"));
  }
  Jwt jwt;
  jwt.signing_input = token.substr(0, d2);
  // Each part's decoding error is named as OPA names it.
  auto part = [&](std::string_view what, std::string text) -> Result<std::string> {
    std::string bad = IllegalBase64Byte(text, true);
    auto decoded = bad.empty() ? DecodeBase64Any(fn, std::move(text), true) : Result<std::string>();
    if (!bad.empty() || !decoded) {
      return Fail(BuiltinError(fn, "JWT " + std::string(what) + " had invalid encoding: " +
                                       (bad.empty() ? "illegal base64 data" : bad)));
    }
    return decoded;
  };
  QLRF_ASSIGN_OR_RETURN(auto header, part("header", token.substr(0, d1)));
  QLRF_ASSIGN_OR_RETURN(auto payload, part("payload", token.substr(d1 + 1, d2 - d1 - 1)));
  QLRF_ASSIGN_OR_RETURN(jwt.signature, part("signature", token.substr(d2 + 1)));
  auto h = json::Parse(header);
  if (h && h->is_object() && h->get_object().contains("enc")) {
    return Fail(BuiltinError(fn, "JWT is a JWE object, which is not supported"));
  }
  if (h && h->is_object()) {
    const auto* cty = h->get_object().if_contains("cty");
    if (cty != nullptr && cty->is_string()) {
      std::string type(cty->get_string());
      std::transform(type.begin(), type.end(), type.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (type == "JWT") {
        if (depth >= kMaxJwtNesting) {
          return Fail(BuiltinError(fn, "JWT nested too deeply"));
        }
        // The inner token is the payload itself or, JSON-encoded, a string.
        auto quoted = json::Parse(payload);
        if (quoted && quoted->is_string()) {
          return DecodeJwt(fn, std::string(quoted->get_string()), depth + 1);
        }
        return DecodeJwt(fn, payload, depth + 1);
      }
    }
  }
  auto p = json::Parse(payload);
  if (!h || !p || !h->is_object() || !p->is_object()) {
    return Fail(BuiltinError(fn, "JWT header or payload is not a JSON object"));
  }
  jwt.header = FromJson(*h);
  jwt.payload = FromJson(*p);
  return jwt;
}

Result<Value> JwtDecode(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("io.jwt.decode", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto jwt, DecodeJwt("io.jwt.decode", a[0].AsString()));
  return Value::Array(
      {jwt.header, jwt.payload, Value::String(crypto::HexEncode(Bytes(jwt.signature)))});
}

Result<std::string> HmacKeyFromJwk(std::string_view fn, const Value& jwk) {
  const Value* kty = jwk.Find("kty");
  const Value* k = jwk.Find("k");
  if (kty == nullptr || !kty->IsString() || kty->AsString() != "oct" || k == nullptr ||
      !k->IsString()) {
    return Fail(BuiltinError(fn, "only symmetric (kty oct) keys are supported"));
  }
  return DecodeBase64Any(fn, k->AsString(), true);
}

Result<Value> JwtEncodeSign(Args a, BuiltinContext& /*ctx*/) {
  constexpr std::string_view kName = "io.jwt.encode_sign";
  QLRF_TRY(WantObject(kName, a, 0));
  QLRF_TRY(WantObject(kName, a, 1));
  QLRF_TRY(WantObject(kName, a, 2));
  const Value* alg = a[0].Find("alg");
  if (alg == nullptr || !alg->IsString() || alg->AsString() != "HS256") {
    return Fail(BuiltinError(kName, "only HS256 signing is supported"));
  }
  QLRF_ASSIGN_OR_RETURN(auto key, HmacKeyFromJwk(kName, a[2]));
  std::string input = StdToUrl(crypto::Base64Encode(Bytes(ToJsonText(a[0]))), false) + "." +
                      StdToUrl(crypto::Base64Encode(Bytes(ToJsonText(a[1]))), false);
  auto mac = crypto::HmacSha256(key, input);
  return Value::String(input + "." + StdToUrl(crypto::Base64Encode(mac), false));
}

Result<Value> JwtDecodeVerify(Args a, BuiltinContext& ctx) {
  constexpr std::string_view kName = "io.jwt.decode_verify";
  QLRF_TRY(WantString(kName, a, 0));
  QLRF_TRY(WantObject(kName, a, 1));
  Value invalid = Value::Array({Value::Bool(false), Value::EmptyObject(), Value::EmptyObject()});
  auto jwt = DecodeJwt(kName, a[0].AsString());
  if (!jwt) {
    return invalid;
  }
  const Value& c = a[1];
  for (const auto& [k, v] : c.Entries()) {
    std::string_view key = k.AsString();
    if (key != "secret" && key != "alg" && key != "iss" && key != "aud" && key != "time" &&
        key != "sub" && key != "cert") {
      return Fail(BuiltinError(kName, "unknown token validation constraint: " + k.AsString()));
    }
  }
  const Value* alg = jwt->header.Find("alg");
  if (alg == nullptr || !alg->IsString() || alg->AsString() != "HS256") {
    return Fail(BuiltinError(kName, "only HS256 verification is supported"));
  }
  const Value* want_alg = c.Find("alg");
  if (want_alg != nullptr && Compare(*want_alg, *alg) != 0) {
    return invalid;
  }
  const Value* secret = c.Find("secret");
  if (secret == nullptr || !secret->IsString()) {
    return Fail(BuiltinError(kName, "HS256 verification needs a secret constraint"));
  }
  auto mac = crypto::HmacSha256(secret->AsString(), jwt->signing_input);
  if (!crypto::ConstantTimeEquals(crypto::AsString(mac), jwt->signature)) {
    return invalid;
  }
  for (const char* claim : {"iss", "sub"}) {
    const Value* want = c.Find(claim);
    if (want != nullptr) {
      const Value* got = jwt->payload.Find(claim);
      if (got == nullptr || Compare(*got, *want) != 0) {
        return invalid;
      }
    }
  }
  const Value* aud = jwt->payload.Find("aud");
  const Value* want_aud = c.Find("aud");
  if (aud != nullptr || want_aud != nullptr) {
    if (aud == nullptr || want_aud == nullptr) {
      return invalid;
    }
    bool ok = aud->IsString()
                  ? Compare(*aud, *want_aud) == 0
                  : aud->IsArray() &&
                        std::any_of(aud->Items().begin(), aud->Items().end(),
                                    [&](const Value& x) { return Compare(x, *want_aud) == 0; });
    if (!ok) {
      return invalid;
    }
  }
  double now = 0;
  if (const Value* t = c.Find("time"); t != nullptr && t->IsNumber()) {
    now = t->AsDouble();
  } else if (ctx.clock != nullptr) {
    if (!ctx.now_ns) {
      ctx.now_ns =
          std::chrono::duration_cast<std::chrono::nanoseconds>(ctx.clock->Now().time_since_epoch())
              .count();
    }
    now = static_cast<double>(*ctx.now_ns);
  }
  if (const Value* exp = jwt->payload.Find("exp"); exp != nullptr && exp->IsNumber()) {
    if (now >= exp->AsDouble() * 1e9) {
      return invalid;
    }
  }
  if (const Value* nbf = jwt->payload.Find("nbf"); nbf != nullptr && nbf->IsNumber()) {
    if (now < nbf->AsDouble() * 1e9) {
      return invalid;
    }
  }
  return Value::Array({Value::Bool(true), jwt->header, jwt->payload});
}

// ---- uuid ----

Result<Value> UuidRfc4122(Args a, BuiltinContext& ctx) {
  QLRF_TRY(WantString("uuid.rfc4122", a, 0));
  auto it = ctx.uuids.find(a[0].AsString());
  if (it != ctx.uuids.end()) {
    return Value::String(it->second);
  }
  if (ctx.random == nullptr) {
    return Fail(BuiltinError("uuid.rfc4122", "no random source configured"));
  }
  std::string id = NewUuid(*ctx.random);
  ctx.uuids.emplace(a[0].AsString(), id);
  return Value::String(std::move(id));
}

Result<Value> UuidParse(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("uuid.parse", a, 0));
  std::string s = a[0].AsString();
  std::transform(s.begin(), s.end(), s.begin(),
                 [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c; });
  if (!IsUuid(s)) {
    return Value();
  }
  int version = crypto::HexDigitValue(s[14]);
  int v = crypto::HexDigitValue(s[19]);
  std::string variant = (v & 0x8) == 0   ? "Reserved, NCS backward compatibility"
                        : (v & 0x4) == 0 ? "RFC4122"
                        : (v & 0x2) == 0 ? "Reserved, Microsoft backward compatibility"
                                         : "Reserved, future definition";
  return Value::Object({{Value::String("version"), Value::Int(version)},
                        {Value::String("variant"), Value::String(variant)}});
}

// ---- units ----

// Splits "10.5Ki" into amount text and unit; a leading-exponent-free number is required.
bool SplitAmount(std::string_view s, std::string& amount, std::string& unit) {
  size_t i = 0;
  while (i < s.size() &&
         ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '+' ||
          ((s[i] == 'e' || s[i] == 'E') && i + 1 < s.size() &&
           ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '+' || s[i + 1] == '-')))) {
    ++i;
  }
  amount = std::string(s.substr(0, i));
  unit = std::string(s.substr(i));
  return !amount.empty();
}

Result<double> ParseAmount(std::string_view fn, const std::string& amount) {
  std::string text = amount;
  if (!text.empty() && text.back() == '.') {
    text.pop_back();
  }
  double d = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
  }
  auto r = std::from_chars(begin, end, d);
  if (text.empty() || r.ec != std::errc() || r.ptr != end || text[0] == '.' ||
      (text[0] == '-' && text.size() > 1 && text[1] == '.')) {
    return Fail(BuiltinError(fn, "could not parse amount to a number"));
  }
  return d;
}

Result<Value> UnitsParse(Args a, bool bytes) {
  std::string_view fn = bytes ? "units.parse_bytes" : "units.parse";
  QLRF_TRY(WantString(fn, a, 0));
  std::string s;
  for (char c : a[0].AsString()) {
    if (c != ' ' && c != '"') {
      s += c;
    }
  }
  std::string amount;
  std::string unit;
  if (!SplitAmount(s, amount, unit)) {
    return Fail(BuiltinError(fn, bytes ? "no byte amount provided" : "no amount provided"));
  }
  QLRF_ASSIGN_OR_RETURN(double num, ParseAmount(fn, amount));
  std::string lower = unit;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (bytes && !lower.empty() && lower.back() == 'b') {
    lower.pop_back();
  }
  double mult = 1;
  static const std::array<std::pair<const char*, double>, 12> kUnits = {{
      {"k", 1e3},
      {"m", 1e6},
      {"g", 1e9},
      {"t", 1e12},
      {"p", 1e15},
      {"e", 1e18},
      {"ki", 1024.0},
      {"mi", 1048576.0},
      {"gi", 1073741824.0},
      {"ti", 1099511627776.0},
      {"pi", 1125899906842624.0},
      {"ei", 1152921504606846976.0},
  }};
  bool found = lower.empty();
  if (!bytes && unit == "m") {
    mult = 1e-3;
    found = true;
  } else if (!bytes && unit == "d") {
    mult = 0.1;
    found = true;
  } else {
    for (const auto& [name, m] : kUnits) {
      if (lower == name) {
        mult = m;
        found = true;
        break;
      }
    }
  }
  if (!found) {
    return Fail(BuiltinError(
        fn, bytes ? "byte unit " + unit + " not recognized" : "unit " + unit + " not recognized"));
  }
  double v = num * mult;
  if (bytes) {
    return Value::Double(std::round(v));
  }
  // Decimal multipliers of decimal inputs: round away binary noise (1.5e-2 * 1e3 = 15).
  double r = std::round(v * 1e9) / 1e9;
  return Value::Double(std::fabs(r - v) < 1e-9 * std::max(1.0, std::fabs(v)) ? r : v);
}

// ---- net ----

struct Cidr {
  std::array<uint8_t, 16> addr{};
  int len = 0;  // prefix length
  bool v6 = false;
};

bool ParseCidr(const std::string& text, Cidr& out) {
  std::string ip = text;
  int prefix = -1;
  size_t slash = text.find('/');
  if (slash != std::string::npos) {
    ip = text.substr(0, slash);
    std::string_view p = std::string_view(text).substr(slash + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (r.ec != std::errc() || r.ptr != p.data() + p.size() || p.empty()) {
      return false;
    }
  }
  if (inet_pton(AF_INET, ip.c_str(), out.addr.data()) == 1) {
    out.v6 = false;
    out.len = prefix < 0 ? 32 : prefix;
    return out.len <= 32;
  }
  if (inet_pton(AF_INET6, ip.c_str(), out.addr.data()) == 1) {
    out.v6 = true;
    out.len = prefix < 0 ? 128 : prefix;
    return out.len <= 128;
  }
  return false;
}

bool PrefixMatch(const Cidr& net, const Cidr& ip, int bits) {
  for (int i = 0; i < bits; ++i) {
    int byte = i / 8;
    int bit = 7 - i % 8;
    if (((net.addr[static_cast<size_t>(byte)] >> bit) & 1) !=
        ((ip.addr[static_cast<size_t>(byte)] >> bit) & 1)) {
      return false;
    }
  }
  return true;
}

Result<Value> CidrContains(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("net.cidr_contains", a, 0));
  QLRF_TRY(WantString("net.cidr_contains", a, 1));
  Cidr net;
  Cidr other;
  if (!ParseCidr(a[0].AsString(), net) || a[0].AsString().find('/') == std::string::npos) {
    return Fail(BuiltinError("net.cidr_contains", "invalid CIDR address: " + a[0].AsString()));
  }
  if (!ParseCidr(a[1].AsString(), other)) {
    return Fail(BuiltinError("net.cidr_contains", "invalid IP or CIDR: " + a[1].AsString()));
  }
  if (net.v6 != other.v6) {
    return Value::Bool(false);
  }
  return Value::Bool(other.len >= net.len && PrefixMatch(net, other, net.len));
}

Result<Value> CidrIntersects(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("net.cidr_intersects", a, 0));
  QLRF_TRY(WantString("net.cidr_intersects", a, 1));
  Cidr x;
  Cidr y;
  if (!ParseCidr(a[0].AsString(), x) || !ParseCidr(a[1].AsString(), y)) {
    return Fail(BuiltinError("net.cidr_intersects", "invalid CIDR address"));
  }
  if (x.v6 != y.v6) {
    return Value::Bool(false);
  }
  return Value::Bool(PrefixMatch(x, y, std::min(x.len, y.len)));
}

Result<Value> CidrIsValid(Args a, BuiltinContext& /*ctx*/) {
  if (!a[0].IsString() || a[0].AsString().find('/') == std::string::npos) {
    return Value::Bool(false);
  }
  Cidr c;
  return Value::Bool(ParseCidr(a[0].AsString(), c));
}

// ---- semver ----

struct SemVer {
  int64_t major = 0;
  int64_t minor = 0;
  int64_t patch = 0;
  std::vector<std::string> pre;
};

bool ParseNumeric(std::string_view s, int64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) {
    return false;
  }
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ValidIdent(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

bool ParseSemVer(std::string_view s, SemVer& v) {
  size_t plus = s.find('+');
  if (plus != std::string_view::npos) {
    std::string_view build = s.substr(plus + 1);
    size_t start = 0;
    while (true) {
      size_t dot = build.find('.', start);
      if (!ValidIdent(build.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
        return false;
      }
      if (dot == std::string_view::npos) {
        break;
      }
      start = dot + 1;
    }
    s = s.substr(0, plus);
  }
  size_t dash = s.find('-');
  std::string_view core = s.substr(0, dash);
  if (dash != std::string_view::npos) {
    std::string_view pre = s.substr(dash + 1);
    size_t start = 0;
    while (true) {
      size_t dot = pre.find('.', start);
      std::string_view id = pre.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (!ValidIdent(id)) {
        return false;
      }
      bool numeric = std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (numeric && id.size() > 1 && id[0] == '0') {
        return false;
      }
      v.pre.emplace_back(id);
      if (dot == std::string_view::npos) {
        break;
      }
      start = dot + 1;
    }
  }
  size_t d1 = core.find('.');
  size_t d2 = d1 == std::string_view::npos ? d1 : core.find('.', d1 + 1);
  if (d2 == std::string_view::npos) {
    return false;
  }
  return ParseNumeric(core.substr(0, d1), v.major) &&
         ParseNumeric(core.substr(d1 + 1, d2 - d1 - 1), v.minor) &&
         ParseNumeric(core.substr(d2 + 1), v.patch);
}

int ComparePre(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) {
    return a.empty() == b.empty() ? 0 : (a.empty() ? 1 : -1);
  }
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    int64_t x = 0;
    int64_t y = 0;
    bool xn = ParseNumeric(a[i], x) || a[i] == "0";
    bool yn = ParseNumeric(b[i], y) || b[i] == "0";
    if (xn && yn) {
      if (x != y) {
        return x < y ? -1 : 1;
      }
    } else if (xn != yn) {
      return xn ? -1 : 1;
    } else if (a[i] != b[i]) {
      return a[i] < b[i] ? -1 : 1;
    }
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

Result<Value> SemverCompare(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("semver.compare", a, 0));
  QLRF_TRY(WantString("semver.compare", a, 1));
  SemVer x;
  SemVer y;
  if (!ParseSemVer(a[0].AsString(), x)) {
    return Fail(BuiltinError(
        "semver.compare", "operand 1: string \"" + a[0].AsString() + "\" is not a valid SemVer"));
  }
  if (!ParseSemVer(a[1].AsString(), y)) {
    return Fail(BuiltinError(
        "semver.compare", "operand 2: string \"" + a[1].AsString() + "\" is not a valid SemVer"));
  }
  auto cmp = [](int64_t p, int64_t q) { return p < q ? -1 : (p > q ? 1 : 0); };
  int c = cmp(x.major, y.major);
  if (c == 0) {
    c = cmp(x.minor, y.minor);
  }
  if (c == 0) {
    c = cmp(x.patch, y.patch);
  }
  if (c == 0) {
    c = ComparePre(x.pre, y.pre);
  }
  return Value::Int(c);
}

Result<Value> SemverIsValid(Args a, BuiltinContext& /*ctx*/) {
  SemVer v;
  return Value::Bool(a[0].IsString() && ParseSemVer(a[0].AsString(), v));
}

}  // namespace

void AddEncoding(std::vector<Builtin>& out) {
  auto add = [&](const char* name, int arity, BuiltinFn fn) {
    out.push_back(Builtin{name, arity, fn, nullptr});
  };
  add("json.marshal", 1, JsonMarshal);
  add("json.unmarshal", 1, JsonUnmarshal);
  add("json.is_valid", 1, JsonIsValid);
  add("json.remove", 2, JsonRemove);
  add("json.filter", 2, JsonFilter);
  add("json.patch", 2, JsonPatch);
  add("yaml.marshal", 1, YamlMarshal);
  add("yaml.unmarshal", 1, YamlUnmarshal);
  add("yaml.is_valid", 1, YamlIsValid);
  add("base64.encode", 1, Base64Encode);
  add("base64.decode", 1, Base64Decode);
  add("base64.is_valid", 1, Base64IsValid);
  add("base64url.encode", 1, [](Args a, BuiltinContext&) { return Base64UrlEncode(a, true); });
  add("base64url.encode_no_pad", 1,
      [](Args a, BuiltinContext&) { return Base64UrlEncode(a, false); });
  add("base64url.decode", 1, Base64UrlDecode);
  add("hex.encode", 1, HexEncode);
  add("hex.decode", 1, HexDecode);
  add("crypto.sha256", 1, Sha256);
  add("crypto.hmac.sha256", 2, HmacSha256);
  add("io.jwt.decode", 1, JwtDecode);
  add("io.jwt.encode_sign", 3, JwtEncodeSign);
  add("io.jwt.decode_verify", 2, JwtDecodeVerify);
  add("uuid.rfc4122", 1, UuidRfc4122);
  add("uuid.parse", 1, UuidParse);
  add("units.parse", 1, [](Args a, BuiltinContext&) { return UnitsParse(a, false); });
  add("units.parse_bytes", 1, [](Args a, BuiltinContext&) { return UnitsParse(a, true); });
  add("net.cidr_contains", 2, CidrContains);
  add("net.cidr_intersects", 2, CidrIntersects);
  add("net.cidr_is_valid", 1, CidrIsValid);
  add("semver.compare", 2, SemverCompare);
  add("semver.is_valid", 1, SemverIsValid);
}

}  // namespace qlrf::policy::internal::builtins
