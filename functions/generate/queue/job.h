// A job of the model queue object: one generation on its way through the object, as its SQLite
// storage keeps it (store.h). The stage is typed; storage holds its name.
//
//   queued -> enhancing -> generating -> stored (image in R2) -> delivering -> sending -> (done)
//
// A model of an asynchronous provider (providers.h isAsync: fal-queue) has one more stage between
// generating and stored: generating -> submitted (the provider has the job: its request id is
// persisted, so a resumed job never submits it twice) -> stored. A submitted job waits with state
// "waiting": it holds its model's slot, but no runner is at work on it until its next poll is due
// or the provider's webhook arrives (async_jobs.h).
//
// A job holds its model's slot from its claim until its image is stored; its delivery may then go
// on in a parallel runner while the slot takes the next job (runner.h Ports::handOff).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/i18n.h"

namespace gen::queue {

enum class Stage { Queued, Enhancing, Generating, Stored, Delivering, Sending, Submitted };

std::string_view stageName(Stage s);
// nullopt for a name no version of the object wrote.
std::optional<Stage> stageFromName(std::string_view name);

struct Job {
  int64_t seq = 0, genId = 0, userId = 0, chatId = 0, cost = 0, seed = 0;
  std::string lang;
  // "queued" (waiting for a slot) | "running" (claimed by a runner, holding a model slot) |
  // "handed" (stored, its delivery handed to a parallel runner) | "delivering" (that runner has it)
  // | "waiting" (submitted to an asynchronous provider, holding a model slot, no runner at work)
  std::string state;
  Stage stage = Stage::Queued;
  bool stageKnown = true;  // false: storage holds a stage this build does not know
  std::string stageText;   // the stored name
  std::string prompt, enhanced, r2Key, contentType;
  std::string thumb;     // JSON: a premium/pro thumbnail's request; empty for an AI image
  std::string refs;      // JSON array of reference photos' R2 keys (ref/...); empty: none
  std::string negative;  // a style's negative prompt (models.h Style); empty: none
  std::string timings;   // JSON: where an earlier runner's time went (ports.h), or empty
  uint32_t width = 0, height = 0;
  int64_t statusMessageId = 0, claims = 0;
  int64_t batch = 0;  // a 🎲 variation's batch (shared/generation_batch.h); 0: a single image
  bool cancelled = false;
  double enqueuedMs = 0, startedMs = 0, modelMs = 0;
  i18n::Lang ui() const { return i18n::fromCode(lang); }
};

}  // namespace gen::queue
