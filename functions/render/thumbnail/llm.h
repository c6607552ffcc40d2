// Thumbnail analysis by an LLM, when THUMBNAIL_LLM_PROVIDER is set: the model is asked for the
// title's category, style, mood and colours as one JSON object, the answer is validated strictly,
// and on any error, timeout (THUMBNAIL_LLM_TIMEOUT_MS) or invalid answer the caller keeps the
// rules' analysis (analyze.h), which is always computed first.
//
//   thumb::LlmAnalysis r = thumb::analyzeWithLlm(title + " " + subtitle);
//   thumb::Analysis a = r.used ? r.analysis : thumb::analyze(text);
//
// Providers: "workers-ai" (THUMBNAIL_LLM_MODEL on the AI binding) or "openai" (an
// OpenAI-compatible /v1/chat/completions at THUMBNAIL_LLM_URL, Bearer ENHANCE_API_KEY, the key the
// prompt enhancer uses for the same kind of endpoint).
#pragma once

#include <string>
#include <string_view>

#include "thumbnail/analyze.h"

namespace thumb {

bool llmConfigured();

struct LlmAnalysis {
  bool used = false;  // false: keep the rules' analysis
  Analysis analysis;
  std::string note;  // why the answer was not used (for the log)
};

LlmAnalysis analyzeWithLlm(std::string_view text);

// The model's answer -> an analysis. Accepts exactly one JSON object, optionally inside a ```
// fence: "category", "style" and "mood" are required and must be names from analyze.h; "colors"
// is optional, an array of at most 3 "#rrggbb" strings. Anything else (other types, unknown
// names, a fourth colour, trailing prose) is refused with a reason.
[[nodiscard]] bool parseLlmAnswer(std::string_view answer, Analysis& out, std::string& why);

}  // namespace thumb
