// RE2-syntax regular expressions compiled to a Pike VM (Thompson NFA with submatches).
#include "engines/policy/internal/regex.h"

#include <algorithm>
#include <cstdint>

namespace qlrf::policy::internal {
namespace {

constexpr uint32_t kMaxRune = 0x10FFFF;
constexpr int kMaxRepeat = 1000;
constexpr size_t kMaxInstructions = 50000;
constexpr int kMaxNesting = 500;

using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;

void Normalize(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& p : r) {
    if (!out.empty() && p.first <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, p.second);
    } else {
      out.push_back(p);
    }
  }
  r = std::move(out);
}

Ranges Negate(const Ranges& r) {
  Ranges out;
  uint32_t next = 0;
  for (const auto& p : r) {
    if (p.first > next) {
      out.emplace_back(next, p.first - 1);
    }
    next = p.second + 1;
  }
  if (next <= kMaxRune) {
    out.emplace_back(next, kMaxRune);
  }
  return out;
}

void AddFolded(Ranges& r, uint32_t lo, uint32_t hi, bool fold) {
  r.emplace_back(lo, hi);
  if (!fold) {
    return;
  }
  uint32_t a = std::max<uint32_t>(lo, 'a');
  uint32_t b = std::min<uint32_t>(hi, 'z');
  if (a <= b) {
    r.emplace_back(a - 32, b - 32);
  }
  a = std::max<uint32_t>(lo, 'A');
  b = std::min<uint32_t>(hi, 'Z');
  if (a <= b) {
    r.emplace_back(a + 32, b + 32);
  }
}

