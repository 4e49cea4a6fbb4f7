// ImageStore: golden images, their lifecycle and lineage over portable SQL.
#include "storage/image_store.h"

#include <algorithm>
#include <deque>
#include <unordered_map>

namespace qlrf::storage {
namespace {

void RequireTenant(const Transaction& tx) {
  QLRF_CHECK(!tx.org_id().empty(), "tenant query run in a system transaction");
}

std::string P(const Params& p) { return "$" + std::to_string(p.size()); }

constexpr std::string_view kImageCols =
    "id, org_id, family_id, family, version, status, os, signed, sbom_ref, description, "
    "promoted_at, created_at, updated_at";

Image ImageAt(const RowSet& r, size_t i) {
  Image m;
  m.id = r.Text(i, 0);
  m.org_id = r.Text(i, 1);
  m.family_id = r.Text(i, 2);
  m.family = r.Text(i, 3);
  m.version = r.Text(i, 4);
  m.status = r.Text(i, 5);
  m.os = r.Text(i, 6);
  m.is_signed = r.Bool(i, 7);
  m.sbom_ref = r.Text(i, 8);
  m.description = r.Text(i, 9);
  m.promoted_at = r.OptText(i, 10);
  m.created_at = r.Text(i, 11);
  m.updated_at = r.Text(i, 12);
  return m;
}

// Loads artifacts and tags for the given images (one query each).
Status LoadDetails(Transaction& tx, std::vector<Image>& images) {
  if (images.empty()) {
    return Ok();
  }
  std::unordered_map<std::string, Image*> by_id;
  Params params{tx.org_id()};
  std::string in;
  for (auto& m : images) {
    by_id[m.id] = &m;
    params.Add(m.id);
    in += (in.empty() ? "" : ", ") + P(params);
  }
  QLRF_ASSIGN_OR_RETURN(auto arts, tx.Query("SELECT image_id, platform, region, ref FROM "
                                            "image_artifacts WHERE org_id = $1 AND image_id IN (" +
                                                in + ") ORDER BY platform, region",
                                            params));
  for (size_t i = 0; i < arts.rows(); ++i) {
    by_id[arts.Text(i, 0)]->artifacts.push_back(
        ImageArtifact{arts.Text(i, 1), arts.Text(i, 2), arts.Text(i, 3)});
  }
  QLRF_ASSIGN_OR_RETURN(auto tags, tx.Query("SELECT image_id, key, value FROM image_tags WHERE "
                                            "org_id = $1 AND image_id IN (" +
                                                in + ")",
                                            params));
  for (size_t i = 0; i < tags.rows(); ++i) {
    by_id[tags.Text(i, 0)]->tags[tags.Text(i, 1)] = tags.Text(i, 2);
  }
  return Ok();
}

Status WriteArtifactsAndTags(Transaction& tx, const Image& m, std::string_view now) {
  QLRF_TRY(tx.Exec("DELETE FROM image_artifacts WHERE org_id = $1 AND image_id = $2",
                   {tx.org_id(), m.id}));
  for (const auto& a : m.artifacts) {
    QLRF_TRY(
        tx.Exec("INSERT INTO image_artifacts (id, org_id, image_id, platform, region, ref, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                {m.id + ":" + a.platform + ":" + a.region, tx.org_id(), m.id, a.platform, a.region,
                 a.ref, std::string(now)}));
  }
  QLRF_TRY(
      tx.Exec("DELETE FROM image_tags WHERE org_id = $1 AND image_id = $2", {tx.org_id(), m.id}));
  for (const auto& [k, v] : m.tags) {
    QLRF_TRY(
        tx.Exec("INSERT INTO image_tags (org_id, image_id, key, value) VALUES ($1, $2, $3, $4)",
                {tx.org_id(), m.id, k, v}));
  }
  return Ok();
}

// Recomputes the family's current production image (image_family_current: the most recently
// promoted production version) and its rows of image_current_targets (a family has tens to
// hundreds of versions, so these are small queries); called wherever a status, the artifacts or
// the set of images change.
Status RefreshCurrent(Transaction& tx, std::string_view family) {
  const std::string f(family);
  QLRF_ASSIGN_OR_RETURN(
      auto cur, tx.Query("SELECT id, version, COALESCE(promoted_at, updated_at) AS since FROM "
                         "images WHERE org_id = $1 AND family = $2 AND status = 'production' "
                         "ORDER BY since DESC, id DESC LIMIT 1",
                         {tx.org_id(), f}));
  if (cur.empty()) {
    QLRF_TRY(tx.Exec("DELETE FROM image_family_current WHERE org_id = $1 AND family = $2",
                     {tx.org_id(), f}));
  } else {
    QLRF_TRY(
        tx.Exec("INSERT INTO image_family_current (org_id, family, image_id, version, since) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, family) DO UPDATE SET "
                "image_id = excluded.image_id, version = excluded.version, "
                "since = excluded.since",
                {tx.org_id(), f, cur.Text(0, 0), cur.Text(0, 1), cur.Text(0, 2)}));
  }
  QLRF_TRY(tx.Exec("DELETE FROM image_current_targets WHERE org_id = $1 AND family = $2",
                   {tx.org_id(), f}));
  return tx
      .Exec(
          "INSERT INTO image_current_targets (org_id, family, platform, region, image_id, "
          "version, ref, since) SELECT org_id, family, platform, region, image_id, version, ref, "
          "since FROM (SELECT i.org_id, i.family, a.platform, a.region, i.id AS image_id, "
          "i.version, a.ref, COALESCE(i.promoted_at, i.updated_at) AS since, ROW_NUMBER() OVER "
          "(PARTITION BY a.platform, a.region ORDER BY COALESCE(i.promoted_at, i.updated_at) "
          "DESC, i.id DESC) AS rn FROM images i JOIN image_artifacts a ON a.org_id = i.org_id "
          "AND a.image_id = i.id WHERE i.org_id = $1 AND i.family = $2 AND i.status = "
          "'production') best WHERE rn = 1",
          {tx.org_id(), f})
      .map([](int64_t) {});
}

LineageEdge EdgeAt(const RowSet& r, size_t i) {
  return LineageEdge{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3)};
}

}  // namespace

