// YooKassa: the API client (create a payment, fetch one back) and POST /payments/yookassa, the
// notification route. A notification is only a hint: nothing is credited until the payment, fetched
// back from YOOKASSA_API_BASE with the shop's credentials, confirms status, amount, currency and
// metadata. The route always answers 200 (YooKassa resends anything else for a day), with a JSON
// body saying what happened.
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
  enum class State { Credited, AlreadyDone, Pending, Canceled, Refused, Failed };
  bool ok = false;
  State state = State::Refused;
  std::string text;  // for the log and the notification's answer; names no secret
};

// Fetches payment `id` back and applies what YooKassa says (credit once, or close it): the
// "Check payment" button's path, for a notification that never arrived.
Verdict checkPayment(std::string_view id);

// POST /payments/yookassa.
fn::Response notification(const fn::Request& req);

}  // namespace webhook::yookassa