bool IsWordChar(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

enum class NodeOp : uint8_t {
  kEmpty,
  kClass,
  kBeginLine,
  kEndLine,
  kBeginText,
  kEndText,
  kWordBoundary,
  kNoWordBoundary,
  kCapture,
  kConcat,
  kAlternate,
  kRepeat,
};

struct Node {
  NodeOp op = NodeOp::kEmpty;
  Ranges ranges;
  int cap = 0;
  int min = 0;
  int max = 0;  // -1: unbounded
  bool greedy = true;
  std::vector<std::unique_ptr<Node>> subs;
};

struct Flags {
  bool fold = false;
  bool multiline = false;
  bool dotall = false;
  bool ungreedy = false;
};

class RegexParser {
 public:
  explicit RegexParser(std::string_view p) : p_(p) {}

  Result<std::unique_ptr<Node>> Parse() {
    auto n = ParseAlt(0);
    if (!n) {
      return n;
    }
    if (pos_ < p_.size()) {
      return Fail(Err("unexpected )", p_));
    }
    return n;
  }

  int groups() const { return groups_; }

 private:
  static Error Err(std::string_view what, std::string_view frag) {
    return InvalidArgument("error parsing regexp: " + std::string(what) + ": `" +
                           std::string(frag) + "`");
  }

  bool More() const { return pos_ < p_.size(); }
  char Peek() const { return p_[pos_]; }

  uint32_t NextRune() {
    size_t len = 0;
    uint32_t c = DecodeUtf8(p_, pos_, len);
    pos_ += len;
    return c;
  }

  Result<std::unique_ptr<Node>> ParseAlt(int depth) {
    if (depth > kMaxNesting) {
      return Fail(Err("expression nests too deeply", p_));
    }
    std::vector<std::unique_ptr<Node>> alts;
    Flags saved = flags_;
    while (true) {
      QLRF_ASSIGN_OR_RETURN(auto c, ParseConcat(depth));
      alts.push_back(std::move(c));
      if (More() && Peek() == '|') {
        ++pos_;
        continue;
      }
      break;
    }
    flags_ = saved;
    if (alts.size() == 1) {
      return std::move(alts[0]);
    }
    auto n = std::make_unique<Node>();
    n->op = NodeOp::kAlternate;
    n->subs = std::move(alts);
    return n;
  }

  Result<std::unique_ptr<Node>> ParseConcat(int depth) {
    auto n = std::make_unique<Node>();
    n->op = NodeOp::kConcat;
    while (More() && Peek() != '|' && Peek() != ')') {
      size_t start = pos_;
      QLRF_ASSIGN_OR_RETURN(auto atom, ParseAtom(depth));
      if (!atom) {
        continue;  // a flag group like (?i)
      }
      QLRF_ASSIGN_OR_RETURN(atom, ParseRepeat(std::move(atom), start));
      n->subs.push_back(std::move(atom));
    }
    return n;
  }

  Result<std::unique_ptr<Node>> ParseRepeat(std::unique_ptr<Node> atom, size_t start) {
    bool repeated = false;
    while (More()) {
      char c = Peek();
      int min = 0;
      int max = 0;
      size_t op_start = pos_;
      if (c == '*') {
        min = 0;
        max = -1;
        ++pos_;
      } else if (c == '+') {
        min = 1;
        max = -1;
        ++pos_;
      } else if (c == '?') {
        min = 0;
        max = 1;
        ++pos_;
      } else if (c == '{') {
        if (!ParseCount(min, max)) {
          break;  // a literal '{'
        }
        if (min > kMaxRepeat || max > kMaxRepeat || (max >= 0 && max < min)) {
          return Fail(Err("invalid repeat count", p_.substr(op_start, pos_ - op_start)));
        }
      } else {
        break;
      }
      if (repeated) {
        return Fail(Err("invalid nested repetition operator",
                        p_.substr(op_start - 1, pos_ - op_start + 1)));
      }
      repeated = true;
      bool greedy = true;
      if (More() && Peek() == '?') {
        greedy = false;
        ++pos_;
      }
      if (flags_.ungreedy) {
        greedy = !greedy;
      }
      if (atom->op == NodeOp::kEmpty || (atom->op == NodeOp::kConcat && atom->subs.empty())) {
        return Fail(Err("missing argument to repetition operator", p_.substr(start, pos_ - start)));
      }
      auto r = std::make_unique<Node>();
      r->op = NodeOp::kRepeat;
      r->min = min;
      r->max = max;
      r->greedy = greedy;
      r->subs.push_back(std::move(atom));
      atom = std::move(r);
    }
    return atom;
  }

  // {n}, {n,}, {n,m}; false (position unchanged) if this is not a repetition.
  bool ParseCount(int& min, int& max) {
    size_t save = pos_;
    ++pos_;
    auto number = [&](int& out) {
      size_t s = pos_;
      long v = 0;
      while (More() && Peek() >= '0' && Peek() <= '9') {
        v = std::min<long>(v * 10 + (Peek() - '0'), 100000);
        ++pos_;
      }
      out = static_cast<int>(v);
      return pos_ > s;
    };
    if (!number(min)) {
      pos_ = save;
      return false;
    }
    if (More() && Peek() == '}') {
      ++pos_;
      max = min;
      return true;
    }
    if (!More() || Peek() != ',') {
      pos_ = save;
      return false;
    }
    ++pos_;
    if (More() && Peek() == '}') {
      ++pos_;
      max = -1;
      return true;
    }
    if (!number(max) || !More() || Peek() != '}') {
      pos_ = save;
      return false;
    }
    ++pos_;
    return true;
  }

  std::unique_ptr<Node> ClassNode(Ranges r) {
    Normalize(r);
    auto n = std::make_unique<Node>();
    n->op = NodeOp::kClass;
    n->ranges = std::move(r);
    return n;
  }

  std::unique_ptr<Node> Simple(NodeOp op) {
    auto n = std::make_unique<Node>();
    n->op = op;
    return n;
  }

  // nullptr (no error) for a pure flag group.
  Result<std::unique_ptr<Node>> ParseAtom(int depth) {
    size_t start = pos_;
    char c = Peek();
    switch (c) {
      case '(':
        return ParseGroup(depth, start);
      case '[':
        return ParseClass();
      case '.': {
        ++pos_;
        Ranges r;
        if (flags_.dotall) {
          r.emplace_back(0, kMaxRune);
        } else {
          r.emplace_back(0, '\n' - 1);
          r.emplace_back('\n' + 1, kMaxRune);
        }
        return ClassNode(std::move(r));
      }
      case '^':
        ++pos_;
        return Simple(flags_.multiline ? NodeOp::kBeginLine : NodeOp::kBeginText);
      case '$':
        ++pos_;
        return Simple(flags_.multiline ? NodeOp::kEndLine : NodeOp::kEndText);
      case '*':
      case '+':
      case '?':
        return Fail(Err("missing argument to repetition operator", p_.substr(pos_, 1)));
      case '\\':
        return ParseEscape(false);
      default: {
        uint32_t r = NextRune();
        Ranges rs;
        AddFolded(rs, r, r, flags_.fold);
        return ClassNode(std::move(rs));
      }
    }
  }

  Result<std::unique_ptr<Node>> ParseGroup(int depth, size_t start) {
    ++pos_;  // (
    int cap = -1;
    if (More() && Peek() == '?') {
      ++pos_;
      if (More() && (Peek() == 'P' || Peek() == '<')) {
        if (Peek() == 'P') {
          ++pos_;
        }
        if (!More() || Peek() != '<') {
          return Fail(Err("invalid or unsupported Perl syntax", p_.substr(start, pos_ - start)));
        }
        size_t end = p_.find('>', pos_);
        if (end == std::string_view::npos) {
          return Fail(Err("invalid named capture", p_.substr(start)));
        }
        pos_ = end + 1;
        cap = ++groups_;
      } else {
        // Flags: (?flags) or (?flags:re)
        Flags f = flags_;
        bool negate = false;
        while (true) {
          if (!More()) {
            return Fail(Err("missing closing )", p_.substr(start)));
          }
          char fc = p_[pos_++];
          if (fc == 'i') {
            f.fold = !negate;
          } else if (fc == 'm') {
            f.multiline = !negate;
          } else if (fc == 's') {
            f.dotall = !negate;
          } else if (fc == 'U') {
            f.ungreedy = !negate;
          } else if (fc == '-' && !negate) {
            negate = true;
          } else if (fc == ')') {
            flags_ = f;
            return std::unique_ptr<Node>();
          } else if (fc == ':') {
            Flags saved = flags_;
            flags_ = f;
            QLRF_ASSIGN_OR_RETURN(auto inner, ParseAlt(depth + 1));
            flags_ = saved;
            if (!More() || Peek() != ')') {
              return Fail(Err("missing closing )", p_.substr(start)));
            }
            ++pos_;
            return inner;
          } else {
            return Fail(Err("invalid or unsupported Perl syntax", p_.substr(start, pos_ - start)));
          }
        }
      }
    } else {
      cap = ++groups_;
    }
    QLRF_ASSIGN_OR_RETURN(auto inner, ParseAlt(depth + 1));
    if (!More() || Peek() != ')') {
      return Fail(Err("missing closing )", p_.substr(start)));
    }
    ++pos_;
    auto n = std::make_unique<Node>();
    n->op = NodeOp::kCapture;
    n->cap = cap;
    n->subs.push_back(std::move(inner));
    return n;
  }

  static bool PerlClass(char c, Ranges& r) {
    switch (c) {
      case 'd':
      case 'D':
        r.emplace_back('0', '9');
        break;
      case 's':
      case 'S':
        r.emplace_back('\t', '\n');
        r.emplace_back('\f', '\r');
        r.emplace_back(' ', ' ');
        break;
      case 'w':
      case 'W':
        r.emplace_back('0', '9');
        r.emplace_back('A', 'Z');
        r.emplace_back('_', '_');
        r.emplace_back('a', 'z');
        break;
      default:
        return false;
    }
    if (c >= 'A' && c <= 'Z') {
      Normalize(r);
      r = Negate(r);
    }
    return true;
  }

  // Escape outside (in_class false) or inside a class; a class node or an assertion.
  Result<std::unique_ptr<Node>> ParseEscape(bool in_class) {
    size_t start = pos_;
    ++pos_;  // backslash
    if (!More()) {
      return Fail(Err("trailing backslash at end of expression", ""));
    }
    char c = Peek();
    Ranges r;
    if (PerlClass(c, r)) {
      ++pos_;
      return ClassNode(std::move(r));
    }
    if (!in_class) {
      switch (c) {
        case 'b':
          ++pos_;
          return Simple(NodeOp::kWordBoundary);
        case 'B':
          ++pos_;
          return Simple(NodeOp::kNoWordBoundary);
        case 'A':
          ++pos_;
          return Simple(NodeOp::kBeginText);
        case 'z':
          ++pos_;
          return Simple(NodeOp::kEndText);
        default:
          break;
      }
    }
    uint32_t lit = 0;
    if (!EscapedRune(start, lit)) {
      return Fail(Err("invalid escape sequence", p_.substr(start, pos_ - start)));
    }
    AddFolded(r, lit, lit, flags_.fold);
    return ClassNode(std::move(r));
  }

  // After the backslash: a literal rune. False for an invalid escape.
  bool EscapedRune(size_t start, uint32_t& out) {
    char c = p_[pos_++];
    switch (c) {
      case 'n':
        out = '\n';
        return true;
      case 't':
        out = '\t';
        return true;
      case 'r':
        out = '\r';
        return true;
      case 'f':
        out = '\f';
        return true;
      case 'v':
        out = '\v';
        return true;
      case 'a':
        out = '\a';
        return true;
      case 'x': {
        auto hex = [](char h) {
          if (h >= '0' && h <= '9') {
            return h - '0';
          }
          if (h >= 'a' && h <= 'f') {
            return h - 'a' + 10;
          }
          if (h >= 'A' && h <= 'F') {
            return h - 'A' + 10;
          }
          return -1;
        };
        if (More() && Peek() == '{') {
          ++pos_;
          uint32_t v = 0;
          size_t digits = 0;
          while (More() && hex(Peek()) >= 0) {
            v = v * 16 + static_cast<uint32_t>(hex(Peek()));
            ++pos_;
            if (++digits > 8 || v > kMaxRune) {
              return false;
            }
          }
          if (!More() || Peek() != '}' || digits == 0) {
            return false;
          }
          ++pos_;
          out = v;
          return true;
        }
        if (pos_ + 2 > p_.size() || hex(p_[pos_]) < 0 || hex(p_[pos_ + 1]) < 0) {
          return false;
        }
        out = static_cast<uint32_t>(hex(p_[pos_]) * 16 + hex(p_[pos_ + 1]));
        pos_ += 2;
        return true;
      }
      case '0':
        out = 0;
        return true;
      default:
        break;
    }
    auto uc = static_cast<unsigned char>(c);
    if (uc < 0x80 && !IsWordChar(uc)) {
      out = uc;
      return true;
    }
    (void)start;
    return false;
  }

  Result<std::unique_ptr<Node>> ParseClass() {
    size_t start = pos_;
    ++pos_;  // [
    bool negated = false;
    if (More() && Peek() == '^') {
      negated = true;
      ++pos_;
    }
    Ranges r;
    bool first = true;
    while (true) {
      if (!More()) {
        return Fail(Err("missing closing ]", p_.substr(start)));
      }
      if (Peek() == ']' && !first) {
        ++pos_;
        break;
      }
      first = false;
      if (Peek() == '[' && pos_ + 1 < p_.size() && p_[pos_ + 1] == ':') {
        size_t end = p_.find(":]", pos_ + 2);
        if (end != std::string_view::npos) {
          std::string_view name = p_.substr(pos_ + 2, end - pos_ - 2);
          Ranges pr;
          bool neg = !name.empty() && name[0] == '^';
          if (neg) {
            name.remove_prefix(1);
          }
          if (!PosixClass(name, pr)) {
            return Fail(Err("invalid character class range", p_.substr(pos_, end + 2 - pos_)));
          }
          Normalize(pr);
          if (neg) {
            pr = Negate(pr);
          }
          r.insert(r.end(), pr.begin(), pr.end());
          pos_ = end + 2;
          continue;
        }
      }
      size_t item_start = pos_;
      uint32_t lo = 0;
      if (Peek() == '\\') {
        if (pos_ + 1 < p_.size()) {
          Ranges pr;
          if (PerlClass(p_[pos_ + 1], pr)) {
            pos_ += 2;
            r.insert(r.end(), pr.begin(), pr.end());
            continue;
          }
        }
        ++pos_;
        if (!More()) {
          return Fail(Err("trailing backslash at end of expression", ""));
        }
        if (!EscapedRune(item_start, lo)) {
          return Fail(Err("invalid escape sequence", p_.substr(item_start, pos_ - item_start)));
        }
      } else {
        lo = NextRune();
      }
      uint32_t hi = lo;
      if (pos_ + 1 < p_.size() && Peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        if (Peek() == '\\') {
          ++pos_;
          if (!More() || !EscapedRune(item_start, hi)) {
            return Fail(Err("invalid escape sequence", p_.substr(item_start, pos_ - item_start)));
          }
        } else {
          hi = NextRune();
        }
        if (hi < lo) {
          return Fail(
              Err("invalid character class range", p_.substr(item_start, pos_ - item_start)));
        }
      }
      AddFolded(r, lo, hi, flags_.fold);
    }
    Normalize(r);
    if (negated) {
      r = Negate(r);
    }
    return ClassNode(std::move(r));
  }

  static bool PosixClass(std::string_view name, Ranges& r) {
    if (name == "alnum") {
      r = {{'0', '9'}, {'A', 'Z'}, {'a', 'z'}};
    } else if (name == "alpha") {
      r = {{'A', 'Z'}, {'a', 'z'}};
    } else if (name == "ascii") {
      r = {{0, 0x7F}};
    } else if (name == "blank") {
      r = {{'\t', '\t'}, {' ', ' '}};
    } else if (name == "cntrl") {
      r = {{0, 0x1F}, {0x7F, 0x7F}};
    } else if (name == "digit") {
      r = {{'0', '9'}};
    } else if (name == "graph") {
      r = {{'!', '~'}};
    } else if (name == "lower") {
      r = {{'a', 'z'}};
    } else if (name == "print") {
      r = {{' ', '~'}};
    } else if (name == "punct") {
      r = {{'!', '/'}, {':', '@'}, {'[', '`'}, {'{', '~'}};
    } else if (name == "space") {
      r = {{'\t', '\r'}, {' ', ' '}};
    } else if (name == "upper") {
      r = {{'A', 'Z'}};
    } else if (name == "word") {
      r = {{'0', '9'}, {'A', 'Z'}, {'_', '_'}, {'a', 'z'}};
    } else if (name == "xdigit") {
      r = {{'0', '9'}, {'A', 'F'}, {'a', 'f'}};
    } else {
      return false;
    }
    return true;
  }

  std::string_view p_;
  size_t pos_ = 0;
  int groups_ = 0;
  Flags flags_;
};

enum class InstOp : uint8_t { kClass, kSplit, kJmp, kSave, kMatch, kAssert };

struct Inst {
  InstOp op = InstOp::kMatch;
  int x = 0;  // kSplit/kJmp target (preferred), kSave slot, kClass ranges index, kAssert NodeOp
  int y = 0;  // kSplit second target
};

}  // namespace

