// Package URL (purl): parser, builder and canonicaliser per the purl specification (ECMA-427),
// with the per-type rules of the registered types compiled in (no files are read at run time).
// Pure functions on values; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace qlrf::purl {

// The components of a purl, decoded (no percent-encoding). An empty string means "absent": the
// spec gives an empty namespace, version or subpath no meaning. Everything this module returns is
// canonical: type lowercase, the type's case folding and name normalisation applied, qualifier
// keys lowercase (a map keeps them sorted), empty qualifier values dropped, namespace and subpath
// without empty, "." or ".." segments.
struct PackageUrl {
  std::string type;
  std::string namespace_;  // trailing underscore: `namespace` is a keyword
  std::string name;
  std::string version;
  std::map<std::string, std::string> qualifiers;
  std::string subpath;

  friend bool operator==(const PackageUrl&, const PackageUrl&) = default;
};

// Parses a purl string ("pkg:type/namespace/name@version?qualifiers#subpath") and canonicalises
// it. Accepts what the spec tells parsers to accept: "pkg://" and "pkg:/" prefixes, any case in
// scheme, type and qualifier keys, unencoded characters that the canonical form encodes.
// Fails with InvalidArgument whose details {"field": component} name the failing component
// ("scheme", "type", "namespace", "name", "version", "qualifiers", "subpath"): missing scheme or
// name, a malformed type or qualifier key, a duplicate key, a bad percent-escape, or a violated
// type rule (required/prohibited namespace, a required qualifier, permitted characters).
Result<PackageUrl> ParsePurl(std::string_view text);

// Validates and canonicalises components given unencoded (the builder's input). Fails like
// ParsePurl, naming the component.
Result<PackageUrl> Canonicalize(PackageUrl components);

// The canonical purl string. `purl` should come from ParsePurl or Canonicalize; other input is
// percent-encoded faithfully but not validated. Never fails.
std::string ToString(const PackageUrl& purl);

// Canonicalize, then ToString. Fails like Canonicalize.
Result<std::string> BuildPurl(const PackageUrl& components);

// ParsePurl, then ToString: the canonical form of a purl string. Fails like ParsePurl.
Result<std::string> CanonicalizePurl(std::string_view text);

}  // namespace qlrf::purl
