// Credits and payments: /balance, /buy and the Telegram Stars flow (sendInvoice in XTR ->
// pre_checkout_query -> successful_payment), /topup (YooKassa, see yookassa.cpp), /paysupport and
// the admin /refund. Every top-up is a payments row and a ledger entry in one batch; the ledger's
// UNIQUE (reason, ref) makes a repeated delivery a no-op.
#include "payments.h"

#include <string>
#include <vector>

#include "bot_feature.h"
#include "payments_core.h"
#include "shared/config.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/ledger.h"
#include "yookassa.h"

namespace webhook {
namespace {

using config::Setting;
using db::Stmt;
using i18n::Msg;

constexpr double kHourMs = 3600 * 1000.0;
constexpr int kMovementsShown = 5;
constexpr std::string_view kStars = "XTR";

struct Price {
  std::string model;
  int64_t cost = 0;
};

// Generation prices from MODELS (owned by generation); without it, the generation module's own
// built-in defaults (flux 1, sdxl 2), so /balance never shows prices generation does not charge.
std::vector<Price> prices() {
  std::vector<Price> out;
  std::string_view models = config::get(Setting::MODELS);
  if (!models.empty()) {
    simdjson::dom::parser parser;
    json::Array arr;
    if (parser.parse(models.data(), models.size()).get(arr) == simdjson::SUCCESS) {
      for (auto el : arr) {
        json::Object o;
        if (el.get(o) != simdjson::SUCCESS) continue;
        std::string name(json::getString(o, "name").value_or(""));
        int64_t cost = json::getInt(o, "cost").value_or(1);
        if (!name.empty() && cost >= 0) out.push_back({name, cost});
      }
    }
  }
  if (out.empty()) out = {{"flux", 1}, {"sdxl", 2}};
  return out;
}

Msg reasonText(std::string_view reason) {
  if (reason == ledger::kReserve) return Msg::MoveReserve;
  if (reason == ledger::kRefund) return Msg::MoveRefund;
  if (reason == ledger::kTopupStars) return Msg::MoveTopupStars;
  if (reason == ledger::kTopupYookassa) return Msg::MoveTopupYookassa;
  if (reason == ledger::kPaymentRefund) return Msg::MovePaymentRefund;
  if (reason == ledger::kBonus) return Msg::MoveBonus;
  return Msg::MoveAdmin;
}

tg::Keyboard topUpKeyboard(const Ctx& c) {
  return {{{i18n::format(Msg::BtnTopUp, c.lang), "pay:menu", ""}}};
}

Outcome cmdBalance(Ctx& c) {
  auto bal = ledger::balance(c.userId);
  std::vector<ledger::Movement> moves;
  if (!bal || !ledger::recent(c.userId, kMovementsShown, moves)) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  std::vector<Price> ps = prices();
  std::string t = i18n::format(Msg::BalanceTitle, c.lang, {{"credits", *bal}});
  t += "\n\n" + std::string(i18n::format(Msg::BalancePrices, c.lang));
  for (const Price& p : ps) {
    t += "\n" + i18n::format(Msg::BalancePriceLine, c.lang,
                             {{"model", tg::escapeHtml(p.model)}, {"cost", p.cost}});
  }
  if (int64_t free = config::getInt(Setting::FREE_GENERATIONS_PER_DAY, 0); free > 0) {
    t += "\n" + i18n::format(Msg::FreeTier, c.lang, {{"count", free}});
  }
  t += "\n\n" + std::string(i18n::format(Msg::BalanceHistory, c.lang));
  if (moves.empty()) t += "\n" + std::string(i18n::format(Msg::BalanceNoHistory, c.lang));
  for (const auto& mv : moves) {
    t += "\n" + i18n::format(Msg::BalanceMovement, c.lang,
                             {{"delta", i18n::Arg::signedNumber(mv.delta)},
                              {"what", i18n::markup(i18n::format(reasonText(mv.reason), c.lang))},
                              {"date", i18n::Arg::date(mv.atMs)}});
  }
  // One generation is the default (first) model's price.
  int64_t cost = ps.front().cost;
  if (*bal < cost) {
    t += "\n\n" + std::string(i18n::format(Msg::HintNotEnough, c.lang));
  } else if (*bal < 3 * cost) {
    t += "\n\n" + std::string(i18n::format(Msg::HintLow, c.lang));
  }
  tg::Keyboard kb = topUpKeyboard(c);
  tg::Sent s = c.bot.sendMessage(c.chatId, t, &kb);
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
  return Outcome::Done;
}

std::vector<pay::StarPack> starPacks() {
  return pay::parseStarPacks(config::get(Setting::STAR_PACKS));
}
std::vector<pay::MoneyPack> moneyPacks() {
  return pay::parseMoneyPacks(config::get(Setting::YOOKASSA_PACKS));
}

Outcome showStarPacks(Ctx& c) {
  auto packs = starPacks();
  std::string t = i18n::format(Msg::BuyTitle, c.lang);
  tg::Keyboard kb;
  for (const auto& p : packs) {
    kb.push_back(
        {{i18n::format(Msg::BuyPackButton, c.lang, {{"stars", p.stars}, {"credits", p.credits}}),
          "pay:stars:" + p.id, ""}});
  }
  if (packs.empty()) t += "\n" + std::string(i18n::format(Msg::BuyNoPacks, c.lang));
  if (yookassa::configProblem().empty()) {
    t += "\n\n" + std::string(i18n::format(Msg::BuyCardHint, c.lang));
  }
  tg::Sent s = c.bot.sendMessage(c.chatId, t, kb.empty() ? nullptr : &kb);
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
  return Outcome::Done;
}

// Applies TOPUPS_PER_HOUR to starting a payment (an invoice or a YooKassa payment). True when the
// user may go on; `out` is set when not.
bool topupAllowed(Ctx& c, Outcome& out) {
  Status s = rateLimit(c, "topup", config::getInt(Setting::TOPUPS_PER_HOUR, 5), kHourMs);
  if (s) return true;
  if (s.error() == Error::Unavailable) say(c, Msg::Sorry);
  out = stopWith(c, s);
  return false;
}

Outcome sendStarInvoice(Ctx& c, std::string_view packId) {
  auto packs = starPacks();
  const pay::StarPack* p = pay::findStarPack(packs, packId);
  if (!p) {
    say(c, Msg::PackWithdrawn);
    return Outcome::Done;
  }
  Outcome limited;
  if (!topupAllowed(c, limited)) return limited;
  std::string credits = num(p->credits);
  std::string title =
      p->title.empty() ? i18n::format(Msg::InvoiceTitle, c.lang, {{"credits", credits}}) : p->title;
  json::JsonWriter w;
  w.beginObject()
      .key("chat_id")
      .value(c.chatId)
      .key("title")
      .value(title)
      .key("description")
      .value(i18n::format(Msg::InvoiceDescription, c.lang,
                          {{"credits", credits}, {"bot", config::get(Setting::BOT_NAME)}}))
      .key("payload")
      .value(pay::starPayload(c.userId, *p))
      .key("provider_token")
      .value("")
      .key("currency")
      .value(kStars)
      .key("prices")
      .beginArray()
      .beginObject()
      .key("label")
      .value(title)
      .key("amount")
      .value(p->stars)
      .endObject()
      .endArray()
      .endObject();
  tg::Sent s = c.bot.sendInvoice(w.str());
  if (!s.ok) {
    logger::warn("sendInvoice failed: " + s.description);
    say(c, Msg::Sorry);
  }
  return Outcome::Done;
}

Outcome cmdBuy(Ctx& c, const Command& cmd) {
  if (!cmd.args.empty()) return sendStarInvoice(c, cmd.args);
  return showStarPacks(c);
}

Outcome showMoneyPacks(Ctx& c) {
  auto packs = moneyPacks();
  tg::Keyboard kb;
  for (const auto& p : packs) {
    kb.push_back(
        {{i18n::format(Msg::TopupPackButton, c.lang,
                       {{"amount", i18n::Arg::rubles(p.amountMinor)}, {"credits", p.credits}}),
          "topup:" + p.id, ""}});
  }
  if (kb.empty()) {
    say(c, Msg::TopupUnavailable);
    return Outcome::Done;
  }
  tg::Sent s = c.bot.sendMessage(c.chatId, i18n::format(Msg::TopupTitle, c.lang), &kb);
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
  return Outcome::Done;
}

Outcome createTopup(Ctx& c, std::string_view packId) {
  auto packs = moneyPacks();
  const pay::MoneyPack* p = pay::findMoneyPack(packs, packId);
  if (!p) {
    say(c, Msg::PackWithdrawn);
    return Outcome::Done;
  }
  Outcome limited;
  if (!topupAllowed(c, limited)) return limited;
  // One payment per update: Telegram's retry of this update gets the same payment back.
  std::string key = "tg-" + num(c.updateId) + "-" + num(c.userId);
  std::string desc =
      i18n::format(Msg::InvoiceDescription, i18n::Lang::En,
                   {{"credits", p->credits}, {"bot", config::get(Setting::BOT_NAME)}});
  yookassa::Payment pm;
  std::string err;
  if (yookassa::createPayment(*p, c.userId, key, desc, pm, err) != yookassa::Call::Ok) {
    logger::warn("yookassa: creating a payment failed: " + err);
    say(c, Msg::TopupFailed);
    return Outcome::Done;
  }
  if (!pay::isSafeId(pm.id)) {
    logger::warn("yookassa: unusable payment id");
    say(c, Msg::TopupFailed);
    return Outcome::Done;
  }
  db::Result r = db::run(
      Stmt("INSERT INTO payments (provider, charge_id, user_id, pack, credits, amount, currency, "
           "status, created_ms, updated_ms) VALUES ('yookassa', ?1, ?2, ?3, ?4, ?5, 'RUB', "
           "'pending', ?6, ?6) ON CONFLICT (provider, charge_id) DO NOTHING")
          .bind(pm.id)
          .bind(c.userId)
          .bind(p->id)
          .bind(p->credits)
          .bind(p->amountMinor)
          .bind(c.now));
  // Without the row the notification still credits (from the payment's metadata and the pack).
  if (!r.ok()) {
    logger::warn("yookassa: could not record pending payment " + pm.id + ": " + r.error());
  }
  i18n::Arg amount = i18n::Arg::rubles(p->amountMinor);
  tg::Keyboard kb{
      {{i18n::format(Msg::TopupPayButton, c.lang, {{"amount", amount}}), "", pm.confirmationUrl}},
      {{i18n::format(Msg::BtnCheckPayment, c.lang), "pay:check:" + pm.id, ""}}};
  tg::Sent s = c.bot.sendMessage(
      c.chatId, i18n::format(Msg::TopupLink, c.lang, {{"amount", amount}, {"credits", p->credits}}),
      &kb);
  if (!s.ok) logger::warn("sendMessage failed: " + s.description);
  return Outcome::Done;
}

Outcome cmdTopup(Ctx& c, const Command& cmd) {
  if (std::string why = yookassa::configProblem(); !why.empty()) {
    logger::info("topup: YooKassa is off: " + why);
    say(c, Msg::TopupUnavailable);
    return Outcome::Done;
  }
  if (!cmd.args.empty()) return createTopup(c, cmd.args);
  return showMoneyPacks(c);
}

Outcome cmdPaySupport(Ctx& c) {
  std::string contact(config::get(Setting::SUPPORT_CONTACT));
  say(c, Msg::PaySupport,
      {{"contact", contact.empty() ? "/support" : tg::escapeHtml(contact)},
       {"id", std::to_string(c.userId)}});
  return Outcome::Done;
}

// /refund CHARGE_ID (ADMIN_IDS only): refundStarPayment, then the credits it bought are debited
// once (ledger payment_refund, ref "stars:<charge>"). A retry after a half-done refund finds
// Telegram saying CHARGE_ALREADY_REFUNDED and completes the debit.
Outcome cmdRefund(Ctx& c, const Command& cmd) {
  if (!pay::isAdmin(config::get(Setting::ADMIN_IDS), c.userId)) {
    say(c, Msg::AdminOnly);
    return Outcome::Done;
  }
  std::string charge = cmd.args.substr(0, cmd.args.find(' '));
  if (charge.empty()) {
    say(c, Msg::RefundUsage);
    return Outcome::Done;
  }
  db::Result r = db::first(Stmt("SELECT user_id, credits, amount, status FROM payments "
                                "WHERE provider = 'stars' AND charge_id = ?1")
                               .bind(charge));
  if (!r.ok()) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  auto row = r.first();
  if (!row) {
    say(c, Msg::RefundNotFound, {{"charge", tg::escapeHtml(charge)}});
    return Outcome::Done;
  }
  int64_t user = json::getInt(*row, "user_id").value_or(0);
  int64_t credits = json::getInt(*row, "credits").value_or(0);
  int64_t stars = json::getInt(*row, "amount").value_or(0);
  if (json::getString(*row, "status").value_or("") == "refunded") {
    say(c, Msg::RefundAlready);
    return Outcome::Done;
  }
  json::JsonWriter w;
  w.beginObject()
      .key("user_id")
      .value(user)
      .key("telegram_payment_charge_id")
      .value(charge)
      .endObject();
  tg::Sent s = c.bot.call("refundStarPayment", w.str());
  if (!s.ok && s.description.find("CHARGE_ALREADY_REFUNDED") == std::string::npos) {
    say(c, Msg::RefundRefused, {{"reason", tg::escapeHtml(s.description)}});
    return Outcome::Done;
  }
  std::string ref = "stars:" + charge;
  std::string err;
  auto res = db::batch({Stmt("UPDATE payments SET status = 'refunded', updated_ms = ?2 "
                             "WHERE provider = 'stars' AND charge_id = ?1 AND status = 'succeeded'")
                            .bind(charge)
                            .bind(c.now),
                        payments::debitUpTo(user, credits, ref, c.now)},
                       &err);
  if (res.size() != 2) {
    logger::error("refund: debit failed: " + err);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (res[0].changes() < 1 && res[1].changes() < 1) {
    say(c, Msg::RefundAlready);
    return Outcome::Done;
  }
  int64_t debited = 0;
  db::Result d = db::first(Stmt("SELECT delta FROM credit_ledger WHERE reason = 'payment_refund' "
                                "AND ref = ?1")
                               .bind(ref));
  if (auto dr = d.first()) debited = -json::getInt(*dr, "delta").value_or(0);
  say(c, Msg::RefundDone, {{"stars", stars}, {"user", std::to_string(user)}, {"credits", debited}});
  payments::tellUser(user, Msg::RefundedToUser, {{"stars", stars}, {"credits", debited}});
  return Outcome::Done;
}

std::optional<Outcome> onMessage(Ctx& c, const Message& m, const Command& cmd) {
  const std::string& n = cmd.name;
  if (n == "balance") return cmdBalance(c);
  if (n == "buy") return cmdBuy(c, cmd);
  if (n == "topup") return cmdTopup(c, cmd);
  if (n == "paysupport") return cmdPaySupport(c);
  if (n == "refund") return cmdRefund(c, cmd);
  return std::nullopt;
}

Outcome checkYookassa(Ctx& c, const CallbackQuery& q, std::string_view id) {
  // Only the payer may check: the row names them.
  db::Result r = db::first(Stmt("SELECT user_id FROM payments WHERE provider = 'yookassa' "
                                "AND charge_id = ?1")
                               .bind(id));
  if (!r.ok()) {
    c.bot.answerCallbackQuery(q.id, i18n::format(Msg::Sorry, c.lang), true);
    return Outcome::StorageFailed;
  }
  auto row = r.first();
  if (!row || json::getInt(*row, "user_id").value_or(0) != c.userId) {
    c.bot.answerCallbackQuery(q.id);
    return Outcome::Done;
  }
  yookassa::Verdict v = yookassa::checkPayment(id);
  using State = yookassa::Verdict::State;
  Msg m = Msg::TopupPending;
  switch (v.state) {
    case State::Credited:
      c.bot.answerCallbackQuery(q.id);
      return Outcome::Done;  // told already
    case State::AlreadyDone:
      m = Msg::TopupAlreadyCredited;
      break;
    case State::Pending:
      m = Msg::TopupPending;
      break;
    case State::Canceled:
      c.bot.answerCallbackQuery(q.id);
      return Outcome::Done;  // told already
    case State::Refunded:
      m = Msg::TopupRefundedFirst;
      break;
    case State::Refused:
    case State::Failed:
      m = Msg::TopupFailed;
      break;
  }
  c.bot.answerCallbackQuery(q.id, i18n::format(m, c.lang), true);
  return Outcome::Done;
}

std::optional<Outcome> onCallback(Ctx& c, const CallbackQuery& q, std::string_view kind,
                                  std::string_view arg) {
  if (kind == "topup") {
    c.bot.answerCallbackQuery(q.id);
    if (!yookassa::configProblem().empty()) {
      say(c, Msg::TopupUnavailable);
      return Outcome::Done;
    }
    return createTopup(c, arg);
  }
  if (kind != "pay") return std::nullopt;
  if (arg.substr(0, 6) == "check:") return checkYookassa(c, q, arg.substr(6));
  c.bot.answerCallbackQuery(q.id);
  if (arg == "menu") return showStarPacks(c);
  if (arg.substr(0, 6) == "stars:") return sendStarInvoice(c, arg.substr(6));
  return Outcome::Done;
}

bool onDeferred(const fn::Event&, std::string_view) {
  return false;
}

}  // namespace

const Feature kPayments = {"payments", onMessage, onCallback, onDeferred};

namespace payments {

void onPreCheckout(const PreCheckoutQuery& q) {
  tg::Bot bot;
  i18n::Lang lang = i18n::fromCode(q.from.languageCode);
  auto payload = pay::parseStarPayload(q.payload);
  auto packs = starPacks();
  const pay::StarPack* p = payload ? pay::findStarPack(packs, payload->pack) : nullptr;
  std::string refusal;
  if (!payload || payload->userId != q.from.id || q.currency != kStars) {
    refusal = i18n::format(Msg::InvoiceInvalid, lang);
  } else if (!p || p->credits != payload->credits || p->stars != q.totalAmount) {
    // Withdrawn, or its price or credits changed since the invoice was sent.
    refusal = i18n::format(Msg::PackWithdrawn, lang);
  }
  tg::Sent s = bot.answerPreCheckoutQuery(q.id, refusal.empty(), refusal);
  if (!s.ok) logger::warn("answerPreCheckoutQuery failed: " + s.description);
  if (!refusal.empty()) logger::info("pre-checkout refused for payload '" + q.payload + "'");
}

Outcome onSuccessfulPayment(Ctx& c, const Message& m) {
  const SuccessfulPayment& sp = m.payment;
  auto payload = pay::parseStarPayload(sp.invoicePayload);
  if (sp.currency != kStars || !payload || sp.telegramChargeId.empty() || sp.totalAmount <= 0) {
    // Money arrived for something we cannot match: keep a trace for /paysupport.
    logger::error("successful_payment not credited: currency " + sp.currency + ", payload '" +
                  sp.invoicePayload + "', charge " + sp.telegramChargeId);
    return cmdPaySupport(c);
  }
  std::string err;
  auto res = db::batch(
      {Stmt("INSERT INTO payments (provider, charge_id, user_id, pack, credits, amount, currency, "
            "status, provider_charge_id, processed_ms, created_ms, updated_ms) "
            "VALUES ('stars', ?1, ?2, ?3, ?4, ?5, 'XTR', 'succeeded', ?6, ?7, ?7, ?7) "
            "ON CONFLICT (provider, charge_id) DO NOTHING")
           .bind(sp.telegramChargeId)
           .bind(c.userId)
           .bind(payload->pack)
           .bind(payload->credits)
           .bind(sp.totalAmount)
           .bind(sp.providerChargeId)
           .bind(c.now),
       ledger::entry(c.userId, payload->credits, ledger::kTopupStars,
                     "stars:" + sp.telegramChargeId, c.now)},
      &err);
  if (res.size() != 2) {
    logger::error("successful_payment: crediting failed: " + err);
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;  // Telegram resends the update; the ledger keeps it once
  }
  if (res[1].changes() < 1) {
    logger::info("successful_payment " + sp.telegramChargeId + " was already credited: no-op");
    return Outcome::Done;
  }
  auto bal = ledger::balance(c.userId);
  say(c, Msg::TopupCredited, {{"credits", payload->credits}, {"balance", bal.value_or(0)}});
  return Outcome::Done;
}

db::Stmt debitUpTo(int64_t userId, int64_t credits, std::string_view ref, double nowMs) {
  return std::move(
      Stmt("INSERT INTO credit_ledger (user_id, delta, reason, ref, created_ms) "
           "SELECT ?1, -MIN(?2, credits), 'payment_refund', ?3, ?4 FROM users "
           "WHERE id = ?1 AND credits > 0 AND ?2 > 0 ON CONFLICT (reason, ref) DO NOTHING")
          .bind(userId)
          .bind(credits)
          .bind(ref)
          .bind(nowMs));
}

void tellUser(int64_t userId, i18n::Msg m, Values v) {
  std::string code = "en";
  db::Result r =
      db::first(Stmt("SELECT ui_language, language_code FROM users WHERE id = ?1").bind(userId));
  if (auto row = r.first()) {
    code = std::string(json::getString(*row, "ui_language")
                           .value_or(json::getString(*row, "language_code").value_or("en")));
  }
  tg::Bot bot;
  tg::Sent s = bot.sendMessage(userId, i18n::format(m, i18n::fromCode(code), v));
  if (!s.ok) logger::warn("payments: telling user failed: " + s.description);
}

}  // namespace payments
}  // namespace webhook
