// Rego values: construction, ordering and conversion to and from JSON.
#include "engines/policy/internal/value.h"

#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "common/json.h"
#include "engines/policy/internal/bignum.h"

namespace qlrf::policy::internal {
namespace {

constexpr double kMaxExactInt = 9007199254740992.0;  // 2^53

struct ObjectRep {
  ObjectEntries entries;
};

// An input array or object not yet converted (FromJsonLazy). Conversion fills `items` or
// `entries` once; the Value stays immutable to its readers.
struct LazyJson {
  const boost::json::value* json = nullptr;
  mutable bool converted = false;
  mutable std::vector<Value> items;
  mutable ObjectEntries entries;
};

const LazyJson& Lazy(const std::shared_ptr<const void>& p) {
  return *static_cast<const LazyJson*>(p.get());
}

void Convert(const LazyJson& lazy) {
  if (lazy.converted) {
    return;
  }
  if (lazy.json->is_array()) {
    const auto& array = lazy.json->get_array();
    lazy.items.reserve(array.size());
    for (const auto& item : array) {
      lazy.items.push_back(FromJsonLazy(item));
    }
  } else {
    const auto& object = lazy.json->get_object();
    lazy.entries.reserve(object.size());
    for (const auto& member : object) {
      lazy.entries.emplace_back(Value::String(std::string(member.key())),
                                FromJsonLazy(member.value()));
    }
    std::stable_sort(lazy.entries.begin(), lazy.entries.end(), [](const auto& a, const auto& b) {
      return a.first.AsString() < b.first.AsString();
    });
    // Keep the last of equal keys, as FromJson does.
    auto& entries = lazy.entries;
    size_t kept = 0;
    for (size_t i = 0; i < entries.size(); ++i) {
      if (kept > 0 && entries[kept - 1].first.AsString() == entries[i].first.AsString()) {
        entries[kept - 1].second = std::move(entries[i].second);
      } else {
        if (kept != i) {
          entries[kept] = std::move(entries[i]);
        }
        ++kept;
      }
    }
    entries.resize(kept);
  }
  lazy.converted = true;
}

const std::string& EmptyString() {
  static const std::string kEmpty;
  return kEmpty;
}
const std::vector<Value>& EmptyItems() {
  static const std::vector<Value> kEmpty;
  return kEmpty;
}
const ObjectEntries& EmptyEntries() {
  static const ObjectEntries kEmpty;
  return kEmpty;
}

int CompareInts(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Exact comparison of an int64 with a double.
int CompareIntDouble(int64_t i, double d) {
  if (d >= 9223372036854775808.0) {
    return -1;
  }
  if (d < -9223372036854775808.0) {
    return 1;
  }
  double t = std::trunc(d);
  auto ti = static_cast<int64_t>(t);
  if (i != ti) {
    return i < ti ? -1 : 1;
  }
  double frac = d - t;
  return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

int CompareNumbers(const Value& a, const Value& b) {
  if (a.IsInt() && b.IsInt()) {
    return CompareInts(a.AsInt(), b.AsInt());
  }
  if (a.Decimal() != nullptr || b.Decimal() != nullptr) {
    return CompareExactNumbers(a, b);
  }
  if (a.Big() != nullptr || b.Big() != nullptr) {
    auto x = ExactInteger(a);
    auto y = ExactInteger(b);
    if (x && y) {
      return *x < *y ? -1 : (*x > *y ? 1 : 0);
    }
    return CompareExactNumbers(a, b);
  }
  if (a.IsInt()) {
    return CompareIntDouble(a.AsInt(), b.AsDouble());
  }
  if (b.IsInt()) {
    return -CompareIntDouble(b.AsInt(), a.AsDouble());
  }
  double x = a.AsDouble();
  double y = b.AsDouble();
  return x < y ? -1 : (x > y ? 1 : 0);
}

int CompareSequences(const std::vector<Value>& a, const std::vector<Value>& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = Compare(a[i], b[i]);
    if (c != 0) {
      return c;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

int CompareObjects(const ObjectEntries& a, const ObjectEntries& b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int c = Compare(a[i].first, b[i].first);
    if (c != 0) {
      return c;
    }
    c = Compare(a[i].second, b[i].second);
    if (c != 0) {
      return c;
    }
  }
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

void AppendJsonText(std::string& out, const Value& v);

void AppendKeyText(std::string& out, const Value& key) {
  if (key.IsString()) {
    json::AppendQuoted(out, key.AsString());
  } else {
    std::string inner;
    AppendJsonText(inner, key);
    json::AppendQuoted(out, inner);
  }
}

void AppendJsonText(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      out += "null";
      return;
    case Kind::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case Kind::kNumber:
      out += NumberText(v);
      return;
    case Kind::kString:
      json::AppendQuoted(out, v.AsString());
      return;
    case Kind::kArray:
    case Kind::kSet: {
      out += '[';
      bool first = true;
      for (const auto& item : v.Items()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendJsonText(out, item);
      }
      out += ']';
      return;
    }
    case Kind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, val] : v.Entries()) {
        if (!first) {
          out += ',';
        }
        first = false;
        AppendKeyText(out, k);
        out += ':';
        AppendJsonText(out, val);
      }
      out += '}';
      return;
    }
  }
}

void AppendRegoText(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Kind::kArray: {
      out += '[';
      bool first = true;
      for (const auto& item : v.Items()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendRegoText(out, item);
      }
      out += ']';
      return;
    }
    case Kind::kSet: {
      if (v.Size() == 0) {
        out += "set()";
        return;
      }
      out += '{';
      bool first = true;
      for (const auto& item : v.Items()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendRegoText(out, item);
      }
      out += '}';
      return;
    }
    case Kind::kObject: {
      out += '{';
      bool first = true;
      for (const auto& [k, val] : v.Entries()) {
        if (!first) {
          out += ", ";
        }
        first = false;
        AppendRegoText(out, k);
        out += ": ";
        AppendRegoText(out, val);
      }
      out += '}';
      return;
    }
    default:
      AppendJsonText(out, v);
      return;
  }
}

}  // namespace

