// Operational endpoints: /healthz, /readyz, /version, /metrics, the OpenAPI document and docs.
#include <boost/json.hpp>

#include "api/routes.h"

namespace qlrf::api {

std::vector<Route> OpsRoutes(OpsDeps deps) {
  std::vector<Route> routes;
  routes.push_back({.method = "GET",
                    .path = "/healthz",
                    .authenticated = false,
                    .summary = "Liveness: the process is up",
                    .tag = "ops",
                    .response_schema = R"({"type":"object","required":["status"]})",
                    .inline_exec = true,
                    .handler = [](ApiRequest&) -> Result<ApiResponse> {
                      ApiResponse r;
                      r.raw_body = R"({"status":"ok"})";
                      return r;
                    }});
  routes.push_back(
      {.method = "GET",
       .path = "/readyz",
       .authenticated = false,
       .summary = "Readiness: database (critical), Kafka and Redis (non-critical, 'degraded')",
       .tag = "ops",
       .response_schema =
           R"({"type":"object","required":["status","checks"],"properties":{"status":{"enum":["ok","degraded","unavailable"]}}})",
       .handler = [checks = deps.checks](ApiRequest&) -> Result<ApiResponse> {
         boost::json::object out_checks;
         bool critical_down = false;
         bool degraded = false;
         for (const auto& c : checks) {
           auto st = c.check();
           boost::json::object one{{"status", st ? "ok" : "down"}, {"critical", c.critical}};
           if (!st) {
             one["error"] = st.error().message;
             (c.critical ? critical_down : degraded) = true;
           }
           out_checks[c.name] = std::move(one);
         }
         std::string status = critical_down ? "unavailable" : degraded ? "degraded" : "ok";
         return Json({{"status", status}, {"checks", out_checks}},
                     critical_down || degraded ? 503 : 200);
       }});
  routes.push_back(
      {.method = "GET",
       .path = "/version",
       .authenticated = false,
       .summary = "Version, git commit, build time and storage backend",
       .tag = "ops",
       .response_schema =
           R"({"type":"object","required":["version","git_commit","build_time","backend"]})",
       .inline_exec = true,
       .handler = [b = deps.build](ApiRequest&) -> Result<ApiResponse> {
         return Json({{"version", b.version},
                      {"git_commit", b.git_commit},
                      {"build_time", b.build_time},
                      {"backend", b.backend}});
       }});
  routes.push_back({.method = "GET",
                    .path = "/metrics",
                    .authenticated = false,
                    .summary = "Prometheus metrics (text exposition format)",
                    .tag = "ops",
                    .inline_exec = true,
                    .handler = [m = deps.metrics](ApiRequest&) -> Result<ApiResponse> {
                      ApiResponse r;
                      r.raw_body = m->Render();
                      r.content_type = "text/plain; version=0.0.4";
                      return r;
                    }});
  routes.push_back({.method = "GET",
                    .path = "/api/v1/openapi.json",
                    .authenticated = false,
                    .summary = "This API's OpenAPI 3.1 document",
                    .tag = "ops",
                    .response_schema = R"({"type":"object","required":["openapi","paths"]})",
                    .inline_exec = true,
                    .handler = [doc = deps.openapi](ApiRequest&) -> Result<ApiResponse> {
                      ApiResponse r;
                      r.raw_body = doc();
                      return r;
                    }});
  routes.push_back(
      {.method = "GET",
       .path = "/api/docs",
       .authenticated = false,
       .summary = "Human-readable API reference (HTML)",
       .tag = "ops",
       .inline_exec = true,
       .handler = [](ApiRequest&) -> Result<ApiResponse> {
         ApiResponse r;
         r.content_type = "text/html; charset=utf-8";
         r.raw_body = R"(<!doctype html><html><head><meta charset="utf-8"><title>QL-RF API</title>
<style>body{font:14px system-ui;margin:2em;max-width:70em}code{background:#eee;padding:0 .3em}
.op{border-left:4px solid #456;padding:.3em .8em;margin:.6em 0}.m{font-weight:bold;width:5em;display:inline-block}</style>
</head><body><h1>QL-RF API</h1><p>Generated from <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;token or qlrf_ API key&gt;</code>.</p><div id="ops">Loading…</div>
<script>fetch('/api/v1/openapi.json').then(r=>r.json()).then(d=>{const o=document.getElementById('ops');o.innerHTML='';
for(const [p,ms] of Object.entries(d.paths))for(const [m,op] of Object.entries(ms)){const e=document.createElement('div');e.className='op';
e.innerHTML='<span class="m">'+m.toUpperCase()+'</span><code></code> — <span></span><div><small></small></div>';
e.querySelector('code').textContent=p;e.querySelector('span:not(.m)').textContent=op.summary||'';
e.querySelector('small').textContent=(op['x-permission']?'permission: '+op['x-permission']:'public')+(op.tags?' · '+op.tags.join(','):'');o.appendChild(e);}});</script>
</body></html>)";
         return r;
       }});
  return routes;
}

}  // namespace qlrf::api
