// Evaluates an instance against a CompiledSchema, collecting errors (or not) and the
// annotations that unevaluatedProperties/unevaluatedItems need.
#pragma once

#include <boost/json/value.hpp>

#include <vector>

#include "common/json_schema/internal/compiled.h"
#include "common/json_schema/json_schema.h"

namespace qlrf::json_schema::internal {

// Validates `instance`. With `errors` == nullptr only the verdict is computed (fastest); else
// errors are appended per `mode`. Holds no state between calls: safe to run concurrently on one
// CompiledSchema.
bool Evaluate(const CompiledSchema& schema, const boost::json::value& instance, ValidateMode mode,
              std::vector<ValidationError>* errors);

}  // namespace qlrf::json_schema::internal