struct Regex::Program {
  std::vector<Inst> insts;
  std::vector<Ranges> classes;
  int groups = 0;
};

namespace {

class Emitter {
 public:
  explicit Emitter(Regex::Program& p) : p_(p) {}

  bool Emit(const Node& n) {
    if (p_.insts.size() > kMaxInstructions) {
      return false;
    }
    switch (n.op) {
      case NodeOp::kEmpty:
        return true;
      case NodeOp::kClass:
        p_.classes.push_back(n.ranges);
        Add(InstOp::kClass, static_cast<int>(p_.classes.size()) - 1);
        return true;
      case NodeOp::kBeginLine:
      case NodeOp::kEndLine:
      case NodeOp::kBeginText:
      case NodeOp::kEndText:
      case NodeOp::kWordBoundary:
      case NodeOp::kNoWordBoundary:
        Add(InstOp::kAssert, static_cast<int>(n.op));
        return true;
      case NodeOp::kCapture:
        Add(InstOp::kSave, 2 * n.cap);
        if (!Emit(*n.subs[0])) {
          return false;
        }
        Add(InstOp::kSave, 2 * n.cap + 1);
        return true;
      case NodeOp::kConcat:
        for (const auto& s : n.subs) {
          if (!Emit(*s)) {
            return false;
          }
        }
        return true;
      case NodeOp::kAlternate: {
        std::vector<size_t> jumps;
        for (size_t i = 0; i < n.subs.size(); ++i) {
          if (i + 1 < n.subs.size()) {
            size_t split = Add(InstOp::kSplit);
            p_.insts[split].x = Here();
            if (!Emit(*n.subs[i])) {
              return false;
            }
            jumps.push_back(Add(InstOp::kJmp));
            p_.insts[split].y = Here();
          } else if (!Emit(*n.subs[i])) {
            return false;
          }
        }
        for (size_t j : jumps) {
          p_.insts[j].x = Here();
        }
        return true;
      }
      case NodeOp::kRepeat:
        return EmitRepeat(n);
    }
    return true;
  }

