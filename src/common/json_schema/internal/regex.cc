// ECMA-262 patterns on std::wregex: class escapes are rewritten to explicit ECMA-262 sets so the
// result does not depend on the C++ locale, and the polynomial (non-backtracking) executor is used
// where the pattern allows it, so that hostile input cannot make matching exponential.
#include "common/json_schema/internal/regex.h"

#include "common/json_schema/internal/values.h"

namespace qlrf::json_schema::internal {
namespace {

// ECMA-262 WhiteSpace and LineTerminator code points, as the body of a character class.
constexpr std::wstring_view kWhitespace =
    L" \t\n\v\f\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff";
constexpr std::wstring_view kWord = L"A-Za-z0-9_";
constexpr std::wstring_view kDigit = L"0-9";
constexpr int kMaxGroupDepth = 64;
// Subjects longer than this (in code points) are searched in one anchored pass.
constexpr size_t kLongSubject = 256;

Result<std::wstring> Translate(std::string_view pattern) {
  std::wstring in = Utf8ToWide(pattern);
  std::wstring out;
  out.reserve(in.size() + 16);
  bool in_class = false;
  int depth = 0;
  auto unsupported = [&](std::string_view what) {
    return Fail(Unimplemented("pattern uses " + std::string(what) +
                              ", which this validator does not support: " + std::string(pattern)));
  };
  for (size_t i = 0; i < in.size(); ++i) {
    wchar_t c = in[i];
    if (c == L'\\' && i + 1 < in.size()) {
      wchar_t next = in[++i];
      auto set = [&](std::wstring_view body, bool negate) {
        if (in_class) {
          out.append(body);
        } else {
          out.append(negate ? L"[^" : L"[").append(body).append(L"]");
        }
      };
      switch (next) {
        case L'd':
          set(kDigit, false);
          break;
        case L'w':
          set(kWord, false);
          break;
        case L's':
          set(kWhitespace, false);
          break;
        case L'D':
        case L'W':
        case L'S':
          if (in_class) {
            out.push_back(L'\\');
            out.push_back(next);
          } else {
            set(next == L'D' ? kDigit : next == L'W' ? kWord : kWhitespace, true);
          }
          break;
        case L'p':
        case L'P':
          return unsupported("a Unicode property escape");
        case L'k':
          return unsupported("a named back-reference");
        case L'c':
          // \cX is the control character X % 32; std::regex does not know it.
          if (i + 1 < in.size() && ((in[i + 1] >= L'a' && in[i + 1] <= L'z') ||
                                    (in[i + 1] >= L'A' && in[i + 1] <= L'Z'))) {
            out.push_back(static_cast<wchar_t>(in[++i] % 32));
          } else {
            out.append(L"\\c");
          }
          break;
        default:
          out.push_back(L'\\');
          out.push_back(next);
      }
      continue;
    }
    if (in_class) {
      in_class = c != L']';
    } else if (c == L'[') {
      in_class = true;
    } else if (c == L'(') {
      if (++depth > kMaxGroupDepth) {
        return Fail(InvalidArgument("pattern nests groups too deeply"));
      }
      if (in.compare(i, 3, L"(?<") == 0) {
        bool lookbehind = i + 3 < in.size() && (in[i + 3] == L'=' || in[i + 3] == L'!');
        return unsupported(lookbehind ? "a lookbehind" : "a named group");
      }
    } else if (c == L')') {
      if (--depth < 0) {
        return Fail(InvalidArgument("pattern has an unmatched ')'"));
      }
    }
    out.push_back(c);
  }
  if (depth != 0 || in_class) {
    return Fail(InvalidArgument("pattern has an unclosed group or class"));
  }
  return out;
}

}  // namespace

Result<Regex> Regex::Compile(std::string_view pattern) {
  QLRF_ASSIGN_OR_RETURN(std::wstring translated, Translate(pattern));
  constexpr auto kBase = std::regex_constants::ECMAScript;
  try {
#if defined(__GLIBCXX__)
    // libstdc++'s breadth-first executor runs in O(n·m) with bounded stack; it rejects
    // back-references, which fall through to the default (backtracking) executor below.
    try {
      constexpr auto kPolynomial = kBase | std::regex_constants::__polynomial;
      std::wregex re(translated, kPolynomial);
      // Balanced groups were checked above, so wrapping cannot change the pattern's meaning.
      std::wregex scan(L"[\\s\\S]*?(?:" + translated + L")", kPolynomial);
      return Regex(std::string(pattern), std::move(re), std::move(scan));
    } catch (const std::regex_error&) {
    }
#endif
    return Regex(std::string(pattern), std::wregex(translated, kBase), std::nullopt);
  } catch (const std::regex_error& e) {
    return Fail(InvalidArgument("invalid pattern \"" + std::string(pattern) + "\": " + e.what()));
  }
}

bool Regex::Search(std::string_view utf8) const {
  std::wstring subject = Utf8ToWide(utf8);
  try {
    if (scan_ && subject.size() > kLongSubject) {
      return std::regex_search(subject, *scan_, std::regex_constants::match_continuous);
    }
    return std::regex_search(subject, re_);
  } catch (const std::regex_error&) {
    return false;
  }
}

}  // namespace qlrf::json_schema::internal
