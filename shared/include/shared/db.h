// D1 access with bound parameters only: SQL text is always a literal in our code, user text only
// ever travels as a parameter.
//
//   db::Result r = db::all(db::Stmt("SELECT name FROM code_files WHERE user_id = ?1").bind(uid));
//   if (!r.ok()) return apology();
//   for (size_t i = 0; i < r.size(); i++) use(json::getString(r.row(i), "name"));
//
// D1 has no BEGIN/COMMIT; db::batch runs its statements in order as one transaction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/json.h"

namespace db {

// Where a read may be answered. AnyReplica runs the statement in a D1 session
// (`withSession("first-unconstrained")`: the nearest replica, possibly a moment behind the
// primary); only for reads whose caller accepts that, never right after this request's own writes.
enum class Read { Primary, AnyReplica };

class Stmt {
 public:
  explicit Stmt(std::string_view sql) : sql_(sql) {}
  Stmt& bind(std::string_view s);
  Stmt& bind(const char* s) { return bind(std::string_view(s)); }
  Stmt& bind(const std::string& s) { return bind(std::string_view(s)); }
  Stmt& bind(int64_t n);
  Stmt& bind(int n) { return bind(int64_t(n)); }
  Stmt& bind(double d);
  Stmt& bind(bool b) { return bind(int64_t(b ? 1 : 0)); }
  Stmt& bindNull();
  // Writes {"sql":...,"params":[...]} into w.
  void write(json::JsonWriter& w) const;
  // Writes the "sql" and "params" members into the object w has open.
  void writeMembers(json::JsonWriter& w) const;

 private:
  std::string sql_;
  std::string params_;  // serialised JSON values, comma separated
};

class Result {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Rows of an all(); first() gives zero or one row.
  size_t size() const { return rows_.size(); }
  const json::Object& row(size_t i) const { return rows_[i]; }
  std::optional<json::Object> first() const {
    if (rows_.empty()) return std::nullopt;
    return rows_[0];
  }
  int64_t changes() const { return changes_; }
  int64_t lastRowId() const { return lastRowId_; }

 private:
  friend Result runOne(std::string_view, const Stmt&, Read);
  friend std::vector<Result> batch(const std::vector<Stmt>&, std::string* error);
  std::shared_ptr<simdjson::dom::parser> parser_;
  std::vector<json::Object> rows_;
  int64_t changes_ = 0;
  int64_t lastRowId_ = 0;
  std::string error_;
};

Result all(const Stmt& s, Read where = Read::Primary);
Result first(const Stmt& s, Read where = Read::Primary);
Result run(const Stmt& s);
// One transaction: all statements apply or none. `error` is set (and the vector empty) on failure.
std::vector<Result> batch(const std::vector<Stmt>& stmts, std::string* error);

}  // namespace db
