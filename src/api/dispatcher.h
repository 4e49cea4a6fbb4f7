// The request pipeline in front of every handler: request id, route match (404/405), auth
// (401), rate limit (429), permission (403), content type (415), JSON parse (400 with position),
// schema validation (400 naming the field), handler on the blocking pool, metrics, access log.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "api/http/server.h"
#include "api/route.h"
#include "common/clock.h"
#include "common/metrics.h"
#include "common/random.h"
#include "services/identity/authenticator.h"

namespace qlrf::api {

struct DispatcherOptions {
  bool access_log = true;
  double rate_limit_rps = 50;  // per principal; 0 disables
  int rate_limit_burst = 100;
  int blocking_threads = 8;  // pool for handlers that touch the database
  // Sees every response with its route (tests validate bodies against the route's schema).
  // Called on the thread that completes the request; must be thread-safe.
  std::function<void(const Route&, const http::Response&)> response_observer;
};

// Thread-safe. Routes are fixed at construction.
class Dispatcher {
 public:
  // Fails (InvalidArgument) if a route's schema does not compile or two routes collide.
  static Result<std::unique_ptr<Dispatcher>> Create(std::vector<Route> routes,
                                                    services::Authenticator& auth,
                                                    metrics::Registry& metrics, const Clock& clock,
                                                    Random& random, DispatcherOptions options);
  ~Dispatcher();

  void Handle(http::Request&& request, http::Responder respond);
  const std::vector<Route>& routes() const;
  // Stops the blocking pool after in-flight handlers finish.
  void Drain();

  struct State;

 private:
  explicit Dispatcher(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Splits "a=1&b=x%20y" into decoded pairs. InvalidArgument on bad percent-encoding.
Result<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

}  // namespace qlrf::api
