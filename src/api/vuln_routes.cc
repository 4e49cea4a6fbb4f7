// Routes for vulnerabilities and SBOMs (seed §1): imports, findings with urgency, components,
// exports, suppressions, fleet exposure and the advisory catalog.
#include <boost/json.hpp>

#include <regex>

#include "api/handler_util.h"
#include "api/render.h"
#include "api/routes.h"
#include "common/cvss/cvss.h"
#include "common/json.h"
#include "engines/sbom/cyclonedx_xml_writer.h"

namespace qlrf::api {

using services::Permission;

namespace {

const char* const kImportSummary = R"({"type":"object","additionalProperties":false,
 "required":["import_id","format","kind","duplicate","components","dependencies","vulnerabilities",
  "by_severity","new","reopened","fixed","unchanged","matched","vex_statements","warnings"],
 "properties":{"import_id":{"type":["string","null"]},
  "format":{"enum":["trivy","grype","spdx","cyclonedx","openvex"]},
  "kind":{"enum":["sbom","scan","vex"]},"duplicate":{"type":"boolean"},
  "components":{"type":"integer"},"dependencies":{"type":"integer"},
  "vulnerabilities":{"type":"integer"},
  "by_severity":{"type":"object","required":["critical","high","medium","low","unknown"]},
  "new":{"type":"integer"},"reopened":{"type":"integer"},"fixed":{"type":"integer"},
  "unchanged":{"type":"integer"},"matched":{"type":"integer"},
  "vex_statements":{"type":"integer"},"warnings":{"type":"array","items":{"type":"string"}}}})";

const char* const kFinding = R"({"type":"object","additionalProperties":false,
 "required":["id","image_id","vuln_id","package_name","installed_version","purl","fixed_version",
  "fix_state","severity","cvss_score","cvss_vector","epss","title","source","status","vex_status",
  "vex_justification","kev","kev_due_date","suppressed","suppression_id","urgency","due_at",
  "overdue","first_seen_at","last_seen_at","fixed_at"],
 "properties":{"id":{"type":"string","format":"uuid"},"image_id":{"type":"string"},
  "vuln_id":{"type":"string"},"package_name":{"type":"string"},
  "installed_version":{"type":"string"},"purl":{"type":"string"},
  "fixed_version":{"type":"string"},"fix_state":{"type":"string"},
  "severity":{"enum":["unknown","none","low","medium","high","critical"]},
  "cvss_score":{"type":["number","null"]},"cvss_vector":{"type":"string"},
  "epss":{"type":["number","null"]},"title":{"type":"string"},
  "source":{"enum":["scan","sbom","match","manual"]},"status":{"enum":["open","fixed"]},
  "vex_status":{"type":"string"},"vex_justification":{"type":"string"},"kev":{"type":"boolean"},
  "kev_due_date":{"type":"string"},"suppressed":{"type":"boolean"},
  "suppression_id":{"type":["string","null"]},
  "urgency":{"type":"object","required":["score","priority","sla_hours","factors"],
   "properties":{"score":{"type":"number","minimum":0,"maximum":100},
    "priority":{"enum":["p1","p2","p3","p4"]},"sla_hours":{"type":"integer"},
    "factors":{"type":"object","required":["cvss","exploit_known","kev","production",
     "fleet_percent","epss"]}}},
  "due_at":{"type":"string"},"overdue":{"type":"boolean"},"first_seen_at":{"type":"string"},
  "last_seen_at":{"type":"string"},"fixed_at":{"type":["string","null"]}}})";

const char* const kNewFinding = R"({"type":"object","additionalProperties":false,
 "required":["vuln_id","package_name"],
 "properties":{"vuln_id":{"type":"string","minLength":1,"maxLength":64},
  "package_name":{"type":"string","minLength":1,"maxLength":256},
  "installed_version":{"type":"string","maxLength":128},
  "fixed_version":{"type":"string","maxLength":256},
  "severity":{"enum":["unknown","none","low","medium","high","critical"]},
  "cvss_vector":{"type":"string","maxLength":256},
  "title":{"type":"string","maxLength":512}}})";

