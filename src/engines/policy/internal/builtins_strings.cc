// String built-ins: concat, split, trim…, sprintf, format_int, regex.* and glob.*.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <tuple>

#include "engines/policy/internal/builtins_impl.h"
#include "engines/policy/internal/regex.h"

namespace qlrf::policy::internal::builtins {
namespace {

constexpr int kMaxWidth = 10000;

std::vector<uint32_t> Runes(std::string_view s) {
  std::vector<uint32_t> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    out.push_back(DecodeUtf8(s, i, len));
    i += len;
  }
  return out;
}

std::string FromRunes(const std::vector<uint32_t>& r, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < r.size(); ++i) {
    AppendUtf8(out, r[i]);
  }
  return out;
}

Result<Value> Concat(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("concat", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto items, StringItems("concat", a, 1));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += a[0].AsString();
    }
    out += items[i];
  }
  return Value::String(std::move(out));
}

Result<Value> StringPredicate(Args a, std::string_view name, int op) {
  QLRF_TRY(WantString(name, a, 0));
  QLRF_TRY(WantString(name, a, 1));
  const std::string& s = a[0].AsString();
  const std::string& t = a[1].AsString();
  switch (op) {
    case 0:
      return Value::Bool(s.find(t) != std::string::npos);
    case 1:
      return Value::Bool(s.rfind(t, 0) == 0);
    default:
      return Value::Bool(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
  }
}

// Simple case mapping for the scripts policies meet: ASCII, Latin-1, Latin Extended-A, Greek
// and Cyrillic (Go's unicode.ToUpper/ToLower agree on these).
uint32_t MapCase(uint32_t c, bool upper) {
  auto in = [c](uint32_t lo, uint32_t hi) { return c >= lo && c <= hi; };
  if (upper) {
    if (in('a', 'z') || (in(0xE0, 0xFE) && c != 0xF7) || in(0x3B1, 0x3C9) || in(0x430, 0x44F)) {
      return c == 0x3C2 ? 0x3A3 : c - 0x20;  // final sigma
    }
    if (in(0x450, 0x45F)) {
      return c - 0x50;
    }
    if (in(0x100, 0x17F) && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
      bool pairs_odd = in(0x139, 0x148) || in(0x179, 0x17E);
      return (c % 2 == (pairs_odd ? 0 : 1)) ? c - 1 : c;
    }
    return c;
  }
  if (in('A', 'Z') || (in(0xC0, 0xDE) && c != 0xD7) || (in(0x391, 0x3A9) && c != 0x3A2) ||
      in(0x410, 0x42F)) {
    return c + 0x20;
  }
  if (in(0x400, 0x40F)) {
    return c + 0x50;
  }
  if (in(0x100, 0x17F) && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 && c != 0x17F) {
    bool pairs_odd = in(0x139, 0x148) || in(0x179, 0x17E);
    return (c % 2 == (pairs_odd ? 1 : 0)) ? c + 1 : c;
  }
  return c;
}

Result<Value> Case(Args a, bool upper) {
  QLRF_TRY(WantString(upper ? "upper" : "lower", a, 0));
  std::string out;
  for (uint32_t c : Runes(a[0].AsString())) {
    AppendUtf8(out, MapCase(c, upper));
  }
  return Value::String(std::move(out));
}

Result<Value> Split(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("split", a, 0));
  QLRF_TRY(WantString("split", a, 1));
  const std::string& s = a[0].AsString();
  const std::string& d = a[1].AsString();
  std::vector<Value> out;
  if (d.empty()) {
    auto r = Runes(s);
    for (size_t i = 0; i < r.size(); ++i) {
      out.push_back(Value::String(FromRunes(r, i, i + 1)));
    }
    return Value::Array(std::move(out));
  }
  size_t start = 0;
  while (true) {
    size_t p = s.find(d, start);
    if (p == std::string::npos) {
      out.push_back(Value::String(s.substr(start)));
      break;
    }
    out.push_back(Value::String(s.substr(start, p - start)));
    start = p + d.size();
  }
  return Value::Array(std::move(out));
}

// strings.split_n(s, delimiter, n): the first n parts of split(s, delimiter), or the last -n
// when n is negative; all of them when there are fewer.
Result<Value> SplitN(Args a, BuiltinContext& ctx) {
  QLRF_TRY(WantString("strings.split_n", a, 0));
  QLRF_TRY(WantString("strings.split_n", a, 1));
  QLRF_TRY(WantInt("strings.split_n", a, 2));
  QLRF_ASSIGN_OR_RETURN(Value all, Split(a.subspan(0, 2), ctx));
  const auto& parts = all.Items();
  int64_t n = a[2].AsInt();
  auto want = static_cast<size_t>(n < 0 ? (n == INT64_MIN ? INT64_MAX : -n) : n);
  if (want >= parts.size()) {
    return all;
  }
  auto first = n < 0 ? parts.end() - static_cast<std::ptrdiff_t>(want) : parts.begin();
  return Value::Array(std::vector<Value>(first, first + static_cast<std::ptrdiff_t>(want)));
}

