// Credits and payments as a bot feature (kPayments in bot_feature.h): /balance, /buy (Telegram
// Stars), /topup (YooKassa), /paysupport, the admin /refund, and the two payment updates
// (pre_checkout_query, successful_payment). yookassa.cpp shares the helpers below.
#pragma once

#include <cstdint>
#include <string_view>

#include "context.h"
#include "shared/db.h"
#include "shared/i18n.h"
#include "update.h"

namespace webhook::payments {

// Answers a pre_checkout_query within Telegram's 10 s: no storage is touched, only the payload
// and the packs on sale are checked.
void onPreCheckout(const PreCheckoutQuery& q);
// Credits a successful_payment once (keyed by telegram_payment_charge_id).
Outcome onSuccessfulPayment(Ctx& c, const Message& m);

// A payment_refund debit of `credits`, but never more than the balance left (credits already
// spent on images cannot be taken back), once per ref.
db::Stmt debitUpTo(int64_t userId, int64_t credits, std::string_view ref, double nowMs);

// Sends a catalog message to a user outside an update (e.g. from a YooKassa notification), in
// their language.
void tellUser(int64_t userId, i18n::Msg m, Values v);

}  // namespace webhook::payments
