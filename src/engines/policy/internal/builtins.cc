// Built-in table and the core built-ins: comparison, arithmetic, aggregates, collections, types.
#include "engines/policy/internal/builtins.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string>

#include "engines/policy/internal/bignum.h"
#include "engines/policy/internal/builtins_impl.h"
#include "engines/policy/internal/regex.h"

namespace qlrf::policy::internal {

Error BuiltinError(std::string_view name, std::string_view message) {
  return RegoError(kBuiltinError, std::string(name) + ": " + std::string(message));
}

Error OperandError(std::string_view name, int position, std::string_view want, const Value& got) {
  return RegoError(kEvalTypeError, std::string(name) + ": operand " + std::to_string(position) +
                                       " must be " + std::string(want) + " but got " +
                                       std::string(got.TypeName()));
}

namespace builtins {
namespace {

constexpr int64_t kMaxRange = 10'000'000;

Result<Value> Compare2(Args a, int op) {
  int c = Compare(a[0], a[1]);
  switch (op) {
    case 0:
      return Value::Bool(c == 0);
    case 1:
      return Value::Bool(c != 0);
    case 2:
      return Value::Bool(c < 0);
    case 3:
      return Value::Bool(c <= 0);
    case 4:
      return Value::Bool(c > 0);
    default:
      return Value::Bool(c >= 0);
  }
}

Result<Value> Plus(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("plus", a, 0));
  QLRF_TRY(WantNumber("plus", a, 1));
  return AddNumbers(a[0], a[1]);
}

Result<Value> Minus(Args a, BuiltinContext& /*ctx*/) {
  if (a[0].IsSet() && a[1].IsSet()) {
    std::vector<Value> out;
    for (const auto& v : a[0].Items()) {
      if (a[1].Find(v) == nullptr) {
        out.push_back(v);
      }
    }
    return Value::SortedSet(std::move(out));
  }
  if (!a[0].IsNumber() && !a[0].IsSet()) {
    return Fail(OperandError("minus", 1, "one of {number, set}", a[0]));
  }
  if (a[0].IsSet()) {
    return Fail(OperandError("minus", 2, "set", a[1]));
  }
  QLRF_TRY(WantNumber("minus", a, 1));
  return SubNumbers(a[0], a[1]);
}

Result<Value> Mul(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("mul", a, 0));
  QLRF_TRY(WantNumber("mul", a, 1));
  return MulNumbers(a[0], a[1]);
}

Result<Value> Div(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("div", a, 0));
  QLRF_TRY(WantNumber("div", a, 1));
  if (a[1].IsInt() ? a[1].AsInt() == 0 : a[1].AsDouble() == 0) {
    return Fail(BuiltinError("div", "divide by zero"));
  }
  if (a[0].IsInt() && a[1].IsInt()) {
    int64_t x = a[0].AsInt();
    int64_t y = a[1].AsInt();
    if (!(x == INT64_MIN && y == -1) && x % y == 0) {
      return Value::Int(x / y);
    }
  }
  // Integers that divide exactly give an exact integer (big ones included).
  if ((a[0].Big() != nullptr || a[1].Big() != nullptr || !a[0].IsInt() || !a[1].IsInt()) &&
      IsIntegral(a[0]) && IsIntegral(a[1])) {
    BigInt x = *ExactInteger(a[0]);
    BigInt y = *ExactInteger(a[1]);
    if (x % y == 0) {
      return FromBigInt(BigInt(x / y));
    }
  }
  return Value::Double(a[0].AsDouble() / a[1].AsDouble());
}

Result<Value> Rem(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("rem", a, 0));
  QLRF_TRY(WantNumber("rem", a, 1));
  if (!IsIntegral(a[0]) || !IsIntegral(a[1])) {
    return Fail(BuiltinError("rem", "modulo on floating-point number"));
  }
  if (a[0].IsInt() && a[1].IsInt()) {
    if (a[1].AsInt() == 0) {
      return Fail(BuiltinError("rem", "modulo by zero"));
    }
    if (a[1].AsInt() == -1) {
      return Value::Int(0);
    }
    return Value::Int(a[0].AsInt() % a[1].AsInt());
  }
  BigInt x = *ExactInteger(a[0]);
  BigInt y = *ExactInteger(a[1]);
  if (y == 0) {
    return Fail(BuiltinError("rem", "modulo by zero"));
  }
  return FromBigInt(BigInt(x % y));  // truncated: the sign of the dividend, as Go's big.Int.Rem
}

