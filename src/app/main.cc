// qlrf: the one binary. Subcommands: serve, migrate, version, admin …, audit verify.
// Exit codes: 0 ok, 1 failure (one-line reason on stderr), 2 usage error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "app/wiring.h"

#include "app/build_info.h"
#include "app/cli_context.h"
#include "app/inventory_cli.h"
#include "app/policy_cli.h"
#include "app/vuln_cli.h"
#include "common/clock.h"
#include "common/config.h"
#include "common/env.h"
#include "common/log.h"
#include "common/random.h"
#include "services/audit/auditor.h"
#include "services/identity/identity_service.h"

namespace qlrf::app {

int Main(int argc, char** argv) {
  CLI::App app{"qlrf — infrastructure resilience and compliance platform", "qlrf"};
  app.require_subcommand(1);
  std::string config_file;
  std::string database_url;
  std::string data_dir;
  app.add_option("--config", config_file, "YAML config file (keys as RF_* without the prefix)");
  app.add_option("--database-url", database_url,
                 "sqlite:///abs/path.db or postgres://… (overrides RF_DATABASE_URL)");
  app.add_option("--data-dir", data_dir, "directory of the default SQLite file (RF_DATA_DIR)");

  auto* serve = app.add_subcommand("serve", "Run the API, workers and UI (default :8080)");
  std::string listen;
  std::string role = "all";
  serve->add_option("--listen", listen, "HOST:PORT to listen on (RF_LISTEN, default 0.0.0.0:8080)");
  serve->add_option("--role", role, "all | api | worker | orchestrator")
      ->check(CLI::IsMember({"all", "api", "worker", "orchestrator"}));

  auto* migrate = app.add_subcommand("migrate", "Apply pending schema migrations and exit");
  auto* version = app.add_subcommand("version", "Print version, commit and build time");

  auto* admin = app.add_subcommand("admin", "Users and API keys (works while the server runs)");
  admin->require_subcommand(1);
  auto* create_user = admin->add_subcommand("create-user", "Add a user to an organization");
  std::string org = "default";
  std::string email;
  std::string password;
  std::string user_role = "viewer";
  std::string display_name;
  create_user->add_option("--org", org, "organization slug or id")->capture_default_str();
  create_user->add_option("--email", email, "login e-mail")->required();
  create_user->add_option("--password", password, "password (min 12 chars); omit for SSO-only");
  create_user->add_option("--name", display_name, "display name");
  create_user->add_option("--role", user_role, "viewer | operator | approver | admin")
      ->check(CLI::IsMember({"viewer", "operator", "approver", "admin"}))
      ->capture_default_str();

  auto* create_key =
      admin->add_subcommand("create-api-key", "Create an API key; prints only the key");
  std::string key_name = "cli";
  std::string key_role = "viewer";
  create_key->add_option("--org", org, "organization slug or id")->capture_default_str();
  create_key->add_option("--role", key_role, "viewer | operator | approver | admin")
      ->check(CLI::IsMember({"viewer", "operator", "approver", "admin"}))
      ->capture_default_str();
  create_key->add_option("--name", key_name, "a label for the key")->capture_default_str();

  auto* list_users = admin->add_subcommand("list-users", "List an organization's users");
  list_users->add_option("--org", org, "organization slug or id")->capture_default_str();

  InventoryCli inventory_cli(app);
  int policy_exit_code = 0;  // `policy eval|test` run while parsing and need no config
  AddPolicyCommands(app, policy_exit_code);
  VulnCli vuln_cli(app);

  auto* audit = app.add_subcommand("audit", "Audit trail tools");
  audit->require_subcommand(1);
  auto* verify = audit->add_subcommand("verify", "Check every org's audit hash chain");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  if (app.got_subcommand("policy")) {
    return policy_exit_code;
  }

  SystemEnv env;
  auto loaded =
      LoadConfig(env, config_file.empty() ? std::nullopt : std::optional<std::string>(config_file));
  if (!loaded) {
    return Failure(loaded.error().ToString());
  }
  Config config = *loaded;
  if (!database_url.empty()) {
    config.database_url = database_url;
  }
  if (!data_dir.empty()) {
    config.data_dir = data_dir;
  }
  if (!listen.empty()) {
    config.listen = listen;
  }
  log::Init(config.log_level);

  if (*version) {
    std::printf("qlrf %s (commit %s, built %s)\n", kVersion, kGitCommit, kBuildTime);
    return 0;
  }
  auto problems = ValidateConfig(config);
  if (!problems.empty()) {
    for (const auto& p : problems) {
      std::fprintf(stderr, "qlrf: config: %s\n", p.c_str());
    }
    return 1;
  }
  if (*serve) {
    return Serve(config, ServeOptions{role});
  }
  if (*migrate) {
    auto db = OpenDatabase(config, true);
    if (!db) {
      return Failure(db.error().ToString());
    }
    std::printf("migrations up to date (%s)\n", std::string((*db)->backend_name()).c_str());
    return 0;
  }
  CliContext ctx;
  if (auto st = ctx.Open(config, inventory_cli.BulkLoad()); !st) {
    return Failure(st.error().ToString());
  }
  if (inventory_cli.Selected()) {
    return inventory_cli.Run(ctx);
  }
  if (vuln_cli.Selected()) {
    return vuln_cli.Run(ctx);
  }
  if (*verify) {
    auto report = ctx.identity->VerifyAudit();
    if (!report) {
      return Failure(report.error().ToString());
    }
    if (report->first_break) {
      std::printf("BROKEN: org %s, event %lld: %s\n", report->first_break->org_id.c_str(),
                  static_cast<long long>(report->first_break->seq),
                  report->first_break->reason.c_str());
      return 1;
    }
    std::printf("ok: %lld events in %lld chains verified\n", static_cast<long long>(report->events),
                static_cast<long long>(report->orgs));
    return 0;
  }
  auto as = ctx.As(org);
  if (!as) {
    return Failure(as.error().ToString());
  }
  if (*create_key) {
    auto key = ctx.identity->CreateApiKey(*as, key_name, key_role, std::nullopt);
    if (!key) {
      return Failure(key.error().ToString());
    }
    std::printf("%s\n", key->plaintext.c_str());
    return 0;
  }
  if (*create_user) {
    services::NewMember m{email, display_name,
                          password.empty() ? std::nullopt : std::optional<std::string>(password),
                          user_role};
    auto member = ctx.identity->AddMember(*as, m);
    if (!member) {
      return Failure(member.error().ToString());
    }
    std::printf("%s\t%s\t%s\n", member->user_id.c_str(), member->email.c_str(),
                member->role.c_str());
    return 0;
  }
  if (*list_users) {
    auto users = ctx.identity->ListUsersOfOrg(as->principal.org_id);
    if (!users) {
      return Failure(users.error().ToString());
    }
    std::printf("%-36s  %-32s  %-9s  %s\n", "USER ID", "LOGIN", "ROLE", "SINCE");
    for (const auto& u : *users) {
      std::printf("%-36s  %-32s  %-9s  %s\n", u.user_id.c_str(), u.email.c_str(), u.role.c_str(),
                  u.created_at.c_str());
    }
    return 0;
  }
  return 2;
}

}  // namespace qlrf::app

int main(int argc, char** argv) { return qlrf::app::Main(argc, argv); }