// Go's strings.Trim family over runes of `cutset`.
std::string TrimRunes(std::string_view s, std::string_view cutset, bool left, bool right) {
  auto cut = Runes(cutset);
  auto r = Runes(s);
  auto in = [&](uint32_t c) { return std::find(cut.begin(), cut.end(), c) != cut.end(); };
  size_t b = 0;
  size_t e = r.size();
  while (left && b < e && in(r[b])) {
    ++b;
  }
  while (right && e > b && in(r[e - 1])) {
    --e;
  }
  return FromRunes(r, b, e);
}

Result<Value> Trim(Args a, std::string_view name, bool left, bool right) {
  QLRF_TRY(WantString(name, a, 0));
  QLRF_TRY(WantString(name, a, 1));
  return Value::String(TrimRunes(a[0].AsString(), a[1].AsString(), left, right));
}

Result<Value> TrimAffix(Args a, bool prefix) {
  std::string_view name = prefix ? "trim_prefix" : "trim_suffix";
  QLRF_TRY(WantString(name, a, 0));
  QLRF_TRY(WantString(name, a, 1));
  std::string s = a[0].AsString();
  const std::string& t = a[1].AsString();
  if (prefix && s.rfind(t, 0) == 0) {
    s.erase(0, t.size());
  } else if (!prefix && s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0) {
    s.erase(s.size() - t.size());
  }
  return Value::String(std::move(s));
}

bool IsSpaceRune(uint32_t c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xA0 || c == 0x2028 ||
         c == 0x2029 || c == 0x3000 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
         c == 0x205F;
}

Result<Value> TrimSpace(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("trim_space", a, 0));
  auto r = Runes(a[0].AsString());
  size_t b = 0;
  size_t e = r.size();
  while (b < e && IsSpaceRune(r[b])) {
    ++b;
  }
  while (e > b && IsSpaceRune(r[e - 1])) {
    --e;
  }
  return Value::String(FromRunes(r, b, e));
}

Result<Value> Replace(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("replace", a, 0));
  QLRF_TRY(WantString("replace", a, 1));
  QLRF_TRY(WantString("replace", a, 2));
  const std::string& s = a[0].AsString();
  const std::string& old = a[1].AsString();
  const std::string& repl = a[2].AsString();
  std::string out;
  if (old.empty()) {
    auto r = Runes(s);
    out += repl;
    for (uint32_t c : r) {
      AppendUtf8(out, c);
      out += repl;
    }
    return Value::String(std::move(out));
  }
  size_t start = 0;
  while (true) {
    size_t p = s.find(old, start);
    if (p == std::string::npos) {
      out.append(s, start, std::string::npos);
      break;
    }
    out.append(s, start, p - start);
    out += repl;
    start = p + old.size();
  }
  return Value::String(std::move(out));
}

Result<Value> ReplaceN(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("strings.replace_n", a, 0));
  QLRF_TRY(WantString("strings.replace_n", a, 1));
  const std::string& s = a[1].AsString();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [k, v] : a[0].Entries()) {
    if (!k.IsString() || !v.IsString()) {
      return Fail(OperandError("strings.replace_n", 1, "object[string: string]", a[0]));
    }
    pairs.emplace_back(k.AsString(), v.AsString());
  }
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    bool replaced = false;
    for (const auto& [from, to] : pairs) {
      if (!from.empty() && s.compare(i, from.size(), from) == 0) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) {
      out += s[i++];
    }
  }
  return Value::String(std::move(out));
}

Result<Value> IndexOf(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("indexof", a, 0));
  QLRF_TRY(WantString("indexof", a, 1));
  const std::string& s = a[0].AsString();
  size_t p = s.find(a[1].AsString());
  if (p == std::string::npos) {
    return Value::Int(-1);
  }
  return Value::Int(static_cast<int64_t>(CountRunes(std::string_view(s).substr(0, p))));
}

Result<Value> IndexOfN(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("indexof_n", a, 0));
  QLRF_TRY(WantString("indexof_n", a, 1));
  const std::string& s = a[0].AsString();
  const std::string& t = a[1].AsString();
  std::vector<Value> out;
  if (t.empty()) {
    return Value::Array({});
  }
  size_t p = s.find(t);
  while (p != std::string::npos) {
    out.push_back(Value::Int(static_cast<int64_t>(CountRunes(std::string_view(s).substr(0, p)))));
    p = s.find(t, p + 1);
  }
  return Value::Array(std::move(out));
}