Value Value::Null() {
  Value v;
  v.kind_ = Kind::kNull;
  return v;
}

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.b_ = b;
  return v;
}

Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.is_int_ = true;
  v.i_ = i;
  return v;
}

Value Value::Double(double d) {
  if (std::isfinite(d) && std::trunc(d) == d && std::fabs(d) <= kMaxExactInt) {
    return Int(static_cast<int64_t>(d));
  }
  Value v;
  v.kind_ = Kind::kNumber;
  v.d_ = d;
  return v;
}

Value Value::BigInteger(std::shared_ptr<const BigNum> big, double approx) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.d_ = approx;
  v.p_ = std::move(big);
  return v;
}

Value Value::ExactDecimal(std::shared_ptr<const BigNum> decimal, double approx) {
  return BigInteger(std::move(decimal), approx);
}

const BigNum* Value::Big() const {
  if (kind_ != Kind::kNumber || is_int_ || !p_) {
    return nullptr;
  }
  const auto* big = static_cast<const BigNum*>(p_.get());
  return big->exp10 == 0 ? big : nullptr;
}

const BigNum* Value::Decimal() const {
  if (kind_ != Kind::kNumber || is_int_ || !p_) {
    return nullptr;
  }
  const auto* big = static_cast<const BigNum*>(p_.get());
  return big->exp10 != 0 ? big : nullptr;
}

namespace {

// Sign, digits (no leading zeros) and exponent of a decimal: value = ±digits × 10^exp.
struct DecimalParts {
  bool negative = false;
  std::string digits;  // empty: zero
  int64_t exp = 0;
};

constexpr int64_t kMaxDecimalExponent = 100'000;

// A decimal literal's sign, mantissa (digits and at most one '.', unchecked) and exponent:
// "-1.5e+3" → {true, "1.5", 3}. Nullopt when the exponent is not an integer.
struct LiteralParts {
  bool negative = false;
  std::string_view mantissa;
  int64_t exponent = 0;
};

std::optional<LiteralParts> SplitLiteral(std::string_view text) {
  LiteralParts out;
  out.negative = !text.empty() && text[0] == '-';
  if (out.negative || (!text.empty() && text[0] == '+')) {
    text.remove_prefix(1);
  }
  size_t e = text.find_first_of("eE");
  out.mantissa = text.substr(0, e);
  if (e != std::string_view::npos) {
    std::string_view exp_text = text.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') {
      exp_text.remove_prefix(1);
    }
    auto res = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), out.exponent);
    if (res.ec != std::errc() || res.ptr != exp_text.data() + exp_text.size()) {
      return std::nullopt;
    }
  }
  return out;
}

