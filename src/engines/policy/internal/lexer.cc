// Rego tokenizer.
#include "engines/policy/internal/lexer.h"

#include <cstdint>

namespace qlrf::policy::internal {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
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

bool ReadHex4(std::string_view s, size_t i, uint32_t& out) {
  if (i + 4 > s.size()) {
    return false;
  }
  out = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = HexValue(s[i + k]);
    if (h < 0) {
      return false;
    }
    out = out * 16 + static_cast<uint32_t>(h);
  }
  return true;
}

class Lexer {
 public:
  Lexer(std::string_view text, std::string_view file) : text_(text), file_(file) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> out;
    while (true) {
      bool space = false;
      bool newline = false;
      SkipSpace(space, newline);
      Token t;
      t.row = row_;
      t.col = Col();
      t.offset = static_cast<uint32_t>(pos_);
      t.space_before = space || pos_ == 0;
      t.newline_before = newline;
      if (pos_ >= text_.size()) {
        t.kind = Tok::kEof;
        t.end = t.offset;
        out.push_back(std::move(t));
        return out;
      }
      QLRF_TRY(Next(t));
      t.end = static_cast<uint32_t>(pos_);
      out.push_back(std::move(t));
    }
  }

 private:
  int Col() const { return static_cast<int>(pos_ - line_start_) + 1; }

  Error Fail(std::string msg) const {
    return RegoError(kParseError, std::move(msg), file_, row_, Col());
  }

  void Advance() {
    if (text_[pos_] == '\n') {
      ++row_;
      line_start_ = pos_ + 1;
    }
    ++pos_;
  }

  void SkipSpace(bool& space, bool& newline) {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        space = true;
        Advance();
      } else if (c == '\n') {
        space = true;
        newline = true;
        Advance();
      } else if (c == '#') {
        space = true;
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          Advance();
        }
      } else {
        return;
      }
    }
  }

  Status Next(Token& t) {
    char c = text_[pos_];
    if (IsIdentStart(c)) {
      size_t start = pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) {
        Advance();
      }
      t.kind = Tok::kIdent;
      t.text = std::string(text_.substr(start, pos_ - start));
      return Ok();
    }
    if (IsDigit(c)) {
      return Number(t);
    }
    if (c == '"') {
      return QuotedString(t);
    }
    if (c == '`') {
      return RawString(t);
    }
    if (c == '$' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
      return Template(t);
    }
    auto next_is = [&](char n) { return pos_ + 1 < text_.size() && text_[pos_ + 1] == n; };
    auto single = [&](Tok k) {
      t.kind = k;
      t.text = std::string(1, c);
      Advance();
      return Ok();
    };
    auto pair = [&](Tok k, const char* s) {
      t.kind = k;
      t.text = s;
      Advance();
      Advance();
      return Ok();
    };
    switch (c) {
      case '(':
        return single(Tok::kLParen);
      case ')':
        return single(Tok::kRParen);
      case '[':
        return single(Tok::kLBrack);
      case ']':
        return single(Tok::kRBrack);
      case '{':
        return single(Tok::kLBrace);
      case '}':
        return single(Tok::kRBrace);
      case ',':
        return single(Tok::kComma);
      case ';':
        return single(Tok::kSemicolon);
      case '.':
        return single(Tok::kDot);
      case '|':
        return single(Tok::kBar);
      case '&':
        return single(Tok::kAmp);
      case '+':
        return single(Tok::kPlus);
      case '-':
        return single(Tok::kMinus);
      case '*':
        return single(Tok::kStar);
      case '/':
        return single(Tok::kSlash);
      case '%':
        return single(Tok::kPercent);
      case ':':
        return next_is('=') ? pair(Tok::kAssign, ":=") : single(Tok::kColon);
      case '=':
        return next_is('=') ? pair(Tok::kEq, "==") : single(Tok::kUnify);
      case '!':
        if (next_is('=')) {
          return pair(Tok::kNe, "!=");
        }
        break;
      case '<':
        return next_is('=') ? pair(Tok::kLe, "<=") : single(Tok::kLt);
      case '>':
        return next_is('=') ? pair(Tok::kGe, ">=") : single(Tok::kGt);
      default:
        break;
    }
    return tl::unexpected(Fail("illegal token"));
  }

  Status Number(Token& t) {
    size_t start = pos_;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      Advance();
    }
    if (pos_ + 1 < text_.size() && text_[pos_] == '.' && IsDigit(text_[pos_ + 1])) {
      Advance();
      while (pos_ < text_.size() && IsDigit(text_[pos_])) {
        Advance();
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t save = pos_;
      size_t p = pos_ + 1;
      if (p < text_.size() && (text_[p] == '+' || text_[p] == '-')) {
        ++p;
      }
      if (p < text_.size() && IsDigit(text_[p])) {
        while (pos_ < p) {
          Advance();
        }
        while (pos_ < text_.size() && IsDigit(text_[pos_])) {
          Advance();
        }
      } else {
        pos_ = save;
      }
    }
    if (pos_ < text_.size() && IsIdentStart(text_[pos_])) {
      return tl::unexpected(Fail("illegal number format"));
    }
    t.kind = Tok::kNumber;
    t.text = std::string(text_.substr(start, pos_ - start));
    return Ok();
  }

  Status QuotedString(Token& t) {
    int row = row_;
    int col = Col();
    Advance();  // opening quote
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\n') {
        return tl::unexpected(RegoError(kParseError, "non-terminated string", file_, row, col));
      }
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        Advance();
      }
      Advance();
    }
    if (pos_ >= text_.size()) {
      return tl::unexpected(RegoError(kParseError, "non-terminated string", file_, row, col));
    }
    std::string_view body = text_.substr(start, pos_ - start);
    Advance();  // closing quote
    bool ok = true;
    t.kind = Tok::kString;
    t.text = DecodeEscapes(body, ok);
    if (!ok) {
      return tl::unexpected(RegoError(kParseError, "illegal string escape", file_, row, col));
    }
    return Ok();
  }

  Status RawString(Token& t) {
    int row = row_;
    int col = Col();
    Advance();
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '`') {
      Advance();
    }
    if (pos_ >= text_.size()) {
      return tl::unexpected(RegoError(kParseError, "non-terminated raw string", file_, row, col));
    }
    t.kind = Tok::kString;
    t.text = std::string(text_.substr(start, pos_ - start));
    Advance();
    return Ok();
  }

  // $"text {expr} text": keeps the body raw; strings and braces inside {…} are skipped whole.
  Status Template(Token& t) {
    int row = row_;
    int col = Col();
    Advance();
    Advance();
    size_t start = pos_;
    int depth = 0;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size()) {
        Advance();
        Advance();
        continue;
      }
      if (depth == 0 && c == '"') {
        break;
      }
      if (depth == 0 && c == '\n') {
        break;
      }
      if (c == '{') {
        ++depth;
      } else if (c == '}' && depth > 0) {
        --depth;
      } else if (depth > 0 && (c == '"' || c == '`')) {
        char q = c;
        Advance();
        while (pos_ < text_.size() && text_[pos_] != q) {
          if (q == '"' && text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
            Advance();
          }
          Advance();
        }
        if (pos_ >= text_.size()) {
          break;
        }
      }
      Advance();
    }
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      return tl::unexpected(
          RegoError(kParseError, "non-terminated template string", file_, row, col));
    }
    t.kind = Tok::kTemplate;
    t.text = std::string(text_.substr(start, pos_ - start));
    Advance();
    return Ok();
  }

  std::string_view text_;
  std::string_view file_;
  size_t pos_ = 0;
  size_t line_start_ = 0;
  int row_ = 1;
};

}  // namespace

