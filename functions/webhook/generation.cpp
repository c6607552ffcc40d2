// AI image generation, the Telegram side: /image=MODEL=PROMPT, /imagine PROMPT with priced model
// buttons, 🔁 regenerate, /cancel. Enqueueing is one D1 batch (the generation row, with the limits
// checked inside the INSERT, and the credit reservation) followed by a request to the model's
// queue object (functions/generate/queue.h), which does the slow work and talks to the user.
#include <optional>
#include <string>

#include "bot_feature.h"
#include "models.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr double kHourMs = 3600 * 1000;
constexpr double kDayMs = 24 * kHourMs;
// An /imagine choice stays usable this long.
constexpr double kDraftTtlMs = kDayMs;

int64_t charCount(std::string_view s) {
  int64_t n = 0;
  for (size_t i = 0; i < s.size();) {
    utf8::next(s, i);
    n++;
  }
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string modelsLine(i18n::Lang lang) {
  std::string s;
  for (const gen::Model& m : gen::models()) {
    if (!s.empty()) s += lang == i18n::Lang::Fa ? "، " : ", ";
    s += i18n::format(Msg::GenModelItem, lang, {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}});
  }
  return s;
}

// A random positive id that fits a JavaScript number and a callback's 64 bytes. Random rather
// than sequential so the row and its credit reservation ("gen:<id>") go in one batch.
int64_t newGenerationId() {
  uint64_t r;
  host::randomBytes(&r, sizeof r);
  return int64_t(r & ((uint64_t(1) << 47) - 1)) + 1;
}

bool validPrompt(Ctx& c, std::string_view prompt) {
  int64_t max = config::getInt(Setting::PROMPT_MAX_CHARS, 1000);
  if (max > 1000) max = 1000;  // the schema's CHECK
  int64_t n = charCount(prompt);
  if (n > max) {
    say(c, Msg::GenPromptTooLong, {{"length", n}, {"max", max}});
    return false;
  }
  return true;
}

// Tells the user which limit refused them (after the INSERT found one).
Outcome explainRefusal(Ctx& c, const gen::Model& m, double now) {
  db::Result r = db::first(
      db::Stmt("SELECT (SELECT COUNT(*) FROM generations WHERE status IN ('queued', 'processing')) AS total, "
               "(SELECT COUNT(*) FROM generations WHERE user_id = ?1 AND created_ms > ?2 AND status != 'failed') AS hour")
          .bind(c.userId).bind(now - kHourMs));
  auto row = r.first();
  if (!row) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  int64_t total = json::getInt(*row, "total").value_or(0);
  int64_t maxTotal = config::getInt(Setting::QUEUE_MAX_TOTAL, 100);
  int64_t perHour = config::getInt(Setting::GENERATIONS_PER_HOUR, 10);
  if (total >= maxTotal) {
    say(c, Msg::GenQueueFull, {{"count", total}, {"max", maxTotal}});
  } else if (json::getInt(*row, "hour").value_or(0) >= perHour) {
    say(c, Msg::GenHourLimit, {{"max", perHour}});
  } else {
    auto bal = ledger::balance(c.userId);
    say(c, Msg::GenNoCredits, {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost},
                               {"balance", bal.value_or(0)}});
  }
  return Outcome::Done;
}

