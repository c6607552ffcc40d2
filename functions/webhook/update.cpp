#include "update.h"

#include "shared/json.h"
#include "shared/utf8.h"

namespace webhook {
namespace {

using json::getInt;
using json::getObject;
using json::getString;

std::string str(const json::Object& o, std::string_view key) {
  return std::string(getString(o, key).value_or(""));
}

void readUser(const json::Object& o, User& u) {
  u.id = getInt(o, "id").value_or(0);
  u.isBot = json::getBool(o, "is_bot").value_or(false);
  u.username = str(o, "username");
  u.firstName = str(o, "first_name");
  u.lastName = str(o, "last_name");
  u.languageCode = str(o, "language_code");
}

std::optional<Document> readDocument(const json::Object& msg) {
  auto d = getObject(msg, "document");
  if (!d) return std::nullopt;
  Document doc;
  doc.fileId = str(*d, "file_id");
  doc.fileName = str(*d, "file_name");
  doc.mimeType = str(*d, "mime_type");
  doc.fileSize = getInt(*d, "file_size").value_or(0);
  if (doc.fileId.empty()) return std::nullopt;
  return doc;
}

std::vector<PhotoSize> readPhoto(const json::Object& msg) {
  std::vector<PhotoSize> out;
  auto sizes = json::getArray(msg, "photo");
  if (!sizes) return out;
  for (auto el : *sizes) {
    json::Object o;
    if (el.get(o) != simdjson::SUCCESS) continue;
    PhotoSize p;
    p.fileId = str(o, "file_id");
    p.width = getInt(o, "width").value_or(0);
    p.height = getInt(o, "height").value_or(0);
    p.fileSize = getInt(o, "file_size").value_or(0);
    if (p.fileId.empty() || p.fileId.size() > 256) continue;
    out.push_back(std::move(p));
    if (out.size() == 8) break;
  }
  return out;
}

std::vector<CodeBlock> readCodeBlocks(const json::Object& msg, std::string_view text,
                                      std::string_view key) {
  std::vector<CodeBlock> out;
  auto ents = json::getArray(msg, key);
  if (!ents) return out;
  for (auto el : *ents) {
    json::Object e;
    if (el.get(e) != simdjson::SUCCESS || getString(e, "type").value_or("") != "pre") continue;
    int64_t off = getInt(e, "offset").value_or(-1);
    int64_t len = getInt(e, "length").value_or(-1);
    if (off < 0 || len <= 0) continue;
    size_t b = utf16ToByteOffset(text, off);
    size_t end = utf16ToByteOffset(text, off + len);
    if (end <= b) continue;
    out.push_back({b, end - b, str(e, "language")});
  }
  return out;
}

void readMessage(const json::Object& m, Message& msg) {
  msg.messageId = getInt(m, "message_id").value_or(0);
  if (auto chat = getObject(m, "chat")) {
    msg.chatId = getInt(*chat, "id").value_or(0);
    msg.chatType = str(*chat, "type");
  }
  if (auto from = getObject(m, "from")) readUser(*from, msg.from);
  if (auto t = getString(m, "text")) {
    msg.text = std::string(*t);
    msg.codeBlocks = readCodeBlocks(m, msg.text, "entities");
  } else if (auto c = getString(m, "caption")) {
    msg.text = std::string(*c);
    msg.codeBlocks = readCodeBlocks(m, msg.text, "caption_entities");
  }
  msg.document = readDocument(m);
  msg.photo = readPhoto(m);
  msg.mediaGroupId = str(m, "media_group_id");
  if (msg.mediaGroupId.size() > 64) msg.mediaGroupId.clear();
  if (auto sp = getObject(m, "successful_payment")) {
    msg.hasSuccessfulPayment = true;
    msg.payment.currency = str(*sp, "currency");
    msg.payment.totalAmount = getInt(*sp, "total_amount").value_or(0);
    msg.payment.invoicePayload = str(*sp, "invoice_payload");
    msg.payment.telegramChargeId = str(*sp, "telegram_payment_charge_id");
    msg.payment.providerChargeId = str(*sp, "provider_payment_charge_id");
  }
  if (auto r = getObject(m, "reply_to_message")) {
    msg.hasReply = true;
    if (auto t = getString(*r, "text")) {
      msg.replyText = std::string(*t);
      msg.replyCodeBlocks = readCodeBlocks(*r, msg.replyText, "entities");
    } else if (auto c = getString(*r, "caption")) {
      msg.replyText = std::string(*c);
    }
    msg.replyDocument = readDocument(*r);
    msg.replyPhoto = readPhoto(*r);
  }
}

}  // namespace

size_t utf16ToByteOffset(std::string_view text, int64_t units) {
  size_t i = 0;
  int64_t u = 0;
  while (i < text.size() && u < units) {
    size_t before = i;
    char32_t cp = utf8::next(text, i);
    u += cp >= 0x10000 ? 2 : 1;
    if (u > units) return before;
  }
  return i;
}

std::string parseUpdate(std::string_view body, Update& out) {
  simdjson::dom::parser parser;
  json::Object o;
  if (auto err = parser.parse(body.data(), body.size()).get(o); err) {
    return "body is not a JSON object";
  }
  auto id = getInt(o, "update_id");
  if (!id) return "update_id is missing or not an integer";
  out.updateId = *id;
  if (auto m = getObject(o, "message")) {
    out.kind = UpdateKind::Message;
    readMessage(*m, out.message);
  } else if (auto em = getObject(o, "edited_message")) {
    out.kind = UpdateKind::EditedMessage;
    readMessage(*em, out.message);
  } else if (auto cq = getObject(o, "callback_query")) {
    out.kind = UpdateKind::CallbackQuery;
    out.callback.id = str(*cq, "id");
    out.callback.data = str(*cq, "data");
    if (auto from = getObject(*cq, "from")) readUser(*from, out.callback.from);
    if (auto msg = getObject(*cq, "message")) {
      out.callback.messageId = getInt(*msg, "message_id").value_or(0);
      if (auto chat = getObject(*msg, "chat"))
        out.callback.chatId = getInt(*chat, "id").value_or(0);
    }
  } else if (auto pc = getObject(o, "pre_checkout_query")) {
    out.kind = UpdateKind::PreCheckoutQuery;
    out.preCheckout.id = str(*pc, "id");
    out.preCheckout.currency = str(*pc, "currency");
    out.preCheckout.totalAmount = getInt(*pc, "total_amount").value_or(0);
    out.preCheckout.payload = str(*pc, "invoice_payload");
    if (auto from = getObject(*pc, "from")) readUser(*from, out.preCheckout.from);
  } else if (auto cm = getObject(o, "my_chat_member")) {
    out.kind = UpdateKind::MyChatMember;
    if (auto from = getObject(*cm, "from")) readUser(*from, out.chatMember.from);
    if (auto chat = getObject(*cm, "chat")) out.chatMember.chatId = getInt(*chat, "id").value_or(0);
    if (auto nm = getObject(*cm, "new_chat_member")) out.chatMember.newStatus = str(*nm, "status");
  } else {
    out.kind = UpdateKind::Unknown;
  }
  return {};
}

}  // namespace webhook