bool PromotionAllowed(std::string_view from, std::string_view to) {
  static const std::vector<std::pair<std::string_view, std::string_view>> kAllowed = {
      {"draft", "testing"},      {"draft", "revoked"},         {"testing", "production"},
      {"testing", "draft"},      {"testing", "revoked"},       {"production", "deprecated"},
      {"production", "revoked"}, {"deprecated", "production"}, {"deprecated", "revoked"}};
  return std::find(kAllowed.begin(), kAllowed.end(), std::pair(from, to)) != kAllowed.end();
}

// --- families --------------------------------------------------------------------------------

Status ImageStore::CreateFamily(Transaction& tx, const ImageFamily& f) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO golden_image_families (id, org_id, name, os, description, "
              "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {f.id, tx.org_id(), f.name, f.os, f.description, f.created_at, f.updated_at}));
  return Ok();
}

Result<std::optional<ImageFamily>> ImageStore::FindFamily(Transaction& tx, std::string_view name) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT id, org_id, name, os, description, created_at, "
                                         "updated_at, generation FROM golden_image_families "
                                         "WHERE org_id = $1 AND name = $2",
                                         {tx.org_id(), std::string(name)}));
  if (r.empty()) {
    return std::optional<ImageFamily>();
  }
  return std::optional<ImageFamily>(ImageFamily{r.Text(0, 0), r.Text(0, 1), r.Text(0, 2),
                                                r.Text(0, 3), r.Text(0, 4), r.Text(0, 5),
                                                r.Text(0, 6), r.Int(0, 7)});
}

Status ImageStore::BumpFamily(Transaction& tx, std::string_view family) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("UPDATE golden_image_families SET generation = generation + 1 WHERE "
              "org_id = $1 AND name = $2",
              {tx.org_id(), std::string(family)}));
  return Ok();
}

Result<std::vector<ImageFamily>> ImageStore::ListFamilies(Transaction& tx) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT id, org_id, name, os, description, created_at, "
                                         "updated_at, generation FROM golden_image_families "
                                         "WHERE org_id = $1 ORDER BY name",
                                         {tx.org_id()}));
  std::vector<ImageFamily> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(ImageFamily{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                              r.Text(i, 5), r.Text(i, 6), r.Int(i, 7)});
  }
  return out;
}

// --- images ----------------------------------------------------------------------------------

Status ImageStore::CreateImage(Transaction& tx, const Image& m) {
  RequireTenant(tx);
  QLRF_TRY(tx.Exec("INSERT INTO images (" + std::string(kImageCols) +
                       ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                   Params{m.id, tx.org_id(), m.family_id, m.family, m.version, m.status, m.os,
                          int64_t{m.is_signed ? 1 : 0}, m.sbom_ref, m.description}
                       .AddOptional(m.promoted_at)
                       .Add(m.created_at)
                       .Add(m.updated_at)));
  QLRF_TRY(BumpFamily(tx, m.family));
  QLRF_TRY(WriteArtifactsAndTags(tx, m, m.created_at));
  return m.status == "production" ? RefreshCurrent(tx, m.family) : Ok();
}