const char* const kComponent = R"({"type":"object","additionalProperties":false,
 "required":["id","ref","name","version","purl","type","ecosystem","licenses","hashes","supplier"],
 "properties":{"id":{"type":"string"},"ref":{"type":"string"},"name":{"type":"string"},
  "version":{"type":"string"},"purl":{"type":"string"},"type":{"type":"string"},
  "ecosystem":{"type":"string"},"licenses":{"type":"array","items":{"type":"string"}},
  "hashes":{"type":"array","items":{"type":"object","required":["alg","content"]}},
  "supplier":{"type":"string"}}})";

const char* const kSummary = R"({"type":"object","required":["open","by_severity","kev","fixable",
 "suppressed","overdue"]})";

const char* const kSnapshot = R"({"type":"object","additionalProperties":false,
 "required":["taken_at","critical","high","medium","low","unknown","kev","fixable"],
 "properties":{"taken_at":{"type":"string"},"critical":{"type":"integer"},
  "high":{"type":"integer"},"medium":{"type":"integer"},"low":{"type":"integer"},
  "unknown":{"type":"integer"},"kev":{"type":"integer"},"fixable":{"type":"integer"}}})";

const char* const kSuppression = R"({"type":"object","additionalProperties":false,
 "required":["id","vuln_id","scope","scope_value","reason","author_id","expires_at","created_at",
  "revoked_at","active"],
 "properties":{"id":{"type":"string","format":"uuid"},"vuln_id":{"type":"string"},
  "scope":{"enum":["org","family","image","component"]},"scope_value":{"type":"string"},
  "reason":{"type":"string"},"author_id":{"type":"string"},
  "expires_at":{"type":["string","null"]},"created_at":{"type":"string"},
  "revoked_at":{"type":["string","null"]},"active":{"type":"boolean"}}})";

const char* const kNewSuppression = R"({"type":"object","additionalProperties":false,
 "required":["vuln_id","scope","reason"],
 "properties":{"vuln_id":{"type":"string","pattern":"^[A-Za-z0-9._:-]{1,64}$"},
  "scope":{"enum":["org","family","image","component"]},
  "scope_value":{"type":"string","maxLength":512},
  "reason":{"type":"string","minLength":1,"maxLength":2000},
  "expires_at":{"type":"string","format":"date-time"}}})";

const char* const kCatalog = R"({"type":"object","required":["id","aliases","summary","severity",
 "cvss_score","cvss_vector","kev","epss","published","modified"]})";

const char* const kExposure = R"({"type":"object","required":["vuln_id","ids","catalog","images",
 "assets","by_environment","by_site"],
 "properties":{"vuln_id":{"type":"string"},"ids":{"type":"array","items":{"type":"string"}},
  "images":{"type":"array","items":{"type":"object","required":["image_id","family","version",
   "status","package_name","installed_version","fixed_version","vex_status","inherited","assets",
   "by_environment"]}},
  "assets":{"type":"integer"},"by_environment":{"type":"object"},
  "by_site":{"type":"array","items":{"type":"object","required":["site_id","assets"]}}}})";

std::string ItemsSchema(const std::string& item) {
  return R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":)" +
         item + "}}}";
}

boost::json::value OptNumber(const std::optional<double>& d) {
  return d ? boost::json::value(*d) : boost::json::value(nullptr);
}

boost::json::value OptString(const std::optional<std::string>& s) {
  return s ? boost::json::value(*s) : boost::json::value(nullptr);
}

