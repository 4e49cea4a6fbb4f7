// argon2id password hashing via libargon2.
#include "services/identity/passwords.h"

#include <argon2.h>

#include <string>
#include <vector>

namespace qlrf::services {
namespace {
constexpr uint32_t kTimeCost = 2;
constexpr uint32_t kMemoryKiB = 19456;
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltLen = 16;
constexpr size_t kHashLen = 32;
}  // namespace

Result<std::string> HashPassword(std::string_view password, Random& random) {
  if (password.size() < 12) {
    return Fail(FieldError("password", "must be at least 12 characters"));
  }
  if (password.size() > 1024) {
    return Fail(FieldError("password", "must be at most 1024 characters"));
  }
  uint8_t salt[kSaltLen];
  random.Fill(salt);
  size_t len =
      argon2_encodedlen(kTimeCost, kMemoryKiB, kParallelism, kSaltLen, kHashLen, Argon2_id);
  std::vector<char> encoded(len);
  int rc = argon2id_hash_encoded(kTimeCost, kMemoryKiB, kParallelism, password.data(),
                                 password.size(), salt, kSaltLen, kHashLen, encoded.data(), len);
  if (rc != ARGON2_OK) {
    return Fail(Internal(std::string("argon2 failed: ") + argon2_error_message(rc)));
  }
  return std::string(encoded.data());
}

bool VerifyPassword(std::string_view password, std::string_view encoded) {
  std::string enc(encoded);
  return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace qlrf::services
