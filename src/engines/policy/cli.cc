// `qlrf policy eval|test`: file loading (the adapter edge: filesystem and YAML exceptions stop
// here), OPA-shaped JSON output and the test runner.
#include "engines/policy/cli.h"

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "common/json.h"
#include "engines/policy/internal/regex.h"
#include "engines/policy/policy.h"

namespace qlrf::policy {
namespace {

namespace fs = std::filesystem;
namespace bj = boost::json;

// ---- output ----

// Doubles as JavaScript/Go print them (3.5, 0.30000000000000004, 1e+300); Boost.JSON would
// write 3.5E0.
std::string DoubleText(double d) {
  if (!std::isfinite(d)) {
    return "null";
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), d);
  return std::string(buf, res.ptr);
}

// Compact JSON with readable doubles.
std::string JsonText(const bj::value& v) {
  if (v.is_double()) {
    return DoubleText(v.get_double());
  }
  if (v.is_array()) {
    std::string out = "[";
    for (const auto& item : v.get_array()) {
      if (out.size() > 1) {
        out += ',';
      }
      out += JsonText(item);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out = "{";
    for (const auto& m : v.get_object()) {
      if (out.size() > 1) {
        out += ',';
      }
      out += bj::serialize(bj::value(m.key()));
      out += ':';
      out += JsonText(m.value());
    }
    return out + "}";
  }
  return bj::serialize(v);
}

void WriteIndent(std::ostream& out, int n) {
  for (int i = 0; i < n; ++i) {
    out << "  ";
  }
}

// Indented JSON with two spaces, members in insertion order (as `opa eval` prints).
void WritePretty(std::ostream& out, const bj::value& v, int depth) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    if (o.empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    size_t i = 0;
    for (const auto& m : o) {
      WriteIndent(out, depth + 1);
      out << bj::serialize(bj::value(m.key())) << ": ";
      WritePretty(out, m.value(), depth + 1);
      out << (++i < o.size() ? ",\n" : "\n");
    }
    WriteIndent(out, depth);
    out << "}";
    return;
  }
  if (v.is_array()) {
    const auto& a = v.get_array();
    if (a.empty()) {
      out << "[]";
      return;
    }
    out << "[\n";
    for (size_t i = 0; i < a.size(); ++i) {
      WriteIndent(out, depth + 1);
      WritePretty(out, a[i], depth + 1);
      out << (i + 1 < a.size() ? ",\n" : "\n");
    }
    WriteIndent(out, depth);
    out << "]";
    return;
  }
  out << JsonText(v);
}

bj::object LocationJson(const Location& loc) {
  bj::object o;
  if (!loc.file.empty()) {
    o["file"] = loc.file;
  }
  o["row"] = loc.row;
  o["col"] = loc.col;
  return o;
}

bj::object ErrorJson(const Error& e) {
  RegoErrorInfo info = DescribeError(e);
  bj::object o;
  o["code"] = info.code.empty() ? std::string(ErrorCodeName(e.code)) : info.code;
  o["message"] = info.message;
  if (info.location.row > 0) {
    o["location"] = LocationJson(info.location);
  }
  return o;
}

// "file:row: code: message" as OPA prints one error on the terminal.
std::string ErrorLine(const Error& e) {
  RegoErrorInfo info = DescribeError(e);
  std::string out;
  if (!info.location.file.empty()) {
    out += info.location.file + ":" + std::to_string(info.location.row) + ": ";
  }
  out += info.code.empty() ? std::string(ErrorCodeName(e.code)) : info.code;
  out += ": " + info.message;
  return out;
}

// ---- loading ----

bj::value YamlScalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") {
    return bj::string(s);
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") {
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    return false;
  }
  int64_t i = 0;
  auto ri = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) {
    return i;
  }
  double d = 0;
  auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
  if (rd.ec == std::errc() && rd.ptr == s.data() + s.size()) {
    return d;
  }
  return bj::string(s);
}

