// Golden images: families, versions, per-platform artifacts, status promotions, lineage, build
// provenance, tags and deployments. Stateless; scoped by tx.org_id().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/paging.h"

namespace qlrf::storage {

struct ImageFamily {
  std::string id;
  std::string org_id;
  std::string name;
  std::string os;
  std::string description;
  std::string created_at;
  std::string updated_at;
  int64_t generation = 0;  // bumped on every change to the family's versions or lineage
};

struct ImageArtifact {
  std::string platform;  // aws | azure | gcp | vsphere | k8s | libvirt | baremetal
  std::string region;
  std::string ref;  // AMI id, Azure image id, GCP image, vSphere template, container digest
};

struct Image {
  std::string id;
  std::string org_id;
  std::string family_id;
  std::string family;
  std::string version;
  std::string status;  // draft | testing | production | deprecated | revoked
  std::string os;
  bool is_signed = false;
  std::string sbom_ref;
  std::string description;
  std::optional<std::string> promoted_at;
  std::string created_at;
  std::string updated_at;
  std::vector<ImageArtifact> artifacts;
  std::map<std::string, std::string> tags;
};

// The current production image of a family at one deployment target (see migration 0013).
struct CurrentTarget {
  std::string platform;
  std::string region;  // '' = every region of the platform
  std::string image_id;
  std::string version;
  std::string ref;    // the artifact at that target
  std::string since;  // when that image was promoted
};

struct ImageFilter {
  std::optional<std::string> family;
  std::optional<std::string> status;
};

struct Promotion {
  std::string id;
  std::string image_id;
  std::string from_status;
  std::string to_status;
  std::string actor_id;
  std::string reason;
  std::string occurred_at;
};

struct LineageEdge {
  std::string parent_id;
  std::string child_id;
  std::string relation;  // derived_from | patched_from | rebuilt_from
  std::string created_at;
};

struct TreeNode {
  std::string image_id;
  std::optional<std::string> parent_id;
  std::optional<std::string> relation;
  int64_t depth = 0;
  std::string family;
  std::string version;
  std::string status;
};

struct Build {
  std::string id;
  std::string image_id;
  std::string builder_id;
  std::string build_type;
  std::string source_repo;
  std::string source_commit;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  int64_t slsa_level = 0;
  std::string provenance;  // the statement as received (JSON text)
  std::string created_at;
};

struct DeploymentGroup {
  std::optional<std::string> site_id;
  std::string site_name;
  std::string environment;
  int64_t assets = 0;
  int64_t running = 0;
};

class ImageStore {
 public:
  // Families.
  static Status CreateFamily(Transaction& tx, const ImageFamily& f);
  static Result<std::optional<ImageFamily>> FindFamily(Transaction& tx, std::string_view name);
  static Result<std::vector<ImageFamily>> ListFamilies(Transaction& tx);
  // Marks the family's derived views (lineage tree) stale.
  static Status BumpFamily(Transaction& tx, std::string_view family);

  // Images (with artifacts and tags).
  static Status CreateImage(Transaction& tx, const Image& image);
  static Result<std::optional<Image>> GetImage(Transaction& tx, std::string_view id);
  // Whether the org has the image (one indexed lookup, none of GetImage's details).
  static Result<bool> ImageExists(Transaction& tx, std::string_view id);
  static Result<Page<Image>> ListImages(Transaction& tx, const ImageFilter& filter,
                                        const PageRequest& page);
  static Status UpdateImage(Transaction& tx,
                            const Image& image);  // description, signed, sbom_ref, tags
  static Status DeleteImage(Transaction& tx, std::string_view id);

  // Records a status change and keeps image_family_current and image_current_targets in step.
  static Status SetStatus(Transaction& tx, const Image& image, const Promotion& promotion);
  static Result<std::vector<Promotion>> Promotions(Transaction& tx, std::string_view image_id);
  // The family's current production image, if any: with a platform, the one for that target —
  // an artifact at (platform, region), else at (platform, ''), else the family's current
  // production image (what drift compares an asset with).
  static Result<std::optional<Image>> CurrentProduction(
      Transaction& tx, std::string_view family, const std::optional<std::string>& platform = {},
      const std::string& region = "");
  // The rule above as SQL, for use inside other statements: the `column` ("image_id" or
  // "version") of the family's current production image at a deployment target, each argument an
  // SQL expression; NULL when the family has none.
  static std::string CurrentAtTargetSql(std::string_view column, std::string_view org,
                                        std::string_view family, std::string_view platform,
                                        std::string_view region);
  // Every target that has its own current production image, ordered by platform and region.
  static Result<std::vector<CurrentTarget>> CurrentTargets(Transaction& tx,
                                                           std::string_view family);

  // Lineage.
  // True when `ancestor` is `image` or one of its ancestors (walks parents).
  static Result<bool> IsAncestor(Transaction& tx, std::string_view ancestor,
                                 std::string_view image);
  static Status AddParent(Transaction& tx, const LineageEdge& edge);
  static Result<std::vector<LineageEdge>> Parents(Transaction& tx, std::string_view image_id);
  static Result<std::vector<LineageEdge>> Children(Transaction& tx, std::string_view image_id);
  // Every image of the family with its place in the lineage forest (roots first, depth order).
  static Result<std::vector<TreeNode>> FamilyTree(Transaction& tx, std::string_view family);

  // Builds.
  static Status AddBuild(Transaction& tx, const Build& b);
  static Result<std::vector<Build>> Builds(Transaction& tx, std::string_view image_id);

  // Assets running the image, grouped by site and environment.
  static Result<std::vector<DeploymentGroup>> Deployments(Transaction& tx, const Image& image);
};

// Whether the lifecycle allows `from` → `to`.
bool PromotionAllowed(std::string_view from, std::string_view to);

}  // namespace qlrf::storage
