// SPDX 2.2 / 2.3 JSON: packages become components, package relationships become dependency
// edges. Strict mode checks the document's required fields, the types the SPDX schema fixes
// (creators array, filesAnalyzed boolean, package name string) and 2.3-only package fields in a
// 2.2 document.
#include <string>
#include <string_view>

#include "engines/sbom/internal/formats.h"

namespace qlrf::sbom::internal {
namespace {

// Relationship types that say "A needs/contains B" (forward) or "B ... of A" (reversed).
int RelationshipDirection(std::string_view type) {
  constexpr std::string_view kForward[] = {"DEPENDS_ON",       "CONTAINS",    "DESCRIBES",
                                           "HAS_PREREQUISITE", "STATIC_LINK", "DYNAMIC_LINK"};
  constexpr std::string_view kReversed[] = {"DEPENDENCY_OF",          "CONTAINED_BY",
                                            "DESCRIBED_BY",           "PREREQUISITE_FOR",
                                            "DEV_DEPENDENCY_OF",      "BUILD_DEPENDENCY_OF",
                                            "RUNTIME_DEPENDENCY_OF",  "OPTIONAL_DEPENDENCY_OF",
                                            "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF"};
  for (std::string_view t : kForward) {
    if (t == type) {
      return 1;
    }
  }
  for (std::string_view t : kReversed) {
    if (t == type) {
      return -1;
    }
  }
  return 0;
}

std::string HashAlgorithm(std::string_view spdx) {
  if (spdx == "SHA1") {
    return "SHA-1";
  }
  if (spdx.starts_with("SHA") && spdx.size() == 6 && spdx[3] != '3') {
    return "SHA-" + std::string(spdx.substr(3));  // SHA224/256/384/512
  }
  return std::string(spdx);  // MD5, SHA3-256, BLAKE2b-256, BLAKE3, ...
}

bool Assertion(std::string_view license) {
  return !license.empty() && license != "NOASSERTION" && license != "NONE";
}

class SpdxWalker {
 public:
  SpdxWalker(Reader& reader, const ParseOptions& options, Document& doc)
      : r_(reader), strict_(options.strict), doc_(doc) {}

