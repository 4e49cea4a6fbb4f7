// PolicyService: bundle uploads (compile + test gate), shadow versions, the decision log and
// embedded evaluation; the PolicyDecider implementations.
#include "services/policy/policy_service.h"

#include <boost/json.hpp>

#include <algorithm>
#include <regex>
#include <set>

#include "common/crypto.h"
#include "common/json.h"
#include "common/log.h"
#include "services/policy/builtin_policies.h"

namespace qlrf::services {

using storage::PolicyBundle;
using storage::PolicyStore;
using storage::Transaction;

namespace {

constexpr size_t kMaxModules = 64;
constexpr size_t kMaxPathLength = 512;

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      j = s.size();
    }
    out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// Package names declared by the modules ("qlrf.plan_safety"), sorted and unique.
std::vector<std::string> PackagesOf(const boost::json::object& modules) {
  static const std::regex kPackage(R"((?:^|\n)[ \t]*package[ \t]+([A-Za-z_][A-Za-z0-9_.]*))");
  std::set<std::string> out;
  for (const auto& [file, text] : modules) {
    if (!text.is_string()) {
      continue;
    }
    std::string t(text.get_string());
    for (std::sregex_iterator it(t.begin(), t.end(), kPackage), end; it != end; ++it) {
      out.insert((*it)[1].str());
    }
  }
  return {out.begin(), out.end()};
}

// Whether the package (dotted) and the path (segments) name overlapping documents.
bool Overlaps(const std::string& package, const std::vector<std::string>& path) {
  auto pkg = Split(package, '.');
  size_t n = std::min(pkg.size(), path.size());
  for (size_t i = 0; i < n; ++i) {
    if (pkg[i] != path[i]) {
      return false;
    }
  }
  return true;
}

bool AnyOverlaps(const std::vector<std::string>& packages, const std::vector<std::string>& path) {
  return std::any_of(packages.begin(), packages.end(),
                     [&](const std::string& p) { return Overlaps(p, path); });
}

std::vector<std::string> PackagesFromJson(const std::string& text) {
  std::vector<std::string> out;
  auto v = json::Parse(text);
  if (v && v->is_array()) {
    for (const auto& e : v->as_array()) {
      if (e.is_string()) {
        out.emplace_back(e.get_string());
      }
    }
  }
  return out;
}

std::string JsonList(const std::vector<std::string>& v) {
  boost::json::array a;
  for (const auto& s : v) {
    a.emplace_back(s);
  }
  return json::Serialize(a);
}

// Modules sorted by file name, so equal bundles hash equally whatever the upload order.
boost::json::object SortedModules(const boost::json::object& modules) {
  std::map<std::string, boost::json::value> sorted;
  for (const auto& [k, v] : modules) {
    sorted.emplace(std::string(k), v);
  }
  boost::json::object out;
  for (auto& [k, v] : sorted) {
    out.emplace(k, std::move(v));
  }
  return out;
}

std::string BundleSha(const boost::json::object& modules, const boost::json::value& data) {
  boost::json::object doc;
  doc["modules"] = modules;
  doc["data"] = data;
  return crypto::Sha256Hex(json::Serialize(doc));
}

boost::json::value ErrorJson(const policy::RegoErrorInfo& e) {
  return {
      {"code", e.code},
      {"message", e.message},
      {"location", {{"file", e.location.file}, {"row", e.location.row}, {"col", e.location.col}}}};
}

// Compiles modules + data; every parse error is reported, not only the first.
Result<policy::PolicySet> CompileModules(const boost::json::object& modules,
                                         const boost::json::value& data,
                                         std::vector<policy::RegoErrorInfo>* errors) {
  policy::Compiler compiler;
  for (const auto& [file, text] : modules) {
    auto st = compiler.AddModule(file, text.get_string());
    if (!st) {
      errors->push_back(policy::DescribeError(st.error()));
      if (errors->back().location.file.empty()) {
        errors->back().location.file = std::string(file);
      }
    }
  }
  if (errors->empty() && data.is_object()) {
    auto st = compiler.AddData(data);
    if (!st) {
      errors->push_back(policy::DescribeError(st.error()));
    }
  }
  if (!errors->empty()) {
    return Fail(InvalidArgument(errors->front().message));
  }
  auto set = compiler.Compile();
  if (!set) {
    errors->push_back(policy::DescribeError(set.error()));
    if (errors->back().code.empty()) {
      errors->back().code = "rego_compile_error";
    }
  }
  return set;
}

std::string ResultText(const std::optional<boost::json::value>& v) {
  return v ? json::Serialize(*v) : std::string();
}

bool IsDenySegment(std::string_view s) {
  return s == "deny" || s == "violation" || s == "violations" || s == "errors";
}

void CollectReasons(const boost::json::value& set, std::vector<std::string>* reasons) {
  if (reasons == nullptr || !set.is_array()) {
    return;
  }
  for (const auto& r : set.as_array()) {
    if (r.is_string()) {
      reasons->emplace_back(r.get_string());
    } else if (r.is_object() && r.as_object().contains("msg") &&
               r.as_object().at("msg").is_string()) {
      reasons->emplace_back(r.as_object().at("msg").get_string());
    } else {
      reasons->push_back(json::Serialize(r));
    }
  }
}

bool NonEmpty(const boost::json::value& v) {
  return (v.is_array() && !v.as_array().empty()) || (v.is_object() && !v.as_object().empty());
}

}  // namespace

