// Keyset pagination: an opaque cursor encodes the (created_at, id) of the last row returned.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace qlrf::storage {

struct PageRequest {
  int limit = 50;                        // 1..500
  std::optional<std::string> after_key;  // created_at of the last row of the previous page
  std::optional<std::string> after_id;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

std::string EncodeCursor(std::string_view key, std::string_view id);
// InvalidArgument (field=cursor) for anything that is not a cursor we issued.
Result<PageRequest> DecodeCursor(std::string_view cursor, int limit);

// Builds the page from `limit + 1` fetched rows: trims the extra row and sets next_cursor.
template <class T, class KeyFn>
Page<T> MakePage(std::vector<T> rows, int limit, KeyFn key_of) {
  Page<T> page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(static_cast<size_t>(limit));
    const T& last = rows.back();
    auto [key, id] = key_of(last);
    page.next_cursor = EncodeCursor(key, id);
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace qlrf::storage