Result<Value> Round(Args a, int mode, std::string_view name) {
  QLRF_TRY(WantNumber(name, a, 0));
  if (a[0].IsInt() || a[0].Big() != nullptr) {
    return a[0];
  }
  double d = a[0].AsDouble();
  switch (mode) {
    case 0:
      return Value::Double(std::round(d));
    case 1:
      return Value::Double(std::ceil(d));
    default:
      return Value::Double(std::floor(d));
  }
}

Result<Value> Abs(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantNumber("abs", a, 0));
  if (a[0].IsInt() && a[0].AsInt() != INT64_MIN) {
    return Value::Int(a[0].AsInt() < 0 ? -a[0].AsInt() : a[0].AsInt());
  }
  if (IsIntegral(a[0])) {
    return FromBigInt(boost::multiprecision::abs(*ExactInteger(a[0])));
  }
  return Value::Double(std::fabs(a[0].AsDouble()));
}

Result<Value> RangeStep(std::string_view name, int64_t from, int64_t to, int64_t step) {
  if (step <= 0) {
    return Fail(BuiltinError(name, "step must be a positive number above zero"));
  }
  // Two's-complement difference: exact for any pair of int64 values.
  uint64_t span = from <= to ? static_cast<uint64_t>(to) - static_cast<uint64_t>(from)
                             : static_cast<uint64_t>(from) - static_cast<uint64_t>(to);
  uint64_t count = span / static_cast<uint64_t>(step) + 1;
  if (count > static_cast<uint64_t>(kMaxRange)) {
    return Fail(BuiltinError(name, "range too large"));
  }
  std::vector<Value> out;
  out.reserve(count);
  int64_t v = from;
  for (uint64_t i = 0; i < count; ++i) {
    out.push_back(Value::Int(v));
    if (i + 1 < count) {
      v = from <= to ? v + step : v - step;
    }
  }
  return Value::Array(std::move(out));
}

Result<Value> NumbersRange(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantInt("numbers.range", a, 0));
  QLRF_TRY(WantInt("numbers.range", a, 1));
  return RangeStep("numbers.range", a[0].AsInt(), a[1].AsInt(), 1);
}

Result<Value> NumbersRangeStep(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantInt("numbers.range_step", a, 0));
  QLRF_TRY(WantInt("numbers.range_step", a, 1));
  QLRF_TRY(WantInt("numbers.range_step", a, 2));
  return RangeStep("numbers.range_step", a[0].AsInt(), a[1].AsInt(), a[2].AsInt());
}

Result<Value> And(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantSet("and", a, 0));
  QLRF_TRY(WantSet("and", a, 1));
  std::vector<Value> out;
  for (const auto& v : a[0].Items()) {
    if (a[1].Find(v) != nullptr) {
      out.push_back(v);
    }
  }
  return Value::SortedSet(std::move(out));
}

Result<Value> Or(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantSet("or", a, 0));
  QLRF_TRY(WantSet("or", a, 1));
  std::vector<Value> out = a[0].Items();
  out.insert(out.end(), a[1].Items().begin(), a[1].Items().end());
  return Value::Set(std::move(out));
}

Result<Value> Intersection(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantSet("intersection", a, 0));
  const auto& sets = a[0].Items();
  if (sets.empty()) {
    return Value::SortedSet({});
  }
  for (const auto& s : sets) {
    if (!s.IsSet()) {
      return Fail(OperandError("intersection", 1, "set of sets", a[0]));
    }
  }
  std::vector<Value> out;
  for (const auto& v : sets[0].Items()) {
    bool all = std::all_of(sets.begin() + 1, sets.end(),
                           [&](const Value& s) { return s.Find(v) != nullptr; });
    if (all) {
      out.push_back(v);
    }
  }
  return Value::SortedSet(std::move(out));
}