// --- decisions -------------------------------------------------------------------------------

Result<std::string> NormalizeDataPath(std::string_view path) {
  std::string p(path);
  if (p.rfind("data.", 0) == 0) {
    p = p.substr(5);
  }
  while (!p.empty() && p.back() == '/') {
    p.pop_back();
  }
  if (p.empty() || p.size() > kMaxPathLength) {
    return Fail(FieldError("path", "must name a document, e.g. qlrf/plan_safety/deny"));
  }
  bool slashes = p.find('/') != std::string::npos;
  std::string out;
  for (const auto& seg : Split(p, slashes ? '/' : '.')) {
    if (seg.empty()) {
      return Fail(FieldError("path", "has an empty segment"));
    }
    for (char c : seg) {
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
        return Fail(
            FieldError("path", "segment '" + seg + "' has a character outside [A-Za-z0-9_-]"));
      }
    }
    out += (out.empty() ? "" : "/") + seg;
  }
  return out;
}

bool DeniedBy(std::string_view path, const std::optional<boost::json::value>& result,
              std::vector<std::string>* reasons) {
  auto last = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  if (!result) {
    return last == "allow";
  }
  const auto& v = *result;
  if (v.is_bool()) {
    if (!v.get_bool() && reasons != nullptr) {
      reasons->push_back(std::string(path) + " is false");
    }
    return !v.get_bool();
  }
  if (IsDenySegment(last) && NonEmpty(v)) {
    CollectReasons(v, reasons);
    return true;
  }
  if (v.is_object()) {
    const auto& o = v.as_object();
    bool denied = false;
    if (const auto* d = o.if_contains("deny"); d != nullptr && NonEmpty(*d)) {
      CollectReasons(*d, reasons);
      denied = true;
    }
    if (const auto* a = o.if_contains("allow"); a != nullptr && a->is_bool() && !a->get_bool()) {
      if (!denied && reasons != nullptr) {
        reasons->push_back(std::string(path) + "/allow is false");
      }
      denied = true;
    }
    return denied;
  }
  return false;
}

PolicyDecision PolicyDecider::Decide(const RequestContext& ctx, std::string_view path,
                                     const boost::json::value& input) {
  auto d = Evaluate(ctx, path, &input);
  if (d) {
    return std::move(*d);
  }
  PolicyDecision out;
  out.path = std::string(path);
  out.denied = true;
  out.error = d.error().ToString();
  out.reasons.push_back("policy decision failed (fail closed): " + d.error().message);
  return out;
}

// --- service ---------------------------------------------------------------------------------

