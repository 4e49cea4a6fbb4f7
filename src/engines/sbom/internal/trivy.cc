// Trivy JSON: SchemaVersion 2 reports and the two `trivy k8s` cluster report shapes (legacy
// {ClusterName, Vulnerabilities[{Namespace,Kind,Name,Results}], Misconfigurations} and newer
// {ClusterName, Resources[{Namespace,Kind,Name,Results}]}).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engines/sbom/internal/formats.h"

namespace qlrf::sbom::internal {
namespace {

// Trivy's Result.Type (the analyzer) to the purl type, for packages that carry no purl.
std::string_view EcosystemOfType(std::string_view type) {
  struct Entry {
    std::string_view type;
    std::string_view ecosystem;
  };
  static constexpr Entry kTypes[] = {
      {"alpine", "apk"},
      {"wolfi", "apk"},
      {"chainguard", "apk"},
      {"debian", "deb"},
      {"ubuntu", "deb"},
      {"redhat", "rpm"},
      {"centos", "rpm"},
      {"rocky", "rpm"},
      {"alma", "rpm"},
      {"amazon", "rpm"},
      {"oracle", "rpm"},
      {"fedora", "rpm"},
      {"photon", "rpm"},
      {"suse", "rpm"},
      {"opensuse", "rpm"},
      {"opensuse.leap", "rpm"},
      {"cbl-mariner", "rpm"},
      {"azurelinux", "rpm"},
      {"npm", "npm"},
      {"yarn", "npm"},
      {"pnpm", "npm"},
      {"node-pkg", "npm"},
      {"pip", "pypi"},
      {"pipenv", "pypi"},
      {"poetry", "pypi"},
      {"uv", "pypi"},
      {"python-pkg", "pypi"},
      {"gomod", "golang"},
      {"gobinary", "golang"},
      {"jar", "maven"},
      {"pom", "maven"},
      {"gradle", "maven"},
      {"sbt", "maven"},
      {"bundler", "gem"},
      {"gemspec", "gem"},
      {"cargo", "cargo"},
      {"rust-binary", "cargo"},
      {"composer", "composer"},
      {"nuget", "nuget"},
      {"dotnet-core", "nuget"},
      {"packages-props", "nuget"},
      {"conda-pkg", "conda"},
      {"conda-environment", "conda"},
      {"pub", "pub"},
      {"hex", "hex"},
      {"swift", "swift"},
      {"cocoapods", "cocoapods"},
      {"julia", "julia"},
  };
  for (const Entry& entry : kTypes) {
    if (entry.type == type) {
      return entry.ecosystem;
    }
  }
  return type;
}

struct CvssCandidate {
  std::string_view source;
  std::string_view vector;
  std::optional<double> score;
};

class TrivyWalker {
 public:
  TrivyWalker(Reader& reader, Document& doc) : r_(reader), doc_(doc) {}