boost::json::value FindingJson(const services::FindingView& v) {
  const auto& f = v.row;
  const auto& u = v.urgency;
  return {{"id", f.id},
          {"image_id", f.image_id},
          {"vuln_id", f.vuln_id},
          {"package_name", f.package_name},
          {"installed_version", f.installed_version},
          {"purl", f.purl},
          {"fixed_version", f.fixed_version},
          {"fix_state", f.fix_state},
          {"severity", f.severity},
          {"cvss_score", OptNumber(f.cvss_score)},
          {"cvss_vector", f.cvss_vector},
          {"epss", OptNumber(f.epss)},
          {"title", f.title},
          {"source", f.source},
          {"status", f.status},
          {"vex_status", f.vex_status},
          {"vex_justification", f.vex_justification},
          {"kev", v.kev},
          {"kev_due_date", v.kev_due_date},
          {"suppressed", v.suppression_id.has_value() || f.vex_status == "not_affected" ||
                             f.vex_status == "fixed"},
          {"suppression_id", OptString(v.suppression_id)},
          {"urgency",
           {{"score", u.score},
            {"priority", u.priority},
            {"sla_hours", u.sla_hours},
            {"factors",
             {{"cvss", u.factors.cvss},
              {"exploit_known", u.factors.exploit_known},
              {"kev", u.factors.kev},
              {"production", u.factors.production},
              {"fleet_percent", u.factors.fleet_percent},
              {"epss", u.factors.epss}}}}},
          {"due_at", v.due_at},
          {"overdue", v.overdue},
          {"first_seen_at", f.first_seen_at},
          {"last_seen_at", f.last_seen_at},
          {"fixed_at", OptString(f.fixed_at)}};
}

boost::json::value ComponentJson(const storage::ComponentRow& c) {
  auto lic = json::Parse(c.licenses_json);
  auto hashes = json::Parse(c.hashes_json);
  return {{"id", c.id},
          {"ref", c.ref},
          {"name", c.name},
          {"version", c.version},
          {"purl", c.purl},
          {"type", c.type},
          {"ecosystem", c.ecosystem},
          {"licenses", lic && lic->is_array() ? *lic : boost::json::array{}},
          {"hashes", hashes && hashes->is_array() ? *hashes : boost::json::array{}},
          {"supplier", c.supplier}};
}

boost::json::value SnapshotJson(const storage::VulnSnapshot& s) {
  return {{"taken_at", s.taken_at}, {"critical", s.critical}, {"high", s.high},
          {"medium", s.medium},     {"low", s.low},           {"unknown", s.unknown},
          {"kev", s.kev},           {"fixable", s.fixable}};
}

boost::json::value SuppressionJson(const storage::Suppression& s, std::string_view now) {
  bool active = !s.revoked_at && (!s.expires_at || *s.expires_at > now);
  return {{"id", s.id},
          {"vuln_id", s.vuln_id},
          {"scope", s.scope},
          {"scope_value", s.scope_value},
          {"reason", s.reason},
          {"author_id", s.author_id},
          {"expires_at", OptString(s.expires_at)},
          {"created_at", s.created_at},
          {"revoked_at", OptString(s.revoked_at)},
          {"active", active}};
}

boost::json::value CatalogJson(const storage::CatalogEntry& c) {
  boost::json::array aliases;
  for (const auto& a : c.aliases) aliases.emplace_back(a);
  boost::json::array cwes;
  for (const auto& a : c.cwes) cwes.emplace_back(a);
  return {{"id", c.id},
          {"aliases", std::move(aliases)},
          {"summary", c.summary},
          {"description", c.description},
          {"severity", c.severity},
          {"cvss_score", OptNumber(c.cvss_score)},
          {"cvss_vector", c.cvss_vector},
          {"cwes", std::move(cwes)},
          {"kev", c.kev},
          {"kev_date_added", c.kev_date_added},
          {"kev_due_date", c.kev_due_date},
          {"kev_ransomware", c.kev_ransomware},
          {"epss", OptNumber(c.epss)},
          {"epss_percentile", OptNumber(c.epss_percentile)},
          {"exploit_known", c.exploit_known},
          {"published", c.published},
          {"modified", c.modified}};
}

Result<std::string> VulnParam(const ApiRequest& r) {
  static const std::regex kId("^[A-Za-z0-9._:-]{1,64}$");
  std::string v(r.Param("vuln_id"));
  if (!std::regex_match(v, kId)) {
    return Fail(FieldError("vuln_id", "must be a vulnerability id such as CVE-2021-44228"));
  }
  return v;
}

std::optional<bool> BoolQuery(const ApiRequest& r, std::string_view name) {
  auto v = r.Query(name);
  if (!v) return std::nullopt;
  return *v == "true" || *v == "1";
}

