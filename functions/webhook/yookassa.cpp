#include "yookassa.h"

#include <string>

#include "payments.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"

namespace webhook::yookassa {
namespace {

using config::Setting;
using db::Stmt;
using i18n::Msg;

constexpr int64_t kTimeoutMs = 30000;
constexpr std::string_view kCurrency = "RUB";

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

struct HttpReply {
  int status = 0;
  std::string body;
  std::string error;  // network failure
};

// One call to the YooKassa API with the shop's basic auth. The URL and the key never reach a log.
HttpReply call(std::string_view method, std::string_view path, std::string_view body,
               std::string_view idempotenceKey) {
  std::string base(config::get(Setting::YOOKASSA_API_BASE));
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string auth = "Basic " + base64(std::string(config::get(Setting::YOOKASSA_SHOP_ID)) + ":" +
                                       std::string(config::get(Setting::YOOKASSA_SECRET_KEY)));
  json::JsonWriter req;
  req.beginObject().key("url").value(base + std::string(path)).key("method").value(method)
      .key("headers").beginObject().key("authorization").value(auth)
      .key("content-type").value("application/json");
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

fn::Response answer(bool ok, std::string_view key, std::string_view value) {
  json::JsonWriter w;
  w.beginObject().key("ok").value(ok).key(key).value(value).endObject();
  if (ok) {
    logger::info("yookassa: " + std::string(value));
  } else {
    logger::warn("yookassa: " + std::string(value));
  }
  return fn::Response::json(200, w.str());
}

fn::Response answer(const Verdict& v) {
  return answer(v.ok, v.ok ? "result" : "error", v.text);
}

constexpr const char* kStorage =
    "storage unavailable: nothing changed (the user can press Check payment)";

Verdict fail(std::string text, Verdict::State st = Verdict::State::Refused) {
  return {false, st, std::move(text)};
}
Verdict done(std::string text, Verdict::State st) { return {true, st, std::move(text)}; }

// What we expect of a payment: from our own row when /topup made one, else from the pack named in
// the payment's metadata (a row lost to a D1 failure after the API call).
struct Expected {
  int64_t userId = 0, credits = 0, amountMinor = 0;
  std::string pack;
  std::string status;  // our row's status, empty when there is no row
};

enum class Lookup { Found, Missing, Failed };

Lookup expectedFor(const Payment& p, Expected& e) {
  db::Result r = db::first(
      Stmt("SELECT user_id, pack, credits, amount, status FROM payments "
           "WHERE provider = 'yookassa' AND charge_id = ?1").bind(p.id));
  if (!r.ok()) return Lookup::Failed;
  if (auto row = r.first()) {
    e.userId = json::getInt(*row, "user_id").value_or(0);
    e.pack = std::string(json::getString(*row, "pack").value_or(""));
    e.credits = json::getInt(*row, "credits").value_or(0);
    e.amountMinor = json::getInt(*row, "amount").value_or(0);
    e.status = std::string(json::getString(*row, "status").value_or(""));
    return Lookup::Found;
  }
  auto packs = pay::parseMoneyPacks(config::get(Setting::YOOKASSA_PACKS));
  const pay::MoneyPack* pack = pay::findMoneyPack(packs, p.pack);
  if (!pack) return Lookup::Missing;
  e.userId = p.userId;
  e.pack = pack->id;
  e.credits = pack->credits;
  e.amountMinor = pack->amountMinor;
  return Lookup::Found;
}

// Empty when the fetched payment is what we sold; otherwise what differs.
std::string mismatch(const Payment& p, const Expected& e) {
  if (p.currency != kCurrency) return "currency is " + p.currency + ", not RUB";
  if (p.amountMinor != e.amountMinor) {
    return "amount " + pay::formatMinorUnits(p.amountMinor) + " differs from the pack's " +
           pay::formatMinorUnits(e.amountMinor);
  }
  if (p.userId != e.userId || p.userId == 0) return "metadata user_id does not match";
  if (p.pack != e.pack) return "metadata pack does not match";
  return {};
}

Verdict succeeded(const Payment& p) {
  if (p.status != "succeeded" || !p.paid) {
    return fail("YooKassa says payment " + p.id + " is " + p.status + ": nothing credited",
                p.status == "canceled" ? Verdict::State::Canceled : Verdict::State::Pending);
  }
  Expected e;
  switch (expectedFor(p, e)) {
    case Lookup::Failed: return fail(kStorage, Verdict::State::Failed);
    case Lookup::Missing:
      return fail("payment " + p.id + " names no pack on sale: nothing credited");
    case Lookup::Found: break;
  }
  if (std::string why = mismatch(p, e); !why.empty()) {
    return fail("payment " + p.id + ": " + why + ": nothing credited");
  }
  double now = host::nowMs();
  std::string err;
  auto res = db::batch(
      {Stmt("INSERT INTO users (id, created_ms, updated_ms) VALUES (?1, ?2, ?2) "
            "ON CONFLICT (id) DO NOTHING").bind(e.userId).bind(now),
       Stmt("INSERT INTO payments (provider, charge_id, user_id, pack, credits, amount, currency, "
            "status, processed_ms, created_ms, updated_ms) "
            "VALUES ('yookassa', ?1, ?2, ?3, ?4, ?5, 'RUB', 'succeeded', ?6, ?6, ?6) "
            "ON CONFLICT (provider, charge_id) DO UPDATE SET status = 'succeeded', "
            "processed_ms = ?6, updated_ms = ?6 WHERE payments.status = 'pending'")
           .bind(p.id).bind(e.userId).bind(e.pack).bind(e.credits).bind(e.amountMinor).bind(now),
       ledger::entry(e.userId, e.credits, ledger::kTopupYookassa, "yookassa:" + p.id, now)},
      &err);
  if (res.size() != 3) {
    logger::error("yookassa: crediting " + p.id + " failed: " + err);
    return fail(kStorage, Verdict::State::Failed);
  }
  if (res[2].changes() < 1) {
    return done("payment " + p.id + " was already credited: no-op", Verdict::State::AlreadyDone);
  }
  auto bal = ledger::balance(e.userId);
  payments::tellUser(e.userId, Msg::TopupCredited,
                     {{"credits", e.credits}, {"balance", bal.value_or(0)}});
  return done("payment " + p.id + " credited " + num(e.credits) + " credits",
              Verdict::State::Credited);
}

Verdict canceled(const Payment& p) {
  if (p.status != "canceled") {
    return fail("YooKassa says payment " + p.id + " is " + p.status + ", not canceled");
  }
  double now = host::nowMs();
  db::Result r = db::run(
      Stmt("UPDATE payments SET status = 'canceled', processed_ms = ?2, updated_ms = ?2 "
           "WHERE provider = 'yookassa' AND charge_id = ?1 AND status = 'pending'")
          .bind(p.id).bind(now));
  if (!r.ok()) return fail(kStorage, Verdict::State::Failed);
  if (r.changes() < 1) {
    return done("payment " + p.id + " already closed: no-op", Verdict::State::AlreadyDone);
  }
  if (p.userId) {
    payments::tellUser(p.userId, Msg::TopupCanceled,
                       {{"amount", i18n::Arg::rubles(p.amountMinor)}});
  }
  return done("payment " + p.id + " canceled", Verdict::State::Canceled);
}

// refund.succeeded: the object is a refund; its payment is fetched back and must show at least
// this much refunded. The credits the refund paid for are debited once per refund id.
Verdict refunded(const json::Object& obj) {
  std::string_view refundId = json::getString(obj, "id").value_or("");
  std::string_view paymentId = json::getString(obj, "payment_id").value_or("");
  if (!pay::isSafeId(refundId) || !pay::isSafeId(paymentId)) {
    return fail("refund notification without usable ids");
  }
  HttpReply r = call("GET", "/v3/payments/" + std::string(paymentId), "", "");
  if (r.status == 404) return fail("payment " + std::string(paymentId) + " not found at YooKassa");
  if (r.status != 200) return fail(describe(r), Verdict::State::Failed);
  simdjson::dom::parser parser;
  json::Object po;
  if (parser.parse(r.body).get(po) != simdjson::SUCCESS) {
    return fail("unreadable payment", Verdict::State::Failed);
  }
  int64_t refundedMinor = 0;
  if (auto ra = json::getObject(po, "refunded_amount")) {
    refundedMinor = pay::parseMinorUnits(json::getString(*ra, "value").value_or("")).value_or(0);
  }
  int64_t claimedMinor = 0;
  if (auto a = json::getObject(obj, "amount")) {
    claimedMinor = pay::parseMinorUnits(json::getString(*a, "value").value_or("")).value_or(0);
  }
  if (claimedMinor <= 0 || refundedMinor < claimedMinor) {
    return fail("YooKassa does not show that refund: nothing debited");
  }
  Payment p;
  parsePayment(r.body, p);
  Expected e;
  if (expectedFor(p, e) != Lookup::Found || e.amountMinor <= 0) {
    return fail("refund of an unknown payment: nothing debited");
  }
  int64_t credits = e.credits * claimedMinor / e.amountMinor;
  if (credits <= 0) return done("refund too small to debit credits", Verdict::State::AlreadyDone);
  double now = host::nowMs();
  std::string err;
  bool full = refundedMinor >= e.amountMinor;
  auto res = db::batch(
      {Stmt("UPDATE payments SET status = CASE WHEN ?3 THEN 'refunded' ELSE status END, "
            "updated_ms = ?2 WHERE provider = 'yookassa' AND charge_id = ?1")
           .bind(p.id).bind(now).bind(full),
       payments::debitUpTo(e.userId, credits, "yookassa-refund:" + std::string(refundId), now)},
      &err);
  if (res.size() != 2) return fail(kStorage, Verdict::State::Failed);
  if (res[1].changes() < 1) {
    return done("refund already processed: no-op", Verdict::State::AlreadyDone);
  }
  return done("refund " + std::string(refundId) + " debited", Verdict::State::Credited);
}

}  // namespace

std::string configProblem() {
  if (config::get(Setting::YOOKASSA_SHOP_ID).empty()) return "YOOKASSA_SHOP_ID is not set";
  return config::secretProblem(Setting::YOOKASSA_SECRET_KEY);
}

Call createPayment(const pay::MoneyPack& pack, int64_t userId, std::string_view idempotenceKey,
                   std::string_view description, Payment& out, std::string& err) {
  std::string returnUrl = "https://t.me/" + std::string(config::get(Setting::BOT_NAME));
  json::JsonWriter w;
  w.beginObject()
      .key("amount").beginObject().key("value").value(pay::formatMinorUnits(pack.amountMinor))
      .key("currency").value(kCurrency).endObject()
      .key("capture").value(true)
      .key("confirmation").beginObject().key("type").value("redirect")
      .key("return_url").value(returnUrl).endObject()
      .key("description").value(description)
      .key("metadata").beginObject().key("user_id").value(std::to_string(userId))
      .key("pack").value(pack.id).endObject()
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

fn::Response notification(const fn::Request& req) {
  if (std::string why = configProblem(); !why.empty()) return answer(false, "error", why);
  if (req.method != "POST") return answer(false, "error", "notifications are POSTed");
  std::string_view ip = req.header("cf-connecting-ip");
  if (!ip.empty() && !pay::isYookassaAddress(ip)) {
    return answer(false, "error", "sender is outside YooKassa's notification addresses: ignored");
  }
  simdjson::dom::parser parser;
  json::Object o;
  if (parser.parse(req.body.data(), req.body.size()).get(o) != simdjson::SUCCESS) {
    return answer(false, "error", "body is not a JSON notification: ignored");
  }
  std::string_view event = json::getString(o, "event").value_or("");
  auto obj = json::getObject(o, "object");
  if (!obj) return answer(false, "error", "notification without an object: ignored");
  if (event == "refund.succeeded") return answer(refunded(*obj));
  if (event != "payment.succeeded" && event != "payment.canceled") {
    return answer(true, "result", "event '" + std::string(event) + "' needs nothing: ignored");
  }
  std::string_view id = json::getString(*obj, "id").value_or("");
  if (!pay::isSafeId(id)) return answer(false, "error", "notification without a usable payment id");
  // Believe nothing in the body: fetch the payment back.
  Payment p;
  std::string err;
  switch (getPayment(id, p, err)) {
    case Call::NotFound:
      return answer(false, "error",
                    "payment " + std::string(id) + " not found at YooKassa: nothing credited");
    case Call::Failed:
      return answer(false, "error", err + ": nothing changed");
    case Call::Ok: break;
  }
  if (p.id != id) return answer(false, "error", "YooKassa returned a different payment");
  return answer(event == "payment.succeeded" ? succeeded(p) : canceled(p));
}

Verdict checkPayment(std::string_view id) {
  if (std::string why = configProblem(); !why.empty()) return fail(why, Verdict::State::Failed);
  Payment p;
  std::string err;
  switch (getPayment(id, p, err)) {
    case Call::NotFound: return fail("payment not found at YooKassa");
    case Call::Failed: return fail(err, Verdict::State::Failed);
    case Call::Ok: break;
  }
  if (p.status == "succeeded") return succeeded(p);
  if (p.status == "canceled") return canceled(p);
  return fail("payment " + p.id + " is " + p.status, Verdict::State::Pending);
}

}  // namespace webhook::yookassa
