// Golden-image use cases: versions per family, lifecycle promotions (only allowed transitions,
// each recorded), lineage with cycle refusal, SLSA/in-toto build provenance, deployments.
#pragma once

#include <boost/json/fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "storage/database.h"
#include "storage/image_store.h"

namespace qlrf::services {

struct NewImage {
  std::string family;
  std::string version;
  std::string os;
  std::string description;
  bool is_signed = false;
  std::string sbom_ref;
  std::vector<storage::ImageArtifact> artifacts;
  std::map<std::string, std::string> tags;
};

// From an API body: family, version (required), os, description, signed, sbom_ref, artifacts,
// tags. InvalidArgument naming the member.
Result<NewImage> NewImageFromJson(const boost::json::object& body);

struct ImageLineage {
  storage::Image image;
  std::vector<std::pair<storage::LineageEdge, storage::Image>> parents;
  std::vector<std::pair<storage::LineageEdge, storage::Image>> children;
};

// What an in-toto Statement carrying SLSA provenance (v1 or v0.2) says about a build.
struct ParsedProvenance {
  std::string builder_id;
  std::string build_type;
  std::string source_repo;
  std::string source_commit;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
};
// InvalidArgument naming the member when the statement is not SLSA provenance.
Result<ParsedProvenance> ParseProvenance(const boost::json::value& statement);

// Thread-safe.
class ImageService {
 public:
  ImageService(storage::Database& db, Auditor& auditor, const Clock& clock, Random& random)
      : db_(db), auditor_(auditor), clock_(clock), random_(random) {}

  // Creates the version (status draft); the family is created on first use. AlreadyExists for
  // a duplicate family/version.
  Result<storage::Image> CreateImage(const RequestContext& ctx, NewImage image);
  Result<storage::Image> GetImage(const RequestContext& ctx, std::string_view id);
  Result<storage::Page<storage::Image>> ListImages(const RequestContext& ctx,
                                                   const storage::ImageFilter& filter,
                                                   const storage::PageRequest& page);
  // Members: description, signed, sbom_ref, os, artifacts, tags.
  Result<storage::Image> PatchImage(const RequestContext& ctx, std::string_view id,
                                    const boost::json::object& patch);
  // FailedPrecondition (409) when the lifecycle does not allow the transition.
  Result<storage::Image> Promote(const RequestContext& ctx, std::string_view id,
                                 std::string_view to_status, std::string reason);
  Result<std::vector<storage::Promotion>> Promotions(const RequestContext& ctx,
                                                     std::string_view id);

  Result<std::vector<storage::ImageFamily>> Families(const RequestContext& ctx);
  // NotFound when the family has no production image. With a platform: the current production
  // image for that deployment target (storage::ImageStore::CurrentProduction).
  Result<storage::Image> CurrentProduction(const RequestContext& ctx, std::string_view family,
                                           const std::optional<std::string>& platform = {},
                                           const std::string& region = "");
  // The targets with a current production image of their own (NotFound for an unknown family).
  Result<std::vector<storage::CurrentTarget>> CurrentTargets(const RequestContext& ctx,
                                                             std::string_view family);

  // The family's change counter (NotFound for an unknown family): a cache key for its tree.
  Result<int64_t> FamilyGeneration(const RequestContext& ctx, std::string_view family);
  Result<ImageLineage> Lineage(const RequestContext& ctx, std::string_view id);
  // NotFound for an unknown family.
  Result<std::vector<storage::TreeNode>> FamilyTree(const RequestContext& ctx,
                                                    std::string_view family);
  // FailedPrecondition (409) for a self-parent or a cycle; AlreadyExists for a repeated edge.
  Result<storage::LineageEdge> AddParent(const RequestContext& ctx, std::string_view child_id,
                                         std::string_view parent_id, std::string relation);

  Result<storage::Build> AddBuild(const RequestContext& ctx, std::string_view image_id,
                                  const boost::json::value& statement,
                                  std::optional<int64_t> slsa_level);
  Result<std::vector<storage::Build>> Builds(const RequestContext& ctx, std::string_view id);
  Result<std::vector<storage::DeploymentGroup>> Deployments(const RequestContext& ctx,
                                                            std::string_view id);

 private:
  std::string Now() const { return FormatTime(clock_.Now()); }
  storage::Database& db_;
  Auditor& auditor_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace qlrf::services
