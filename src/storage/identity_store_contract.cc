// Contract tests for IdentityStore: run on every backend (see testing/contract.h).
#include "storage/identity_store.h"

#include "storage/testing/contract.h"

namespace qlrf::storage::testing {
namespace {

constexpr std::string_view kT0 = "2026-01-01T00:00:00.000Z";

Org MakeOrg(std::string id, std::string slug) {
  return Org{std::move(id),   slug, slug, std::nullopt, "plan_only", std::string(kT0),
             std::string(kT0)};
}

void SeedTwoOrgs(Database& db) {
  auto st = WithWrite(db, "", [](Transaction& tx) -> Status {
    QLRF_TRY(IdentityStore::CreateOrg(tx, MakeOrg("org-a", "a")));
    QLRF_TRY(IdentityStore::CreateOrg(tx, MakeOrg("org-b", "b")));
    return Ok();
  });
  ASSERT_TRUE(st) << st.error().ToString();
}

TEST_P(StoreContract, DuplicateOrgSlugIsAlreadyExists) {
  SeedTwoOrgs(db());
  auto st = WithWrite(db(), "", [](Transaction& tx) -> Status {
    return IdentityStore::CreateOrg(tx, MakeOrg("org-c", "a"));
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(StoreContract, ProjectsAreInvisibleToOtherOrgs) {
  SeedTwoOrgs(db());
  ASSERT_TRUE(WithWrite(db(), "org-a", [](Transaction& tx) -> Status {
    return IdentityStore::CreateProject(
        tx, Project{"p1", "", "web", "", std::string(kT0), std::string(kT0)});
  }));
  auto from_b =
      WithRead(db(), "org-b", [](Transaction& tx) { return IdentityStore::GetProject(tx, "p1"); });
  ASSERT_TRUE(from_b);
  EXPECT_FALSE(from_b->has_value());
  auto del_b = WithWrite(db(), "org-b",
                         [](Transaction& tx) { return IdentityStore::DeleteProject(tx, "p1"); });
  ASSERT_FALSE(del_b);
  EXPECT_EQ(del_b.error().code, ErrorCode::kNotFound);
  auto from_a =
      WithRead(db(), "org-a", [](Transaction& tx) { return IdentityStore::GetProject(tx, "p1"); });
  ASSERT_TRUE(from_a && from_a->has_value());
  EXPECT_EQ((*from_a)->org_id, "org-a");
}

TEST_P(StoreContract, ProjectPagesWalkEveryRowOnceInOrder) {
  SeedTwoOrgs(db());
  ASSERT_TRUE(WithWrite(db(), "org-a", [](Transaction& tx) -> Status {
    for (int i = 0; i < 7; ++i) {
      // Equal timestamps for some rows exercise the id tiebreaker.
      std::string t = i < 4 ? std::string(kT0) : "2026-01-02T00:00:00.000Z";
      QLRF_TRY(IdentityStore::CreateProject(
          tx, Project{"p" + std::to_string(i), "", "n" + std::to_string(i), "", t, t}));
    }
    return Ok();
  }));
  std::vector<std::string> seen;
  PageRequest req;
  req.limit = 3;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = WithRead(db(), "org-a",
                         [&](Transaction& tx) { return IdentityStore::ListProjects(tx, req); });
    ASSERT_TRUE(page) << page.error().ToString();
    for (const auto& p : page->items) {
      seen.push_back(p.id);
    }
    if (!page->next_cursor) {
      break;
    }
    auto next = DecodeCursor(*page->next_cursor, 3);
    ASSERT_TRUE(next);
    req = *next;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4", "p5", "p6"}));
}

TEST_P(StoreContract, ApiKeyLookupAndRevocation) {
  SeedTwoOrgs(db());
  ApiKeyRecord key{"k1",         "org-a",          "ci",         "qlrf_abc",   "hash1",     "admin",
                   std::nullopt, std::string(kT0), std::nullopt, std::nullopt, std::nullopt};
  ASSERT_TRUE(WithWrite(db(), "org-a",
                        [&](Transaction& tx) { return IdentityStore::CreateApiKey(tx, key); }));
  auto found = WithRead(
      db(), "", [](Transaction& tx) { return IdentityStore::FindApiKeyByHash(tx, "hash1"); });
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((*found)->org_id, "org-a");
  auto revoke_b = WithWrite(db(), "org-b", [](Transaction& tx) {
    return IdentityStore::RevokeApiKey(tx, "k1", "2026-01-03T00:00:00.000Z");
  });
  ASSERT_FALSE(revoke_b);
  EXPECT_EQ(revoke_b.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(WithWrite(db(), "org-a", [](Transaction& tx) {
    return IdentityStore::RevokeApiKey(tx, "k1", "2026-01-03T00:00:00.000Z");
  }));
  auto again = WithWrite(db(), "org-a", [](Transaction& tx) {
    return IdentityStore::RevokeApiKey(tx, "k1", "2026-01-04T00:00:00.000Z");
  });
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kFailedPrecondition);
}

TEST_P(StoreContract, MembershipsAndRoles) {
  SeedTwoOrgs(db());
  ASSERT_TRUE(WithWrite(db(), "", [](Transaction& tx) -> Status {
    QLRF_TRY(IdentityStore::CreateUser(tx, User{"u1", "ann@example.com", "Ann", "h", std::nullopt,
                                                false, std::string(kT0), std::string(kT0)}));
    QLRF_TRY(IdentityStore::AddMember(
        tx, Membership{"org-a", "u1", "admin", std::string(kT0), std::string(kT0), "", ""}));
    return IdentityStore::AddMember(
        tx, Membership{"org-b", "u1", "viewer", std::string(kT0), std::string(kT0), "", ""});
  }));
  auto orgs =
      WithRead(db(), "", [](Transaction& tx) { return IdentityStore::OrgsOfUser(tx, "u1"); });
  ASSERT_TRUE(orgs);
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].second, "admin");
  EXPECT_EQ((*orgs)[1].second, "viewer");
  auto bad_role = WithWrite(db(), "org-a", [](Transaction& tx) {
    return IdentityStore::UpdateMemberRole(tx, "u1", "overlord", std::string(kT0));
  });
  ASSERT_FALSE(bad_role);
  EXPECT_EQ(bad_role.error().code, ErrorCode::kInvalidArgument);
  auto admins =
      WithRead(db(), "org-a", [](Transaction& tx) { return IdentityStore::CountAdmins(tx); });
  ASSERT_TRUE(admins);
  EXPECT_EQ(*admins, 1);
}

TEST_P(StoreContract, SettingsUpsert) {
  ASSERT_TRUE(WithWrite(
      db(), "", [](Transaction& tx) { return IdentityStore::PutSetting(tx, "k", "v1", kT0); }));
  ASSERT_TRUE(WithWrite(
      db(), "", [](Transaction& tx) { return IdentityStore::PutSetting(tx, "k", "v2", kT0); }));
  auto v = WithRead(db(), "", [](Transaction& tx) { return IdentityStore::GetSetting(tx, "k"); });
  ASSERT_TRUE(v && v->has_value());
  EXPECT_EQ(**v, "v2");
}

}  // namespace
}  // namespace qlrf::storage::testing
