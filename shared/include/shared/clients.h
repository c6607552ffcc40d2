// Typed clients over the host's bindings (host_abi.h), for the business layer: R2 objects,
// another function module's routes and events (invoke), a Durable Object's routes, and a chat LLM.
// Each builds the host's JSON envelope in one place and answers with a Result (result.h).
//
//   Result<clients::Answer> a = clients::route("render", "POST", "/thumbnail", body);
//   if (!a) return fail(a.detail());               // the module could not be reached
//   if (a->status != 200) return refuse(a->errorMessage());
//
// (The Telegram Bot API client is shared/telegram.h; D1 is shared/db.h.)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/config.h"
#include "shared/result.h"

namespace clients {

// ---- R2 (the BUCKET binding) -------------------------------------------------------------------
namespace r2 {
struct Object {
  std::vector<uint8_t> bytes;
  std::string contentType;
};
// NotFound when there is no such key.
Result<Object> get(std::string_view key);
// `metadata`: a JSON object's text (custom metadata), or empty.
Status put(std::string_view key, std::span<const uint8_t> bytes, std::string_view contentType,
           std::string_view metadataJson = {});
// Deletes up to 1000 keys in one call; missing keys are not an error.
Status remove(const std::vector<std::string>& keys);
struct Listed {
  std::string key;
  double uploadedMs = 0;
};
struct Listing {
  std::vector<Listed> objects;
  bool truncated = false;
  std::string cursor;  // where the next page starts, when truncated
};
Result<Listing> list(std::string_view prefix, int64_t limit, std::string_view cursor = {});
// Deletes every object under `prefix`, page by page (at most 100 pages of 1000); how many.
Result<int64_t> removePrefix(std::string_view prefix);
}  // namespace r2

// ---- other function modules and Durable Objects ------------------------------------------------

// An HTTP-shaped answer from a module's route or an object's route.
struct Answer {
  int status = 0;
  std::string meta;  // the host's reply JSON: {"status", "headers": {...}}
  std::vector<uint8_t> body;
  std::string_view text() const {
    return {reinterpret_cast<const char*>(body.data()), body.size()};
  }
  // A response header ("" when absent).
  std::string header(std::string_view name) const;
  // The "error" of a JSON error body, or `fallback`.
  std::string errorMessage(std::string_view fallback = "failed") const;
};

// A route of another function module, in-process (host invoke), as POST /render would reach it.
// The RENDER_API_KEY bearer token is added: the routes check it for every caller.
Result<Answer> route(std::string_view function, std::string_view method, std::string_view path,
                     std::string_view jsonBody = {});
// A named event of another function module ({"kind": kind, ...fields}), e.g. the cron asking
// the webhook to reconcile payments. `fieldsJson`: the event's other members as an object's text.
// `body`: bytes the event carries beside its fields (a reference photo for render's "reference").
Result<Answer> event(std::string_view function, std::string_view kind,
                     std::string_view fieldsJson = "{}", std::span<const uint8_t> body = {});
// A route of the Durable Object `name` of namespace `binding` (e.g. MODEL_QUEUE / "flux").
Result<Answer> object(std::string_view binding, std::string_view name, std::string_view method,
                      std::string_view path, std::string_view body = {});

// ---- a chat LLM
// ----------------------------------------------------------------------------------
namespace llm {
struct Chat {
  std::string provider;  // "workers-ai" (the AI binding) | "openai" (an OpenAI-compatible URL)
  std::string model;     // Workers AI model id, or the "model" field sent to the URL
  std::string url;       // openai: .../v1/chat/completions
  std::string urlName;   // the setting that holds it, for the error when it is empty
  std::string apiKey;    // openai: the bearer token, if any
  int64_t timeoutMs = 8000;
  int maxTokens = 256;
  double temperature = 0.7;
  bool jsonAnswer = false;  // openai: response_format json_object
};
// The chat LLM four settings configure: PROVIDER (none | workers-ai | openai), MODEL, URL and
// TIMEOUT_MS (clamped to 100..maxTimeoutMs), with the ENHANCE_API_KEY secret. nullopt when the
// provider is none (or not one of these).
struct Settings {
  config::Setting provider, model, url, timeoutMs;
  int64_t defaultTimeoutMs, maxTimeoutMs;
};
std::optional<Chat> configured(const Settings& s);

// The assistant's answer to `user` under the instructions `system`. BadInput when the provider is
// not configured (none, or openai without a URL); Unavailable / Timeout when the call failed;
// Refused for a non-200 answer.
Result<std::string> complete(const Chat& chat, std::string_view system, std::string_view user);
// The first choice's message content of an OpenAI chat completion body ("" when absent).
std::string chatContent(std::string_view body);
}  // namespace llm

}  // namespace clients
