// Vulnerability-catalog feeds (CISA KEV, EPSS CSV, NVD API 2.0, OSV) and OSV range evaluation.
#include "engines/sbom/advisories.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>
#include <unordered_set>

#include "common/cvss/cvss.h"
#include "common/versions/versions.h"
#include "engines/sbom/internal/reader.h"

namespace qlrf::sbom {
namespace {

namespace od = simdjson::ondemand;
using internal::CutUtf8;
using internal::CvssRank;
using internal::Reader;

// ---- KEV ---------------------------------------------------------------------------------------

KevEntry ReadKevEntry(Reader& r, od::value v) {
  KevEntry e;
  r.Object(v, [&](std::string_view key, od::value x) {
    if (key == "cveID") {
      e.cve_id = r.String(x);
    } else if (key == "vendorProject") {
      e.vendor = r.StringOrNull(x);
    } else if (key == "product") {
      e.product = r.StringOrNull(x);
    } else if (key == "vulnerabilityName") {
      e.name = r.StringOrNull(x);
    } else if (key == "dateAdded") {
      e.date_added = r.StringOrNull(x);
    } else if (key == "dueDate") {
      e.due_date = r.StringOrNull(x);
    } else if (key == "knownRansomwareCampaignUse") {
      e.known_ransomware = r.StringOrNull(x) == "Known";
    } else if (key == "cwes") {
      r.Strings(x, e.cwes);
    }
  });
  if (e.cve_id.empty()) {
    r.Fail("KEV entry without cveID");
  }
  return e;
}

// ---- NVD ---------------------------------------------------------------------------------------

struct Metric {
  std::string_view vector;
  std::optional<double> score;
  std::string_view severity;
  bool primary = false;
};

void ReadMetrics(Reader& r, od::value v, std::vector<Metric>& out) {
  r.ArrayOrNull(v, [&](size_t, od::value m) {
    Metric metric;
    r.Object(m, [&](std::string_view key, od::value x) {
      if (key == "type") {
        metric.primary = r.StringOrNull(x) == "Primary";
      } else if (key == "baseSeverity") {  // v2 keeps it beside cvssData
        metric.severity = r.StringOrNull(x);
      } else if (key == "cvssData") {
        r.Object(x, [&](std::string_view k, od::value d) {
          if (k == "vectorString") {
            metric.vector = r.StringOrNull(d);
          } else if (k == "baseScore") {
            metric.score = r.Number(d);
          } else if (k == "baseSeverity") {
            metric.severity = r.StringOrNull(d);
          }
        });
      }
    });
    out.push_back(metric);
  });
}

void CollectCpes(Reader& r, od::value nodes, std::vector<std::string>& cpes,
                 std::unordered_set<std::string>& seen) {
  r.ArrayOrNull(nodes, [&](size_t, od::value node) {
    r.Object(node, [&](std::string_view key, od::value x) {
      if (key != "cpeMatch") {
        return;
      }
      r.ArrayOrNull(x, [&](size_t, od::value match) {
        bool vulnerable = true;
        std::string_view criteria;
        r.Object(match, [&](std::string_view k, od::value y) {
          if (k == "vulnerable") {
            vulnerable = r.Bool(y);
          } else if (k == "criteria") {
            criteria = r.StringOrNull(y);
          }
        });
        if (vulnerable && !criteria.empty() && seen.emplace(criteria).second) {
          cpes.emplace_back(criteria);
        }
      });
    });
  });
}

Advisory ReadNvdCve(Reader& r, od::value v) {
  Advisory a;
  std::vector<Metric> metrics;
  std::unordered_set<std::string> seen_cpes;
  r.Object(v, [&](std::string_view key, od::value x) {
    if (key == "id") {
      a.id = r.String(x);
    } else if (key == "published") {
      a.published = r.StringOrNull(x);
    } else if (key == "lastModified") {
      a.modified = r.StringOrNull(x);
    } else if (key == "descriptions") {
      r.ArrayOrNull(x, [&](size_t, od::value d) {
        std::string_view lang;
        std::string_view value;
        r.Object(d, [&](std::string_view k, od::value y) {
          if (k == "lang") {
            lang = r.StringOrNull(y);
          } else if (k == "value") {
            value = r.StringOrNull(y);
          }
        });
        if (lang == "en" && a.description.empty()) {
          a.description = CutUtf8(value, 4096);
        }
      });
    } else if (key == "metrics") {
      // v3.1 > v3.0 > v4.0 > v2 (CvssRank), Primary before Secondary within a version.
      r.ObjectOrNull(x, [&](std::string_view, od::value list) { ReadMetrics(r, list, metrics); });
    } else if (key == "weaknesses") {
      r.ArrayOrNull(x, [&](size_t, od::value w) {
        r.Object(w, [&](std::string_view k, od::value y) {
          if (k != "description") {
            return;
          }
          r.ArrayOrNull(y, [&](size_t, od::value d) {
            r.Object(d, [&](std::string_view dk, od::value z) {
              if (dk == "value") {
                std::string_view cwe = r.StringOrNull(z);
                if (cwe.starts_with("CWE-") &&
                    std::find(a.cwes.begin(), a.cwes.end(), cwe) == a.cwes.end()) {
                  a.cwes.emplace_back(cwe);
                }
              }
            });
          });
        });
      });
    } else if (key == "configurations") {
      r.ArrayOrNull(x, [&](size_t, od::value config) {
        r.Object(config, [&](std::string_view k, od::value nodes) {
          if (k == "nodes") {
            CollectCpes(r, nodes, a.cpes, seen_cpes);
          }
        });
      });
    }
  });
  if (a.id.empty()) {
    r.Fail("CVE without id");
  }
  const Metric* best = nullptr;
  auto rank = [](const Metric& m) { return CvssRank(m.vector) * 2 + (m.primary ? 1 : 0); };
  for (const Metric& m : metrics) {
    if (m.score && (best == nullptr || rank(m) > rank(*best))) {
      best = &m;
    }
  }
  if (best != nullptr) {
    a.cvss_score = best->score;
    a.cvss_vector = best->vector;
    for (char c : best->severity) {
      a.severity += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return a;
}

// ---- OSV ---------------------------------------------------------------------------------------

OsvRange ReadOsvRange(Reader& r, od::value v) {
  OsvRange range;
  bool has_repo = false;
  r.Object(v, [&](std::string_view key, od::value x) {
    if (key == "type") {
      range.type = r.String(x);
      if (range.type != "ECOSYSTEM" && range.type != "SEMVER" && range.type != "GIT") {
        r.Fail("range type must be ECOSYSTEM, SEMVER or GIT");
      }
    } else if (key == "repo") {
      has_repo = true;
    } else if (key == "events") {
      r.Array(x, [&](size_t, od::value e) {
        OsvRange::Event event;
        int set = 0;
        r.Object(e, [&](std::string_view k, od::value y) {
          std::string* field = k == "introduced"      ? &event.introduced
                               : k == "fixed"         ? &event.fixed
                               : k == "last_affected" ? &event.last_affected
                               : k == "limit"         ? &event.limit
                                                      : nullptr;
          if (field == nullptr) {
            r.Fail("unknown range event \"" + std::string(CutUtf8(k, 32)) + "\"");
          }
          *field = r.String(y);
          ++set;
        });
        if (set != 1) {
          r.Fail("a range event has exactly one of introduced, fixed, last_affected, limit");
        }
        range.events.push_back(std::move(event));
      });
    }
  });
  if (range.type.empty()) {
    r.Fail("range without type");
  }
  if (range.type == "GIT" && !has_repo) {
    r.Fail("a GIT range needs repo");
  }
  bool introduced = std::any_of(range.events.begin(), range.events.end(),
                                [](const OsvRange::Event& e) { return !e.introduced.empty(); });
  if (!introduced) {
    r.Fail("a range needs an \"introduced\" event");
  }
  return range;
}

OsvAffected ReadOsvAffected(Reader& r, od::value v) {
  OsvAffected a;
  r.Object(v, [&](std::string_view key, od::value x) {
    if (key == "package") {
      r.Object(x, [&](std::string_view k, od::value y) {
        if (k == "ecosystem") {
          a.ecosystem = r.String(y);
        } else if (k == "name") {
          a.name = r.String(y);
        } else if (k == "purl") {
          std::string_view purl = r.String(y);
          a.purl = r.CanonicalPurl(purl);
          if (auto at = a.purl.find('@'); at != std::string::npos) {
            a.purl.erase(at);  // purl without version (and so without qualifiers)
          }
        }
      });
    } else if (key == "ranges") {
      r.ArrayOrNull(x,
                    [&](size_t, od::value range) { a.ranges.push_back(ReadOsvRange(r, range)); });
    } else if (key == "versions") {
      r.Strings(x, a.versions);
    }
  });
  return a;
}

// One advisory's field; shared by the single-object and {"vulns": [...]} shapes.
struct OsvFields {
  Advisory a;
  bool has_id = false;
  bool has_modified = false;
  std::string_view db_severity;
  std::vector<std::string_view> vectors;
};

void ReadOsvField(Reader& r, std::string_view key, od::value x, OsvFields& f) {
  Advisory& a = f.a;
  if (key == "id") {
    f.has_id = true;
    a.id = r.String(x);
  } else if (key == "modified") {
    f.has_modified = true;
    a.modified = r.String(x);
  } else if (key == "published") {
    a.published = r.StringOrNull(x);
  } else if (key == "withdrawn") {
    a.withdrawn = r.StringOrNull(x);
  } else if (key == "aliases") {
    r.Strings(x, a.aliases);
  } else if (key == "summary") {
    a.summary = r.StringOrNull(x);
  } else if (key == "details") {
    a.description = CutUtf8(r.StringOrNull(x), 4096);
  } else if (key == "severity") {
    r.ArrayOrNull(x, [&](size_t, od::value s) {
      r.Object(s, [&](std::string_view k, od::value y) {
        if (k == "score") {
          f.vectors.push_back(r.String(y));
        }
      });
    });
  } else if (key == "affected") {
    r.ArrayOrNull(x, [&](size_t, od::value v) { a.affected.push_back(ReadOsvAffected(r, v)); });
  } else if (key == "database_specific") {
    if (r.Type(x) != od::json_type::object) {
      return;
    }
    r.Object(x, [&](std::string_view k, od::value y) {
      if (k == "severity" && r.Type(y) == od::json_type::string) {
        f.db_severity = r.String(y);
      } else if (k == "cwe_ids" && r.Type(y) == od::json_type::array) {
        r.Strings(y, a.cwes);
      }
    });
  }
}

Advisory FinishOsv(Reader& r, OsvFields& f) {
  if (!f.has_id) {
    r.Fail("OSV record without id");
  }
  if (!f.has_modified) {
    r.Fail("OSV record without modified");
  }
  Advisory& a = f.a;
  int best = 0;
  for (std::string_view vector : f.vectors) {
    auto scores = cvss::ScoreCvss(vector);
    if (scores && CvssRank(vector) > best) {
      best = CvssRank(vector);
      a.cvss_score = scores->base;
      a.cvss_vector = vector;
      a.severity = std::string(cvss::SeverityName(cvss::SeverityOf(scores->base, scores->version)));
    }
  }
  if (!f.db_severity.empty()) {
    a.severity = f.db_severity == "MODERATE" ? "MEDIUM" : std::string(f.db_severity);
  }
  for (char& c : a.severity) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return std::move(f.a);
}

Advisory ReadOsvObject(Reader& r, od::value v) {
  OsvFields f;
  r.Object(v, [&](std::string_view key, od::value x) { ReadOsvField(r, key, x, f); });
  return FinishOsv(r, f);
}

// ---- Affects -----------------------------------------------------------------------------------

struct Bound {
  enum Kind { kIntroduced, kFixed, kLastAffected, kLimit } kind;
  std::string_view version;
};

// The event sweep of the OSV specification over version-sorted events; `zero` is "0" for
// introduced (before every version).
Result<bool> InRange(versions::Ecosystem eco, const OsvRange& range, std::string_view version) {
  std::vector<Bound> bounds;
  for (const OsvRange::Event& e : range.events) {
    if (!e.introduced.empty()) {
      bounds.push_back({Bound::kIntroduced, e.introduced});
    } else if (!e.fixed.empty()) {
      bounds.push_back({Bound::kFixed, e.fixed});
    } else if (!e.last_affected.empty()) {
      bounds.push_back({Bound::kLastAffected, e.last_affected});
    } else if (!e.limit.empty()) {
      bounds.push_back({Bound::kLimit, e.limit});
    }
  }
  auto compare = [&](std::string_view a, std::string_view b) -> Result<int> {
    if (a == b) {
      return 0;
    }
    if (a == "0") {
      return -1;
    }
    if (b == "0") {
      return 1;
    }
    return versions::CompareVersions(eco, a, b);
  };
  // Insertion sort: a handful of events, and it stays safe where an ordering (Maven on odd
  // strings) is not transitive.
  for (size_t i = 1; i < bounds.size(); ++i) {
    for (size_t j = i; j > 0; --j) {
      QLRF_ASSIGN_OR_RETURN(int c, compare(bounds[j - 1].version, bounds[j].version));
      if (c <= 0) {
        break;
      }
      std::swap(bounds[j - 1], bounds[j]);
    }
  }
  bool affected = false;
  for (const Bound& b : bounds) {
    if (b.kind == Bound::kLimit) {
      if (b.version == "*") {
        continue;
      }
      QLRF_ASSIGN_OR_RETURN(int c, compare(version, b.version));
      if (c >= 0) {
        return false;
      }
      continue;
    }
    QLRF_ASSIGN_OR_RETURN(int c, compare(version, b.version));
    if (b.kind == Bound::kIntroduced && c >= 0) {
      affected = true;
    } else if ((b.kind == Bound::kFixed && c >= 0) || (b.kind == Bound::kLastAffected && c > 0)) {
      affected = false;
    }
  }
  return affected;
}

}  // namespace

Result<KevCatalog> ParseKev(std::string_view bytes) {
  return internal::WithDocument<KevCatalog>(bytes, "kev", [](Reader& r, od::document& doc) {
    KevCatalog catalog;
    od::object root;
    if (doc.get_object().get(root) != simdjson::SUCCESS) {
      r.Fail("the top level is not a JSON object");
    }
    bool has_list = false;
    r.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "catalogVersion") {
        catalog.catalog_version = r.StringOrNull(v);
      } else if (key == "dateReleased") {
        catalog.date_released = r.StringOrNull(v);
      } else if (key == "vulnerabilities") {
        has_list = true;
        r.Array(v, [&](size_t, od::value e) { catalog.entries.push_back(ReadKevEntry(r, e)); });
      }
    });
    if (!has_list) {
      r.Fail("missing vulnerabilities (not a KEV catalog)");
    }
    return catalog;
  });
}

