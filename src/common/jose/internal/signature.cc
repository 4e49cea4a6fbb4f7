// Raw JWS signature verification on OpenSSL 3 EVP (RFC 7518 §3), and the ROCA fingerprint test.
#include "common/jose/internal/signature.h"

#include <array>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "common/jose/internal/openssl.h"

namespace qlrf::jose::internal {
namespace {

constexpr int kMinRsaBits = 2048;

enum class Family { kHmac, kRsaPkcs1, kRsaPss, kEcdsa, kEdDsa };

Family FamilyOf(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256:
    case Algorithm::kHs384:
    case Algorithm::kHs512:
      return Family::kHmac;
    case Algorithm::kRs256:
    case Algorithm::kRs384:
    case Algorithm::kRs512:
      return Family::kRsaPkcs1;
    case Algorithm::kPs256:
    case Algorithm::kPs384:
    case Algorithm::kPs512:
      return Family::kRsaPss;
    case Algorithm::kEs256:
    case Algorithm::kEs384:
    case Algorithm::kEs512:
      return Family::kEcdsa;
    case Algorithm::kEdDsa:
      return Family::kEdDsa;
  }
  QLRF_CHECK(false, "Algorithm enumerator without a family");
  return Family::kHmac;
}

const EVP_MD* DigestOf(Algorithm alg) {
  switch (HashSize(alg)) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    default:
      return EVP_sha512();
  }
}

// ES256 -> P-256 and so on: the curve is part of the algorithm (RFC 7518 §3.4).
std::string_view CurveOf(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return "P-256";
    case Algorithm::kEs384:
      return "P-384";
    default:
      return "P-521";
  }
}

size_t CoordinateSize(Algorithm alg) {
  switch (alg) {
    case Algorithm::kEs256:
      return 32;
    case Algorithm::kEs384:
      return 48;
    default:
      return 66;
  }
}

Status BadSignature() { return Fail(Unauthenticated("invalid token signature")); }

// Runs EVP_DigestVerify with the padding settings `alg` needs. OpenSSL failures of any kind are a
// rejection; the thread's error queue is cleared so they do not leak into unrelated calls.
Status DigestVerify(Algorithm alg, EVP_PKEY* pkey, std::string_view input,
                    std::span<const uint8_t> der_or_raw_sig) {
  EvpMdCtxPtr md_ctx(EVP_MD_CTX_new());
  QLRF_CHECK(md_ctx != nullptr, "EVP_MD_CTX_new out of memory");
  const EVP_MD* md = FamilyOf(alg) == Family::kEdDsa ? nullptr : DigestOf(alg);
  EVP_PKEY_CTX* pkey_ctx = nullptr;  // owned by md_ctx
  bool ok = EVP_DigestVerifyInit(md_ctx.get(), &pkey_ctx, md, nullptr, pkey) == 1;
  if (ok && FamilyOf(alg) == Family::kRsaPss) {
    // Salt length = hash length and MGF1 with the same hash (RFC 7518 §3.5), checked exactly.
    ok = EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pkey_ctx, md) == 1;
  } else if (ok && FamilyOf(alg) == Family::kRsaPkcs1) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PADDING) == 1;
  }
  ok = ok &&
       EVP_DigestVerify(md_ctx.get(), der_or_raw_sig.data(), der_or_raw_sig.size(),
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  ERR_clear_error();
  if (!ok) {
    return BadSignature();
  }
  return Ok();
}

// JWS carries ECDSA signatures as fixed-size big-endian r||s (RFC 7518 §3.4); OpenSSL wants DER.
Result<std::vector<uint8_t>> RawEcdsaToDer(std::span<const uint8_t> raw) {
  const size_t half = raw.size() / 2;
  BignumPtr r(BN_bin2bn(raw.data(), static_cast<int>(half), nullptr));
  BignumPtr s(BN_bin2bn(raw.data() + half, static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  QLRF_CHECK(r != nullptr && s != nullptr && sig != nullptr, "BIGNUM/ECDSA_SIG out of memory");
  QLRF_CHECK(ECDSA_SIG_set0(sig.get(), r.get(), s.get()) == 1, "ECDSA_SIG_set0 with fresh values");
  (void)r.release();  // now owned by sig
  (void)s.release();
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) {
    ERR_clear_error();
    return Fail(Unauthenticated("invalid token signature"));
  }
  std::vector<uint8_t> der(static_cast<size_t>(len));
  unsigned char* out = der.data();
  len = i2d_ECDSA_SIG(sig.get(), &out);
  QLRF_CHECK(len > 0 && static_cast<size_t>(len) == der.size(), "i2d_ECDSA_SIG length changed");
  return der;
}

Status VerifyHmac(Algorithm alg, const Jwk& key, std::string_view input,
                  std::span<const uint8_t> signature) {
  crypto::Bytes expected = HmacSign(alg, key.Secret(), input);
  // Full-length tags only: truncated HMACs are not JWS (RFC 7518 §3.2).
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return BadSignature();
  }
  return Ok();
}