 private:
  int Here() const { return static_cast<int>(p_.insts.size()); }

  size_t Add(InstOp op, int x = 0, int y = 0) {
    p_.insts.push_back(Inst{op, x, y});
    return p_.insts.size() - 1;
  }

  void SetSplit(size_t split, int body, int after, bool greedy) {
    p_.insts[split].x = greedy ? body : after;
    p_.insts[split].y = greedy ? after : body;
  }

  bool EmitStar(const Node& sub, bool greedy) {
    int loop = Here();
    size_t split = Add(InstOp::kSplit);
    int body = Here();
    if (!Emit(sub)) {
      return false;
    }
    Add(InstOp::kJmp, loop);
    SetSplit(split, body, Here(), greedy);
    return true;
  }

  bool EmitRepeat(const Node& n) {
    const Node& sub = *n.subs[0];
    for (int i = 0; i < n.min; ++i) {
      if (!Emit(sub)) {
        return false;
      }
    }
    if (n.max < 0) {
      return EmitStar(sub, n.greedy);
    }
    std::vector<size_t> splits;
    for (int i = n.min; i < n.max; ++i) {
      splits.push_back(Add(InstOp::kSplit));
      int body = Here();
      p_.insts[splits.back()].x = body;
      if (!Emit(sub)) {
        return false;
      }
    }
    for (size_t s : splits) {
      SetSplit(s, p_.insts[s].x, Here(), n.greedy);
    }
    return true;
  }

