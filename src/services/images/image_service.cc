// ImageService: validation, lifecycle rules, lineage checks and audit.
#include "services/images/image_service.h"

#include <boost/json.hpp>

#include <algorithm>

#include "common/json.h"

namespace qlrf::services {

using storage::ImageStore;
using storage::Transaction;
using storage::WithRead;
using storage::WithWrite;

namespace {

const std::vector<std::string_view> kPlatforms = {"aws", "azure",   "gcp",      "vsphere",
                                                  "k8s", "libvirt", "baremetal"};

Status CheckName(std::string_view field, std::string_view v, size_t max) {
  if (v.empty() || v.size() > max) {
    return Fail(FieldError(std::string(field), "must be 1-" + std::to_string(max) + " characters"));
  }
  return Ok();
}

Result<std::vector<storage::ImageArtifact>> ArtifactsFromJson(const boost::json::value& v) {
  if (!v.is_array()) {
    return Fail(FieldError("artifacts", "must be an array"));
  }
  std::vector<storage::ImageArtifact> out;
  for (size_t i = 0; i < v.as_array().size(); ++i) {
    const auto& a = v.as_array()[i];
    std::string p = "artifacts[" + std::to_string(i) + "]";
    if (!a.is_object()) {
      return Fail(FieldError(p, "must be an object"));
    }
    storage::ImageArtifact art;
    for (const auto& [k, m] : a.as_object()) {
      if (!m.is_string()) {
        return Fail(FieldError(p + "." + std::string(k), "must be a string"));
      }
      if (k == "platform")
        art.platform = std::string(m.as_string());
      else if (k == "region")
        art.region = std::string(m.as_string());
      else if (k == "ref")
        art.ref = std::string(m.as_string());
      else
        return Fail(FieldError(p + "." + std::string(k), "unknown field"));
    }
    if (std::find(kPlatforms.begin(), kPlatforms.end(), art.platform) == kPlatforms.end()) {
      return Fail(FieldError(p + ".platform", "unknown platform '" + art.platform + "'"));
    }
    QLRF_TRY(CheckName(p + ".ref", art.ref, 512));
    out.push_back(std::move(art));
  }
  return out;
}

Result<std::map<std::string, std::string>> TagsFromJson(const boost::json::value& v) {
  if (!v.is_object()) {
    return Fail(FieldError("tags", "must be an object of strings"));
  }
  std::map<std::string, std::string> out;
  for (const auto& [k, m] : v.as_object()) {
    if (!m.is_string()) {
      return Fail(FieldError("tags." + std::string(k), "must be a string"));
    }
    out[std::string(k)] = std::string(m.as_string());
  }
  return out;
}

boost::json::object Summary(const storage::Image& m) {
  return {
      {"family", m.family}, {"version", m.version}, {"status", m.status}, {"signed", m.is_signed}};
}

std::string StringAt(const boost::json::value* v) {
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

const boost::json::value* Path(const boost::json::value& root,
                               std::initializer_list<std::string_view> keys) {
  const boost::json::value* cur = &root;
  for (auto k : keys) {
    if (!cur->is_object()) return nullptr;
    cur = cur->as_object().if_contains(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

}  // namespace

Result<NewImage> NewImageFromJson(const boost::json::object& body) {
  NewImage in;
  for (const auto& [k, v] : body) {
    std::string key(k);
    auto str = [&](std::string& out) -> Status {
      if (!v.is_string()) {
        return Fail(FieldError(key, "must be a string"));
      }
      out = std::string(v.as_string());
      return Ok();
    };
    if (key == "family") {
      QLRF_TRY(str(in.family));
    } else if (key == "version") {
      QLRF_TRY(str(in.version));
    } else if (key == "os") {
      QLRF_TRY(str(in.os));
    } else if (key == "description") {
      QLRF_TRY(str(in.description));
    } else if (key == "sbom_ref") {
      QLRF_TRY(str(in.sbom_ref));
    } else if (key == "signed") {
      if (!v.is_bool()) {
        return Fail(FieldError(key, "must be a boolean"));
      }
      in.is_signed = v.as_bool();
    } else if (key == "artifacts") {
      QLRF_ASSIGN_OR_RETURN(in.artifacts, ArtifactsFromJson(v));
    } else if (key == "tags") {
      QLRF_ASSIGN_OR_RETURN(in.tags, TagsFromJson(v));
    } else {
      return Fail(FieldError(key, "unknown field '" + key + "'"));
    }
  }
  return in;
}

Result<ParsedProvenance> ParseProvenance(const boost::json::value& st) {
  if (!st.is_object()) {
    return Fail(FieldError("provenance", "must be an in-toto Statement object"));
  }
  std::string type = StringAt(Path(st, {"_type"}));
  if (type.rfind("https://in-toto.io/Statement/", 0) != 0) {
    return Fail(
        FieldError("provenance._type",
                   "must be an in-toto Statement (https://in-toto.io/Statement/v1 or v0.1)"));
  }
  std::string pred = StringAt(Path(st, {"predicateType"}));
  ParsedProvenance p;
  if (pred == "https://slsa.dev/provenance/v1") {
    p.builder_id = StringAt(Path(st, {"predicate", "runDetails", "builder", "id"}));
    p.build_type = StringAt(Path(st, {"predicate", "buildDefinition", "buildType"}));
    if (const auto* deps = Path(st, {"predicate", "buildDefinition", "resolvedDependencies"});
        deps != nullptr && deps->is_array() && !deps->as_array().empty()) {
      const auto& d = deps->as_array()[0];
      p.source_repo = StringAt(Path(d, {"uri"}));
      p.source_commit = StringAt(Path(d, {"digest", "gitCommit"}));
      if (p.source_commit.empty()) p.source_commit = StringAt(Path(d, {"digest", "sha1"}));
    }
    std::string s = StringAt(Path(st, {"predicate", "runDetails", "metadata", "startedOn"}));
    std::string f = StringAt(Path(st, {"predicate", "runDetails", "metadata", "finishedOn"}));
    if (!s.empty()) p.started_at = s;
    if (!f.empty()) p.finished_at = f;
  } else if (pred == "https://slsa.dev/provenance/v0.2") {
    p.builder_id = StringAt(Path(st, {"predicate", "builder", "id"}));
    p.build_type = StringAt(Path(st, {"predicate", "buildType"}));
    if (const auto* mats = Path(st, {"predicate", "materials"});
        mats != nullptr && mats->is_array() && !mats->as_array().empty()) {
      const auto& m = mats->as_array()[0];
      p.source_repo = StringAt(Path(m, {"uri"}));
      p.source_commit = StringAt(Path(m, {"digest", "sha1"}));
    }
    std::string s = StringAt(Path(st, {"predicate", "metadata", "buildStartedOn"}));
    std::string f = StringAt(Path(st, {"predicate", "metadata", "buildFinishedOn"}));
    if (!s.empty()) p.started_at = s;
    if (!f.empty()) p.finished_at = f;
  } else {
    return Fail(FieldError("provenance.predicateType",
                           "must be https://slsa.dev/provenance/v1 or v0.2, got '" + pred + "'"));
  }
  if (p.builder_id.empty()) {
    return Fail(FieldError("provenance.predicate", "names no builder id"));
  }
  for (auto* t : {&p.started_at, &p.finished_at}) {
    if (*t) {
      auto parsed = ParseTime(**t);
      if (!parsed) {
        return Fail(FieldError("provenance.predicate", "has an invalid timestamp '" + **t + "'"));
      }
      *t = FormatTime(*parsed);
    }
  }
  return p;
}

Result<storage::Image> ImageService::CreateImage(const RequestContext& ctx, NewImage in) {
  QLRF_TRY(CheckName("family", in.family, 128));
  QLRF_TRY(CheckName("version", in.version, 128));
  std::string now = Now();
  storage::Image m;
  m.id = NewUuid(random_);
  m.org_id = ctx.principal.org_id;
  m.family = in.family;
  m.version = in.version;
  m.status = "draft";
  m.os = in.os;
  m.is_signed = in.is_signed;
  m.sbom_ref = in.sbom_ref;
  m.description = in.description;
  m.artifacts = std::move(in.artifacts);
  m.tags = std::move(in.tags);
  m.created_at = m.updated_at = now;
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Image> {
    QLRF_ASSIGN_OR_RETURN(auto family, ImageStore::FindFamily(tx, m.family));
    if (!family) {
      storage::ImageFamily f{NewUuid(random_), ctx.principal.org_id, m.family, m.os, "", now, now};
      QLRF_TRY(ImageStore::CreateFamily(tx, f));
      family = f;
    }
    m.family_id = family->id;
    auto st = ImageStore::CreateImage(tx, m);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("image " + m.family + " " + m.version + " already exists")
                      .With("field", "version"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "image.create", "image", m.id, nullptr, Summary(m)));
    return m;
  });
}

Result<storage::Image> ImageService::GetImage(const RequestContext& ctx, std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Image> {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
    return m;
  });
}

Result<storage::Page<storage::Image>> ImageService::ListImages(const RequestContext& ctx,
                                                               const storage::ImageFilter& filter,
                                                               const storage::PageRequest& page) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return ImageStore::ListImages(tx, filter, page); });
}

