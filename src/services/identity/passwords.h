// Password hashing with argon2id (RFC 9106, OWASP parameters: m=19 MiB, t=2, p=1).
#pragma once

#include <string>
#include <string_view>

#include "common/random.h"
#include "common/result.h"

namespace qlrf::services {

// Returns the PHC-encoded hash ("$argon2id$v=19$m=19456,t=2,p=1$…"). InvalidArgument when the
// password is shorter than 12 or longer than 1024 characters.
Result<std::string> HashPassword(std::string_view password, Random& random);
// Constant-time check of `password` against an encoded hash; false for malformed hashes.
bool VerifyPassword(std::string_view password, std::string_view encoded);

}  // namespace qlrf::services
