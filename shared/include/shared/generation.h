// The generation lifecycle, in one owner: an AI image or a thumbnail from the moment a user asks
// for it to its end. Every SQL statement on the `generations` table lives in generation.cpp; the
// webhook (asking, cancelling, the gallery), the queue object (running) and the cron (watchdog,
// cleanup, metrics) call these functions.
//
//   queued --startProcessing--> processing --complete--> completed
//     |  \------------completeRun (the queue object)-----/
//     |                              |
//     +--abandon / cancel / fail-----+--cancel / fail / timeOut--> failed | cancelled (refunded)
//
// Money moves with the state, in the same D1 batch: create() reserves the price (ledger "reserve",
// ref "gen:<id>"), and every transition to failed or cancelled refunds it once, only when it
// changed the row, so a repeated step, a retried update or a race refunds at most once.
//
//   generation::NewGeneration g{...};
//   Status s = generation::create(g);
//   if (!s && s.error() == Error::LimitReached) explain(generation::limits(user, now));
//   if (s) generation::sendToQueue(model, job);   // or abandon() when the queue is unreachable
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shared/db.h"
#include "shared/result.h"

namespace generation {

enum class Kind { Image, Thumbnail };
const char* kindName(Kind k);  // "image" | "thumbnail"

// A random positive id that fits a JavaScript number and a callback's 64 bytes. Random rather
// than sequential so the row and its credit reservation go in one batch.
int64_t newId();
// The ledger reference of a generation's reservation and refund: "gen:<id>".
std::string ledgerRef(int64_t id);
// The UTC day a free allowance counts in.
double dayStart(double nowMs);

// ---- asking ---------------------------------------------------------------------------------

struct Usage {
  int64_t credits = 0;   // the user's balance
  int64_t freeUsed = 0;  // today's free generations of the kind (images: of any kind)
};
Result<Usage> usageToday(int64_t userId, Kind kind, double nowMs);

struct NewGeneration {
  Kind kind = Kind::Image;
  int64_t id = 0, userId = 0, chatId = 0, updateId = 0;
  std::string model, prompt;
  std::string paramsJson;  // empty: NULL
  int64_t cost = 0;        // reserved in the same batch when > 0
  bool freeTier = false;
  double nowMs = 0;
  // Checked inside the INSERT (an over-limit row fails the table's CHECK and the whole batch):
  bool checkQueueLimits = true;  // QUEUE_MAX_TOTAL active rows, GENERATIONS_PER_HOUR per user
  bool checkFree = false;        // FREE_GENERATIONS_PER_DAY free rows of the kind today
  // A basic thumbnail is drawn before its row exists: it is recorded completed, with its key.
  std::string completedR2Key;
};
// Errors: Duplicate (this update already made one: see bySourceUpdate), Conflict (the user has
// an active generation), InsufficientFunds, LimitReached (see limits()), Unavailable.
Status create(const NewGeneration& g);

// Why a create() was refused by a limit.
struct Limits {
  int64_t active = 0, maxActive = 0;  // queued + processing, all users
  int64_t lastHour = 0, perHour = 0;  // this user's rows in the last hour (failed ones excluded)
  bool queueFull() const { return active >= maxActive; }
  bool hourFull() const { return lastHour >= perHour; }
};
Result<Limits> limits(int64_t userId, double nowMs);

struct Row {
  int64_t id = 0, userId = 0, chatId = 0, cost = 0;
  std::string kind, model, prompt, status;
  std::string thumbJson;         // a premium/pro thumbnail's planned request ($.thumb)
  std::string backgroundPrompt;  // its model prompt ($.background_prompt)
  std::string refsJson;          // reference photos' R2 keys ($.refs, a JSON array), or empty
  std::string negative;          // a style's negative prompt ($.negative)
  int64_t seed = -1;             // $.seed, or -1
  int64_t avatarId = 0;          // the avatar it was drawn from ($.avatar), or 0
  std::string extraJson;         // the job's model-specific inputs ($.extra), or empty
};
// The generation a Telegram update made (a retried update finds its own), if any.
Result<std::optional<Row>> bySourceUpdate(int64_t updateId);
// The user's queued or processing generation, if any (at most one); "processing" when its queue
// object runs it (the row itself stays queued until the end: completeRun).
Result<std::optional<Row>> activeOf(int64_t userId);
// Generation `id` if it is the user's (and of `kind` when given).
Result<std::optional<Row>> owned(int64_t id, int64_t userId, std::optional<Kind> kind = {});

// ---- the model queue object (MODEL_QUEUE, one per model) ------------------------------------

struct QueueJob {
  int64_t id = 0, userId = 0, chatId = 0, cost = 0;
  std::string lang, prompt;
  int64_t freeLeft = -1;  // shown in the "#N in the queue" message when >= 0
  std::string thumbJson;  // a premium/pro thumbnail's request, or empty
  std::string refsJson;   // reference photos: a JSON array of R2 keys under ref/, or empty
  std::string negative;   // a style's negative prompt ($.negative), or empty
  int64_t seed = -1;      // the model's seed ($.seed), or -1: the queue picks one
  // Model-specific inputs ($.extra, a JSON object): a trained avatar's {"lora", "trigger"}, a
  // training's {"train": avatar id, "name", "trigger"} (gen::queue::JobExtra). Empty: none.
  std::string extraJson;
};
// Asks the model's queue object to take the job (idempotent there by id).
Status sendToQueue(std::string_view model, const QueueJob& job);
// Tells the queue the job was cancelled (a queued job leaves; a running one is discarded).
Status cancelInQueue(std::string_view model, int64_t id);
// The watchdog's "go on", and its list of ids D1 says are queued for the model.
Status kickQueue(std::string_view model);
// Answers how many the object added back.
Result<int64_t> ensureQueued(std::string_view model, const std::vector<int64_t>& ids);
// A retried update whose row is still queued: make sure its job reached the queue, else abandon.
// `lang` is the user's. False when the queue was unreachable and the row was abandoned.
bool resend(const Row& row, std::string_view lang, double nowMs);

// ---- transitions (each conditional on the current status; `changed` says whether it moved) ----

// queued -> processing; merges `paramsPatchJson` into params (a thumbnail keeps its plan).
Result<bool> startProcessing(int64_t id, double nowMs, std::string_view paramsPatchJson,
                             int64_t statusMessageId);
// processing -> completed with the stored image.
Result<bool> complete(int64_t id, std::string_view r2Key, double nowMs);
// The queue object's one write per job (issue 23): queued (or processing, a row an older build
// started) -> completed with the stored image, when it started (`startedMs`), `paramsPatchJson`
// merged into params and the status message. While the job runs its row stays queued: the object
// knows it runs (GET /generations asks it), times it out itself, and the cron's ensure resumes a
// runner that vanished.
Result<bool> completeRun(int64_t id, std::string_view r2Key, double startedMs, double nowMs,
                         std::string_view paramsPatchJson, int64_t statusMessageId);
// A trained avatar (issue 22 part 4): completeRun for a training's row, with no image (r2_key
// NULL, so the gallery does not list it; the URL in $.lora), and the LoRA's URL and trigger word
// written to the user's avatar `avatarId` in the same transaction, only if this row is then
// completed (a training cancelled or timed out meanwhile gives the avatar nothing).
Result<bool> completeTraining(int64_t id, int64_t userId, int64_t avatarId,
                              std::string_view loraUrl, std::string_view trigger, double startedMs,
                              double nowMs, int64_t statusMessageId);
// queued | processing -> failed, refunded in the same batch.
Result<bool> fail(int64_t id, int64_t userId, int64_t cost, std::string_view error, double nowMs);
// queued -> failed ('queue unavailable'): the queue object could not take the job.
Result<bool> abandon(int64_t id, int64_t userId, int64_t cost, double nowMs);
// queued | processing -> cancelled by its owner, refunded in the same batch.
Result<bool> cancel(int64_t id, int64_t userId, int64_t cost, double nowMs);
// The row's status ("" when there is no such row).
Result<std::string> status(int64_t id);
Status setEnhancedPrompt(int64_t id, std::string_view prompt);

// ---- the cron --------------------------------------------------------------------------------

struct Stuck {
  int64_t id = 0, userId = 0, cost = 0;  // cost: what a failure refunds (0 for a free one)
  std::string model;
};
// Processing rows started before `beforeMs` (their queue lost them or they hang).
Result<std::vector<Stuck>> stuck(double beforeMs, int64_t limit);
// processing -> failed ('timeout') with the refund; the notice goes out later (unnotified()).
Result<bool> timeOut(const Stuck& s, double nowMs);
struct Unnotified {
  int64_t id = 0, chatId = 0, cost = 0;  // cost: what was refunded
  std::string lang;
};
Result<std::vector<Unnotified>> unnotifiedTimeouts(int64_t limit);
Status markNotified(int64_t id, double nowMs);
// Queued rows, oldest first: (model, id).
Result<std::vector<std::pair<std::string, int64_t>>> queued(int64_t limit);
// The queue object's re-creation of a lost job from its row (queued rows of `model` only).
struct Requeue {
  int64_t userId = 0, chatId = 0, cost = 0;
  double createdMs = 0;
  std::string prompt, lang, thumbJson, refsJson, negative, extraJson;
  int64_t seed = -1;
};
Result<std::optional<Requeue>> requeueOf(int64_t id, std::string_view model);

// Stored images: expired by age, or hidden by their owner (gallery delete) and not yet removed.
struct Stored {
  int64_t id = 0;
  std::string r2Key;
};
Result<std::vector<Stored>> expired(double beforeMs, int64_t limit);
Result<std::vector<Stored>> hiddenWithImage(int64_t limit);
// Forgets the keys of images removed from R2 (the rows stay as history).
Status clearKeys(const std::vector<int64_t>& ids, double nowMs);

// ---- the gallery (completed, not hidden, the owner's only) -----------------------------------

struct Item {
  int64_t id = 0;
  double createdMs = 0;
  int64_t seed = -1;  // -1: none recorded
  std::string kind, prompt, r2Key, model;
  bool favourite = false;
};
struct GalleryFilter {
  std::string kind;  // "" | "image" | "thumbnail"
  double since = 0;  // created_ms at or after
  bool favourites = false;
  int64_t avatar = 0;  // drawn from this avatar ($.avatar), 0: any
};
enum class Move { Newest, Older, Newer, AtOrOlder };
// One item from the cursor (createdMs, id) in (created_ms DESC, id DESC) order.
Result<std::optional<Item>> galleryItem(int64_t userId, Move m, double atCreatedMs, int64_t atId,
                                        const GalleryFilter& f);
struct Place {
  int64_t all = 0, images = 0, thumbnails = 0, favourites = 0;  // every item of the user's
  int64_t total = 0, newer = 0;  // matching the filter; of those, newer than the item
};
Result<Place> galleryPlace(int64_t userId, double createdMs, int64_t id, const GalleryFilter& f);
Result<std::optional<Item>> galleryOpen(int64_t userId, int64_t id);
// Flips the favourite mark; false when the item is not there.
Result<bool> toggleFavourite(int64_t userId, int64_t id, double nowMs);
// Hides the item (the row keeps counting toward the limits) and answers its R2 key ("" when it
// had none); nullopt when the item is not there.
Result<std::optional<std::string>> hide(int64_t userId, int64_t id, double nowMs);
Status clearKey(int64_t userId, int64_t id);

// /forget: hides every finished generation of the user's and blanks what it said (prompt,
// enhanced prompt, params); the rows stay, so the limits still count them. Answers the R2 keys
// of their images (for the caller to delete, then clearKeys) and how many rows it blanked.
struct Forgotten {
  std::vector<Stored> images;
  int64_t rows = 0;
};
Result<Forgotten> forgetUser(int64_t userId, double nowMs);

// ---- reading for others ----------------------------------------------------------------------

// GET /generations/<id>: a status poll, answered by a replica a moment behind if need be.
struct Public {
  int64_t id = 0;
  std::string model, status;
  double createdMs = 0, startedMs = 0, finishedMs = 0;  // 0: not yet
};
Result<std::optional<Public>> publicStatus(int64_t id);

// Statements for callers that batch them with their own (the metrics, the diagnostics routes):
// rows (model, status, n); one row (n) of processing rows started before `beforeMs`.
db::Stmt countByModelAndStatus();
db::Stmt countStuck(double beforeMs);
// Diagnostics (ENABLE_DIAGNOSTICS only): every row with its ledger counts; one row with the
// owner's credits; a seeded row in any state (RETURNING id); a seeded row's image key.
db::Stmt diagAllRows();
db::Stmt diagRow(int64_t id);
db::Stmt diagSeed(int64_t userId, std::string_view model, std::string_view status, int64_t cost,
                  double atMs);
db::Stmt diagSetKey(int64_t id, std::string_view key);

// Whether `key` is one of the user's photos in R2 that a job may read: ref/<user>/ (photos sent
// with a prompt) or avatar/<user>/ (an avatar's photos). Keys are made from ids, never from user
// text; the queue checks every key it is given and again every key it reads.
bool ownsReference(int64_t userId, std::string_view key);

}  // namespace generation
