// The operational numbers, read from D1 once and shown three ways: GET /metrics (Prometheus text),
// the admin's /stats, and the cron alerts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace stats {

struct Stats {
  std::map<std::string, int64_t> codeImages;                           // status -> count
  std::vector<double> renderMs;                                        // recent render durations
  std::map<std::pair<std::string, std::string>, int64_t> generations;  // (model, status) -> count
  std::map<std::string, int64_t> queueDepth;  // model -> queued + processing
  int64_t queueTotal = 0;
  int64_t stuck = 0;  // processing longer than the timeout
  int64_t webhookErrorsTotal = 0;
  int64_t webhookErrorsLastHour = 0;
  std::map<std::pair<std::string, std::string>, int64_t> payments;  // (provider, status) -> count
  int64_t creditsIssued = 0;         // top-ups, bonuses, admin grants
  int64_t creditsRefunded = 0;       // refunds of generations
  int64_t creditsSpent = 0;          // reserves (positive number)
  std::vector<std::string> missing;  // sources that could not be read
};

// Reads everything at `nowMs`; a failing part is listed in `missing`, the rest still filled.
Stats collect(double nowMs, double generationTimeoutMs);

// Prometheus text exposition format 0.0.4.
std::string prometheus(const Stats& s);

// A short HTML summary for the admin's /stats.
std::string summaryHtml(const Stats& s);

// Records an event counted by the metrics (best effort: a failure is logged, never raised).
void record(const std::string& kind, const std::string& label, double value, double nowMs);

}  // namespace stats
