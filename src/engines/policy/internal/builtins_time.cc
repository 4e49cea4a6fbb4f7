// Time built-ins over nanoseconds since the Unix epoch (UTC): time.now_ns (from the injected
// clock, fixed per query), parsing and formatting RFC 3339, calendar arithmetic, durations.
#include <chrono>
#include <cstdint>
#include <string>

#include "engines/policy/internal/builtins_impl.h"

namespace qlrf::policy::internal::builtins {
namespace {

__extension__ using Int128 = __int128;

constexpr int64_t kNsPerSec = 1'000'000'000;
constexpr int64_t kNsPerDay = 86'400 * kNsPerSec;

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool Digits(std::string_view s, size_t pos, size_t n, int64_t& out) {
  if (pos + n > s.size()) {
    return false;
  }
  out = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') {
      return false;
    }
    out = out * 10 + (c - '0');
  }
  return true;
}

Error OutOfRange(std::string_view fn) { return BuiltinError(fn, "time outside of valid range"); }

Result<int64_t> FromParts(std::string_view fn, int64_t days, Int128 ns_of_day) {
  Int128 total = static_cast<Int128>(days) * kNsPerDay + ns_of_day;
  if (total > INT64_MAX || total < INT64_MIN) {
    return Fail(OutOfRange(fn));
  }
  return static_cast<int64_t>(total);
}

// ns → (days, ns within the day).
void Split(int64_t ns, int64_t& days, int64_t& rem) {
  days = FloorDiv(ns, kNsPerDay);
  rem = ns - days * kNsPerDay;
}

Result<int64_t> NsArg(std::string_view fn, Args a) {
  const Value& v = a[0];
  const Value* n = &v;
  if (v.IsArray()) {
    if (v.Size() < 1 || v.Size() > 2) {
      return Fail(BuiltinError(fn, "array must have one or two elements"));
    }
    n = &v.Items()[0];
    if (v.Size() == 2) {
      const Value& tz = v.Items()[1];
      if (!tz.IsString() || (!tz.AsString().empty() && tz.AsString() != "UTC")) {
        return Fail(BuiltinError(fn, "only the UTC time zone is supported"));
      }
    }
  }
  if (!n->IsNumber()) {
    return Fail(OperandError(fn, 1, "one of {number, array}", v));
  }
  return n->IsInt() ? n->AsInt() : static_cast<int64_t>(n->AsDouble());
}

Result<Value> NowNs(Args /*a*/, BuiltinContext& ctx) {
  if (!ctx.now_ns) {
    if (ctx.clock == nullptr) {
      return Fail(BuiltinError("time.now_ns", "no clock configured"));
    }
    ctx.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     ctx.clock->Now().time_since_epoch())
                     .count();
  }
  return Value::Int(*ctx.now_ns);
}

Result<Value> ParseRfc3339(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("time.parse_rfc3339_ns", a, 0));
  QLRF_ASSIGN_OR_RETURN(int64_t ns, ParseRfc3339Ns("time.parse_rfc3339_ns", a[0].AsString()));
  return Value::Int(ns);
}

Result<Value> AddDate(Args a, BuiltinContext& /*ctx*/) {
  constexpr std::string_view kName = "time.add_date";
  QLRF_TRY(WantInt(kName, a, 0));
  QLRF_TRY(WantInt(kName, a, 1));
  QLRF_TRY(WantInt(kName, a, 2));
  QLRF_TRY(WantInt(kName, a, 3));
  int64_t days = 0;
  int64_t rem = 0;
  Split(a[0].AsInt(), days, rem);
  int64_t y = 0;
  int64_t m = 0;
  int64_t d = 0;
  CivilFromDays(days, y, m, d);
  constexpr int64_t kLimit = 1'000'000;
  if (std::abs(a[1].AsInt()) > kLimit || std::abs(a[2].AsInt()) > 12 * kLimit ||
      std::abs(a[3].AsInt()) > 366 * kLimit) {
    return Fail(OutOfRange(kName));
  }
  y += a[1].AsInt();
  int64_t m0 = m - 1 + a[2].AsInt();
  y += FloorDiv(m0, 12);
  m0 -= FloorDiv(m0, 12) * 12;
  int64_t out_days = DaysFromCivil(y, m0 + 1, 1) + (d - 1) + a[3].AsInt();
  QLRF_ASSIGN_OR_RETURN(int64_t ns, FromParts(kName, out_days, rem));
  return Value::Int(ns);
}

Result<Value> Date(Args a, BuiltinContext& /*ctx*/) {
  QLRF_ASSIGN_OR_RETURN(int64_t ns, NsArg("time.date", a));
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  int64_t y = 0;
  int64_t m = 0;
  int64_t d = 0;
  CivilFromDays(days, y, m, d);
  return Value::Array({Value::Int(y), Value::Int(m), Value::Int(d)});
}

Result<Value> Clock(Args a, BuiltinContext& /*ctx*/) {
  QLRF_ASSIGN_OR_RETURN(int64_t ns, NsArg("time.clock", a));
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  int64_t secs = rem / kNsPerSec;
  return Value::Array(
      {Value::Int(secs / 3600), Value::Int(secs / 60 % 60), Value::Int(secs % 60)});
}

Result<Value> Weekday(Args a, BuiltinContext& /*ctx*/) {
  static const char* const kDays[] = {"Thursday", "Friday",  "Saturday", "Sunday",
                                      "Monday",   "Tuesday", "Wednesday"};
  QLRF_ASSIGN_OR_RETURN(int64_t ns, NsArg("time.weekday", a));
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  int64_t idx = days % 7;
  if (idx < 0) {
    idx += 7;
  }
  return Value::String(kDays[idx]);
}

