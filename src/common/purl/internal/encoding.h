// Percent-encoding as the purl spec defines it: the canonical form leaves only ASCII letters,
// digits and ".-_~:" unencoded; parsers decode every %XX escape.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::purl::internal {

// Appends `text` to `out`, percent-encoding (upper-case hex) every byte the canonical form does
// not leave bare.
void AppendEncoded(std::string& out, std::string_view text);

// Decodes %XX escapes. Fails with InvalidArgument (field=`field`) on a '%' not followed by two hex
// digits.
Result<std::string> Decode(std::string_view text, std::string_view field);

// ASCII-only case mapping (purl case folding never touches non-ASCII bytes).
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

}  // namespace qlrf::purl::internal