Result<std::optional<Image>> ImageStore::GetImage(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kImageCols) +
                                             " FROM images WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  if (r.empty()) {
    return std::optional<Image>();
  }
  std::vector<Image> one{ImageAt(r, 0)};
  QLRF_TRY(LoadDetails(tx, one));
  return std::optional<Image>(std::move(one[0]));
}

Result<bool> ImageStore::ImageExists(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT 1 FROM images WHERE org_id = $1 AND id = $2",
                                         {tx.org_id(), std::string(id)}));
  return !r.empty();
}

Result<Page<Image>> ImageStore::ListImages(Transaction& tx, const ImageFilter& filter,
                                           const PageRequest& page) {
  RequireTenant(tx);
  Params params{tx.org_id()};
  std::string where = " WHERE org_id = $1";
  if (filter.family) {
    params.Add(*filter.family);
    where += " AND family = " + P(params);
  }
  if (filter.status) {
    params.Add(*filter.status);
    where += " AND status = " + P(params);
  }
  if (page.after_key && page.after_id) {
    params.Add(*page.after_key);
    std::string k = P(params);
    params.Add(*page.after_id);
    where += " AND (created_at, id) > (" + k + ", " + P(params) + ")";
  }
  params.Add(int64_t{page.limit + 1});
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT " + std::string(kImageCols) + " FROM images" +
                                             where + " ORDER BY created_at, id LIMIT " + P(params),
                                         params));
  std::vector<Image> items;
  for (size_t i = 0; i < r.rows(); ++i) {
    items.push_back(ImageAt(r, i));
  }
  auto out = MakePage(std::move(items), page.limit, [](const Image& m) {
    return std::pair<std::string, std::string>(m.created_at, m.id);
  });
  QLRF_TRY(LoadDetails(tx, out.items));
  return out;
}

Status ImageStore::UpdateImage(Transaction& tx, const Image& m) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec("UPDATE images SET description = $3, signed = $4, sbom_ref = $5, os = $6, "
                         "updated_at = $7 WHERE org_id = $1 AND id = $2",
                         {tx.org_id(), m.id, m.description, int64_t{m.is_signed ? 1 : 0},
                          m.sbom_ref, m.os, m.updated_at}));
  if (n == 0) {
    return Fail(NotFound("image not found"));
  }
  QLRF_TRY(WriteArtifactsAndTags(tx, m, m.updated_at));
  return RefreshCurrent(tx, m.family);
}

Status ImageStore::DeleteImage(Transaction& tx, std::string_view id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto fam, tx.Query("SELECT family FROM images WHERE org_id = $1 AND id = $2",
                                           {tx.org_id(), std::string(id)}));
  if (fam.empty()) {
    return Fail(NotFound("image not found"));
  }
  const std::string family = fam.Text(0, 0);
  QLRF_TRY(BumpFamily(tx, family));
  QLRF_TRY(tx.Exec("DELETE FROM images WHERE org_id = $1 AND id = $2",
                   {tx.org_id(), std::string(id)}));
  // The deleted image may have been the current one somewhere: the next best takes over.
  return RefreshCurrent(tx, family);
}

Status ImageStore::SetStatus(Transaction& tx, const Image& m, const Promotion& p) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("UPDATE images SET status = $3, updated_at = $4, promoted_at = CASE WHEN $3 = "
              "'production' THEN $4 ELSE promoted_at END WHERE org_id = $1 AND id = $2",
              {tx.org_id(), m.id, p.to_status, p.occurred_at}));
  QLRF_TRY(tx.Exec(
      "INSERT INTO image_promotions (id, org_id, image_id, from_status, to_status, "
      "actor_id, reason, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      {p.id, tx.org_id(), m.id, p.from_status, p.to_status, p.actor_id, p.reason, p.occurred_at}));
  QLRF_TRY(BumpFamily(tx, m.family));
  return RefreshCurrent(tx, m.family);
}

Result<std::vector<Promotion>> ImageStore::Promotions(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT id, image_id, from_status, to_status, actor_id, "
                                         "reason, occurred_at FROM image_promotions WHERE org_id = "
                                         "$1 AND image_id = $2 ORDER BY occurred_at, id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<Promotion> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(Promotion{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                            r.Text(i, 5), r.Text(i, 6)});
  }
  return out;
}

