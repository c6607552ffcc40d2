// The cron jobs. Each takes `now` from the trigger's scheduledTime, so tests move time by calling
// /__scheduled?cron=...&time=<ms> instead of waiting; each is safe to run twice at once or again
// after a crash half-way.
#pragma once

#include <string>

namespace cron {

struct WatchdogReport {
  int failed = 0;      // generations this run failed and refunded
  int notified = 0;    // users told (including ones a crashed run failed but did not tell)
  int kicked = 0;      // model queues asked to go on
  int reenqueued = 0;  // queued jobs handed back to their queue object
};
WatchdogReport watchdog(double nowMs);

struct CleanupReport {
  int images = 0;       // generated images and thumbnails removed from R2
  int references = 0;   // reference images removed from R2
  int updates = 0;      // processed update ids forgotten
  int rateLimits = 0;   // rate-limit rows removed
  int events = 0;       // metric events removed
  int deleted = 0;      // images hidden in /gallery whose R2 delete a crash cut short
  int drafts = 0;       // /imagine drafts older than DRAFT_TTL_HOURS removed
  int versions = 0;     // code-file versions beyond CODE_VERSIONS_KEPT removed
  int albumPhotos = 0;  // album photos noted more than a day ago (references.h) forgotten
  bool more = false;    // a batch was full: the next run goes on
};
CleanupReport cleanup(double nowMs);

struct PaymentsReport {
  int checked = 0;   // pending YooKassa payments fetched back
  int credited = 0;  // credited by this run
  int closed = 0;    // canceled, or refunded before any credit
  int refunds = 0;   // refunds applied whose notification never took effect
  int failed = 0;    // the API, D1 or the webhook module failed: tried again on a later run
};
// Fetches back the YooKassa payments left pending past YOOKASSA_RECONCILE_AFTER and settles them
// once (the webhook module does the work; see functions/cron/payments.cpp).
PaymentsReport reconcilePayments(double nowMs);

// Sends the alerts whose thresholds are crossed, each at most once an hour. Returns how many.
int alerts(double nowMs);

}  // namespace cron
