// Policies in the server: per-org bundles of Rego modules with versions (compiled and tested
// before they are accepted), shadow versions evaluated beside the enforced ones, the decision
// log, and the PolicyDecider seam through which the rest of the system asks for decisions
// (embedded evaluation, or a remote OPA-compatible server over its REST Data API).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/http_client/http_client.h"
#include "common/metrics.h"
#include "common/mutex.h"
#include "common/random.h"
#include "engines/policy/policy.h"
#include "services/audit/auditor.h"
#include "services/context.h"
#include "storage/database.h"
#include "storage/paging.h"
#include "storage/policy_store.h"

namespace qlrf::services {

// One decision: the document at `path` for an input, and whether it denies.
struct PolicyDecision {
  std::string decision_id;
  std::string path;    // "qlrf/plan_safety/deny"
  std::string policy;  // bundle name(s) that answered; "" when none defines the path
  int64_t version = 0;
  std::optional<boost::json::value> result;  // nullopt: undefined
  bool denied = false;
  // Why it denies: the policy's reasons (a `deny` set), or the failure that denied it.
  std::vector<std::string> reasons;
  std::string source = "embedded";  // embedded | remote
  std::string error;                // set when the decision failed (and therefore denies)
  int64_t duration_us = 0;
};

// Whether `result` (the document at `path`) denies: false, a non-empty deny/violation set, an
// object whose `deny` is non-empty or whose `allow` is false. Undefined denies only for paths
// ending in `allow`. Fills `reasons` with the strings of a deny set.
bool DeniedBy(std::string_view path, const std::optional<boost::json::value>& result,
              std::vector<std::string>* reasons);

// Asks "evaluate qlrf.plan_safety for this input" and records the decision. Thread-safe.
class PolicyDecider {
 public:
  virtual ~PolicyDecider() = default;

  // The document at `path` ("qlrf/plan_safety/deny" or "qlrf.plan_safety") for `input`
  // (nullptr: no input), logged in the decision log (failures too). Errors: InvalidArgument for
  // a malformed path; the policy engine's errors with OPA codes (policy::DescribeError), among
  // them ResourceExhausted / DeadlineExceeded when the step limit or deadline is hit; for a
  // remote server Unavailable (unreachable, 5xx) and DeadlineExceeded (timeout).
  virtual Result<PolicyDecision> Evaluate(const RequestContext& ctx, std::string_view path,
                                          const boost::json::value* input) = 0;

  // Evaluate that never fails: any failure is a denial naming it (fail closed).
  PolicyDecision Decide(const RequestContext& ctx, std::string_view path,
                        const boost::json::value& input);
};

struct PolicyServiceOptions {
  std::chrono::milliseconds timeout{100};  // per decision (RF_POLICY_TIMEOUT_MS)
  uint64_t max_steps = 1'000'000;          // per decision (RF_POLICY_MAX_STEPS)
  size_t cache_entries = 512;              // compiled bundles kept
};

struct BundleUpload {
  std::string name;
  boost::json::object modules;   // {"file.rego": "package …"}
  boost::json::value data;       // object, or null for none
  std::string mode = "enforce";  // enforce | shadow
};

struct PolicyTestCase {
  std::string name;  // "data.qlrf.plan_safety_test.test_safe_plan"
  bool passed = false;
  std::string error;  // why it failed ("" for a plain false/undefined)
};

struct PolicyTestReport {
  int64_t passed = 0;
  int64_t failed = 0;
  std::vector<PolicyTestCase> cases;
};

// The outcome of an upload. Rejected uploads are recorded (status "rejected") and leave the
// enforced version in place.
struct UploadOutcome {
  enum class Verdict { kAccepted, kCompileFailed, kTestsFailed };
  Verdict verdict = Verdict::kAccepted;
  storage::PolicyBundle bundle;
  std::vector<policy::RegoErrorInfo> errors;  // compile errors, or one per failing test
  PolicyTestReport tests;
};

struct PolicySummary {
  std::string name;
  bool builtin = false;                     // a shipped policy of that name exists (version 0)
  std::optional<int64_t> enforced_version;  // nullopt: nothing enforced (only rejected/shadow)
  std::optional<int64_t> shadow_version;
  std::string sha256;  // of the enforced version
  std::vector<std::string> packages;
};

// Every version of a policy, newest first; the built-in (version 0) last when there is one.
struct PolicyVersions {
  PolicySummary summary;
  std::vector<storage::PolicyBundle> versions;
};

// Thread-safe. Compiled bundles are cached per (org, name, version).
class PolicyService {
 public:
  PolicyService(storage::Database& db, Auditor& auditor, const Clock& clock, Random& random,
                metrics::Registry& metrics, PolicyServiceOptions options);

  // Compiles the modules (and data), runs their test_ rules, and stores the result as the next
  // version: enforced (the previous enforced and shadow versions are superseded) or shadow (the
  // previous shadow is superseded). A compile or test failure is an outcome, not an error: the
  // version is stored as rejected. Errors: InvalidArgument for a bad name, mode, file name or
  // data (nothing is stored).
  Result<UploadOutcome> Upload(const RequestContext& ctx, BundleUpload upload);
  // Makes the shadow version enforced (the old enforced one is superseded). NotFound when the
  // policy has no shadow version.
  Result<storage::PolicyBundle> Promote(const RequestContext& ctx, std::string_view name);

