// TerminationSignal over asio::signal_set.
#include "api/http/termination_signal.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <string>

namespace qlrf::http {

struct TerminationSignal::State {
  boost::asio::io_context context{1};
  boost::asio::signal_set signals{context};
  boost::system::error_code setup_error;
};

TerminationSignal::TerminationSignal() : state_(std::make_unique<State>()) {
  state_->signals.add(SIGINT, state_->setup_error);
  if (!state_->setup_error) {
    state_->signals.add(SIGTERM, state_->setup_error);
  }
}

TerminationSignal::~TerminationSignal() = default;

Result<int> TerminationSignal::Wait() {
  if (state_->setup_error) {
    return Fail(Internal("cannot install signal handlers: " + state_->setup_error.message()));
  }
  int received = 0;
  boost::system::error_code wait_error;
  state_->signals.async_wait([&](const boost::system::error_code& ec, int signal_number) {
    wait_error = ec;
    received = signal_number;
  });
  state_->context.restart();
  state_->context.run();
  if (wait_error) {
    return Fail(Internal("waiting for a signal failed: " + wait_error.message()));
  }
  return received;
}

}  // namespace qlrf::http