Result<Value> Union(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantSet("union", a, 0));
  std::vector<Value> out;
  for (const auto& s : a[0].Items()) {
    if (!s.IsSet()) {
      return Fail(OperandError("union", 1, "set of sets", a[0]));
    }
    out.insert(out.end(), s.Items().begin(), s.Items().end());
  }
  return Value::Set(std::move(out));
}

Result<Value> Count(Args a, BuiltinContext& /*ctx*/) {
  switch (a[0].kind()) {
    case Kind::kString:
      return Value::Int(static_cast<int64_t>(CountRunes(a[0].AsString())));
    case Kind::kArray:
    case Kind::kSet:
    case Kind::kObject:
      return Value::Int(static_cast<int64_t>(a[0].Size()));
    default:
      return Fail(OperandError("count", 1, "one of {array, object, set, string}", a[0]));
  }
}

Result<Value> SumProduct(Args a, bool product) {
  std::string_view name = product ? "product" : "sum";
  QLRF_TRY(WantArrayOrSet(name, a, 0));
  Value acc = Value::Int(product ? 1 : 0);
  for (const auto& v : a[0].Items()) {
    if (!v.IsNumber()) {
      return Fail(OperandError(name, 1, "collection of numbers", a[0]));
    }
    acc = product ? MulNumbers(acc, v) : AddNumbers(acc, v);
  }
  return acc;
}

Result<Value> MaxMin(Args a, bool max) {
  std::string_view name = max ? "max" : "min";
  QLRF_TRY(WantArrayOrSet(name, a, 0));
  const auto& items = a[0].Items();
  if (items.empty()) {
    return Value();
  }
  const Value* best = &items[0];
  for (const auto& v : items) {
    int c = Compare(v, *best);
    if ((max && c > 0) || (!max && c < 0)) {
      best = &v;
    }
  }
  return *best;
}

Result<Value> Sort(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArrayOrSet("sort", a, 0));
  std::vector<Value> items = a[0].Items();
  std::stable_sort(items.begin(), items.end(), ValueLess());
  return Value::Array(std::move(items));
}

Result<Value> ArrayConcat(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArray("array.concat", a, 0));
  QLRF_TRY(WantArray("array.concat", a, 1));
  std::vector<Value> out = a[0].Items();
  out.insert(out.end(), a[1].Items().begin(), a[1].Items().end());
  return Value::Array(std::move(out));
}

Result<Value> ArraySlice(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArray("array.slice", a, 0));
  QLRF_TRY(WantNumber("array.slice", a, 1));
  QLRF_TRY(WantNumber("array.slice", a, 2));
  auto n = static_cast<int64_t>(a[0].Size());
  auto start = static_cast<int64_t>(std::floor(a[1].AsDouble()));
  auto stop = static_cast<int64_t>(std::floor(a[2].AsDouble()));
  start = std::clamp<int64_t>(start, 0, n);
  stop = std::clamp<int64_t>(stop, 0, n);
  if (start >= stop) {
    return Value::Array({});
  }
  const auto& items = a[0].Items();
  return Value::Array(std::vector<Value>(items.begin() + start, items.begin() + stop));
}

Result<Value> ArrayReverse(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArray("array.reverse", a, 0));
  std::vector<Value> out(a[0].Items().rbegin(), a[0].Items().rend());
  return Value::Array(std::move(out));
}

Result<Value> ObjectGet(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("object.get", a, 0));
  if (a[1].IsArray()) {
    const Value* cur = &a[0];
    for (const auto& key : a[1].Items()) {
      const Value* next = nullptr;
      if (cur->IsObject() || cur->IsSet()) {
        next = cur->Find(key);
      } else if (cur->IsArray() && key.IsInt() && key.AsInt() >= 0 &&
                 static_cast<uint64_t>(key.AsInt()) < cur->Size()) {
        next = &cur->Items()[static_cast<size_t>(key.AsInt())];
      }
      if (next == nullptr) {
        return a[2];
      }
      cur = next;
    }
    return *cur;
  }
  const Value* v = a[0].Find(a[1]);
  return v != nullptr ? *v : a[2];
}

