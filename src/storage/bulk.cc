#include "storage/bulk.h"

#include <algorithm>

namespace qlrf::storage {

std::string ValuesList(size_t rows, size_t cols) {
  std::string v;
  v.reserve(rows * cols * 5);
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    v += r == 0 ? "(" : ", (";
    for (size_t c = 0; c < cols; ++c) {
      v += (c == 0 ? "$" : ", $") + std::to_string(++n);
    }
    v += ')';
  }
  return v;
}

Status InsertMany(Transaction& tx, std::string_view head, size_t cols, size_t rows,
                  const std::function<void(size_t, Params&)>& fill, std::string_view tail) {
  if (rows == 0) {
    return Ok();
  }
  // PostgreSQL: ≤ 5000 parameters a statement (libpq 15 loses sync past ~7500).
  // SQLite: ≤ ~1000 parameters (preparation is quadratic in the parameter count; 50 rows of
  // 19 columns measured best for the 1M-asset demo load).
  const size_t budget = tx.dialect() == Dialect::kPostgres ? 5000 : 1000;
  const size_t batch = std::max<size_t>(1, std::min<size_t>(300, budget / cols));
  std::string full_sql;
  for (size_t start = 0; start < rows; start += batch) {
    size_t n = std::min(batch, rows - start);
    Params params;
    for (size_t i = start; i < start + n; ++i) {
      fill(i, params);
    }
    QLRF_CHECK(params.size() == n * cols, "InsertMany: fill added the wrong number of values");
    if (n == batch) {
      if (full_sql.empty()) {
        full_sql = std::string(head) + ValuesList(batch, cols) + std::string(tail);
      }
      QLRF_TRY(tx.Exec(full_sql, params));
    } else {
      QLRF_TRY(tx.Exec(std::string(head) + ValuesList(n, cols) + std::string(tail), params));
    }
  }
  return Ok();
}

}  // namespace qlrf::storage
