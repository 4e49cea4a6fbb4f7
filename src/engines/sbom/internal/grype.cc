// Grype JSON: {matches[{vulnerability, relatedVulnerabilities, matchDetails, artifact}], source,
// distro, descriptor}; old (0.7: cvssV2/cvssV3, fixedInVersion) and new (cvss[], fix{}, epss[])
// shapes alike.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engines/sbom/internal/formats.h"

namespace qlrf::sbom::internal {
namespace {

std::string_view EcosystemOfArtifactType(std::string_view type) {
  struct Entry {
    std::string_view type;
    std::string_view ecosystem;
  };
  static constexpr Entry kTypes[] = {
      {"python", "pypi"},
      {"java-archive", "maven"},
      {"jenkins-plugin", "maven"},
      {"go-module", "golang"},
      {"rust-crate", "cargo"},
      {"dotnet", "nuget"},
      {"php-composer", "composer"},
      {"gem", "gem"},
      {"npm", "npm"},
      {"deb", "deb"},
      {"rpm", "rpm"},
      {"apk", "apk"},
      {"conda", "conda"},
      {"hex", "hex"},
      {"pub", "pub"},
  };
  for (const Entry& entry : kTypes) {
    if (entry.type == type) {
      return entry.ecosystem;
    }
  }
  return type;
}

struct Cvss {
  std::string_view vector;
  std::optional<double> score;
  bool primary = false;
};

class GrypeWalker {
 public:
  GrypeWalker(Reader& reader, Document& doc) : r_(reader), doc_(doc) {}

