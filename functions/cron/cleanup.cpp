#include <algorithm>
#include <string>
#include <vector>

#include "jobs.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/json.h"

namespace cron {
namespace {

using config::Setting;
using db::Stmt;

constexpr double kDayMs = 86400000.0;
// Reference images (user uploads that guide a generation) live under this R2 prefix.
constexpr const char* kReferencePrefix = "ref/";

bool deleteKeys(const std::vector<std::string>& keys) {
  if (keys.empty()) return true;
  json::JsonWriter w;
  w.beginObject().key("op").value("delete").key("keys").beginArray();
  for (const std::string& k : keys) w.value(k);
  w.endArray().endObject();
  host::Reply r = host::r2(w.str());
  if (!r.ok()) logger::error("cleanup: r2 delete: " + r.error);
  return r.ok();
}

// Deletes rows older than `before` from `table`, at most `limit`; returns how many.
int deleteOld(const char* sql, double before, int64_t limit) {
  db::Result r = db::run(Stmt(sql).bind(before).bind(limit));
  if (!r.ok()) {
    logger::error(std::string("cleanup: ") + r.error());
    return 0;
  }
  return int(r.changes());
}

}  // namespace

CleanupReport cleanup(double now) {
  CleanupReport rep;
  int64_t batch = config::getInt(Setting::CLEANUP_BATCH, 200);
  if (batch < 1 || batch > 1000) batch = 200;  // R2 deletes at most 1000 keys a call
  double imageBefore = now - double(config::getInt(Setting::IMAGE_TTL_DAYS, 30)) * kDayMs;
  double refBefore = now - double(config::getInt(Setting::REFERENCE_TTL_DAYS, 7)) * kDayMs;

  // Generated images and thumbnails: R2 first, then the key is cleared; the row stays as history
  // (the gallery shows it as expired). A crash in between leaves keys whose objects are gone;
  // deleting a missing object is a no-op, so the next run finishes the job.
  db::Result old = db::all(
      Stmt("SELECT id, r2_key FROM generations WHERE r2_key IS NOT NULL AND "
           "COALESCE(finished_ms, created_ms) < ?1 ORDER BY id LIMIT ?2")
          .bind(imageBefore).bind(batch));
  if (old.ok() && old.size() > 0) {
    std::vector<std::string> keys;
    std::vector<int64_t> ids;
    for (size_t i = 0; i < old.size(); i++) {
      keys.emplace_back(json::getString(old.row(i), "r2_key").value_or(""));
      ids.push_back(json::getInt(old.row(i), "id").value_or(0));
    }
    if (deleteKeys(keys)) {
      std::vector<Stmt> clear;
      for (int64_t id : ids) {
        clear.push_back(Stmt("UPDATE generations SET r2_key = NULL, updated_ms = ?2 WHERE id = ?1")
                            .bind(id).bind(now));
      }
      std::string err;
      if (db::batch(clear, &err).size() == clear.size()) rep.images = int(ids.size());
      else logger::error("cleanup: clearing keys: " + err);
    }
    rep.more = rep.more || int64_t(old.size()) == batch;
  } else if (!old.ok()) {
    logger::error("cleanup: " + old.error());
  }

  // Images hidden in /gallery whose R2 delete failed or was cut short: finish it.
  db::Result hidden = db::all(
      Stmt("SELECT id, r2_key FROM generations WHERE deleted_ms IS NOT NULL AND r2_key IS NOT "
           "NULL ORDER BY deleted_ms LIMIT ?1")
          .bind(batch));
  if (hidden.ok() && hidden.size() > 0) {
    std::vector<std::string> keys;
    std::vector<Stmt> clear;
    for (size_t i = 0; i < hidden.size(); i++) {
      keys.emplace_back(json::getString(hidden.row(i), "r2_key").value_or(""));
      clear.push_back(Stmt("UPDATE generations SET r2_key = NULL WHERE id = ?1")
                          .bind(json::getInt(hidden.row(i), "id").value_or(0)));
    }
    std::string err;
    if (deleteKeys(keys) && db::batch(clear, &err).size() == clear.size()) {
      rep.deleted = int(keys.size());
    }
    rep.more = rep.more || int64_t(hidden.size()) == batch;
  }

  // Reference images: by R2's own upload time, one listing page per run.
  json::JsonWriter list;
  list.beginObject().key("op").value("list").key("prefix").value(kReferencePrefix)
      .key("limit").value(batch).endObject();
  host::Reply listed = host::r2(list.str());
  if (listed.ok()) {
    simdjson::dom::parser p;
    json::Object o;
    std::vector<std::string> refs;
    if (p.parse(listed.json).get(o) == simdjson::SUCCESS) {
      if (auto objs = json::getArray(o, "objects")) {
        for (auto el : *objs) {
          json::Object obj;
          if (el.get(obj) != simdjson::SUCCESS) continue;
          if (json::getDouble(obj, "uploaded_ms").value_or(now) < refBefore) {
            refs.emplace_back(json::getString(obj, "key").value_or(""));
          }
        }
      }
      rep.more = rep.more || json::getBool(o, "truncated").value_or(false);
    }
    if (deleteKeys(refs)) rep.references = int(refs.size());
  }

  rep.updates = deleteOld(
      "DELETE FROM processed_updates WHERE update_id IN (SELECT update_id FROM processed_updates "
      "WHERE state = 'done' AND claimed_ms < ?1 LIMIT ?2)",
      now - 2 * kDayMs, batch * 10);
  rep.rateLimits = deleteOld(
      "DELETE FROM rate_limit_events WHERE id IN (SELECT id FROM rate_limit_events WHERE "
      "at_ms < ?1 LIMIT ?2)",
      now - kDayMs, batch * 10);
  rep.events = deleteOld(
      "DELETE FROM metric_events WHERE id IN (SELECT id FROM metric_events WHERE at_ms < ?1 "
      "LIMIT ?2)",
      now - 30 * kDayMs, batch * 10);
  // /imagine drafts wait for a model choice; an old one is never chosen.
  rep.drafts = deleteOld(
      "DELETE FROM generation_drafts WHERE id IN (SELECT id FROM generation_drafts WHERE "
      "created_ms < ?1 LIMIT ?2)",
      now - double(std::max<int64_t>(1, config::getInt(Setting::DRAFT_TTL_HOURS, 24))) * 3600000.0,
      batch * 10);
  // Code-file versions beyond the newest CODE_VERSIONS_KEPT of each file (a save prunes its own
  // file; this catches files saved before a lower setting).
  int64_t kept = std::max<int64_t>(1, config::getInt(Setting::CODE_VERSIONS_KEPT, 20));
  db::Result pruned = db::run(
      Stmt("DELETE FROM code_file_versions WHERE id IN (SELECT v.id FROM code_file_versions v "
           "JOIN code_files f ON f.id = v.file_id WHERE v.version <= f.latest_version - ?1 "
           "LIMIT ?2)")
          .bind(kept).bind(batch * 10));
  if (pruned.ok()) rep.versions = int(pruned.changes());
  else logger::error("cleanup: versions: " + pruned.error());
  return rep;
}

}  // namespace cron
