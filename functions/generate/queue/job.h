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
#include "shared/result.h"

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
  std::string extra;     // JSON: model-specific inputs (JobExtra), or empty
  uint32_t width = 0, height = 0;
  int64_t statusMessageId = 0, claims = 0;
  bool cancelled = false;
  double enqueuedMs = 0, startedMs = 0, modelMs = 0;
  i18n::Lang ui() const { return i18n::fromCode(lang); }
};

// A job's model-specific inputs (generation.h QueueJob::extraJson), checked where the queue takes
// them: a trained avatar's LoRA (an https URL the training answered) and its trigger word, or a
// training's avatar (id and name) and the trigger word it teaches. The trigger word is
// [a-z0-9]{1,16}; the name is an avatar name (avatars.h), shown in the "trained" message.
struct JobExtra {
  std::string lora, trigger, name;
  int64_t train = 0;  // the avatar a training is for; 0: not a training
  // Empty text: no inputs. A failure names the field that is wrong.
  static Result<JobExtra> from(std::string_view json);
  std::string json() const;  // "" when empty
};
// A training's job: its result is a LoRA's URL (kept in r2Key), not an image in R2.
bool isTraining(const Job& j);

}  // namespace gen::queue
