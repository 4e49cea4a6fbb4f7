// Turns a schema document (and the registry documents it refers to) into a CompiledSchema.
#pragma once

#include <boost/json/value.hpp>

#include "common/json_schema/internal/compiled.h"
#include "common/json_schema/json_schema.h"
#include "common/result.h"

namespace qlrf::json_schema::internal {

// Compiles `schema`; see Schema::Compile for the failure contract.
Result<std::shared_ptr<const CompiledSchema>> CompileSchema(const boost::json::value& schema,
                                                            const CompileOptions& options);

}  // namespace qlrf::json_schema::internal