Result<Value> Substring(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("substring", a, 0));
  QLRF_TRY(WantInt("substring", a, 1));
  QLRF_TRY(WantInt("substring", a, 2));
  int64_t start = a[1].AsInt();
  int64_t length = a[2].AsInt();
  if (start < 0) {
    return Fail(BuiltinError("substring", "negative offset"));
  }
  auto r = Runes(a[0].AsString());
  auto n = static_cast<int64_t>(r.size());
  if (start >= n) {
    return Value::String("");
  }
  int64_t end = length < 0 || length > n - start ? n : start + length;
  return Value::String(FromRunes(r, static_cast<size_t>(start), static_cast<size_t>(end)));
}

Result<Value> StringsReverse(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("strings.reverse", a, 0));
  auto r = Runes(a[0].AsString());
  std::reverse(r.begin(), r.end());
  return Value::String(FromRunes(r, 0, r.size()));
}

Result<Value> StringsCount(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("strings.count", a, 0));
  QLRF_TRY(WantString("strings.count", a, 1));
  const std::string& s = a[0].AsString();
  const std::string& t = a[1].AsString();
  if (t.empty()) {
    return Value::Int(static_cast<int64_t>(CountRunes(s)) + 1);
  }
  int64_t n = 0;
  for (size_t p = s.find(t); p != std::string::npos; p = s.find(t, p + t.size())) {
    ++n;
  }
  return Value::Int(n);
}

std::string IntToBase(int64_t v, int base) {
  static const char kDigits[] = "0123456789abcdef";
  bool neg = v < 0;
  uint64_t u = neg ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  std::string out;
  do {
    out += kDigits[u % static_cast<uint64_t>(base)];
    u /= static_cast<uint64_t>(base);
  } while (u != 0);
  if (neg) {
    out += '-';
  }
  std::reverse(out.begin(), out.end());
  return out;
}

Result<Value> FormatInt(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("format_int", a, 0));
  QLRF_TRY(WantInt("format_int", a, 1));
  int64_t base = a[1].AsInt();
  if (base != 2 && base != 8 && base != 10 && base != 16) {
    return Fail(BuiltinError("format_int", "operand 2 must be one of {2, 8, 10, 16}"));
  }
  // Truncated toward zero, as Go's big.Float.Int does (15.5 -> 15, -15.5 -> -15).
  double d = std::trunc(a[0].AsDouble());
  int64_t v = a[0].IsInt() ? a[0].AsInt() : static_cast<int64_t>(std::clamp(d, -9.2e18, 9.2e18));
  return Value::String(IntToBase(v, static_cast<int>(base)));
}

// strings.any_prefix_match / any_suffix_match: a string or a collection of strings on each side.
Result<std::vector<std::string>> OneOrMany(std::string_view fn, Args a, size_t i) {
  if (a[i].IsString()) {
    return std::vector<std::string>{a[i].AsString()};
  }
  return StringItems(fn, a, i);
}

Result<Value> AnyAffixMatch(Args a, bool prefix) {
  std::string_view name = prefix ? "strings.any_prefix_match" : "strings.any_suffix_match";
  QLRF_ASSIGN_OR_RETURN(auto search, OneOrMany(name, a, 0));
  QLRF_ASSIGN_OR_RETURN(auto base, OneOrMany(name, a, 1));
  for (const auto& s : search) {
    for (const auto& b : base) {
      bool hit = prefix ? s.rfind(b, 0) == 0
                        : s.size() >= b.size() && s.compare(s.size() - b.size(), b.size(), b) == 0;
      if (hit) {
        return Value::Bool(true);
      }
    }
  }
  return Value::Bool(false);
}

// ---- sprintf (Go's fmt verbs as OPA applies them to Rego values) ----

std::string Pad(std::string s, int width, bool left, bool zero) {
  auto n = static_cast<int>(CountRunes(s));
  if (width <= n) {
    return s;
  }
  auto fill = static_cast<size_t>(width - n);
  if (left) {
    s.append(fill, ' ');
    return s;
  }
  if (zero) {
    size_t sign = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    s.insert(sign, fill, '0');
    return s;
  }
  s.insert(0, fill, ' ');
  return s;
}

std::string QuoteGo(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  out += '"';
  return out;
}

struct Spec {
  bool minus = false;
  bool plus = false;
  bool sharp = false;
  bool zero = false;
  bool space = false;
  int width = -1;
  int precision = -1;
};

std::string FormatFloat(const Spec& sp, char verb, double d) {
  std::string fmt = "%";
  if (sp.plus) {
    fmt += '+';
  }
  if (sp.space) {
    fmt += ' ';
  }
  if (sp.sharp) {
    fmt += '#';
  }
  if (sp.precision >= 0) {
    fmt += '.' + std::to_string(std::min(sp.precision, 100));
  }
  fmt += verb == 'F' ? 'f' : verb;
  char buf[512];
  int n = std::snprintf(buf, sizeof(buf), fmt.c_str(), d);
  std::string out(buf, static_cast<size_t>(std::clamp(n, 0, static_cast<int>(sizeof(buf) - 1))));
  if ((verb == 'g' || verb == 'G') && sp.precision < 0) {
    // Go's %g uses the shortest representation.
    out = NumberText(Value::Double(d));
    if (Value::Double(d).IsInt() && std::fabs(d) >= 1e21) {
      out = buf;
    }
  }
  return out;
}