Result<EpssFile> ParseEpssCsv(std::string_view bytes) {
  EpssFile file;
  size_t line_no = 0;
  size_t pos = 0;
  bool header = false;
  auto fail = [&](const std::string& message) {
    return Fail(InvalidArgument("epss: " + message + " at line " + std::to_string(line_no))
                    .With("format", "epss")
                    .With("field", "line " + std::to_string(line_no))
                    .With("offset", std::to_string(pos)));
  };
  auto number = [](std::string_view s, double& out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) {
      end = bytes.size();
    }
    std::string_view line = bytes.substr(pos, end - pos);
    ++line_no;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      pos = end + 1;
      continue;
    }
    if (line.front() == '#') {
      // "#model_version:v2023.03.01,score_date:2023-09-10T00:00:00+0000"
      std::string_view rest = line.substr(1);
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        size_t colon = item.find(':');
        if (colon != std::string_view::npos) {
          std::string_view key = item.substr(0, colon);
          std::string_view value = item.substr(colon + 1);
          if (key == "model_version") {
            file.model_version = value;
          } else if (key == "score_date") {
            file.score_date = value;
          }
        }
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (!header) {
      if (line != "cve,epss,percentile") {
        return fail("expected the header \"cve,epss,percentile\"");
      }
      header = true;
    } else {
      size_t c1 = line.find(',');
      size_t c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
      if (c2 == std::string_view::npos || line.find(',', c2 + 1) != std::string_view::npos) {
        return fail("expected three columns cve,epss,percentile");
      }
      EpssScore score;
      score.cve_id = line.substr(0, c1);
      if (score.cve_id.empty()) {
        return fail("empty cve");
      }
      if (!number(line.substr(c1 + 1, c2 - c1 - 1), score.epss) || score.epss < 0 ||
          score.epss > 1) {
        return fail("epss must be a number from 0 to 1");
      }
      if (!number(line.substr(c2 + 1), score.percentile) || score.percentile < 0 ||
          score.percentile > 1) {
        return fail("percentile must be a number from 0 to 1");
      }
      file.scores.push_back(std::move(score));
    }
    pos = end + 1;
  }
  if (!header) {
    line_no = 0;
    pos = 0;
    return fail("missing the header \"cve,epss,percentile\"");
  }
  return file;
}

