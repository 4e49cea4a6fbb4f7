// Rego tokenizer: identifiers, numbers, strings (quoted, raw and $"template"), operators, with
// 1-based row/column positions and whether whitespace or a newline preceded each token.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "engines/policy/internal/errors.h"

namespace qlrf::policy::internal {

enum class Tok : uint8_t {
  kEof,
  kIdent,     // names and keywords
  kNumber,    // text as written
  kString,    // decoded text of "..." or `...`
  kTemplate,  // raw text between $" and the closing quote (escapes still encoded)
  kLParen,
  kRParen,
  kLBrack,
  kRBrack,
  kLBrace,
  kRBrace,
  kComma,
  kSemicolon,
  kColon,
  kDot,
  kBar,
  kAmp,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kUnify,   // =
  kAssign,  // :=
  kEq,      // ==
  kNe,      // !=
  kLt,
  kLe,
  kGt,
  kGe,
};

struct Token {
  Tok kind = Tok::kEof;
  std::string text;
  int row = 1;
  int col = 1;
  uint32_t offset = 0;        // byte offset of the first character
  uint32_t end = 0;           // byte offset one past the last character
  bool space_before = false;  // any whitespace or comment before this token
  bool newline_before = false;
};

// Readable name for messages: "ident", "string", "eof", "}" ...
std::string_view TokName(Tok t);

// Splits `text` into tokens ending with kEof. Fails with a rego_parse_error (details: file, row,
// col) on an unterminated string, a bad escape or a character that starts no token.
Result<std::vector<Token>> Lex(std::string_view text, std::string_view file);

// Decodes the escapes of a Rego/JSON double-quoted string body. `ok` false on a bad escape.
std::string DecodeEscapes(std::string_view body, bool& ok);

}  // namespace qlrf::policy::internal
