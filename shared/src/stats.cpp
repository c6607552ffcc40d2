#include "shared/stats.h"

#include <algorithm>
#include <cstdio>

#include "shared/db.h"
#include "shared/generation.h"
#include "shared/host.h"

namespace stats {
namespace {

using db::Stmt;

std::string str(const json::Object& row, const char* key) {
  return std::string(json::getString(row, key).value_or(""));
}
int64_t num(const json::Object& row, const char* key) {
  return json::getInt(row, key).value_or(0);
}

// Prometheus label values escape backslash, quote and newline.
std::string label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string fmt(double v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

constexpr double kBucketsMs[] = {1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 2500};

}  // namespace

Stats collect(double now, double timeoutMs) {
  Stats s;
  std::string err;
  std::vector<Stmt> q;
  q.push_back(
      Stmt("SELECT label, COUNT(*) AS n FROM metric_events WHERE kind = 'code_image' "
           "GROUP BY label"));
  q.push_back(
      Stmt("SELECT value FROM metric_events WHERE kind = 'code_image' AND label = 'ok' "
           "ORDER BY id DESC LIMIT 1000"));
  q.push_back(generation::countByModelAndStatus());
  q.push_back(generation::countStuck(now - timeoutMs));
  q.push_back(Stmt("SELECT COUNT(*) AS n, SUM(CASE WHEN at_ms > ?1 THEN 1 ELSE 0 END) AS h "
                   "FROM metric_events WHERE kind = 'webhook_error'")
                  .bind(now - 3600000.0));
  q.push_back(Stmt("SELECT reason, SUM(delta) AS total FROM credit_ledger GROUP BY reason"));
  std::vector<db::Result> r = db::batch(q, &err);
  if (r.size() != q.size()) {
    s.missing.push_back("d1: " + err);
    return s;
  }
  for (size_t i = 0; i < r[0].size(); i++)
    s.codeImages[str(r[0].row(i), "label")] = num(r[0].row(i), "n");
  for (size_t i = 0; i < r[1].size(); i++) {
    s.renderMs.push_back(json::getDouble(r[1].row(i), "value").value_or(0));
  }
  for (size_t i = 0; i < r[2].size(); i++) {
    const json::Object& row = r[2].row(i);
    std::string model = str(row, "model"), status = str(row, "status");
    int64_t n = num(row, "n");
    s.generations[{model, status}] = n;
    if (status == "queued" || status == "processing") {
      s.queueDepth[model] += n;
      s.queueTotal += n;
    }
  }
  if (auto row = r[3].first()) s.stuck = num(*row, "n");
  if (auto row = r[4].first()) {
    s.webhookErrorsTotal = num(*row, "n");
    s.webhookErrorsLastHour = num(*row, "h");
  }
  for (size_t i = 0; i < r[5].size(); i++) {
    const json::Object& row = r[5].row(i);
    std::string reason = str(row, "reason");
    int64_t total = num(row, "total");
    if (reason == "refund")
      s.creditsRefunded += total;
    else if (reason == "reserve")
      s.creditsSpent += -total;
    else if (reason == "topup_stars" || reason == "topup_yookassa" || reason == "bonus" ||
             reason == "admin")
      s.creditsIssued += total;
  }
  // Payments live in their own table (migrations/0005); read it separately so a missing table
  // does not hide the rest.
  db::Result p =
      db::all(Stmt("SELECT provider, status, COUNT(*) AS n FROM payments "
                   "GROUP BY provider, status"));
  if (p.ok()) {
    for (size_t i = 0; i < p.size(); i++) {
      s.payments[{str(p.row(i), "provider"), str(p.row(i), "status")}] = num(p.row(i), "n");
    }
  } else {
    s.missing.push_back("payments");
  }
  return s;
}

std::string prometheus(const Stats& s) {
  std::string o;
  auto head = [&](const char* name, const char* type, const char* help) {
    o += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
  };
  head("codeimage_code_images_total", "counter",
       "Code images made for Telegram users, by outcome.");
  for (const char* st : {"ok", "failed"}) {
    auto it = s.codeImages.find(st);
    o += "codeimage_code_images_total{status=\"" + std::string(st) + "\"} " +
         std::to_string(it == s.codeImages.end() ? 0 : it->second) + "\n";
  }
  head("codeimage_render_duration_seconds", "histogram",
       "Render time of the latest 1000 code images (host clock; coarse inside Workers).");
  double sum = 0;
  for (double v : s.renderMs) sum += v;
  for (double b : kBucketsMs) {
    int64_t n =
        std::count_if(s.renderMs.begin(), s.renderMs.end(), [&](double v) { return v <= b; });
    o += "codeimage_render_duration_seconds_bucket{le=\"" + fmt(b / 1000) + "\"} " +
         std::to_string(n) + "\n";
  }
  o += "codeimage_render_duration_seconds_bucket{le=\"+Inf\"} " +
       std::to_string(s.renderMs.size()) + "\n";
  o += "codeimage_render_duration_seconds_sum " + fmt(sum / 1000) + "\n";
  o += "codeimage_render_duration_seconds_count " + std::to_string(s.renderMs.size()) + "\n";
  head("codeimage_generations", "gauge", "Generations by model and status.");
  for (auto& [k, n] : s.generations) {
    o += "codeimage_generations{model=\"" + label(k.first) + "\",status=\"" + label(k.second) +
         "\"} " + std::to_string(n) + "\n";
  }
  head("codeimage_queue_depth", "gauge", "Queued and running generations per model.");
  for (auto& [m, n] : s.queueDepth) {
    o += "codeimage_queue_depth{model=\"" + label(m) + "\"} " + std::to_string(n) + "\n";
  }
  head("codeimage_stuck_generations", "gauge", "Generations processing longer than the timeout.");
  o += "codeimage_stuck_generations " + std::to_string(s.stuck) + "\n";
  head("codeimage_webhook_errors_total", "counter", "Telegram updates that failed on our side.");
  o += "codeimage_webhook_errors_total " + std::to_string(s.webhookErrorsTotal) + "\n";
  head("codeimage_payments", "gauge", "Payments by provider and status.");
  for (auto& [k, n] : s.payments) {
    o += "codeimage_payments{provider=\"" + label(k.first) + "\",status=\"" + label(k.second) +
         "\"} " + std::to_string(n) + "\n";
  }
  head("codeimage_credits_issued_total", "counter",
       "Credits added by top-ups, bonuses and admins.");
  o += "codeimage_credits_issued_total " + std::to_string(s.creditsIssued) + "\n";
  head("codeimage_credits_refunded_total", "counter",
       "Credits returned for failed or cancelled generations.");
  o += "codeimage_credits_refunded_total " + std::to_string(s.creditsRefunded) + "\n";
  head("codeimage_credits_spent_total", "counter", "Credits reserved by generations.");
  o += "codeimage_credits_spent_total " + std::to_string(s.creditsSpent) + "\n";
  return o;
}

std::string summaryHtml(const Stats& s) {
  std::string o = "📊 <b>Stats</b>\n";
  int64_t ok = 0, failed = 0;
  if (auto it = s.codeImages.find("ok"); it != s.codeImages.end()) ok = it->second;
  if (auto it = s.codeImages.find("failed"); it != s.codeImages.end()) failed = it->second;
  o += "Code images: " + std::to_string(ok) + " ok, " + std::to_string(failed) + " failed\n";
  o += "Queue: " + std::to_string(s.queueTotal);
  for (auto& [m, n] : s.queueDepth) o += " · " + m + " " + std::to_string(n);
  o += "\nStuck generations: " + std::to_string(s.stuck) + "\n";
  o += "Webhook errors: " + std::to_string(s.webhookErrorsLastHour) + " in the last hour, " +
       std::to_string(s.webhookErrorsTotal) + " in all\n";
  o += "Credits: " + std::to_string(s.creditsIssued) + " issued, " +
       std::to_string(s.creditsSpent) + " spent, " + std::to_string(s.creditsRefunded) +
       " refunded\n";
  int64_t paid = 0;
  for (auto& [k, n] : s.payments) {
    if (k.second == "succeeded") paid += n;
  }
  o += "Payments succeeded: " + std::to_string(paid);
  if (!s.missing.empty())
    o += "\n⚠️ Not available: " + std::to_string(s.missing.size()) + " source(s)";
  return o;
}

void record(const std::string& kind, const std::string& lbl, double value, double nowMs) {
  db::Result r = db::run(Stmt("INSERT INTO metric_events (kind, label, value, at_ms) VALUES "
                              "(?1, ?2, ?3, ?4)")
                             .bind(kind)
                             .bind(lbl)
                             .bind(value)
                             .bind(nowMs));
  if (!r.ok()) logger::warn("stats: could not record " + kind + ": " + r.error());
}

}  // namespace stats
