#include "context.h"

#include <algorithm>

#include "shared/host.h"

namespace webhook {
std::string num(int64_t n) {
  return std::to_string(n);
}

int64_t countLines(std::string_view s) {
  if (s.empty()) return 0;
  int64_t n = std::count(s.begin(), s.end(), '\n');
  return s.back() == '\n' ? n : n + 1;
}

void say(Ctx& c, i18n::Msg m, Values v) {
  if (m == i18n::Msg::Sorry) {
    c.apologyPending = true;
    return;
  }
  tg::Sent s = c.bot.sendMessage(c.chatId, i18n::format(m, c.lang, v));
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
}

std::string errorId() {
  uint8_t b[4];
  host::randomBytes(b, sizeof b);
  static const char* kHex = "0123456789abcdef";
  std::string id = "E";
  for (uint8_t x : b) {
    id.push_back(kHex[x >> 4]);
    id.push_back(kHex[x & 15]);
  }
  return id;
}

Status rateLimit(Ctx& c, std::string_view action, int64_t limit, double windowMs, int64_t cost) {
  int64_t wait = store::rateLimit(c.userId, std::string(action), limit, windowMs, c.now, cost);
  if (wait < 0) return {Error::Unavailable, "rate limit " + std::string(action)};
  if (wait > 0) {
    say(c, i18n::Msg::RateLimited, {{"wait", i18n::duration(c.lang, wait)}});
    return {Error::LimitReached, std::string(action)};
  }
  return {};
}

Outcome stopWith(Ctx&, const Status& s) {
  return s.error() == Error::Unavailable ? Outcome::StorageFailed : Outcome::Done;
}

bool sendImage(Ctx& c, const std::vector<uint8_t>& bytes, uint32_t width, uint32_t height,
               const std::string& filename, std::string_view contentType,
               const std::string& caption, const tg::Keyboard* kb) {
  tg::Sent s = c.bot.sendImage(c.chatId, tg::Photo{filename, bytes, caption}, contentType, width,
                               height, kb);
  if (!s.ok) logger::warn("sending an image failed: " + s.description);
  return s.ok;
}

bool prepareContext(Ctx& c, const User& from, int64_t chatId, int64_t updateId) {
  c.chatId = chatId;
  c.userId = from.id;
  c.from = from;
  c.now = host::nowMs();
  c.updateId = updateId;
  auto s = store::touchUser(from, c.now);
  if (!s) return false;
  c.settings = *s;
  c.lang = i18n::fromCode(s->uiLanguage.empty() ? from.languageCode : s->uiLanguage);
  return true;
}

void deferTask(const Ctx& c, std::string_view task,
               const std::function<void(json::JsonWriter&)>& fields) {
  json::JsonWriter w;
  w.beginObject()
      .key("kind")
      .value("deferred")
      .key("task")
      .value(task)
      .key("chat_id")
      .value(c.chatId)
      .key("user_id")
      .value(c.userId)
      .key("update_id")
      .value(c.updateId)
      .key("lang")
      .value(i18n::code(c.lang));
  if (fields) fields(w);
  w.endObject();
  host::defer(w.str());
}

bool fromDeferred(const fn::Event& ev, Ctx& c) {
  c.chatId = json::getInt(ev.data, "chat_id").value_or(0);
  c.userId = json::getInt(ev.data, "user_id").value_or(0);
  c.updateId = json::getInt(ev.data, "update_id").value_or(0);
  c.lang = i18n::fromCode(json::getString(ev.data, "lang").value_or("en"));
  c.now = host::nowMs();
  return c.chatId != 0 && c.userId != 0;
}

}  // namespace webhook