PolicyService::PolicyService(storage::Database& db, Auditor& auditor, const Clock& clock,
                             Random& random, metrics::Registry& metrics,
                             PolicyServiceOptions options)
    : db_(db),
      auditor_(auditor),
      clock_(clock),
      random_(random),
      metrics_(metrics),
      options_(options) {
  for (const auto& f : BuiltinPolicyFiles()) {
    std::string stem(f.file.substr(0, f.file.size() - 5));  // drop ".rego"
    if (stem.size() > 5 && stem.ends_with("_test")) {
      stem.resize(stem.size() - 5);
    }
    auto& b = builtins_[stem];
    b.name = stem;
    b.modules[f.file] = f.text;
  }
  for (auto& [name, b] : builtins_) {
    b.modules = SortedModules(b.modules);
    b.packages = PackagesOf(b.modules);
    b.sha256 = BundleSha(b.modules, boost::json::object());
  }
  const char* help = "Policy decisions by outcome";
  allowed_ = &metrics.GetCounter("qlrf_policy_decisions_total", help, {{"outcome", "allowed"}});
  denied_ = &metrics.GetCounter("qlrf_policy_decisions_total", help, {{"outcome", "denied"}});
  failed_ = &metrics.GetCounter("qlrf_policy_decisions_total", help, {{"outcome", "error"}});
  shadow_evaluations_ = &metrics.GetCounter("qlrf_policy_shadow_evaluations_total",
                                            "Shadow policy versions evaluated beside decisions");
  shadow_differences_ =
      &metrics.GetCounter("qlrf_policy_shadow_differences_total",
                          "Shadow evaluations whose result differed from the enforced one");
  duration_ = &metrics.GetHistogram("qlrf_policy_decision_duration_seconds",
                                    "Policy decision latency (evaluation only)");
}

policy::EvalOptions PolicyService::EvalLimits(bool strict) const {
  policy::EvalOptions o;
  o.clock = &clock_;
  o.random = &random_;
  o.timeout = options_.timeout;
  o.max_steps = options_.max_steps;
  o.strict_builtin_errors = strict;
  return o;
}

std::optional<policy::PolicySet> PolicyService::Cached(const std::string& key) {
  MutexLock lock(&mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) {
    return std::nullopt;
  }
  return it->second;
}

void PolicyService::Remember(const std::string& key, const policy::PolicySet& set) {
  MutexLock lock(&mu_);
  if (cache_.size() >= options_.cache_entries) {
    cache_.clear();  // rare (many orgs × versions); recompiling is cheap next to a leak
  }
  cache_.insert_or_assign(key, set);
}

Result<policy::PolicySet> PolicyService::CompiledBundle(Transaction& tx, const std::string& name,
                                                        int64_t version) {
  std::string key =
      version == 0 ? "builtin/" + name : tx.org_id() + "/" + name + "@" + std::to_string(version);
  if (auto hit = Cached(key)) {
    return *hit;
  }
  boost::json::object modules;
  boost::json::value data = boost::json::object();
  if (version == 0) {
    auto it = builtins_.find(name);
    if (it == builtins_.end()) {
      return Fail(NotFound("policy " + name + " not found"));
    }
    modules = it->second.modules;
  } else {
    QLRF_ASSIGN_OR_RETURN(auto b, Required(PolicyStore::GetBundle(tx, name, version), "policy"));
    auto m = json::Parse(b.modules_json);
    auto d = json::Parse(b.data_json);
    QLRF_CHECK(m && m->is_object() && d, "stored policy bundles are JSON objects");
    modules = m->as_object();
    data = *d;
  }
  std::vector<policy::RegoErrorInfo> errors;
  auto set = CompileModules(modules, data, &errors);
  if (!set) {
    // A stored bundle compiled when it was accepted; failing now means the engine changed.
    log::Error("policy bundle no longer compiles", {{"policy", name},
                                                    {"version", std::to_string(version)},
                                                    {"error", set.error().ToString()}});
    return Fail(set.error());
  }
  Remember(key, *set);
  return *set;
}

PolicyTestReport PolicyService::RunTests(const policy::PolicySet& set) const {
  PolicyTestReport report;
  std::set<std::string> seen;
  policy::EvalOptions o = EvalLimits(false);
  o.timeout *= 10;  // tests build bigger inputs than single decisions
  for (const auto& rule : set.Rules()) {
    auto dot = rule.path.rfind('.');
    std::string_view last = std::string_view(rule.path).substr(dot + 1);
    if (rule.is_function || !last.starts_with("test_") || !seen.insert(rule.path).second) {
      continue;
    }
    PolicyTestCase c;
    c.name = rule.path;
    auto r = set.Eval(rule.path, nullptr, o);
    if (!r) {
      auto info = policy::DescribeError(r.error());
      c.error = (info.code.empty() ? "" : info.code + ": ") + info.message;
    } else {
      c.passed = r->has_value() && !(**r == boost::json::value(false));
    }
    (c.passed ? report.passed : report.failed) += 1;
    report.cases.push_back(std::move(c));
  }
  return report;
}

