#include "yookassa_api.h"

#include <span>

#include "payments.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"

namespace webhook::yookassa {
namespace {

using config::Setting;

constexpr int64_t kTimeoutMs = 30000;

std::string base64(std::string_view in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = uint8_t(in[i]) << 16 | uint8_t(in[i + 1]) << 8 | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kAlphabet[(v >> s) & 63]);
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace

HttpReply call(std::string_view method, std::string_view path, std::string_view body,
               std::string_view idempotenceKey) {
  std::string base(config::get(Setting::YOOKASSA_API_BASE));
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string auth = "Basic " + base64(std::string(config::get(Setting::YOOKASSA_SHOP_ID)) + ":" +
                                       std::string(config::get(Setting::YOOKASSA_SECRET_KEY)));
  json::JsonWriter req;
  req.beginObject()
      .key("url")
      .value(base + std::string(path))
      .key("method")
      .value(method)
      .key("headers")
      .beginObject()
      .key("authorization")
      .value(auth)
      .key("content-type")
      .value("application/json");
  if (!idempotenceKey.empty()) req.key("idempotence-key").value(idempotenceKey);
  req.endObject().key("timeout_ms").value(kTimeoutMs).endObject();
  host::Reply r = host::fetch(
      req.str(),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
  HttpReply out;
  if (!r.ok()) {
    out.error = r.error;
    return out;
  }
  simdjson::dom::parser p;
  json::Object meta;
  if (p.parse(r.json).get(meta) == simdjson::SUCCESS) {
    out.status = int(json::getInt(meta, "status").value_or(0));
  }
  out.body.assign(r.body.begin(), r.body.end());
  return out;
}

bool parsePayment(std::string_view text, Payment& out) {
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(text.data(), text.size()).get(o) != simdjson::SUCCESS) return false;
  out.id = std::string(json::getString(o, "id").value_or(""));
  out.status = std::string(json::getString(o, "status").value_or(""));
  out.paid = json::getBool(o, "paid").value_or(false);
  if (auto a = json::getObject(o, "amount")) {
    out.amountMinor = pay::parseMinorUnits(json::getString(*a, "value").value_or("")).value_or(0);
    out.currency = std::string(json::getString(*a, "currency").value_or(""));
  }
  if (auto ra = json::getObject(o, "refunded_amount")) {
    out.refundedMinor =
        pay::parseMinorUnits(json::getString(*ra, "value").value_or("")).value_or(0);
  }
  if (auto c = json::getObject(o, "confirmation")) {
    out.confirmationUrl = std::string(json::getString(*c, "confirmation_url").value_or(""));
  }
  if (auto m = json::getObject(o, "metadata")) {
    // Metadata values are strings at YooKassa.
    std::string_view uid = json::getString(*m, "user_id").value_or("");
    int64_t id = 0;
    if (!parseId(uid, id)) id = 0;
    out.userId = id;
    out.pack = std::string(json::getString(*m, "pack").value_or(""));
  }
  return !out.id.empty();
}

std::string describe(const HttpReply& r) {
  if (!r.error.empty()) return "YooKassa API unreachable (" + r.error + ")";
  return "YooKassa API answered HTTP " + std::to_string(r.status);
}

bool parseRefund(std::string_view text, Refund& out) {
  simdjson::dom::parser p;
  json::Object o;
  if (p.parse(text.data(), text.size()).get(o) != simdjson::SUCCESS) return false;
  out.id = std::string(json::getString(o, "id").value_or(""));
  out.paymentId = std::string(json::getString(o, "payment_id").value_or(""));
  out.status = std::string(json::getString(o, "status").value_or(""));
  if (auto a = json::getObject(o, "amount")) {
    out.amountMinor = pay::parseMinorUnits(json::getString(*a, "value").value_or("")).value_or(0);
    out.currency = std::string(json::getString(*a, "currency").value_or(""));
  }
  return !out.id.empty();
}

std::string configProblem() {
  if (config::get(Setting::YOOKASSA_SHOP_ID).empty()) return "YOOKASSA_SHOP_ID is not set";
  return config::secretProblem(Setting::YOOKASSA_SECRET_KEY);
}

Call createPayment(const pay::MoneyPack& pack, int64_t userId, std::string_view idempotenceKey,
                   std::string_view description, Payment& out, std::string& err) {
  std::string returnUrl = "https://t.me/" + std::string(config::get(Setting::BOT_NAME));
  json::JsonWriter w;
  w.beginObject()
      .key("amount")
      .beginObject()
      .key("value")
      .value(pay::formatMinorUnits(pack.amountMinor))
      .key("currency")
      .value(kCurrency)
      .endObject()
      .key("capture")
      .value(true)
      .key("confirmation")
      .beginObject()
      .key("type")
      .value("redirect")
      .key("return_url")
      .value(returnUrl)
      .endObject()
      .key("description")
      .value(description)
      .key("metadata")
      .beginObject()
      .key("user_id")
      .value(std::to_string(userId))
      .key("pack")
      .value(pack.id)
      .endObject()
      .endObject();
  HttpReply r = call("POST", "/v3/payments", w.str(), idempotenceKey);
  if (r.status != 200 && r.status != 201) {
    err = describe(r);
    return Call::Failed;
  }
  if (!parsePayment(r.body, out) || out.confirmationUrl.empty()) {
    err = "YooKassa's answer has no payment id or confirmation_url";
    return Call::Failed;
  }
  return Call::Ok;
}

Call getPayment(std::string_view id, Payment& out, std::string& err) {
  if (!pay::isSafeId(id)) {
    err = "not a payment id";
    return Call::NotFound;
  }
  HttpReply r = call("GET", "/v3/payments/" + std::string(id), "", "");
  if (r.status == 404) return Call::NotFound;
  if (r.status != 200 || !parsePayment(r.body, out)) {
    err = describe(r);
    return Call::Failed;
  }
  return Call::Ok;
}

}  // namespace webhook::yookassa