Result<std::vector<Advisory>> ParseOsv(std::string_view bytes) {
  return internal::WithDocument<std::vector<Advisory>>(
      bytes, "osv", [](Reader& r, od::document& doc) {
        std::vector<Advisory> out;
        od::json_type type{};
        if (auto error = doc.type().get(type)) {
          r.Fail(error, "a JSON object or array");
        }
        if (type == od::json_type::array) {
          od::array array;
          if (auto error = doc.get_array().get(array)) {
            r.Fail(error, "an array");
          }
          size_t index = 0;
          for (auto element : array) {
            od::value value;
            if (auto error = element.get(value)) {
              r.Fail(error, "an array element");
            }
            r.Push(index++);
            out.push_back(ReadOsvObject(r, value));
            r.Pop();
          }
          return out;
        }
        od::object root;
        if (doc.get_object().get(root) != simdjson::SUCCESS) {
          r.Fail("the top level is not a JSON object or array");
        }
        OsvFields single;
        bool query_response = false;
        r.Fields(root, [&](std::string_view key, od::value v) {
          if (key == "vulns") {
            query_response = true;
            r.ArrayOrNull(v, [&](size_t, od::value x) { out.push_back(ReadOsvObject(r, x)); });
          } else if (key != "next_page_token") {
            ReadOsvField(r, key, v, single);
          }
        });
        if (!query_response) {
          out.push_back(FinishOsv(r, single));
        }
        return out;
      });
}

