// AI image generation, the Telegram side: /image=MODEL=PROMPT, /imagine PROMPT with priced model
// buttons, 🔁 regenerate, /cancel. Enqueueing is one D1 batch (the generation row, with the limits
// checked inside the INSERT, and the credit reservation) followed by a request to the model's
// queue object (functions/generate/queue.h), which does the slow work and talks to the user.
#include <optional>
#include <string>

#include "asking.h"
#include "bot_feature.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/models.h"
#include "shared/result.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

constexpr double kDayMs = 24 * 3600 * 1000;
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
  return utf8::trimSpace(s);
}

std::string modelsLine(i18n::Lang lang) {
  std::string s;
  for (const gen::Model& m : gen::models()) {
    if (!s.empty()) s += lang == i18n::Lang::Fa ? "، " : ", ";
    s += i18n::format(Msg::GenModelItem, lang,
                      {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}});
  }
  return s;
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

// Creates the generation (or finds the one this update already created) and queues it.
Outcome enqueue(Ctx& c, const gen::Model& m, std::string_view promptIn) {
  std::string prompt(trim(promptIn));
  if (prompt.empty()) {
    say(c, Msg::GenUsage, {{"models", i18n::markup(modelsLine(c.lang))}});
    return Outcome::Done;
  }
  if (!validPrompt(c, prompt)) return Outcome::Done;
  // Before any check: a retried update must find its own job, not "no credits" or "already active".
  if (auto done = resumeRetried(c, Msg::GenUnavailable)) return *done;

  // Paid when the balance covers the price, else one of today's free generations, if any left.
  const int64_t freePerDay = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 3);
  Result<generation::Usage> usage =
      generation::usageToday(c.userId, generation::Kind::Image, c.now);
  if (!usage) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  const int64_t credits = usage->credits, freeUsed = usage->freeUsed;
  const bool free = m.cost > 0 && credits < m.cost;
  auto noCredits = [&] {
    say(c, Msg::GenNoCredits,
        {{"model", tg::escapeHtml(m.name)}, {"cost", m.cost}, {"balance", credits}});
    return Outcome::Done;
  };
  if (free && freeUsed >= freePerDay) return noCredits();
  generation::NewGeneration g = newGeneration(c, generation::Kind::Image);
  g.model = m.name;
  g.prompt = prompt;
  g.cost = free ? 0 : m.cost;
  g.freeTier = free;
  g.checkFree = free;
  generation::QueueJob job{g.id,
                           c.userId,
                           c.chatId,
                           g.cost,
                           std::string(i18n::code(c.lang)),
                           prompt,
                           free ? freePerDay - freeUsed - 1 : -1};
  // A limit that is neither the queue's nor the hour's: the free allowance ran out meanwhile.
  return createAndQueue(c, g, job, {Msg::GenUnavailable, noCredits, noCredits});
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
  db::Result ins = db::first(
      db::Stmt("INSERT INTO generation_drafts (user_id, prompt, source_update_id, created_ms) "
               "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (source_update_id) DO UPDATE SET "
               "prompt = excluded.prompt RETURNING id")
          .bind(c.userId)
          .bind(prompt)
          .bind(c.updateId)
          .bind(c.now));
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
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::GenChooseModel, c.lang, {{"prompt", tg::escapeHtml(prompt)}}),
                    &kb);
  return Outcome::Done;
}

Outcome cmdCancel(Ctx& c) {
  Result<std::optional<generation::Row>> r = generation::activeOf(c.userId);
  if (!r) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!*r) {
    say(c, Msg::GenNothingToCancel);
    return Outcome::Done;
  }
  const generation::Row& row = **r;
  std::string prompt = row.prompt;
  if (prompt.size() > 200)
    prompt = prompt.substr(0, 200) + "…";  // escapeHtml repairs a cut sequence
  tg::Keyboard kb{{{i18n::format(Msg::GenCancelYes, c.lang), "cancel_gen:" + num(row.id), ""},
                   {i18n::format(Msg::GenCancelNo, c.lang), "cancel_no", ""}}};
  const Msg status = row.status == "queued" ? Msg::GenStatusQueued : Msg::GenStatusProcessing;
  c.bot.sendMessage(c.chatId,
                    i18n::format(Msg::GenCancelAsk, c.lang,
                                 {{"model", tg::escapeHtml(row.model)},
                                  {"status", i18n::markup(i18n::format(status, c.lang))},
                                  {"prompt", tg::escapeHtml(prompt)}}),
                    &kb);
  return Outcome::Done;
}

// The state change and the refund are one batch, conditional on the job still being active, so a
// double tap, a retried update or a race with the queue refunds once.
Outcome cancelGeneration(Ctx& c, const CallbackQuery& q, int64_t id) {
  Result<std::optional<generation::Row>> r = generation::owned(id, c.userId);
  if (!r) return Outcome::StorageFailed;
  if (!*r) {
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  const generation::Row& row = **r;
  Result<bool> changed = generation::cancel(id, c.userId, row.cost, c.now);
  if (!changed) {
    logger::error("cancel: " + changed.detail());
    return Outcome::StorageFailed;
  }
  if (!*changed) {
    // A second tap on the same button: the message already says it is cancelled.
    if (row.status == "cancelled") return Outcome::Done;
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::GenNothingToCancel, c.lang));
    return Outcome::Done;
  }
  // Tell the queue; if it cannot be reached the job finds its row cancelled when it gets there.
  if (Status s = generation::cancelInQueue(row.model, id); !s) {
    logger::warn("cancel: " + s.detail());
  }
  std::string note =
      row.cost > 0 ? i18n::format(Msg::GenRefunded, c.lang, {{"cost", row.cost}}) : "";
  c.bot.editMessageText(c.chatId, q.messageId,
                        i18n::format(Msg::GenCancelled, c.lang, {{"refund", i18n::markup(note)}}));
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
    Result<std::optional<generation::Row>> r = generation::owned(id, c.userId);
    if (!r) return Outcome::StorageFailed;
    const gen::Model* m = *r ? gen::findModel((*r)->model) : nullptr;
    if (!m) return Outcome::Done;
    return enqueue(c, *m, (*r)->prompt);
  }
  if (kind == "genm") {
    c.bot.answerCallbackQuery(q.id);
    size_t colon = arg.find(':');
    int64_t draft = 0;
    if (colon == std::string_view::npos || !parseId(arg.substr(colon + 1), draft))
      return Outcome::Done;
    const gen::Model* m = gen::findModel(arg.substr(0, colon));
    db::Result r =
        db::first(db::Stmt("SELECT prompt FROM generation_drafts WHERE id = ?1 AND user_id = ?2 "
                           "AND created_ms > ?3")
                      .bind(draft)
                      .bind(c.userId)
                      .bind(c.now - kDraftTtlMs));
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

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kGeneration = {"generation", onMessage, onCallback, onDeferred};

}  // namespace webhook
