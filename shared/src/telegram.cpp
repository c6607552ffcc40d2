#include "shared/telegram.h"
#include <algorithm>

#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/multipart.h"
#include "shared/utf8.h"

namespace tg {
namespace {

constexpr int kMaxAttempts = 4;              // the first try and three retries
constexpr int64_t kMaxRetryAfterMs = 15000;  // longer waits are the caller's to schedule
constexpr int64_t kTimeoutMs = 30000;

std::string apiUrl(std::string_view method) {
  std::string base(config::get(config::Setting::TELEGRAM_API_BASE));
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + "/bot" + std::string(config::get(config::Setting::TELEGRAM_BOT_TOKEN)) + "/" +
         std::string(method);
}

std::string randomBoundary() {
  uint8_t bytes[16];
  host::randomBytes(bytes, sizeof bytes);
  static const char* kHex = "0123456789abcdef";
  std::string b = "----tgform";
  for (uint8_t x : bytes) {
    b.push_back(kHex[x >> 4]);
    b.push_back(kHex[x & 15]);
  }
  return b;
}

}  // namespace

std::string escapeHtml(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8::validSequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      i++;
      continue;
    }
    if (n == 1) {
      switch (s[i]) {
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '&':
          out += "&amp;";
          break;
        case '"':
          out += "&quot;";
          break;
        default:
          out.push_back(s[i]);
      }
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string keyboardJson(const Keyboard& kb) {
  json::JsonWriter w;
  w.beginObject().key("inline_keyboard").beginArray();
  for (const auto& row : kb) {
    w.beginArray();
    for (const Button& b : row) {
      w.beginObject().key("text").value(b.text);
      if (!b.url.empty()) {
        w.key("url").value(b.url);
      } else {
        w.key("callback_data").value(b.callbackData);
      }
      w.endObject();
    }
    w.endArray();
  }
  w.endArray().endObject();
  return w.take();
}

Sent Bot::send(std::string_view method, std::string_view contentType,
               std::span<const uint8_t> body) {
  Sent out;
  int64_t backoffMs = 500;
  for (int attempt = 1; attempt <= kMaxAttempts; attempt++) {
    json::JsonWriter req;
    req.beginObject()
        .key("url")
        .value(apiUrl(method))
        .key("method")
        .value("POST")
        .key("headers")
        .beginObject()
        .key("content-type")
        .value(contentType)
        .endObject()
        .key("timeout_ms")
        .value(kTimeoutMs)
        .endObject();
    host::Reply r = host::fetch(req.str(), body);
    bool retryable = false;
    int64_t waitMs = backoffMs;
    if (!r.ok()) {
      out = Sent{};
      out.description = r.error;  // "timeout" or "network: ..."; never holds the URL
      retryable = true;
    } else {
      simdjson::dom::parser meta;
      json::Object m;
      int64_t status = 0;
      if (meta.parse(r.json).get(m) == simdjson::SUCCESS)
        status = json::getInt(m, "status").value_or(0);
      simdjson::dom::parser parser;
      json::Object o;
      std::string_view text(reinterpret_cast<const char*>(r.body.data()), r.body.size());
      out = Sent{};
      if (parser.parse(text).get(o) != simdjson::SUCCESS) {
        out.errorCode = int(status);
        out.description = "unreadable reply from the Bot API (HTTP " + std::to_string(status) + ")";
        retryable = status >= 500;
      } else {
        out.ok = json::getBool(o, "ok").value_or(false);
        if (out.ok) {
          simdjson::dom::element result;
          if (o["result"].get(result) == simdjson::SUCCESS) {
            out.resultJson = simdjson::to_string(result);
            json::Object msg;
            if (result.get(msg) == simdjson::SUCCESS) {
              out.messageId = json::getInt(msg, "message_id").value_or(0);
            }
          }
          return out;
        }
        out.errorCode = int(json::getInt(o, "error_code").value_or(status));
        out.description = std::string(json::getString(o, "description").value_or(""));
        if (out.errorCode == 429) {
          int64_t after = 1;
          if (auto params = json::getObject(o, "parameters")) {
            after = json::getInt(*params, "retry_after").value_or(1);
          }
          waitMs = after * 1000;
          retryable = waitMs <= kMaxRetryAfterMs;
        } else {
          retryable = out.errorCode >= 500;
        }
      }
    }
    if (!retryable || attempt == kMaxAttempts) break;
    logger::warn("telegram " + std::string(method) + ": " + out.description + "; retrying in " +
                 std::to_string(waitMs) + " ms");
    host::sleepMs(waitMs);
    backoffMs *= 2;
  }
  return out;
}

Sent Bot::call(std::string_view method, std::string_view params) {
  std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(params.data()), params.size());
  return send(method, "application/json", body);
}

Sent Bot::upload(std::string_view method, std::string_view contentType,
                 std::span<const uint8_t> body) {
  return send(method, contentType, body);
}

Sent Bot::sendMessage(int64_t chatId, std::string_view html, const Keyboard* kb, int64_t replyTo) {
  json::JsonWriter w;
  w.beginObject()
      .key("chat_id")
      .value(chatId)
      .key("text")
      .value(html)
      .key("parse_mode")
      .value("HTML")
      .key("disable_web_page_preview")
      .value(true);
  if (kb) w.key("reply_markup").raw(keyboardJson(*kb));
  if (replyTo) {
    w.key("reply_parameters")
        .beginObject()
        .key("message_id")
        .value(replyTo)
        .key("allow_sending_without_reply")
        .value(true)
        .endObject();
  }
  w.endObject();
  return call("sendMessage", w.str());
}

Sent Bot::editMessageText(int64_t chatId, int64_t messageId, std::string_view html,
                          const Keyboard* kb) {
  json::JsonWriter w;
  w.beginObject()
      .key("chat_id")
      .value(chatId)
      .key("message_id")
      .value(messageId)
      .key("text")
      .value(html)
      .key("parse_mode")
      .value("HTML");
  if (kb) w.key("reply_markup").raw(keyboardJson(*kb));
  w.endObject();
  return call("editMessageText", w.str());
}

Sent Bot::editMessageReplyMarkup(int64_t chatId, int64_t messageId, const Keyboard* kb) {
  json::JsonWriter w;
  w.beginObject().key("chat_id").value(chatId).key("message_id").value(messageId);
  if (kb) w.key("reply_markup").raw(keyboardJson(*kb));
  w.endObject();
  return call("editMessageReplyMarkup", w.str());
}

Sent Bot::deleteMessage(int64_t chatId, int64_t messageId) {
  json::JsonWriter w;
  w.beginObject().key("chat_id").value(chatId).key("message_id").value(messageId).endObject();
  return call("deleteMessage", w.str());
}

Sent Bot::answerCallbackQuery(std::string_view id, std::string_view text, bool alert) {
  json::JsonWriter w;
  w.beginObject().key("callback_query_id").value(id);
  if (!text.empty()) w.key("text").value(text).key("show_alert").value(alert);
  w.endObject();
  return call("answerCallbackQuery", w.str());
}

Sent Bot::sendPhoto(int64_t chatId, const Photo& photo, const Keyboard* kb) {
  multipart::Builder m(randomBoundary());
  m.field("chat_id", std::to_string(chatId));
  if (!photo.caption.empty()) {
    m.field("caption", photo.caption);
    m.field("parse_mode", "HTML");
  }
  if (kb) m.field("reply_markup", keyboardJson(*kb));
  m.file("photo", photo.filename, "image/png", photo.bytes);
  std::string ct = m.contentType();
  std::vector<uint8_t> body = m.finish();
  return upload("sendPhoto", ct, body);
}

Sent Bot::sendDocument(int64_t chatId, const Photo& doc, std::string_view contentType,
                       const Keyboard* kb) {
  multipart::Builder m(randomBoundary());
  m.field("chat_id", std::to_string(chatId));
  if (!doc.caption.empty()) {
    m.field("caption", doc.caption);
    m.field("parse_mode", "HTML");
  }
  if (kb) m.field("reply_markup", keyboardJson(*kb));
  m.file("document", doc.filename, contentType, doc.bytes);
  std::string ct = m.contentType();
  std::vector<uint8_t> body = m.finish();
  return upload("sendDocument", ct, body);
}

Sent Bot::sendImage(int64_t chatId, const Photo& image, std::string_view contentType,
                    uint32_t width, uint32_t height, const Keyboard* kb) {
  constexpr size_t kPhotoMaxBytes = 10 * 1024 * 1024;
  constexpr uint32_t kPhotoMaxSidesSum = 10000, kPhotoMaxRatio = 20;
  const uint32_t lo = std::min(width, height), hi = std::max(width, height);
  const bool photoOk = image.bytes.size() <= kPhotoMaxBytes &&
                       width + height <= kPhotoMaxSidesSum && lo > 0 && hi / lo <= kPhotoMaxRatio &&
                       contentType != "image/webp";
  if (photoOk) {
    Sent s = sendPhoto(chatId, image, kb);
    // A 400 here means Telegram judged the photo itself (dimensions, size): send the file.
    if (s.ok || s.errorCode != 400) return s;
  }
  return sendDocument(chatId, image, contentType, kb);
}

Sent Bot::sendMediaGroup(int64_t chatId, std::span<const Photo> photos) {
  multipart::Builder m(randomBoundary());
  m.field("chat_id", std::to_string(chatId));
  json::JsonWriter media;
  media.beginArray();
  for (size_t i = 0; i < photos.size(); i++) {
    std::string attach = "p" + std::to_string(i);
    media.beginObject().key("type").value("photo").key("media").value("attach://" + attach);
    if (!photos[i].caption.empty()) {
      media.key("caption").value(photos[i].caption).key("parse_mode").value("HTML");
    }
    media.endObject();
  }
  media.endArray();
  m.field("media", media.str());
  for (size_t i = 0; i < photos.size(); i++) {
    m.file("p" + std::to_string(i), photos[i].filename, "image/png", photos[i].bytes);
  }
  std::string ct = m.contentType();
  std::vector<uint8_t> body = m.finish();
  return upload("sendMediaGroup", ct, body);
}

Sent Bot::setMyCommands(std::string_view commandsJson, std::string_view languageCode) {
  json::JsonWriter w;
  w.beginObject().key("commands").raw(commandsJson);
  if (!languageCode.empty()) w.key("language_code").value(languageCode);
  w.endObject();
  return call("setMyCommands", w.str());
}

Sent Bot::sendInvoice(std::string_view paramsJson) {
  return call("sendInvoice", paramsJson);
}

Sent Bot::answerPreCheckoutQuery(std::string_view id, bool ok, std::string_view error) {
  json::JsonWriter w;
  w.beginObject().key("pre_checkout_query_id").value(id).key("ok").value(ok);
  if (!ok) w.key("error_message").value(error);
  w.endObject();
  return call("answerPreCheckoutQuery", w.str());
}

std::optional<std::string> Bot::getFile(std::string_view fileId, std::string* err) {
  json::JsonWriter w;
  w.beginObject().key("file_id").value(fileId).endObject();
  Sent s = call("getFile", w.str());
  if (!s.ok) {
    if (err) *err = s.description;
    return std::nullopt;
  }
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(s.resultJson).get(o) != simdjson::SUCCESS) {
    if (err) *err = "unreadable getFile result";
    return std::nullopt;
  }
  auto path = json::getString(o, "file_path");
  if (!path) {
    if (err) *err = "file is not available for download";
    return std::nullopt;
  }
  return std::string(*path);
}

std::optional<std::vector<uint8_t>> Bot::downloadFile(std::string_view filePath, size_t maxBytes,
                                                      std::string* err) {
  std::string base(config::get(config::Setting::TELEGRAM_API_BASE));
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string url = base + "/file/bot" +
                    std::string(config::get(config::Setting::TELEGRAM_BOT_TOKEN)) + "/" +
                    std::string(filePath);
  json::JsonWriter req;
  req.beginObject()
      .key("url")
      .value(url)
      .key("method")
      .value("GET")
      .key("timeout_ms")
      .value(kTimeoutMs)
      .endObject();
  host::Reply r = host::fetch(req.str());
  if (!r.ok()) {
    if (err) *err = r.error;
    return std::nullopt;
  }
  simdjson::dom::parser p;
  json::Object m;
  int64_t status = 0;
  if (p.parse(r.json).get(m) == simdjson::SUCCESS) status = json::getInt(m, "status").value_or(0);
  if (status != 200) {
    if (err) *err = "download failed with HTTP " + std::to_string(status);
    return std::nullopt;
  }
  if (r.body.size() > maxBytes) {
    if (err) *err = "file too large";
    return std::nullopt;
  }
  return std::move(r.body);
}

}  // namespace tg