  Regex::Program& p_;
};

struct Input {
  std::vector<uint32_t> runes;
  std::vector<int> offsets;  // byte offset of each rune, plus the end
};

Input DecodeInput(std::string_view text) {
  Input in;
  in.runes.reserve(text.size());
  in.offsets.reserve(text.size() + 1);
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    in.offsets.push_back(static_cast<int>(i));
    in.runes.push_back(DecodeUtf8(text, i, len));
    i += len;
  }
  in.offsets.push_back(static_cast<int>(text.size()));
  return in;
}

bool AssertHolds(int op, const Input& in, size_t i) {
  size_t n = in.runes.size();
  bool has_prev = i > 0;
  bool has_next = i < n;
  uint32_t prev = has_prev ? in.runes[i - 1] : 0;
  uint32_t next = has_next ? in.runes[i] : 0;
  switch (static_cast<NodeOp>(op)) {
    case NodeOp::kBeginText:
      return i == 0;
    case NodeOp::kEndText:
      return i == n;
    case NodeOp::kBeginLine:
      return i == 0 || prev == '\n';
    case NodeOp::kEndLine:
      return i == n || next == '\n';
    case NodeOp::kWordBoundary:
      return (has_prev && IsWordChar(prev)) != (has_next && IsWordChar(next));
    case NodeOp::kNoWordBoundary:
      return (has_prev && IsWordChar(prev)) == (has_next && IsWordChar(next));
    default:
      return false;
  }
}