  void Root(od::object& root) {
    bool has_matches = false;
    std::string_view name = "grype";
    std::string_view version;
    r_.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "matches") {
        has_matches = true;
        r_.ArrayOrNull(v, [&](size_t, od::value m) { Match(m); });
      } else if (key == "source") {
        r_.ObjectOrNull(v, [&](std::string_view k, od::value sv) {
          if (k != "target") {
            return;
          }
          if (r_.Type(sv) == od::json_type::string) {
            doc_.subject = r_.String(sv);
            return;
          }
          r_.ObjectOrNull(sv, [&](std::string_view tk, od::value tv) {
            if (tk == "userInput") {
              doc_.subject = r_.StringOrNull(tv);
            }
          });
        });
      } else if (key == "distro") {
        r_.ObjectOrNull(v, [&](std::string_view k, od::value dv) {
          if (k == "name") {
            doc_.os_family = r_.StringOrNull(dv);
          } else if (k == "version") {
            doc_.os_version = r_.StringOrNull(dv);
          }
        });
      } else if (key == "descriptor") {
        r_.ObjectOrNull(v, [&](std::string_view k, od::value dv) {
          if (k == "name") {
            name = r_.StringOrNull(dv);
          } else if (k == "version") {
            version = r_.StringOrNull(dv);
          } else if (k == "timestamp") {
            doc_.created = r_.StringOrNull(dv);
          }
        });
      }
    });
    if (!has_matches) {
      r_.Fail("missing \"matches\" (a Grype report has a matches array)");
    }
    doc_.tool = std::string(name);
    if (!version.empty()) {
      doc_.tool += " ";
      doc_.tool += version;
    }
    doc_.spec_version = version;
  }

 private:
  void Match(od::value v) {
    Finding f;
    std::vector<Cvss> cvss;
    std::vector<Cvss> related_cvss;
    std::string_view related_description;
    Component c;
    c.type = "library";
    std::string_view artifact_id;
    std::string_view artifact_type;
    r_.Object(v, [&](std::string_view key, od::value mv) {
      if (key == "vulnerability") {
        Vulnerability(mv, f, cvss);
      } else if (key == "relatedVulnerabilities") {
        r_.ArrayOrNull(mv, [&](size_t, od::value rv) {
          r_.Object(rv, [&](std::string_view k, od::value x) {
            if (k == "id") {
              f.aliases.emplace_back(r_.String(x));
            } else if (k == "cvss") {
              CvssList(x, related_cvss);
            } else if (k == "description" && related_description.empty()) {
              related_description = r_.StringOrNull(x);
            }
          });
        });
      } else if (key == "artifact") {
        r_.Object(mv, [&](std::string_view k, od::value av) {
          if (k == "id") {
            artifact_id = r_.StringOrNull(av);
          } else if (k == "name") {
            c.name = r_.StringOrNull(av);
          } else if (k == "version") {
            c.version = r_.StringOrNull(av);
          } else if (k == "type") {
            artifact_type = r_.StringOrNull(av);
          } else if (k == "purl") {
            std::string_view p = r_.StringOrNull(av);
            if (!p.empty()) {
              c.purl = r_.CanonicalPurl(p);
            }
          } else if (k == "licenses") {
            r_.ArrayOrNull(av, [&](size_t, od::value lv) {
              if (r_.Type(lv) == od::json_type::string) {
                c.licenses.emplace_back(r_.String(lv));
                return;
              }
              r_.ObjectOrNull(lv, [&](std::string_view lk, od::value x) {
                if (lk == "value") {
                  c.licenses.emplace_back(r_.StringOrNull(x));
                }
              });
            });
          }
        });
      }
    });
    if (f.id.empty()) {
      r_.Push("vulnerability");
      r_.Fail("missing vulnerability.id");
    }
    std::erase(f.aliases, f.id);
    if (f.description.empty()) {
      f.description = CutUtf8(related_description, 4096);
    }
    Pick(cvss.empty() ? related_cvss : cvss, f);
    if (!f.cvss_score && !related_cvss.empty()) {
      Pick(related_cvss, f);
    }
    c.ecosystem = c.purl.empty() ? EcosystemOfArtifactType(artifact_type) : PurlType(c.purl);
    c.ref = !artifact_id.empty() ? std::string(artifact_id)
            : !c.purl.empty()    ? c.purl
                                 : c.name + "@" + c.version;
    f.component_ref = c.ref;
    f.package_name = c.name;
    f.installed_version = c.version;
    if (auto [it, inserted] = index_.try_emplace(c.ref, doc_.components.size()); inserted) {
      doc_.components.push_back(std::move(c));
    }
    doc_.findings.push_back(std::move(f));
  }

  void Vulnerability(od::value v, Finding& f, std::vector<Cvss>& cvss) {
    r_.Object(v, [&](std::string_view key, od::value vv) {
      if (key == "id") {
        f.id = r_.String(vv);
      } else if (key == "severity") {
        f.severity = SeverityFromName(r_.StringOrNull(vv));
      } else if (key == "description") {
        f.description = CutUtf8(r_.StringOrNull(vv), 4096);
      } else if (key == "namespace") {
        f.data_source = r_.StringOrNull(vv);
      } else if (key == "fixedInVersion") {
        f.fixed_version = r_.StringOrNull(vv);
      } else if (key == "fix") {
        r_.ObjectOrNull(vv, [&](std::string_view k, od::value fx) {
          if (k == "versions") {
            std::vector<std::string> versions;
            r_.Strings(fx, versions);
            f.fixed_version.clear();
            for (const std::string& version : versions) {
              if (!f.fixed_version.empty()) {
                f.fixed_version += ", ";
              }
              f.fixed_version += version;
            }
          } else if (k == "state") {
            f.fix_state = r_.StringOrNull(fx);
          }
        });
      } else if (key == "cvss") {
        CvssList(vv, cvss);
      } else if (key == "cvssV2" || key == "cvssV3") {
        Cvss c;
        r_.ObjectOrNull(vv, [&](std::string_view k, od::value x) {
          if (k == "vector") {
            c.vector = r_.StringOrNull(x);
          } else if (k == "baseScore") {
            c.score = r_.Number(x);
          }
        });
        if (key == "cvssV3" && !c.vector.empty() && !c.vector.starts_with("CVSS:")) {
          c.vector = {};  // old grype printed v3 vectors without their prefix: unusable
        }
        cvss.push_back(c);
      } else if (key == "epss") {
        r_.ArrayOrNull(vv, [&](size_t, od::value ev) {
          r_.Object(ev, [&](std::string_view k, od::value x) {
            if (k == "epss" && !f.epss) {
              f.epss = r_.Number(x);
            }
          });
        });
      }
    });
  }

  void CvssList(od::value v, std::vector<Cvss>& out) {
    r_.ArrayOrNull(v, [&](size_t, od::value cv) {
      Cvss c;
      r_.Object(cv, [&](std::string_view k, od::value x) {
        if (k == "vector") {
          c.vector = r_.StringOrNull(x);
        } else if (k == "type") {
          c.primary = r_.StringOrNull(x) == "Primary";
        } else if (k == "metrics") {
          r_.ObjectOrNull(x, [&](std::string_view mk, od::value m) {
            if (mk == "baseScore") {
              c.score = r_.Number(m);
            }
          });
        }
      });
      out.push_back(c);
    });
  }

  static void Pick(const std::vector<Cvss>& cvss, Finding& f) {
    const Cvss* best = nullptr;
    auto rank = [](const Cvss& c) {
      return std::max(CvssRank(c.vector), 1) * 2 + (c.primary ? 1 : 0);
    };
    for (const Cvss& c : cvss) {
      if (c.score && (best == nullptr || rank(c) > rank(*best))) {
        best = &c;
      }
    }
    if (best != nullptr) {
      f.cvss_score = best->score;
      f.cvss_vector = best->vector;
    }
  }

  Reader& r_;
  Document& doc_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace

void ReadGrype(Reader& reader, od::object& root, Document& doc) {
  GrypeWalker walker(reader, doc);
  walker.Root(root);
  FinishFindings(reader, doc);
}

}  // namespace qlrf::sbom::internal
