// Waits for SIGINT or SIGTERM so that the app can call Server::Shutdown from ordinary code
// instead of from a signal handler.
#pragma once

#include <memory>

#include "common/result.h"

namespace qlrf::http {

// Installs handlers for SIGINT and SIGTERM on construction (so a signal that arrives before
// Wait is not lost) and resets them to the default on destruction. Not thread-safe; one per
// process.
class TerminationSignal {
 public:
  TerminationSignal();
  ~TerminationSignal();
  TerminationSignal(const TerminationSignal&) = delete;
  TerminationSignal& operator=(const TerminationSignal&) = delete;

  // Blocks until SIGINT or SIGTERM arrives and returns its number. Internal if the handlers
  // could not be installed.
  Result<int> Wait();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace qlrf::http