std::string_view TokName(Tok t) {
  switch (t) {
    case Tok::kEof:
      return "eof";
    case Tok::kIdent:
      return "ident";
    case Tok::kNumber:
      return "number";
    case Tok::kString:
      return "string";
    case Tok::kTemplate:
      return "template string";
    case Tok::kLParen:
      return "(";
    case Tok::kRParen:
      return ")";
    case Tok::kLBrack:
      return "[";
    case Tok::kRBrack:
      return "]";
    case Tok::kLBrace:
      return "{";
    case Tok::kRBrace:
      return "}";
    case Tok::kComma:
      return ",";
    case Tok::kSemicolon:
      return ";";
    case Tok::kColon:
      return ":";
    case Tok::kDot:
      return ".";
    case Tok::kBar:
      return "or";
    case Tok::kAmp:
      return "and";
    case Tok::kPlus:
      return "plus";
    case Tok::kMinus:
      return "minus";
    case Tok::kStar:
      return "mul";
    case Tok::kSlash:
      return "quo";
    case Tok::kPercent:
      return "rem";
    case Tok::kUnify:
      return "eq";
    case Tok::kAssign:
      return "assign";
    case Tok::kEq:
      return "equal";
    case Tok::kNe:
      return "neq";
    case Tok::kLt:
      return "lt";
    case Tok::kLe:
      return "lte";
    case Tok::kGt:
      return "gt";
    case Tok::kGe:
      return "gte";
  }
  return "token";
}

std::string DecodeEscapes(std::string_view body, bool& ok) {
  std::string out;
  out.reserve(body.size());
  ok = true;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    if (i + 1 >= body.size()) {
      ok = false;
      return out;
    }
    char e = body[++i];
    switch (e) {
      case '"':
      case '\\':
      case '/':
        out += e;
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        uint32_t cp = 0;
        if (!ReadHex4(body, i + 1, cp)) {
          ok = false;
          return out;
        }
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 2 < body.size() && body[i + 1] == '\\' &&
            body[i + 2] == 'u') {
          uint32_t lo = 0;
          if (ReadHex4(body, i + 3, lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp < 0xE000) {
          cp = 0xFFFD;
        }
        AppendUtf8(out, cp);
        break;
      }
      default:
        ok = false;
        return out;
    }
  }
  return out;
}

Result<std::vector<Token>> Lex(std::string_view text, std::string_view file) {
  return Lexer(text, file).Run();
}

}  // namespace qlrf::policy::internal
