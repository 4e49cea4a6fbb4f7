// Time built-ins over nanoseconds since the Unix epoch (UTC): time.now_ns (from the injected
// clock, fixed per query), parsing and formatting RFC 3339, calendar arithmetic, durations.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>

#include "engines/policy/internal/builtins_impl.h"
#include "engines/policy/internal/tzfile.h"

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

// A time argument: nanoseconds, or [nanoseconds, zone name] (""/"UTC" or an IANA zone).
struct ZonedNs {
  int64_t local_ns = 0;  // wall-clock time in the zone, as nanoseconds since the epoch
  ZoneOffset zone;
};

Result<ZonedNs> TimeArg(std::string_view fn, Args a) {
  const Value& v = a[0];
  const Value* n = &v;
  std::string_view zone_name;
  if (v.IsArray()) {
    if (v.Size() < 1 || v.Size() > 2) {
      return Fail(BuiltinError(fn, "array must have one or two elements"));
    }
    n = &v.Items()[0];
    if (v.Size() == 2) {
      const Value& tz = v.Items()[1];
      if (!tz.IsString()) {
        return Fail(OperandError(fn, 1, "array[number, string]", v));
      }
      zone_name = tz.AsString();
    }
  }
  if (!n->IsNumber()) {
    return Fail(OperandError(fn, 1, "one of {number, array}", v));
  }
  int64_t ns = 0;
  if (n->IsInt()) {
    ns = n->AsInt();
  } else {
    double d = n->AsDouble();
    // Beyond int64 nanoseconds (year 2262) there is no time to show.
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
      return Fail(BuiltinError(fn, "timestamp too big"));
    }
    ns = static_cast<int64_t>(d);
  }
  ZonedNs out;
  auto zone = LookupZoneOffset(zone_name, FloorDiv(ns, kNsPerSec));
  if (!zone) {
    return Fail(BuiltinError(fn, zone.error().message));
  }
  out.zone = std::move(*zone);
  Int128 local = static_cast<Int128>(ns) + static_cast<Int128>(out.zone.seconds_east) * kNsPerSec;
  if (local < INT64_MIN || local > INT64_MAX) {
    return Fail(BuiltinError(fn, "timestamp too big"));
  }
  out.local_ns = static_cast<int64_t>(local);
  return out;
}

Result<int64_t> NsArg(std::string_view fn, Args a) {
  QLRF_ASSIGN_OR_RETURN(ZonedNs t, TimeArg(fn, a));
  return t.local_ns;
}