Result<bj::value> YamlToJson(const YAML::Node& n, int depth) {
  if (depth > 64) {
    return Fail(InvalidArgument("YAML document nests too deeply"));
  }
  switch (n.Type()) {
    case YAML::NodeType::Scalar:
      return YamlScalar(n);
    case YAML::NodeType::Sequence: {
      bj::array a;
      for (const auto& item : n) {
        QLRF_ASSIGN_OR_RETURN(auto v, YamlToJson(item, depth + 1));
        a.push_back(std::move(v));
      }
      return bj::value(std::move(a));
    }
    case YAML::NodeType::Map: {
      bj::object o;
      for (const auto& kv : n) {
        QLRF_ASSIGN_OR_RETURN(auto v, YamlToJson(kv.second, depth + 1));
        o[kv.first.Scalar()] = std::move(v);
      }
      return bj::value(std::move(o));
    }
    default:
      return bj::value(nullptr);
  }
}

Result<std::string> ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return Fail(NotFound("cannot read " + p.string()));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsYaml(const fs::path& p) { return p.extension() == ".yaml" || p.extension() == ".yml"; }

// A JSON or YAML document.
Result<bj::value> ReadDocument(const fs::path& p) {
  QLRF_ASSIGN_OR_RETURN(auto text, ReadText(p));
  if (IsYaml(p)) {
    try {
      YAML::Node root = YAML::Load(text);
      return YamlToJson(root, 0);
    } catch (const std::exception& e) {
      return Fail(InvalidArgument(p.string() + ": " + e.what()));
    }
  }
  auto v = json::Parse(text);
  if (!v) {
    return Fail(InvalidArgument(p.string() + ": " + v.error().message));
  }
  return v;
}

Status LoadFile(Compiler& compiler, const fs::path& file, const std::vector<std::string>& prefix,
                const std::string& shown) {
  if (file.extension() == ".rego") {
    QLRF_ASSIGN_OR_RETURN(auto text, ReadText(file));
    return compiler.AddModule(shown, text);
  }
  if (file.extension() == ".json" || IsYaml(file)) {
    QLRF_ASSIGN_OR_RETURN(auto doc, ReadDocument(file));
    return compiler.AddData(doc, prefix);
  }
  return Ok();
}

// Files as given; directories recursively, data files placed at their folder's path (OPA's
// loader: dir/a/b/data.json becomes data.a.b).
Status LoadPaths(Compiler& compiler, const std::vector<std::string>& paths) {
  for (const auto& raw : paths) {
    fs::path root(raw);
    std::error_code ec;
    if (fs::is_directory(root, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
        if (e.is_regular_file()) {
          files.push_back(e.path());
        }
      }
      if (ec) {
        return Fail(InvalidArgument("cannot list " + raw + ": " + ec.message()));
      }
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        std::vector<std::string> prefix;
        for (const auto& part : fs::relative(f.parent_path(), root)) {
          if (part != ".") {
            prefix.push_back(part.string());
          }
        }
        QLRF_TRY(LoadFile(compiler, f, prefix, f.string()));
      }
    } else if (fs::is_regular_file(root, ec)) {
      QLRF_TRY(LoadFile(compiler, root, {}, raw));
    } else {
      return Fail(NotFound(raw + ": no such file or directory"));
    }
  }
  return Ok();
}

int PrintErrors(std::ostream& out, const Error& e) {
  bj::array errors;
  errors.push_back(ErrorJson(e));
  bj::object o;
  o["errors"] = std::move(errors);
  WritePretty(out, o, 0);
  out << "\n";
  return 1;
}

// ---- test runner ----

std::string FormatDuration(std::chrono::nanoseconds d) {
  auto ns = d.count();
  char buf[64];
  if (ns == 0) {
    return "0s";
  }
  if (ns < 1000) {
    std::snprintf(buf, sizeof(buf), "%lldns", static_cast<long long>(ns));
  } else if (ns < 1000000) {
    std::snprintf(buf, sizeof(buf), "%gµs", static_cast<double>(ns) / 1e3);
  } else if (ns < 1000000000) {
    std::snprintf(buf, sizeof(buf), "%gms", static_cast<double>(ns) / 1e6);
  } else {
    std::snprintf(buf, sizeof(buf), "%gs", static_cast<double>(ns) / 1e9);
  }
  return buf;
}