std::optional<DecimalParts> SplitDecimal(std::string_view text) {
  auto literal = SplitLiteral(text);
  if (!literal || literal->exponent > kMaxDecimalExponent ||
      literal->exponent < -kMaxDecimalExponent) {
    return std::nullopt;
  }
  DecimalParts out;
  out.negative = literal->negative;
  std::string_view mantissa = literal->mantissa;
  int64_t exponent = literal->exponent;
  bool seen_point = false;
  bool any_digit = false;
  for (char c : mantissa) {
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      any_digit = true;
      if (!out.digits.empty() || c != '0') {
        out.digits += c;
      }
      exponent -= seen_point ? 1 : 0;
    } else {
      return std::nullopt;
    }
  }
  if (!any_digit) {
    return std::nullopt;
  }
  while (!out.digits.empty() && out.digits.back() == '0') {
    out.digits.pop_back();
    ++exponent;
  }
  out.exp = exponent;
  if (out.digits.empty()) {
    out.negative = false;
  }
  return out;
}

// The exact decimal a number denotes; nullopt for non-finite doubles.
std::optional<DecimalParts> DecimalOf(const Value& v) {
  if (const BigNum* d = v.Decimal()) {
    DecimalParts out;
    out.negative = d->value < 0;
    out.digits = (out.negative ? BigInt(-d->value) : d->value).str();
    out.exp = d->exp10;
    return out;
  }
  std::string text;
  if (v.IsInt()) {
    text = std::to_string(v.AsInt());
  } else if (const BigNum* big = v.Big()) {
    text = big->value.str();
  } else {
    double x = v.AsDouble();
    if (!std::isfinite(x)) {
      return std::nullopt;
    }
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), x);
    text.assign(buf, res.ptr);
  }
  auto parts = SplitDecimal(text);
  if (parts && parts->digits.empty()) {
    parts->exp = 0;
  }
  return parts;
}

int CompareMagnitudes(const DecimalParts& a, const DecimalParts& b) {
  if (a.digits.empty() || b.digits.empty()) {
    return a.digits.empty() ? (b.digits.empty() ? 0 : -1) : 1;
  }
  // Position of the leading digit decides unless it is the same.
  int64_t lead_a = a.exp + static_cast<int64_t>(a.digits.size());
  int64_t lead_b = b.exp + static_cast<int64_t>(b.digits.size());
  if (lead_a != lead_b) {
    return lead_a < lead_b ? -1 : 1;
  }
  // Same leading position: digit strings compare left to right, shorter padded with zeros.
  size_t n = std::min(a.digits.size(), b.digits.size());
  int c = a.digits.compare(0, n, b.digits, 0, n);
  if (c != 0) {
    return c < 0 ? -1 : 1;
  }
  return a.digits.size() == b.digits.size() ? 0 : (a.digits.size() < b.digits.size() ? -1 : 1);
}

}  // namespace

std::optional<Value> ExactDecimalLiteral(std::string_view text) {
  auto parts = SplitDecimal(text);
  if (!parts || parts->digits.empty() || parts->exp >= 0) {
    return std::nullopt;  // zero or an integer: handled elsewhere
  }
  double approx = 0;
  auto res =
      std::from_chars(text.data() + (text[0] == '+' ? 1 : 0), text.data() + text.size(), approx);
  bool out_of_range =
      res.ec == std::errc::result_out_of_range || approx == 0 || !std::isfinite(approx);
  if (parts->digits.size() <= 15 && !out_of_range) {
    return std::nullopt;  // a double holds every digit
  }
  if (static_cast<int64_t>(parts->digits.size()) > kMaxLiteralDigits) {
    return std::nullopt;
  }
  BigInt sig(parts->digits);
  if (parts->negative) {
    sig = -sig;
  }
  if (res.ec == std::errc::result_out_of_range) {
    bool huge = parts->exp + static_cast<int64_t>(parts->digits.size()) > 0;
    approx = huge ? HUGE_VAL : 0.0;
    approx = parts->negative ? -approx : approx;
  }
  return Value::ExactDecimal(std::make_shared<const BigNum>(BigNum{std::move(sig), parts->exp}),
                             approx);
}

