// What a waiting user sees: the job's status message in Telegram (edited at most every 3 s, the
// last word never lost: a throttled final edit waits in storage for the alarm), its place in the
// queue, and the stages streamed to WebSocket watchers (GET /generations/<id>/ws).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "queue/job.h"

namespace gen::queue::status {

// Edits the job's status message unless one was edited less than 3 s ago (or Telegram asked us
// to wait). A `final` edit that is throttled is sent later by the alarm.
void show(const std::string& model, int64_t genId, const std::string& text, bool final,
          int64_t position = 0);
// The same edit without a Telegram call here: it waits in storage, at its allowed time, for the
// next flushEdits (the delivering runner's refresh, or the alarm). For a runner holding a model
// slot, which should not wait for Telegram.
void showLater(int64_t genId, const std::string& text);
// Records the first message ("#N in the queue") sent for a job.
void shown(int64_t genId, int64_t messageId, int64_t position, const std::string& text);
// Sends the status edits whose time has come.
void flushEdits();
// Tells queued users their new place when it moved (throttled per message).
void refreshPositions(const std::string& model);
// A stage for the job's WebSocket watchers (the sockets close on completed/failed/cancelled).
void broadcast(const Job& j, std::string_view stage, std::string_view status, int64_t position = 0);

// A job's place: the running jobs and the queued ones up to it ("#1" starts now).
struct Place {
  int64_t position = 0;
  int64_t minutes = 1;
};
Place placeOf(const Job& j, const std::string& model);

}  // namespace gen::queue::status