std::string FormatOne(const Spec& sp, char verb, const Value& v) {
  switch (verb) {
    case 'v':
    case 's':
      if (v.IsNumber()) {
        return NumberText(v);
      }
      return FormatValue(v);
    case 'd':
      if (v.IsInt()) {
        std::string s = std::to_string(v.AsInt());
        if (sp.plus && v.AsInt() >= 0) {
          s.insert(0, 1, '+');
        }
        return s;
      }
      if (v.Big() != nullptr) {
        std::string s = NumberText(v);
        if (sp.plus && s[0] != '-') {
          s.insert(0, 1, '+');
        }
        return s;
      }
      return "%!d(" + std::string(v.TypeName()) + "=" + FormatValue(v) + ")";
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      if (v.IsNumber()) {
        return FormatFloat(sp, verb, v.AsDouble());
      }
      return std::string("%!") + verb + "(" + std::string(v.TypeName()) + "=" + FormatValue(v) +
             ")";
    case 'x':
    case 'X':
    case 'o':
    case 'b': {
      int base = verb == 'o' ? 8 : (verb == 'b' ? 2 : 16);
      std::string out;
      if (v.IsInt()) {
        out = IntToBase(v.AsInt(), base);
      } else if (v.IsString() && base == 16) {
        static const char kHex[] = "0123456789abcdef";
        for (unsigned char c : v.AsString()) {
          out += kHex[c >> 4];
          out += kHex[c & 15];
        }
      } else if (v.IsNumber()) {
        out = FormatFloat(sp, 'a', v.AsDouble());
      } else {
        return std::string("%!") + verb + "(" + std::string(v.TypeName()) + "=" + FormatValue(v) +
               ")";
      }
      if (verb == 'X') {
        std::transform(out.begin(), out.end(), out.begin(),
                       [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 32) : c; });
      }
      if (sp.sharp && base == 16) {
        out.insert(0, verb == 'X' ? "0X" : "0x");
      }
      return out;
    }
    case 't':
      if (v.IsBool()) {
        return v.AsBool() ? "true" : "false";
      }
      return "%!t(" + std::string(v.TypeName()) + "=" + FormatValue(v) + ")";
    case 'q':
      return QuoteGo(FormatValue(v));
    case 'c':
      if (v.IsInt() && v.AsInt() >= 0 && v.AsInt() <= 0x10FFFF) {
        std::string out;
        AppendUtf8(out, static_cast<uint32_t>(v.AsInt()));
        return out;
      }
      return "%!c(" + std::string(v.TypeName()) + "=" + FormatValue(v) + ")";
    default:
      return {};
  }
}

Result<Value> Sprintf(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("sprintf", a, 0));
  QLRF_TRY(WantArray("sprintf", a, 1));
  const std::string& f = a[0].AsString();
  const auto& vals = a[1].Items();
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] != '%') {
      out += f[i];
      continue;
    }
    size_t start = i;
    ++i;
    if (i < f.size() && f[i] == '%') {
      out += '%';
      continue;
    }
    Spec sp;
    for (; i < f.size(); ++i) {
      char c = f[i];
      if (c == '-') {
        sp.minus = true;
      } else if (c == '+') {
        sp.plus = true;
      } else if (c == '#') {
        sp.sharp = true;
      } else if (c == '0') {
        sp.zero = true;
      } else if (c == ' ') {
        sp.space = true;
      } else {
        break;
      }
    }
    auto read_int = [&](int& out_int) {
      size_t s = i;
      int v = 0;
      while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
        v = std::min(v * 10 + (f[i] - '0'), kMaxWidth);
        ++i;
      }
      if (i > s) {
        out_int = v;
      }
    };
    read_int(sp.width);
    if (i < f.size() && f[i] == '.') {
      ++i;
      sp.precision = 0;
      read_int(sp.precision);
    }
    if (i >= f.size()) {
      out += "%!(NOVERB)";
      break;
    }
    char verb = f[i];
    static const std::string_view kVerbs = "vsdfFeEgGxXobtqc";
    if (kVerbs.find(verb) == std::string_view::npos) {
      out.append(f, start, i - start + 1);  // unknown verb: kept as written
      continue;
    }
    if (next >= vals.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    std::string s = FormatOne(sp, verb, vals[next++]);
    if ((verb == 's' || verb == 'v' || verb == 'q') && sp.precision >= 0 && verb != 'q') {
      auto r = Runes(s);
      if (r.size() > static_cast<size_t>(sp.precision)) {
        s = FromRunes(r, 0, static_cast<size_t>(sp.precision));
      }
    }
    bool numeric = std::string_view("dfFeEgGxXob").find(verb) != std::string_view::npos;
    out += Pad(std::move(s), sp.width, sp.minus, sp.zero && numeric && !sp.minus);
  }
  return Value::String(std::move(out));
}

