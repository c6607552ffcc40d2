// When the queue object runs: one alarm serves every need (a free slot, a waiting status edit, a
// check-up on running jobs), and jobs beyond the first run in parallel as deferred events.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gen::queue::schedule {

// The host's id of this object's current life (host/worker.mjs, event "incarnation"): a running
// job recorded under another one lost its runner when the object was evicted or restarted.
void setIncarnation(std::string_view id);
const std::string& incarnation();

int concurrencyOf(const std::string& model);
// A runner silent for this long is gone: no single step takes longer than a model try.
double staleMs();
// Moves the alarm earlier when `atMs` is sooner than the one set.
void at(double atMs);
// After any change: an alarm now when a job can start; else at the next waiting status edit; and
// a check-up while jobs run.
void next(const std::string& model);
// Runs `task` ("run" a claimed job, "positions") after this event, on this object.
void defer(const std::string& model, std::string_view task, int64_t genId = 0);
// Starts `task` now, in parallel with this event, on this object, with `body` (host::spawn);
// false when the host cannot.
bool spawn(const std::string& model, std::string_view task, int64_t genId,
           std::span<const uint8_t> body);

}  // namespace gen::queue::schedule
