// Calling an image model: the built-in drawing, Workers AI (host::ai), and HTTP model workers
// (host::fetch). Network errors, 5xx and 429 are retried (MODEL_RETRIES tries in all, exponential
// backoff); other 4xx are not; a moderation answer is its own outcome, never retried.
//
// Timeouts: Workers' fetch has one deadline per request (an AbortSignal), not separate connect
// and read deadlines, so each try gets MODEL_CONNECT_TIMEOUT + MODEL_READ_TIMEOUT, cut to what is
// left of the job's GENERATION_TIMEOUT.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "shared/models.h"

namespace gen {

// BadReference: a reference photo could not be decoded (nothing was sent to the model).
enum class Outcome { Ok, Moderated, Failed, TimedOut, BadReference };

struct ImageResult {
  Outcome outcome = Outcome::Failed;
  std::vector<uint8_t> bytes;
  std::string contentType;
  uint32_t width = 0, height = 0;
  std::string detail;  // for the log: never a key or a full URL with secrets
  int tries = 0;
  // A training's result instead of an image (Model::training): the LoRA weights' https URL.
  std::string loraUrl;
};

// A reference photo as stored (ref/... in R2): the user's bytes, not yet checked.
struct Reference {
  std::vector<uint8_t> bytes;
  std::string contentType;
};

struct GenerateRequest {
  const Model* model = nullptr;
  // Reference photos (issue 22), at most model->maxImages. Each is decoded and re-encoded by the
  // render module before anything is sent (hostile bytes, EXIF): an undecodable one ends the job
  // with Outcome::BadReference. The built-in provider draws a recoloured, mirrored copy of the
  // first.
  std::vector<Reference> refs;
  // A style's negative prompt, added to the model's own; sent only to models that take one.
  std::string negativePrompt;
  std::string prompt;
  uint64_t seed = 0;
  double deadlineMs = 0;  // absolute: no try starts or runs past it
  // A size for this request (a thumbnail's 16:9 background), sent only to models whose params
  // list a size; 0 keeps the model's own.
  int width = 0, height = 0;
  // A trained avatar (a model that takes a LoRA): the weights' URL and the trigger word the
  // prompt starts with. A training (Model::training): the word it teaches; `refs` are the photos.
  std::string lora, trigger;
  // Called between tries so the queue can record that the job is alive.
  std::function<void()> heartbeat;
};

ImageResult generateImage(const GenerateRequest& req);

// Replaces every reference with its decoded and re-encoded copy (the render module: a JPEG of at
// most 1024 px, no EXIF); an ImageResult (BadReference, or Failed) when one fails.
std::optional<ImageResult> normalizeReferences(std::vector<Reference>& refs);

// An asynchronous provider's job (isAsync below): what submitting it gave.
struct Submission {
  Outcome outcome = Outcome::Failed;  // Ok: the provider has it
  std::string requestId, statusUrl, responseUrl;
  std::string detail;
  int tries = 0;
};
// What the provider says of a submitted job now (a webhook that arrived, else a poll).
struct Collected {
  bool pending = true;  // still running there: wait for the next poll or the webhook
  std::string error;    // pending because a poll failed (network, 5xx, 429): counted, retried
  ImageResult result;   // when not pending: the image, or why there is none
};

// A model of an asynchronous provider (fal-queue, fal.h): submitted once, then collected by poll
// or webhook while the queue object waits (queue/job.h stage submitted), instead of one call.
inline bool isAsync(const Model& m) {
  return m.provider == "fal-queue";
}

// A model's answer -> image: raw PNG/JPEG/WebP bytes (SDXL, most workers), or JSON with a base64
// "image" (Workers AI's flux-1-schnell: {"image": "..."}, also under "result"). False otherwise.
bool decodeModelAnswer(std::vector<uint8_t> body, ImageResult& out);

// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string urlEncode(std::string_view s);

// True when a model's answer says the prompt was refused under content rules.
bool looksModerated(int status, std::string_view body);

// The one retry loop of every model call (a synchronous provider's request, an asynchronous
// one's submit). An attempt is given its time (MODEL_CONNECT_TIMEOUT + MODEL_READ_TIMEOUT, cut
// at req.deadlineMs) and says what comes next; transient failures (network, 429, 5xx) are tried
// again up to MODEL_RETRIES times, 500 ms apart doubling, or after the provider's Retry-After
// (at most 30 s), with req.heartbeat between tries, and never past the deadline.
struct Attempt {
  enum Kind { Done, Retry, Stop } kind = Stop;  // Done: the answer is in; Stop: a final failure
  std::string detail;
  double retryAfterMs = 0;
};
struct Retried {
  Outcome outcome = Outcome::Failed;  // Ok: an attempt was Done; TimedOut: the deadline came
  int tries = 0;
  std::string detail;  // the last attempt's
};
Retried withRetries(const GenerateRequest& req, std::string_view what,
                    const std::function<Attempt(double timeoutMs)>& attempt);
// Retry-After's seconds as the loop waits them: at most 30 s.
double retryAfterMs(std::string_view header);

}  // namespace gen
