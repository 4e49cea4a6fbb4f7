// Schema and SchemaRegistry: thin wrappers over internal/compiler and internal/evaluator.
#include "common/json_schema/json_schema.h"

#include <boost/json/value.hpp>

#include "common/json_schema/internal/compiler.h"
#include "common/json_schema/internal/evaluator.h"

namespace qlrf::json_schema {
namespace {

std::string_view WithoutEmptyFragment(std::string_view uri) {
  if (uri.ends_with('#')) {
    uri.remove_suffix(1);
  }
  return uri;
}

}  // namespace

void SchemaRegistry::Add(std::string_view uri, const boost::json::value& document) {
  documents_.insert_or_assign(std::string(WithoutEmptyFragment(uri)),
                              std::make_shared<const boost::json::value>(document));
}

std::shared_ptr<const boost::json::value> SchemaRegistry::Find(std::string_view uri) const {
  auto it = documents_.find(WithoutEmptyFragment(uri));
  return it == documents_.end() ? nullptr : it->second;
}

Schema::Schema(std::shared_ptr<const internal::CompiledSchema> compiled)
    : compiled_(std::move(compiled)) {}

Result<Schema> Schema::Compile(const boost::json::value& schema, const CompileOptions& options) {
  QLRF_ASSIGN_OR_RETURN(auto compiled, internal::CompileSchema(schema, options));
  return Schema(std::move(compiled));
}

ValidationResult Schema::Validate(const boost::json::value& instance, ValidateMode mode) const {
  ValidationResult result;
  result.valid = internal::Evaluate(*compiled_, instance, mode, &result.errors);
  return result;
}

bool Schema::IsValid(const boost::json::value& instance) const {
  return internal::Evaluate(*compiled_, instance, ValidateMode::kFirstError, nullptr);
}

Status Schema::Check(const boost::json::value& instance) const {
  std::vector<ValidationError> errors;
  if (internal::Evaluate(*compiled_, instance, ValidateMode::kFirstError, &errors)) {
    return Ok();
  }
  ValidationError& first = errors.front();
  Error error = InvalidArgument(std::move(first.message));
  if (!first.field.empty()) {
    error.details.emplace_back("field", std::move(first.field));
  }
  if (!first.keyword.empty()) {
    error.details.emplace_back("keyword", std::move(first.keyword));
  }
  return Fail(std::move(error));
}

}  // namespace qlrf::json_schema