// ---- regex and glob ----

Result<Regex> CompileRegex(std::string_view fn, std::string_view pattern) {
  auto re = Regex::Compile(pattern);
  if (!re) {
    return Fail(BuiltinError(fn, re.error().message));
  }
  return re;
}

Result<Value> RegexMatch(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("regex.match", a, 0));
  QLRF_TRY(WantString("regex.match", a, 1));
  QLRF_ASSIGN_OR_RETURN(auto re, CompileRegex("regex.match", a[0].AsString()));
  return Value::Bool(re.Search(a[1].AsString()));
}

Result<Value> RegexIsValid(Args a, BuiltinContext& /*ctx*/) {
  if (!a[0].IsString()) {
    return Value::Bool(false);
  }
  return Value::Bool(Regex::Compile(a[0].AsString()).has_value());
}

Result<Value> RegexFindAllSubmatch(Args a, BuiltinContext& /*ctx*/) {
  constexpr std::string_view kName = "regex.find_all_string_submatch_n";
  QLRF_TRY(WantString(kName, a, 0));
  QLRF_TRY(WantString(kName, a, 1));
  QLRF_TRY(WantInt(kName, a, 2));
  QLRF_ASSIGN_OR_RETURN(auto re, CompileRegex(kName, a[0].AsString()));
  const std::string& s = a[1].AsString();
  auto matches = re.FindAll(s, static_cast<int>(std::clamp<int64_t>(a[2].AsInt(), -1, 1 << 30)));
  std::vector<Value> out;
  out.reserve(matches.size());
  for (const auto& m : matches) {
    std::vector<Value> groups;
    groups.reserve(m.size());
    for (const auto& [b, e] : m) {
      groups.push_back(Value::String(
          b < 0 ? std::string() : s.substr(static_cast<size_t>(b), static_cast<size_t>(e - b))));
    }
    out.push_back(Value::Array(std::move(groups)));
  }
  return Value::Array(std::move(out));
}

Result<Value> RegexFindN(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("regex.find_n", a, 0));
  QLRF_TRY(WantString("regex.find_n", a, 1));
  QLRF_TRY(WantInt("regex.find_n", a, 2));
  QLRF_ASSIGN_OR_RETURN(auto re, CompileRegex("regex.find_n", a[0].AsString()));
  const std::string& s = a[1].AsString();
  auto matches = re.FindAll(s, static_cast<int>(std::clamp<int64_t>(a[2].AsInt(), -1, 1 << 30)));
  std::vector<Value> out;
  out.reserve(matches.size());
  for (const auto& m : matches) {
    out.push_back(Value::String(
        s.substr(static_cast<size_t>(m[0].first), static_cast<size_t>(m[0].second - m[0].first))));
  }
  return Value::Array(std::move(out));
}

Result<Value> RegexSplit(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("regex.split", a, 0));
  QLRF_TRY(WantString("regex.split", a, 1));
  QLRF_ASSIGN_OR_RETURN(auto re, CompileRegex("regex.split", a[0].AsString()));
  const std::string& s = a[1].AsString();
  std::vector<Value> out;
  size_t start = 0;
  for (const auto& m : re.FindAll(s, -1)) {
    auto b = static_cast<size_t>(m[0].first);
    auto e = static_cast<size_t>(m[0].second);
    if (e == 0 && b == 0) {
      continue;
    }
    out.push_back(Value::String(s.substr(start, b - start)));
    start = e;
  }
  out.push_back(Value::String(s.substr(start)));
  return Value::Array(std::move(out));
}

Result<Value> RegexReplace(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("regex.replace", a, 0));
  QLRF_TRY(WantString("regex.replace", a, 1));
  QLRF_TRY(WantString("regex.replace", a, 2));
  QLRF_ASSIGN_OR_RETURN(auto re, CompileRegex("regex.replace", a[1].AsString()));
  const std::string& s = a[0].AsString();
  const std::string& repl = a[2].AsString();
  std::string out;
  size_t start = 0;
  for (const auto& m : re.FindAll(s, -1)) {
    auto b = static_cast<size_t>(m[0].first);
    out.append(s, start, b - start);
    // $n / ${n} expand to group n.
    for (size_t i = 0; i < repl.size(); ++i) {
      if (repl[i] == '$' && i + 1 < repl.size()) {
        size_t j = i + 1;
        bool brace = repl[j] == '{';
        if (brace) {
          ++j;
        }
        size_t k = j;
        while (k < repl.size() && repl[k] >= '0' && repl[k] <= '9') {
          ++k;
        }
        if (k > j && (!brace || (k < repl.size() && repl[k] == '}'))) {
          size_t g = static_cast<size_t>(std::stoul(repl.substr(j, std::min<size_t>(k - j, 6))));
          if (g < m.size() && m[g].first >= 0) {
            out.append(s, static_cast<size_t>(m[g].first),
                       static_cast<size_t>(m[g].second - m[g].first));
          }
          i = brace ? k : k - 1;
          continue;
        }
      }
      out += repl[i];
    }
    start = static_cast<size_t>(m[0].second);
  }
  out.append(s, start, std::string::npos);
  return Value::String(std::move(out));
}

