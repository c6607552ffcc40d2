#include "queue/status.h"

#include <algorithm>
#include <cmath>

#include "queue/schedule.h"
#include "queue/store.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/telegram.h"

namespace gen::queue::status {
namespace {

using store::sql;

// Telegram: one status message per job, edited no more often than this.
constexpr double kEditIntervalMs = 3000;
// Edits of queue positions per pass: the rest catch up on the next move.
constexpr int kPositionEditsPerPass = 10;

void recordEdit(int64_t genId, std::string_view text, int64_t position, bool ok, bool limited) {
  const double now = host::nowMs();
  sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?2, shown_text = CASE WHEN ?4 THEN ?3 ELSE "
               "shown_text END, shown_position = CASE WHEN ?4 THEN ?5 ELSE shown_position END, "
               "edit_after_ms = CASE WHEN ?6 THEN ?2 + 30000 ELSE edit_after_ms END WHERE gen_id "
               "= ?1")
          .bind(genId)
          .bind(now)
          .bind(text)
          .bind(ok)
          .bind(position)
          .bind(limited));
}

// When the next edit of a message may go out.
double allowedAt(const json::Object& row) {
  return std::max(json::getDouble(row, "last_edit_ms").value_or(0) + kEditIntervalMs,
                  json::getDouble(row, "edit_after_ms").value_or(0));
}

}  // namespace

void show(const std::string& model, int64_t genId, const std::string& text, bool final,
          int64_t position) {
  store::Rows r = sql(db::Stmt("SELECT chat_id, status_message_id, last_edit_ms, edit_after_ms, "
                               "shown_text FROM jobs WHERE gen_id = ?1")
                          .bind(genId));
  auto row = r.first();
  if (!row) return;
  const int64_t chat = json::getInt(*row, "chat_id").value_or(0);
  const int64_t msg = json::getInt(*row, "status_message_id").value_or(0);
  if (!msg || json::getString(*row, "shown_text").value_or("") == text) return;
  // An edit already waits for its turn: the newest text takes its place.
  store::Rows waiting =
      sql(db::Stmt("UPDATE pending_edits SET text = ?2 WHERE message_id = ?1 RETURNING at_ms")
              .bind(msg)
              .bind(text));
  if (!waiting.rows.empty()) return;
  double allowed = allowedAt(*row);
  const double now = host::nowMs();
  // The turn to edit is taken in one statement: a parallel runner (the places refresh, the
  // delivering runner) that read the same row meanwhile cannot edit the message at the same moment.
  const bool mine =
      now >= allowed &&
      !sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?2 WHERE gen_id = ?1 AND last_edit_ms + ?3 <= "
                    "?2 AND edit_after_ms <= ?2 RETURNING gen_id")
               .bind(genId)
               .bind(now)
               .bind(kEditIntervalMs))
           .rows.empty();
  if (!mine) {
    if (!final) return;
    // Lost that turn to a parallel edit: the message was edited just now.
    if (now >= allowed) allowed = now + kEditIntervalMs;
    sql(db::Stmt("INSERT INTO pending_edits (message_id, chat_id, text, at_ms) VALUES (?1, ?2, "
                 "?3, ?4) ON CONFLICT (message_id) DO UPDATE SET text = excluded.text, at_ms = "
                 "excluded.at_ms")
            .bind(msg)
            .bind(chat)
            .bind(text)
            .bind(allowed));
    schedule::at(allowed);
    return;
  }
  tg::Bot bot;
  tg::Sent s = bot.editMessageText(chat, msg, text);
  if (!s.ok) logger::warn("status edit: " + s.description);
  recordEdit(genId, text, position, s.ok, s.errorCode == 429);
}

void showLater(int64_t genId, const std::string& text) {
  store::Rows r = sql(db::Stmt("SELECT chat_id, status_message_id, last_edit_ms, edit_after_ms, "
                               "shown_text FROM jobs WHERE gen_id = ?1")
                          .bind(genId));
  auto row = r.first();
  if (!row) return;
  const int64_t msg = json::getInt(*row, "status_message_id").value_or(0);
  if (!msg || json::getString(*row, "shown_text").value_or("") == text) return;
  // An edit already waiting keeps its time and takes the newest text.
  sql(db::Stmt("INSERT INTO pending_edits (message_id, chat_id, text, at_ms) VALUES (?1, ?2, ?3, "
               "?4) ON CONFLICT (message_id) DO UPDATE SET text = excluded.text")
          .bind(msg)
          .bind(json::getInt(*row, "chat_id").value_or(0))
          .bind(text)
          .bind(std::max(host::nowMs(), allowedAt(*row))));
}

void shown(int64_t genId, int64_t messageId, int64_t position, const std::string& text) {
  sql(db::Stmt("UPDATE jobs SET status_message_id = ?2, last_edit_ms = ?3, shown_position = ?4, "
               "shown_text = ?5 WHERE gen_id = ?1")
          .bind(genId)
          .bind(messageId)
          .bind(host::nowMs())
          .bind(position)
          .bind(text));
}

