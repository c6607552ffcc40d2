// 🎲 Variations (issue 22, part 2): N generations of one prompt with new seeds, asked, priced and
// paid together and delivered as one album. Each image is an ordinary generation row
// (generation.h: its own seed, reservation, refund, cancel and watchdog) naming its batch; the
// batch row (migrations/0011_variations.sql) is where the album is decided once.
//
//   generation::batch::create(b, members);      // webhook: one D1 batch, all or nothing
//   ... each member runs in the model's queue; when one ends (delivered, failed, cancelled):
//   Result<AlbumTurn> t = generation::batch::endMember(batchId, genId, now);
//   if (t->claimed) { send the album of t->members' completed images; albumSent(batchId, now); }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "shared/generation.h"
#include "shared/result.h"

namespace generation::batch {

// Telegram's album limit (sendMediaGroup takes 2-10 items): the most VARIATIONS_COUNT can ask.
constexpr int64_t kMaxImages = 10;
// VARIATIONS_COUNT (default 4), held to 2..kMaxImages.
int64_t imagesPerAsk();

struct NewBatch {
  int64_t id = 0, userId = 0, chatId = 0, updateId = 0, sourceGenId = 0;
  double nowMs = 0;
};
// Records the batch and its members (each with batchId = b.id and no update of its own) in one D1
// batch: every member's row with the limits checked inside its INSERT (each image counts toward
// the hour, the free allowance and the queue), every reservation, or nothing at all. Errors as
// generation::create's (Duplicate: this update already made the batch).
Status create(const NewBatch& b, const std::vector<NewGeneration>& members);

// The batch a Telegram update made (a retried confirmation), if any.
Result<std::optional<int64_t>> bySourceUpdate(int64_t updateId);
// The batch's rows (the user's), by id.
Result<std::vector<Row>> members(int64_t batchId, int64_t userId);

struct Member {
  int64_t id = 0, cost = 0, seed = -1, statusMessageId = 0;
  std::string status, r2Key, model, prompt, lang;
};
struct AlbumTurn {
  bool claimed = false;  // this end left no sibling active and won the album: send it now
  // An earlier run of this member claimed it and stopped before it was marked sent: whether
  // Telegram got it is unknown (at most once: say so, never send it again).
  bool interrupted = false;
  int64_t total = 0;
  std::vector<Member> members;  // filled when claimed or interrupted
};
// A member's end (its row completed, failed or cancelled). One statement claims the album for
// the member whose end leaves no sibling active, so two runners ending siblings at once, a
// repeated end and a resumed runner claim it once in all.
Result<AlbumTurn> endMember(int64_t batchId, int64_t genId, double nowMs);
// After Telegram answered (or the interrupted notice went out).
Status albumSent(int64_t batchId, double nowMs);

// /cancel of a batch: every active member cancelled and refunded (each its own batch, refunded
// at most once). Answers the ids it moved and what they refunded.
struct Cancelled {
  std::vector<int64_t> ids;
  int64_t refunded = 0;
};
Result<Cancelled> cancelActive(int64_t batchId, int64_t userId, double nowMs);

// The album's caption figures: images made, and the members that did not make one.
struct Tally {
  int64_t made = 0, failed = 0, refunded = 0;
};
Tally tally(const std::vector<Member>& members);

}  // namespace generation::batch