Status VerifyRsa(Algorithm alg, const Jwk& key, std::string_view input,
                 std::span<const uint8_t> signature) {
  if (key.Bits() < kMinRsaBits) {
    return Fail(Unauthenticated("RSA key smaller than 2048 bits"));
  }
  // RFC 8017 §8.2.2 step 1: the signature is exactly k octets; no stripped or extra zeros.
  if (signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key.EvpPkey()))) {
    return BadSignature();
  }
  return DigestVerify(alg, key.EvpPkey(), input, signature);
}

Status VerifyEcdsa(Algorithm alg, const Jwk& key, std::string_view input,
                   std::span<const uint8_t> signature) {
  if (signature.size() != 2 * CoordinateSize(alg)) {
    return BadSignature();
  }
  QLRF_ASSIGN_OR_RETURN(std::vector<uint8_t> der, RawEcdsaToDer(signature));
  return DigestVerify(alg, key.EvpPkey(), input, der);
}

Status VerifyEdDsa(const Jwk& key, std::string_view input, std::span<const uint8_t> signature) {
  if (signature.size() != 64) {
    return BadSignature();
  }
  return DigestVerify(Algorithm::kEdDsa, key.EvpPkey(), input, signature);
}

}  // namespace

size_t HashSize(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256:
    case Algorithm::kRs256:
    case Algorithm::kPs256:
    case Algorithm::kEs256:
      return 32;
    case Algorithm::kHs384:
    case Algorithm::kRs384:
    case Algorithm::kPs384:
    case Algorithm::kEs384:
      return 48;
    case Algorithm::kHs512:
    case Algorithm::kRs512:
    case Algorithm::kPs512:
    case Algorithm::kEs512:
    case Algorithm::kEdDsa:
      return 64;
  }
  QLRF_CHECK(false, "Algorithm enumerator without a hash");
  return 0;
}

bool KeyFitsAlgorithm(Algorithm alg, const Jwk& key) {
  switch (FamilyOf(alg)) {
    case Family::kHmac:
      return key.Type() == KeyType::kOct;
    case Family::kRsaPkcs1:
    case Family::kRsaPss:
      return key.Type() == KeyType::kRsa && key.EvpPkey() != nullptr;
    case Family::kEcdsa:
      return key.Type() == KeyType::kEc && key.Crv() == CurveOf(alg) && key.EvpPkey() != nullptr;
    case Family::kEdDsa:
      return key.Type() == KeyType::kOkp && key.Crv() == "Ed25519" && key.EvpPkey() != nullptr;
  }
  return false;
}

crypto::Bytes HmacSign(Algorithm alg, std::span<const uint8_t> secret,
                       std::string_view signing_input) {
  QLRF_CHECK(FamilyOf(alg) == Family::kHmac, "HmacSign called with a non-HMAC algorithm");
  crypto::Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  // HMAC() with a null key pointer fails, so an empty secret is passed as a valid zero-length one.
  static constexpr unsigned char kEmpty[1] = {0};
  const unsigned char* key_data = secret.empty() ? kEmpty : secret.data();
  const unsigned char* result = HMAC(DigestOf(alg), key_data, static_cast<int>(secret.size()),
                                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                                     signing_input.size(), out.data(), &len);
  QLRF_CHECK(result != nullptr, "HMAC with a built-in digest failed");
  out.resize(len);
  return out;
}

Status VerifySignature(Algorithm alg, const Jwk& key, std::string_view signing_input,
                       std::span<const uint8_t> signature) {
  if (!KeyFitsAlgorithm(alg, key)) {
    return Fail(
        Unauthenticated("key type does not match algorithm " + std::string(AlgorithmName(alg))));
  }
  switch (FamilyOf(alg)) {
    case Family::kHmac:
      return VerifyHmac(alg, key, signing_input, signature);
    case Family::kRsaPkcs1:
    case Family::kRsaPss:
      return VerifyRsa(alg, key, signing_input, signature);
    case Family::kEcdsa:
      return VerifyEcdsa(alg, key, signing_input, signature);
    case Family::kEdDsa:
      return VerifyEdDsa(key, signing_input, signature);
  }
  return BadSignature();
}

bool HasRocaFingerprint(std::span<const uint8_t> modulus) {
  // The odd primes below 168: every ROCA modulus size uses a primorial that includes them all.
  static constexpr std::array<uint32_t, 38> kPrimes = {
      3,  5,  7,  11, 13, 17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,  61,  67,  71,
      73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167};
  for (uint32_t p : kPrimes) {
    uint32_t residue = 0;
    for (uint8_t byte : modulus) {
      residue = (residue * 256 + byte) % p;
    }
    // Walk the cyclic subgroup <65537 mod p> looking for the residue.
    const uint32_t g = 65537 % p;
    bool in_subgroup = false;
    uint32_t x = 1;
    do {
      if (x == residue) {
        in_subgroup = true;
        break;
      }
      x = x * g % p;
    } while (x != 1);
    if (!in_subgroup) {
      return false;
    }
  }
  return true;
}

}  // namespace qlrf::jose::internal
