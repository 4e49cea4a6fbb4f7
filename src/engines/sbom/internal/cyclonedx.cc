// CycloneDX JSON 1.2-1.7 (BOMs and VEX). Strict mode checks the schema rules that the
// specification's invalid examples exercise; rules that differ between versions are decided at
// the end, because specVersion may come after the values it governs.
#include <algorithm>
#include <array>
#include <cctype>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engines/sbom/internal/cyclonedx_rules.h"
#include "engines/sbom/internal/formats.h"
#include "engines/sbom/internal/spdx_license_ids.h"

namespace qlrf::sbom::internal {
namespace {

class CycloneDxWalker {
 public:
  CycloneDxWalker(Reader& reader, const ParseOptions& options, Document& doc)
      : r_(reader), strict_(options.strict), doc_(doc) {
    // Real BOMs spend 500-2000 bytes per component and about as many per dependency edge;
    // sizing up front saves the regrowth copies (and their page faults) on large BOMs.
    size_t expected = std::min<size_t>(reader.InputSize() / 1024, size_t{1} << 20);
    doc_.components.reserve(expected);
    doc_.dependencies.reserve(expected);
    if (strict_) {
      refs_.Reserve(expected * 2);
    }
  }

  void Root(od::object& root) {
    bool has_format = false;
    bool has_version = false;
    r_.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "bomFormat") {
        has_format = true;
        std::string_view format = r_.String(v);
        if (format != "CycloneDX") {
          r_.Fail("bomFormat must be \"CycloneDX\", not \"" + std::string(CutUtf8(format, 64)) +
                  "\"");
        }
      } else if (key == "specVersion") {
        doc_.spec_version = r_.String(v);
        minor_ = MinorVersion(doc_.spec_version);
        if (minor_ == 0) {
          r_.Fail("specVersion " + std::string(CutUtf8(doc_.spec_version, 32)) +
                  " is not supported (CycloneDX 1.2 to 1.7)");
        }
      } else if (key == "serialNumber") {
        std::string_view serial = r_.String(v);
        Check(IsSerialNumber(serial), "serialNumber must be a urn:uuid: with a RFC 4122 UUID");
        doc_.serial_number = serial;
      } else if (key == "version") {
        has_version = true;
        int64_t version = r_.Integer(v);
        Check(version >= 1, "version must be 1 or more");
      } else if (key == "metadata") {
        Metadata(v);
      } else if (key == "components") {
        r_.ArrayOrNull(v, [&](size_t, od::value c) { ReadComponent(c, true); });
      } else if (key == "services") {
        Services(v);
      } else if (key == "dependencies") {
        r_.ArrayOrNull(v, [&](size_t, od::value d) { ReadDependency(d); });
      } else if (key == "vulnerabilities") {
        r_.ArrayOrNull(v, [&](size_t, od::value x) { ReadVulnerability(x); });
      } else if (key == "citations" && strict_) {
        r_.ArrayOrNull(v, [&](size_t, od::value c) { Citation(c); });
      } else if (key == "properties" && strict_) {
        Properties(v);
      }
    });
    if (!has_format) {
      r_.Fail("missing bomFormat (a CycloneDX BOM has \"bomFormat\": \"CycloneDX\")");
    }
    if (minor_ == 0) {
      r_.Fail("missing specVersion");
    }
    if (!has_version && minor_ <= 4) {
      // Required by the 1.2-1.4 schemas, optional (default 1) from 1.5; tools still omit it, and
      // nothing here depends on it, so it is a warning rather than a refusal.
      r_.Warn("missing version (required by CycloneDX " + doc_.spec_version + "); read as 1");
    }
    for (const Deferred& d : deferred_) {
      if (minor_ >= d.min_minor && minor_ <= d.max_minor) {
        throw ParseFailure{d.message + " (CycloneDX " + doc_.spec_version + ")", d.pointer,
                           d.offset};
      }
    }
    FinishCycloneDx(doc_);
  }

 private:
  struct Deferred {
    int min_minor;
    int max_minor;
    std::string message;
    std::string pointer;
    int64_t offset;
  };

  // A strict-mode rule of every version.
  void Check(bool ok, std::string_view message) {
    if (strict_ && !ok) {
      r_.Fail(std::string(message));
    }
  }

  // A strict-mode rule of versions min..max only; decided now when specVersion is known.
  void CheckFor(int min_minor, int max_minor, bool ok, std::string_view message) {
    if (!strict_ || ok) {
      return;
    }
    if (minor_ != 0) {
      if (minor_ >= min_minor && minor_ <= max_minor) {
        r_.Fail(std::string(message) + " (CycloneDX " + doc_.spec_version + ")");
      }
      return;
    }
    deferred_.push_back({min_minor, max_minor, std::string(message), r_.Pointer(), r_.Offset()});
  }

  void RegisterRef(std::string_view ref) {
    CheckFor(5, 7, !ref.empty(), "bom-ref must not be empty");
    // An empty ref's data() may be null; empties are a separate rule above.
    if (strict_ && !ref.empty() && !refs_.Insert(ref)) {
      r_.Fail("duplicate bom-ref \"" + std::string(CutUtf8(ref, 64)) + "\"");
    }
  }

  void Metadata(od::value v) {
    r_.Object(v, [&](std::string_view key, od::value m) {
      if (strict_ && !OneOf(key, kMetadataKeys)) {
        r_.Fail("unknown metadata property \"" + std::string(CutUtf8(key, 64)) + "\"");
      }
      if (key == "timestamp") {
        std::string_view timestamp = r_.String(m);
        Check(IsDateTime(timestamp), "timestamp must be an RFC 3339 date-time");
        doc_.created = timestamp;
      } else if (key == "tools") {
        Tools(m);
      } else if (key == "component") {
        doc_.subject = ReadComponent(m, false, true).name;
      } else if (key == "licenses") {
        std::vector<std::string> ignored;
        Licenses(m, ignored);
      } else if (key == "properties" && strict_) {
        Properties(m);
      }
    });
  }

  void Tools(od::value v) {
    auto tool = [&](od::value t) {
      std::string_view name;
      std::string_view version;
      r_.Object(t, [&](std::string_view k, od::value x) {
        if (k == "name") {
          name = r_.StringOrNull(x);
        } else if (k == "version") {
          version = r_.StringOrNull(x);
        }
      });
      if (doc_.tool.empty() && !name.empty()) {
        doc_.tool = name;
        if (!version.empty()) {
          doc_.tool += " ";
          doc_.tool += version;
        }
      }
    };
    if (r_.Type(v) == od::json_type::array) {
      r_.Array(v, [&](size_t, od::value t) { tool(t); });  // 1.2-1.4 shape (deprecated later)
      return;
    }
    r_.Object(v, [&](std::string_view key, od::value list) {
      if (key == "components" || key == "services") {
        r_.ArrayOrNull(list, [&](size_t, od::value t) { tool(t); });
      }
    });
  }

  // Reads one component; `flatten` adds it (and its nested components) to the document.
  Component ReadComponent(od::value v, bool flatten, bool register_ref = false) {
    size_t slot = doc_.components.size();
    if (flatten) {
      doc_.components.emplace_back();
    }
    Component c;
    bool has_type = false;
    bool has_name = false;
    bool has_version = false;
    bool has_range = false;
    bool external = false;
    std::string_view group;
    r_.Object(v, [&](std::string_view key, od::value cv) {
      if (key == "type") {
        has_type = true;
        c.type = r_.String(cv);
        if (strict_ && !OneOf(c.type, kComponentTypes)) {
          r_.Fail("unknown component type \"" + std::string(CutUtf8(c.type, 64)) + "\"");
        }
      } else if (key == "name") {
        has_name = true;
        c.name = r_.String(cv);
      } else if (key == "version") {
        has_version = true;
        c.version = r_.String(cv);
      } else if (key == "versionRange") {
        has_range = true;
      } else if (key == "isExternal") {
        external = r_.Bool(cv);
      } else if (key == "group") {
        group = r_.StringOrNull(cv);
      } else if (key == "bom-ref") {
        std::string_view ref = r_.String(cv);  // in simdjson's buffer: lives as long as refs_
        c.ref = ref;
        if (flatten || register_ref) {
          RegisterRef(ref);
        }
      } else if (key == "purl") {
        std::string_view p = r_.StringOrNull(cv);
        if (!p.empty()) {
          c.purl = r_.CanonicalPurlOnce(p);
        }
      } else if (key == "scope") {
        Check(OneOf(r_.String(cv), kScopes), "scope must be required, optional or excluded");
      } else if (key == "hashes") {
        Hashes(cv, c.hashes);
      } else if (key == "licenses") {
        Licenses(cv, c.licenses);
      } else if (key == "supplier") {
        r_.ObjectOrNull(cv, [&](std::string_view k, od::value s) {
          if (k == "name") {
            c.supplier = r_.StringOrNull(s);
          }
        });
      } else if (key == "publisher" && c.supplier.empty()) {
        c.supplier = r_.StringOrNull(cv);
      } else if (key == "components") {
        r_.ArrayOrNull(cv, [&](size_t, od::value child) { ReadComponent(child, flatten); });
      } else if (strict_) {
        if (key == "swid") {
          Swid(cv);
        } else if (key == "pedigree") {
          Pedigree(cv);
        } else if (key == "properties") {
          Properties(cv);
        }
      }
    });
    if (strict_) {
      if (!has_type) {
        r_.Fail("component without \"type\"");
      }
      if (!has_name) {
        r_.Fail("component without \"name\"");
      }
      if (has_range) {
        CheckFor(7, 7, !has_version, "a component has version or versionRange, not both");
        CheckFor(7, 7, external, "versionRange is only allowed on external components");
      }
    }
    (void)group;
    return PlaceComponent(std::move(c), flatten, slot, doc_);
  }

  void Hashes(od::value v, std::vector<Hash>& out) {
    r_.ArrayOrNull(v, [&](size_t, od::value h) {
      Hash hash;
      r_.Object(h, [&](std::string_view key, od::value x) {
        if (key == "alg") {
          hash.algorithm = r_.String(x);
          if (strict_ && !OneOf(hash.algorithm, kHashAlgorithms)) {
            r_.Fail("unknown hash algorithm \"" + std::string(CutUtf8(hash.algorithm, 64)) + "\"");
          }
        } else if (key == "content") {
          std::string_view content = r_.String(x);
          size_t n = content.size();
          hash.value = LowerHex(content);
          Check(hash.value.size() == n && (n == 32 || n == 40 || n == 64 || n == 96 || n == 128),
                "hash content must be 32, 40, 64, 96 or 128 hex digits");
          if (hash.value.empty()) {
            hash.value = content;  // lax mode keeps what it was given
          }
        }
      });
      if (strict_ && (hash.algorithm.empty() || hash.value.empty())) {
        r_.Fail("a hash needs alg and content");
      }
      out.push_back(std::move(hash));
    });
  }

  // License choice: a list of {license} objects, or {expression} items (exactly one before 1.7).
  void Licenses(od::value v, std::vector<std::string>& out) {
    size_t items = 0;
    size_t expressions = 0;
    r_.ArrayOrNull(v, [&](size_t, od::value item) {
      ++items;
      bool has_license = false;
      bool has_expression = false;
      r_.Object(item, [&](std::string_view key, od::value x) {
        if (key == "expression") {
          has_expression = true;
          out.emplace_back(r_.String(x));
        } else if (key == "license") {
          has_license = true;
          License(x, out);
        } else if (key == "acknowledgement") {
          Check(OneOf(r_.String(x), kAcknowledgements),
                "acknowledgement must be declared or concluded");
        }
      });
      Check(has_license != has_expression,
            "a licence choice item has either \"license\" or \"expression\"");
      if (has_expression) {
        ++expressions;
      }
    });
    if (expressions > 0) {
      CheckFor(5, 6, items == 1,
               "a licence expression must be the only item of the licenses array");
    }
  }

  void License(od::value v, std::vector<std::string>& out) {
    bool has_id = false;
    bool has_name = false;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "id") {
        has_id = true;
        std::string_view id = r_.String(x);
        if (strict_ && !IsSpdxLicenseId(id)) {
          r_.Fail("\"" + std::string(CutUtf8(id, 64)) + "\" is not an SPDX licence identifier");
        }
        out.emplace_back(id);
      } else if (key == "name") {
        has_name = true;
        out.emplace_back(r_.String(x));
      } else if (key == "text" && strict_) {
        r_.Object(x, [&](std::string_view k, od::value t) {
          if (k == "encoding") {
            Check(r_.String(t) == "base64", "attachment encoding must be base64");
          }
        });
      } else if (key == "acknowledgement") {
        Check(OneOf(r_.String(x), kAcknowledgements),
              "acknowledgement must be declared or concluded");
      } else if (key == "properties" && strict_) {
        Properties(x);
      }
    });
    Check(has_id != has_name, "a license has exactly one of \"id\" and \"name\"");
  }

  void Swid(od::value v) {
    bool has_tag = false;
    bool has_name = false;
    r_.Object(v, [&](std::string_view key, od::value) {
      has_tag = has_tag || key == "tagId";
      has_name = has_name || key == "name";
    });
    Check(has_tag && has_name, "swid needs tagId and name");
  }

  void Pedigree(od::value v) {
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "ancestors" || key == "descendants" || key == "variants") {
        r_.ArrayOrNull(x, [&](size_t, od::value c) { ReadComponent(c, false); });
      } else if (key == "patches") {
        r_.ArrayOrNull(x, [&](size_t, od::value patch) {
          r_.Object(patch, [&](std::string_view k, od::value p) {
            if (k == "type") {
              Check(OneOf(r_.String(p), kPatchTypes),
                    "patch type must be unofficial, monkey, backport or cherry-pick");
            } else if (k == "resolves") {
              r_.ArrayOrNull(p, [&](size_t, od::value issue) {
                r_.Object(issue, [&](std::string_view ik, od::value i) {
                  if (ik == "type") {
                    Check(OneOf(r_.String(i), kIssueTypes),
                          "issue type must be defect, enhancement or security");
                  }
                });
              });
            }
          });
        });
      }
    });
  }

  void Properties(od::value v) {
    r_.ArrayOrNull(v, [&](size_t, od::value p) {
      bool has_name = false;
      bool extra = false;
      r_.Object(p, [&](std::string_view key, od::value) {
        has_name = has_name || key == "name";
        extra = extra || (key != "name" && key != "value");
      });
      CheckFor(6, 7, has_name && !extra, "a property has a name and an optional value only");
    });
  }

  void Services(od::value v) {
    r_.ArrayOrNull(v, [&](size_t, od::value s) {
      bool has_name = false;
      r_.Object(s, [&](std::string_view key, od::value x) {
        if (key == "name") {
          has_name = true;
        } else if (key == "bom-ref") {
          RegisterRef(r_.String(x));
        } else if (key == "services") {
          Services(x);
        } else if (key == "data" && strict_) {
          r_.ArrayOrNull(x, [&](size_t, od::value d) {
            r_.Object(d, [&](std::string_view k, od::value f) {
              if (k == "flow") {
                Check(OneOf(r_.String(f), kDataFlows),
                      "data flow must be inbound, outbound, bi-directional or unknown");
              }
            });
          });
        } else if (key == "properties" && strict_) {
          Properties(x);
        }
      });
      Check(has_name, "service without \"name\"");
    });
  }

  void Citation(od::value v) {
    bool attributed = false;
    bool process = false;
    bool pointers = false;
    bool expressions = false;
    bool timestamp = false;
    r_.Object(v, [&](std::string_view key, od::value) {
      attributed = attributed || key == "attributedTo";
      process = process || key == "process";
      pointers = pointers || key == "pointers";
      expressions = expressions || key == "expressions";
      timestamp = timestamp || key == "timestamp";
    });
    Check(timestamp, "a citation needs a timestamp");
    Check(attributed || process, "a citation needs attributedTo or process");
    Check(pointers != expressions, "a citation has either pointers or expressions");
  }

  void ReadDependency(od::value v) {
    std::string_view ref;
    bool has_ref = false;
    std::vector<std::string_view> targets;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "ref") {
        has_ref = true;
        ref = r_.String(x);
      } else if (key == "dependsOn") {
        r_.ArrayOrNull(x, [&](size_t, od::value t) { targets.push_back(r_.String(t)); });
      }
    });
    if (!has_ref) {
      Check(false, "dependency without \"ref\"");
      return;
    }
    CheckFor(5, 7, !ref.empty(), "dependency ref must not be empty");
    for (std::string_view to : targets) {
      doc_.dependencies.push_back({std::string(ref), std::string(to)});
    }
  }

  void ReadVulnerability(od::value v) {
    CdxVulnerability vuln;
    Finding& base = vuln.base;
    VexStatement& vex = vuln.vex;
    r_.Object(v, [&](std::string_view key, od::value x) {
      if (key == "id") {
        base.id = r_.String(x);
      } else if (key == "source") {
        r_.ObjectOrNull(x, [&](std::string_view k, od::value s) {
          if (k == "name") {
            base.data_source = r_.StringOrNull(s);
          }
        });
      } else if (key == "references") {
        r_.ArrayOrNull(x, [&](size_t, od::value ref) {
          r_.Object(ref, [&](std::string_view k, od::value s) {
            if (k == "id") {
              base.aliases.emplace_back(r_.String(s));
            }
          });
        });
      } else if (key == "ratings") {
        r_.ArrayOrNull(x, [&](size_t, od::value rating) {
          std::optional<double> score;
          std::string_view vector;
          std::string_view method;
          Severity severity = Severity::kUnknown;
          r_.Object(rating, [&](std::string_view k, od::value s) {
            if (k == "score") {
              score = r_.Number(s);
            } else if (k == "vector") {
              vector = r_.StringOrNull(s);
            } else if (k == "method") {
              method = r_.StringOrNull(s);
            } else if (k == "severity") {
              severity = SeverityFromName(r_.StringOrNull(s));
            }
          });
          vuln.ratings.Add(base, score, vector, method, severity);
        });
      } else if (key == "cwes") {
        r_.ArrayOrNull(x, [&](size_t, od::value cwe) {
          base.cwes.push_back("CWE-" + std::to_string(r_.Integer(cwe)));
        });
      } else if (key == "description") {
        base.description = CutUtf8(r_.StringOrNull(x), 4096);
      } else if (key == "detail" && base.title.empty()) {
        base.title = CutUtf8(r_.StringOrNull(x), 4096);
      } else if (key == "published") {
        base.published = r_.StringOrNull(x);
      } else if (key == "analysis") {
        vuln.has_analysis = true;
        r_.ObjectOrNull(x, [&](std::string_view k, od::value a) {
          if (k == "state") {
            std::string_view state = r_.String(a);
            auto status = VexStatusFromName(state);
            if (!status) {
              r_.Fail("unknown analysis state \"" + std::string(CutUtf8(state, 64)) + "\"");
            }
            vex.status = *status;
          } else if (k == "justification") {
            vex.justification = r_.StringOrNull(a);
          } else if (k == "detail") {
            vex.detail = r_.StringOrNull(a);
          } else if (k == "response") {
            r_.Strings(a, vuln.responses);
          } else if (k == "lastUpdated" || (k == "firstIssued" && vex.timestamp.empty())) {
            vex.timestamp = r_.StringOrNull(a);
          }
        });
      } else if (key == "affects") {
        r_.ArrayOrNull(x, [&](size_t, od::value a) {
          bool has_ref = false;
          r_.Object(a, [&](std::string_view k, od::value ref) {
            if (k == "ref") {
              has_ref = true;
              vuln.affects.emplace_back(r_.String(ref));
            }
          });
          Check(has_ref, "affects entry without \"ref\"");
        });
      }
    });
    std::string id = vuln.base.id;
    if (!AddVulnerability(std::move(vuln), doc_)) {
      r_.Warn("vulnerability " + std::string(CutUtf8(id, 64)) +
              " names no affected component (no affects); not recorded as a finding");
    }
  }

  Reader& r_;
  bool strict_;
  Document& doc_;
  int minor_ = 0;
  std::vector<Deferred> deferred_;
  RefSet refs_;
};

}  // namespace

void ReadCycloneDx(Reader& reader, od::object& root, const ParseOptions& options, Document& doc) {
  CycloneDxWalker walker(reader, options, doc);
  walker.Root(root);
}

}  // namespace qlrf::sbom::internal