  // Built-in and uploaded policies, by name (the cursor is the last name).
  Result<storage::Page<PolicySummary>> List(const RequestContext& ctx,
                                            const storage::PageRequest& page);
  // NotFound when neither a built-in nor an uploaded version has that name.
  Result<PolicyVersions> Versions(const RequestContext& ctx, std::string_view name);
  Result<storage::Page<storage::PolicyDecisionRow>> Decisions(const RequestContext& ctx,
                                                              const storage::DecisionFilter& filter,
                                                              const storage::PageRequest& page);

  // Embedded evaluation against the org's enforced bundles (and shadow ones beside them); see
  // PolicyDecider::Evaluate. `strict` makes built-in errors fail the evaluation.
  Result<PolicyDecision> Evaluate(const RequestContext& ctx, std::string_view path,
                                  const boost::json::value* input, bool strict = false);

  // Appends decisions to the org's decision log (remote decisions use it too) and returns once
  // they are committed. Concurrent callers share commits: the first writes every queued row
  // (one transaction per org) while the others wait for it, so a busy server pays one commit
  // per batch instead of one per decision. Errors: the write's, for the caller that wrote the
  // batch (waiters return Ok; the writer logs the failure).
  Status LogDecisions(const RequestContext& ctx,
                      const std::vector<storage::PolicyDecisionRow>& rows);

  // Runs every test_ rule of `set` (helper shared by uploads and tests).
  PolicyTestReport RunTests(const policy::PolicySet& set) const;

  metrics::Registry& metrics() { return metrics_; }

 private:
  struct Candidate;
  Result<policy::PolicySet> CompiledBundle(storage::Transaction& tx, const std::string& name,
                                           int64_t version);
  void Remember(const std::string& key, const policy::PolicySet& set);
  std::optional<policy::PolicySet> Cached(const std::string& key);
  policy::EvalOptions EvalLimits(bool strict) const;
  std::string Now() const { return FormatTime(clock_.Now()); }

  storage::Database& db_;
  Auditor& auditor_;
  const Clock& clock_;
  Random& random_;
  metrics::Registry& metrics_;
  PolicyServiceOptions options_;

  struct Builtin {
    std::string name;
    boost::json::object modules;
    std::vector<std::string> packages;
    std::string sha256;
  };
  std::map<std::string, Builtin, std::less<>> builtins_;  // immutable after construction

  Mutex mu_;
  std::map<std::string, policy::PolicySet> cache_ QLRF_GUARDED_BY(mu_);

  // Group commit of the decision log. std::mutex (not common::Mutex) because waiting needs a
  // condition variable.
  Status WriteDecisionBatch(
      const std::vector<std::pair<std::string, storage::PolicyDecisionRow>>& batch);
  std::mutex log_mu_;
  std::condition_variable log_cv_;
  std::vector<std::pair<std::string, storage::PolicyDecisionRow>> log_queue_;  // (org, row)
  uint64_t log_enqueued_ = 0;  // rows ever queued; guarded by log_mu_
  uint64_t log_written_ = 0;   // rows ever written (or failed); guarded by log_mu_
  bool log_flushing_ = false;  // guarded by log_mu_

  metrics::Counter* allowed_ = nullptr;
  metrics::Counter* denied_ = nullptr;
  metrics::Counter* failed_ = nullptr;
  metrics::Counter* shadow_evaluations_ = nullptr;
  metrics::Counter* shadow_differences_ = nullptr;
  metrics::Histogram* duration_ = nullptr;
};

// Decisions by the embedded engine (PolicyService::Evaluate). Thread-safe.
class EmbeddedPolicyDecider final : public PolicyDecider {
 public:
  explicit EmbeddedPolicyDecider(PolicyService& service) : service_(service) {}
  Result<PolicyDecision> Evaluate(const RequestContext& ctx, std::string_view path,
                                  const boost::json::value* input) override;

 private:
  PolicyService& service_;
};

struct RemotePolicyOptions {
  std::string url;    // RF_OPA_URL: "http://opa:8181" (no trailing /v1/data)
  std::string token;  // RF_OPA_TOKEN: sent as "Authorization: Bearer <token>" when set
  std::chrono::milliseconds timeout{500};  // RF_OPA_TIMEOUT_MS
};

// Decisions by a remote OPA-compatible server: POST {url}/v1/data/{path} with {"input": …}.
// Fails closed: an unreachable server, a timeout or a 5xx is an error (a denial through
// Decide), logged in the decision log like every decision. Thread-safe.
class RemotePolicyDecider final : public PolicyDecider {
 public:
  RemotePolicyDecider(HttpClient& http, PolicyService& log, const Clock& clock, Random& random,
                      RemotePolicyOptions options);
  Result<PolicyDecision> Evaluate(const RequestContext& ctx, std::string_view path,
                                  const boost::json::value* input) override;

 private:
  Result<std::optional<boost::json::value>> Ask(const std::string& path,
                                                const boost::json::value* input);
  HttpClient& http_;
  PolicyService& log_;
  const Clock& clock_;
  Random& random_;
  RemotePolicyOptions options_;
};

// "qlrf/plan_safety/deny" from "qlrf/plan_safety/deny", "qlrf.plan_safety.deny" or
// "data.qlrf.plan_safety.deny". InvalidArgument (field=path) for empty segments or characters
// outside [A-Za-z0-9_-].
Result<std::string> NormalizeDataPath(std::string_view path);

}  // namespace qlrf::services
