// RowSet accessors.
#include "storage/database.h"

#include <charconv>
#include <cstdio>

#include "storage/bulk.h"

namespace qlrf::storage {

Status Transaction::CopyIn(std::string_view table, std::string_view columns, size_t cols,
                           size_t rows, const std::function<void(size_t, Params&)>& fill) {
  return InsertMany(*this,
                    "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES ",
                    cols, rows, fill);
}

Status Transaction::SetForeignKeyChecks(bool) {
  return Fail(Error{ErrorCode::kUnimplemented, "foreign-key checks cannot be switched here"});
}

const SqlValue& RowSet::Cell(size_t row, size_t col) const {
  QLRF_CHECK(row < rows() && col < columns_.size(), "RowSet cell index out of range");
  return cells_[row * columns_.size() + col];
}

bool RowSet::IsNull(size_t row, size_t col) const {
  return std::holds_alternative<std::monostate>(Cell(row, col));
}

std::string RowSet::Text(size_t row, size_t col) const {
  const SqlValue& v = Cell(row, col);
  if (const auto* s = std::get_if<std::string>(&v)) {
    return *s;
  }
  if (const auto* i = std::get_if<int64_t>(&v)) {
    return std::to_string(*i);
  }
  if (const auto* d = std::get_if<double>(&v)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return {};
}

std::optional<std::string> RowSet::OptText(size_t row, size_t col) const {
  if (IsNull(row, col)) {
    return std::nullopt;
  }
  return Text(row, col);
}

int64_t RowSet::Int(size_t row, size_t col) const {
  const SqlValue& v = Cell(row, col);
  if (const auto* i = std::get_if<int64_t>(&v)) {
    return *i;
  }
  if (const auto* d = std::get_if<double>(&v)) {
    return static_cast<int64_t>(*d);
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    int64_t out = 0;
    std::from_chars(s->data(), s->data() + s->size(), out);
    return out;
  }
  return 0;
}

double RowSet::Double(size_t row, size_t col) const {
  const SqlValue& v = Cell(row, col);
  if (const auto* d = std::get_if<double>(&v)) {
    return *d;
  }
  if (const auto* i = std::get_if<int64_t>(&v)) {
    return static_cast<double>(*i);
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    return std::strtod(s->c_str(), nullptr);
  }
  return 0;
}

bool RowSet::Bool(size_t row, size_t col) const {
  const SqlValue& v = Cell(row, col);
  if (const auto* i = std::get_if<int64_t>(&v)) {
    return *i != 0;
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    return *s == "t" || *s == "1" || *s == "true";
  }
  return false;
}

}  // namespace qlrf::storage