void AppendRegexLiteral(std::string& out, uint32_t c) {
  if (c < 0x80 &&
      std::string_view("\\.+*?()|[]{}^$-").find(static_cast<char>(c)) != std::string_view::npos) {
    out += '\\';
  }
  if (c == 0) {
    out += "\\x00";
    return;
  }
  AppendUtf8(out, c);
}

// Translates a glob (gobwas/glob syntax as OPA uses it) into an anchored regex. Returns false
// on a syntax error; `never` is set when the pattern can match nothing (trailing backslash).
class GlobTranslator {
 public:
  GlobTranslator(std::string_view p, const std::vector<uint32_t>& delims) : delims_(delims) {
    runes_ = Runes(p);
  }

  bool Run(std::string& out, bool& never) {
    out = "\\A(?s:";
    if (!Seq(out, 0, never)) {
      return false;
    }
    if (pos_ != runes_.size()) {
      return false;
    }
    out += ")\\z";
    return true;
  }

 private:
  std::string NotDelim() const {
    if (delims_.empty()) {
      return ".";
    }
    std::string c = "[^";
    for (uint32_t d : delims_) {
      AppendRegexLiteral(c, d);
    }
    c += "]";
    return c;
  }

  // Parses until end or, inside braces (depth > 0), an unmatched ',' or '}'.
  bool Seq(std::string& out, int depth, bool& never) {
    if (depth > 100) {
      return false;
    }
    while (pos_ < runes_.size()) {
      uint32_t c = runes_[pos_];
      if (depth > 0 && (c == ',' || c == '}')) {
        return true;
      }
      ++pos_;
      switch (c) {
        case '*':
          if (pos_ < runes_.size() && runes_[pos_] == '*') {
            ++pos_;
            out += ".*";
          } else {
            out += NotDelim() + "*";
          }
          break;
        case '?':
          out += NotDelim();
          break;
        case '[':
          if (!Class(out)) {
            return false;
          }
          break;
        case '{': {
          out += "(?:";
          while (true) {
            if (!Seq(out, depth + 1, never)) {
              return false;
            }
            if (pos_ >= runes_.size()) {
              return false;
            }
            uint32_t d = runes_[pos_++];
            if (d == '}') {
              break;
            }
            out += '|';
          }
          out += ')';
          break;
        }
        case '\\':
          if (pos_ >= runes_.size()) {
            never = true;
            return true;
          }
          AppendRegexLiteral(out, runes_[pos_++]);
          break;
        default:
          AppendRegexLiteral(out, c);
      }
    }
    return depth == 0;
  }

  bool Class(std::string& out) {
    std::string cls = "[";
    if (pos_ < runes_.size() && runes_[pos_] == '!') {
      cls += '^';
      ++pos_;
    }
    bool any = false;
    while (true) {
      if (pos_ >= runes_.size()) {
        return false;
      }
      uint32_t c = runes_[pos_++];
      if (c == ']') {
        break;
      }
      if (c == '\\') {
        if (pos_ >= runes_.size()) {
          return false;
        }
        c = runes_[pos_++];
      }
      uint32_t hi = c;
      if (pos_ + 1 < runes_.size() && runes_[pos_] == '-' && runes_[pos_ + 1] != ']') {
        ++pos_;
        hi = runes_[pos_++];
        if (hi == '\\') {
          if (pos_ >= runes_.size()) {
            return false;
          }
          hi = runes_[pos_++];
        }
        if (hi < c) {
          return false;
        }
      }
      AppendRegexLiteral(cls, c);
      if (hi != c) {
        cls += '-';
        AppendRegexLiteral(cls, hi);
      }
      any = true;
    }
    if (!any) {
      return false;
    }
    out += cls + "]";
    return true;
  }

  std::vector<uint32_t> runes_;
  const std::vector<uint32_t>& delims_;
  size_t pos_ = 0;
};

