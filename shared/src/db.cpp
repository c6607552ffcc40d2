#include "shared/db.h"

#include "shared/host.h"

namespace db {

Stmt& Stmt::bind(std::string_view s) {
  if (!params_.empty()) params_.push_back(',');
  json::appendQuoted(params_, s);
  return *this;
}
Stmt& Stmt::bind(int64_t n) {
  if (!params_.empty()) params_.push_back(',');
  params_ += std::to_string(n);
  return *this;
}
Stmt& Stmt::bind(double d) {
  json::JsonWriter w;
  w.value(d);
  if (!params_.empty()) params_.push_back(',');
  params_ += w.str();
  return *this;
}
Stmt& Stmt::bindNull() {
  if (!params_.empty()) params_.push_back(',');
  params_ += "null";
  return *this;
}
void Stmt::write(json::JsonWriter& w) const {
  w.beginObject();
  writeMembers(w);
  w.endObject();
}

void Stmt::writeMembers(json::JsonWriter& w) const {
  w.key("sql").value(sql_).key("params").raw("[" + params_ + "]");
}

namespace {

void readMeta(const json::Object& o, int64_t& changes, int64_t& lastRowId) {
  if (auto meta = json::getObject(o, "meta")) {
    changes = json::getInt(*meta, "changes").value_or(0);
    lastRowId = json::getInt(*meta, "last_row_id").value_or(0);
  }
}

}  // namespace

Result runOne(std::string_view op, const Stmt& s, Read where) {
  // The host expects sql/params beside "op": splice the statement's members after it.
  json::JsonWriter req;
  req.beginObject().key("op").value(op);
  if (where == Read::AnyReplica) req.key("session").value("first-unconstrained");
  std::string stmt;
  {
    json::JsonWriter sw;
    s.write(sw);
    stmt = sw.take();
  }
  std::string text = req.take() + "," + stmt.substr(1);
  host::Reply reply = host::d1(text);
  Result r;
  if (!reply.ok()) {
    r.error_ = reply.error;
    return r;
  }
  r.parser_ = std::make_shared<simdjson::dom::parser>();
  json::Object o;
  if (r.parser_->parse(reply.json).get(o) != simdjson::SUCCESS) {
    r.error_ = "unreadable D1 reply";
    return r;
  }
  readMeta(o, r.changes_, r.lastRowId_);
  if (auto rows = json::getArray(o, "results")) {
    for (auto el : *rows) {
      json::Object row;
      if (el.get(row) == simdjson::SUCCESS) r.rows_.push_back(row);
    }
  } else if (auto row = json::getObject(o, "row")) {
    r.rows_.push_back(*row);
  }
  return r;
}

Result all(const Stmt& s, Read where) {
  return runOne("all", s, where);
}
Result first(const Stmt& s, Read where) {
  return runOne("first", s, where);
}
Result run(const Stmt& s) {
  return runOne("run", s, Read::Primary);
}

std::vector<Result> batch(const std::vector<Stmt>& stmts, std::string* error) {
  json::JsonWriter w;
  w.beginObject().key("op").value("batch").key("statements").beginArray();
  for (const Stmt& s : stmts) s.write(w);
  w.endArray().endObject();
  host::Reply reply = host::d1(w.str());
  std::vector<Result> out;
  if (!reply.ok()) {
    if (error) *error = reply.error;
    return out;
  }
  auto parser = std::make_shared<simdjson::dom::parser>();
  json::Object o;
  json::Array results;
  if (parser->parse(reply.json).get(o) != simdjson::SUCCESS ||
      o["results"].get(results) != simdjson::SUCCESS) {
    if (error) *error = "unreadable D1 batch reply";
    return out;
  }
  for (auto el : results) {
    Result r;
    r.parser_ = parser;
    json::Object ro;
    if (el.get(ro) == simdjson::SUCCESS) {
      readMeta(ro, r.changes_, r.lastRowId_);
      if (auto rows = json::getArray(ro, "results")) {
        for (auto rowEl : *rows) {
          json::Object row;
          if (rowEl.get(row) == simdjson::SUCCESS) r.rows_.push_back(row);
        }
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace db