Result<UploadOutcome> PolicyService::Upload(const RequestContext& ctx, BundleUpload in) {
  static const std::regex kName("^[a-z][a-z0-9_]{0,62}$");
  static const std::regex kFile(R"(^[A-Za-z0-9_.\-/]{1,200}\.rego$)");
  if (!std::regex_match(in.name, kName)) {
    return Fail(FieldError("name", "must match ^[a-z][a-z0-9_]{0,62}$"));
  }
  if (in.mode != "enforce" && in.mode != "shadow") {
    return Fail(FieldError("mode", "must be enforce or shadow"));
  }
  if (in.modules.empty() || in.modules.size() > kMaxModules) {
    return Fail(FieldError("modules", "must hold 1 to 64 .rego files"));
  }
  for (const auto& [file, text] : in.modules) {
    if (!std::regex_match(std::string(file), kFile) || !text.is_string()) {
      return Fail(FieldError(
          "modules", "'" + std::string(file) + "': keys are .rego file names, values Rego text"));
    }
  }
  if (!in.data.is_null() && !in.data.is_object()) {
    return Fail(FieldError("data", "must be an object"));
  }
  boost::json::value data = in.data.is_object() ? in.data : boost::json::object();
  boost::json::object modules = SortedModules(in.modules);

  UploadOutcome out;
  auto set = CompileModules(modules, data, &out.errors);
  if (!set) {
    out.verdict = UploadOutcome::Verdict::kCompileFailed;
  } else {
    out.tests = RunTests(*set);
    for (const auto& c : out.tests.cases) {
      if (!c.passed) {
        out.errors.push_back(
            {"test_failed", c.name + (c.error.empty() ? " failed" : " errored: " + c.error), {}});
      }
    }
    if (out.tests.failed > 0) {
      out.verdict = UploadOutcome::Verdict::kTestsFailed;
    }
  }
  bool accepted = out.verdict == UploadOutcome::Verdict::kAccepted;
  boost::json::array errors;
  for (const auto& e : out.errors) {
    errors.push_back(ErrorJson(e));
  }
  std::string now = Now();
  PolicyBundle b;
  b.id = NewUuid(random_);
  b.name = in.name;
  b.modules_json = json::Serialize(modules);
  b.data_json = json::Serialize(data);
  b.packages_json = JsonList(PackagesOf(modules));
  b.sha256 = BundleSha(modules, data);
  b.status = !accepted ? "rejected" : in.mode == "shadow" ? "shadow" : "enforced";
  b.tests_passed = out.tests.passed;
  b.tests_failed = out.tests.failed;
  b.errors_json = json::Serialize(errors);
  b.author_id = ctx.principal.id;
  b.created_at = now;
  b.updated_at = now;
  auto stored = storage::WithWrite(db_, ctx.principal.org_id, [&](Transaction& tx) -> Status {
    QLRF_ASSIGN_OR_RETURN(b.version, PolicyStore::LatestVersion(tx, in.name));
    b.version += 1;
    if (accepted) {
      QLRF_TRY(PolicyStore::SetStatus(tx, in.name, "shadow", "superseded", now));
      if (b.status == "enforced") {
        QLRF_TRY(PolicyStore::SetStatus(tx, in.name, "enforced", "superseded", now));
      }
    }
    QLRF_TRY(PolicyStore::InsertBundle(tx, b));
    return auditor_.Record(tx, ctx, accepted ? "policy.upload" : "policy.reject", "policy",
                           in.name + "@" + std::to_string(b.version), nullptr,
                           {{"name", b.name},
                            {"version", b.version},
                            {"status", b.status},
                            {"sha256", b.sha256},
                            {"tests_passed", b.tests_passed},
                            {"tests_failed", b.tests_failed},
                            {"errors", errors.size()}});
  });
  if (!stored) {
    return Fail(stored.error());
  }
  if (accepted) {
    Remember(ctx.principal.org_id + "/" + b.name + "@" + std::to_string(b.version), *set);
  }
  out.bundle = std::move(b);
  return out;
}