Result<Value> ObjectKeys(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("object.keys", a, 0));
  std::vector<Value> keys;
  for (const auto& [k, v] : a[0].Entries()) {
    keys.push_back(k);
  }
  return Value::SortedSet(std::move(keys));
}

Result<std::vector<Value>> KeyList(std::string_view name, const Value& v) {
  if (v.IsArray() || v.IsSet()) {
    return v.Items();
  }
  if (v.IsObject()) {
    std::vector<Value> keys;
    for (const auto& [k, val] : v.Entries()) {
      keys.push_back(k);
    }
    return keys;
  }
  return Fail(OperandError(name, 2, "one of {array, object, set}", v));
}

Result<Value> ObjectRemove(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("object.remove", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto keys, KeyList("object.remove", a[1]));
  Value drop = Value::Set(std::move(keys));
  ObjectEntries out;
  for (const auto& e : a[0].Entries()) {
    if (drop.Find(e.first) == nullptr) {
      out.push_back(e);
    }
  }
  return Value::SortedObject(std::move(out));
}

Result<Value> ObjectFilter(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("object.filter", a, 0));
  QLRF_ASSIGN_OR_RETURN(auto keys, KeyList("object.filter", a[1]));
  Value keep = Value::Set(std::move(keys));
  ObjectEntries out;
  for (const auto& e : a[0].Entries()) {
    if (keep.Find(e.first) != nullptr) {
      out.push_back(e);
    }
  }
  return Value::SortedObject(std::move(out));
}

Value MergeObjects(const Value& a, const Value& b) {
  std::map<Value, Value, ValueLess> out;
  for (const auto& [k, v] : a.Entries()) {
    out.emplace(k, v);
  }
  for (const auto& [k, v] : b.Entries()) {
    auto it = out.find(k);
    if (it != out.end() && it->second.IsObject() && v.IsObject()) {
      it->second = MergeObjects(it->second, v);
    } else {
      out[k] = v;
    }
  }
  return Value::SortedObject(ObjectEntries(out.begin(), out.end()));
}

Result<Value> ObjectUnion(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantObject("object.union", a, 0));
  QLRF_TRY(WantObject("object.union", a, 1));
  return MergeObjects(a[0], a[1]);
}

Result<Value> ObjectUnionN(Args a, BuiltinContext& /*ctx*/) {
  QLRF_TRY(WantArray("object.union_n", a, 0));
  Value acc = Value::EmptyObject();
  for (const auto& v : a[0].Items()) {
    if (!v.IsObject()) {
      return Fail(OperandError("object.union_n", 1, "array of objects", a[0]));
    }
    acc = MergeObjects(acc, v);
  }
  return acc;
}

Result<Value> TypeIs(Args a, Kind kind) { return Value::Bool(a[0].kind() == kind); }

Result<Value> TypeName(Args a, BuiltinContext& /*ctx*/) {
  return Value::String(std::string(a[0].TypeName()));
}

Result<Value> ToNumber(Args a, BuiltinContext& /*ctx*/) {
  switch (a[0].kind()) {
    case Kind::kNull:
      return Value::Int(0);
    case Kind::kBool:
      return Value::Int(a[0].AsBool() ? 1 : 0);
    case Kind::kNumber:
      return a[0];
    case Kind::kString: {
      const std::string& s = a[0].AsString();
      int64_t i = 0;
      auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
      if (ri.ec == std::errc() && ri.ptr == s.data() + s.size() && !s.empty()) {
        return Value::Int(i);
      }
      double d = 0;
      const char* begin = s.data();
      if (!s.empty() && s[0] == '+') {
        ++begin;
      }
      auto rd = std::from_chars(begin, s.data() + s.size(), d);
      if (rd.ec != std::errc() || rd.ptr != s.data() + s.size() || s.empty() || !std::isfinite(d)) {
        return Fail(
            BuiltinError("to_number", "strconv.ParseFloat: parsing \"" + s + "\": invalid syntax"));
      }
      if (auto exact = ExactIntegerLiteral(std::string_view(begin, s.data() + s.size()))) {
        return FromBigInt(std::move(*exact));
      }
      return Value::Double(d);
    }
    default:
      return Fail(OperandError("to_number", 1, "one of {boolean, null, number, string}", a[0]));
  }
}

