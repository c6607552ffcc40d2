// Image models, from the MODELS setting (JSON), shared by the webhook (prices, validation) and the
// queue object (how to call each one). Nothing about a model is hard-coded beyond the defaults.
//
//   MODELS =
//   [{"name":"flux","provider":"workers-ai","model":"@cf/black-forest-labs/flux-1-schnell",
//              "cost":1,"params":{"steps":4}}, ...]
//
// provider: "builtin" (draws offline), "workers-ai" (the AI binding; "model" is the model id),
// "http-get" (Flux-style worker: GET url?prompt=..., no auth), "http-post" (SDXL-style worker:
// POST JSON with "Authorization: Bearer MODEL_API_KEY"), "fal-queue" (an asynchronous model API in
// FAL's queue format: "model" is the model id, e.g. "fal-ai/flux/schnell", at FAL_API_BASE with
// "Authorization: Key FAL_KEY"; submitted once, then polled or completed by FAL's webhook, while
// the job keeps its slot: functions/generate/fal.h).
//
// inputs: what the model accepts besides the prompt (issue 22), default text only:
//   "inputs": ["text", "image"]       one reference photo (SDXL img2img)
//   "inputs": ["text", "images:4"]    up to 4 reference photos (flux-2)
//   "inputs": ["image", "text"], "requires_image": true   refuses a prompt without a photo
//   "inputs": ["text", "lora"]        takes a trained avatar's LoRA (fal-queue: "loras")
// "format" (workers-ai only) says how the photos travel: "image_b64" (img2img
// models: JSON with "image_b64" and "strength") or "multipart" (flux-2: form data with
// "input_image_0".."input_image_3"); when absent it follows the model id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gen {

struct Model {
  std::string name;      // [a-z0-9_-]{1,32}: used in commands, callback data, R2 keys
  std::string provider;  // builtin | workers-ai | http-get | http-post | fal-queue
  std::string target;    // Workers AI model id, or the worker's URL
  int64_t cost = 1;
  // Parameters the model takes; 0 / empty means "the model does not have it".
  int width = 0, height = 0, steps = 0;
  std::string negativePrompt;
  bool seed = false;            // send a random seed (recorded with the generation)
  std::string answer = "auto";  // workers-ai: "base64-json" (flux) | "bytes" (sdxl) | "auto"
  int concurrency = 1;          // jobs run at once by this model's queue
  int maxImages = 0;            // reference photos it takes (0: text only)
  bool requiresImage = false;   // a prompt alone is refused
  double strength = 0;          // img2img: how far from the photo (0: the model's default)
  std::string format;           // workers-ai with photos: "image_b64" | "multipart"
  bool lora = false;            // takes a trained avatar's LoRA weights (fal-queue only)
  bool training = false;        // AVATAR_TRAINING: trains a LoRA, makes no image
  bool takesImages() const { return maxImages > 0; }
};

// A style preset (STYLE_PRESETS, JSON; built-in defaults when empty):
//   [{"name":"anime","prefix":"anime style, ","suffix":", cel shading","negative_prompt":"photo",
//     "model":"flux"}, ...]
// /image=MODEL=STYLE=PROMPT (or /image=STYLE=PROMPT: the style's own model) puts the prefix and
// suffix around the prompt and adds its negative prompt for models that take one.
struct Style {
  std::string name;  // [a-z0-9_-]{1,32}
  std::string prefix, suffix, negativePrompt;
  std::string model;  // the preferred model, or empty
  std::string apply(std::string_view prompt) const { return prefix + std::string(prompt) + suffix; }
};
const std::vector<Style>& styles();
const Style* findStyle(std::string_view name);
std::vector<Style> parseStyles(std::string_view json, std::string* error);

// The configured models (MODELS, or the built-in offline defaults when it is empty). A model entry
// that does not parse is skipped with a warning in the log.
const std::vector<Model>& models();
const Model* findModel(std::string_view name);
// "flux, sdxl" for messages.
std::string modelNames();
// The models that take reference photos, "flux, edit" (empty when none does).
std::string imageModelNames();
// Trained avatars (issue 22 part 4): AVATAR_TRAINING is one model entry in MODELS' format,
//   {"name":"avatar-training","provider":"fal-queue","model":"fal-ai/flux-lora-fast-training",
//    "cost":40,"params":{"steps":1000}}
// whose queue trains a LoRA from an avatar's photos (fal.h trainingInput). It is not an image
// model: findModel() never answers it, so no /image or button can reach it. nullptr when unset
// or not a fal-queue entry.
const Model* trainingModel();
// The model a job of queue `name` runs: an image model, or the training model.
const Model* queueModel(std::string_view name);
// The model a trained avatar draws with: AVATAR_LORA_MODEL, else the first that takes a LoRA;
// nullptr when none does.
const Model* loraModel();
// For tests: parse a MODELS value.
std::vector<Model> parseModels(std::string_view json, std::string* error);

}  // namespace gen