Result<PolicyBundle> PolicyService::Promote(const RequestContext& ctx, std::string_view name) {
  std::string n(name);
  std::string now = Now();
  return storage::WithWrite(
      db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<PolicyBundle> {
        QLRF_ASSIGN_OR_RETURN(auto shadow, PolicyStore::BundleInStatus(tx, n, "shadow"));
        if (!shadow) {
          // The name is not echoed: it may be one another org uses.
          return Fail(NotFound("the policy has no shadow version to promote"));
        }
        QLRF_ASSIGN_OR_RETURN(auto before, PolicyStore::BundleInStatus(tx, n, "enforced"));
        QLRF_TRY(PolicyStore::SetStatus(tx, n, "enforced", "superseded", now));
        QLRF_TRY(PolicyStore::SetVersionStatus(tx, n, shadow->version, "enforced", now));
        boost::json::value was = before               ? boost::json::value(before->version)
                                 : builtins_.count(n) ? boost::json::value(0)
                                                      : boost::json::value(nullptr);
        QLRF_TRY(
            auditor_.Record(tx, ctx, "policy.promote", "policy",
                            n + "@" + std::to_string(shadow->version), {{"enforced_version", was}},
                            {{"enforced_version", shadow->version}, {"sha256", shadow->sha256}}));
        shadow->status = "enforced";
        shadow->updated_at = now;
        return *shadow;
      });
}

Result<storage::Page<PolicySummary>> PolicyService::List(const RequestContext& ctx,
                                                         const storage::PageRequest& page) {
  return storage::WithRead(
      db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<storage::Page<PolicySummary>> {
        QLRF_ASSIGN_OR_RETURN(auto stored, PolicyStore::Names(tx));
        QLRF_ASSIGN_OR_RETURN(auto heads, PolicyStore::ActiveHeads(tx));
        std::set<std::string> names(stored.begin(), stored.end());
        for (const auto& [name, b] : builtins_) {
          names.insert(name);
        }
        std::vector<PolicySummary> rows;
        for (const auto& name : names) {
          if (page.after_key && name <= *page.after_key) {
            continue;
          }
          PolicySummary s;
          s.name = name;
          if (auto it = builtins_.find(name); it != builtins_.end()) {
            s.builtin = true;
            s.enforced_version = 0;
            s.sha256 = it->second.sha256;
            s.packages = it->second.packages;
          }
          for (const auto& h : heads) {
            if (h.name != name) {
              continue;
            }
            if (h.status == "enforced") {
              s.enforced_version = h.version;
              s.sha256 = h.sha256;
              s.packages = PackagesFromJson(h.packages_json);
            } else {
              s.shadow_version = h.version;
            }
          }
          rows.push_back(std::move(s));
          if (static_cast<int>(rows.size()) > page.limit) {
            break;
          }
        }
        return storage::MakePage(std::move(rows), page.limit,
                                 [](const PolicySummary& s) { return std::pair(s.name, s.name); });
      });
}

Result<PolicyVersions> PolicyService::Versions(const RequestContext& ctx, std::string_view name) {
  std::string n(name);
  return storage::WithRead(db_, ctx.principal.org_id,
                           [&](Transaction& tx) -> Result<PolicyVersions> {
                             QLRF_ASSIGN_OR_RETURN(auto versions, PolicyStore::Versions(tx, n));
                             auto builtin = builtins_.find(n);
                             if (versions.empty() && builtin == builtins_.end()) {
                               return Fail(NotFound("policy not found"));
                             }
                             PolicyVersions out;
                             out.summary.name = n;
                             bool custom_enforced = false;
                             for (const auto& v : versions) {
                               if (v.status == "enforced") {
                                 custom_enforced = true;
                                 out.summary.enforced_version = v.version;
                                 out.summary.sha256 = v.sha256;
                                 out.summary.packages = PackagesFromJson(v.packages_json);
                               } else if (v.status == "shadow") {
                                 out.summary.shadow_version = v.version;
                               }
                             }
                             out.versions = std::move(versions);
                             if (builtin != builtins_.end()) {
                               const auto& b = builtin->second;
                               out.summary.builtin = true;
                               PolicyBundle row;
                               row.name = n;
                               row.version = 0;
                               row.modules_json = json::Serialize(b.modules);
                               row.packages_json = JsonList(b.packages);
                               row.sha256 = b.sha256;
                               row.status = custom_enforced ? "superseded" : "enforced";
                               row.author_id = "builtin";
                               out.versions.push_back(std::move(row));
                               if (!custom_enforced) {
                                 out.summary.enforced_version = 0;
                                 out.summary.sha256 = b.sha256;
                                 out.summary.packages = b.packages;
                               }
                             }
                             return out;
                           });
}