void flushEdits() {
  const double now = host::nowMs();
  // An edit that waited for its turn counts its 3 s from the end of the message's last edit: that
  // edit may still have been on its way when this one was put off (its turn is taken before the
  // call, recordEdit writes the time after it), so it goes later if that end was too recent.
  sql(db::Stmt("UPDATE pending_edits SET at_ms = (SELECT MAX(j.last_edit_ms) + ?2 FROM jobs j "
               "WHERE j.status_message_id = pending_edits.message_id) WHERE at_ms <= ?1 AND "
               "EXISTS (SELECT 1 FROM jobs j WHERE j.status_message_id = pending_edits.message_id "
               "AND j.last_edit_ms + ?2 > ?1)")
          .bind(now)
          .bind(kEditIntervalMs));
  // Their messages count as edited from now, before any edit goes out: a runner showing a stage of
  // the same job meanwhile (a parallel event) then waits its 3 s, or replaces the text that is
  // about to go, instead of editing the message at the same moment.
  sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?1 WHERE status_message_id IN (SELECT message_id "
               "FROM pending_edits WHERE at_ms <= ?1)")
          .bind(now));
  store::Rows r = sql(db::Stmt("DELETE FROM pending_edits WHERE at_ms <= ?1 RETURNING "
                               "message_id, chat_id, text")
                          .bind(now));
  tg::Bot bot;
  for (const json::Object& row : r.rows) {
    const int64_t msg = json::getInt(row, "message_id").value_or(0);
    const std::string_view text = json::getString(row, "text").value_or("");
    tg::Sent s = bot.editMessageText(json::getInt(row, "chat_id").value_or(0), msg, text);
    if (!s.ok) logger::warn("late status edit: " + s.description);
    sql(db::Stmt("UPDATE jobs SET last_edit_ms = ?2, shown_text = ?3 WHERE status_message_id = ?1")
            .bind(msg)
            .bind(host::nowMs())
            .bind(text));
  }
}

void refreshPositions(const std::string& model) {
  store::Rows r =
      sql(db::Stmt("SELECT gen_id, seq, lang, shown_position, last_edit_ms, "
                   "edit_after_ms FROM jobs WHERE state = 'queued' AND "
                   "status_message_id IS NOT NULL ORDER BY seq"));
  const int64_t running =
      store::scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('running', "
                             "'waiting')"),
                    "n");
  const double avg = store::averageJobMs();
  const int conc = schedule::concurrencyOf(model);
  const double now = host::nowMs();
  int edits = 0;
  int64_t pos = running;
  for (const json::Object& row : r.rows) {
    pos++;
    if (json::getInt(row, "shown_position").value_or(0) == pos) continue;
    if (now < allowedAt(row)) continue;
    if (++edits > kPositionEditsPerPass) break;
    const i18n::Lang lang = i18n::fromCode(json::getString(row, "lang").value_or("en"));
    const int64_t minutes =
        std::max<int64_t>(1, int64_t(std::ceil(double(pos) * avg / conc / 60000)));
    const std::string text = i18n::format(i18n::Msg::GenQueued, lang,
                                          {{"position", pos},
                                           {"model", model},
                                           {"wait", i18n::Arg::duration(minutes * 60)},
                                           {"note", ""}});
    Job j;
    j.genId = json::getInt(row, "gen_id").value_or(0);
    show(model, j.genId, text, false, pos);
    broadcast(j, "queued", "queued", pos);
  }
}

void broadcast(const Job& j, std::string_view stage, std::string_view status, int64_t position) {
  json::JsonWriter m;
  m.beginObject().key("id").value(j.genId).key("stage").value(stage).key("status").value(status);
  if (position > 0) m.key("position").value(position);
  m.key("at_ms").value(host::nowMs()).endObject();
  json::JsonWriter w;
  w.beginObject().key("op").value("ws_send").key("tag").value("gen:" + std::to_string(j.genId));
  w.key("message").value(m.str());
  if (status == "completed" || status == "failed" || status == "cancelled") {
    w.key("close").value(true);
  }
  w.endObject();
  host::Reply r = host::storage(w.str());
  if (!r.ok()) logger::warn("ws_send: " + r.error);
}

Place placeOf(const Job& j, const std::string& model) {
  Place p;
  // A job waiting for an asynchronous provider holds its slot: it is ahead, like a running one.
  p.position = store::scalar(db::Stmt("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('running', "
                                      "'waiting') OR (state = 'queued' AND seq <= ?1)")
                                 .bind(j.seq),
                             "n", 1);
  const double ms = double(p.position) * store::averageJobMs() / schedule::concurrencyOf(model);
  p.minutes = std::max<int64_t>(1, int64_t(std::ceil(ms / 60000)));
  return p;
}

}  // namespace gen::queue::status
