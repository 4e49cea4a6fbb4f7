// CliContext: services for one-shot commands.
#include "app/cli_context.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/wiring.h"

namespace qlrf::app {

int Failure(const std::string& message) {
  std::fprintf(stderr, "qlrf: %s\n", message.c_str());
  return 1;
}

Result<std::string> ReadInput(const std::string& path) {
  std::ostringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
    return ss.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Fail(NotFound("cannot read '" + path + "'"));
  }
  ss << in.rdbuf();
  return ss.str();
}

Status CliContext::Open(const Config& config, bool bulk_load) {
  QLRF_ASSIGN_OR_RETURN(db, OpenDatabase(config, true, bulk_load));
  // CLI commands never verify session tokens; the key only satisfies the constructor.
  sessions = std::make_unique<services::SessionTokens>(RandomHex(random, 32), 60, clock);
  auth = std::make_unique<services::Authenticator>(*db, *sessions, nullptr, clock, random,
                                                   services::AuthenticatorOptions{});
  auditor = std::make_unique<services::Auditor>(clock, random);
  identity =
      std::make_unique<services::IdentityService>(*db, *auditor, *auth, *sessions, clock, random);
  inventory = std::make_unique<services::InventoryService>(*db, *auditor, clock, random);
  images = std::make_unique<services::ImageService>(*db, *auditor, clock, random);
  vulns = std::make_unique<services::VulnService>(*db, *auditor, clock, random);
  QLRF_ASSIGN_OR_RETURN(auto boot, identity->Bootstrap());
  if (boot.created) {
    std::fprintf(stderr, "qlrf: created org 'default' and user 'admin'; admin password: %s\n",
                 boot.admin_password.c_str());
  }
  return Ok();
}

Result<services::RequestContext> CliContext::As(const std::string& org_ref) {
  QLRF_ASSIGN_OR_RETURN(auto org, identity->FindOrg(org_ref));
  services::RequestContext ctx;
  ctx.request_id = "cli-" + RandomHex(random, 6);
  ctx.principal = services::Principal{
      services::PrincipalKind::kSystem, "cli", org.id, org.slug, "admin", "", "cli"};
  return ctx;
}

}  // namespace qlrf::app
