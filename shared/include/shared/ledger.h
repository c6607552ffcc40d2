// Credits: an append-only ledger in D1 (migrations/0003_credits_generations.sql). Every movement
// has a (reason, ref) that is unique, so applying it twice changes nothing; users.credits is kept
// by a trigger in the same transaction and can never go below zero.
//
// Put the entry in the same db::batch as the state change it pays for:
//   db::batch({db::Stmt("UPDATE generations SET status = 'failed' ... WHERE id = ?1 AND status =
//   'processing'").bind(id), ledger::refundIfChanged(userId, cost, "gen:" + id, now)}, &err);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/db.h"

namespace ledger {

// Reasons, as the schema's CHECK lists them.
inline constexpr std::string_view kReserve = "reserve";
inline constexpr std::string_view kRefund = "refund";
inline constexpr std::string_view kTopupStars = "topup_stars";
inline constexpr std::string_view kTopupYookassa = "topup_yookassa";
inline constexpr std::string_view kPaymentRefund = "payment_refund";
inline constexpr std::string_view kAdmin = "admin";
inline constexpr std::string_view kBonus = "bonus";

// An entry that applies once per (reason, ref); its Result's changes() is 0 when it was a repeat
// (D1 counts the trigger's balance update too, so test changes() >= 1, not == 1). A negative delta
// larger than the balance makes the batch fail (CHECK credits >= 0); callers check the balance
// first for a friendly message.
db::Stmt entry(int64_t userId, int64_t delta, std::string_view reason, std::string_view ref,
               double nowMs);

// A refund of `amount` for `ref` that applies only if the statement just before it in the batch
// changed a row (SQLite's changes()), so "fail the job and refund" is one atomic, idempotent step.
db::Stmt refundIfChanged(int64_t userId, int64_t amount, std::string_view ref, double nowMs);

// The cached balance; nullopt when D1 failed. 0 for an unknown user.
std::optional<int64_t> balance(int64_t userId);

struct Movement {
  int64_t delta = 0;
  std::string reason, ref;
  double atMs = 0;
};
// The latest `limit` movements, newest first; false when D1 failed.
bool recent(int64_t userId, int limit, std::vector<Movement>& out);

// True when a batch failed because a debit would overdraw (the schema's CHECK).
bool isInsufficientFunds(std::string_view d1Error);

}  // namespace ledger
