// Telegram Update JSON -> a plain struct (pure; fuzzed by tests/fuzz). Only the fields the bot
// uses are read; unknown update kinds parse as UpdateKind::Unknown and are answered 200.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webhook {

struct User {
  int64_t id = 0;
  bool isBot = false;
  std::string username, firstName, lastName, languageCode;
};

struct Document {
  std::string fileId, fileName, mimeType;
  int64_t fileSize = 0;
};

// One size of a Telegram photo (PhotoSize); a message's `photo` lists the same picture in several
// sizes, smallest first.
struct PhotoSize {
  std::string fileId;
  int64_t width = 0, height = 0, fileSize = 0;
};

// A "pre" entity (a code block in Telegram's formatting), as byte offsets into the text.
struct CodeBlock {
  size_t begin = 0, length = 0;
  std::string language;
};

// A Telegram Stars (or other) payment that went through; Telegram sends it as a message.
struct SuccessfulPayment {
  std::string currency;
  int64_t totalAmount = 0;
  std::string invoicePayload;
  std::string telegramChargeId;  // telegram_payment_charge_id: the key a top-up is credited once by
  std::string providerChargeId;  // provider_payment_charge_id (empty for Stars)
};

struct Message {
  int64_t messageId = 0;
  int64_t chatId = 0;
  std::string chatType;
  User from;
  std::string text;  // text or caption
  std::vector<CodeBlock> codeBlocks;
  std::optional<Document> document;
  std::vector<PhotoSize> photo;  // at most 8 sizes are read
  std::string mediaGroupId;      // set on each message of an album
  bool hasSuccessfulPayment = false;
  SuccessfulPayment payment;  // when hasSuccessfulPayment
  // The message this one replies to: only what /save and /image need from it.
  bool hasReply = false;
  std::string replyText;
  std::vector<CodeBlock> replyCodeBlocks;
  std::optional<Document> replyDocument;
  std::vector<PhotoSize> replyPhoto;
};

struct CallbackQuery {
  std::string id;
  User from;
  int64_t chatId = 0;
  int64_t messageId = 0;
  std::string data;
};

struct PreCheckoutQuery {
  std::string id;
  User from;
  std::string currency;
  int64_t totalAmount = 0;
  std::string payload;
};

struct ChatMemberUpdate {
  User from;
  int64_t chatId = 0;
  std::string newStatus;  // "kicked" when the user blocked the bot
};

enum class UpdateKind {
  Message,
  EditedMessage,
  CallbackQuery,
  PreCheckoutQuery,
  MyChatMember,
  Unknown
};

struct Update {
  int64_t updateId = 0;
  UpdateKind kind = UpdateKind::Unknown;
  Message message;  // Message and EditedMessage
  CallbackQuery callback;
  PreCheckoutQuery preCheckout;
  ChatMemberUpdate chatMember;
};

// Empty on success; otherwise why the body is not an Update (invalid JSON, no update_id, ...).
std::string parseUpdate(std::string_view body, Update& out);

// Telegram entity offsets count UTF-16 code units; converts one to a byte offset into `text`.
size_t utf16ToByteOffset(std::string_view text, int64_t units);

}  // namespace webhook
