// CLI for the embedded policy engine: `qlrf policy eval` and `qlrf policy test` (opa-compatible
// flags; see engines/policy/cli.h for behaviour and exit codes).
#pragma once

#include <CLI/CLI.hpp>

namespace qlrf::app {

// Registers `policy eval` and `policy test` under `app`. When one of them is chosen, its callback
// runs it during parsing and stores the exit code in `exit_code_out`, which must outlive `app`.
void AddPolicyCommands(CLI::App& app, int& exit_code_out);

}  // namespace qlrf::app
