// The YooKassa API client (https://yookassa.ru/developers/api): one authenticated call, and the
// payment and refund objects it answers with. The rules for crediting are yookassa.cpp's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "yookassa.h"

namespace webhook::yookassa {

inline constexpr std::string_view kCurrency = "RUB";

struct HttpReply {
  int status = 0;
  std::string body;
  std::string error;  // network failure
};

// One call to the YooKassa API with the shop's basic auth. The URL and the key never reach a log.
HttpReply call(std::string_view method, std::string_view path, std::string_view body,
               std::string_view idempotenceKey);
// "YooKassa API answered HTTP 500" / "... unreachable (...)", for logs and verdicts.
std::string describe(const HttpReply& r);

bool parsePayment(std::string_view text, Payment& out);

struct Refund {
  std::string id, paymentId, status, currency;
  int64_t amountMinor = 0;
};
bool parseRefund(std::string_view text, Refund& out);

}  // namespace webhook::yookassa
