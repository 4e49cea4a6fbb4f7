// CLI for vulnerabilities and SBOMs: `qlrf import <format> FILE --image ID`, `qlrf vulndb import
// <feed> FILE…`, `qlrf vulns list --image ID` and `qlrf sbom export --image ID`.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "app/cli_context.h"

namespace qlrf::app {

// Registers the commands on construction; Run executes the one the command line chose.
class VulnCli {
 public:
  explicit VulnCli(CLI::App& app);
  bool Selected() const;
  int Run(CliContext& ctx);

 private:
  int Import(CliContext& ctx);
  int FeedImport(CliContext& ctx);
  int List(CliContext& ctx);
  int Export(CliContext& ctx);

  CLI::App* import_ = nullptr;
  CLI::App* feed_import_ = nullptr;
  CLI::App* list_ = nullptr;
  CLI::App* export_ = nullptr;

  std::string org_ = "default";
  bool json_ = false;
  std::string format_;
  std::string file_;
  std::vector<std::string> files_;
  std::string image_;
  std::string severity_;
  int limit_ = 50;
};

}  // namespace qlrf::app
