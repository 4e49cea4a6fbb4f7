// Multi-row INSERT in batches sized per backend: the one way stores write many rows.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "storage/database.h"

namespace qlrf::storage {

// Runs `head` ("INSERT INTO t (a, b) VALUES ") + "($1, $2), ($3, $4), …" + `tail` (e.g. an ON
// CONFLICT clause) for `rows` rows of `cols` columns; `fill(i, params)` appends row i's values.
// Batches keep PostgreSQL under libpq's ParameterDescription limit and SQLite's statement
// preparation cheap (it resolves parameters by linear search); full batches reuse one cached
// statement.
Status InsertMany(Transaction& tx, std::string_view head, size_t cols, size_t rows,
                  const std::function<void(size_t, Params&)>& fill, std::string_view tail = "");

// "($1, $2), ($3, $4)" for rows × cols, numbering from 1.
std::string ValuesList(size_t rows, size_t cols);

}  // namespace qlrf::storage
