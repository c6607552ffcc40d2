// One failure vocabulary for the business layer: an error code that says what the caller can do
// about it, a detail for the log, and a [[nodiscard]] result that carries either a value or the
// failure (the shape of simdjson's error_code and simdjson_result<T>).
//
//   Result<Created> r = generation::create(job);
//   if (!r) {
//     if (r.error() == Error::LimitReached) return explain(...);   // the user is told
//     logger::error("create: " + r.detail());                        // the log is told
//     return Outcome::StorageFailed;                                 // Telegram retries
//   }
//   use(r.value());
//
// A function that only succeeds or fails returns Status (Result<void>).
#pragma once

#include <optional>
#include <string>
#include <utility>

enum class Error {
  None = 0,
  BadInput,           // the caller's input is wrong: say so, do not retry
  NotFound,           // no such thing (or not this caller's)
  Duplicate,          // already done (a retried update, a repeated request): not a failure
  Conflict,           // the state moved meanwhile (another writer won): re-read and decide
  LimitReached,       // a quota, rate or queue limit refused it
  InsufficientFunds,  // the ledger refused the reservation
  Unavailable,        // a binding or service failed (D1, R2, a queue object): retry later
  Timeout,            // it took longer than allowed
  Refused,            // the other side refused it for good (moderation, a 4xx)
  Internal,           // a bug or an impossible answer
};

// "unavailable", for logs and JSON.
const char* errorName(Error e);

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit, like simdjson_result
  Result(Error e, std::string detail = {}) : error_(e), detail_(std::move(detail)) {}

  bool ok() const { return error_ == Error::None; }
  explicit operator bool() const { return ok(); }
  Error error() const { return error_; }
  const std::string& detail() const { return detail_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Error error_ = Error::None;
  std::string detail_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error e, std::string detail = {}) : error_(e), detail_(std::move(detail)) {}
  bool ok() const { return error_ == Error::None; }
  explicit operator bool() const { return ok(); }
  Error error() const { return error_; }
  const std::string& detail() const { return detail_; }

 private:
  Error error_ = Error::None;
  std::string detail_;
};

using Status = Result<void>;

inline const char* errorName(Error e) {
  switch (e) {
    case Error::None:
      return "ok";
    case Error::BadInput:
      return "bad_input";
    case Error::NotFound:
      return "not_found";
    case Error::Duplicate:
      return "duplicate";
    case Error::Conflict:
      return "conflict";
    case Error::LimitReached:
      return "limit_reached";
    case Error::InsufficientFunds:
      return "insufficient_funds";
    case Error::Unavailable:
      return "unavailable";
    case Error::Timeout:
      return "timeout";
    case Error::Refused:
      return "refused";
    case Error::Internal:
      return "internal";
  }
  return "internal";
}
