#include "common/gzip.h"

#include <zlib.h>

#include <strings.h>

#include <cctype>

#include "common/result.h"

namespace qlrf {

std::string Gzip(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16: gzip wrapper instead of zlib's.
  int rc = deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  QLRF_CHECK(rc == Z_OK, "deflateInit2 failed");
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  rc = deflate(&zs, Z_FINISH);
  QLRF_CHECK(rc == Z_STREAM_END, "deflate did not finish within deflateBound");
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool AcceptsGzip(std::string_view header) {
  bool star = false;
  bool gzip = false;
  bool gzip_refused = false;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && std::isspace(static_cast<unsigned char>(coding.front()))) {
      coding.remove_prefix(1);
    }
    while (!coding.empty() && std::isspace(static_cast<unsigned char>(coding.back()))) {
      coding.remove_suffix(1);
    }
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find("q=");
      if (q != std::string_view::npos) {
        // "0", "0.0", "0.000" are zero; "0.5" is not.
        std::string_view v = params.substr(q + 2);
        v = v.substr(0, v.find_first_of(" ;,"));
        zero = !v.empty() && v.find_first_not_of("0.") == std::string_view::npos;
      }
    }
    bool is_gzip = coding.size() == 4 && strncasecmp(coding.data(), "gzip", 4) == 0;
    if (is_gzip) {
      (zero ? gzip_refused : gzip) = true;
    } else if (coding == "*" && !zero) {
      star = true;
    }
  }
  return gzip || (star && !gzip_refused);
}

}  // namespace qlrf