Result<Value> Member2(Args a, BuiltinContext& /*ctx*/) {
  const Value& x = a[0];
  const Value& c = a[1];
  switch (c.kind()) {
    case Kind::kArray:
      return Value::Bool(std::any_of(c.Items().begin(), c.Items().end(),
                                     [&](const Value& v) { return Compare(v, x) == 0; }));
    case Kind::kSet:
      return Value::Bool(c.Find(x) != nullptr);
    case Kind::kObject:
      return Value::Bool(std::any_of(c.Entries().begin(), c.Entries().end(),
                                     [&](const auto& e) { return Compare(e.second, x) == 0; }));
    default:
      return Value::Bool(false);
  }
}

Result<Value> Member3(Args a, BuiltinContext& /*ctx*/) {
  const Value& k = a[0];
  const Value& v = a[1];
  const Value& c = a[2];
  switch (c.kind()) {
    case Kind::kArray: {
      if (!k.IsInt() || k.AsInt() < 0 || static_cast<uint64_t>(k.AsInt()) >= c.Size()) {
        return Value::Bool(false);
      }
      return Value::Bool(Compare(c.Items()[static_cast<size_t>(k.AsInt())], v) == 0);
    }
    case Kind::kObject: {
      const Value* m = c.Find(k);
      return Value::Bool(m != nullptr && Compare(*m, v) == 0);
    }
    case Kind::kSet:
      return Value::Bool(Compare(k, v) == 0 && c.Find(k) != nullptr);
    default:
      return Value::Bool(false);
  }
}

}  // namespace

Result<std::vector<std::string>> StringItems(std::string_view fn, Args a, size_t i) {
  QLRF_TRY(WantArrayOrSet(fn, a, i));
  std::vector<std::string> out;
  for (const auto& v : a[i].Items()) {
    if (!v.IsString()) {
      return Fail(OperandError(fn, static_cast<int>(i) + 1, "collection of strings", a[i]));
    }
    out.push_back(v.AsString());
  }
  return out;
}

namespace {

constexpr size_t kMaxIntegerBits = 4096;

size_t Bits(const BigInt& i) { return i == 0 ? 0 : boost::multiprecision::msb(abs(i)) + 1; }

// Integer arithmetic is exact (int64, else big integers); anything with a fraction is double.
template <class IntOp, class BigOp, class DoubleOp>
Value Arith(const Value& a, const Value& b, IntOp int_op, BigOp big_op, DoubleOp double_op) {
  if (a.IsInt() && b.IsInt()) {
    int64_t r = 0;
    if (!int_op(a.AsInt(), b.AsInt(), &r)) {
      return Value::Int(r);
    }
  }
  if (IsIntegral(a) && IsIntegral(b)) {
    BigInt x = *ExactInteger(a);
    BigInt y = *ExactInteger(b);
    // Operands this large (repeated squaring) would only eat memory; they become doubles.
    if (Bits(x) + Bits(y) <= kMaxIntegerBits) {
      return FromBigInt(big_op(x, y));
    }
  }
  return Value::Double(double_op(a.AsDouble(), b.AsDouble()));
}

}  // namespace

Value AddNumbers(const Value& a, const Value& b) {
  return Arith(
      a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_add_overflow(x, y, r); },
      [](const BigInt& x, const BigInt& y) { return BigInt(x + y); },
      [](double x, double y) { return x + y; });
}

Value SubNumbers(const Value& a, const Value& b) {
  return Arith(
      a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_sub_overflow(x, y, r); },
      [](const BigInt& x, const BigInt& y) { return BigInt(x - y); },
      [](double x, double y) { return x - y; });
}

Value MulNumbers(const Value& a, const Value& b) {
  return Arith(
      a, b, [](int64_t x, int64_t y, int64_t* r) { return __builtin_mul_overflow(x, y, r); },
      [](const BigInt& x, const BigInt& y) { return BigInt(x * y); },
      [](double x, double y) { return x * y; });
}