Result<NvdPage> ParseNvd(std::string_view bytes) {
  return internal::WithDocument<NvdPage>(bytes, "nvd", [](Reader& r, od::document& doc) {
    NvdPage page;
    od::object root;
    if (doc.get_object().get(root) != simdjson::SUCCESS) {
      r.Fail("the top level is not a JSON object");
    }
    bool has_list = false;
    r.Fields(root, [&](std::string_view key, od::value v) {
      if (key == "startIndex") {
        page.start_index = r.Integer(v);
      } else if (key == "resultsPerPage") {
        page.results_per_page = r.Integer(v);
      } else if (key == "totalResults") {
        page.total_results = r.Integer(v);
      } else if (key == "vulnerabilities") {
        has_list = true;
        r.Array(v, [&](size_t, od::value item) {
          bool has_cve = false;
          r.Object(item, [&](std::string_view k, od::value cve) {
            if (k == "cve") {
              has_cve = true;
              page.advisories.push_back(ReadNvdCve(r, cve));
            }
          });
          if (!has_cve) {
            r.Fail("vulnerabilities entry without cve");
          }
        });
      }
    });
    if (!has_list) {
      r.Fail("missing vulnerabilities (not an NVD CVE API 2.0 response)");
    }
    return page;
  });
}

Result<bool> Affects(const OsvAffected& affected, std::string_view version) {
  QLRF_ASSIGN_OR_RETURN(versions::Ecosystem eco, versions::EcosystemFromName(affected.ecosystem));
  if (version.empty()) {
    return Fail(FieldError("version", "empty version"));
  }
  // The version must parse in its scheme (the comparators reject only what their tools do).
  if (auto self = versions::CompareVersions(eco, version, version); !self) {
    return Fail(FieldError("version", "\"" + std::string(CutUtf8(version, 64)) +
                                          "\" is not a valid " +
                                          std::string(versions::EcosystemName(eco)) +
                                          " version: " + self.error().message));
  }
  for (const std::string& listed : affected.versions) {
    if (listed == version) {
      return true;
    }
    auto c = versions::CompareVersions(eco, listed, version);
    if (c && *c == 0) {
      return true;
    }
  }
  for (const OsvRange& range : affected.ranges) {
    if (range.type == "GIT") {
      continue;
    }
    versions::Ecosystem scheme = eco;
    if (range.type == "SEMVER" && eco != versions::Ecosystem::kGo) {
      scheme = versions::Ecosystem::kSemVer;
    }
    auto in = InRange(scheme, range, version);
    if (!in) {
      return Fail(FieldError("ranges", "range of " + affected.name + " (" + affected.ecosystem +
                                           "): " + in.error().message));
    }
    if (*in) {
      return true;
    }
  }
  return false;
}

}  // namespace qlrf::sbom
