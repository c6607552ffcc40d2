#include "shared/ledger.h"

namespace ledger {

db::Stmt entry(int64_t userId, int64_t delta, std::string_view reason, std::string_view ref,
               double nowMs) {
  return std::move(db::Stmt("INSERT INTO credit_ledger (user_id, delta, reason, ref, created_ms) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (reason, ref) DO NOTHING")
                       .bind(userId)
                       .bind(delta)
                       .bind(reason)
                       .bind(ref)
                       .bind(nowMs));
}

db::Stmt refundIfChanged(int64_t userId, int64_t amount, std::string_view ref, double nowMs) {
  return std::move(db::Stmt("INSERT INTO credit_ledger (user_id, delta, reason, ref, created_ms) "
                            "SELECT ?1, ?2, 'refund', ?3, ?4 WHERE changes() > 0 AND ?2 > 0 "
                            "ON CONFLICT (reason, ref) DO NOTHING")
                       .bind(userId)
                       .bind(amount)
                       .bind(ref)
                       .bind(nowMs));
}

std::optional<int64_t> balance(int64_t userId) {
  db::Result r = db::first(db::Stmt("SELECT credits FROM users WHERE id = ?1").bind(userId));
  if (!r.ok()) return std::nullopt;
  auto row = r.first();
  return row ? json::getInt(*row, "credits").value_or(0) : 0;
}

bool recent(int64_t userId, int limit, std::vector<Movement>& out) {
  db::Result r = db::all(db::Stmt("SELECT delta, reason, ref, created_ms FROM credit_ledger "
                                  "WHERE user_id = ?1 ORDER BY id DESC LIMIT ?2")
                             .bind(userId)
                             .bind(int64_t(limit)));
  if (!r.ok()) return false;
  for (size_t i = 0; i < r.size(); i++) {
    const json::Object& row = r.row(i);
    out.push_back({json::getInt(row, "delta").value_or(0),
                   std::string(json::getString(row, "reason").value_or("")),
                   std::string(json::getString(row, "ref").value_or("")),
                   json::getDouble(row, "created_ms").value_or(0)});
  }
  return true;
}

bool isInsufficientFunds(std::string_view err) {
  return err.find("CHECK constraint failed") != std::string_view::npos &&
         err.find("credits") != std::string_view::npos;
}

}  // namespace ledger