bool InClass(const Ranges& r, uint32_t c) {
  auto it = std::upper_bound(r.begin(), r.end(), c,
                             [](uint32_t v, const auto& p) { return v < p.first; });
  if (it == r.begin()) {
    return false;
  }
  --it;
  return c >= it->first && c <= it->second;
}

struct Thread {
  int pc;
  std::vector<int> caps;
};

class Vm {
 public:
  Vm(const Regex::Program& p, const Input& in, bool want_caps)
      : p_(p), in_(in), ncap_(want_caps ? 2 * (p.groups + 1) : 0) {
    mark_.assign(p.insts.size(), -1);
  }

  // Leftmost-first match starting the search at rune index `from`; caps in rune indexes.
  bool Run(size_t from, std::vector<int>& caps) {
    std::vector<Thread> clist;
    std::vector<Thread> nlist;
    bool matched = false;
    size_t n = in_.runes.size();
    for (size_t i = from; i <= n; ++i) {
      ++gen_;
      if (!matched) {
        std::vector<int> start(static_cast<size_t>(ncap_), -1);
        // Threads already in clist were marked with the previous generation; re-mark them.
        for (const auto& t : clist) {
          mark_[static_cast<size_t>(t.pc)] = gen_;
        }
        AddThread(clist, 0, i, std::move(start));
      }
      if (clist.empty()) {
        break;
      }
      ++gen_;
      for (size_t t = 0; t < clist.size(); ++t) {
        const Thread& th = clist[t];
        const Inst& inst = p_.insts[static_cast<size_t>(th.pc)];
        if (inst.op == InstOp::kMatch) {
          matched = true;
          if (ncap_ == 0) {
            return true;
          }
          caps = th.caps;
          if (ncap_ > 0) {
            caps[1] = static_cast<int>(i);
          }
          break;  // lower-priority threads lose
        }
        if (inst.op == InstOp::kClass && i < n &&
            InClass(p_.classes[static_cast<size_t>(inst.x)], in_.runes[i])) {
          AddThread(nlist, th.pc + 1, i + 1, th.caps);
        }
      }
      clist.swap(nlist);
      nlist.clear();
    }
    return matched;
  }