Result<storage::Page<storage::PolicyDecisionRow>> PolicyService::Decisions(
    const RequestContext& ctx, const storage::DecisionFilter& filter,
    const storage::PageRequest& page) {
  storage::DecisionFilter f = filter;
  if (f.since) {
    // Stored times are FormatTime's; compare like with like ("…03Z" vs "…03.000Z").
    auto t = ParseTime(*f.since);
    if (!t) {
      return Fail(FieldError("since", "must be an RFC 3339 time: " + t.error().message));
    }
    f.since = FormatTime(*t);
  }
  return storage::WithRead(db_, ctx.principal.org_id, [&](Transaction& tx) {
    return PolicyStore::ListDecisions(tx, f, page);
  });
}

Status PolicyService::LogDecisions(const RequestContext& ctx,
                                   const std::vector<storage::PolicyDecisionRow>& rows) {
  std::unique_lock lock(log_mu_);
  for (const auto& r : rows) {
    log_queue_.emplace_back(ctx.principal.org_id, r);
  }
  log_enqueued_ += rows.size();
  const uint64_t mine = log_enqueued_;
  Status result = Ok();
  while (log_written_ < mine) {
    if (log_flushing_) {
      log_cv_.wait(lock);
      continue;
    }
    // Nobody is writing: this caller writes everything queued so far, its own rows included.
    log_flushing_ = true;
    auto batch = std::move(log_queue_);
    log_queue_.clear();
    const uint64_t upto = log_enqueued_;
    lock.unlock();
    Status st = WriteDecisionBatch(batch);
    lock.lock();
    log_flushing_ = false;
    log_written_ = upto;
    log_cv_.notify_all();
    if (!st) {
      result = st;
    }
  }
  return result;
}

Status PolicyService::WriteDecisionBatch(
    const std::vector<std::pair<std::string, storage::PolicyDecisionRow>>& batch) {
  std::map<std::string, std::vector<storage::PolicyDecisionRow>> by_org;
  for (const auto& [org, row] : batch) {
    by_org[org].push_back(row);
  }
  Status result = Ok();
  for (const auto& [org, rows] : by_org) {
    auto st = storage::WithWrite(
        db_, org, [&](Transaction& tx) { return PolicyStore::InsertDecisions(tx, rows); });
    if (!st) {
      log::Error("decision log write failed", {{"org_id", org},
                                               {"rows", std::to_string(rows.size())},
                                               {"error", st.error().ToString()}});
      result = st;
    }
  }
  return result;
}

// One policy name a decision may read: its enforced version (uploaded or built-in) and shadow.
struct PolicyService::Candidate {
  std::string name;
  std::optional<int64_t> enforced;  // 0: built-in
  std::optional<int64_t> shadow;
  std::optional<policy::PolicySet> enforced_set;
  std::optional<policy::PolicySet> shadow_set;
};

