// 🎲 Variations: the batch rows (generation_batch.h). The members' own statements are
// generation.cpp's; these are the batch's.
#include "shared/generation_batch.h"

#include "shared/config.h"
#include "shared/json.h"

namespace generation::batch {
namespace {

using db::Stmt;

std::string str(const json::Object& r, const char* k) {
  return std::string(json::getString(r, k).value_or(""));
}

}  // namespace

int64_t imagesPerAsk() {
  const int64_t n = config::getInt(config::Setting::VARIATIONS_COUNT, 4);
  return n < 2 ? 2 : n > kMaxImages ? kMaxImages : n;
}

Status create(const NewBatch& b, const std::vector<NewGeneration>& members) {
  std::vector<Stmt> all;
  all.push_back(Stmt("INSERT INTO generation_batches (id, user_id, chat_id, source_gen_id, total, "
                     "source_update_id, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                    .bind(b.id)
                    .bind(b.userId)
                    .bind(b.chatId)
                    .bind(b.sourceGenId)
                    .bind(int64_t(members.size()))
                    .bind(b.updateId)
                    .bind(b.nowMs));
  for (const NewGeneration& g : members) {
    for (Stmt& s : createStatements(g)) all.push_back(std::move(s));
  }
  std::string err;
  db::batch(all, &err);
  return createError(err);
}

Result<std::optional<int64_t>> bySourceUpdate(int64_t updateId) {
  db::Result r = db::first(
      Stmt("SELECT id FROM generation_batches WHERE source_update_id = ?1").bind(updateId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  auto row = r.first();
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(json::getInt(*row, "id").value_or(0));
}

Result<std::vector<Row>> members(int64_t batchId, int64_t userId) {
  db::Result r = db::all(Stmt("SELECT id FROM generations WHERE batch_id = ?1 AND user_id = ?2 "
                              "ORDER BY id")
                             .bind(batchId)
                             .bind(userId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  std::vector<Row> out;
  for (size_t i = 0; i < r.size(); i++) {
    Result<std::optional<Row>> row = owned(json::getInt(r.row(i), "id").value_or(0), userId);
    if (!row) return {row.error(), row.detail()};
    if (*row) out.push_back(std::move(**row));
  }
  return out;
}

Result<AlbumTurn> endMember(int64_t batchId, int64_t genId, double nowMs) {
  std::string err;
  std::vector<db::Result> res = db::batch(
      {// The claim: only while no member is active, and only once (album_by).
       Stmt("UPDATE generation_batches SET album_by = ?2, album_ms = ?3 WHERE id = ?1 AND "
            "album_by IS NULL AND NOT EXISTS (SELECT 1 FROM generations WHERE batch_id = ?1 AND "
            "status IN ('queued', 'processing')) RETURNING id")
           .bind(batchId)
           .bind(genId)
           .bind(nowMs),
       Stmt("SELECT total, album_by, album_sent_ms FROM generation_batches WHERE id = ?1")
           .bind(batchId),
       Stmt("SELECT g.id, g.status, g.r2_key, g.cost, g.free_tier, g.model, g.prompt, "
            "g.status_message_id, json_extract(g.params, '$.seed') AS seed, "
            "COALESCE(u.ui_language, u.language_code, 'en') AS lang FROM generations g JOIN "
            "users u ON u.id = g.user_id WHERE g.batch_id = ?1 ORDER BY g.created_ms, g.id")
           .bind(batchId)},
      &err);
  if (res.size() != 3) return {Error::Unavailable, err};
  AlbumTurn t;
  t.claimed = res[0].size() > 0;
  auto b = res[1].first();
  if (!b) return t;  // no such batch
  t.total = json::getInt(*b, "total").value_or(0);
  t.interrupted = !t.claimed && json::getInt(*b, "album_by").value_or(0) == genId &&
                  !json::getDouble(*b, "album_sent_ms");
  if (!t.claimed && !t.interrupted) return t;
  for (size_t i = 0; i < res[2].size(); i++) {
    const json::Object& r = res[2].row(i);
    Member m;
    m.id = json::getInt(r, "id").value_or(0);
    // A free member reserved nothing, so its failure refunds nothing.
    m.cost = json::getInt(r, "free_tier").value_or(0) ? 0 : json::getInt(r, "cost").value_or(0);
    m.seed = json::getInt(r, "seed").value_or(-1);
    m.statusMessageId = json::getInt(r, "status_message_id").value_or(0);
    m.status = str(r, "status");
    m.r2Key = str(r, "r2_key");
    m.model = str(r, "model");
    m.prompt = str(r, "prompt");
    m.lang = str(r, "lang");
    t.members.push_back(std::move(m));
  }
  return t;
}

Status albumSent(int64_t batchId, double nowMs) {
  db::Result r = db::run(
      Stmt("UPDATE generation_batches SET album_sent_ms = ?2 WHERE id = ?1 AND album_sent_ms IS "
           "NULL")
          .bind(batchId)
          .bind(nowMs));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  return {};
}

Result<Cancelled> cancelActive(int64_t batchId, int64_t userId, double nowMs) {
  db::Result r = db::all(Stmt("SELECT id, cost, free_tier FROM generations WHERE batch_id = ?1 AND "
                              "user_id = ?2 AND status IN ('queued', 'processing') ORDER BY id")
                             .bind(batchId)
                             .bind(userId));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  Cancelled out;
  for (size_t i = 0; i < r.size(); i++) {
    const int64_t id = json::getInt(r.row(i), "id").value_or(0);
    const int64_t cost = json::getInt(r.row(i), "cost").value_or(0);
    Result<bool> moved = cancel(id, userId, cost, nowMs);
    if (!moved) return {moved.error(), moved.detail()};
    if (!*moved) continue;
    out.ids.push_back(id);
    if (!json::getInt(r.row(i), "free_tier").value_or(0)) out.refunded += cost;
  }
  return out;
}

Tally tally(const std::vector<Member>& members) {
  Tally t;
  for (const Member& m : members) {
    if (m.status == "completed" && !m.r2Key.empty()) {
      t.made++;
    } else if (m.status == "failed" || m.status == "cancelled") {
      t.failed++;
      t.refunded += m.cost;
    }
  }
  return t;
}

}  // namespace generation::batch
