// The cron module's adapter: the scheduled handler dispatches on the cron expression (every
// minute: watchdog, alerts and the payments reconcile; hourly: TTL cleanup), and GET /metrics
// serves Prometheus text.
#include <string>

#include "jobs.h"
#include "shared/config.h"
#include "shared/db.h"
#include "shared/entry.h"
#include "shared/host.h"
#include "shared/json.h"
#include "shared/stats.h"

namespace {

using config::Setting;

// One row per run, so operators (and tests) can see the triggers fire.
void recordRun(const char* job, const fn::Event& ev) {
  db::Result r = db::run(
      db::Stmt(
          "INSERT INTO cron_runs (job, cron, scheduled_ms, started_ms) VALUES (?1, ?2, ?3, ?4)")
          .bind(job)
          .bind(ev.cron)
          .bind(ev.scheduledMs)
          .bind(host::nowMs()));
  if (!r.ok()) logger::error(std::string("cron ") + job + ": " + r.error());
}

fn::Response scheduled(const fn::Event& ev) {
  // scheduledTime is the clock of every job: tests move it with
  // /cdn-cgi/handler/scheduled?cron=...&time=<ms> in local workerd.
  double now = ev.scheduledMs > 0 ? ev.scheduledMs : host::nowMs();
  json::JsonWriter w;
  w.beginObject();
  if (ev.cron == "* * * * *") {
    recordRun("watchdog", ev);
    // Alerts first: "stuck" counts what the watchdog is about to fail, which is what the admin
    // needs to hear about.
    int alerts = cron::alerts(now);
    cron::WatchdogReport r = cron::watchdog(now);
    logger::info("watchdog: failed " + std::to_string(r.failed) + ", notified " +
                 std::to_string(r.notified) + ", re-enqueued " + std::to_string(r.reenqueued) +
                 ", alerts " + std::to_string(alerts));
    w.key("job")
        .value("watchdog")
        .key("failed")
        .value(r.failed)
        .key("notified")
        .value(r.notified)
        .key("kicked")
        .value(r.kicked)
        .key("reenqueued")
        .value(r.reenqueued)
        .key("alerts")
        .value(alerts);
    cron::PaymentsReport p = cron::reconcilePayments(now);
    if (p.checked || p.refunds || p.failed) {
      logger::info("payments reconcile: checked " + std::to_string(p.checked) + ", credited " +
                   std::to_string(p.credited) + ", closed " + std::to_string(p.closed) +
                   ", refunds " + std::to_string(p.refunds) + ", failed " +
                   std::to_string(p.failed));
    }
    w.key("payments")
        .beginObject()
        .key("checked")
        .value(p.checked)
        .key("credited")
        .value(p.credited)
        .key("closed")
        .value(p.closed)
        .key("refunds")
        .value(p.refunds)
        .key("failed")
        .value(p.failed)
        .endObject();
  } else if (ev.cron == "0 * * * *") {
    recordRun("cleanup", ev);
    cron::CleanupReport r = cron::cleanup(now);
    logger::info("cleanup: images " + std::to_string(r.images) + ", references " +
                 std::to_string(r.references) + ", updates " + std::to_string(r.updates) +
                 ", rate limits " + std::to_string(r.rateLimits) + ", events " +
                 std::to_string(r.events) + ", hidden images " + std::to_string(r.deleted) +
                 ", drafts " + std::to_string(r.drafts) + ", old versions " +
                 std::to_string(r.versions) + (r.more ? " (more next run)" : ""));
    w.key("job")
        .value("cleanup")
        .key("images")
        .value(r.images)
        .key("references")
        .value(r.references)
        .key("updates")
        .value(r.updates)
        .key("rate_limits")
        .value(r.rateLimits)
        .key("events")
        .value(r.events)
        .key("deleted")
        .value(r.deleted)
        .key("drafts")
        .value(r.drafts)
        .key("versions")
        .value(r.versions)
        .key("more")
        .value(r.more);
  } else {
    logger::warn("cron: no job for schedule '" + ev.cron + "'");
    w.key("job").null();
  }
  w.endObject();
  return fn::Response::json(200, w.str());
}

fn::Response metrics(const fn::Request& req) {
  if (req.method != "GET") return fn::Response::error(405, "use GET");
  // Six aggregate queries a call: never open to anyone. Unset or a placeholder: 503 naming it.
  if (std::string p = config::secretProblem(Setting::METRICS_TOKEN); !p.empty()) {
    return fn::Response::error(503, p);
  }
  std::string_view token = config::get(Setting::METRICS_TOKEN);
  std::string_view given = config::bearerToken(req.header("authorization"));
  if (given.empty() || !config::constantTimeEquals(given, token)) {
    fn::Response r = fn::Response::error(401, "metrics need Authorization: Bearer <METRICS_TOKEN>");
    r.headers.emplace_back("www-authenticate", "Bearer");
    return r;
  }
  double timeoutMs = double(config::getInt(Setting::GENERATION_TIMEOUT, 600)) * 1000;
  stats::Stats s = stats::collect(host::nowMs(), timeoutMs);
  std::string text = stats::prometheus(s);
  fn::Response r;
  r.status = 200;
  r.headers.emplace_back("content-type", "text/plain; version=0.0.4; charset=utf-8");
  r.body.assign(text.begin(), text.end());
  return r;
}

}  // namespace

fn::Response fn::handleEvent(const fn::Event& ev) {
  if (ev.kind == "scheduled") return scheduled(ev);
  if (ev.kind == "fetch" && ev.request.path == "/metrics") return metrics(ev.request);
  return Response::error(404, "no such route");
}
