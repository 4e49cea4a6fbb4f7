// VulnCli: imports of scanner reports, SBOMs and advisory feeds; findings; SBOM export.
#include "app/vuln_cli.h"

#include <boost/json.hpp>

#include <unistd.h>
#include <cstdio>

#include "common/json.h"
#include "engines/sbom/cyclonedx_xml_writer.h"
#include "engines/sbom/sbom.h"

namespace qlrf::app {

VulnCli::VulnCli(CLI::App& app) {
  import_ = app.add_subcommand(
      "import", "Import a scanner report or SBOM into an image; prints a JSON summary");
  import_->add_option("format", format_, "trivy | grype | spdx | cyclonedx | openvex | auto")
      ->required()
      ->check(CLI::IsMember({"trivy", "grype", "spdx", "cyclonedx", "openvex", "auto"}));
  import_->add_option("file", file_, "the document (JSON; CycloneDX also XML); - reads stdin")
      ->required();
  import_->add_option("--image", image_, "image id")->required();
  import_->add_option("--org", org_, "organization slug or id")->capture_default_str();

  auto* vulndb = app.add_subcommand("vulndb", "The advisory catalog (shared by every org)");
  vulndb->require_subcommand(1);
  feed_import_ = vulndb->add_subcommand(
      "import",
      "Load CISA KEV (JSON), EPSS (CSV), OSV (JSON) or NVD API 2.0 pages (JSON); OSV "
      "advisories re-evaluate the stored SBOMs of the packages they name");
  feed_import_->add_option("feed", format_, "kev | epss | osv | nvd")
      ->required()
      ->check(CLI::IsMember({"kev", "epss", "osv", "nvd"}));
  feed_import_->add_option("files", files_, "one or more files")->required();

  auto* vulns = app.add_subcommand("vulns", "An image's vulnerability findings");
  vulns->require_subcommand(1);
  list_ = vulns->add_subcommand("list", "Findings of an image, most urgent first");
  list_->add_option("--image", image_, "image id")->required();
  list_->add_option("--severity", severity_, "only this severity");
  list_->add_option("--limit", limit_, "at most this many (1-500)")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  list_->add_option("--org", org_, "organization slug or id")->capture_default_str();
  list_->add_flag("--json", json_, "print JSON instead of a table");

  auto* sbom = app.add_subcommand("sbom", "An image's SBOM");
  sbom->require_subcommand(1);
  export_ = sbom->add_subcommand(
      "export", "Print the image's SBOM (CycloneDX 1.6 JSON or XML, SPDX 2.3) or its VEX");
  export_->add_option("--image", image_, "image id")->required();
  export_->add_option("--format", format_, "cyclonedx | cyclonedx-xml | spdx | openvex")
      ->check(CLI::IsMember({"cyclonedx", "cyclonedx-xml", "spdx", "openvex"}))
      ->default_val("cyclonedx");
  export_->add_option("--org", org_, "organization slug or id")->capture_default_str();
}

bool VulnCli::Selected() const {
  return import_->parsed() || feed_import_->parsed() || list_->parsed() || export_->parsed();
}

int VulnCli::Run(CliContext& ctx) {
  if (import_->parsed()) return Import(ctx);
  if (feed_import_->parsed()) return FeedImport(ctx);
  if (list_->parsed()) return List(ctx);
  return Export(ctx);
}

int VulnCli::Import(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  auto bytes = ReadInput(file_);
  if (!bytes) return Failure(bytes.error().message);
  std::optional<sbom::Format> format;
  if (format_ != "auto") format = *sbom::FormatFromName(format_);
  auto summary = ctx.vulns->Import(*as, image_, *bytes, format);
  if (!summary) return Failure(summary.error().ToString());
  std::printf("%s\n", json::Serialize(services::ToJson(*summary)).c_str());
  return 0;
}

int VulnCli::FeedImport(CliContext& ctx) {
  boost::json::array out;
  for (const auto& f : files_) {
    auto bytes = ReadInput(f);
    if (!bytes) return Failure(bytes.error().message);
    auto s = ctx.vulns->ImportFeed(format_, *bytes);
    if (!s) return Failure(f + ": " + s.error().ToString());
    out.push_back({{"file", f},
                   {"feed", s->feed},
                   {"records", s->records},
                   {"affected_packages", s->affected_packages},
                   {"reevaluated_components", s->reevaluated_components},
                   {"new_findings", s->new_findings}});
  }
  std::printf("%s\n", json::Serialize(out).c_str());
  return 0;
}

int VulnCli::List(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  services::FindingFilter f;
  if (!severity_.empty()) f.severity = severity_;
  storage::PageRequest page;
  page.limit = limit_;
  auto list = ctx.vulns->Findings(*as, image_, f, page);
  if (!list) return Failure(list.error().ToString());
  if (json_ || isatty(STDOUT_FILENO) == 0) {
    boost::json::array items;
    for (const auto& v : list->items) {
      items.push_back({{"vuln_id", v.row.vuln_id},
                       {"package", v.row.package_name},
                       {"installed_version", v.row.installed_version},
                       {"fixed_version", v.row.fixed_version},
                       {"severity", v.row.severity},
                       {"kev", v.kev},
                       {"urgency", v.urgency.score},
                       {"priority", v.urgency.priority},
                       {"due_at", v.due_at},
                       {"suppressed", v.suppression_id.has_value()}});
    }
    std::printf("%s\n", json::Serialize(items).c_str());
    return 0;
  }
  std::printf("%-20s %-28s %-22s %-22s %-9s %-4s %7s %s\n", "VULNERABILITY", "PACKAGE", "INSTALLED",
              "FIXED", "SEVERITY", "KEV", "URGENCY", "PRIORITY");
  for (const auto& v : list->items) {
    std::printf("%-20.20s %-28.28s %-22.22s %-22.22s %-9s %-4s %7.1f %s%s\n", v.row.vuln_id.c_str(),
                v.row.package_name.c_str(), v.row.installed_version.c_str(),
                v.row.fixed_version.c_str(), v.row.severity.c_str(), v.kev ? "yes" : "",
                v.urgency.score, v.urgency.priority.c_str(),
                v.suppression_id ? " (suppressed)" : "");
  }
  return 0;
}

int VulnCli::Export(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  auto doc = format_ == "spdx"      ? ctx.vulns->ExportSpdx(*as, image_)
             : format_ == "openvex" ? ctx.vulns->ExportOpenVex(*as, image_)
                                    : ctx.vulns->ExportCycloneDx(*as, image_);
  if (!doc) return Failure(doc.error().ToString());
  if (format_ == "cyclonedx-xml") {
    auto xml = sbom::CycloneDxJsonToXml(doc->as_object());
    if (!xml) return Failure(xml.error().ToString());
    std::fputs(xml->c_str(), stdout);
    return 0;
  }
  std::printf("%s\n", json::Serialize(*doc).c_str());
  return 0;
}

}  // namespace qlrf::app