 private:
  // Follows empty transitions from `pc` at rune index `i` (explicit stack, priority order).
  void AddThread(std::vector<Thread>& list, int pc, size_t i, std::vector<int> caps) {
    std::vector<Thread> stack;
    stack.push_back(Thread{pc, std::move(caps)});
    while (!stack.empty()) {
      Thread t = std::move(stack.back());
      stack.pop_back();
      auto& mark = mark_[static_cast<size_t>(t.pc)];
      if (mark == gen_) {
        continue;
      }
      mark = gen_;
      const Inst& inst = p_.insts[static_cast<size_t>(t.pc)];
      switch (inst.op) {
        case InstOp::kJmp:
          stack.push_back(Thread{inst.x, std::move(t.caps)});
          break;
        case InstOp::kSplit:
          stack.push_back(Thread{inst.y, t.caps});
          stack.push_back(Thread{inst.x, std::move(t.caps)});
          break;
        case InstOp::kSave:
          if (inst.x < ncap_) {
            t.caps[static_cast<size_t>(inst.x)] = static_cast<int>(i);
          }
          stack.push_back(Thread{t.pc + 1, std::move(t.caps)});
          break;
        case InstOp::kAssert:
          if (AssertHolds(inst.x, in_, i)) {
            stack.push_back(Thread{t.pc + 1, std::move(t.caps)});
          }
          break;
        case InstOp::kClass:
        case InstOp::kMatch:
          list.push_back(std::move(t));
          break;
      }
    }
  }