Result<Value> NowNs(Args /*a*/, BuiltinContext& ctx) {
  if (!ctx.now_ns) {
    if (ctx.clock == nullptr) {
      return Fail(BuiltinError("time.now_ns", "no clock configured"));
    }
    ctx.now_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(ctx.clock->Now().time_since_epoch())
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
  return Value::Array({Value::Int(secs / 3600), Value::Int(secs / 60 % 60), Value::Int(secs % 60)});
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
      return Fail(BuiltinError(
          kName, "time: unknown unit \"" + std::string(unit) + "\" in duration \"" + orig + "\""));
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

// ---- Go reference-time layouts ("2006-01-02T15:04:05Z07:00") ----

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const kDayNames[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

std::string_view NamedLayout(std::string_view layout) {
  static const std::pair<std::string_view, std::string_view> kNamed[] = {
      {"ANSIC", "Mon Jan _2 15:04:05 2006"},
      {"UnixDate", "Mon Jan _2 15:04:05 MST 2006"},
      {"RubyDate", "Mon Jan 02 15:04:05 -0700 2006"},
      {"RFC822", "02 Jan 06 15:04 MST"},
      {"RFC822Z", "02 Jan 06 15:04 -0700"},
      {"RFC850", "Monday, 02-Jan-06 15:04:05 MST"},
      {"RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"},
      {"RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"},
      {"RFC3339", "2006-01-02T15:04:05Z07:00"},
      {"RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"},
      {"Kitchen", "3:04PM"},
      {"Stamp", "Jan _2 15:04:05"},
      {"StampMilli", "Jan _2 15:04:05.000"},
      {"StampMicro", "Jan _2 15:04:05.000000"},
      {"StampNano", "Jan _2 15:04:05.000000000"},
      {"DateTime", "2006-01-02 15:04:05"},
      {"DateOnly", "2006-01-02"},
      {"TimeOnly", "15:04:05"},
  };
  for (const auto& [name, value] : kNamed) {
    if (layout == name) {
      return value;
    }
  }
  return layout;
}

// The layout elements, longest first where one is a prefix of another.
const std::string_view kElements[] = {
    "January", "Jan", "Monday",    "Mon",     "MST",    "2006",  "Z07:00:00", "Z070000", "Z07:00",
    "Z0700",   "Z07", "-07:00:00", "-070000", "-07:00", "-0700", "-07",       "002",     "__2",
    "_2",      "01",  "02",        "03",      "04",     "05",    "06",        "15",      "PM",
    "pm",      "1",   "2",         "3",       "4",      "5",
};

// The element at `layout[i]` (fractional seconds ".000"/".999" handled by the caller), or "".
std::string_view ElementAt(std::string_view layout, size_t i) {
  for (std::string_view e : kElements) {
    if (layout.compare(i, e.size(), e) == 0) {
      return e;
    }
  }
  return {};
}

// ".000…" / ",999…" after seconds: (digits, trim zeros?) or 0 digits if none at `i`.
size_t FractionAt(std::string_view layout, size_t i, bool& trim) {
  if (i >= layout.size() || (layout[i] != '.' && layout[i] != ',')) {
    return 0;
  }
  size_t j = i + 1;
  char d = j < layout.size() ? layout[j] : '\0';
  if (d != '0' && d != '9') {
    return 0;
  }
  while (j < layout.size() && layout[j] == d) {
    ++j;
  }
  if (j < layout.size() && layout[j] >= '0' && layout[j] <= '9') {
    return 0;
  }
  trim = d == '9';
  return j - i - 1;
}

struct Civil {
  int64_t year = 1970;
  int64_t month = 1;
  int64_t day = 1;
  int64_t hour = 0;
  int64_t minute = 0;
  int64_t second = 0;
  int64_t nanos = 0;
};

Civil ToCivil(int64_t ns) {
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  Civil c;
  CivilFromDays(days, c.year, c.month, c.day);
  int64_t secs = rem / kNsPerSec;
  c.hour = secs / 3600;
  c.minute = secs / 60 % 60;
  c.second = secs % 60;
  c.nanos = rem % kNsPerSec;
  return c;
}

std::string Pad(int64_t v, int width, char fill = '0') {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) {
    s.insert(s.begin(), fill);
  }
  return v < 0 ? "-" + s : s;
}

// "+hh:mm" style offset text for Go's -07, -0700, -07:00, -070000 and -07:00:00 elements.
std::string OffsetText(int32_t seconds_east, std::string_view element) {
  std::string out = seconds_east < 0 ? "-" : "+";
  int32_t s = seconds_east < 0 ? -seconds_east : seconds_east;
  bool colons = element.find(':') != std::string_view::npos;
  auto digits =
      std::count_if(element.begin(), element.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  out += Pad(s / 3600, 2);
  if (digits >= 4) {
    out += colons ? ":" : "";
    out += Pad(s / 60 % 60, 2);
  }
  if (digits >= 6) {
    out += colons ? ":" : "";
    out += Pad(s % 60, 2);
  }
  return out;
}

std::string FormatLayout(int64_t ns, std::string_view layout, const ZoneOffset& zone = {}) {
  Civil c = ToCivil(ns);
  int64_t days = 0;
  int64_t rem = 0;
  Split(ns, days, rem);
  int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  int64_t yday = days - DaysFromCivil(c.year, 1, 1) + 1;
  std::string out;
  size_t i = 0;
  while (i < layout.size()) {
    bool trim = false;
    if (size_t digits = FractionAt(layout, i, trim); digits > 0) {
      std::string frac = Pad(c.nanos, 9).substr(0, std::min<size_t>(digits, 9));
      if (trim) {
        while (!frac.empty() && frac.back() == '0') {
          frac.pop_back();
        }
      }
      if (!frac.empty()) {
        out += layout[i];
        out += frac;
      }
      i += digits + 1;
      continue;
    }
    std::string_view e = ElementAt(layout, i);
    if (e.empty()) {
      out += layout[i++];
      continue;
    }
    i += e.size();
    int64_t h12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    if (e == "January") {
      out += kMonthNames[c.month - 1];
    } else if (e == "Jan") {
      out += std::string(kMonthNames[c.month - 1]).substr(0, 3);
    } else if (e == "Monday") {
      out += kDayNames[weekday];
    } else if (e == "Mon") {
      out += std::string(kDayNames[weekday]).substr(0, 3);
    } else if (e == "MST") {
      out += zone.abbreviation;
    } else if (e == "2006") {
      out += Pad(c.year, 4);
    } else if (e == "06") {
      out += Pad(c.year % 100, 2);
    } else if (e == "01") {
      out += Pad(c.month, 2);
    } else if (e == "1") {
      out += std::to_string(c.month);
    } else if (e == "02") {
      out += Pad(c.day, 2);
    } else if (e == "_2") {
      out += Pad(c.day, 2, ' ');
    } else if (e == "2") {
      out += std::to_string(c.day);
    } else if (e == "002") {
      out += Pad(yday, 3);
    } else if (e == "__2") {
      out += Pad(yday, 3, ' ');
    } else if (e == "15") {
      out += Pad(c.hour, 2);
    } else if (e == "03") {
      out += Pad(h12, 2);
    } else if (e == "3") {
      out += std::to_string(h12);
    } else if (e == "04") {
      out += Pad(c.minute, 2);
    } else if (e == "4") {
      out += std::to_string(c.minute);
    } else if (e == "05") {
      out += Pad(c.second, 2);
    } else if (e == "5") {
      out += std::to_string(c.second);
    } else if (e == "PM") {
      out += c.hour >= 12 ? "PM" : "AM";
    } else if (e == "pm") {
      out += c.hour >= 12 ? "pm" : "am";
    } else if (e[0] == 'Z' && zone.seconds_east == 0) {
      out += 'Z';
    } else {  // numeric offsets
      out += OffsetText(zone.seconds_east, e);
    }
  }
  return out;
}

// Parses `value` against a Go layout into nanoseconds since the epoch.
Result<int64_t> ParseLayout(std::string_view fn, std::string_view layout, std::string_view value) {
  auto bad = [&]() {
    return Fail(BuiltinError(fn, "parsing time \"" + std::string(value) + "\" as \"" +
                                     std::string(layout) + "\": cannot parse"));
  };
  Civil c;
  int64_t offset = 0;
  bool pm = false;
  bool has_pm = false;
  int64_t yday = -1;
  size_t i = 0;
  size_t v = 0;
  auto number = [&](size_t min_digits, size_t max_digits, int64_t& out) {
    size_t start = v;
    out = 0;
    while (v < value.size() && v - start < max_digits && value[v] >= '0' && value[v] <= '9') {
      out = out * 10 + (value[v] - '0');
      ++v;
    }
    return v - start >= min_digits;
  };
  auto name = [&](const char* const* names, size_t n, bool abbrev, int64_t& out) {
    for (size_t k = 0; k < n; ++k) {
      std::string_view full = names[k];
      std::string_view want = abbrev ? full.substr(0, 3) : full;
      if (value.compare(v, want.size(), want) == 0) {
        v += want.size();
        out = static_cast<int64_t>(k);
        return true;
      }
    }
    return false;
  };
  while (i < layout.size()) {
    bool trim = false;
    if (size_t digits = FractionAt(layout, i, trim); digits > 0) {
      i += digits + 1;
      if (v < value.size() && (value[v] == '.' || value[v] == ',')) {
        ++v;
        size_t start = v;
        int64_t frac = 0;
        while (v < value.size() && value[v] >= '0' && value[v] <= '9') {
          if (v - start < 9) {
            frac = frac * 10 + (value[v] - '0');
          }
          ++v;
        }
        for (size_t k = v - start; k < 9; ++k) {
          frac *= 10;
        }
        c.nanos = frac;
      } else if (!trim) {
        return bad();
      }
      continue;
    }
    std::string_view e = ElementAt(layout, i);
    if (e.empty()) {
      if (v >= value.size() || value[v] != layout[i]) {
        return bad();
      }
      ++i;
      ++v;
      continue;
    }
    i += e.size();
    int64_t n = 0;
    bool ok = true;
    if (e == "January" || e == "Jan") {
      ok = name(kMonthNames, 12, e == "Jan", n);
      c.month = n + 1;
    } else if (e == "Monday" || e == "Mon") {
      ok = name(kDayNames, 7, e == "Mon", n);
    } else if (e == "MST") {
      size_t start = v;
      while (v < value.size() && value[v] >= 'A' && value[v] <= 'Z') {
        ++v;
      }
      ok = v - start >= 3;
    } else if (e == "2006") {
      ok = number(4, 4, c.year);
    } else if (e == "06") {
      ok = number(2, 2, n);
      c.year = n + (n >= 69 ? 1900 : 2000);
    } else if (e == "01" || e == "1") {
      ok = number(e.size(), 2, c.month);
    } else if (e == "02" || e == "2") {
      ok = number(e.size(), 2, c.day);
    } else if (e == "_2") {
      if (v < value.size() && value[v] == ' ') {
        ++v;
      }
      ok = number(1, 2, c.day);
    } else if (e == "002" || e == "__2") {
      ok = number(1, 3, yday);
    } else if (e == "15") {
      ok = number(1, 2, c.hour);
    } else if (e == "03" || e == "3") {
      ok = number(e.size(), 2, c.hour);
    } else if (e == "04" || e == "4") {
      ok = number(e.size(), 2, c.minute);
    } else if (e == "05" || e == "5") {
      ok = number(e.size(), 2, c.second);
      // Go accepts a fraction after seconds even when the layout has none.
      if (ok && v < value.size() && value[v] == '.' && (i >= layout.size() || layout[i] != '.')) {
        ++v;
        size_t start = v;
        int64_t frac = 0;
        while (v < value.size() && value[v] >= '0' && value[v] <= '9') {
          if (v - start < 9) {
            frac = frac * 10 + (value[v] - '0');
          }
          ++v;
        }
        for (size_t k = v - start; k < 9; ++k) {
          frac *= 10;
        }
        c.nanos = frac;
      }
    } else if (e == "PM" || e == "pm") {
      has_pm = true;
      std::string_view am = e == "PM" ? "AM" : "am";
      std::string_view p = e == "PM" ? "PM" : "pm";
      if (value.compare(v, 2, p) == 0) {
        pm = true;
      } else if (value.compare(v, 2, am) != 0) {
        ok = false;
      }
      v += 2;
    } else {  // zone offsets
      if (e[0] == 'Z' && v < value.size() && value[v] == 'Z') {
        ++v;
      } else if (v < value.size() && (value[v] == '+' || value[v] == '-')) {
        int sign = value[v] == '-' ? -1 : 1;
        ++v;
        int64_t hh = 0;
        int64_t mm = 0;
        int64_t ss = 0;
        ok = number(2, 2, hh);
        bool colon = e.find(':') != std::string_view::npos;
        size_t parts = e.size() <= 3 ? 1 : (e.size() >= 7 ? 3 : 2);
        for (size_t part = 1; ok && part < parts; ++part) {
          if (colon) {
            ok = v < value.size() && value[v] == ':';
            ++v;
          }
          ok = ok && number(2, 2, part == 1 ? mm : ss);
        }
        offset = sign * (hh * 3600 + mm * 60 + ss);
      } else {
        ok = false;
      }
    }
    if (!ok) {
      return bad();
    }
  }
  if (v != value.size()) {
    return bad();
  }
  if (has_pm) {
    if (c.hour < 1 || c.hour > 12) {
      return bad();
    }
    c.hour = c.hour % 12 + (pm ? 12 : 0);
  }
  if (yday > 0) {
    int64_t y = 0;
    CivilFromDays(DaysFromCivil(c.year, 1, 1) + yday - 1, y, c.month, c.day);
  }
  if (c.month < 1 || c.month > 12 || c.day < 1 || c.day > 31 || c.hour > 23 || c.minute > 59 ||
      c.second > 59) {
    return bad();
  }
  int64_t days = DaysFromCivil(c.year, c.month, c.day);
  Int128 ns_of_day =
      static_cast<Int128>(c.hour * 3600 + c.minute * 60 + c.second - offset) * kNsPerSec + c.nanos;
  return FromParts(fn, days, ns_of_day);
}

Result<Value> ParseNs(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantString("time.parse_ns", a, 0));
  QLRF_TRY(WantString("time.parse_ns", a, 1));
  std::string_view layout = NamedLayout(a[0].AsString());
  QLRF_ASSIGN_OR_RETURN(int64_t ns, ParseLayout("time.parse_ns", layout, a[1].AsString()));
  return Value::Int(ns);
}

// Go's calendar difference: [years, months, days, hours, minutes, seconds], non-negative.
Result<Value> Diff(Args a, BuiltinContext& /*ctx*/) {
  QLRF_ASSIGN_OR_RETURN(int64_t x, NsArg("time.diff", a.subspan(0, 1)));
  QLRF_ASSIGN_OR_RETURN(int64_t y, NsArg("time.diff", a.subspan(1, 1)));
  if (x > y) {
    std::swap(x, y);
  }
  Civil c1 = ToCivil(x);
  Civil c2 = ToCivil(y);
  int64_t year = c2.year - c1.year;
  int64_t month = c2.month - c1.month;
  int64_t day = c2.day - c1.day;
  int64_t hour = c2.hour - c1.hour;
  int64_t minute = c2.minute - c1.minute;
  int64_t second = c2.second - c1.second;
  if (second < 0) {
    second += 60;
    --minute;
  }
  if (minute < 0) {
    minute += 60;
    --hour;
  }
  if (hour < 0) {
    hour += 24;
    --day;
  }
  if (day < 0) {
    // Days in c1's month: day 32 of it normalizes into the next month.
    int64_t y2 = 0;
    int64_t m2 = 0;
    int64_t d2 = 0;
    CivilFromDays(DaysFromCivil(c1.year, c1.month, 1) + 31, y2, m2, d2);
    day += 32 - d2;
    --month;
  }
  if (month < 0) {
    month += 12;
    --year;
  }
  return Value::Array({Value::Int(year), Value::Int(month), Value::Int(day), Value::Int(hour),
                       Value::Int(minute), Value::Int(second)});
}

Result<Value> Format(Args a, BuiltinContext& /*ctx*/) {
  std::string_view layout = "2006-01-02T15:04:05.999999999Z07:00";
  if (a[0].IsArray() && a[0].Size() == 3) {
    const Value& l = a[0].Items()[2];
    if (!l.IsString()) {
      return Fail(OperandError("time.format", 1, "array[number, string, string]", a[0]));
    }
    layout = NamedLayout(l.AsString());
    std::vector<Value> first_two(a[0].Items().begin(), a[0].Items().begin() + 2);
    Value head = Value::Array(std::move(first_two));
    QLRF_ASSIGN_OR_RETURN(ZonedNs t, TimeArg("time.format", std::span<const Value>(&head, 1)));
    return Value::String(FormatLayout(t.local_ns, layout, t.zone));
  }
  QLRF_ASSIGN_OR_RETURN(ZonedNs t, TimeArg("time.format", a));
  return Value::String(FormatLayout(t.local_ns, layout, t.zone));
}

}  // namespace

Result<int64_t> ParseRfc3339Ns(std::string_view fn, std::string_view s) {
  auto bad = [&]() {
    return Fail(
        BuiltinError(fn, "parsing time \"" + std::string(s) + "\" as RFC 3339: cannot parse"));
  };
  int64_t y = 0;
  int64_t mo = 0;
  int64_t d = 0;
  int64_t h = 0;
  int64_t mi = 0;
  int64_t sec = 0;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
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
  add("time.parse_ns", 2, ParseNs);
  add("time.diff", 2, Diff);
  add("time.parse_duration_ns", 1, ParseDuration);
}

}  // namespace qlrf::policy::internal::builtins