// Asks the model's queue object to take the job. The object sends the "#N in the queue" message.
bool sendToQueue(Ctx& c, const gen::Model& m, int64_t id, std::string_view prompt, int64_t cost,
                 int64_t freeLeft) {
  json::JsonWriter body;
  body.beginObject().key("id").value(id).key("user").value(c.userId).key("chat").value(c.chatId)
      .key("lang").value(i18n::code(c.lang)).key("prompt").value(prompt).key("cost").value(cost)
      .key("free_left").value(freeLeft).endObject();
  json::JsonWriter req;
  req.beginObject().key("binding").value("MODEL_QUEUE").key("name").value(m.name)
      .key("path").value("/enqueue").key("method").value("POST").endObject();
  std::string b = body.take();
  host::Reply r = host::doFetch(req.str(), std::span<const uint8_t>(
                                               reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  if (!r.ok()) {
    logger::error("enqueue to " + m.name + ": " + r.error);
    return false;
  }
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(r.json).get(o) != simdjson::SUCCESS || json::getInt(o, "status").value_or(0) != 200) {
    logger::error("enqueue to " + m.name + " answered " + r.json);
    return false;
  }
  return true;
}

// The queue object could not take a job whose row exists: fail it and refund in one batch.
void abandon(Ctx& c, int64_t id, int64_t cost) {
  std::string err;
  db::batch({db::Stmt("UPDATE generations SET status = 'failed', error = 'queue unavailable', finished_ms = ?2, "
                      "updated_ms = ?2 WHERE id = ?1 AND status = 'queued'").bind(id).bind(c.now),
             ledger::refundIfChanged(c.userId, cost, "gen:" + std::to_string(id), c.now)},
            &err);
  if (!err.empty()) logger::error("generation " + std::to_string(id) + ": could not abandon: " + err);
  say(c, Msg::GenUnavailable);
}

// A retried update whose row exists: make sure its job reached the queue (idempotent there).
// nullopt when this update made no generation yet.
std::optional<Outcome> resumeRetried(Ctx& c) {
  db::Result again = db::first(db::Stmt("SELECT id, model, prompt, cost, status FROM generations "
                                        "WHERE source_update_id = ?1").bind(c.updateId));
  if (!again.ok()) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  auto row = again.first();
  if (!row) return std::nullopt;
  {
    if (json::getString(*row, "status").value_or("") == "queued") {
      int64_t id = json::getInt(*row, "id").value_or(0);
      const gen::Model* rm = gen::findModel(json::getString(*row, "model").value_or(""));
      if (rm && !sendToQueue(c, *rm, id, json::getString(*row, "prompt").value_or(""),
                             json::getInt(*row, "cost").value_or(0), -1)) {
        abandon(c, id, json::getInt(*row, "cost").value_or(0));
      }
    }
  }
  return Outcome::Done;
}

// Creates the generation (or finds the one this update already created) and queues it.
Outcome enqueue(Ctx& c, const gen::Model& m, std::string_view promptIn) {
  std::string prompt(trim(promptIn));
  if (prompt.empty()) {
    say(c, Msg::GenUsage, {{"models", i18n::markup(modelsLine(c.lang))}});
    return Outcome::Done;
  }
  if (!validPrompt(c, prompt)) return Outcome::Done;
  // Before any check: a retried update must find its own job, not "no credits" or "already active".
  if (auto done = resumeRetried(c)) return *done;

  // Paid when the balance covers the price, else one of today's free generations, if any left.
  double now = c.now;
  double dayStart = double(int64_t(now / kDayMs)) * kDayMs;
  int64_t freePerDay = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3);
  db::Result state = db::first(
      db::Stmt("SELECT (SELECT credits FROM users WHERE id = ?1) AS credits, "
               "(SELECT COUNT(*) FROM generations WHERE user_id = ?1 AND free_tier = 1 AND "
               "status NOT IN ('failed', 'cancelled') AND created_ms >= ?2) AS free_used")
          .bind(c.userId).bind(dayStart));
  auto st = state.first();
  if (!st) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  int64_t credits = json::getInt(*st, "credits").value_or(0);
  int64_t freeUsed = json::getInt(*st, "free_used").value_or(0);
  bool free = m.cost > 0 && credits < m.cost;
  if (free && freeUsed >= freePerDay) {
    say(c, Msg::GenNoCredits, {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}, {"balance", credits}});
    return Outcome::Done;
  }
  int64_t cost = free ? 0 : m.cost;
  int64_t id = newGenerationId();
  // The limits are checked inside the INSERT, in the same transaction as the row: an over-limit
  // status fails the table's CHECK and with it the whole batch, reservation included.
  std::vector<db::Stmt> batch;
  batch.push_back(std::move(
      db::Stmt("INSERT INTO generations (id, user_id, chat_id, model, prompt, status, cost, free_tier, "
               "source_update_id, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, CASE "
               "WHEN (SELECT COUNT(*) FROM generations WHERE status IN ('queued', 'processing')) >= ?9 THEN 'over_total' "
               "WHEN (SELECT COUNT(*) FROM generations WHERE user_id = ?2 AND created_ms > ?10 AND status != 'failed') >= ?11 THEN 'over_hour' "
               "WHEN ?7 = 1 AND (SELECT COUNT(*) FROM generations WHERE user_id = ?2 AND free_tier = 1 AND "
               "status NOT IN ('failed', 'cancelled') AND created_ms >= ?12) >= ?13 THEN 'over_free' "
               "ELSE 'queued' END, ?6, ?7, ?8, ?14, ?14)")
          .bind(id).bind(c.userId).bind(c.chatId).bind(m.name).bind(prompt).bind(cost)
          .bind(int64_t(free ? 1 : 0)).bind(c.updateId)
          .bind(config::getInt(Setting::QUEUE_MAX_TOTAL, 100)).bind(now - kHourMs)
          .bind(config::getInt(Setting::GENERATIONS_PER_HOUR, 10)).bind(dayStart).bind(freePerDay)
          .bind(now)));
  if (cost > 0) batch.push_back(ledger::entry(c.userId, -cost, ledger::kReserve, "gen:" + std::to_string(id), now));
  std::string err;
  db::batch(batch, &err);
  if (!err.empty()) {
    if (err.find("source_update_id") != std::string::npos) return resumeRetried(c).value_or(Outcome::Done);
    if (err.find("UNIQUE") != std::string::npos && err.find("user_id") != std::string::npos) {
      say(c, Msg::GenActiveExists);
      return Outcome::Done;
    }
    if (ledger::isInsufficientFunds(err)) {
      say(c, Msg::GenNoCredits, {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}, {"balance", credits}});
      return Outcome::Done;
    }
    if (err.find("CHECK") != std::string::npos) return explainRefusal(c, m, now);
    logger::error("enqueue: " + err);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!sendToQueue(c, m, id, prompt, cost, free ? freePerDay - freeUsed - 1 : -1)) abandon(c, id, cost);
  return Outcome::Done;
}

