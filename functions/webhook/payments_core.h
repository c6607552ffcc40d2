// The pure rules of payments (no host calls; unit-tested natively): the packs on sale, the Stars
// invoice payload, money amounts, admins, and YooKassa's notification addresses.
//
//   auto packs = pay::parseStarPacks(config::get(Setting::STAR_PACKS));
//   const pay::StarPack* p = pay::findStarPack(packs, "s100");
//   std::string payload = pay::starPayload(userId, *p);   // "stars:42:s100:100"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webhook::pay {

// STAR_PACKS: [{"id":"s100","stars":50,"credits":100,"title":"..."}]. A pack taken out of the
// setting is withdrawn: its open invoices are refused at pre-checkout.
struct StarPack {
  std::string id, title;
  int64_t stars = 0, credits = 0;
};

// YOOKASSA_PACKS: [{"id":"r100","amount":"99.00","credits":100,"title":"..."}], amounts in RUB.
struct MoneyPack {
  std::string id, title;
  int64_t amountMinor = 0;  // kopecks
  int64_t credits = 0;
};

// Entries with a bad id or non-positive numbers are skipped; invalid JSON gives no packs.
std::vector<StarPack> parseStarPacks(std::string_view json);
std::vector<MoneyPack> parseMoneyPacks(std::string_view json);
const StarPack* findStarPack(const std::vector<StarPack>& packs, std::string_view id);
const MoneyPack* findMoneyPack(const std::vector<MoneyPack>& packs, std::string_view id);

// "199", "199.5", "199.50" -> 19950; nullopt for anything else (signs, exponents, 3 decimals).
std::optional<int64_t> parseMinorUnits(std::string_view value);
// 19950 -> "199.50", the form YooKassa's amount.value takes.
std::string formatMinorUnits(int64_t minor);

// The credits a YooKassa payment is worth once `refundedMinor` of its `amountMinor` went back
// before crediting: `credits` in proportion to what is left, rounded down; 0 when all of it went
// back (or for nonsense input). yookassa.cpp's SQL computes the same for rows already in D1.
int64_t netCredits(int64_t credits, int64_t amountMinor, int64_t refundedMinor);

// "2026-12-07T13:05:09.250Z" from epoch milliseconds (UTC): the form YooKassa's list filters
// (created_at.gte and friends) take.
std::string isoTime(double ms);

// What a Stars invoice carries through pre-checkout to successful_payment: who, which pack, and
// the credits promised, so a pack changed after payment still credits what the buyer saw.
struct StarPayload {
  int64_t userId = 0;
  std::string pack;
  int64_t credits = 0;
};
std::string starPayload(int64_t userId, const StarPack& pack);
std::optional<StarPayload> parseStarPayload(std::string_view payload);

// Pack ids, YooKassa payment ids, charge ids: 1-64 of [A-Za-z0-9_.-], safe in URLs and buttons.
bool isSafeId(std::string_view s);

// ADMIN_IDS is a comma-separated list of Telegram user ids.
bool isAdmin(std::string_view adminIds, int64_t userId);

// True when `ip` is in YooKassa's published notification ranges (185.71.76.0/27,
// 185.71.77.0/27, 77.75.153.0/25, 77.75.156.11, 77.75.156.35, 77.75.154.128/25, 2a02:5180::/32).
bool isYookassaAddress(std::string_view ip);

}  // namespace webhook::pay