std::string FormatValue(const Value& v) { return v.IsString() ? v.AsString() : ToRegoText(v); }

void AddCore(std::vector<Builtin>& out) {
  auto add = [&](const char* name, int arity, BuiltinFn fn) {
    out.push_back(Builtin{name, arity, fn, nullptr});
  };
  add("equal", 2, [](Args a, BuiltinContext&) { return Compare2(a, 0); });
  add("neq", 2, [](Args a, BuiltinContext&) { return Compare2(a, 1); });
  add("lt", 2, [](Args a, BuiltinContext&) { return Compare2(a, 2); });
  add("lte", 2, [](Args a, BuiltinContext&) { return Compare2(a, 3); });
  add("gt", 2, [](Args a, BuiltinContext&) { return Compare2(a, 4); });
  add("gte", 2, [](Args a, BuiltinContext&) { return Compare2(a, 5); });
  add("plus", 2, Plus);
  add("minus", 2, Minus);
  add("mul", 2, Mul);
  add("div", 2, Div);
  add("rem", 2, Rem);
  add("abs", 1, Abs);
  add("round", 1, [](Args a, BuiltinContext&) { return Round(a, 0, "round"); });
  add("ceil", 1, [](Args a, BuiltinContext&) { return Round(a, 1, "ceil"); });
  add("floor", 1, [](Args a, BuiltinContext&) { return Round(a, 2, "floor"); });
  add("numbers.range", 2, NumbersRange);
  add("numbers.range_step", 3, NumbersRangeStep);
  add("and", 2, And);
  add("or", 2, Or);
  add("intersection", 1, Intersection);
  add("union", 1, Union);
  add("count", 1, Count);
  add("sum", 1, [](Args a, BuiltinContext&) { return SumProduct(a, false); });
  add("product", 1, [](Args a, BuiltinContext&) { return SumProduct(a, true); });
  add("max", 1, [](Args a, BuiltinContext&) { return MaxMin(a, true); });
  add("min", 1, [](Args a, BuiltinContext&) { return MaxMin(a, false); });
  add("sort", 1, Sort);
  add("array.concat", 2, ArrayConcat);
  add("array.slice", 3, ArraySlice);
  add("array.reverse", 1, ArrayReverse);
  add("object.get", 3, ObjectGet);
  add("object.keys", 1, ObjectKeys);
  add("object.remove", 2, ObjectRemove);
  add("object.filter", 2, ObjectFilter);
  add("object.union", 2, ObjectUnion);
  add("object.union_n", 1, ObjectUnionN);
  add("is_string", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kString); });
  add("is_number", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kNumber); });
  add("is_boolean", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kBool); });
  add("is_array", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kArray); });
  add("is_set", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kSet); });
  add("is_object", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kObject); });
  add("is_null", 1, [](Args a, BuiltinContext&) { return TypeIs(a, Kind::kNull); });
  add("type_name", 1, TypeName);
  add("to_number", 1, ToNumber);
  add("internal.member_2", 2, Member2);
  add("internal.member_3", 3, Member3);
  add("opa.runtime", 0,
      [](Args, BuiltinContext&) -> Result<Value> { return Value::EmptyObject(); });
  add("print", -1, [](Args, BuiltinContext&) -> Result<Value> { return Value::True(); });
}

}  // namespace builtins

const Builtin* FindBuiltin(std::string_view name) {
  static const auto* const kTable = [] {
    std::vector<Builtin> all;
    builtins::AddCore(all);
    builtins::AddStrings(all);
    builtins::AddEncoding(all);
    builtins::AddTime(all);
    auto* table = new std::map<std::string, Builtin, std::less<>>();
    for (auto& b : all) {
      std::string key = b.name;
      table->emplace(std::move(key), std::move(b));
    }
    return table;
  }();
  auto it = kTable->find(name);
  return it == kTable->end() ? nullptr : &it->second;
}

std::string_view UnsupportedBuiltinReason(std::string_view name) {
  if (name == "http.send" || name == "net.lookup_ip_addr" || name == "providers.aws.sign_req") {
    return "policies may not make network requests";
  }
  return {};
}

}  // namespace qlrf::policy::internal