int CompareExactNumbers(const Value& a, const Value& b) {
  auto x = DecimalOf(a);
  auto y = DecimalOf(b);
  if (!x || !y) {
    double dx = a.AsDouble();
    double dy = b.AsDouble();
    return dx < dy ? -1 : (dx > dy ? 1 : 0);
  }
  if (x->negative != y->negative) {
    return x->negative ? -1 : 1;
  }
  int c = CompareMagnitudes(*x, *y);
  return x->negative ? -c : c;
}

Value FromBigInt(BigInt i) {
  if (i >= std::numeric_limits<int64_t>::min() && i <= std::numeric_limits<int64_t>::max()) {
    return Value::Int(static_cast<int64_t>(i));
  }
  // Beyond the double range the approximation is infinite (boost's conversion would throw).
  bool negative = i < 0;
  double approx = boost::multiprecision::msb(negative ? BigInt(-i) : i) >= 1023
                      ? (negative ? -HUGE_VAL : HUGE_VAL)
                      : static_cast<double>(i);
  return Value::BigInteger(std::make_shared<const BigNum>(BigNum{std::move(i)}), approx);
}

std::optional<BigInt> ExactInteger(const Value& v) {
  if (v.IsInt()) {
    return BigInt(v.AsInt());
  }
  if (const BigNum* big = v.Big()) {
    return big->value;
  }
  if (v.IsNumber()) {
    double d = v.AsDouble();
    if (std::isfinite(d) && std::trunc(d) == d) {
      return BigInt(d);
    }
  }
  return std::nullopt;
}

bool IsIntegral(const Value& v) {
  if (v.IsInt() || v.Big() != nullptr) {
    return true;
  }
  double d = v.AsDouble();
  return v.IsNumber() && std::isfinite(d) && std::trunc(d) == d;
}

std::optional<BigInt> ExactIntegerLiteral(std::string_view text) {
  auto literal = SplitLiteral(text);
  if (!literal) {
    return std::nullopt;
  }
  const bool negative = literal->negative;
  const std::string_view mantissa = literal->mantissa;
  const int64_t exponent = literal->exponent;
  std::string digits;
  int64_t fraction_digits = 0;
  bool seen_point = false;
  for (char c : mantissa) {
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      digits += c;
      fraction_digits += seen_point ? 1 : 0;
    } else {
      return std::nullopt;
    }
  }
  // Drop trailing zeros of the fraction ("10.00"), then require a non-negative exponent.
  while (fraction_digits > 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    --fraction_digits;
  }
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    return std::nullopt;  // zero: a double is exact
  }
  digits.erase(0, first);
  int64_t scale = exponent - fraction_digits;
  if (scale < 0 || static_cast<int64_t>(digits.size()) + scale > kMaxLiteralDigits) {
    return std::nullopt;
  }
  digits.append(static_cast<size_t>(scale), '0');
  if (digits.size() < 16) {
    return std::nullopt;  // below 2^53: a double is exact
  }
  BigInt out(digits);
  return negative ? BigInt(-out) : out;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.p_ = std::make_shared<const std::string>(std::move(s));
  return v;
}

Value Value::Array(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kArray;
  v.p_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

Value Value::Object(ObjectEntries entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return Compare(a.first, b.first) < 0; });
  // Keep the last of equal keys.
  ObjectEntries out;
  out.reserve(entries.size());
  for (auto& e : entries) {
    if (!out.empty() && Compare(out.back().first, e.first) == 0) {
      out.back().second = std::move(e.second);
    } else {
      out.push_back(std::move(e));
    }
  }
  return SortedObject(std::move(out));
}

Value Value::Set(std::vector<Value> items) {
  std::sort(items.begin(), items.end(), ValueLess());
  items.erase(std::unique(items.begin(), items.end(),
                          [](const Value& a, const Value& b) { return Compare(a, b) == 0; }),
              items.end());
  return SortedSet(std::move(items));
}