Result<storage::Image> ImageService::PatchImage(const RequestContext& ctx, std::string_view id,
                                                const boost::json::object& patch) {
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Image> {
    QLRF_ASSIGN_OR_RETURN(auto current, Required(ImageStore::GetImage(tx, id), "image"));
    storage::Image m = current;
    for (const auto& [k, v] : patch) {
      std::string key(k);
      if (key == "description" && v.is_string()) {
        m.description = std::string(v.as_string());
      } else if (key == "signed" && v.is_bool()) {
        m.is_signed = v.as_bool();
      } else if (key == "sbom_ref" && v.is_string()) {
        m.sbom_ref = std::string(v.as_string());
      } else if (key == "os" && v.is_string()) {
        m.os = std::string(v.as_string());
      } else if (key == "artifacts") {
        QLRF_ASSIGN_OR_RETURN(m.artifacts, ArtifactsFromJson(v));
      } else if (key == "tags") {
        QLRF_ASSIGN_OR_RETURN(m.tags, TagsFromJson(v));
      } else {
        return Fail(FieldError(key, "unknown or mistyped field"));
      }
    }
    m.updated_at = Now();
    QLRF_TRY(ImageStore::UpdateImage(tx, m));
    QLRF_TRY(auditor_.Record(tx, ctx, "image.update", "image", m.id, Summary(current), Summary(m)));
    return m;
  });
}

