// api_test on the throwaway PostgreSQL of the pg fixture: the tenant-isolation walk then runs
// through row-level security as well as the stores' own scoping.
#include "storage/postgres/pg_test_fixture.h"

namespace qlrf::api {

std::unique_ptr<storage::Database> MakeTestDatabase() { return storage::testing::OpenFresh(); }

}  // namespace qlrf::api
