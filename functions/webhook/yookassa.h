// YooKassa: the API client (create a payment, fetch one or a refund back), POST /payments/yookassa,
// the notification route, and the reconcile the cron runs. A notification is only a hint: nothing
// is credited until the payment, fetched back from YOOKASSA_API_BASE with the shop's credentials,
// confirms status, amount, currency and metadata, and nothing is debited until the refund, fetched
// back the same way, confirms its payment, status and amount. A payment credits its amount minus
// what was refunded before crediting; a refund of a payment never credited debits nothing and says
// so in the row. The route always answers 200 (YooKassa resends anything else for a day), with a
// JSON body saying what happened; what a D1 failure left pending the cron settles later.
//
//   std::string why = yookassa::configProblem();     // "" when /topup can be offered
//   yookassa::Payment p;
//   if (yookassa::createPayment(pack, userId, "tg-123", desc, p, err) == yookassa::Call::Ok)
//     offer(p.confirmationUrl);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "payments_core.h"
#include "shared/entry.h"

namespace webhook::yookassa {

// Empty when the shop id and the secret key are usable; otherwise which setting is missing.
std::string configProblem();

struct Payment {
  std::string id, status, currency, confirmationUrl;
  int64_t amountMinor = 0;
  int64_t refundedMinor = 0;  // refunded_amount: what went back to the payer so far
  bool paid = false;
  // metadata we set at creation
  int64_t userId = 0;
  std::string pack;
};

enum class Call { Ok, NotFound, Failed };

// POST /v3/payments (redirect confirmation, capture at once). `idempotenceKey` makes a retried
// request return the same payment.
Call createPayment(const pay::MoneyPack& pack, int64_t userId, std::string_view idempotenceKey,
                   std::string_view description, Payment& out, std::string& err);
// GET /v3/payments/{id}.
Call getPayment(std::string_view id, Payment& out, std::string& err);

// What a notification or a "Check payment" press did.
struct Verdict {
  // Refunded: refunded in full before it was credited, so nothing was credited.
  enum class State { Credited, AlreadyDone, Pending, Canceled, Refunded, Refused, Failed };
  bool ok = false;
  State state = State::Refused;
  std::string text;  // for the log and the notification's answer; names no secret
};

// Fetches payment `id` back and applies what YooKassa says (credit once, or close it): the
// "Check payment" button's path, for a notification that never arrived.
Verdict checkPayment(std::string_view id);

// POST /payments/yookassa.
fn::Response notification(const fn::Request& req);

// The cron's every-minute pass (an invoked event, see main.cpp): YooKassa payments still pending
// YOOKASSA_RECONCILE_AFTER seconds after they were started (a lost notification, or one that met a
// D1 failure and was answered 200) are fetched back and settled like a notification would have:
// credited once, closed, or left pending. Each is fetched again after a quarter of its age at the
// soonest, and not at all after kReconcileMaxAgeMs. Then the refunds YooKassa lists as succeeded
// in that window that were never recorded (their notification was lost the same ways) are
// applied like their notification.
struct ReconcileReport {
  int checked = 0;   // payments fetched back
  int credited = 0;  // credited by this pass
  int closed = 0;    // canceled, or refunded before any credit
  int pending = 0;   // still pending at YooKassa (or nothing to do)
  int refunds = 0;   // refunds applied whose notification never took effect
  int failed = 0;    // the API or D1 failed, or the payment does not match: tried again later
};
inline constexpr double kReconcileMaxAgeMs = 7 * 86400 * 1000.0;
ReconcileReport reconcile(double nowMs);

}  // namespace webhook::yookassa