Result<PolicyDecision> PolicyService::Evaluate(const RequestContext& ctx, std::string_view path,
                                               const boost::json::value* input, bool strict) {
  QLRF_ASSIGN_OR_RETURN(std::string p, NormalizeDataPath(path));
  auto segments = Split(p, '/');
  MonotonicTime start = clock_.Monotonic();

  // 1. Which policies define documents on this path, compiled (cached).
  auto found = storage::WithRead(
      db_, ctx.principal.org_id, [&](Transaction& tx) -> Result<std::vector<Candidate>> {
        QLRF_ASSIGN_OR_RETURN(auto heads, PolicyStore::ActiveHeads(tx));
        std::map<std::string, Candidate> by_name;
        for (const auto& [name, b] : builtins_) {
          if (AnyOverlaps(b.packages, segments)) {
            by_name[name] = Candidate{name, 0, std::nullopt, std::nullopt, std::nullopt};
          }
        }
        for (const auto& h : heads) {
          bool overlaps = AnyOverlaps(PackagesFromJson(h.packages_json), segments);
          auto it = by_name.find(h.name);
          if (h.status == "enforced") {
            // An uploaded version replaces the built-in of its name, wherever either points.
            if (overlaps || it != by_name.end()) {
              by_name[h.name].name = h.name;
              by_name[h.name].enforced =
                  overlaps ? std::optional<int64_t>(h.version) : std::nullopt;
            }
          } else if (overlaps) {
            by_name[h.name].name = h.name;
            by_name[h.name].shadow = h.version;
          }
        }
        std::vector<Candidate> out;
        for (auto& [name, c] : by_name) {
          if (c.enforced) {
            QLRF_ASSIGN_OR_RETURN(c.enforced_set, CompiledBundle(tx, name, *c.enforced));
          }
          if (c.shadow) {
            QLRF_ASSIGN_OR_RETURN(c.shadow_set, CompiledBundle(tx, name, *c.shadow));
          }
          if (c.enforced || c.shadow) {
            out.push_back(std::move(c));
          }
        }
        return out;
      });
  if (!found) {
    return Fail(found.error());
  }

  // 2. Evaluate the enforced versions; their defined results make the decision.
  policy::EvalOptions limits = EvalLimits(strict);
  PolicyDecision d;
  d.decision_id = NewUuid(random_);
  d.path = p;
  std::vector<std::optional<boost::json::value>> enforced_results(found->size());
  std::optional<Error> failure;
  std::vector<std::string> names;
  for (size_t i = 0; i < found->size(); ++i) {
    const auto& c = (*found)[i];
    if (!c.enforced_set) {
      continue;
    }
    names.push_back(c.name);
    d.version = *c.enforced;
    auto r = c.enforced_set->Eval(p, input, limits);
    if (!r) {
      failure = r.error();
      break;
    }
    enforced_results[i] = std::move(*r);
    if (!enforced_results[i]) {
      continue;
    }
    if (!d.result) {
      d.result = enforced_results[i];
    } else if (d.result->is_object() && enforced_results[i]->is_object()) {
      for (const auto& [k, v] : enforced_results[i]->as_object()) {
        auto* existing = d.result->as_object().if_contains(k);
        if (existing != nullptr && *existing != v) {
          failure = Error(ErrorCode::kFailedPrecondition,
                          "policies " + names.front() + " and " + c.name +
                              " define different values for " + p + "/" + std::string(k))
                        .With("rego_code", "eval_conflict_error");
          break;
        }
        d.result->as_object()[k] = v;
      }
    } else if (*d.result != *enforced_results[i]) {
      failure =
          Error(ErrorCode::kFailedPrecondition, "policies " + names.front() + " and " + c.name +
                                                    " define different values for " + p)
              .With("rego_code", "eval_conflict_error");
    }
    if (failure) {
      break;
    }
  }
  for (size_t i = 0; i < names.size(); ++i) {
    d.policy += (i == 0 ? "" : ",") + names[i];
  }
  if (names.size() != 1) {
    d.version = 0;
  }
  d.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - start).count();
  if (failure) {
    d.denied = true;
    d.error = failure->message;
  } else {
    d.denied = DeniedBy(p, d.result, &d.reasons);
  }
  duration_->Observe(static_cast<double>(d.duration_us) / 1e6);
  (failure ? failed_ : d.denied ? denied_ : allowed_)->Inc();

  // 3. Shadow versions beside it: logged and counted, never part of the decision.
  std::string now = Now();
  std::string input_sha = crypto::Sha256Hex(input != nullptr ? json::Serialize(*input) : "");
  std::vector<storage::PolicyDecisionRow> rows;
  rows.push_back({d.decision_id, d.policy, d.version, p, input_sha,
                  d.result ? std::optional<std::string>(ResultText(d.result)) : std::nullopt,
                  d.denied, d.duration_us, false, false, "embedded", d.error, now});
  for (size_t i = 0; i < found->size() && !failure; ++i) {
    const auto& c = (*found)[i];
    if (!c.shadow_set) {
      continue;
    }
    MonotonicTime t0 = clock_.Monotonic();
    auto r = c.shadow_set->Eval(p, input, limits);
    storage::PolicyDecisionRow row;
    row.id = NewUuid(random_);
    row.policy = c.name;
    row.version = *c.shadow;
    row.path = p;
    row.input_sha256 = input_sha;
    row.shadow = true;
    row.created_at = now;
    if (r) {
      row.result_json = *r ? std::optional<std::string>(ResultText(*r)) : std::nullopt;
      row.denied = DeniedBy(p, *r, nullptr);
      row.differs_from_enforced = *r != enforced_results[i];
    } else {
      row.error = r.error().message;
      row.denied = true;
      row.differs_from_enforced = true;
    }
    row.duration_us =
        std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - t0).count();
    shadow_evaluations_->Inc();
    if (row.differs_from_enforced) {
      shadow_differences_->Inc();
      log::Info("shadow policy differs", {{"org_id", ctx.principal.org_id},
                                          {"request_id", ctx.request_id},
                                          {"policy", c.name},
                                          {"shadow_version", std::to_string(*c.shadow)},
                                          {"path", p},
                                          {"decision_id", d.decision_id}});
    }
    rows.push_back(std::move(row));
  }
  // A lost log row does not change the decision; the batch writer has logged the failure.
  (void)LogDecisions(ctx, rows);
  if (failure) {
    return Fail(std::move(*failure));
  }
  return d;
}