Result<std::optional<Image>> ImageStore::CurrentProduction(Transaction& tx,
                                                           std::string_view family,
                                                           const std::optional<std::string>& platform,
                                                           const std::string& region) {
  RequireTenant(tx);
  Params params{tx.org_id(), std::string(family)};
  std::string sql = "SELECT image_id FROM image_family_current WHERE org_id = $1 AND family = $2";
  if (platform) {
    params.Add(*platform).Add(region);
    sql = "SELECT " + CurrentAtTargetSql("image_id", "$1", "$2", "$3", "$4");
  }
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query(sql, params));
  if (r.empty() || r.IsNull(0, 0)) {
    return std::optional<Image>();
  }
  return GetImage(tx, r.Text(0, 0));
}

std::string ImageStore::CurrentAtTargetSql(std::string_view column, std::string_view org,
                                           std::string_view family, std::string_view platform,
                                           std::string_view region) {
  const std::string col(column);
  const std::string of = "c.org_id = " + std::string(org) + " AND c.family = " +
                         std::string(family);
  const std::string at = "(SELECT c." + col + " FROM image_current_targets c WHERE " + of +
                         " AND c.platform = " + std::string(platform) + " AND c.region = ";
  // The exact target, then the platform-wide artifact, then the family's.
  return "COALESCE(" + at + std::string(region) + "), " + at + "''), (SELECT c." + col +
         " FROM image_family_current c WHERE " + of + "))";
}

Result<std::vector<CurrentTarget>> ImageStore::CurrentTargets(Transaction& tx,
                                                              std::string_view family) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT platform, region, image_id, version, ref, since FROM "
                       "image_current_targets WHERE org_id = $1 AND family = $2 ORDER BY "
                       "platform, region",
                       {tx.org_id(), std::string(family)}));
  std::vector<CurrentTarget> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(CurrentTarget{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3),
                                r.Text(i, 4), r.Text(i, 5)});
  }
  return out;
}

// --- lineage ---------------------------------------------------------------------------------

Result<bool> ImageStore::IsAncestor(Transaction& tx, std::string_view ancestor,
                                    std::string_view image) {
  RequireTenant(tx);
  // UNION (not UNION ALL) drops revisited rows, so the walk ends even on corrupt cyclic data.
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("WITH RECURSIVE up (id) AS (SELECT CAST($2 AS TEXT) UNION SELECT "
                       "l.parent_id FROM image_lineage l JOIN up ON l.child_id = up.id WHERE "
                       "l.org_id = $1) SELECT count(*) FROM up WHERE id = $3",
                       {tx.org_id(), std::string(image), std::string(ancestor)}));
  return r.Int(0, 0) > 0;
}

Status ImageStore::AddParent(Transaction& tx, const LineageEdge& e) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO image_lineage (org_id, parent_id, child_id, relation, created_at) "
              "VALUES ($1, $2, $3, $4, $5)",
              {tx.org_id(), e.parent_id, e.child_id, e.relation, e.created_at}));
  QLRF_TRY(
      tx.Exec("UPDATE golden_image_families SET generation = generation + 1 WHERE org_id = "
              "$1 AND name = (SELECT family FROM images WHERE org_id = $1 AND id = $2)",
              {tx.org_id(), e.child_id}));
  return Ok();
}

Result<std::vector<LineageEdge>> ImageStore::Parents(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT parent_id, child_id, relation, created_at FROM "
                                         "image_lineage WHERE org_id = $1 AND child_id = $2 ORDER "
                                         "BY created_at, parent_id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<LineageEdge> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(EdgeAt(r, i));
  }
  return out;
}

Result<std::vector<LineageEdge>> ImageStore::Children(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT parent_id, child_id, relation, created_at FROM "
                                         "image_lineage WHERE org_id = $1 AND parent_id = $2 ORDER "
                                         "BY created_at, child_id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<LineageEdge> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(EdgeAt(r, i));
  }
  return out;
}

