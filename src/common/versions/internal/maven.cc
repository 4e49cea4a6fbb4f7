// Maven ComparableVersion ordering: a tree of number, qualifier and list items ('.' separates,
// '-' and digit/letter changes open a sub-list), trailing null items dropped, qualifiers ordered
// alpha < beta < milestone < rc < snapshot < "" (ga, final, release) < sp < others by name.
#include <string>
#include <string_view>
#include <vector>

#include "common/versions/internal/common.h"
#include "common/versions/internal/schemes.h"

namespace qlrf::versions::internal {
namespace {

struct Item {
  enum class Kind { kInt, kString, kList };
  Kind kind = Kind::kInt;
  std::string value;       // kInt: digits without leading zeros ("" is 0); kString: qualifier
  std::vector<Item> list;  // kList

  bool IsNull() const { return kind == Kind::kList ? list.empty() : value.empty(); }
};

Item IntItem(std::string_view digits) {
  while (!digits.empty() && digits.front() == '0') {
    digits.remove_prefix(1);
  }
  return {Item::Kind::kInt, std::string(digits), {}};
}

// `followed_by_digit`: "a1", "b2", "m3" are alpha-1, beta-2, milestone-3.
Item StringItem(std::string_view text, bool followed_by_digit) {
  std::string value(text);
  if (followed_by_digit && value.size() == 1) {
    if (value == "a") {
      value = "alpha";
    } else if (value == "b") {
      value = "beta";
    } else if (value == "m") {
      value = "milestone";
    }
  }
  if (value == "ga" || value == "final" || value == "release") {
    value.clear();
  } else if (value == "cr") {
    value = "rc";
  }
  return {Item::Kind::kString, std::move(value), {}};
}

Item ListItem() { return {Item::Kind::kList, {}, {}}; }

// "alpha" -> "0" ... "sp" -> "6"; unknown qualifiers "7-<name>" sort after all known ones.
std::string ComparableQualifier(const std::string& q) {
  constexpr std::string_view kQualifiers[] = {"alpha",    "beta", "milestone", "rc",
                                              "snapshot", "",     "sp"};
  for (size_t i = 0; i < std::size(kQualifiers); ++i) {
    if (kQualifiers[i] == q) {
      return std::to_string(i);
    }
  }
  return "7-" + q;
}

void Normalize(Item& list) {
  for (size_t i = list.list.size(); i-- > 0;) {
    if (list.list[i].IsNull()) {
      list.list.erase(list.list.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (list.list[i].kind != Item::Kind::kList) {
      break;
    }
  }
}

int Compare(const Item& a, const Item* b);

// Compares item `a` with nothing (the other version ran out of items).
int CompareWithNull(const Item& a) {
  switch (a.kind) {
    case Item::Kind::kInt:
      return a.value.empty() ? 0 : 1;
    case Item::Kind::kString:
      return CompareBytes(ComparableQualifier(a.value), "5");  // against the release qualifier
    case Item::Kind::kList:
      // Every item counts, not just the first (Maven fixed this in MNG-6964; comparing only
      // the first item made "1-0.0.90" equal to "1" and broke transitivity).
      for (const Item& item : a.list) {
        if (int c = CompareWithNull(item); c != 0) {
          return c;
        }
      }
      return 0;
  }
  return 0;
}

int Compare(const Item& a, const Item* b) {
  if (b == nullptr) {
    return CompareWithNull(a);
  }
  switch (a.kind) {
    case Item::Kind::kInt:
      return b->kind == Item::Kind::kInt ? CompareDigits(a.value, b->value) : 1;
    case Item::Kind::kString:
      if (b->kind != Item::Kind::kString) {
        return -1;
      }
      return CompareBytes(ComparableQualifier(a.value), ComparableQualifier(b->value));
    case Item::Kind::kList:
      if (b->kind == Item::Kind::kInt) {
        return -1;
      }
      if (b->kind == Item::Kind::kString) {
        return 1;
      }
      for (size_t i = 0; i < a.list.size() || i < b->list.size(); ++i) {
        const Item* l = i < a.list.size() ? &a.list[i] : nullptr;
        const Item* r = i < b->list.size() ? &b->list[i] : nullptr;
        int c = l == nullptr ? (r == nullptr ? 0 : -Compare(*r, l)) : Compare(*l, r);
        if (c != 0) {
          return c;
        }
      }
      return 0;
  }
  return 0;
}

Item Parse(std::string_view text) {
  std::string version = AsciiLower(text);
  Item root = ListItem();
  // The lists being filled, outermost first. Only the innermost one grows, so the pointers to
  // its ancestors stay valid.
  std::vector<Item*> stack = {&root};
  auto current = [&stack]() -> Item& { return *stack.back(); };
  auto open_list = [&] {
    current().list.push_back(ListItem());
    stack.push_back(&current().list.back());
  };
  auto parse_item = [](bool digit, std::string_view buf) {
    return digit ? IntItem(buf) : StringItem(buf, false);
  };
  bool is_digit = false;
  size_t start = 0;
  for (size_t i = 0; i < version.size(); ++i) {
    char c = version[i];
    std::string_view buf = std::string_view(version).substr(start, i - start);
    if (c == '.') {
      current().list.push_back(i == start ? IntItem("") : parse_item(is_digit, buf));
      start = i + 1;
    } else if (c == '-') {
      Item item = i == start ? IntItem("") : parse_item(is_digit, buf);
      start = i + 1;
      // "-ga-", "-final-": a null qualifier before another '-' separates nothing ("1-ga-1" is
      // "1-1").
      if (item.kind == Item::Kind::kString && item.IsNull()) {
        continue;
      }
      current().list.push_back(std::move(item));
      open_list();
    } else if (IsDigit(c)) {
      if (!is_digit && i > start) {
        current().list.push_back(StringItem(buf, true));
        start = i;
        open_list();
      }
      is_digit = true;
    } else {
      if (is_digit && i > start) {
        current().list.push_back(IntItem(buf));
        start = i;
        open_list();
      }
      is_digit = false;
    }
  }
  if (version.size() > start) {
    current().list.push_back(parse_item(is_digit, std::string_view(version).substr(start)));
  }
  while (!stack.empty()) {
    Normalize(*stack.back());
    stack.pop_back();
  }
  return root;
}

}  // namespace

int CompareMaven(std::string_view a, std::string_view b) {
  Item va = Parse(a);
  Item vb = Parse(b);
  return Compare(va, &vb);
}

}  // namespace qlrf::versions::internal