Result<Value> GlobMatch(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("glob.match", a, 0));
  QLRF_TRY(WantString("glob.match", a, 2));
  std::vector<uint32_t> delims;
  if (a[1].IsNull()) {
    // null: no delimiters
  } else {
    QLRF_ASSIGN_OR_RETURN(auto ds, StringItems("glob.match", a, 1));
    if (ds.empty()) {
      ds.emplace_back(".");
    }
    for (const auto& d : ds) {
      for (uint32_t r : Runes(d)) {
        delims.push_back(r);
      }
    }
  }
  std::string re_text;
  bool never = false;
  GlobTranslator tr(a[0].AsString(), delims);
  if (!tr.Run(re_text, never)) {
    return Fail(BuiltinError("glob.match", "syntax error in pattern"));
  }
  if (never) {
    return Value::Bool(false);
  }
  auto re = Regex::Compile(re_text);
  if (!re) {
    return Fail(BuiltinError("glob.match", "syntax error in pattern"));
  }
  return Value::Bool(re->Search(a[2].AsString()));
}

Result<Value> GlobQuoteMeta(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("glob.quote_meta", a, 0));
  std::string out;
  for (char c : a[0].AsString()) {
    if (std::string_view("*?\\[]{}").find(c) != std::string_view::npos) {
      out += '\\';
    }
    out += c;
  }
  return Value::String(std::move(out));
}

// ---- regex.globs_match: do two "glob-like" regexes (only . * + [ - ] \ are special) share a
// non-empty match? Decided on the product of their automata.

struct GlobToken {
  std::vector<std::pair<uint32_t, uint32_t>> set;  // code point ranges
  char modifier = 0;                               // 0, '*' or '+'
};

Error GlobsError(std::string_view input, size_t pos, std::string_view what) {
  return BuiltinError("regex.globs_match",
                      "input:" + std::string(input) + ", pos:" + std::to_string(pos) + ", " +
                          std::string(what) + ": the input provided is invalid");
}

Result<std::vector<GlobToken>> ParseGlobRegex(std::string_view text) {
  std::vector<GlobToken> out;
  auto r = Runes(text);
  size_t i = 0;
  auto literal = [](uint32_t c) {
    GlobToken t;
    t.set.emplace_back(c, c);
    return t;
  };
  while (i < r.size()) {
    uint32_t c = r[i];
    if (c == '*' || c == '+') {
      if (out.empty() || out.back().modifier != 0) {
        return Fail(GlobsError(text, i + 1, "modifier without preceding character"));
      }
      out.back().modifier = static_cast<char>(c);
      ++i;
    } else if (c == '.') {
      GlobToken t;
      t.set.emplace_back(0, 0x10FFFF);
      out.push_back(std::move(t));
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= r.size()) {
        return Fail(GlobsError(text, i, "input ends with a \\\\ (escape) character"));
      }
      out.push_back(literal(r[i + 1]));
      i += 2;
    } else if (c == ']') {
      return Fail(GlobsError(text, i + 1, "set-close ']' with no preceding '['"));
    } else if (c == '[') {
      GlobToken t;
      ++i;
      bool closed = false;
      while (i < r.size()) {
        uint32_t lo = r[i];
        if (lo == ']') {
          closed = true;
          ++i;
          break;
        }
        if (lo == '\\') {
          if (i + 1 >= r.size()) {
            return Fail(GlobsError(text, i, "input ends with a \\\\ (escape) character"));
          }
          lo = r[++i];
        }
        ++i;
        uint32_t hi = lo;
        if (i + 1 < r.size() && r[i] == '-' && r[i + 1] != ']') {
          hi = r[i + 1];
          i += 2;
          if (hi == '\\') {
            if (i >= r.size()) {
              return Fail(GlobsError(text, i - 1, "input ends with a \\\\ (escape) character"));
            }
            hi = r[i++];
          }
          if (hi < lo) {
            std::string msg = "range is out of order: '";
            AppendUtf8(msg, hi);
            msg += "' comes before '";
            AppendUtf8(msg, lo);
            msg += "' in Unicode";
            return Fail(GlobsError(text, i, msg));
          }
        }
        t.set.emplace_back(lo, hi);
      }
      if (!closed) {
        return Fail(GlobsError(text, i, "found [ without matching ]"));
      }
      out.push_back(std::move(t));
    } else {
      out.push_back(literal(c));
      ++i;
    }
  }
  return out;
}

bool SetsMeet(const GlobToken& a, const GlobToken& b) {
  for (const auto& [alo, ahi] : a.set) {
    for (const auto& [blo, bhi] : b.set) {
      if (alo <= bhi && blo <= ahi) {
        return true;
      }
    }
  }
  return false;
}

// Automaton state: token index and whether a `+` token has already matched once.
struct GlobState {
  size_t index;
  bool repeated;
};

// States reachable without consuming input.
std::vector<GlobState> GlobClosure(const std::vector<GlobToken>& g, GlobState s) {
  std::vector<GlobState> out;
  while (true) {
    out.push_back(s);
    if (s.index >= g.size()) {
      break;
    }
    const GlobToken& t = g[s.index];
    bool skippable = t.modifier == '*' || (t.modifier == '+' && s.repeated);
    if (!skippable) {
      break;
    }
    s = GlobState{s.index + 1, false};
  }
  return out;
}