Result<Value> Format(Args a, BuiltinContext& /*ctx*/) {
  QLRF_ASSIGN_OR_RETURN(int64_t ns, NsArg("time.format", a));
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  int64_t y = 0;
  int64_t m = 0;
  int64_t d = 0;
  CivilFromDays(days, y, m, d);
  int64_t secs = rem / kNsPerSec;
  int64_t frac = rem % kNsPerSec;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60));
  std::string out = buf;
  if (frac != 0) {
    std::snprintf(buf, sizeof(buf), ".%09lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') {
      f.pop_back();
    }
    out += f;
  }
  out += 'Z';
  return Value::String(std::move(out));
}

// Go's time.ParseDuration, plus d (day), w (week) and y (365 days) units and exponents.
Result<Value> ParseDuration(Args a, BuiltinContext& /*ctx*/) {
  constexpr std::string_view kName = "time.parse_duration_ns";
  QLRF_TRY(WantString(kName, a, 0));
  const std::string& orig = a[0].AsString();
  auto invalid = [&](std::string_view what) {
    return Fail(BuiltinError(kName, "time: " + std::string(what) + " \"" + orig + "\""));
  };
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return Value::Int(0);
  }
  if (s.empty()) {
    return invalid("invalid duration");
  }
  long double total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) {
      return invalid("invalid duration");
    }
    size_t i = 0;
    long double v = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      v = v * 10 + (s[i] - '0');
      digits = true;
      ++i;
    }
    if (v > 9.3e18L) {
      return invalid("invalid duration");
    }
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 1;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
        scale /= 10;
        v += (s[i] - '0') * scale;
        digits = true;
        ++i;
      }
    }
    if (!digits) {
      return invalid("invalid duration");
    }
    if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E') &&
        ((s[i + 1] >= '0' && s[i + 1] <= '9') || s[i + 1] == '-' || s[i + 1] == '+')) {
      size_t j = i + 1;
      bool eneg = false;
      if (s[j] == '-' || s[j] == '+') {
        eneg = s[j] == '-';
        ++j;
      }
      int e = 0;
      size_t start = j;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') {
        e = std::min(e * 10 + (s[j] - '0'), 400);
        ++j;
      }
      if (j == start) {
        return invalid("invalid duration");
      }
      for (int k = 0; k < e; ++k) {
        v = eneg ? v / 10 : v * 10;
      }
      i = j;
    }
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !(s[u] >= '0' && s[u] <= '9')) {
      ++u;
    }
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty()) {
      return invalid("missing unit in duration");
    }
    long double mult = 0;
    if (unit == "ns") {
      mult = 1;
    } else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") {
      mult = 1e3L;
    } else if (unit == "ms") {
      mult = 1e6L;
    } else if (unit == "s") {
      mult = 1e9L;
    } else if (unit == "m") {
      mult = 60e9L;
    } else if (unit == "h") {
      mult = 3600e9L;
    } else if (unit == "d") {
      mult = 86400e9L;
    } else if (unit == "w") {
      mult = 7 * 86400e9L;
    } else if (unit == "y") {
      mult = 365 * 86400e9L;
    } else {
      return Fail(BuiltinError(kName, "time: unknown unit \"" + std::string(unit) +
                                          "\" in duration \"" + orig + "\""));
    }
    total += v * mult;
    if (total > 9223372036854775807.0L) {
      return invalid("invalid duration");
    }
    s.remove_prefix(u);
  }
  auto ns = static_cast<int64_t>(total + 0.5L);
  return Value::Int(neg ? -ns : ns);
}

}  // namespace

Result<int64_t> ParseRfc3339Ns(std::string_view fn, std::string_view s) {
  auto bad = [&]() {
    return Fail(BuiltinError(fn, "parsing time \"" + std::string(s) +
                                     "\" as RFC 3339: cannot parse"));
  };
  int64_t y = 0;
  int64_t mo = 0;
  int64_t d = 0;
  int64_t h = 0;
  int64_t mi = 0;
  int64_t sec = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, sec)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) {
    return bad();
  }
  static const int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kMonthDays[mo - 1] || (mo == 2 && d == 29 && !leap)) {
    return bad();
  }
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int64_t scale = kNsPerSec;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (i - start < 9) {
        scale /= 10;
        frac += (s[i] - '0') * scale;
      }
      ++i;
    }
    if (i == start) {
      return bad();
    }
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int64_t oh = 0;
    int64_t om = 0;
    if (!Digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' ||
        !Digits(s, i + 4, 2, om)) {
      return bad();
    }
    offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) {
    return bad();
  }
  int64_t days = DaysFromCivil(y, mo, d);
  Int128 ns_of_day = static_cast<Int128>(h * 3600 + mi * 60 + sec - offset) * kNsPerSec + frac;
  return FromParts(fn, days, ns_of_day);
}

void AddTime(std::vector<Builtin>& out) {
  auto add = [&](const char* name, int arity, BuiltinFn fn) {
    out.push_back(Builtin{name, arity, fn, nullptr});
  };
  add("time.now_ns", 0, NowNs);
  add("time.parse_rfc3339_ns", 1, ParseRfc3339);
  add("time.add_date", 4, AddDate);
  add("time.date", 1, Date);
  add("time.clock", 1, Clock);
  add("time.weekday", 1, Weekday);
  add("time.format", 1, Format);
  add("time.parse_duration_ns", 1, ParseDuration);
}

}  // namespace qlrf::policy::internal::builtins
