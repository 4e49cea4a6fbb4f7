// Inventory and image commands over the services (the same validation and audit as the API).
#include "app/inventory_cli.h"

#include <unistd.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "api/render.h"
#include "common/json.h"
#include "services/demo/demo_fleet.h"

namespace qlrf::app {
namespace {

bool Terminal() { return isatty(STDERR_FILENO) == 1; }

// A one-line progress bar on a terminal; a line per 10% otherwise.
void Progress(int64_t done, int64_t total, MonotonicTime start, int& last_decile) {
  double frac = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (Terminal()) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::fprintf(stderr, "\r  [%s] %3d%%  %lld/%lld assets  %.1f s", bar.c_str(),
                 static_cast<int>(frac * 100), static_cast<long long>(done),
                 static_cast<long long>(total), secs);
    if (done >= total) std::fputc('\n', stderr);
    std::fflush(stderr);
    return;
  }
  int decile = static_cast<int>(frac * 10);
  if (decile > last_decile) {
    last_decile = decile;
    std::fprintf(stderr, "demo: %d%% (%lld/%lld assets, %.1f s)\n", decile * 10,
                 static_cast<long long>(done), static_cast<long long>(total), secs);
  }
}

std::vector<std::string> SplitList(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// RFC 4180 rows: quoted fields may hold commas, quotes ("") and newlines.
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    return Fail(
        InvalidArgument("CSV: unterminated quoted field near line " + std::to_string(line)));
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

// CSV columns are asset fields; "tags" is k=v;k2=v2 and "ips" is a;b.
Result<std::vector<storage::Asset>> AssetsFromCsv(std::string_view text) {
  QLRF_ASSIGN_OR_RETURN(auto rows, ParseCsv(text));
  if (rows.empty()) {
    return std::vector<storage::Asset>();
  }
  const auto header = rows[0];
  std::vector<storage::Asset> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    std::string prefix = "assets[" + std::to_string(r - 1) + "].";
    if (rows[r].size() != header.size()) {
      return Fail(FieldError(prefix.substr(0, prefix.size() - 1),
                             "CSV row " + std::to_string(r + 1) + " has " +
                                 std::to_string(rows[r].size()) + " fields, the header " +
                                 std::to_string(header.size())));
    }
    boost::json::object o;
    for (size_t c = 0; c < header.size(); ++c) {
      const std::string& v = rows[r][c];
      if (header[c] == "tags") {
        boost::json::object tags;
        for (const auto& kv : SplitList(v, ';')) {
          if (kv.empty()) continue;
          auto eq = kv.find('=');
          if (eq == std::string::npos) {
            return Fail(FieldError(prefix + "tags", "must be key=value;key=value"));
          }
          tags[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        o["tags"] = std::move(tags);
      } else if (header[c] == "ips") {
        boost::json::array ips;
        for (const auto& ip : SplitList(v, ';')) {
          if (!ip.empty()) ips.emplace_back(ip);
        }
        o["ips"] = std::move(ips);
      } else if (!v.empty()) {
        o[header[c]] = v;
      }
    }
    QLRF_ASSIGN_OR_RETURN(auto a, services::AssetFromJson(o, prefix));
    out.push_back(std::move(a));
  }
  return out;
}

Result<std::vector<storage::Asset>> AssetsFromJsonText(std::string_view text, bool ndjson) {
  std::vector<storage::Asset> out;
  if (ndjson) {
    size_t index = 0;
    size_t line_no = 0;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto v = json::Parse(line);
      if (!v) {
        return Fail(FieldError("assets[" + std::to_string(index) + "]",
                               "line " + std::to_string(line_no) + ": " + v.error().message));
      }
      QLRF_ASSIGN_OR_RETURN(
          auto a, services::AssetFromJson(*v, "assets[" + std::to_string(index++) + "]."));
      out.push_back(std::move(a));
    }
    return out;
  }
  QLRF_ASSIGN_OR_RETURN(auto doc, json::Parse(text));
  const boost::json::array* arr = nullptr;
  if (doc.is_array()) {
    arr = &doc.as_array();
  } else if (doc.is_object() && doc.as_object().contains("assets") &&
             doc.as_object().at("assets").is_array()) {
    arr = &doc.as_object().at("assets").as_array();
  } else {
    return Fail(InvalidArgument("JSON import must be an array of assets or {\"assets\":[…]}"));
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    QLRF_ASSIGN_OR_RETURN(auto a,
                          services::AssetFromJson((*arr)[i], "assets[" + std::to_string(i) + "]."));
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

InventoryCli::InventoryCli(CLI::App& app) {
  demo_ = app.add_subcommand("demo", "Generate a realistic, deterministic demo fleet");
  demo_->add_option("--assets", demo_assets_, "number of assets (spread over the orgs)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
  demo_->add_option("--orgs", demo_orgs_, "organizations: default, demo-2, …")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  demo_->add_option("--seed", demo_seed_, "random seed; the same seed gives the same fleet")
      ->capture_default_str();
  demo_->add_flag("--if-empty", demo_if_empty_, "do nothing when the org already has inventory");

  auto* assets = app.add_subcommand("assets", "Inventory: list, show and import assets");
  assets->require_subcommand(1);
  assets_list_ = assets->add_subcommand("list", "List assets (first page; filters as the API)");
  assets_get_ = assets->add_subcommand("get", "Show one asset");
  assets_import_ = assets->add_subcommand(
      "import", "Upsert assets from a JSON, NDJSON or CSV file in one transaction");
  for (auto* c : {assets_list_, assets_get_, assets_import_}) {
    c->add_option("--org", org_, "organization slug or id")->capture_default_str();
    c->add_flag("--json", json_, "print JSON instead of a table");
  }
  assets_list_->add_option("--platform", platform_, "aws|azure|gcp|vsphere|k8s|libvirt|baremetal");
  assets_list_->add_option("--environment", environment_, "production|staging|development|dr");
  assets_list_->add_option("--state", state_, "running|stopped|terminated|unknown");
  assets_list_->add_option("--site", site_, "site id");
  assets_list_->add_option("--tag", tags_, "key=value (repeatable)");
  assets_list_->add_option("--family", family_, "image family");
  assets_list_->add_option("--version", version_, "image version");
  assets_list_->add_flag("--drifted", drifted_, "only assets off their family's production image");
  assets_list_->add_option("-q,--query", query_, "substring of name or instance id");
  assets_list_->add_option("--sort", sort_, "name|created_at|last_seen_at|instance_id, '-' = desc");
  assets_list_->add_option("--limit", limit_, "rows (1-500)")
      ->capture_default_str()
      ->check(CLI::Range(1, 500));
  assets_get_->add_option("id", id_, "asset id")->required();
  assets_import_->add_option("file", file_, "file to import ('-' = stdin)")->required();
  assets_import_->add_option("--format", format_, "json|ndjson|csv (default: from the name)")
      ->check(CLI::IsMember({"json", "ndjson", "csv"}));
  assets_import_->add_option("--site", site_, "site id for rows without one");
  assets_import_->add_flag("--full-sync", full_sync_,
                           "mark the site's assets missing from the file terminated");

  auto* images = app.add_subcommand("images", "Golden images: list and promote");
  images->require_subcommand(1);
  images_list_ = images->add_subcommand("list", "List image versions");
  images_promote_ = images->add_subcommand("promote", "Change an image's lifecycle status");
  for (auto* c : {images_list_, images_promote_}) {
    c->add_option("--org", org_, "organization slug or id")->capture_default_str();
    c->add_flag("--json", json_, "print JSON instead of a table");
  }
  images_list_->add_option("--family", family_, "only this family");
  images_list_->add_option("--status", status_, "draft|testing|production|deprecated|revoked");
  images_list_->add_option("--limit", limit_, "rows (1-500)")
      ->capture_default_str()
      ->check(CLI::Range(1, 500));
  images_promote_->add_option("id", id_, "image id")->required();
  images_promote_->add_option("--to", status_, "testing|production|deprecated|revoked|draft")
      ->required();
  images_promote_->add_option("--reason", reason_, "why (recorded with the promotion)");
}

bool InventoryCli::Selected() const {
  for (auto* c :
       {demo_, assets_list_, assets_get_, assets_import_, images_list_, images_promote_}) {
    if (c->parsed()) return true;
  }
  return false;
}

bool InventoryCli::BulkLoad() const { return demo_->parsed(); }

int InventoryCli::Run(CliContext& ctx) {
  if (demo_->parsed()) return Demo(ctx);
  if (assets_list_->parsed()) return AssetsList(ctx);
  if (assets_get_->parsed()) return AssetsGet(ctx);
  if (assets_import_->parsed()) return AssetsImport(ctx);
  if (images_list_->parsed()) return ImagesList(ctx);
  if (images_promote_->parsed()) return ImagesPromote(ctx);
  return 2;
}

int InventoryCli::Demo(CliContext& ctx) {
  services::DemoOptions o;
  o.assets = demo_assets_;
  o.orgs = demo_orgs_;
  o.seed = demo_seed_;
  o.if_empty = demo_if_empty_;
  auto start = std::chrono::steady_clock::now();
  int last_decile = -1;
  auto summary = services::GenerateDemo(*ctx.db, ctx.clock, o, [&](int64_t done, int64_t total) {
    Progress(done, total, start, last_decile);
  });
  if (!summary) return Failure(summary.error().ToString());
  if (summary->orgs == 0 && summary->skipped) {
    std::printf("demo: inventory already present; nothing generated (--if-empty)\n");
    return 0;
  }
  std::printf(
      "demo: %d org(s), %lld sites, %lld image families, %lld image versions, %lld assets "
      "(%lld drifted, %.0f%%), %lld DR pairs in %.1f s (%.0f assets/s)\n",
      summary->orgs, static_cast<long long>(summary->sites),
      static_cast<long long>(summary->families), static_cast<long long>(summary->images),
      static_cast<long long>(summary->assets), static_cast<long long>(summary->drifted),
      summary->assets
          ? 100.0 * static_cast<double>(summary->drifted) / static_cast<double>(summary->assets)
          : 0.0,
      static_cast<long long>(summary->dr_pairs), summary->seconds,
      summary->seconds > 0 ? static_cast<double>(summary->assets) / summary->seconds : 0.0);
  return 0;
}

int InventoryCli::AssetsList(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  storage::AssetFilter f;
  auto opt = [](const std::string& s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
  };
  f.platform = opt(platform_);
  f.environment = opt(environment_);
  f.state = opt(state_);
  f.site_id = opt(site_);
  f.image_family = opt(family_);
  f.image_version = opt(version_);
  f.text = opt(query_);
  if (drifted_) f.drifted = true;
  for (const auto& t : tags_) {
    auto eq = t.find('=');
    if (eq == std::string::npos) return Failure("--tag must be key=value, got '" + t + "'");
    f.tags.emplace_back(t.substr(0, eq), t.substr(eq + 1));
  }
  storage::AssetSort sort;
  if (!sort_.empty()) {
    std::string_view n = sort_;
    if (n.front() == '-') {
      sort.descending = true;
      n.remove_prefix(1);
    }
    if (n == "name")
      sort.field = storage::AssetSortField::kName;
    else if (n == "created_at")
      sort.field = storage::AssetSortField::kCreatedAt;
    else if (n == "last_seen_at")
      sort.field = storage::AssetSortField::kLastSeenAt;
    else if (n == "instance_id")
      sort.field = storage::AssetSortField::kInstanceId;
    else
      return Failure("--sort: unknown field '" + std::string(n) + "'");
  }
  storage::PageRequest page;
  page.limit = limit_;
  auto result = ctx.inventory->ListAssets(*as, f, sort, page);
  if (!result) return Failure(result.error().ToString());
  if (json_) {
    boost::json::array items;
    for (const auto& a : result->items) items.push_back(api::AssetJson(a));
    std::printf(
        "%s\n",
        json::Serialize(boost::json::object{{"items", items}, {"total", result->total}}).c_str());
    return 0;
  }
  std::printf("%-36s  %-9s  %-24s  %-11s  %-10s  %-18s  %s\n", "ID", "PLATFORM", "NAME",
              "ENVIRONMENT", "STATE", "IMAGE", "VERSION");
  for (const auto& a : result->items) {
    std::printf("%-36s  %-9s  %-24.24s  %-11s  %-10s  %-18.18s  %s\n", a.id.c_str(),
                a.platform.c_str(), a.name.c_str(), a.environment.c_str(), a.state.c_str(),
                a.image_family.c_str(), a.image_version.c_str());
  }
  std::printf("(%zu of %lld)\n", result->items.size(), static_cast<long long>(result->total));
  return 0;
}

int InventoryCli::AssetsGet(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  if (!IsUuid(id_)) return Failure("asset id must be a UUID");
  auto a = ctx.inventory->GetAsset(*as, id_);
  if (!a) return Failure(a.error().ToString());
  if (json_) {
    std::printf("%s\n", json::Serialize(api::AssetJson(*a)).c_str());
    return 0;
  }
  auto row = [](const char* k, const std::string& v) { std::printf("%-14s %s\n", k, v.c_str()); };
  row("id", a->id);
  row("name", a->name);
  row("platform", a->platform);
  row("instance_id", a->instance_id);
  row("environment", a->environment);
  row("site_id", a->site_id.value_or("-"));
  row("region", a->region);
  row("state", a->state);
  row("image", a->image_family + " " + a->image_version);
  row("os", a->os);
  std::string tags;
  for (const auto& [k, v] : a->tags) tags += (tags.empty() ? "" : ", ") + k + "=" + v;
  row("tags", tags);
  row("first_seen_at", a->first_seen_at);
  row("last_seen_at", a->last_seen_at);
  return 0;
}

int InventoryCli::AssetsImport(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  auto input = ReadInput(file_);
  if (!input) return Failure(input.error().message);
  std::string text = std::move(*input);
  std::string format = format_;
  if (format.empty()) {
    if (file_.ends_with(".csv"))
      format = "csv";
    else if (file_.ends_with(".ndjson") || file_.ends_with(".jsonl"))
      format = "ndjson";
    else
      format = "json";
  }
  Result<std::vector<storage::Asset>> rows =
      format == "csv" ? AssetsFromCsv(text) : AssetsFromJsonText(text, format == "ndjson");
  if (!rows) return Failure(rows.error().ToString());
  services::BulkUpsertRequest req;
  req.assets = std::move(*rows);
  if (!site_.empty()) {
    for (auto& a : req.assets) {
      if (!a.site_id) a.site_id = site_;
    }
    if (full_sync_) req.full_sync_site = site_;
  } else if (full_sync_) {
    return Failure("--full-sync needs --site");
  }
  size_t total = req.assets.size();
  auto stats = ctx.inventory->BulkUpsert(*as, std::move(req));
  if (!stats) return Failure(stats.error().ToString());
  boost::json::object out{{"total", total},
                          {"created", stats->created},
                          {"updated", stats->updated},
                          {"unchanged", stats->unchanged},
                          {"terminated", stats->terminated}};
  std::printf("%s\n", json::Serialize(out).c_str());
  return 0;
}

int InventoryCli::ImagesList(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  storage::ImageFilter f;
  if (!family_.empty()) f.family = family_;
  if (!status_.empty()) f.status = status_;
  storage::PageRequest page;
  page.limit = limit_;
  auto images = ctx.images->ListImages(*as, f, page);
  if (!images) return Failure(images.error().ToString());
  if (json_) {
    boost::json::array items;
    for (const auto& m : images->items) items.push_back(api::ImageJson(m));
    std::printf("%s\n", json::Serialize(boost::json::object{{"items", items}}).c_str());
    return 0;
  }
  std::printf("%-36s  %-20s  %-12s  %-11s  %-6s  %s\n", "ID", "FAMILY", "VERSION", "STATUS",
              "SIGNED", "CREATED");
  for (const auto& m : images->items) {
    std::printf("%-36s  %-20.20s  %-12s  %-11s  %-6s  %s\n", m.id.c_str(), m.family.c_str(),
                m.version.c_str(), m.status.c_str(), m.is_signed ? "yes" : "no",
                m.created_at.c_str());
  }
  return 0;
}

int InventoryCli::ImagesPromote(CliContext& ctx) {
  auto as = ctx.As(org_);
  if (!as) return Failure(as.error().ToString());
  if (!IsUuid(id_)) return Failure("image id must be a UUID");
  auto m = ctx.images->Promote(*as, id_, status_, reason_);
  if (!m) return Failure(m.error().ToString());
  if (json_) {
    std::printf("%s\n", json::Serialize(api::ImageJson(*m)).c_str());
  } else {
    std::printf("%s %s is now %s\n", m->family.c_str(), m->version.c_str(), m->status.c_str());
  }
  return 0;
}

}  // namespace qlrf::app
