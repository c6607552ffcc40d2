// The queue object's own SQLite storage (host storage op "sql"): the jobs in FIFO order with
// their progress, the status edits waiting for their turn, and a log of finished jobs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "queue/job.h"
#include "shared/db.h"
#include "shared/json.h"

namespace gen::queue::store {

struct Rows {
  std::shared_ptr<simdjson::dom::parser> parser;
  std::vector<json::Object> rows;
  std::string error;
  bool ok() const { return error.empty(); }
  std::optional<json::Object> first() const {
    if (rows.empty()) return std::nullopt;
    return rows[0];
  }
};

Rows sql(const db::Stmt& s);
// Statements run and the time they took, since the instance started (one event at a time runs on
// an instance, so a difference of two readings is one runner's share): the benchmark's per-stage
// timings.
struct SqlSpent {
  int64_t calls = 0;
  double ms = 0;
};
SqlSpent sqlSpent();
int64_t scalar(const db::Stmt& s, const char* col, int64_t fallback = 0);

// Creates the tables once per object per isolate.
bool ensureSchema(const std::string& object);

Job jobFrom(const json::Object& row);
std::optional<Job> load(int64_t genId);
bool setStage(Job& j, Stage s);
void heartbeat(int64_t genId);
// Adds a job at the end of the queue; false when the id is already there (or storage failed:
// see `failed`).
struct NewJob {
  int64_t genId = 0, userId = 0, chatId = 0, cost = 0, seed = 0;
  std::string lang, prompt;
  std::optional<std::string> thumb;
  std::string refs;      // reference photos' R2 keys, a JSON array; empty: none
  std::string negative;  // a style's negative prompt; empty: none
  std::string extra;     // model-specific inputs (job.h Job::extra); empty: none
  double enqueuedMs = 0;
};
bool add(const NewJob& n, bool& failed);
// Takes the first queued job when fewer than `concurrency` hold a slot (running, or waiting for an
// asynchronous provider: async_jobs.h), for the runner `incarnation`.
std::optional<Job> claim(int concurrency, const std::string& incarnation);
// Puts a running job back in the queue at its place.
void requeue(int64_t genId);
// The hand-off of a stored job's delivery (runner.h Ports::handOff): running -> handed frees its
// model slot (claim counts running and waiting jobs only) and keeps `timingsJson`; the delivering
// runner takes it, handed -> delivering, exactly once; the one that handed it may take it back
// (handed -> running) if asking for that runner failed. Each is one statement, so only one side
// wins.
bool handOff(int64_t genId, std::string_view timingsJson);
// The oldest handed job, now delivering, for the delivering runner of `incarnation`.
std::optional<Job> takeHanded(const std::string& incarnation);
// The same for one job (a delivery spawned with its image); nullopt when another runner has it.
std::optional<Job> takeHanded(int64_t genId, const std::string& incarnation);
bool takeBack(int64_t genId);
// One delivering runner per object works through the handed jobs. The one that hands a job off
// asks for a runner only when none is at work (wantDeliverer: true once, until it stops); the
// runner stops only when no job is handed (delivererDone: false means another job is waiting),
// and each is one statement, so a handed job is never left without a runner. A runner of an
// older incarnation, or silent for `staleMs`, counts as stopped.
bool wantDeliverer(const std::string& incarnation, double staleMs);
void delivererAlive();
bool delivererDone();
void delivererStopped();
// Turns at a shared task (e.g. refreshing the queued places): true for one caller at a time, who
// holds the turn for at most `holdMs` (if it vanishes) or until nextTurnIn, which sets when the
// next one may start.
bool takeTurn(std::string_view key, double holdMs);
void nextTurnIn(std::string_view key, double ms);
// Active jobs (running, handed, delivering) whose runner vanished go back to queued, where a
// runner resumes them from their stage; answers (genId, stage) of each.
std::vector<std::pair<int64_t, std::string>> recoverStale(double staleBeforeMs,
                                                          const std::string& incarnation);
// Moves a finished job to the done log (kept to the last 5000), with `timingsJson`: where its time
// went (ports.h), for the benchmark.
void logDone(const Job& j, std::string_view outcome, std::string_view timingsJson = "{}");
bool inDoneLog(int64_t genId);
void markCancelled(int64_t genId);

struct Counts {
  int64_t queued = 0, running = 0;  // running: holding a slot (running or waiting)
  int64_t active = 0;     // running, handed or delivering: a runner should be at work on it
  double nextEditAt = 0;  // the earliest waiting status edit, 0 when none
};
Counts counts();
// The mean of the latest completed jobs' durations, or a default guess.
double averageJobMs();

}  // namespace gen::queue::store
