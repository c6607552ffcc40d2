// The dispatcher: general commands (/start, /help, /lang, /support) and routing of every other
// command, callback and deferred task to the feature that owns it (bot_feature.h).
#include "bot.h"

#include <deque>
#include <string>
#include <unordered_set>

#include "bot_feature.h"
#include "command.h"
#include "payments.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/i18n.h"
#include "shared/json.h"
#include "shared/stats.h"

namespace webhook {
namespace {

using config::Setting;
using i18n::Msg;

// In the order they are asked.
// Avatars come first: a photo without a command is theirs while one collects photos.
// Generation comes before code files: it claims "/image=MODEL=PROMPT" for configured models.
const Feature* const kFeatures[] = {&kAvatars,   &kGeneration, &kThumbnails, &kGallery,
                                    &kCodeFiles, &kAppearance, &kPayments,   &kPrivacy};

// Commands of features that are not built yet: an honest "not available" instead of "unknown".
// None at the moment; kept so the next planned command has its place.
bool isPlannedCommand(std::string_view) {
  return false;
}

Outcome cmdLanguage(Ctx& c) {
  tg::Keyboard kb{{{"English", "lang:en", ""}, {"Русский", "lang:ru", ""}},
                  {{"עברית", "lang:he", ""}, {"فارسی", "lang:fa", ""}}};
  c.bot.sendMessage(c.chatId, i18n::format(Msg::ChooseLanguage, c.lang), &kb);
  return Outcome::Done;
}

Outcome cmdSupport(Ctx& c) {
  std::string contact(config::get(Setting::SUPPORT_CONTACT));
  say(c, Msg::Support,
      {{"id", num(c.from.id)},
       {"username", c.from.username.empty() ? "—" : "@" + tg::escapeHtml(c.from.username)},
       {"contact", contact.empty() ? "—" : tg::escapeHtml(contact)}});
  return Outcome::Done;
}

bool isAdmin(int64_t userId) {
  std::string_view ids = config::get(Setting::ADMIN_IDS);
  std::string id = std::to_string(userId);
  while (!ids.empty()) {
    size_t comma = ids.find(',');
    std::string_view one = ids.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    if (one == id) return true;
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  return false;
}

// /stats: the numbers of GET /metrics, for the admins listed in ADMIN_IDS.
Outcome cmdStats(Ctx& c) {
  if (!isAdmin(c.userId)) {
    say(c, Msg::NotAdmin);
    return Outcome::Done;
  }
  double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  c.bot.sendMessage(c.chatId, stats::summaryHtml(stats::collect(c.now, timeoutMs)));
  return Outcome::Done;
}

Outcome onMessage(Ctx& c, const Message& m) {
  Command cmd = parseCommand(m.text);
  const std::string& n = cmd.name;
  if (n == "start" || n == "help") {
    say(c, Msg::Welcome);
    return Outcome::Done;
  }
  if (n == "language" || n == "lang") return cmdLanguage(c);
  if (n == "support") return cmdSupport(c);
  if (n == "stats") return cmdStats(c);
  for (const Feature* f : kFeatures) {
    if (auto o = f->onMessage(c, m, cmd)) return *o;
  }
  if (n.empty()) {
    say(c, Msg::Welcome);
  } else if (isPlannedCommand(n)) {
    say(c, Msg::ComingSoon);
  } else {
    say(c, Msg::UnknownCommand);
  }
  return Outcome::Done;
}

Outcome onCallback(Ctx& c, const CallbackQuery& q) {
  std::string_view data = q.data;
  size_t colon = data.find(':');
  std::string_view kind = data.substr(0, colon);
  std::string_view arg = colon == std::string_view::npos ? "" : data.substr(colon + 1);
  if (kind == "lang" && (arg == "en" || arg == "ru" || arg == "he" || arg == "fa")) {
    if (!store::setUiLanguage(c.userId, std::string(arg), c.now)) {
      c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Sorry, c.lang), true);
      return Outcome::StorageFailed;
    }
    c.lang = i18n::fromCode(arg);
    c.bot.answerCallbackQuery(q.id);
    c.bot.editMessageText(c.chatId, q.messageId, i18n::format(Msg::LanguageSet, c.lang));
    return Outcome::Done;
  }
  for (const Feature* f : kFeatures) {
    if (auto o = f->onCallback(c, q, kind, arg)) return *o;
  }
  // Stale or unknown buttons: stop the spinner and do nothing.
  c.bot.answerCallbackQuery(q.id);
  return Outcome::Done;
}

// Telegram resends an update answered with 500 several times, with growing pauses; the user
// should read one apology, not one per attempt. Remembered per instance (the store that failed
// cannot hold it), so this is best effort: a new instance may apologise once more.
bool firstApologyFor(int64_t updateId) {
  static std::deque<int64_t> order;
  static std::unordered_set<int64_t> seen;
  if (!seen.insert(updateId).second) return false;
  order.push_back(updateId);
  if (order.size() > 1024) {
    seen.erase(order.front());
    order.pop_front();
  }
  return true;
}

void apologize(Ctx& c, Outcome o) {
  if (c.chatId == 0) return;
  Msg m = o == Outcome::StorageFailed ? Msg::SorryRetrying : Msg::Sorry;
  if (o == Outcome::StorageFailed && !firstApologyFor(c.updateId)) return;
  tg::Sent s = c.bot.sendMessage(c.chatId, i18n::format(m, c.lang));
  if (!s.ok) logger::warn("apology: " + s.description);
}

Outcome dispatch(Ctx& c, const Update& u) {
  switch (u.kind) {
    case UpdateKind::Message:
    case UpdateKind::EditedMessage: {
      const Message& m = u.message;
      if (m.from.id == 0 || m.from.isBot || m.chatId == 0) return Outcome::Done;
      if (!prepareContext(c, m.from, m.chatId, u.updateId)) {
        c.chatId = m.chatId;
        c.lang = i18n::fromCode(m.from.languageCode);
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
      }
      if (m.hasSuccessfulPayment) return payments::onSuccessfulPayment(c, m);
      return onMessage(c, m);
    }
    case UpdateKind::CallbackQuery: {
      const CallbackQuery& q = u.callback;
      if (q.from.id == 0) return Outcome::Done;
      if (!prepareContext(c, q.from, q.chatId ? q.chatId : q.from.id, u.updateId)) {
        c.bot.answerCallbackQuery(
            q.id, i18n::format(Msg::Sorry, i18n::fromCode(q.from.languageCode)), true);
        return Outcome::StorageFailed;
      }
      return onCallback(c, q);
    }
    case UpdateKind::PreCheckoutQuery: {
      // Answered within Telegram's 10 s without touching storage.
      payments::onPreCheckout(u.preCheckout);
      return Outcome::Done;
    }
    case UpdateKind::MyChatMember: {
      const ChatMemberUpdate& cm = u.chatMember;
      if (cm.from.id == 0) return Outcome::Done;
      bool blocked = cm.newStatus == "kicked" || cm.newStatus == "left";
      if (!store::touchUser(cm.from, host::nowMs())) return Outcome::StorageFailed;
      if (!store::setActive(cm.from.id, !blocked, host::nowMs())) return Outcome::StorageFailed;
      return Outcome::Done;
    }
    case UpdateKind::Unknown:
      return Outcome::Done;
  }
  return Outcome::Done;
}

}  // namespace

Outcome handleUpdate(const Update& u) {
  Ctx c;
  c.updateId = u.updateId;
  Outcome o = dispatch(c, u);
  if (o == Outcome::StorageFailed || c.apologyPending) apologize(c, o);
  return o;
}

void apologizeForRetry(const Update& u) {
  Ctx c;
  c.updateId = u.updateId;
  if (u.kind == UpdateKind::Message || u.kind == UpdateKind::EditedMessage) {
    if (u.message.from.isBot) return;
    c.chatId = u.message.chatId;
    c.lang = i18n::fromCode(u.message.from.languageCode);
  } else if (u.kind == UpdateKind::CallbackQuery) {
    c.chatId = u.callback.chatId ? u.callback.chatId : u.callback.from.id;
    c.lang = i18n::fromCode(u.callback.from.languageCode);
  }
  apologize(c, Outcome::StorageFailed);
}

void runDeferred(const fn::Event& ev) {
  std::string_view task = json::getString(ev.data, "task").value_or("");
  for (const Feature* f : kFeatures) {
    if (f->onDeferred(ev, task)) return;
  }
  logger::warn("deferred task '" + std::string(task) + "' has no owner");
}

}  // namespace webhook