Result<std::vector<TreeNode>> ImageStore::FamilyTree(Transaction& tx, std::string_view family) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto imgs, tx.Query("SELECT id, version, status FROM images WHERE "
                                            "org_id = $1 AND family = $2 ORDER BY created_at, id",
                                            {tx.org_id(), std::string(family)}));
  QLRF_ASSIGN_OR_RETURN(
      auto edges, tx.Query("SELECT l.parent_id, l.child_id, l.relation FROM image_lineage l JOIN "
                           "images c ON c.id = l.child_id AND c.org_id = l.org_id WHERE "
                           "l.org_id = $1 AND c.family = $2",
                           {tx.org_id(), std::string(family)}));
  std::unordered_map<std::string, size_t> index;
  std::vector<TreeNode> nodes;
  nodes.reserve(imgs.rows());
  for (size_t i = 0; i < imgs.rows(); ++i) {
    TreeNode n;
    n.image_id = imgs.Text(i, 0);
    n.version = imgs.Text(i, 1);
    n.status = imgs.Text(i, 2);
    n.family = std::string(family);
    index[n.image_id] = nodes.size();
    nodes.push_back(std::move(n));
  }
  // Each node's first parent inside the family makes the tree; parents from other families
  // (a hardened child of a base image) are shown as the node's parent with depth 0.
  std::unordered_map<std::string, std::vector<size_t>> children;
  for (size_t i = 0; i < edges.rows(); ++i) {
    auto it = index.find(edges.Text(i, 1));
    if (it == index.end()) {
      continue;
    }
    TreeNode& child = nodes[it->second];
    if (child.parent_id) {
      continue;
    }
    child.parent_id = edges.Text(i, 0);
    child.relation = edges.Text(i, 2);
    if (index.count(*child.parent_id)) {
      children[*child.parent_id].push_back(it->second);
    }
  }
  // Depths by breadth-first walk from the roots (nodes without an in-family parent).
  std::deque<size_t> queue;
  std::vector<bool> seen(nodes.size(), false);
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!nodes[i].parent_id || !index.count(*nodes[i].parent_id)) {
      queue.push_back(i);
      seen[i] = true;
    }
  }
  std::vector<TreeNode> ordered;
  ordered.reserve(nodes.size());
  while (!queue.empty()) {
    size_t i = queue.front();
    queue.pop_front();
    ordered.push_back(nodes[i]);
    for (size_t c : children[nodes[i].image_id]) {
      if (!seen[c]) {
        seen[c] = true;
        nodes[c].depth = nodes[i].depth + 1;
        queue.push_back(c);
      }
    }
  }
  return ordered;
}

// --- builds and deployments ------------------------------------------------------------------

Status ImageStore::AddBuild(Transaction& tx, const Build& b) {
  RequireTenant(tx);
  QLRF_TRY(
      tx.Exec("INSERT INTO image_builds (id, org_id, image_id, builder_id, build_type, "
              "source_repo, source_commit, started_at, finished_at, slsa_level, provenance, "
              "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
              Params{b.id, tx.org_id(), b.image_id, b.builder_id, b.build_type, b.source_repo,
                     b.source_commit}
                  .AddOptional(b.started_at)
                  .AddOptional(b.finished_at)
                  .Add(b.slsa_level)
                  .Add(b.provenance)
                  .Add(b.created_at)));
  return Ok();
}

Result<std::vector<Build>> ImageStore::Builds(Transaction& tx, std::string_view image_id) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(auto r, tx.Query("SELECT id, image_id, builder_id, build_type, "
                                         "source_repo, source_commit, started_at, finished_at, "
                                         "slsa_level, provenance, created_at FROM image_builds "
                                         "WHERE org_id = $1 AND image_id = $2 ORDER BY created_at "
                                         "DESC, id",
                                         {tx.org_id(), std::string(image_id)}));
  std::vector<Build> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(Build{r.Text(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Text(i, 4),
                        r.Text(i, 5), r.OptText(i, 6), r.OptText(i, 7), r.Int(i, 8), r.Text(i, 9),
                        r.Text(i, 10)});
  }
  return out;
}

Result<std::vector<DeploymentGroup>> ImageStore::Deployments(Transaction& tx, const Image& m) {
  RequireTenant(tx);
  QLRF_ASSIGN_OR_RETURN(
      auto r, tx.Query("SELECT a.site_id, COALESCE(s.name, ''), a.environment, count(*), "
                       "SUM(CASE WHEN a.state = 'running' THEN 1 ELSE 0 END) FROM assets a "
                       "LEFT JOIN sites s ON s.id = a.site_id AND s.org_id = a.org_id WHERE "
                       "a.org_id = $1 AND a.image_family = $2 AND a.image_version = $3 GROUP BY "
                       "a.site_id, s.name, a.environment ORDER BY a.environment, s.name",
                       {tx.org_id(), m.family, m.version}));
  std::vector<DeploymentGroup> out;
  for (size_t i = 0; i < r.rows(); ++i) {
    out.push_back(
        DeploymentGroup{r.OptText(i, 0), r.Text(i, 1), r.Text(i, 2), r.Int(i, 3), r.Int(i, 4)});
  }
  return out;
}

}  // namespace qlrf::storage