  const Regex::Program& p_;
  const Input& in_;
  int ncap_;
  std::vector<int> mark_;
  int gen_ = 0;
};

}  // namespace

uint32_t DecodeUtf8(std::string_view s, size_t i, size_t& len) {
  auto b0 = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  if (b0 < 0x80) {
    len = 1;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0 && cont(1)) {
    uint32_t cp = ((b0 & 0x1Fu) << 6) | (byte(1) & 0x3F);
    if (cp >= 0x80) {
      len = 2;
      return cp;
    }
  } else if ((b0 & 0xF0) == 0xE0 && cont(1) && cont(2)) {
    uint32_t cp = ((b0 & 0x0Fu) << 12) | ((byte(1) & 0x3F) << 6) | (byte(2) & 0x3F);
    if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
      len = 3;
      return cp;
    }
  } else if ((b0 & 0xF8) == 0xF0 && cont(1) && cont(2) && cont(3)) {
    uint32_t cp = ((b0 & 0x07u) << 18) | ((byte(1) & 0x3F) << 12) | ((byte(2) & 0x3F) << 6) |
                  (byte(3) & 0x3F);
    if (cp >= 0x10000 && cp <= kMaxRune) {
      len = 4;
      return cp;
    }
  }
  len = 1;
  return 0xFFFD;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t CountRunes(std::string_view s) {
  size_t n = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t len = 0;
    DecodeUtf8(s, i, len);
    i += len;
    ++n;
  }
  return n;
}

Result<Regex> Regex::Compile(std::string_view pattern) {
  RegexParser parser(pattern);
  QLRF_ASSIGN_OR_RETURN(auto root, parser.Parse());
  auto program = std::make_shared<Program>();
  program->groups = parser.groups();
  Emitter emitter(*program);
  program->insts.push_back(Inst{InstOp::kSave, 0, 0});
  if (!emitter.Emit(*root)) {
    return Fail(InvalidArgument("error parsing regexp: expression too large: `" +
                                std::string(pattern.substr(0, 40)) + "`"));
  }
  program->insts.push_back(Inst{InstOp::kSave, 1, 0});
  program->insts.push_back(Inst{InstOp::kMatch, 0, 0});
  return Regex(std::move(program));
}

bool Regex::Search(std::string_view text) const {
  Input in = DecodeInput(text);
  Vm vm(*program_, in, false);
  std::vector<int> caps;
  return vm.Run(0, caps);
}

std::vector<std::vector<std::pair<int, int>>> Regex::FindAll(std::string_view text, int n) const {
  std::vector<std::vector<std::pair<int, int>>> out;
  Input in = DecodeInput(text);
  size_t pos = 0;
  int prev_end = -1;
  size_t len = in.runes.size();
  while ((n < 0 || static_cast<int>(out.size()) < n) && pos <= len) {
    Vm vm(*program_, in, true);
    std::vector<int> caps;
    if (!vm.Run(pos, caps)) {
      break;
    }
    bool accept = true;
    if (caps[1] == static_cast<int>(pos) && caps[0] == caps[1]) {
      if (caps[0] == prev_end) {
        accept = false;
      }
      ++pos;
    } else {
      pos = static_cast<size_t>(caps[1]);
    }
    prev_end = caps[1];
    if (accept) {
      std::vector<std::pair<int, int>> m;
      for (size_t g = 0; g + 1 < caps.size(); g += 2) {
        if (caps[g] < 0 || caps[g + 1] < 0) {
          m.emplace_back(-1, -1);
        } else {
          m.emplace_back(in.offsets[static_cast<size_t>(caps[g])],
                         in.offsets[static_cast<size_t>(caps[g + 1])]);
        }
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

int Regex::NumGroups() const { return program_->groups; }

}  // namespace qlrf::policy::internal
