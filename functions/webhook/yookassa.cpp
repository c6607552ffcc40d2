#include "yookassa.h"

#include <algorithm>
#include <string>

#include "payments.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "shared/result.h"
#include "yookassa_api.h"

namespace webhook::yookassa {
namespace {

using config::Setting;
using db::Stmt;
using i18n::Msg;

// Payments fetched back per cron run: a run's subrequests stay well under the platform's limit.
constexpr int kReconcileBatch = 10;
// Pages (of 100) of YooKassa's refund list read per cron run.
constexpr int kRefundPages = 3;

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
    "storage unavailable: nothing changed now (the cron fetches a pending payment back within "
    "minutes, and the user can press Check payment)";

Verdict fail(std::string text, Verdict::State st = Verdict::State::Refused) {
  return {false, st, std::move(text)};
}
Verdict done(std::string text, Verdict::State st) {
  return {true, st, std::move(text)};
}

// What we expect of a payment: from our own row when /topup made one, else from the pack named in
// the payment's metadata (a row lost to a D1 failure after the API call).
struct Expected {
  int64_t userId = 0, credits = 0, amountMinor = 0;
  std::string pack;
  std::string status;  // our row's status, empty when there is no row
};

// What we sold for payment `p`: our row, or else the pack it names. NotFound when it names no pack
// on sale; Unavailable when D1 failed.
Result<Expected> expectedFor(const Payment& p) {
  Expected e;
  db::Result r = db::first(Stmt("SELECT user_id, pack, credits, amount, status FROM payments "
                                "WHERE provider = 'yookassa' AND charge_id = ?1")
                               .bind(p.id));
  if (!r.ok()) return {Error::Unavailable, r.error()};
  if (auto row = r.first()) {
    e.userId = json::getInt(*row, "user_id").value_or(0);
    e.pack = std::string(json::getString(*row, "pack").value_or(""));
    e.credits = json::getInt(*row, "credits").value_or(0);
    e.amountMinor = json::getInt(*row, "amount").value_or(0);
    e.status = std::string(json::getString(*row, "status").value_or(""));
    return e;
  }
  auto packs = pay::parseMoneyPacks(config::get(Setting::YOOKASSA_PACKS));
  const pay::MoneyPack* pack = pay::findMoneyPack(packs, p.pack);
  if (!pack) return {Error::NotFound, p.pack};
  e.userId = p.userId;
  e.pack = pack->id;
  e.credits = pack->credits;
  e.amountMinor = pack->amountMinor;
  return e;
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

// Moves a pending row (or creates the row /topup lost) to succeeded with the credits left after
// refunds made before crediting: YooKassa's refunded_amount (?6) or what a refund notification
// already recorded on the row, whichever is more; to refunded (credited 0) when nothing is left.
// The same rounding as pay::netCredits. A row that is not pending is left alone, and then
// changes() is 0, so the ledger entry after it is not written.
constexpr const char* kCreditRow =
    "INSERT INTO payments (provider, charge_id, user_id, pack, credits, amount, currency, status, "
    "credited, refunded, note, processed_ms, created_ms, updated_ms) "
    "VALUES ('yookassa', ?1, ?2, ?3, ?4, ?5, 'RUB', "
    "CASE WHEN ?7 > 0 THEN 'succeeded' ELSE 'refunded' END, ?7, ?6, "
    "CASE WHEN ?6 > 0 THEN 'refunds before crediting left out' END, ?8, ?8, ?8) "
    "ON CONFLICT (provider, charge_id) DO UPDATE SET "
    "refunded = MAX(payments.refunded, excluded.refunded), "
    "credited = payments.credits * MAX(0, payments.amount - "
    "MAX(payments.refunded, excluded.refunded)) / payments.amount, "
    "status = CASE WHEN payments.credits * MAX(0, payments.amount - "
    "MAX(payments.refunded, excluded.refunded)) / payments.amount > 0 "
    "THEN 'succeeded' ELSE 'refunded' END, "
    "note = CASE WHEN MAX(payments.refunded, excluded.refunded) > 0 "
    "THEN COALESCE(payments.note || '; ', '') || 'refunds before crediting left out' "
    "ELSE payments.note END, "
    "processed_ms = ?8, updated_ms = ?8 "
    "WHERE payments.status = 'pending'";

// The row as /topup writes it: where the cron's reconcile finds a payment.
Stmt pendingRow(std::string_view id, const Expected& e, double now) {
  return std::move(
      Stmt("INSERT INTO payments (provider, charge_id, user_id, pack, credits, amount, currency, "
           "status, created_ms, updated_ms) VALUES ('yookassa', ?1, ?2, ?3, ?4, ?5, 'RUB', "
           "'pending', ?6, ?6) ON CONFLICT (provider, charge_id) DO NOTHING")
          .bind(id)
          .bind(e.userId)
          .bind(e.pack)
          .bind(e.credits)
          .bind(e.amountMinor)
          .bind(now));
}

Stmt userRow(int64_t userId, double now) {
  return std::move(Stmt("INSERT INTO users (id, created_ms, updated_ms) VALUES (?1, ?2, ?2) "
                        "ON CONFLICT (id) DO NOTHING")
                       .bind(userId)
                       .bind(now));
}

Verdict succeeded(const Payment& p) {
  if (p.status != "succeeded" || !p.paid) {
    return fail("YooKassa says payment " + p.id + " is " + p.status + ": nothing credited",
                p.status == "canceled" ? Verdict::State::Canceled : Verdict::State::Pending);
  }
  Result<Expected> expected = expectedFor(p);
  if (!expected) {
    if (expected.error() != Error::NotFound) return fail(kStorage, Verdict::State::Failed);
    return fail("payment " + p.id + " names no pack on sale: nothing credited");
  }
  const Expected& e = *expected;
  if (std::string why = mismatch(p, e); !why.empty()) {
    return fail("payment " + p.id + ": " + why + ": nothing credited");
  }
  double now = host::nowMs();
  int64_t net = pay::netCredits(e.credits, e.amountMinor, p.refundedMinor);
  std::string err;
  auto res = db::batch(
      {userRow(e.userId, now),
       Stmt(kCreditRow)
           .bind(p.id)
           .bind(e.userId)
           .bind(e.pack)
           .bind(e.credits)
           .bind(e.amountMinor)
           .bind(p.refundedMinor)
           .bind(net)
           .bind(now),
       Stmt("INSERT INTO credit_ledger (user_id, delta, reason, ref, created_ms) "
            "SELECT user_id, credited, 'topup_yookassa', ?2, ?3 FROM payments "
            "WHERE provider = 'yookassa' AND charge_id = ?1 AND changes() > 0 AND credited > 0 "
            "ON CONFLICT (reason, ref) DO NOTHING")
           .bind(p.id)
           .bind("yookassa:" + p.id)
           .bind(now),
       Stmt("SELECT status, credited FROM payments WHERE provider = 'yookassa' AND charge_id = ?1")
           .bind(p.id)},
      &err);
  if (res.size() != 4) {
    logger::error("yookassa: crediting " + p.id + " failed: " + err);
    // Answered 200 all the same: keep the payment where the cron's reconcile finds it, if D1
    // takes this much (/topup's row may have been lost to an earlier failure).
    if (e.status.empty()) {
      std::string err2;
      if (db::batch({userRow(e.userId, now), pendingRow(p.id, e, now)}, &err2).size() != 2) {
        logger::error("yookassa: recording pending payment " + p.id + " failed: " + err2);
      }
    }
    return fail(kStorage, Verdict::State::Failed);
  }
  std::string status;
  int64_t credited = 0;
  if (auto row = res[3].first()) {
    status = std::string(json::getString(*row, "status").value_or(""));
    credited = json::getInt(*row, "credited").value_or(0);
  }
  if (res[2].changes() >= 1) {
    auto bal = ledger::balance(e.userId);
    payments::tellUser(e.userId, Msg::TopupCredited,
                       {{"credits", credited}, {"balance", bal.value_or(0)}});
    std::string partly = p.refundedMinor > 0 || credited < e.credits
                             ? " (" + num(e.credits) + " less refunds before crediting)"
                             : "";
    return done("payment " + p.id + " credited " + num(credited) + " credits" + partly,
                Verdict::State::Credited);
  }
  if (res[1].changes() >= 1 && status == "refunded") {
    payments::tellUser(e.userId, Msg::TopupRefundedFirst, {});
    return done("payment " + p.id + " was refunded in full before crediting: nothing credited",
                Verdict::State::Refunded);
  }
  if (status == "refunded" && credited == 0) {
    return done("payment " + p.id + " was refunded before crediting: nothing credited",
                Verdict::State::Refunded);
  }
  if (status == "succeeded" || status == "refunded") {
    return done("payment " + p.id + " was already credited: no-op", Verdict::State::AlreadyDone);
  }
  return done("payment " + p.id + " is closed (" + status + "): nothing credited",
              Verdict::State::AlreadyDone);
}

Verdict canceled(const Payment& p) {
  if (p.status != "canceled") {
    return fail("YooKassa says payment " + p.id + " is " + p.status + ", not canceled");
  }
  double now = host::nowMs();
  db::Result r =
      db::run(Stmt("UPDATE payments SET status = 'canceled', processed_ms = ?2, updated_ms = ?2 "
                   "WHERE provider = 'yookassa' AND charge_id = ?1 AND status = 'pending'")
                  .bind(p.id)
                  .bind(now));
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

// The refund's record, once per refund id (the batch's guard). A credited payment accounts for
// the part of the refund that YooKassa's refunded_amount (?4) shows beyond what the row has
// accounted for; a payment never credited accounts for nothing.
constexpr const char* kRecordRefund =
    "INSERT INTO payment_refunds (provider, refund_id, charge_id, amount, applied, outcome, "
    "created_ms) SELECT 'yookassa', ?2, ?1, ?3, "
    "CASE WHEN credited IS NULL THEN 0 ELSE MAX(0, MIN(?3, ?4 - refunded)) END, "
    "CASE WHEN credited IS NULL THEN 'not_credited' "
    "WHEN MIN(?3, ?4 - refunded) > 0 THEN 'debited' ELSE 'subtracted' END, ?5 "
    "FROM payments WHERE provider = 'yookassa' AND charge_id = ?1 "
    "ON CONFLICT (provider, refund_id) DO NOTHING";

// The payment row after a recorded refund (only if the record was new): a credited row adds
// what the refund applied and is refunded once all of it is; a row never credited notes the
// refund, keeps YooKassa's refunded_amount so that crediting it later leaves the refund out,
// and is closed as refunded when that is all of it.
constexpr const char* kApplyRefund =
    "UPDATE payments SET "
    "refunded = CASE WHEN credited IS NULL THEN MAX(refunded, ?3) ELSE refunded + "
    "(SELECT applied FROM payment_refunds WHERE provider = 'yookassa' AND refund_id = ?2) END, "
    "status = CASE "
    "WHEN credited IS NULL AND status = 'pending' AND ?3 >= amount THEN 'refunded' "
    "WHEN credited IS NOT NULL AND status = 'succeeded' AND refunded + "
    "(SELECT applied FROM payment_refunds WHERE provider = 'yookassa' AND refund_id = ?2) "
    ">= amount THEN 'refunded' ELSE status END, "
    "note = CASE WHEN credited IS NULL THEN COALESCE(note || '; ', '') || 'refund ' || ?2 || "
    "' of a payment never credited: nothing debited' ELSE note END, "
    "updated_ms = ?4 "
    "WHERE provider = 'yookassa' AND charge_id = ?1 AND changes() > 0";

// The debit for what the refund applied: the credits the payment is worth before it less those
// it is worth after (so partial refunds add up to the whole credit), never more than the balance.
constexpr const char* kDebitRefund =
    "INSERT INTO credit_ledger (user_id, delta, reason, ref, created_ms) "
    "SELECT p.user_id, -MIN(u.credits, "
    "p.credits * (p.amount - p.refunded + r.applied) / p.amount - "
    "p.credits * MAX(0, p.amount - p.refunded) / p.amount), 'payment_refund', ?3, ?4 "
    "FROM payments p JOIN payment_refunds r ON r.provider = 'yookassa' AND r.refund_id = ?2 "
    "JOIN users u ON u.id = p.user_id "
    "WHERE p.provider = 'yookassa' AND p.charge_id = ?1 AND changes() > 0 AND r.applied > 0 "
    "AND u.credits > 0 AND p.credits * (p.amount - p.refunded + r.applied) / p.amount > "
    "p.credits * MAX(0, p.amount - p.refunded) / p.amount "
    "ON CONFLICT (reason, ref) DO NOTHING";

// A refund, by id alone (from a refund.succeeded notification or YooKassa's list): it is fetched
// back and must be succeeded, in RUB, for a payment YooKassa shows as refunded at least that
// much; then one batch records it once, updates the payment row and debits what it applied.
Verdict applyRefund(const std::string& refundId) {
  if (!pay::isSafeId(refundId)) return fail("refund notification without a usable refund id");
  HttpReply r = call("GET", "/v3/refunds/" + refundId, "", "");
  if (r.status == 404) {
    return fail("refund " + refundId + " not found at YooKassa: nothing debited");
  }
  Refund rf;
  if (r.status != 200 || !parseRefund(r.body, rf)) {
    return fail(describe(r) + ": nothing changed", Verdict::State::Failed);
  }
  if (rf.id != refundId) return fail("YooKassa returned a different refund");
  if (rf.status != "succeeded") {
    return fail("YooKassa says refund " + refundId + " is " + rf.status + ": nothing debited",
                Verdict::State::Pending);
  }
  if (rf.currency != kCurrency || rf.amountMinor <= 0 || !pay::isSafeId(rf.paymentId)) {
    return fail("refund " + refundId + " is not a RUB refund of a payment: nothing debited");
  }
  Payment p;
  std::string err;
  switch (getPayment(rf.paymentId, p, err)) {
    case Call::NotFound:
      return fail("payment " + rf.paymentId + " of refund " + refundId +
                  " not found at YooKassa: nothing debited");
    case Call::Failed:
      return fail(err + ": nothing changed", Verdict::State::Failed);
    case Call::Ok:
      break;
  }
  if (p.id != rf.paymentId) return fail("YooKassa returned a different payment");
  if (p.refundedMinor < rf.amountMinor) {
    return fail("payment " + p.id + " does not show refund " + refundId + ": nothing debited");
  }
  Result<Expected> expected = expectedFor(p);
  if (!expected) {
    if (expected.error() != Error::NotFound) return fail(kStorage, Verdict::State::Failed);
    return fail("refund " + refundId + " of a payment we did not sell: nothing debited");
  }
  const Expected& e = *expected;
  // Without a row the payment was never credited; it gets one only if it is what we sold.
  if (e.status.empty() && !mismatch(p, e).empty()) {
    return fail("refund " + refundId + " of a payment we did not sell: nothing debited");
  }
  double now = host::nowMs();
  std::string ref = "yookassa-refund:" + refundId;
  auto res = db::batch(
      {userRow(e.userId, now), pendingRow(p.id, e, now),
       Stmt(kRecordRefund)
           .bind(p.id)
           .bind(refundId)
           .bind(rf.amountMinor)
           .bind(p.refundedMinor)
           .bind(now),
       Stmt(kApplyRefund).bind(p.id).bind(refundId).bind(p.refundedMinor).bind(now),
       Stmt(kDebitRefund).bind(p.id).bind(refundId).bind(ref).bind(now),
       Stmt("SELECT r.outcome, (SELECT -delta FROM credit_ledger WHERE reason = 'payment_refund' "
            "AND ref = ?2) AS debited FROM payment_refunds r "
            "WHERE r.provider = 'yookassa' AND r.refund_id = ?1")
           .bind(refundId)
           .bind(ref)},
      &err);
  if (res.size() != 6) {
    logger::error("yookassa: refund " + refundId + " failed: " + err);
    return fail(kStorage, Verdict::State::Failed);
  }
  if (res[2].changes() < 1) {
    return done("refund " + refundId + " already processed: no-op", Verdict::State::AlreadyDone);
  }
  std::string outcome;
  int64_t debited = 0;
  if (auto row = res[5].first()) {
    outcome = std::string(json::getString(*row, "outcome").value_or(""));
    debited = json::getInt(*row, "debited").value_or(0);
  }
  if (outcome == "not_credited") {
    return done("refund " + refundId + " of payment " + p.id +
                    ", which was never credited: nothing debited",
                Verdict::State::AlreadyDone);
  }
  if (outcome == "subtracted") {
    return done("refund " + refundId + " was left out when payment " + p.id +
                    " was credited: nothing debited",
                Verdict::State::AlreadyDone);
  }
  return done("refund " + refundId + " debited " + num(debited) + " credits",
              Verdict::State::Credited);
}

}  // namespace

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
  if (event == "refund.succeeded") {
    // Only the refund's id is taken from the body.
    return answer(applyRefund(std::string(json::getString(*obj, "id").value_or(""))));
  }
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
    case Call::Ok:
      break;
  }
  if (p.id != id) return answer(false, "error", "YooKassa returned a different payment");
  return answer(event == "payment.succeeded" ? succeeded(p) : canceled(p));
}

Verdict checkPayment(std::string_view id) {
  if (std::string why = configProblem(); !why.empty()) return fail(why, Verdict::State::Failed);
  Payment p;
  std::string err;
  switch (getPayment(id, p, err)) {
    case Call::NotFound:
      return fail("payment not found at YooKassa");
    case Call::Failed:
      return fail(err, Verdict::State::Failed);
    case Call::Ok:
      break;
  }
  if (p.status == "succeeded") return succeeded(p);
  if (p.status == "canceled") return canceled(p);
  return fail("payment " + p.id + " is " + p.status, Verdict::State::Pending);
}

namespace {

// Refunds whose notification never arrived or met a D1 failure (answered 200 all the same):
// YooKassa's list of succeeded refunds created between a week and YOOKASSA_RECONCILE_AFTER ago,
// each applied like its notification if it is of a payment we have a row for (a payment without
// one was never credited) and not recorded yet. At most kReconcileBatch a run.
void sweepRefunds(double now, double after, ReconcileReport& rep) {
  std::string base = "/v3/refunds?status=succeeded&limit=100&created_at.gte=" +
                     pay::isoTime(now - kReconcileMaxAgeMs) +
                     "&created_at.lte=" + pay::isoTime(now - after);
  std::string cursor;
  int budget = kReconcileBatch;
  for (int page = 0; page < kRefundPages && budget > 0; page++) {
    HttpReply r = call("GET", cursor.empty() ? base : base + "&cursor=" + cursor, "", "");
    simdjson::dom::parser parser;
    json::Object list;
    if (r.status != 200 || parser.parse(r.body).get(list) != simdjson::SUCCESS) {
      logger::warn("yookassa reconcile: listing refunds: " + describe(r));
      rep.failed++;
      return;
    }
    // [[refund id, payment id], ...] for one query that keeps the ones to apply.
    json::JsonWriter pairs;
    pairs.beginArray();
    if (auto items = json::getArray(list, "items")) {
      for (auto el : *items) {
        json::Object item;
        if (el.get(item) != simdjson::SUCCESS) continue;
        std::string_view id = json::getString(item, "id").value_or("");
        std::string_view payment = json::getString(item, "payment_id").value_or("");
        if (pay::isSafeId(id) && pay::isSafeId(payment)) {
          pairs.beginArray().value(id).value(payment).endArray();
        }
      }
    }
    pairs.endArray();
    db::Result todo = db::all(
        Stmt("SELECT json_extract(j.value, '$[0]') AS refund_id FROM json_each(?1) j "
             "WHERE NOT EXISTS (SELECT 1 FROM payment_refunds r WHERE r.provider = 'yookassa' "
             "AND r.refund_id = json_extract(j.value, '$[0]')) "
             "AND EXISTS (SELECT 1 FROM payments p WHERE p.provider = 'yookassa' "
             "AND p.charge_id = json_extract(j.value, '$[1]')) LIMIT ?2")
            .bind(pairs.str())
            .bind(int64_t(budget)));
    if (!todo.ok()) {
      logger::error("yookassa reconcile: " + todo.error());
      rep.failed++;
      return;
    }
    for (size_t i = 0; i < todo.size(); i++, budget--) {
      std::string id(json::getString(todo.row(i), "refund_id").value_or(""));
      Verdict v = applyRefund(id);
      logger::info("yookassa reconcile: " + v.text);
      if (v.ok)
        rep.refunds++;
      else
        rep.failed++;
    }
    cursor = std::string(json::getString(list, "next_cursor").value_or(""));
    if (!pay::isSafeId(cursor)) break;
  }
}

}  // namespace

ReconcileReport reconcile(double now) {
  ReconcileReport rep;
  if (!configProblem().empty()) return rep;
  double after =
      double(std::max<int64_t>(config::getInt(Setting::YOOKASSA_RECONCILE_AFTER, 300), 0)) * 1000;
  // Oldest first, each at most every quarter of its age (5 min old: every 5 min; a day old: every
  // 6 h), so abandoned payments cost few API calls; a batch a run keeps a run short.
  db::Result due = db::all(
      Stmt("SELECT charge_id FROM payments WHERE provider = 'yookassa' AND status = 'pending' "
           "AND created_ms <= ?1 - ?2 AND created_ms > ?1 - ?3 "
           "AND (checked_ms IS NULL OR checked_ms <= ?1 - MAX(?2, (?1 - created_ms) / 4)) "
           "ORDER BY created_ms LIMIT ?4")
          .bind(now)
          .bind(after)
          .bind(kReconcileMaxAgeMs)
          .bind(int64_t(kReconcileBatch)));
  if (!due.ok()) {
    logger::error("yookassa reconcile: " + due.error());
    rep.failed++;
    return rep;
  }
  for (size_t i = 0; i < due.size(); i++) {
    std::string id(json::getString(due.row(i), "charge_id").value_or(""));
    rep.checked++;
    db::run(Stmt("UPDATE payments SET checked_ms = ?2 WHERE provider = 'yookassa' AND "
                 "charge_id = ?1")
                .bind(id)
                .bind(now));
    Payment p;
    std::string err;
    Call c = getPayment(id, p, err);
    if (c != Call::Ok || p.id != id) {
      logger::warn("yookassa reconcile: payment " + id + ": " +
                   (c == Call::NotFound ? std::string("not found at YooKassa") : err));
      rep.failed++;
      continue;
    }
    Verdict v;
    if (p.status == "succeeded")
      v = succeeded(p);
    else if (p.status == "canceled")
      v = canceled(p);
    else
      v = fail("payment " + id + " is still " + p.status, Verdict::State::Pending);
    logger::info("yookassa reconcile: " + v.text);
    switch (v.state) {
      case Verdict::State::Credited:
        rep.credited++;
        break;
      case Verdict::State::Canceled:
      case Verdict::State::Refunded:
        rep.closed++;
        break;
      case Verdict::State::AlreadyDone:
      case Verdict::State::Pending:
        rep.pending++;
        break;
      case Verdict::State::Refused:
      case Verdict::State::Failed:
        rep.failed++;
        break;
    }
  }
  sweepRefunds(now, after, rep);
  return rep;
}

}  // namespace webhook::yookassa
