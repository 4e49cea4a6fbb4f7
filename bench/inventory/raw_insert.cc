// Baseline for bench/inventory: the fastest plain way to load N assets (plus 3 tag rows each)
// into the same schema — one transaction, one prepared single-row INSERT per table, values
// pre-built before the clock starts. Prints rows/s. Usage: raw_insert DB_FILE ORG_ID N
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

struct Row {
  std::string id, instance_id, name, tag_tier, tag_team, tag_cc;
};

bool Ok(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "raw_insert: %s: %s\n", what, sqlite3_errmsg(db));
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: raw_insert DB_FILE ORG_ID N\n");
    return 2;
  }
  const std::string org = argv[2];
  const long n = std::atol(argv[3]);
  std::vector<Row> rows(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) {
    char id[40];
    // Time-ordered like the demo's UUIDv7 ids.
    std::snprintf(id, sizeof id, "019b0000-%04lx-7%03lx-8000-%012lx", (i >> 12) & 0xffff, i & 0xfff,
                  static_cast<unsigned long>(i) * 2654435761UL % 0xffffffffffffUL);
    Row& r = rows[static_cast<size_t>(i)];
    r.id = id;
    r.instance_id = "i-" + std::to_string(1000000000L + i * 7919 % 1000000000L);
    r.name = std::string(i % 2 ? "web" : "db") + "-us-east-1-" + std::to_string(i);
    r.tag_tier = i % 2 ? "web" : "db";
    r.tag_team = "team-" + std::to_string(i % 5);
    r.tag_cc = "cc-" + std::to_string(100 + i % 20);
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) return 1;
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-262144;",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* ins = nullptr;
  sqlite3_stmt* tag = nullptr;
  const char* sql =
      "INSERT INTO assets (id, org_id, platform, instance_id, name, environment, site_id, region, "
      "state, image_ref, image_family, image_version, os, ips, tags, first_seen_at, last_seen_at, "
      "created_at, updated_at) VALUES (?1, ?2, 'aws', ?3, ?4, 'production', NULL, 'us-east-1', "
      "'running', 'golden://ubuntu-22.04/2026.10.24', 'ubuntu-22.04', '2026.10.24', 'ubuntu', "
      "'[\"10.0.0.1\"]', '{}', '2026-01-01T00:00:00.000Z', '2026-11-23T00:00:00.000Z', "
      "'2026-01-01T00:00:00.000Z', '2026-11-23T00:00:00.000Z')";
  if (!Ok(sqlite3_prepare_v2(db, sql, -1, &ins, nullptr), db, "prepare")) return 1;
  if (!Ok(sqlite3_prepare_v2(db,
                             "INSERT INTO asset_tags (org_id, asset_id, key, value) VALUES "
                             "(?1, ?2, ?3, ?4)",
                             -1, &tag, nullptr),
          db, "prepare tags")) {
    return 1;
  }
  auto start = std::chrono::steady_clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const Row& r : rows) {
    sqlite3_bind_text(ins, 1, r.id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, org.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, r.instance_id.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, r.name.c_str(), -1, SQLITE_STATIC);
    if (!Ok(sqlite3_step(ins), db, "insert")) return 1;
    sqlite3_reset(ins);
    for (auto [k, v] : {std::pair{"tier", &r.tag_tier}, std::pair{"team", &r.tag_team},
                        std::pair{"cost-center", &r.tag_cc}}) {
      sqlite3_bind_text(tag, 1, org.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(tag, 2, r.id.c_str(), -1, SQLITE_STATIC);
      sqlite3_bind_text(tag, 3, k, -1, SQLITE_STATIC);
      sqlite3_bind_text(tag, 4, v->c_str(), -1, SQLITE_STATIC);
      if (!Ok(sqlite3_step(tag), db, "insert tag")) return 1;
      sqlite3_reset(tag);
    }
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sqlite3_finalize(ins);
  sqlite3_finalize(tag);
  sqlite3_close(db);
  std::printf("%.3f\n", secs);
  return 0;
}
