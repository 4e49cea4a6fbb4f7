// Rego values: null, boolean, number (int64 or double), string, array, object and set, with
// Rego's total order (null < boolean < number < string < array < object < set).
#pragma once

#include <boost/json/fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qlrf::policy::internal {

enum class Kind : uint8_t { kUndefined, kNull, kBool, kNumber, kString, kArray, kObject, kSet };

class Value;
using ObjectEntries = std::vector<std::pair<Value, Value>>;

// An immutable Rego value. Compound payloads are shared, so copies are cheap; objects keep
// their entries sorted by key and sets their elements sorted, both in Rego order. A
// default-constructed Value is "undefined" (no value), used for unbound variables.
// Immutable; safe to share across threads (except values made by FromJsonLazy, see there).
class Value {
 public:
  Value() = default;

  static Value Null();
  static Value Bool(bool b);
  static Value Int(int64_t i);
  // Integral doubles within +-2^53 are stored as integers, so 3.0 and 3 behave alike.
  static Value Double(double d);
  // A big integer (see bignum.h: FromBigInt decides when to make one) and its nearest double.
  static Value BigInteger(std::shared_ptr<const struct BigNum> big, double approx);
  static Value ExactDecimal(std::shared_ptr<const struct BigNum> decimal, double approx);
  static Value String(std::string s);
  static Value Array(std::vector<Value> items);
  // Sorts by key; for duplicate keys the last entry wins.
  static Value Object(ObjectEntries entries);
  // Sorts and removes duplicates.
  static Value Set(std::vector<Value> items);
  // Entries already sorted by key without duplicates / elements sorted and unique.
  static Value SortedObject(ObjectEntries entries);
  static Value SortedSet(std::vector<Value> items);
  static const Value& True();
  static const Value& False();
  static const Value& EmptyObject();

  Kind kind() const { return kind_; }
  bool IsDefined() const { return kind_ != Kind::kUndefined; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsBool() const { return kind_ == Kind::kBool; }
  bool IsNumber() const { return kind_ == Kind::kNumber; }
  bool IsString() const { return kind_ == Kind::kString; }
  bool IsArray() const { return kind_ == Kind::kArray; }
  bool IsObject() const { return kind_ == Kind::kObject; }
  bool IsSet() const { return kind_ == Kind::kSet; }
  bool IsFalse() const { return kind_ == Kind::kBool && !b_; }

  bool AsBool() const { return b_; }
  // Numbers: IsInt() when the value is an integer that fits int64.
  bool IsInt() const { return kind_ == Kind::kNumber && is_int_; }
  int64_t AsInt() const { return i_; }
  double AsDouble() const { return is_int_ ? static_cast<double>(i_) : d_; }
  // An integer beyond int64 (bignum.h makes and reads them): AsDouble() approximates it, Big()
  // is exact. nullptr for every other value.
  const struct BigNum* Big() const;
  // An exact decimal literal (bignum.h): AsDouble() approximates it; nullptr otherwise.
  const struct BigNum* Decimal() const;
  const std::string& AsString() const;
  // Array items or set elements (sorted).
  const std::vector<Value>& Items() const;
  const ObjectEntries& Entries() const;
  // Number of items, entries or elements; 0 for scalars.
  size_t Size() const;

  // Object member or set element equal to `key`; nullptr when absent or not a collection.
  const Value* Find(const Value& key) const;
  const Value* Find(std::string_view key) const;

  // Whether both share one compound, string or big-integer payload (then they are equal).
  bool SharesPayload(const Value& o) const { return p_ != nullptr && p_ == o.p_; }

  // "null", "boolean", "number", "string", "array", "object", "set".
  std::string_view TypeName() const;

 private:
  friend Value FromJsonLazy(const boost::json::value& v);
  Kind kind_ = Kind::kUndefined;
  bool is_int_ = false;
  bool b_ = false;
  bool lazy_ = false;  // p_ is a LazyJson (FromJsonLazy): converted on first access
  int64_t i_ = 0;
  double d_ = 0;
  std::shared_ptr<const void> p_;
};

// Rego's total order: <0, 0, >0. Numbers compare by value (1 == 1.0).
int Compare(const Value& a, const Value& b);
inline bool operator==(const Value& a, const Value& b) { return Compare(a, b) == 0; }
inline bool operator!=(const Value& a, const Value& b) { return Compare(a, b) != 0; }
inline bool operator<(const Value& a, const Value& b) { return Compare(a, b) < 0; }
struct ValueLess {
  bool operator()(const Value& a, const Value& b) const { return Compare(a, b) < 0; }
};

// JSON conversion. Sets become arrays (in Rego order); object keys that are not strings are
// rendered as their JSON text.
Value FromJson(const boost::json::value& v);
boost::json::value ToJson(const Value& v);
// Like FromJson, but arrays and objects are converted when first read, so an evaluation pays
// only for the part of its input the policy looks at (count() of a long list reads only its
// size). `v` must outlive the result and every value taken from it, and the result must stay
// on one thread (conversion is not synchronised). For query inputs.
Value FromJsonLazy(const boost::json::value& v);

// Compact JSON text ({"a":1}); sets as arrays.
std::string ToJsonText(const Value& v);
// Rego's own notation, as `print` and sprintf("%v") show it: [1, 2], {"a": 1}, {1, 2}, set().
std::string ToRegoText(const Value& v);
// A number as text: integers without a fraction, other doubles in shortest round-trip form.
std::string NumberText(const Value& v);

// Object helpers. Insert returns the object with `key` set to `value`.
Value ObjectInsert(const Value& object, const Value& key, const Value& value);

}  // namespace qlrf::policy::internal
