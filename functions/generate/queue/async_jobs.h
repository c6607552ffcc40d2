// The queue object's record of jobs submitted to an asynchronous provider (fal.h), in its SQLite
// storage beside the jobs table (store.h): the per-job webhook secret (made before the submit, so
// the webhook URL can carry it), the provider's request id and URLs, the poll schedule, and a
// webhook's body once one arrived.
//
// Who runs a submitted job: its state is "waiting" (it keeps its model's slot: store::claim counts
// it) until its next poll is due or a webhook arrived; then takeDue moves it to "running", one
// statement, so whichever comes first (poll or webhook) is run by exactly one runner, and that
// runner uses the webhook's answer when there is one, else polls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers.h"
#include "queue/job.h"

namespace gen::queue::asyncjobs {

// The table, created with the object's others (store::ensureSchema).
bool createSchema();

struct Row {
  int64_t genId = 0;
  std::string secret, requestId, statusUrl, responseUrl;
  int64_t polls = 0, errors = 0;
  std::string hook;  // the webhook's body, empty until one arrived
};
std::optional<Row> load(int64_t genId);
// The job's webhook secret (32 hex characters), made once; empty when storage failed.
std::string secretFor(int64_t genId);
// The request id and URLs after a submit, and the first poll's time.
bool saveSubmitted(int64_t genId, const Submission& s, double firstPollMs);

enum class HookResult { Stored, Duplicate, Forged, OtherRequest, NotYet, Unknown };
// A webhook for the job: refused unless `secret` matches (constant time) and `requestId` is the
// submitted one; before the submit's answer is saved there is nothing to compare with (NotYet:
// the provider retries, and the poll finds the result anyway). The first one is kept and its poll
// made due at once; a replay changes nothing.
HookResult storeHook(int64_t genId, std::string_view secret, std::string_view requestId,
                     std::string_view body);

// Consecutive failed polls: one more (answers the count), or none after a poll that worked.
int64_t noteError(int64_t genId);
void clearErrors(int64_t genId);
// running -> waiting, with the next poll at `atMs` (at once if a webhook arrived meanwhile).
bool park(int64_t genId, double atMs);
// Waiting jobs whose poll is due (or whose webhook arrived) -> running for `incarnation`.
std::vector<Job> takeDue(double nowMs, const std::string& incarnation);
// When the earliest waiting job's poll is due; nullopt when none waits.
std::optional<double> nextPollAt();
// Makes a waiting job's poll due now (a cancel, so that its slot is freed at once).
void pollNow(int64_t genId);

// The next poll's delay after `polls` polls: ASYNC_POLL_MS doubling up to ASYNC_POLL_MAX_MS.
double pollDelayMs(int64_t polls);

}  // namespace gen::queue::asyncjobs
