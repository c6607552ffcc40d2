// An asynchronous model API in FAL's queue format ("provider":"fal-queue" in MODELS): a job is
// submitted once and its result collected later, by polling or from FAL's webhook.
//
//   submit    POST {FAL_API_BASE}/{model id}[?fal_webhook=URL]   Authorization: Key FAL_KEY
//             -> {"request_id", "status_url", "response_url"}
//   poll      GET status_url -> {"status": "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED"}
//   result    GET response_url -> {"images": [{"url", ...}], "has_nsfw_concepts": [...]}, then the
//             image's URL (https, or a data: URI)
//   webhook   POST URL {"request_id", "status": "OK" | "ERROR", "payload": {...}, "error": "..."}
//
// Retries as the synchronous providers (providers.h): network errors, 5xx and 429 are retried
// (MODEL_RETRIES tries when submitting; polls that fail are counted by the caller), each call cut
// at MODEL_CONNECT_TIMEOUT + MODEL_READ_TIMEOUT and at the job's deadline. The status and response
// URLs FAL answers are followed only when they are under FAL_API_BASE (the key goes with them).
#pragma once

#include <string>
#include <string_view>

#include "providers.h"

namespace gen::fal {

// The request's body for the model: prompt, size, steps, seed, negative prompt, and the reference
// photos (already normalised JPEGs) as data URIs: "image_url" (the first) and "image_urls" (all).
// A trained avatar (req.lora): "loras": [{"path", "scale"}] and the trigger word before the prompt.
// A training model (Model::training, e.g. fal-ai/flux-lora-fast-training): the photos as one
// stored ZIP in a data URI ("images_data_url"), the trigger word, "create_masks".
std::string inputJson(const GenerateRequest& req);

Submission submit(const GenerateRequest& req, std::string_view webhookUrl);

// One status call; when COMPLETED, the result and its image.
Collected poll(const Model& m, std::string_view statusUrl, std::string_view responseUrl,
               double deadlineMs);

// Asks FAL to stop a request it still runs (PUT {response_url}/cancel), so that a job we gave up
// (timed out, cancelled by its user) costs no more model time. Best effort: false when FAL did
// not confirm.
bool cancel(std::string_view responseUrl);

// A webhook's body, parsed. `ok`: status OK; `payload`: the result object's JSON (OK), `error`:
// the provider's words (ERROR).
struct Hook {
  bool valid = false;
  std::string requestId;
  bool ok = false;
  std::string payload, error;
};
Hook parseHook(std::string_view body);

// The result (a response, or an OK webhook's payload) -> the image, fetched; a failure otherwise.
ImageResult imageFrom(std::string_view resultJson, double deadlineMs);
// A training's result {"diffusers_lora_file": {"url"}, "config_file": {...}} -> its loraUrl.
ImageResult loraFrom(std::string_view resultJson);
// Either, by the model's kind.
ImageResult resultFrom(const Model& m, std::string_view resultJson, double deadlineMs);
// An ERROR webhook, or a response that is not 200: moderated or failed, never retried.
ImageResult failureFrom(int status, std::string_view text);

}  // namespace gen::fal