// "/image=flux=a fox" arrives as name "image", args "flux=a fox". Only a configured model name
// before the '=' makes it ours; anything else is a code file's name for code_files.cpp.
const gen::Model* imageModel(const Command& cmd, std::string& prompt) {
  size_t eq = cmd.args.find('=');
  if (eq == std::string::npos) return nullptr;
  std::string name = cmd.args.substr(0, eq);
  for (char& ch : name) ch = char(tolower(static_cast<unsigned char>(ch)));
  const gen::Model* m = gen::findModel(name);
  if (!m) return nullptr;
  prompt = cmd.args.substr(eq + 1);
  if (!cmd.body.empty()) prompt += "\n" + cmd.body;
  return m;
}

Outcome cmdImagine(Ctx& c, const Command& cmd) {
  std::string prompt(trim(cmd.args + (cmd.body.empty() ? "" : "\n" + cmd.body)));
  if (prompt.empty()) {
    say(c, Msg::GenUsage, {{"models", i18n::markup(modelsLine(c.lang))}});
    return Outcome::Done;
  }
  if (!validPrompt(c, prompt)) return Outcome::Done;
  // The prompt waits in D1 for the choice: callback data holds 64 bytes, a prompt up to 1000 chars.
  db::Result ins = db::first(db::Stmt("INSERT INTO generation_drafts (user_id, prompt, source_update_id, created_ms) "
                                      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source_update_id) DO UPDATE SET "
                                      "prompt = excluded.prompt RETURNING id")
                                 .bind(c.userId).bind(prompt).bind(c.updateId).bind(c.now));
  auto row = ins.first();
  if (!row) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  int64_t draft = json::getInt(*row, "id").value_or(0);
  tg::Keyboard kb;
  for (const gen::Model& m : gen::models()) {
    kb.push_back({{i18n::format(Msg::GenModelButton, c.lang, {{"model", m.name}, {"cost", m.cost}}),
                   "genm:" + m.name + ":" + num(draft), ""}});
  }
  c.bot.sendMessage(c.chatId, i18n::format(Msg::GenChooseModel, c.lang, {{"prompt", tg::escapeHtml(prompt)}}), &kb);
  return Outcome::Done;
}

Outcome cmdCancel(Ctx& c) {
  db::Result r = db::first(db::Stmt("SELECT id, model, prompt, status FROM generations WHERE user_id = ?1 "
                                    "AND status IN ('queued', 'processing')").bind(c.userId));
  if (!r.ok()) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  auto row = r.first();
  if (!row) {
    say(c, Msg::GenNothingToCancel);
    return Outcome::Done;
  }
  int64_t id = json::getInt(*row, "id").value_or(0);
  std::string_view status = json::getString(*row, "status").value_or("");
  std::string prompt(json::getString(*row, "prompt").value_or(""));
  if (prompt.size() > 200) prompt = prompt.substr(0, 200) + "…";  // escapeHtml repairs a cut sequence
  tg::Keyboard kb{{{i18n::format(Msg::GenCancelYes, c.lang), "cancel_gen:" + num(id), ""},
                   {i18n::format(Msg::GenCancelNo, c.lang), "cancel_no", ""}}};
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::GenCancelAsk, c.lang,
                                 {{"model", tg::escapeHtml(json::getString(*row, "model").value_or(""))},
                                  {"status", i18n::markup(i18n::format(status == "queued" ? Msg::GenStatusQueued : Msg::GenStatusProcessing, c.lang))},
                                  {"prompt", tg::escapeHtml(prompt)}}),
                    &kb);
  return Outcome::Done;
}