Result<storage::Image> ImageService::Promote(const RequestContext& ctx, std::string_view id,
                                             std::string_view to, std::string reason) {
  if (reason.size() > 2000) {
    return Fail(FieldError("reason", "must be at most 2000 characters"));
  }
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Image> {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
    if (!storage::PromotionAllowed(m.status, to)) {
      return Fail(
          FailedPrecondition("an image cannot go from " + m.status + " to " + std::string(to))
              .With("field", "status")
              .With("current_status", m.status));
    }
    storage::Promotion p{NewUuid(random_), m.id,   m.status, std::string(to),
                         ctx.principal.id, reason, Now()};
    QLRF_TRY(ImageStore::SetStatus(tx, m, p));
    QLRF_TRY(auditor_.Record(tx, ctx, "image.promote", "image", m.id, {{"status", m.status}},
                             {{"status", p.to_status}, {"reason", reason}}));
    m.status = p.to_status;
    if (p.to_status == "production") {
      m.promoted_at = p.occurred_at;
    }
    m.updated_at = p.occurred_at;
    return m;
  });
}

Result<std::vector<storage::Promotion>> ImageService::Promotions(const RequestContext& ctx,
                                                                 std::string_view id) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<std::vector<storage::Promotion>> {
                    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
                    return ImageStore::Promotions(tx, id);
                  });
}

Result<std::vector<storage::ImageFamily>> ImageService::Families(const RequestContext& ctx) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) { return ImageStore::ListFamilies(tx); });
}

Result<storage::Image> ImageService::CurrentProduction(const RequestContext& ctx,
                                                       std::string_view family,
                                                       const std::optional<std::string>& platform,
                                                       const std::string& region) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Image> {
    QLRF_ASSIGN_OR_RETURN(auto m, ImageStore::CurrentProduction(tx, family, platform, region));
    if (!m) {
      return Fail(NotFound("the image family has no production image"));
    }
    return std::move(*m);
  });
}

Result<std::vector<storage::CurrentTarget>> ImageService::CurrentTargets(const RequestContext& ctx,
                                                                        std::string_view family) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<std::vector<storage::CurrentTarget>> {
                    QLRF_TRY(Required(ImageStore::FindFamily(tx, family), "image family"));
                    return ImageStore::CurrentTargets(tx, family);
                  });
}

Result<int64_t> ImageService::FamilyGeneration(const RequestContext& ctx, std::string_view family) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<int64_t> {
    QLRF_ASSIGN_OR_RETURN(auto f, Required(ImageStore::FindFamily(tx, family), "image family"));
    return f.generation;
  });
}

Result<ImageLineage> ImageService::Lineage(const RequestContext& ctx, std::string_view id) {
  return WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<ImageLineage> {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
    ImageLineage out;
    out.image = m;
    QLRF_ASSIGN_OR_RETURN(auto parents, ImageStore::Parents(tx, id));
    for (auto& e : parents) {
      QLRF_ASSIGN_OR_RETURN(auto p, ImageStore::GetImage(tx, e.parent_id));
      if (p) out.parents.emplace_back(std::move(e), std::move(*p));
    }
    QLRF_ASSIGN_OR_RETURN(auto children, ImageStore::Children(tx, id));
    for (auto& e : children) {
      QLRF_ASSIGN_OR_RETURN(auto c, ImageStore::GetImage(tx, e.child_id));
      if (c) out.children.emplace_back(std::move(e), std::move(*c));
    }
    return out;
  });
}

