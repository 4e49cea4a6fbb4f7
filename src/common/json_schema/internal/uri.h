// URI reference resolution (RFC 3986 §5) for "$id" and "$ref"; pure string work, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace qlrf::json_schema::internal {

// Resolves `ref` against `base` (RFC 3986 §5.2.2, with dot-segment removal). Works for
// hierarchical URIs and for URNs, where only fragment-only references are meaningful.
std::string ResolveUri(std::string_view base, std::string_view ref);

// Splits "uri#fragment" into {"uri", "fragment"}; the fragment is empty when absent.
std::pair<std::string_view, std::string_view> SplitFragment(std::string_view uri);

// Decodes %XX escapes; a malformed escape is kept as it is.
std::string PercentDecode(std::string_view s);

}  // namespace qlrf::json_schema::internal