GlobState GlobAdvance(const std::vector<GlobToken>& g, GlobState s) {
  const GlobToken& t = g[s.index];
  if (t.modifier == 0) {
    return GlobState{s.index + 1, false};
  }
  return GlobState{s.index, true};
}

bool GlobsIntersect(const std::vector<GlobToken>& a, const std::vector<GlobToken>& b) {
  // Search over (state a, state b, consumed anything).
  std::set<std::tuple<size_t, bool, size_t, bool, bool>> seen;
  std::vector<std::tuple<GlobState, GlobState, bool>> work;
  work.emplace_back(GlobState{0, false}, GlobState{0, false}, false);
  while (!work.empty()) {
    auto [sa, sb, consumed] = work.back();
    work.pop_back();
    for (const GlobState& ca : GlobClosure(a, sa)) {
      for (const GlobState& cb : GlobClosure(b, sb)) {
        if (ca.index == a.size() && cb.index == b.size()) {
          if (consumed) {
            return true;
          }
          continue;
        }
        if (ca.index == a.size() || cb.index == b.size()) {
          continue;
        }
        if (!SetsMeet(a[ca.index], b[cb.index])) {
          continue;
        }
        GlobState na = GlobAdvance(a, ca);
        GlobState nb = GlobAdvance(b, cb);
        auto key = std::make_tuple(na.index, na.repeated, nb.index, nb.repeated, true);
        if (seen.insert(key).second) {
          work.emplace_back(na, nb, true);
        }
      }
    }
  }
  return false;
}

Result<Value> GlobsMatch(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("regex.globs_match", a, 0));
  QLRF_TRY(WantString("regex.globs_match", a, 1));
  QLRF_ASSIGN_OR_RETURN(auto g1, ParseGlobRegex(a[0].AsString()));
  QLRF_ASSIGN_OR_RETURN(auto g2, ParseGlobRegex(a[1].AsString()));
  return Value::Bool(GlobsIntersect(g1, g2));
}

}  // namespace

void AddStrings(std::vector<Builtin>& out) {
  auto add = [&](const char* name, int arity, BuiltinFn fn) {
    out.push_back(Builtin{name, arity, fn, nullptr});
  };
  add("concat", 2, Concat);
  add("contains", 2, [](Args a, BuiltinContext&) { return StringPredicate(a, "contains", 0); });
  add("startswith", 2, [](Args a, BuiltinContext&) { return StringPredicate(a, "startswith", 1); });
  add("endswith", 2, [](Args a, BuiltinContext&) { return StringPredicate(a, "endswith", 2); });
  add("lower", 1, [](Args a, BuiltinContext&) { return Case(a, false); });
  add("upper", 1, [](Args a, BuiltinContext&) { return Case(a, true); });
  add("split", 2, Split);
  add("trim", 2, [](Args a, BuiltinContext&) { return Trim(a, "trim", true, true); });
  add("trim_left", 2, [](Args a, BuiltinContext&) { return Trim(a, "trim_left", true, false); });
  add("trim_right", 2, [](Args a, BuiltinContext&) { return Trim(a, "trim_right", false, true); });
  add("trim_prefix", 2, [](Args a, BuiltinContext&) { return TrimAffix(a, true); });
  add("trim_suffix", 2, [](Args a, BuiltinContext&) { return TrimAffix(a, false); });
  add("trim_space", 1, TrimSpace);
  add("replace", 3, Replace);
  add("strings.replace_n", 2, ReplaceN);
  add("strings.reverse", 1, StringsReverse);
  add("strings.split_n", 3, SplitN);
  add("strings.count", 2, StringsCount);
  add("strings.any_prefix_match", 2,
      [](Args a, BuiltinContext&) { return AnyAffixMatch(a, true); });
  add("strings.any_suffix_match", 2,
      [](Args a, BuiltinContext&) { return AnyAffixMatch(a, false); });
  add("indexof", 2, IndexOf);
  add("indexof_n", 2, IndexOfN);
  add("substring", 3, Substring);
  add("format_int", 2, FormatInt);
  add("sprintf", 2, Sprintf);
  add("regex.match", 2, RegexMatch);
  add("regex.is_valid", 1, RegexIsValid);
  add("regex.find_all_string_submatch_n", 3, RegexFindAllSubmatch);
  add("regex.find_n", 3, RegexFindN);
  add("regex.split", 2, RegexSplit);
  add("regex.replace", 3, RegexReplace);
  add("regex.globs_match", 2, GlobsMatch);
  add("glob.match", 3, GlobMatch);
  add("glob.quote_meta", 1, GlobQuoteMeta);
}

}  // namespace qlrf::policy::internal::builtins
