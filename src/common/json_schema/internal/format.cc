// Format checkers written from the grammars in RFC 3339 §5.6, RFC 4291 §2.2, RFC 3986 §3,
// RFC 1123 §2.1 and RFC 4122 §3; deliberately strict ASCII, no IDN.
#include "common/json_schema/internal/format.h"

#include <array>
#include <cstdint>

namespace qlrf::json_schema::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Parses exactly `n` digits at `pos`; -1 when they are not all digits.
int Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) {
    return -1;
  }
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) {
      return -1;
    }
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

bool CheckDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  int year = Digits(s, 0, 4);
  int month = Digits(s, 5, 2);
  int day = Digits(s, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max_day = kDays[static_cast<size_t>(month - 1)] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= max_day;
}

// full-time = partial-time time-offset; a leap second must fall on 23:59:60 UTC.
bool CheckTime(std::string_view s) {
  if (s.size() < 9 || s[2] != ':' || s[5] != ':') {
    return false;
  }
  int hour = Digits(s, 0, 2);
  int minute = Digits(s, 3, 2);
  int second = Digits(s, 6, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return false;
  }
  size_t pos = 8;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      ++pos;
    }
    if (pos == start) {
      return false;
    }
  }
  if (pos >= s.size()) {
    return false;
  }
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    if (pos + 1 != s.size()) {
      return false;
    }
  } else if (s[pos] == '+' || s[pos] == '-') {
    if (s.size() != pos + 6 || s[pos + 3] != ':') {
      return false;
    }
    int oh = Digits(s, pos + 1, 2);
    int om = Digits(s, pos + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) {
      return false;
    }
    offset_minutes = (oh * 60 + om) * (s[pos] == '+' ? 1 : -1);
  } else {
    return false;
  }
  if (second == 60) {
    int utc = ((hour * 60 + minute - offset_minutes) % 1440 + 1440) % 1440;
    return utc == 23 * 60 + 59;
  }
  return true;
}

bool CheckDateTime(std::string_view s) {
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) {
    return false;
  }
  return CheckDate(s.substr(0, 10)) && CheckTime(s.substr(11));
}

bool CheckIpv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t start = pos;
    int value = 0;
    while (pos < s.size() && IsDigit(s[pos]) && pos - start < 3) {
      value = value * 10 + (s[pos] - '0');
      ++pos;
    }
    size_t len = pos - start;
    if (len == 0 || value > 255 || (len > 1 && s[start] == '0')) {
      return false;
    }
    ++parts;
    if (pos == s.size()) {
      return parts == 4;
    }
    if (s[pos] != '.' || parts == 4) {
      return false;
    }
    ++pos;
  }
}

bool CheckIpv6(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  int groups = 0;
  bool compressed = false;
  size_t pos = 0;
  if (s.starts_with("::")) {
    compressed = true;
    pos = 2;
    if (pos == s.size()) {
      return true;
    }
  } else if (s[0] == ':') {
    return false;
  }
  while (pos < s.size()) {
    size_t start = pos;
    while (pos < s.size() && IsHex(s[pos]) && pos - start < 5) {
      ++pos;
    }
    if (pos < s.size() && s[pos] == '.') {
      // Embedded IPv4 takes the last two groups.
      if (!CheckIpv4(s.substr(start))) {
        return false;
      }
      groups += 2;
      pos = s.size();
      break;
    }
    size_t len = pos - start;
    if (len == 0 || len > 4) {
      return false;
    }
    ++groups;
    if (pos == s.size()) {
      break;
    }
    if (s[pos] != ':') {
      return false;
    }
    ++pos;
    if (pos < s.size() && s[pos] == ':') {
      if (compressed) {
        return false;
      }
      compressed = true;
      ++pos;
      if (pos == s.size()) {
        break;
      }
    } else if (pos == s.size()) {
      return false;  // trailing single colon
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

bool CheckHostname(std::string_view s) {
  if (s.ends_with('.')) {
    s.remove_suffix(1);
  }
  if (s.empty() || s.size() > 253) {
    return false;
  }
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find('.', start);
    if (end == std::string_view::npos) {
      end = s.size();
    }
    std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!IsAlpha(c) && !IsDigit(c) && c != '-') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

bool CheckEmail(std::string_view s) {
  size_t at = s.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size()) {
    return false;
  }
  std::string_view local = s.substr(0, at);
  std::string_view domain = s.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  constexpr std::string_view kLocalSpecials = "!#$%&'*+-/=?^_`{|}~.";
  for (char c : local) {
    if (!IsAlpha(c) && !IsDigit(c) && kLocalSpecials.find(c) == std::string_view::npos) {
      return false;
    }
  }
  if (domain.front() == '[' && domain.back() == ']') {
    std::string_view literal = domain.substr(1, domain.size() - 2);
    if (literal.starts_with("IPv6:")) {
      return CheckIpv6(literal.substr(5));
    }
    return CheckIpv4(literal);
  }
  return CheckHostname(domain);
}

bool CheckUuid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) {
      return false;
    }
  }
  return true;
}

// RFC 3986 URI (absolute): scheme ":" hier-part, every character allowed and escapes well formed.
bool CheckUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsAlpha(s[0])) {
    return false;
  }
  for (size_t i = 1; i < colon; ++i) {
    char c = s[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = colon + 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2])) {
        return false;
      }
      i += 2;
    } else if (!IsAlpha(c) && !IsDigit(c) && kAllowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  std::string_view rest = s.substr(colon + 1);
  if (rest.starts_with("//")) {
    std::string_view authority = rest.substr(2, rest.find_first_of("/?#", 2) - 2);
    size_t at = authority.rfind('@');
    std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
    if (host.starts_with('[')) {
      size_t close = host.find(']');
      if (close == std::string_view::npos) {
        return false;
      }
      host = host.substr(close + 1);
    }
    // '[' and ']' are legal only around an IP literal.
    if (host.find_first_of("[]") != std::string_view::npos) {
      return false;
    }
    size_t port_colon = host.find(':');
    if (port_colon != std::string_view::npos) {
      for (char c : host.substr(port_colon + 1)) {
        if (!IsDigit(c)) {
          return false;
        }
      }
    }
  }
  return true;
}

}  // namespace

Format ParseFormat(std::string_view name) {
  if (name == "date-time") {
    return Format::kDateTime;
  }
  if (name == "date") {
    return Format::kDate;
  }
  if (name == "time") {
    return Format::kTime;
  }
  if (name == "email") {
    return Format::kEmail;
  }
  if (name == "uuid") {
    return Format::kUuid;
  }
  if (name == "ipv4") {
    return Format::kIpv4;
  }
  if (name == "ipv6") {
    return Format::kIpv6;
  }
  if (name == "uri") {
    return Format::kUri;
  }
  if (name == "hostname") {
    return Format::kHostname;
  }
  return Format::kUnknown;
}

bool CheckFormat(Format format, std::string_view s) {
  switch (format) {
    case Format::kUnknown:
      return true;
    case Format::kDateTime:
      return CheckDateTime(s);
    case Format::kDate:
      return CheckDate(s);
    case Format::kTime:
      return CheckTime(s);
    case Format::kEmail:
      return CheckEmail(s);
    case Format::kUuid:
      return CheckUuid(s);
    case Format::kIpv4:
      return CheckIpv4(s);
    case Format::kIpv6:
      return CheckIpv6(s);
    case Format::kUri:
      return CheckUri(s);
    case Format::kHostname:
      return CheckHostname(s);
  }
  return true;
}

}  // namespace qlrf::json_schema::internal
