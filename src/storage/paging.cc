// Cursor encoding: base64url("v1|" key "|" id).
#include "storage/paging.h"

#include "common/crypto.h"

namespace qlrf::storage {

std::string EncodeCursor(std::string_view key, std::string_view id) {
  std::string raw = "v1|";
  raw += key;
  raw += '|';
  raw += id;
  return crypto::Base64UrlEncode(raw);
}

Result<PageRequest> DecodeCursor(std::string_view cursor, int limit) {
  auto bad = [] { return Fail(FieldError("cursor", "malformed cursor")); };
  auto raw = crypto::Base64UrlDecode(cursor);
  if (!raw) {
    return bad();
  }
  std::string_view s = crypto::AsString(*raw);
  if (s.substr(0, 3) != "v1|") {
    return bad();
  }
  s.remove_prefix(3);
  auto bar = s.rfind('|');
  if (bar == std::string_view::npos || bar == 0 || bar + 1 >= s.size()) {
    return bad();
  }
  PageRequest req;
  req.limit = limit;
  req.after_key = std::string(s.substr(0, bar));
  req.after_id = std::string(s.substr(bar + 1));
  return req;
}

}  // namespace qlrf::storage
