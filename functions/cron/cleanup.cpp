#include <algorithm>
#include <string>
#include <vector>

#include "jobs.h"
#include "shared/clients.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/json.h"

namespace cron {
namespace {

using config::Setting;
using db::Stmt;

constexpr double kDayMs = 86400000.0;
// Reference images (user uploads that guide a generation) live under this R2 prefix.
constexpr const char* kReferencePrefix = "ref/";
constexpr int kReferencePages = 10;

bool deleteKeys(const std::vector<std::string>& keys) {
  Status s = clients::r2::remove(keys);
  if (!s) logger::error("cleanup: " + s.detail());
  return s.ok();
}

// Removes the images of `rows` from R2, then forgets their keys; how many.
int removeImages(const std::vector<generation::Stored>& rows, double now) {
  std::vector<std::string> keys;
  std::vector<int64_t> ids;
  for (const generation::Stored& g : rows) {
    keys.push_back(g.r2Key);
    ids.push_back(g.id);
  }
  if (!deleteKeys(keys)) return 0;
  if (Status s = generation::clearKeys(ids, now); !s) {
    logger::error("cleanup: clearing keys: " + s.detail());
    return 0;
  }
  return int(ids.size());
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
  Result<std::vector<generation::Stored>> old = generation::expired(imageBefore, batch);
  if (!old) {
    logger::error("cleanup: " + old.detail());
  } else if (!old->empty()) {
    rep.images = removeImages(*old, now);
    rep.more = rep.more || int64_t(old->size()) == batch;
  }

  // Images hidden in /gallery whose R2 delete failed or was cut short: finish it.
  if (auto hidden = generation::hiddenWithImage(batch); hidden && !hidden->empty()) {
    rep.deleted = removeImages(*hidden, now);
    rep.more = rep.more || int64_t(hidden->size()) == batch;
  }

  // Reference photos: by R2's own upload time. Listing is in key order, not age order, so the
  // run walks up to kReferencePages pages (young photos first in key order must not hide old
  // ones behind them) and deletes at most one batch.
  std::vector<std::string> refs;
  std::string cursor;
  for (int page = 0; page < kReferencePages && int64_t(refs.size()) < batch; page++) {
    Result<clients::r2::Listing> listed = clients::r2::list(kReferencePrefix, 1000, cursor);
    if (!listed) {
      logger::error("cleanup: " + listed.detail());
      break;
    }
    for (const clients::r2::Listed& o : listed->objects) {
      if (o.uploadedMs < refBefore && int64_t(refs.size()) < batch) refs.push_back(o.key);
    }
    if (!listed->truncated || listed->cursor.empty()) break;
    cursor = listed->cursor;
    if (page + 1 == kReferencePages) rep.more = true;
  }
  rep.more = rep.more || int64_t(refs.size()) == batch;
  if (deleteKeys(refs)) rep.references = int(refs.size());
  // An album's noted photos wait a few seconds for their caption; a day is plenty.
  rep.albumPhotos = deleteOld(
      "DELETE FROM album_photos WHERE update_id IN (SELECT update_id FROM album_photos WHERE "
      "created_ms < ?1 LIMIT ?2)",
      now - kDayMs, batch * 10);

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
          .bind(kept)
          .bind(batch * 10));
  if (pruned.ok())
    rep.versions = int(pruned.changes());
  else
    logger::error("cleanup: versions: " + pruned.error());
  return rep;
}

}  // namespace cron
