// IdentityService and Authenticator on a real in-memory SQLite database.
#include "services/identity/identity_service.h"

#include <gtest/gtest.h>

#include "services/identity/passwords.h"
#include "services/identity/permissions.h"
#include "storage/migrations.h"
#include "storage/sqlite/sqlite_database.h"
#include "testing/fakes.h"

namespace qlrf::services {
namespace {

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(storage::Migrate(*db_, clock_.Now()));
    auto boot = service_.Bootstrap();
    ASSERT_TRUE(boot) << boot.error().ToString();
    boot_ = *boot;
  }

  RequestContext AdminCtx() {
    auto p = auth_.Authenticate("Bearer " + Login().token);
    EXPECT_TRUE(p) << p.error().ToString();
    return RequestContext{"req-1", *p};
  }
  LoginResult Login() {
    auto r = service_.Login("admin", boot_.admin_password, std::nullopt);
    EXPECT_TRUE(r) << r.error().ToString();
    return *r;
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_{42};
  std::unique_ptr<storage::SqliteDatabase> db_ =
      std::move(*storage::SqliteDatabase::Open(storage::SqliteOptions{":memory:"}));
  SessionTokens sessions_{"0123456789abcdef0123456789abcdef", 3600, clock_};
  Auditor auditor_{clock_, random_};
  Authenticator auth_{*db_, sessions_, nullptr, clock_, random_, AuthenticatorOptions{}};
  IdentityService service_{*db_, auditor_, auth_, sessions_, clock_, random_};
  BootstrapResult boot_;
};

TEST_F(IdentityTest, BootstrapRunsOnceAndAdminCanLogIn) {
  EXPECT_TRUE(boot_.created);
  EXPECT_EQ(boot_.admin_password.size(), 20u);
  auto again = service_.Bootstrap();
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->created);
  auto ctx = AdminCtx();
  EXPECT_EQ(ctx.principal.role, "admin");
  EXPECT_EQ(ctx.principal.org_slug, "default");
}

TEST_F(IdentityTest, WrongPasswordIsUnauthenticated) {
  auto r = service_.Login("admin", "not-the-password", std::nullopt);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityTest, SessionExpiresAfterTtl) {
  std::string token = Login().token;
  clock_.Advance(std::chrono::seconds(3599));
  auth_.Invalidate();
  EXPECT_TRUE(auth_.Authenticate("Bearer " + token));
  clock_.Advance(std::chrono::seconds(1));
  auth_.Invalidate();
  auto r = auth_.Authenticate("Bearer " + token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityTest, TamperedSessionIsRejected) {
  std::string token = Login().token;
  token[token.size() - 2] = token[token.size() - 2] == 'A' ? 'B' : 'A';
  auto r = auth_.Authenticate("Bearer " + token);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityTest, ApiKeyAuthenticatesUntilRevoked) {
  auto ctx = AdminCtx();
  auto key = service_.CreateApiKey(ctx, "ci", "operator", std::nullopt);
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_EQ(key->plaintext.rfind("qlrf_", 0), 0u);
  auto p = auth_.Authenticate("Bearer " + key->plaintext);
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->role, "operator");
  EXPECT_EQ(p->kind, PrincipalKind::kApiKey);
  ASSERT_TRUE(service_.RevokeApiKey(ctx, key->record.id));
  auto after = auth_.Authenticate("Bearer " + key->plaintext);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityTest, ExpiredApiKeyIsRejected) {
  auto ctx = AdminCtx();
  auto key = service_.CreateApiKey(ctx, "short", "viewer", "2026-01-01T01:00:00Z");
  ASSERT_TRUE(key) << key.error().ToString();
  EXPECT_TRUE(auth_.Authenticate("Bearer " + key->plaintext));
  clock_.Advance(std::chrono::hours(2));
  auth_.Invalidate();
  auto r = auth_.Authenticate("Bearer " + key->plaintext);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(IdentityTest, LastAdminCannotBeDemoted) {
  auto ctx = AdminCtx();
  auto r = service_.UpdateMemberRole(ctx, ctx.principal.id, "viewer");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
}

TEST_F(IdentityTest, WritesAreAuditedAndChainVerifies) {
  auto ctx = AdminCtx();
  ASSERT_TRUE(service_.CreateProject(ctx, "web", "front end"));
  auto dup = service_.CreateProject(ctx, "web", "");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
  EXPECT_EQ(dup.error().Detail("field"), "name");
  auto events = service_.ListAudit(ctx, {}, storage::PageRequest{});
  ASSERT_TRUE(events);
  ASSERT_GE(events->items.size(), 2u);
  EXPECT_EQ(events->items[0].action, "project.create");
  EXPECT_EQ(events->items[0].request_id, "req-1");
  auto report = service_.VerifyAudit();
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->first_break.has_value());
}

TEST_F(IdentityTest, ShortPasswordIsRejectedWithField) {
  auto ctx = AdminCtx();
  auto r = service_.AddMember(ctx, NewMember{"bob@example.com", "Bob", "short", "viewer"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().Detail("field"), "password");
}

TEST(Permissions, RolesAreNested) {
  EXPECT_TRUE(RoleHas("admin", Permission::kAdmin));
  EXPECT_FALSE(RoleHas("approver", Permission::kAdmin));
  EXPECT_TRUE(RoleHas("approver", Permission::kApproveAiTasks));
  EXPECT_FALSE(RoleHas("operator", Permission::kApproveAiTasks));
  EXPECT_TRUE(RoleHas("operator", Permission::kManageAssets));
  EXPECT_FALSE(RoleHas("viewer", Permission::kManageAssets));
  EXPECT_TRUE(RoleHas("viewer", Permission::kRead));
  EXPECT_FALSE(RoleHas("nobody", Permission::kRead));
}

TEST(OidcRoles, MapClerkRoles) {
  EXPECT_EQ(MapOidcRole("org:admin"), "admin");
  EXPECT_EQ(MapOidcRole("org:member"), "viewer");
  EXPECT_EQ(MapOidcRole("approver"), "approver");
}

}  // namespace
}  // namespace qlrf::services
