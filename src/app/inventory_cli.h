// CLI for inventory and images: `qlrf demo`, `qlrf assets list|get|import`, `qlrf images
// list|promote`. Tables on a terminal, JSON with --json.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "app/cli_context.h"

namespace qlrf::app {

// Registers the commands on construction; Run executes the one the command line chose.
class InventoryCli {
 public:
  explicit InventoryCli(CLI::App& app);
  bool Selected() const;
  // The selected command writes in bulk (demo).
  bool BulkLoad() const;
  int Run(CliContext& ctx);

 private:
  int Demo(CliContext& ctx);
  int AssetsList(CliContext& ctx);
  int AssetsGet(CliContext& ctx);
  int AssetsImport(CliContext& ctx);
  int ImagesList(CliContext& ctx);
  int ImagesPromote(CliContext& ctx);

  CLI::App* demo_ = nullptr;
  CLI::App* assets_list_ = nullptr;
  CLI::App* assets_get_ = nullptr;
  CLI::App* assets_import_ = nullptr;
  CLI::App* images_list_ = nullptr;
  CLI::App* images_promote_ = nullptr;

  std::string org_ = "default";
  bool json_ = false;
  // demo
  int64_t demo_assets_ = 10000;
  int demo_orgs_ = 1;
  uint64_t demo_seed_ = 42;
  bool demo_if_empty_ = false;
  // assets list
  std::string platform_, environment_, state_, site_, family_, version_, query_, sort_;
  std::vector<std::string> tags_;
  bool drifted_ = false;
  int limit_ = 50;
  // assets get / import, images promote
  std::string id_;
  std::string file_;
  std::string format_;
  bool full_sync_ = false;
  std::string status_;
  std::string reason_;
};

}  // namespace qlrf::app
