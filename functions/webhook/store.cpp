#include "store.h"

#include <algorithm>
#include <cmath>

#include "shared/db.h"
#include "shared/host.h"

namespace webhook::store {

using db::Stmt;

namespace {
Settings readSettings(const json::Object& row) {
  Settings s;
  s.uiLanguage = std::string(json::getString(row, "ui_language").value_or(""));
  s.theme = std::string(json::getString(row, "theme").value_or(""));
  s.fontSize = int(json::getInt(row, "font_size").value_or(0));
  s.lineNumbers = json::getInt(row, "line_numbers").value_or(1) != 0;
  s.active = json::getInt(row, "active").value_or(1) != 0;
  s.preferredModel = std::string(json::getString(row, "preferred_model").value_or(""));
  s.preferredStyle = std::string(json::getString(row, "preferred_style").value_or(""));
  return s;
}
}  // namespace

std::optional<Settings> settingsOf(int64_t userId) {
  db::Result r =
      db::first(Stmt("SELECT ui_language, theme, font_size, line_numbers, active, preferred_model, "
                     "preferred_style FROM users WHERE id = ?1")
                    .bind(userId));
  if (!r.ok() || !r.first()) return std::nullopt;
  return readSettings(*r.first());
}

std::optional<Settings> touchUser(const User& u, double now) {
  db::Result r = db::first(
      Stmt("INSERT INTO users (id, username, first_name, last_name, language_code, created_ms, "
           "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) "
           "ON CONFLICT (id) DO UPDATE SET username = excluded.username, "
           "first_name = excluded.first_name, last_name = excluded.last_name, "
           "language_code = excluded.language_code, active = 1, updated_ms = excluded.updated_ms "
           "RETURNING ui_language, theme, font_size, line_numbers, active, preferred_model, "
           "preferred_style")
          .bind(u.id)
          .bind(u.username)
          .bind(u.firstName)
          .bind(u.lastName)
          .bind(u.languageCode)
          .bind(now));
  if (!r.ok()) {
    logger::error("touchUser: " + r.error());
    return std::nullopt;
  }
  if (auto row = r.first()) return readSettings(*row);
  return Settings{};
}

bool setPreferredModel(int64_t userId, const std::string& model, double now) {
  Stmt st("UPDATE users SET preferred_model = ?2, updated_ms = ?3 WHERE id = ?1");
  st.bind(userId);
  if (model.empty())
    st.bindNull();
  else
    st.bind(model);
  return db::run(st.bind(now)).ok();
}

bool setPreferredStyle(int64_t userId, const std::string& style, double now) {
  Stmt st("UPDATE users SET preferred_style = ?2, updated_ms = ?3 WHERE id = ?1");
  st.bind(userId);
  if (style.empty())
    st.bindNull();
  else
    st.bind(style);
  return db::run(st.bind(now)).ok();
}

bool setActive(int64_t userId, bool active, double now) {
  db::Result r = db::run(Stmt("UPDATE users SET active = ?2, updated_ms = ?3 WHERE id = ?1")
                             .bind(userId)
                             .bind(active)
                             .bind(now));
  return r.ok();
}

bool setTheme(int64_t userId, const std::string& theme, double now) {
  return db::run(Stmt("UPDATE users SET theme = ?2, updated_ms = ?3 WHERE id = ?1")
                     .bind(userId)
                     .bind(theme)
                     .bind(now))
      .ok();
}

bool setUiLanguage(int64_t userId, const std::string& lang, double now) {
  return db::run(Stmt("UPDATE users SET ui_language = ?2, updated_ms = ?3 WHERE id = ?1")
                     .bind(userId)
                     .bind(lang)
                     .bind(now))
      .ok();
}

bool setFontSize(int64_t userId, int px, double now) {
  return db::run(Stmt("UPDATE users SET font_size = ?2, updated_ms = ?3 WHERE id = ?1")
                     .bind(userId)
                     .bind(px)
                     .bind(now))
      .ok();
}

bool setLineNumbers(int64_t userId, bool on, double now) {
  return db::run(Stmt("UPDATE users SET line_numbers = ?2, updated_ms = ?3 WHERE id = ?1")
                     .bind(userId)
                     .bind(on)
                     .bind(now))
      .ok();
}

Claim claimUpdate(int64_t updateId, double now, double leaseMs) {
  // A claim is a lease: one whose holder crashed (a trap, out of memory, a CPU-limit kill) expires
  // after leaseMs and the next delivery takes it over. Effects stay exactly-once by their own keys.
  db::Result r = db::run(
      Stmt("INSERT INTO processed_updates (update_id, state, claimed_ms) VALUES (?1, 'processing', "
           "?2) ON CONFLICT (update_id) DO UPDATE SET claimed_ms = excluded.claimed_ms "
           "WHERE processed_updates.state = 'processing' AND processed_updates.claimed_ms < ?3")
          .bind(updateId)
          .bind(now)
          .bind(now - leaseMs));
  if (!r.ok()) {
    logger::error("claimUpdate: " + r.error());
    return Claim::Failed;
  }
  if (r.changes() == 1) return Claim::Mine;
  db::Result held =
      db::first(Stmt("SELECT state FROM processed_updates WHERE update_id = ?1").bind(updateId));
  if (!held.ok()) return Claim::Failed;
  auto row = held.first();
  if (row && json::getString(*row, "state").value_or("") == "processing") return Claim::Busy;
  return Claim::AlreadyHandled;
}

bool finishUpdate(int64_t updateId) {
  return db::run(Stmt("UPDATE processed_updates SET state = 'done' WHERE update_id = ?1")
                     .bind(updateId))
      .ok();
}

void releaseUpdate(int64_t updateId) {
  db::Result r =
      db::run(Stmt("DELETE FROM processed_updates WHERE update_id = ?1 AND state = 'processing'")
                  .bind(updateId));
  if (!r.ok()) logger::error("releaseUpdate: " + r.error());
}

namespace {

// The bytes user ?1 keeps once file ?2 has a new version of ?3 bytes and its versions beyond the
// newest ?4 are pruned; and whether that and the file count (?5) fit. Bound as ?1..?6 everywhere.
constexpr const char* kQuotaFits =
    "((SELECT COALESCE(SUM(v.byte_size), 0) FROM code_file_versions v JOIN code_files f ON "
    "f.id = v.file_id WHERE f.user_id = ?1 AND NOT (f.name = ?2 AND v.version <= "
    "f.latest_version + 1 - ?4)) + ?3 <= ?6) AND (EXISTS (SELECT 1 FROM code_files WHERE "
    "user_id = ?1 AND name = ?2) OR (SELECT COUNT(*) FROM code_files WHERE user_id = ?1) < ?5)";

Stmt quotaBound(Stmt s, int64_t userId, const std::string& name, int64_t bytes,
                const CodeQuota& q) {
  return std::move(
      s.bind(userId).bind(name).bind(bytes).bind(q.versionsKept).bind(q.maxFiles).bind(q.maxBytes));
}

}  // namespace

std::optional<CodeUsage> codeUsage(int64_t userId, const std::string& name, int64_t newBytes,
                                   const CodeQuota& q) {
  db::Result r = db::first(quotaBound(
      Stmt("SELECT (SELECT COUNT(*) FROM code_files WHERE user_id = ?1) AS files, "
           "(SELECT COALESCE(SUM(v.byte_size), 0) FROM code_file_versions v JOIN code_files f ON "
           "f.id = v.file_id WHERE f.user_id = ?1) AS bytes, "
           "EXISTS (SELECT 1 FROM code_files WHERE user_id = ?1 AND name = ?2) AS present, "
           "(SELECT COALESCE(SUM(v.byte_size), 0) FROM code_file_versions v JOIN code_files f ON "
           "f.id = v.file_id WHERE f.user_id = ?1 AND NOT (f.name = ?2 AND v.version <= "
           "f.latest_version + 1 - ?4)) + ?3 AS after, ?5 = ?5 AND ?6 = ?6 AS bound"),
      userId, name, newBytes, q));
  if (!r.ok()) {
    logger::error("codeUsage: " + r.error());
    return std::nullopt;
  }
  CodeUsage u;
  if (auto row = r.first()) {
    u.files = json::getInt(*row, "files").value_or(0);
    u.bytes = json::getInt(*row, "bytes").value_or(0);
    u.exists = json::getInt(*row, "present").value_or(0) == 1;
    u.afterSave = json::getInt(*row, "after").value_or(0);
  }
  return u;
}

std::optional<SavedVersion> saveFile(int64_t userId, const std::string& name,
                                     const std::string& language, const std::string& content,
                                     int64_t lines, int64_t updateId, double now,
                                     const CodeQuota& q) {
  // One transaction: the file row, the new version (once per update), the latest pointer, the
  // pruning. Both inserts are guarded by the quota as it stands before the batch, so a save that
  // does not fit writes nothing, even when two saves race for the last bytes.
  const int64_t bytes = int64_t(content.size());
  std::vector<Stmt> stmts;
  stmts.push_back(
      quotaBound(
          Stmt(std::string("INSERT INTO code_files (user_id, name, language, latest_version, "
                           "created_ms, updated_ms) SELECT ?1, ?2, ?7, 0, ?8, ?8 WHERE ") +
               kQuotaFits +
               " ON CONFLICT (user_id, name) DO UPDATE SET language = excluded.language, "
               "updated_ms = excluded.updated_ms"),
          userId, name, bytes, q)
          .bind(language)
          .bind(now));
  stmts.push_back(
      quotaBound(
          Stmt(std::string(
                   "INSERT INTO code_file_versions (file_id, version, content, line_count, "
                   "byte_size, source_update_id, created_ms) SELECT id, latest_version + 1, "
                   "?7, ?8, ?3, ?9, ?10 FROM code_files WHERE user_id = ?1 AND name = ?2 AND ") +
               kQuotaFits + " ON CONFLICT (source_update_id) DO NOTHING"),
          userId, name, bytes, q)
          .bind(content)
          .bind(lines)
          .bind(updateId)
          .bind(now));
  stmts.push_back(
      Stmt("UPDATE code_files SET latest_version = (SELECT MAX(version) FROM code_file_versions "
           "WHERE file_id = code_files.id) WHERE user_id = ?1 AND name = ?2 AND EXISTS (SELECT 1 "
           "FROM code_file_versions WHERE file_id = code_files.id)")
          .bind(userId)
          .bind(name));
  stmts.push_back(
      Stmt("DELETE FROM code_file_versions WHERE file_id = (SELECT id FROM code_files WHERE "
           "user_id = ?1 AND name = ?2) AND version <= (SELECT latest_version FROM code_files "
           "WHERE user_id = ?1 AND name = ?2) - ?3")
          .bind(userId)
          .bind(name)
          .bind(q.versionsKept));
  stmts.push_back(Stmt("SELECT v.version FROM code_file_versions v WHERE v.source_update_id = ?1")
                      .bind(updateId));
  std::string err;
  std::vector<db::Result> res = db::batch(stmts, &err);
  if (res.size() != stmts.size()) {
    logger::error("saveFile: " + err);
    return std::nullopt;
  }
  SavedVersion v;
  if (auto row = res[4].first()) v.version = json::getInt(*row, "version").value_or(0);
  return v;
}

namespace {

Result<FileVersion> readVersion(const db::Result& r) {
  if (!r.ok()) {
    logger::error("file lookup: " + r.error());
    return {Error::Unavailable, r.error()};
  }
  auto row = r.first();
  if (!row) return {Error::NotFound};
  FileVersion out;
  out.fileId = json::getInt(*row, "id").value_or(0);
  out.name = std::string(json::getString(*row, "name").value_or(""));
  out.language = std::string(json::getString(*row, "language").value_or(""));
  out.content = std::string(json::getString(*row, "content").value_or(""));
  out.version = json::getInt(*row, "version").value_or(0);
  out.lines = json::getInt(*row, "line_count").value_or(0);
  return out;
}

constexpr const char* kLatestSelect =
    "SELECT f.id, f.name, f.language, v.content, v.version, v.line_count FROM code_files f "
    "JOIN code_file_versions v ON v.file_id = f.id AND v.version = f.latest_version ";

}  // namespace

Result<FileVersion> latestByName(int64_t userId, const std::string& name) {
  return readVersion(
      db::first(Stmt(std::string(kLatestSelect) + "WHERE f.user_id = ?1 AND f.name = ?2")
                    .bind(userId)
                    .bind(name)));
}

Result<FileVersion> latestById(int64_t userId, int64_t fileId) {
  return readVersion(
      db::first(Stmt(std::string(kLatestSelect) + "WHERE f.user_id = ?1 AND f.id = ?2")
                    .bind(userId)
                    .bind(fileId)));
}

bool listFiles(int64_t userId, int64_t offset, int64_t limit, std::vector<FileRow>& out,
               int64_t& total) {
  std::string err;
  std::vector<db::Result> res = db::batch(
      {Stmt("SELECT id, name, language, latest_version FROM code_files WHERE user_id = ?1 "
            "ORDER BY name LIMIT ?2 OFFSET ?3")
           .bind(userId)
           .bind(limit)
           .bind(offset),
       Stmt("SELECT COUNT(*) AS n FROM code_files WHERE user_id = ?1").bind(userId)},
      &err);
  if (res.size() != 2) {
    logger::error("listFiles: " + err);
    return false;
  }
  for (size_t i = 0; i < res[0].size(); i++) {
    const json::Object& row = res[0].row(i);
    out.push_back({json::getInt(row, "id").value_or(0),
                   std::string(json::getString(row, "name").value_or("")),
                   std::string(json::getString(row, "language").value_or("")),
                   json::getInt(row, "latest_version").value_or(0)});
  }
  total = 0;
  if (auto row = res[1].first()) total = json::getInt(*row, "n").value_or(0);
  return true;
}

Result<std::string> deleteFile(int64_t userId, std::optional<int64_t> fileId,
                               const std::string& nameIn) {
  db::Result found =
      fileId ? db::first(Stmt("SELECT id, name FROM code_files WHERE user_id = ?1 AND id = ?2")
                             .bind(userId)
                             .bind(*fileId))
             : db::first(Stmt("SELECT id, name FROM code_files WHERE user_id = ?1 AND name = ?2")
                             .bind(userId)
                             .bind(nameIn));
  if (!found.ok()) return {Error::Unavailable, found.error()};
  auto row = found.first();
  if (!row) return {Error::NotFound};
  int64_t id = json::getInt(*row, "id").value_or(0);
  std::string name(json::getString(*row, "name").value_or(""));
  std::string err;
  auto res = db::batch(
      {Stmt("DELETE FROM code_file_versions WHERE file_id = ?1").bind(id),
       Stmt("DELETE FROM code_files WHERE id = ?1 AND user_id = ?2").bind(id).bind(userId)},
      &err);
  if (res.size() != 2) {
    logger::error("deleteFile: " + err);
    return {Error::Unavailable, err};
  }
  return name;
}

Result<int64_t> deleteAllFiles(int64_t userId) {
  std::string err;
  auto res = db::batch(
      {Stmt("DELETE FROM code_file_versions WHERE file_id IN (SELECT id FROM code_files WHERE "
            "user_id = ?1)")
           .bind(userId),
       Stmt("DELETE FROM code_files WHERE user_id = ?1").bind(userId)},
      &err);
  if (res.size() != 2) return {Error::Unavailable, err};
  return res[1].changes();
}

int64_t rateLimit(int64_t userId, const std::string& action, int64_t limit, double windowMs,
                  double now, int64_t cost) {
  // Count and insert in one statement, so two concurrent requests cannot both take the last slot.
  // An admitted action of cost N records N events: a batch of renders uses up the window as the
  // same renders one by one would.
  db::Result r = db::run(
      Stmt("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?6) "
           "INSERT INTO rate_limit_events (user_id, action, at_ms) SELECT ?1, ?2, ?3 FROM n "
           "WHERE (SELECT COUNT(*) FROM rate_limit_events WHERE user_id = ?1 AND action = ?2 "
           "AND at_ms > ?4) < ?5")
          .bind(userId)
          .bind(action)
          .bind(now)
          .bind(now - windowMs)
          .bind(limit)
          .bind(std::max<int64_t>(1, cost)));
  if (!r.ok()) {
    logger::error("rateLimit: " + r.error());
    return -1;
  }
  if (r.changes() >= 1) return 0;
  db::Result oldest = db::first(
      Stmt("SELECT MIN(at_ms) AS t FROM rate_limit_events WHERE user_id = ?1 AND action = ?2 "
           "AND at_ms > ?3")
          .bind(userId)
          .bind(action)
          .bind(now - windowMs));
  double t = now;
  if (auto row = oldest.first()) t = json::getDouble(*row, "t").value_or(now);
  int64_t secs = int64_t(std::ceil((t + windowMs - now) / 1000.0));
  return secs < 1 ? 1 : secs;
}

}  // namespace webhook::store