// The state change and the refund are one batch, conditional on the job still being active, so a
// double tap, a retried update or a race with the queue refunds once.
Outcome cancelGeneration(Ctx& c, const CallbackQuery& q, int64_t id) {
  db::Result r = db::first(db::Stmt("SELECT model, cost, status FROM generations WHERE id = ?1 AND user_id = ?2")
                               .bind(id).bind(c.userId));
  if (!r.ok()) return Outcome::StorageFailed;
  auto row = r.first();
  if (!row) {
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  int64_t cost = json::getInt(*row, "cost").value_or(0);
  std::string model(json::getString(*row, "model").value_or(""));
  std::string err;
  auto res = db::batch(
      {db::Stmt("UPDATE generations SET status = 'cancelled', error = 'cancelled by the user', finished_ms = ?3, "
                "updated_ms = ?3 WHERE id = ?1 AND user_id = ?2 AND status IN ('queued', 'processing')")
           .bind(id).bind(c.userId).bind(c.now),
       ledger::refundIfChanged(c.userId, cost, "gen:" + num(id), c.now)},
      &err);
  if (!err.empty()) {
    logger::error("cancel: " + err);
    return Outcome::StorageFailed;
  }
  if (res[0].changes() < 1) {
    // A second tap on the same button: the message already says it is cancelled.
    if (json::getString(*row, "status").value_or("") == "cancelled") return Outcome::Done;
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  // Tell the queue; if it cannot be reached the job finds its row cancelled when it gets there.
  json::JsonWriter req;
  req.beginObject().key("binding").value("MODEL_QUEUE").key("name").value(model)
      .key("path").value("/cancel").key("method").value("POST").endObject();
  std::string body = "{\"id\":" + num(id) + "}";
  host::Reply dr = host::doFetch(req.str(), std::span<const uint8_t>(
                                                reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  if (!dr.ok()) logger::warn("cancel: queue " + model + ": " + dr.error);
  std::string note = cost > 0 ? i18n::format(Msg::GenRefunded, c.lang, {{"cost", cost}}) : "";
  c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenCancelled, c.lang, {{"refund", i18n::markup(note)}}));
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  const std::string& n = cmd.name;
  if (n == "image") {
    std::string prompt;
    const gen::Model* model = imageModel(cmd, prompt);
    if (!model) return std::nullopt;
    return enqueue(c, *model, prompt);
  }
  // (/generate is the thumbnails' command, gallery feature.)
  if (n == "imagine") return cmdImagine(c, cmd);
  if (n == "cancel") return cmdCancel(c);
  return std::nullopt;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind == "cancel_no") {
    c.bot.answerCallbackQuery(q.id);
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenCancelKept, c.lang));
    return Outcome::Done;
  }
  if (kind == "cancel_gen") {
    c.bot.answerCallbackQuery(q.id);
    int64_t id = 0;
    if (!parseId(arg, id)) return Outcome::Done;
    return cancelGeneration(c, q, id);
  }
  if (kind == "regen") {
    c.bot.answerCallbackQuery(q.id);
    int64_t id = 0;
    if (!parseId(arg, id)) return Outcome::Done;
    db::Result r = db::first(db::Stmt("SELECT model, prompt FROM generations WHERE id = ?1 AND user_id = ?2")
                                 .bind(id).bind(c.userId));
    if (!r.ok()) return Outcome::StorageFailed;
    auto row = r.first();
    const gen::Model* m = row ? gen::findModel(json::getString(*row, "model").value_or("")) : nullptr;
    if (!m) return Outcome::Done;
    return enqueue(c, *m, json::getString(*row, "prompt").value_or(""));
  }
  if (kind == "genm") {
    c.bot.answerCallbackQuery(q.id);
    size_t colon = arg.find(':');
    int64_t draft = 0;
    if (colon == std::string_view::npos || !parseId(arg.substr(colon + 1), draft)) return Outcome::Done;
    const gen::Model* m = gen::findModel(arg.substr(0, colon));
    db::Result r = db::first(db::Stmt("SELECT prompt FROM generation_drafts WHERE id = ?1 AND user_id = ?2 "
                                      "AND created_ms > ?3").bind(draft).bind(c.userId).bind(c.now - kDraftTtlMs));
    if (!r.ok()) return Outcome::StorageFailed;
    auto row = r.first();
    if (!m || !row) {
      say(c, Msg::GenDraftExpired);
      return Outcome::Done;
    }
    // The choice message keeps the prompt but loses its buttons: one tap, one job.
    c.bot.editMessageReplyMarkup(c.chatId, q.messageId, nullptr);
    return enqueue(c, *m, json::getString(*row, "prompt").value_or(""));
  }
  return std::nullopt;
}

bool onDeferred(const fn::Event&, std::string_view) { return false; }

}  // namespace

const Feature kGeneration = {"generation", onMessage, onCallback, onDeferred};

}  // namespace webhook