// Imports take the document as the body, unparsed (the parser streams over it).
const std::vector<std::string> kDocumentTypes = {"application/json",
                                                 "application/vnd.cyclonedx+json",
                                                 "application/spdx+json",
                                                 "application/openvex+json",
                                                 "application/vnd.cyclonedx+xml",
                                                 "application/xml",
                                                 "text/xml"};

const char* const kExampleTrivy =
    R"({"SchemaVersion":2,"ArtifactName":"golden/ubuntu:22.04","ArtifactType":"container_image","Results":[{"Target":"ubuntu 22.04","Class":"os-pkgs","Type":"ubuntu","Vulnerabilities":[{"VulnerabilityID":"CVE-2023-0286","PkgName":"openssl","InstalledVersion":"3.0.2-0ubuntu1.7","FixedVersion":"3.0.2-0ubuntu1.8","Severity":"HIGH"}]}]})";

const char* const kExampleCdx =
    R"({"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","bom-ref":"pkg:npm/lodash@4.17.20","name":"lodash","version":"4.17.20","purl":"pkg:npm/lodash@4.17.20"}]})";

Result<std::optional<sbom::Format>> FormatQuery(const ApiRequest& r) {
  auto f = r.Query("format");
  if (!f) return std::optional<sbom::Format>();
  QLRF_ASSIGN_OR_RETURN(auto format, sbom::FormatFromName(*f));
  return std::optional<sbom::Format>(format);
}

}  // namespace