Value Value::SortedObject(ObjectEntries entries) {
  Value v;
  v.kind_ = Kind::kObject;
  v.p_ = std::make_shared<const ObjectRep>(ObjectRep{std::move(entries)});
  return v;
}

Value Value::SortedSet(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kSet;
  v.p_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return v;
}

const Value& Value::True() {
  static const Value kTrue = Bool(true);
  return kTrue;
}

const Value& Value::False() {
  static const Value kFalse = Bool(false);
  return kFalse;
}

const Value& Value::EmptyObject() {
  static const Value kEmpty = SortedObject({});
  return kEmpty;
}

const std::string& Value::AsString() const {
  if (kind_ != Kind::kString) {
    return EmptyString();
  }
  return *static_cast<const std::string*>(p_.get());
}

const std::vector<Value>& Value::Items() const {
  if (kind_ != Kind::kArray && kind_ != Kind::kSet) {
    return EmptyItems();
  }
  if (lazy_) {
    Convert(Lazy(p_));
    return Lazy(p_).items;
  }
  return *static_cast<const std::vector<Value>*>(p_.get());
}

const ObjectEntries& Value::Entries() const {
  if (kind_ != Kind::kObject) {
    return EmptyEntries();
  }
  if (lazy_) {
    Convert(Lazy(p_));
    return Lazy(p_).entries;
  }
  return static_cast<const ObjectRep*>(p_.get())->entries;
}

size_t Value::Size() const {
  switch (kind_) {
    case Kind::kArray:
      return lazy_ ? Lazy(p_).json->get_array().size() : Items().size();
    case Kind::kSet:
      return Items().size();
    case Kind::kObject:
      return Entries().size();
    default:
      return 0;
  }
}

const Value* Value::Find(const Value& key) const {
  if (kind_ == Kind::kObject) {
    const auto& e = Entries();
    auto it = std::lower_bound(e.begin(), e.end(), key, [](const auto& entry, const Value& k) {
      return Compare(entry.first, k) < 0;
    });
    if (it != e.end() && Compare(it->first, key) == 0) {
      return &it->second;
    }
    return nullptr;
  }
  if (kind_ == Kind::kSet) {
    const auto& items = Items();
    auto it = std::lower_bound(items.begin(), items.end(), key, ValueLess());
    if (it != items.end() && Compare(*it, key) == 0) {
      return &*it;
    }
  }
  return nullptr;
}

const Value* Value::Find(std::string_view key) const {
  if (kind_ != Kind::kObject) {
    return nullptr;
  }
  const auto& e = Entries();
  // String keys sort after null, booleans and numbers and before compound keys.
  auto it = std::lower_bound(e.begin(), e.end(), key, [](const auto& entry, std::string_view k) {
    if (entry.first.kind() != Kind::kString) {
      return entry.first.kind() < Kind::kString;
    }
    return entry.first.AsString() < k;
  });
  if (it != e.end() && it->first.IsString() && it->first.AsString() == key) {
    return &it->second;
  }
  return nullptr;
}

std::string_view Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "undefined";
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kArray:
      return "array";
    case Kind::kObject:
      return "object";
    case Kind::kSet:
      return "set";
  }
  return "undefined";
}

int Compare(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) {
    return a.kind() < b.kind() ? -1 : 1;
  }
  if (a.SharesPayload(b)) {
    return 0;
  }
  switch (a.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return 0;
    case Kind::kBool:
      return a.AsBool() == b.AsBool() ? 0 : (a.AsBool() ? 1 : -1);
    case Kind::kNumber:
      return CompareNumbers(a, b);
    case Kind::kString: {
      int c = a.AsString().compare(b.AsString());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case Kind::kArray:
    case Kind::kSet:
      return CompareSequences(a.Items(), b.Items());
    case Kind::kObject:
      return CompareObjects(a.Entries(), b.Entries());
  }
  return 0;
}

