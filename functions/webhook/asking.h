// The webhook's side of asking for a queued generation (an AI image, a premium thumbnail): the
// retried update that finds its own job, the row and its reservation (generation::create), the
// queue call, and the messages for every refusal. generation.cpp and thumbnails.cpp decide what
// to ask for and at what price; this is how it is asked.
#pragma once

#include <functional>
#include <optional>

#include "bot_feature.h"
#include "shared/generation.h"

namespace webhook {

// A new generation of `kind` for this update: a fresh id, the user, the chat, the update, now.
generation::NewGeneration newGeneration(const Ctx& c, generation::Kind kind);

// A retried update whose row exists: makes sure its job reached the queue (else abandons it and
// says `unavailable`). nullopt when this update made no generation yet.
std::optional<Outcome> resumeRetried(Ctx& c, i18n::Msg unavailable);

struct Refusals {
  i18n::Msg unavailable;                // the queue object could not be reached
  std::function<Outcome()> noFunds;     // the reservation found the balance too low
  std::function<Outcome()> otherLimit;  // a limit other than the queue's or the hour's
  // Work between the row's creation and the queue call (storing reference photos): false ends
  // it there, the row abandoned and refunded (the user was told why).
  std::function<bool()> beforeQueue;
};
// Records `g` (limits checked inside the INSERT, the price reserved in the same batch) and sends
// `job` to the model's queue; a queue that cannot take it gets the row abandoned and refunded.
Outcome createAndQueue(Ctx& c, const generation::NewGeneration& g, const generation::QueueJob& job,
                       const Refusals& r);

}  // namespace webhook