std::vector<Route> VulnRoutes(services::VulnService& vulns) {
  std::vector<Route> routes;
  auto add = [&](Route r) { routes.push_back(std::move(r)); };
  const std::vector<std::string> kFormats = {"trivy", "grype", "spdx", "cyclonedx", "openvex"};

  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/vulnerabilities/import",
       .permission = Permission::kManageImages,
       .summary = "Import a scanner report (Trivy, Grype), an SBOM with vulnerabilities, or a "
                  "VEX document (format detected). Same bytes again: no change; a newer report "
                  "marks findings it no longer lists as fixed",
       .tag = "vulnerabilities",
       .response_schema = kImportSummary,
       .example = kExampleTrivy,
       .raw_content_types = kDocumentTypes,
       .query = {{"format", "string", "Force a format instead of detecting it", kFormats}},
       .writes = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto format, FormatQuery(r));
         QLRF_ASSIGN_OR_RETURN(auto s, vulns.Import(r.ctx, id, r.http->body, format));
         return Json(services::ToJson(s), s.duplicate ? 200 : 201);
       }});
  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/sbom",
       .permission = Permission::kManageImages,
       .summary =
           "Import the image's SBOM (SPDX 2.2/2.3 JSON or CycloneDX 1.2–1.7 JSON/XML): replaces "
           "its components and dependency graph, matches them against the advisory "
           "catalog, applies embedded VEX",
       .tag = "vulnerabilities",
       .response_schema = kImportSummary,
       .example = kExampleCdx,
       .raw_content_types = kDocumentTypes,
       .query =
           {{"format", "string", "Force a format instead of detecting it", {"spdx", "cyclonedx"}}},
       .writes = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto format, FormatQuery(r));
         if (!format) {
           QLRF_ASSIGN_OR_RETURN(auto detected, sbom::DetectFormat(r.http->body));
           format = detected;
         }
         if (*format != sbom::Format::kSpdx && *format != sbom::Format::kCycloneDx) {
           return Fail(InvalidArgument("an SBOM must be SPDX JSON or CycloneDX JSON/XML; use "
                                       "/vulnerabilities/import for scanner reports")
                           .With("field", "body"));
         }
         QLRF_ASSIGN_OR_RETURN(auto s, vulns.Import(r.ctx, id, r.http->body, format));
         return Json(services::ToJson(s), s.duplicate ? 200 : 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/sbom",
       .permission = Permission::kRead,
       .summary = "Export the image's SBOM as CycloneDX 1.6 JSON (default), CycloneDX 1.6 XML or "
                  "SPDX 2.3 JSON",
       .tag = "vulnerabilities",
       .response_schema = R"({"type":"object"})",
       .query = {{"format",
                  "string",
                  "cyclonedx (default), cyclonedx-xml or spdx",
                  {"cyclonedx", "cyclonedx-xml", "spdx"}}},
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         std::string format = r.Query("format").value_or("cyclonedx");
         if (format == "spdx") {
           QLRF_ASSIGN_OR_RETURN(auto doc, vulns.ExportSpdx(r.ctx, id));
           ApiResponse resp = Json(std::move(doc));
           resp.content_type = "application/spdx+json";
           return resp;
         }
         QLRF_ASSIGN_OR_RETURN(auto doc, vulns.ExportCycloneDx(r.ctx, id));
         ApiResponse resp;
         if (format == "cyclonedx-xml") {
           QLRF_ASSIGN_OR_RETURN(resp.raw_body, sbom::CycloneDxJsonToXml(doc.as_object()));
           resp.content_type = "application/vnd.cyclonedx+xml";
           return resp;
         }
         resp = Json(std::move(doc));
         resp.content_type = "application/vnd.cyclonedx+json";
         return resp;
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/vex",
       .permission = Permission::kRead,
       .summary = "The image's VEX statements and suppressions as an OpenVEX 0.2.0 document",
       .tag = "vulnerabilities",
       .response_schema = R"({"type":"object","required":["@context","statements"]})",
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto doc, vulns.ExportOpenVex(r.ctx, id));
         ApiResponse resp = Json(std::move(doc));
         resp.content_type = "application/json";
         return resp;
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/vulnerabilities",
       .permission = Permission::kRead,
       .summary = "The image's findings, most urgent first, each with its urgency score and "
                  "factors, priority, SLA due time, KEV, suppression and VEX state",
       .tag = "vulnerabilities",
       .response_schema = schemas::PageOf(kFinding),
       .query =
           {{"severity", "string", "", {"unknown", "none", "low", "medium", "high", "critical"}},
            {"fixable", "boolean", "only findings with (true) / without (false) a fix", {}},
            {"kev", "boolean", "only findings listed in CISA KEV (true) or not (false)", {}},
            {"suppressed", "boolean", "suppressed or VEX-dismissed (true) or not (false)", {}},
            {"priority", "string", "", {"p1", "p2", "p3", "p4"}},
            {"status", "string", "open (default), fixed or all", {"open", "fixed", "all"}},
            {"vuln_id", "string", "one vulnerability id", {}}},
       .paginated = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         services::FindingFilter f;
         f.severity = r.Query("severity");
         f.fixable = BoolQuery(r, "fixable");
         f.kev = BoolQuery(r, "kev");
         f.suppressed = BoolQuery(r, "suppressed");
         f.priority = r.Query("priority");
         f.status = r.Query("status").value_or("open");
         f.vuln_id = r.Query("vuln_id");
         QLRF_ASSIGN_OR_RETURN(auto findings, vulns.Findings(r.ctx, id, f, page));
         return Json(PageJson(findings, FindingJson));
       }});
  add({.method = "POST",
       .path = "/api/v1/images/{image_id}/vulnerabilities",
       .permission = Permission::kManageImages,
       .summary = "Record a finding by hand (e.g. from a penetration test)",
       .tag = "vulnerabilities",
       .request_schema = kNewFinding,
       .response_schema = kFinding,
       .example =
           R"({"vuln_id":"CVE-2024-3094","package_name":"xz-utils","installed_version":"5.6.0","severity":"critical"})",
       .success_status = 201,
       .writes = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         storage::FindingRow f;
         f.vuln_id = *Str(r.body, "vuln_id");
         f.package_name = *Str(r.body, "package_name");
         f.installed_version = Str(r.body, "installed_version").value_or("");
         f.fixed_version = Str(r.body, "fixed_version").value_or("");
         f.severity = Str(r.body, "severity").value_or("unknown");
         f.title = Str(r.body, "title").value_or("");
         if (auto vector = Str(r.body, "cvss_vector")) {
           auto scored = cvss::ScoreCvss(*vector);
           if (!scored) {
             return Fail(FieldError("cvss_vector", scored.error().message));
           }
           f.cvss_vector = *vector;
           f.cvss_score = scored->base;
         }
         QLRF_ASSIGN_OR_RETURN(auto v, vulns.AddFinding(r.ctx, id, std::move(f)));
         return Json(FindingJson(v), 201);
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/vulnerabilities/summary",
       .permission = Permission::kRead,
       .summary = "Open findings by severity, KEV, fixable, suppressed and overdue counts",
       .tag = "vulnerabilities",
       .response_schema = kSummary,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto s, vulns.Summary(r.ctx, id));
         return Json(services::ToJson(s));
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/vulnerabilities/trend",
       .permission = Permission::kRead,
       .summary = "Counts after each import or re-evaluation, oldest first",
       .tag = "vulnerabilities",
       .response_schema = ItemsSchema(kSnapshot),
       .query = {{"limit", "integer", "most recent points (default 100, at most 1000)", {}}},
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         int limit = std::clamp(std::atoi(r.Query("limit").value_or("100").c_str()), 1, 1000);
         QLRF_ASSIGN_OR_RETURN(auto snaps, vulns.Trend(r.ctx, id, limit));
         boost::json::array items;
         for (const auto& s : snaps) items.push_back(SnapshotJson(s));
         return Json({{"items", std::move(items)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/images/families/{family}/vulnerabilities/trend",
       .permission = Permission::kRead,
       .summary = "Per version of the family: its counts after each import, oldest first",
       .tag = "vulnerabilities",
       .response_schema =
           ItemsSchema(R"({"type":"object","required":["image_id","version","points"]})"),
       .query = {{"limit", "integer", "most recent points per version (default 30)", {}}},
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         int limit = std::clamp(std::atoi(r.Query("limit").value_or("30").c_str()), 1, 1000);
         QLRF_ASSIGN_OR_RETURN(auto trend, vulns.FamilyTrend(r.ctx, r.Param("family"), limit));
         boost::json::array items;
         for (const auto& [image, snaps] : trend) {
           boost::json::array points;
           for (const auto& s : snaps) points.push_back(SnapshotJson(s));
           items.push_back(
               {{"image_id", image.id}, {"version", image.version}, {"points", std::move(points)}});
         }
         return Json({{"items", std::move(items)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/images/{image_id}/components",
       .permission = Permission::kRead,
       .summary = "The image's SBOM components, by name",
       .tag = "vulnerabilities",
       .response_schema = schemas::PageOf(kComponent),
       .query = {{"q", "string", "substring of name or purl", {}},
                 {"type", "string", "library, operating-system, application, …", {}},
                 {"ecosystem", "string", "npm, deb, rpm, maven, …", {}}},
       .paginated = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "image_id"));
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         storage::ComponentFilter f{r.Query("q"), r.Query("type"), r.Query("ecosystem")};
         QLRF_ASSIGN_OR_RETURN(auto comps, vulns.Components(r.ctx, id, f, page));
         return Json(PageJson(comps, ComponentJson));
       }});
  add({.method = "GET",
       .path = "/api/v1/vulnerabilities/{vuln_id}",
       .permission = Permission::kRead,
       .summary = "The catalog entry of a vulnerability (by id or alias): CVSS, EPSS, KEV",
       .tag = "vulnerabilities",
       .response_schema = kCatalog,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, VulnParam(r));
         QLRF_ASSIGN_OR_RETURN(auto c, vulns.CatalogEntry(r.ctx, id));
         return Json(CatalogJson(c));
       }});
  add({.method = "GET",
       .path = "/api/v1/vulnerabilities/{vuln_id}/exposure",
       .permission = Permission::kRead,
       .summary = "Fleet exposure: affected images (with lineage children that inherited the "
                  "component) and the assets running them, by environment and site",
       .tag = "vulnerabilities",
       .response_schema = kExposure,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, VulnParam(r));
         QLRF_ASSIGN_OR_RETURN(auto rep, vulns.Exposure(r.ctx, id));
         boost::json::array ids;
         for (const auto& i : rep.ids) ids.emplace_back(i);
         boost::json::array images;
         for (const auto& im : rep.images) {
           boost::json::object env;
           for (const auto& [k, n] : im.by_environment) env[k] = n;
           images.push_back({{"image_id", im.image.image_id},
                             {"family", im.image.family},
                             {"version", im.image.version},
                             {"status", im.image.image_status},
                             {"package_name", im.image.package_name},
                             {"installed_version", im.image.installed_version},
                             {"fixed_version", im.image.fixed_version},
                             {"vex_status", im.image.vex_status},
                             {"inherited", im.inherited},
                             {"assets", im.assets},
                             {"by_environment", std::move(env)}});
         }
         boost::json::object env;
         for (const auto& [k, n] : rep.by_environment) env[k] = n;
         boost::json::array sites;
         for (const auto& [site, n] : rep.by_site) {
           sites.push_back(
               {{"site_id", site.empty() ? boost::json::value(nullptr) : boost::json::value(site)},
                {"assets", n}});
         }
         return Json({{"vuln_id", rep.vuln_id},
                      {"ids", std::move(ids)},
                      {"catalog", rep.catalog ? CatalogJson(*rep.catalog) : nullptr},
                      {"images", std::move(images)},
                      {"assets", rep.assets},
                      {"by_environment", std::move(env)},
                      {"by_site", std::move(sites)}});
       }});
  add({.method = "GET",
       .path = "/api/v1/vulnerabilities/suppressions",
       .permission = Permission::kRead,
       .summary = "Suppressions, newest first",
       .tag = "vulnerabilities",
       .response_schema = schemas::PageOf(kSuppression),
       .query = {{"vuln_id", "string", "", {}},
                 {"active", "boolean", "only unrevoked, unexpired ones", {}}},
       .paginated = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto page, r.Page());
         QLRF_ASSIGN_OR_RETURN(auto list,
                               vulns.Suppressions(r.ctx, r.Query("vuln_id"),
                                                  BoolQuery(r, "active").value_or(false), page));
         std::string now = FormatTime(std::chrono::system_clock::now());
         return Json(PageJson(
             list, [&](const storage::Suppression& s) { return SuppressionJson(s, now); }));
       }});
  add({.method = "POST",
       .path = "/api/v1/vulnerabilities/suppressions",
       .permission = Permission::kManageImages,
       .summary = "Suppress a vulnerability for the org, an image family, an image or a "
                  "component, with a reason and an optional expiry (it re-surfaces after it)",
       .tag = "vulnerabilities",
       .request_schema = kNewSuppression,
       .response_schema = kSuppression,
       .example =
           R"({"vuln_id":"CVE-2023-0286","scope":"component","scope_value":"pkg:deb/ubuntu/openssl","reason":"not reachable: no X.400 parsing","expires_at":"2030-01-01T00:00:00Z"})",
       .success_status = 201,
       .writes = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         services::NewSuppression s;
         s.vuln_id = *Str(r.body, "vuln_id");
         s.scope = *Str(r.body, "scope");
         s.scope_value = Str(r.body, "scope_value").value_or("");
         s.reason = *Str(r.body, "reason");
         s.expires_at = Str(r.body, "expires_at");
         QLRF_ASSIGN_OR_RETURN(auto created, vulns.Suppress(r.ctx, std::move(s)));
         return Json(SuppressionJson(created, created.created_at), 201);
       }});
  add({.method = "DELETE",
       .path = "/api/v1/vulnerabilities/suppressions/{suppression_id}",
       .permission = Permission::kManageImages,
       .summary = "Revoke a suppression (kept for the record)",
       .tag = "vulnerabilities",
       .success_status = 204,
       .writes = true,
       .handler = [&vulns](ApiRequest& r) -> Result<ApiResponse> {
         QLRF_ASSIGN_OR_RETURN(auto id, IdParam(r, "suppression_id"));
         QLRF_TRY(vulns.RevokeSuppression(r.ctx, id));
         return NoContent();
       }});
  return routes;
}

}  // namespace qlrf::api

namespace qlrf::api {

bool IsDocumentUpload(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  auto ends_with = [&](std::string_view s) {
    return path.size() >= s.size() && path.substr(path.size() - s.size()) == s;
  };
  return path.rfind("/api/v1/images/", 0) == 0 &&
         (ends_with("/vulnerabilities/import") || ends_with("/sbom"));
}

}  // namespace qlrf::api