  void Root(od::object& root) {
    bool has_id = false;
    bool has_name = false;
    bool has_namespace = false;
    bool has_creation = false;
    bool has_data_license = false;
    r_.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "spdxVersion") {
        doc_.spec_version = r_.String(v);
        if (doc_.spec_version != "SPDX-2.2" && doc_.spec_version != "SPDX-2.3") {
          r_.Fail("spdxVersion " + std::string(CutUtf8(doc_.spec_version, 32)) +
                  " is not supported (SPDX-2.2 or SPDX-2.3)");
        }
      } else if (key == "SPDXID") {
        has_id = true;
        r_.String(v);
      } else if (key == "name") {
        has_name = true;
        doc_.subject = r_.String(v);
      } else if (key == "documentNamespace") {
        has_namespace = true;
        doc_.serial_number = r_.String(v);
      } else if (key == "dataLicense") {
        has_data_license = true;
        r_.String(v);
      } else if (key == "creationInfo") {
        has_creation = true;
        CreationInfo(v);
      } else if (key == "packages") {
        r_.ArrayOrNull(v, [&](size_t, od::value p) { Package(p); });
      } else if (key == "relationships") {
        r_.ArrayOrNull(v, [&](size_t, od::value rel) { Relationship(rel); });
      }
    });
    if (doc_.spec_version.empty()) {
      r_.Fail("missing spdxVersion");
    }
    if (strict_) {
      const char* missing = !has_id             ? "SPDXID"
                            : !has_name         ? "name"
                            : !has_namespace    ? "documentNamespace"
                            : !has_creation     ? "creationInfo"
                            : !has_data_license ? "dataLicense"
                                                : nullptr;
      if (missing != nullptr) {
        r_.Fail(std::string("missing ") + missing + " (required by SPDX 2.x)");
      }
      if (doc_.spec_version == "SPDX-2.2" && !v23_field_.empty()) {
        throw ParseFailure{
            "\"" + v23_name_ + "\" is an SPDX 2.3 field but the document says " + doc_.spec_version,
            v23_field_, v23_offset_};
      }
    }
  }

 private:
  void CreationInfo(od::value v) {
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "created") {
        doc_.created = r_.String(x);
      } else if (key == "creators") {
        if (r_.Type(x) != od::json_type::array) {
          r_.Fail("creators must be an array of strings");
        }
        r_.Array(x, [&](size_t, od::value c) {
          std::string_view creator = r_.String(c);
          if (doc_.tool.empty() && creator.starts_with("Tool:")) {
            std::string_view tool = creator.substr(5);
            while (!tool.empty() && tool.front() == ' ') {
              tool.remove_prefix(1);
            }
            doc_.tool = tool;
          }
        });
      }
    });
  }

  void Package(od::value v) {
    Component c;
    c.type = "library";
    bool has_name = false;
    bool has_id = false;
    std::string_view declared;
    std::string_view concluded;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "SPDXID") {
        has_id = true;
        c.ref = r_.String(x);
      } else if (key == "name") {
        has_name = true;
        c.name = r_.String(x);
      } else if (key == "versionInfo") {
        c.version = r_.StringOrNull(x);
      } else if (key == "supplier") {
        std::string_view supplier = r_.StringOrNull(x);
        for (std::string_view prefix : {"Organization:", "Person:"}) {
          if (supplier.starts_with(prefix)) {
            supplier.remove_prefix(prefix.size());
          }
        }
        while (!supplier.empty() && supplier.front() == ' ') {
          supplier.remove_prefix(1);
        }
        if (supplier != "NOASSERTION") {
          c.supplier = supplier;
        }
      } else if (key == "licenseConcluded") {
        concluded = r_.StringOrNull(x);
      } else if (key == "licenseDeclared") {
        declared = r_.StringOrNull(x);
      } else if (key == "checksums") {
        r_.ArrayOrNull(x, [&](size_t, od::value h) {
          Hash hash;
          r_.Object(h, [&](std::string_view k, od::value y) {
            if (k == "algorithm") {
              hash.algorithm = HashAlgorithm(r_.String(y));
            } else if (k == "checksumValue") {
              hash.value = r_.String(y);
            }
          });
          c.hashes.push_back(std::move(hash));
        });
      } else if (key == "externalRefs") {
        r_.ArrayOrNull(x, [&](size_t, od::value ref) {
          std::string_view type;
          std::string_view locator;
          r_.Object(ref, [&](std::string_view k, od::value y) {
            if (k == "referenceType") {
              type = r_.String(y);
            } else if (k == "referenceLocator") {
              locator = r_.String(y);
            }
          });
          if (type == "purl" && c.purl.empty() && !locator.empty()) {
            c.purl = r_.CanonicalPurlOnce(locator);
          }
        });
      } else if (key == "primaryPackagePurpose") {
        V23Field(key);
        std::string_view purpose = r_.String(x);
        c.type.clear();
        for (char ch : purpose) {
          c.type +=
              ch == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
      } else if (key == "releaseDate" || key == "builtDate" || key == "validUntilDate") {
        V23Field(key);
      } else if (key == "filesAnalyzed" && strict_) {
        if (r_.Type(x) != od::json_type::boolean) {
          r_.Fail("filesAnalyzed must be a boolean");
        }
      }
    });
    if (strict_ && !has_id) {
      r_.Fail("package without SPDXID");
    }
    if (strict_ && !has_name) {
      r_.Fail("package without name");
    }
    if (c.ref.empty()) {
      c.ref = "#" + std::to_string(doc_.components.size());
    }
    if (Assertion(concluded)) {
      c.licenses.emplace_back(concluded);
    }
    if (Assertion(declared) && declared != concluded) {
      c.licenses.emplace_back(declared);
    }
    c.ecosystem = PurlType(c.purl);
    doc_.components.push_back(std::move(c));
  }

  void V23Field(std::string_view key) {
    if (v23_field_.empty()) {
      v23_field_ = r_.Pointer();
      v23_name_ = key;
      v23_offset_ = r_.Offset();
    }
  }

  void Relationship(od::value v) {
    std::string_view from;
    std::string_view to;
    std::string_view type;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "spdxElementId") {
        from = r_.String(x);
      } else if (key == "relatedSpdxElement") {
        to = r_.String(x);
      } else if (key == "relationshipType") {
        type = r_.String(x);
      }
    });
    if (strict_ && (from.empty() || to.empty() || type.empty())) {
      r_.Fail("a relationship needs spdxElementId, relationshipType and relatedSpdxElement");
    }
    int direction = RelationshipDirection(type);
    if (direction > 0) {
      doc_.dependencies.push_back({std::string(from), std::string(to)});
    } else if (direction < 0) {
      doc_.dependencies.push_back({std::string(to), std::string(from)});
    }
  }

  Reader& r_;
  bool strict_;
  Document& doc_;
  std::string v23_field_;
  std::string v23_name_;
  int64_t v23_offset_ = -1;
};

}  // namespace

void ReadSpdx(Reader& reader, od::object& root, const ParseOptions& options, Document& doc) {
  SpdxWalker walker(reader, options, doc);
  walker.Root(root);
}

}  // namespace qlrf::sbom::internal
