#include "asking.h"

#include "shared/host.h"

namespace webhook {

using i18n::Msg;

generation::NewGeneration newGeneration(const Ctx& c, generation::Kind kind) {
  generation::NewGeneration g;
  g.kind = kind;
  g.id = generation::newId();
  g.userId = c.userId;
  g.chatId = c.chatId;
  g.updateId = c.updateId;
  g.nowMs = c.now;
  return g;
}

std::optional<Outcome> resumeRetried(Ctx& c, Msg unavailable) {
  Result<std::optional<generation::Row>> again = generation::bySourceUpdate(c.updateId);
  if (!again) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (!*again) return std::nullopt;
  if (!generation::resend(**again, i18n::code(c.lang), c.now)) say(c, unavailable);
  return Outcome::Done;
}

namespace {

// Tells the user which limit the INSERT's CHECK found.
Outcome explainLimit(Ctx& c, const Refusals& r) {
  Result<generation::Limits> l = generation::limits(c.userId, c.now);
  if (!l) {
    say(c, Msg::Sorry);
    return Outcome::StorageFailed;
  }
  if (l->queueFull()) {
    say(c, Msg::GenQueueFull, {{"count", l->active}, {"max", l->maxActive}});
    return Outcome::Done;
  }
  if (l->hourFull() || !r.otherLimit) {
    say(c, Msg::GenHourLimit, {{"max", l->perHour}});
    return Outcome::Done;
  }
  return r.otherLimit();
}

}  // namespace

Outcome createAndQueue(Ctx& c, const generation::NewGeneration& g, const generation::QueueJob& job,
                       const Refusals& r) {
  if (Status created = generation::create(g); !created) {
    switch (created.error()) {
      case Error::Duplicate:
        return resumeRetried(c, r.unavailable).value_or(Outcome::Done);
      case Error::Conflict:
        say(c, Msg::GenActiveExists);
        return Outcome::Done;
      case Error::InsufficientFunds:
        return r.noFunds();
      case Error::LimitReached:
        return explainLimit(c, r);
      default:
        logger::error("generation: " + created.detail());
        say(c, Msg::Sorry);
        return Outcome::StorageFailed;
    }
  }
  if (r.beforeQueue) {
    if (!r.beforeQueue()) {
      Result<bool> a = generation::abandon(g.id, c.userId, g.cost, c.now);
      if (!a)
        logger::error("generation " + std::to_string(g.id) + ": could not abandon: " + a.detail());
      return Outcome::Done;
    }
  }
  if (Status s = generation::sendToQueue(g.model, job); !s) {
    logger::error("generation " + std::to_string(g.id) + ": " + s.detail());
    Result<bool> a = generation::abandon(g.id, c.userId, g.cost, c.now);
    if (!a)
      logger::error("generation " + std::to_string(g.id) + ": could not abandon: " + a.detail());
    say(c, r.unavailable);
  }
  return Outcome::Done;
}

}  // namespace webhook