enum class Outcome { kPass, kFail, kError, kSkip };

struct TestResult {
  RuleInfo rule;
  std::string package;
  std::string name;
  Outcome outcome = Outcome::kPass;
  std::string error;
  std::chrono::nanoseconds duration{0};
};

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kPass:
      return "PASS";
    case Outcome::kFail:
      return "FAIL";
    case Outcome::kError:
      return "ERROR";
    case Outcome::kSkip:
      return "SKIPPED";
  }
  return "";
}

}  // namespace

int PolicyEval(const PolicyEvalOptions& options, std::ostream& out, std::ostream& err) {
  static const char* const kFormats[] = {"json", "values", "bindings", "raw", "pretty"};
  if (std::find(std::begin(kFormats), std::end(kFormats), options.format) == std::end(kFormats)) {
    err << "qlrf policy eval: unknown --format " << options.format
        << " (json, values, bindings, raw)\n";
    return 2;
  }
  CompilerOptions copts;
  copts.v0_compatible = options.v0_compatible;
  Compiler compiler(copts);
  if (auto st = LoadPaths(compiler, options.data_paths); !st) {
    return PrintErrors(out, st.error());
  }
  std::optional<bj::value> input;
  if (!options.input_path.empty()) {
    auto doc = ReadDocument(options.input_path);
    if (!doc) {
      return PrintErrors(out, doc.error());
    }
    input = std::move(*doc);
  }
  auto set = compiler.Compile();
  if (!set) {
    return PrintErrors(out, set.error());
  }
  EvalOptions eopts;
  eopts.clock = options.clock;
  eopts.random = options.random;
  eopts.timeout = options.timeout;
  eopts.strict_builtin_errors = options.strict_builtin_errors;
  eopts.print_output = &err;
  auto result = set->Query(options.query, input ? &*input : nullptr, eopts);
  if (!result) {
    return PrintErrors(out, result.error());
  }
  bool defined = !result->rows.empty();
  if (options.format == "raw") {
    for (const auto& row : result->rows) {
      for (const auto& e : row.expressions) {
        if (e.value.is_string()) {
          out << std::string_view(e.value.get_string()) << "\n";
        } else {
          out << JsonText(e.value) << "\n";
        }
      }
    }
  } else if (options.format == "values" || options.format == "bindings") {
    bj::array items;
    for (const auto& row : result->rows) {
      if (options.format == "bindings") {
        items.push_back(row.bindings);
        continue;
      }
      if (row.expressions.size() == 1) {
        items.push_back(row.expressions[0].value);
      } else {
        bj::array values;
        for (const auto& e : row.expressions) {
          values.push_back(e.value);
        }
        items.push_back(std::move(values));
      }
    }
    WritePretty(out, items, 0);
    out << "\n";
  } else {
    bj::object doc;
    if (defined) {
      bj::array rows;
      for (const auto& row : result->rows) {
        bj::object r;
        bj::array exprs;
        for (const auto& e : row.expressions) {
          bj::object x;
          x["value"] = e.value;
          x["text"] = e.text;
          x["location"] = LocationJson(e.location);
          exprs.push_back(std::move(x));
        }
        r["expressions"] = std::move(exprs);
        if (!row.bindings.empty()) {
          r["bindings"] = row.bindings;
        }
        rows.push_back(std::move(r));
      }
      doc["result"] = std::move(rows);
    }
    WritePretty(out, doc, 0);
    out << "\n";
  }
  if ((options.fail && !defined) || (options.fail_defined && defined)) {
    return 1;
  }
  return 0;
}