Result<std::vector<storage::TreeNode>> ImageService::FamilyTree(const RequestContext& ctx,
                                                                std::string_view family) {
  return WithRead(
      db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<std::vector<storage::TreeNode>> {
        QLRF_ASSIGN_OR_RETURN(auto f, Required(ImageStore::FindFamily(tx, family), "image family"));
        return ImageStore::FamilyTree(tx, family);
      });
}

Result<storage::LineageEdge> ImageService::AddParent(const RequestContext& ctx,
                                                     std::string_view child_id,
                                                     std::string_view parent_id,
                                                     std::string relation) {
  if (relation != "derived_from" && relation != "patched_from" && relation != "rebuilt_from") {
    return Fail(FieldError("relation", "must be one of derived_from, patched_from, rebuilt_from"));
  }
  if (!IsUuid(parent_id)) {
    return Fail(FieldError("parent_id", "must be a UUID"));
  }
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::LineageEdge> {
    QLRF_ASSIGN_OR_RETURN(auto child, Required(ImageStore::GetImage(tx, child_id), "image"));
    QLRF_ASSIGN_OR_RETURN(auto parent, ImageStore::GetImage(tx, parent_id));
    if (!parent) {
      return Fail(FieldError("parent_id", "no such image").With("reason", "not_found"));
    }
    if (child_id == parent_id) {
      return Fail(
          FailedPrecondition("an image cannot be its own parent").With("field", "parent_id"));
    }
    QLRF_ASSIGN_OR_RETURN(bool cycle, ImageStore::IsAncestor(tx, child_id, parent_id));
    if (cycle) {
      return Fail(FailedPrecondition("the parent descends from this image; the "
                                     "edge would make a lineage cycle")
                      .With("field", "parent_id"));
    }
    storage::LineageEdge e{std::string(parent_id), std::string(child_id), relation, Now()};
    auto st = ImageStore::AddParent(tx, e);
    if (!st && st.error().code == ErrorCode::kAlreadyExists) {
      return Fail(AlreadyExists("this parent is already recorded").With("field", "parent_id"));
    }
    QLRF_TRY(st);
    QLRF_TRY(auditor_.Record(tx, ctx, "image.lineage.add_parent", "image", std::string(child_id),
                             nullptr, {{"parent_id", e.parent_id}, {"relation", e.relation}}));
    return e;
  });
}

Result<storage::Build> ImageService::AddBuild(const RequestContext& ctx, std::string_view image_id,
                                              const boost::json::value& statement,
                                              std::optional<int64_t> slsa_level) {
  QLRF_ASSIGN_OR_RETURN(auto prov, ParseProvenance(statement));
  if (slsa_level && (*slsa_level < 0 || *slsa_level > 4)) {
    return Fail(FieldError("slsa_level", "must be between 0 and 4"));
  }
  storage::Build b;
  b.id = NewUuid(random_);
  b.image_id = std::string(image_id);
  b.builder_id = prov.builder_id;
  b.build_type = prov.build_type;
  b.source_repo = prov.source_repo;
  b.source_commit = prov.source_commit;
  b.started_at = prov.started_at;
  b.finished_at = prov.finished_at;
  // Provenance with a named builder is SLSA Build L1 at least; higher levels come from the
  // caller, who verified the signature and the builder.
  b.slsa_level = slsa_level.value_or(1);
  b.provenance = json::Serialize(statement);
  b.created_at = Now();
  return WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Build> {
    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, image_id), "image"));
    QLRF_TRY(ImageStore::AddBuild(tx, b));
    QLRF_TRY(auditor_.Record(tx, ctx, "image.build.add", "image", m.id, nullptr,
                             {{"builder_id", b.builder_id},
                              {"source_repo", b.source_repo},
                              {"slsa_level", b.slsa_level}}));
    return b;
  });
}

Result<std::vector<storage::Build>> ImageService::Builds(const RequestContext& ctx,
                                                         std::string_view id) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<std::vector<storage::Build>> {
                    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
                    return ImageStore::Builds(tx, id);
                  });
}

Result<std::vector<storage::DeploymentGroup>> ImageService::Deployments(const RequestContext& ctx,
                                                                        std::string_view id) {
  return WithRead(db_, ctx.principal.org_id,
                  [&](Transaction& tx) -> Result<std::vector<storage::DeploymentGroup>> {
                    QLRF_ASSIGN_OR_RETURN(auto m, Required(ImageStore::GetImage(tx, id), "image"));
                    return ImageStore::Deployments(tx, m);
                  });
}

}  // namespace qlrf::services
