// A Telegram Bot API client over host::fetch. The base URL comes from TELEGRAM_API_BASE so tests
// point it at a local fake; the token is part of the URL only and never appears in a log line.
//
//   tg::Bot bot;
//   tg::Keyboard kb{{{"🖼 Image", "img:main.py"}}};
//   tg::Sent s = bot.sendMessage(chatId, "<b>Saved</b> " + tg::escapeHtml(name), &kb);
//   if (!s.ok) logger::warn("sendMessage: " + s.description);
//
// 429 answers are retried after `retry_after` (when that is short), 5xx and network errors up to
// three times with exponential backoff; 4xx are returned to the caller at once.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

struct Button {
  std::string text;
  std::string callbackData;  // at most 64 bytes (Telegram's limit), or empty with url set
  std::string url;
};
using Keyboard = std::vector<std::vector<Button>>;

struct Sent {
  bool ok = false;
  int errorCode = 0;        // Telegram's error_code, or 0 for a network failure
  std::string description;  // Telegram's description or the network error
  int64_t messageId = 0;    // for methods that return a Message
  std::string resultJson;   // the raw "result" for other methods
};

struct Photo {
  std::string filename;
  std::vector<uint8_t> bytes;
  std::string caption;  // HTML
};

// Escapes <, >, & and quotes for parse_mode HTML; also replaces invalid UTF-8 with U+FFFD.
std::string escapeHtml(std::string_view s);

class Bot {
 public:
  Sent sendMessage(int64_t chatId, std::string_view html, const Keyboard* kb = nullptr,
                   int64_t replyTo = 0);
  Sent editMessageText(int64_t chatId, int64_t messageId, std::string_view html,
                       const Keyboard* kb = nullptr);
  Sent editMessageReplyMarkup(int64_t chatId, int64_t messageId, const Keyboard* kb);
  Sent deleteMessage(int64_t chatId, int64_t messageId);
  Sent answerCallbackQuery(std::string_view id, std::string_view text = {}, bool alert = false);
  Sent sendPhoto(int64_t chatId, const Photo& photo, const Keyboard* kb = nullptr);
  Sent sendDocument(int64_t chatId, const Photo& doc, std::string_view contentType,
                    const Keyboard* kb = nullptr);
  // An image as a photo when Telegram's photo rules allow it (at most 10 MB, width + height at
  // most 10000, sides within 20x, not WebP), else, or when Telegram refuses the photo with a 400,
  // as a document. The one place that rule lives.
  Sent sendImage(int64_t chatId, const Photo& image, std::string_view contentType, uint32_t width,
                 uint32_t height, const Keyboard* kb = nullptr);
  Sent sendMediaGroup(int64_t chatId, std::span<const Photo> photos);
  Sent setMyCommands(std::string_view commandsJson, std::string_view languageCode = {});
  Sent sendInvoice(std::string_view paramsJson);
  Sent answerPreCheckoutQuery(std::string_view id, bool ok, std::string_view error = {});
  // getFile: the file_path to download, or nullopt (with `err` set).
  std::optional<std::string> getFile(std::string_view fileId, std::string* err);
  // Downloads a file_path from getFile, refusing more than maxBytes.
  std::optional<std::vector<uint8_t>> downloadFile(std::string_view filePath, size_t maxBytes,
                                                   std::string* err);

  // Any method with JSON parameters (an object's text).
  Sent call(std::string_view method, std::string_view paramsJson);

 private:
  Sent upload(std::string_view method, std::string_view contentType, std::span<const uint8_t> body);
  Sent send(std::string_view method, std::string_view contentType, std::span<const uint8_t> body);
};

// Serialises an inline keyboard as reply_markup JSON.
std::string keyboardJson(const Keyboard& kb);

}  // namespace tg