Result<PolicyDecision> EmbeddedPolicyDecider::Evaluate(const RequestContext& ctx,
                                                       std::string_view path,
                                                       const boost::json::value* input) {
  return service_.Evaluate(ctx, path, input);
}

// --- remote ----------------------------------------------------------------------------------

RemotePolicyDecider::RemotePolicyDecider(HttpClient& http, PolicyService& log, const Clock& clock,
                                         Random& random, RemotePolicyOptions options)
    : http_(http), log_(log), clock_(clock), random_(random), options_(std::move(options)) {
  while (!options_.url.empty() && options_.url.back() == '/') {
    options_.url.pop_back();
  }
}

Result<std::optional<boost::json::value>> RemotePolicyDecider::Ask(
    const std::string& path, const boost::json::value* input) {
  HttpClientRequest req;
  req.method = "POST";
  req.url = options_.url + "/v1/data/" + path;
  req.timeout = options_.timeout;
  req.headers.emplace_back("Content-Type", "application/json");
  if (!options_.token.empty()) {
    req.headers.emplace_back("Authorization", "Bearer " + options_.token);
  }
  boost::json::object body;
  if (input != nullptr) {
    body["input"] = *input;
  }
  req.body = json::Serialize(body);
  auto resp = http_.Send(req);
  if (!resp) {
    Error e = resp.error();
    if (e.code == ErrorCode::kDeadlineExceeded) {
      return Fail(Error(ErrorCode::kDeadlineExceeded,
                        "policy server " + options_.url + " did not answer within " +
                            std::to_string(options_.timeout.count()) + " ms"));
    }
    return Fail(Unavailable("policy server " + options_.url + " unreachable: " + e.message));
  }
  auto parsed = json::Parse(resp->body);
  std::string detail;
  if (parsed && parsed->is_object()) {
    const auto& o = parsed->as_object();
    if (const auto* m = o.if_contains("message"); m != nullptr && m->is_string()) {
      detail = ": " + std::string(m->get_string());
    }
  }
  if (resp->status >= 500) {
    return Fail(Unavailable("policy server " + options_.url + " answered HTTP " +
                            std::to_string(resp->status) + detail));
  }
  if (resp->status != 200) {
    return Fail(
        Error(resp->status == 400 ? ErrorCode::kInvalidArgument : ErrorCode::kFailedPrecondition,
              "policy server " + options_.url + " refused the query: HTTP " +
                  std::to_string(resp->status) + detail));
  }
  if (!parsed || !parsed->is_object()) {
    return Fail(Unavailable("policy server " + options_.url +
                            " answered with a body that is "
                            "not a JSON object"));
  }
  const auto* result = parsed->as_object().if_contains("result");
  return result != nullptr ? std::optional<boost::json::value>(*result) : std::nullopt;
}

Result<PolicyDecision> RemotePolicyDecider::Evaluate(const RequestContext& ctx,
                                                     std::string_view path,
                                                     const boost::json::value* input) {
  QLRF_ASSIGN_OR_RETURN(std::string p, NormalizeDataPath(path));
  MonotonicTime start = clock_.Monotonic();
  auto answer = Ask(p, input);
  PolicyDecision d;
  d.decision_id = NewUuid(random_);
  d.path = p;
  d.policy = p;
  d.source = "remote";
  d.duration_us =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_.Monotonic() - start).count();
  if (answer) {
    d.result = std::move(*answer);
    d.denied = DeniedBy(p, d.result, &d.reasons);
  } else {
    d.denied = true;
    d.error = answer.error().message;
    log::Warn("remote policy decision failed; denying",
              {{"request_id", ctx.request_id}, {"path", p}, {"error", d.error}});
  }
  storage::PolicyDecisionRow row{
      d.decision_id,
      d.policy,
      0,
      p,
      crypto::Sha256Hex(input != nullptr ? json::Serialize(*input) : ""),
      d.result ? std::optional<std::string>(json::Serialize(*d.result)) : std::nullopt,
      d.denied,
      d.duration_us,
      false,
      false,
      "remote",
      d.error,
      FormatTime(clock_.Now())};
  // A lost log row does not change the decision; the batch writer has logged the failure.
  (void)log_.LogDecisions(ctx, {row});
  if (!answer) {
    return Fail(answer.error());
  }
  return d;
}

}  // namespace qlrf::services