int PolicyTest(const PolicyTestOptions& options, std::ostream& out, std::ostream& err) {
  if (options.format != "pretty" && options.format != "json") {
    err << "qlrf policy test: unknown --format " << options.format << " (pretty, json)\n";
    return 2;
  }
  std::optional<internal::Regex> filter;
  if (!options.run.empty()) {
    auto re = internal::Regex::Compile(options.run);
    if (!re) {
      err << "qlrf policy test: --run: " << re.error().message << "\n";
      return 2;
    }
    filter = std::move(*re);
  }
  CompilerOptions copts;
  copts.v0_compatible = options.v0_compatible;
  Compiler compiler(copts);
  auto loaded = LoadPaths(compiler, options.paths);
  if (!loaded) {
    err << "1 error occurred: " << ErrorLine(loaded.error()) << "\n";
    return 1;
  }
  auto set = compiler.Compile();
  if (!set) {
    err << "1 error occurred: " << ErrorLine(set.error()) << "\n";
    return 1;
  }
  std::vector<TestResult> results;
  for (const auto& rule : set->Rules()) {
    if (rule.is_function) {
      continue;
    }
    size_t dot = rule.path.rfind('.');
    std::string name = rule.path.substr(dot + 1);
    bool todo = name.rfind("todo_test_", 0) == 0;
    if (name.rfind("test_", 0) != 0 && !todo) {
      continue;
    }
    if (filter && !filter->Search(rule.path)) {
      continue;
    }
    TestResult r;
    r.rule = rule;
    r.package = rule.path.substr(0, dot);
    r.name = name;
    if (todo) {
      r.outcome = Outcome::kSkip;
      results.push_back(std::move(r));
      continue;
    }
    EvalOptions eopts;
    eopts.clock = options.clock;
    eopts.random = options.random;
    eopts.timeout = options.timeout;
    MonotonicTime start = options.clock != nullptr ? options.clock->Monotonic() : MonotonicTime();
    auto value = set->Eval(rule.path, nullptr, eopts);
    if (options.clock != nullptr) {
      r.duration =
          std::chrono::duration_cast<std::chrono::nanoseconds>(options.clock->Monotonic() - start);
    }
    if (!value) {
      r.outcome = Outcome::kError;
      r.error = ErrorLine(value.error());
    } else if (!value->has_value() || ((**value).is_bool() && !(**value).get_bool())) {
      r.outcome = Outcome::kFail;
    }
    results.push_back(std::move(r));
  }
  std::map<Outcome, int> counts;
  for (const auto& r : results) {
    ++counts[r.outcome];
  }
  if (options.format == "json") {
    bj::array items;
    for (const auto& r : results) {
      bj::object o;
      o["location"] = LocationJson(r.rule.location);
      o["package"] = r.package;
      o["name"] = r.name;
      if (r.outcome == Outcome::kFail) {
        o["fail"] = true;
      } else if (r.outcome == Outcome::kSkip) {
        o["skip"] = true;
      } else if (r.outcome == Outcome::kError) {
        bj::object e;
        e["message"] = r.error;
        o["error"] = std::move(e);
      }
      o["duration"] = r.duration.count();
      items.push_back(std::move(o));
    }
    WritePretty(out, items, 0);
    out << "\n";
  } else {
    // Failures (or, with -v, everything) grouped by file.
    std::map<std::string, std::vector<const TestResult*>> by_file;
    for (const auto& r : results) {
      if (options.verbose || r.outcome == Outcome::kFail || r.outcome == Outcome::kError) {
        by_file[r.rule.location.file].push_back(&r);
      }
    }
    for (const auto& [file, list] : by_file) {
      out << file << ":\n";
      for (const TestResult* r : list) {
        out << r->package << "." << r->name << ": " << OutcomeName(r->outcome);
        if (r->outcome != Outcome::kSkip) {
          out << " (" << FormatDuration(r->duration) << ")";
        }
        out << "\n";
        if (r->outcome == Outcome::kError) {
          out << "  " << r->error << "\n";
        }
      }
      out << "\n";
    }
    if (!by_file.empty()) {
      out << std::string(80, '-') << "\n";
    }
    int total = static_cast<int>(results.size());
    for (Outcome o : {Outcome::kPass, Outcome::kFail, Outcome::kSkip, Outcome::kError}) {
      if (counts[o] > 0 || (o == Outcome::kPass && total > 0)) {
        out << OutcomeName(o) << ": " << counts[o] << "/" << total << "\n";
      }
    }
    if (total == 0) {
      out << "no tests found\n";
    }
  }
  return counts[Outcome::kFail] + counts[Outcome::kError] > 0 ? 2 : 0;
}

}  // namespace qlrf::policy