Value FromJson(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return Value::Null();
    case boost::json::kind::bool_:
      return Value::Bool(v.get_bool());
    case boost::json::kind::int64:
      return Value::Int(v.get_int64());
    case boost::json::kind::uint64: {
      uint64_t u = v.get_uint64();
      return FromBigInt(BigInt(u));
    }
    case boost::json::kind::double_:
      return Value::Double(v.get_double());
    case boost::json::kind::string:
      return Value::String(std::string(v.get_string()));
    case boost::json::kind::array: {
      std::vector<Value> items;
      items.reserve(v.get_array().size());
      for (const auto& item : v.get_array()) {
        items.push_back(FromJson(item));
      }
      return Value::Array(std::move(items));
    }
    case boost::json::kind::object: {
      ObjectEntries entries;
      entries.reserve(v.get_object().size());
      for (const auto& member : v.get_object()) {
        entries.emplace_back(Value::String(std::string(member.key())), FromJson(member.value()));
      }
      return Value::Object(std::move(entries));
    }
  }
  return Value::Null();
}

Value FromJsonLazy(const boost::json::value& v) {
  if (!v.is_array() && !v.is_object()) {
    return FromJson(v);
  }
  Value out;
  out.kind_ = v.is_array() ? Kind::kArray : Kind::kObject;
  out.lazy_ = true;
  auto lazy = std::make_shared<LazyJson>();
  lazy->json = &v;
  out.p_ = std::move(lazy);
  return out;
}

boost::json::value ToJson(const Value& v) {
  switch (v.kind()) {
    case Kind::kUndefined:
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return v.AsBool();
    case Kind::kNumber:
      if (v.IsInt()) {
        return v.AsInt();
      }
      return v.AsDouble();
    case Kind::kString:
      return boost::json::string(v.AsString());
    case Kind::kArray:
    case Kind::kSet: {
      boost::json::array a;
      a.reserve(v.Items().size());
      for (const auto& item : v.Items()) {
        a.push_back(ToJson(item));
      }
      return a;
    }
    case Kind::kObject: {
      boost::json::object o;
      o.reserve(v.Entries().size());
      for (const auto& [k, val] : v.Entries()) {
        o[k.IsString() ? k.AsString() : ToJsonText(k)] = ToJson(val);
      }
      return o;
    }
  }
  return nullptr;
}

std::string ToJsonText(const Value& v) {
  std::string out;
  AppendJsonText(out, v);
  return out;
}

std::string ToRegoText(const Value& v) {
  std::string out;
  AppendRegoText(out, v);
  return out;
}

std::string NumberText(const Value& v) {
  if (v.IsInt()) {
    return std::to_string(v.AsInt());
  }
  if (const BigNum* big = v.Big()) {
    return big->value.str();
  }
  if (const BigNum* dec = v.Decimal()) {
    // digits × 10^exp10 (exp10 < 0) as written: 0.1234567890123456789, 1e-400.
    bool negative = dec->value < 0;
    std::string digits = (negative ? BigInt(-dec->value) : dec->value).str();
    auto frac = static_cast<size_t>(-dec->exp10);
    std::string out = negative ? "-" : "";
    if (frac > digits.size() + 20) {
      out += digits.substr(0, 1);
      if (digits.size() > 1) {
        out += "." + digits.substr(1);
      }
      out += "e" + std::to_string(dec->exp10 + static_cast<int64_t>(digits.size()) - 1);
      return out;
    }
    if (frac >= digits.size()) {
      return out + "0." + std::string(frac - digits.size(), '0') + digits;
    }
    return out + digits.substr(0, digits.size() - frac) + "." + digits.substr(digits.size() - frac);
  }
  double d = v.AsDouble();
  if (!std::isfinite(d)) {
    return "null";
  }
  if (std::trunc(d) == d && std::fabs(d) < 1e21) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed, 0);
    return std::string(buf, res.ptr);
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, res.ptr);
}

Value ObjectInsert(const Value& object, const Value& key, const Value& value) {
  ObjectEntries entries = object.Entries();
  auto it = std::lower_bound(entries.begin(), entries.end(), key,
                             [](const auto& e, const Value& k) { return Compare(e.first, k) < 0; });
  if (it != entries.end() && Compare(it->first, key) == 0) {
    it->second = value;
  } else {
    entries.insert(it, {key, value});
  }
  return Value::SortedObject(std::move(entries));
}

}  // namespace qlrf::policy::internal
