// gzip (RFC 1952) compression for HTTP responses, and Accept-Encoding negotiation.
#pragma once

#include <string>
#include <string_view>

namespace qlrf {

// `data` as a gzip member at zlib `level` (1 fastest … 9 smallest). Never fails for in-memory
// input (aborts on allocation failure, as std::string does).
std::string Gzip(std::string_view data, int level = 6);

// Whether an Accept-Encoding header value admits gzip ("gzip", "gzip;q=0.5", "*"), honouring
// q=0 exclusions ("gzip;q=0").
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace qlrf