  void Root(od::object& root) {
    bool has_schema = false;
    bool cluster = false;
    std::string_view tool_version;
    r_.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "SchemaVersion") {
        has_schema = true;
        int64_t version = r_.Integer(v);
        if (version != 2) {
          r_.Fail("SchemaVersion " + std::to_string(version) +
                  " is not supported (only SchemaVersion 2)");
        }
        doc_.spec_version = "2";
      } else if (key == "ArtifactName") {
        doc_.subject = r_.StringOrNull(v);
      } else if (key == "ClusterName") {
        cluster = true;
        if (doc_.subject.empty()) {
          doc_.subject = r_.StringOrNull(v);
        }
      } else if (key == "CreatedAt") {
        doc_.created = r_.StringOrNull(v);
      } else if (key == "Trivy") {
        r_.ObjectOrNull(v, [&](std::string_view k, od::value t) {
          if (k == "Version") {
            tool_version = r_.StringOrNull(t);
          }
        });
      } else if (key == "Metadata") {
        Metadata(v);
      } else if (key == "Results") {
        r_.ArrayOrNull(v, [&](size_t, od::value result) { Result(result); });
      } else if (key == "Resources" || key == "Vulnerabilities") {
        // Cluster reports: one entry per Kubernetes resource, each with its own Results.
        r_.ArrayOrNull(v, [&](size_t, od::value resource) {
          r_.Object(resource, [&](std::string_view k, od::value rv) {
            if (k == "Results") {
              r_.ArrayOrNull(rv, [&](size_t, od::value result) { Result(result); });
            }
          });
        });
      } else if (key == "Misconfigurations") {
        r_.ArrayOrNull(v, [&](size_t, od::value resource) {
          r_.Object(resource, [&](std::string_view k, od::value rv) {
            if (k == "Results") {
              r_.ArrayOrNull(rv, [&](size_t, od::value result) { Result(result); });
            }
          });
        });
      }
    });
    if (!has_schema && !cluster) {
      r_.Fail("missing SchemaVersion (a Trivy report needs SchemaVersion 2)");
    }
    if (cluster && doc_.spec_version.empty()) {
      doc_.spec_version = "k8s";
    }
    doc_.tool = tool_version.empty() ? "trivy" : "trivy " + std::string(tool_version);
    if (misconfigurations_ > 0) {
      r_.Warn("skipped " + std::to_string(misconfigurations_) + " misconfiguration(s)");
    }
    if (secrets_ > 0) {
      r_.Warn("skipped " + std::to_string(secrets_) + " secret(s)");
    }
    if (licenses_ > 0) {
      r_.Warn("skipped " + std::to_string(licenses_) + " licence finding(s)");
    }
  }

 private:
  void Metadata(od::value v) {
    r_.ObjectOrNull(v, [&](std::string_view key, od::value m) {
      if (key == "OS") {
        r_.ObjectOrNull(m, [&](std::string_view k, od::value os) {
          if (k == "Family") {
            doc_.os_family = r_.StringOrNull(os);
          } else if (k == "Name") {
            doc_.os_version = r_.StringOrNull(os);
          }
        });
      }
    });
  }

  void Result(od::value v) {
    std::string_view type;
    std::string_view target;
    // Packages and vulnerabilities may come in any order; the Result's Type (needed for the
    // ecosystem) too, so components are fixed up once the Result is read.
    size_t first_component = doc_.components.size();
    std::unordered_map<std::string, std::string> id_to_ref;
    std::vector<std::pair<std::string, std::vector<std::string>>> depends_on;
    r_.Object(v, [&](std::string_view key, od::value rv) {
      if (key == "Type") {
        type = r_.StringOrNull(rv);
      } else if (key == "Target") {
        target = r_.StringOrNull(rv);
      } else if (key == "Packages") {
        r_.ArrayOrNull(rv, [&](size_t, od::value p) { Package(p, id_to_ref, depends_on); });
      } else if (key == "Vulnerabilities") {
        r_.ArrayOrNull(rv, [&](size_t, od::value f) { Vulnerability(f); });
      } else if (key == "Misconfigurations") {
        r_.ArrayOrNull(rv, [&](size_t, od::value) { ++misconfigurations_; });
      } else if (key == "Secrets") {
        r_.ArrayOrNull(rv, [&](size_t, od::value) { ++secrets_; });
      } else if (key == "Licenses") {
        r_.ArrayOrNull(rv, [&](size_t, od::value) { ++licenses_; });
      }
    });
    std::string_view ecosystem = EcosystemOfType(type);
    for (size_t i = first_component; i < doc_.components.size(); ++i) {
      if (doc_.components[i].ecosystem.empty()) {
        doc_.components[i].ecosystem = ecosystem;
      }
    }
    for (auto& [from, targets] : depends_on) {
      for (std::string& to : targets) {
        auto it = id_to_ref.find(to);
        doc_.dependencies.push_back({from, it != id_to_ref.end() ? it->second : std::move(to)});
      }
    }
  }

  // Adds the component once per ref; returns its index.
  size_t AddComponent(Component component) {
    auto [it, inserted] = index_.try_emplace(component.ref, doc_.components.size());
    if (inserted) {
      doc_.components.push_back(std::move(component));
    }
    return it->second;
  }

  void Package(od::value v, std::unordered_map<std::string, std::string>& id_to_ref,
               std::vector<std::pair<std::string, std::vector<std::string>>>& depends_on) {
    Component c;
    c.type = "library";
    std::string_view id;
    std::string_view uid;
    std::string_view version;
    std::string_view release;
    int64_t epoch = 0;
    std::vector<std::string> deps;
    r_.Object(v, [&](std::string_view key, od::value pv) {
      if (key == "ID") {
        id = r_.StringOrNull(pv);
      } else if (key == "Name") {
        c.name = r_.StringOrNull(pv);
      } else if (key == "Version") {
        version = r_.StringOrNull(pv);
      } else if (key == "Release") {
        release = r_.StringOrNull(pv);
      } else if (key == "Epoch") {
        epoch = r_.Integer(pv);
      } else if (key == "Identifier") {
        r_.ObjectOrNull(pv, [&](std::string_view k, od::value iv) {
          if (k == "PURL") {
            std::string_view p = r_.StringOrNull(iv);
            if (!p.empty()) {
              c.purl = r_.CanonicalPurl(p);
            }
          } else if (k == "UID") {
            uid = r_.StringOrNull(iv);
          }
        });
      } else if (key == "Licenses") {
        r_.Strings(pv, c.licenses);
      } else if (key == "DependsOn") {
        r_.Strings(pv, deps);
      } else if (key == "Digest") {
        std::string_view digest = r_.StringOrNull(pv);
        if (auto colon = digest.find(':'); colon != std::string_view::npos) {
          std::string_view alg = digest.substr(0, colon);
          std::string algorithm = alg == "sha1"     ? "SHA-1"
                                  : alg == "sha256" ? "SHA-256"
                                  : alg == "md5"    ? "MD5"
                                  : alg == "sha512" ? "SHA-512"
                                                    : std::string(alg);
          c.hashes.push_back({std::move(algorithm), std::string(digest.substr(colon + 1))});
        }
      } else if (key == "Maintainer") {
        c.supplier = r_.StringOrNull(pv);
      }
    });
    c.version = version;
    if (!release.empty()) {
      c.version += "-";
      c.version += release;
    }
    if (epoch != 0) {
      c.version = std::to_string(epoch) + ":" + c.version;
    }
    c.ref = !uid.empty()  ? std::string(uid)
            : !id.empty() ? std::string(id)
                          : c.name + "@" + c.version;
    c.ecosystem = PurlType(c.purl);
    std::string ref = c.ref;
    if (!id.empty()) {
      id_to_ref.emplace(std::string(id), ref);
    }
    AddComponent(std::move(c));
    if (!deps.empty()) {
      depends_on.emplace_back(std::move(ref), std::move(deps));
    }
  }

  void Vulnerability(od::value v) {
    Finding f;
    std::string_view pkg_id;
    std::string_view uid;
    std::string purl;
    std::vector<CvssCandidate> cvss;
    r_.Object(v, [&](std::string_view key, od::value fv) {
      if (key == "VulnerabilityID") {
        f.id = r_.String(fv);
      } else if (key == "PkgName") {
        f.package_name = r_.StringOrNull(fv);
      } else if (key == "PkgID") {
        pkg_id = r_.StringOrNull(fv);
      } else if (key == "PkgIdentifier") {
        r_.ObjectOrNull(fv, [&](std::string_view k, od::value iv) {
          if (k == "PURL") {
            std::string_view p = r_.StringOrNull(iv);
            if (!p.empty()) {
              purl = r_.CanonicalPurl(p);
            }
          } else if (k == "UID") {
            uid = r_.StringOrNull(iv);
          }
        });
      } else if (key == "InstalledVersion") {
        f.installed_version = r_.StringOrNull(fv);
      } else if (key == "FixedVersion") {
        f.fixed_version = r_.StringOrNull(fv);
      } else if (key == "Status") {
        f.fix_state = r_.StringOrNull(fv);
      } else if (key == "Severity") {
        f.severity = SeverityFromName(r_.StringOrNull(fv));
      } else if (key == "SeveritySource") {
        f.data_source = r_.StringOrNull(fv);
      } else if (key == "DataSource") {
        r_.ObjectOrNull(fv, [&](std::string_view k, od::value dv) {
          if (k == "ID" && f.data_source.empty()) {
            f.data_source = r_.StringOrNull(dv);
          }
        });
      } else if (key == "Title") {
        f.title = r_.StringOrNull(fv);
      } else if (key == "Description") {
        f.description = CutUtf8(r_.StringOrNull(fv), 4096);
      } else if (key == "PublishedDate") {
        f.published = r_.StringOrNull(fv);
      } else if (key == "CweIDs") {
        r_.Strings(fv, f.cwes);
      } else if (key == "VendorIDs") {
        r_.Strings(fv, f.aliases);
      } else if (key == "CVSS") {
        r_.ObjectOrNull(fv, [&](std::string_view source, od::value sv) {
          CvssCandidate v2{source, {}, {}};
          CvssCandidate v3{source, {}, {}};
          CvssCandidate v4{source, {}, {}};
          r_.ObjectOrNull(sv, [&](std::string_view k, od::value m) {
            if (k == "V2Vector") {
              v2.vector = r_.StringOrNull(m);
            } else if (k == "V3Vector") {
              v3.vector = r_.StringOrNull(m);
            } else if (k == "V40Vector") {
              v4.vector = r_.StringOrNull(m);
            } else if (k == "V2Score") {
              v2.score = r_.Number(m);
            } else if (k == "V3Score") {
              v3.score = r_.Number(m);
            } else if (k == "V40Score") {
              v4.score = r_.Number(m);
            }
          });
          for (const CvssCandidate& c : {v3, v4, v2}) {
            if (!c.vector.empty() || c.score) {
              cvss.push_back(c);
            }
          }
        });
      }
    });
    if (f.id.empty()) {
      r_.Push("VulnerabilityID");
      r_.Fail("missing VulnerabilityID");
    }
    PickCvss(cvss, f);
    f.component_ref = !uid.empty()      ? std::string(uid)
                      : !pkg_id.empty() ? std::string(pkg_id)
                                        : f.package_name + "@" + f.installed_version;
    if (!index_.contains(f.component_ref)) {
      Component c;
      c.ref = f.component_ref;
      c.name = f.package_name;
      c.version = f.installed_version;
      c.purl = std::move(purl);
      c.type = "library";
      c.ecosystem = PurlType(c.purl);
      AddComponent(std::move(c));
    }
    doc_.findings.push_back(std::move(f));
  }

  // NVD's v3 first, then the severity source's, then any v3.x, then v4.0, then v2.
  void PickCvss(const std::vector<CvssCandidate>& cvss, Finding& f) const {
    const CvssCandidate* best = nullptr;
    auto rank = [&](const CvssCandidate& c) {
      int version = CvssRank(c.vector);
      if (version == 0) {
        version = 1;  // a score without a vector: v2 standing
      }
      return version * 4 + (c.source == "nvd" ? 2 : 0) + (c.source == f.data_source ? 1 : 0);
    };
    for (const CvssCandidate& c : cvss) {
      if (best == nullptr || rank(c) > rank(*best)) {
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
  size_t misconfigurations_ = 0;
  size_t secrets_ = 0;
  size_t licenses_ = 0;
};

}  // namespace

void ReadTrivy(Reader& reader, od::object& root, Document& doc) {
  TrivyWalker walker(reader, doc);
  walker.Root(root);
  FinishFindings(reader, doc);
}

}  // namespace qlrf::sbom::internal
