// Prompt enhancement with an LLM (ENHANCE_PROVIDER: none | workers-ai | openai). Never blocks the
// job: on any error, an empty or unusable answer, or after ENHANCE_TIMEOUT_MS, the original
// prompt is used.
#pragma once

#include <string>
#include <string_view>

namespace gen {

bool enhancementEnabled();

struct Enhanced {
  std::string prompt;  // what goes to the model
  bool improved = false;
  std::string note;  // why the original was kept (for the log)
};
Enhanced enhancePrompt(std::string_view prompt);

// The LLM's answer -> a prompt: code fences, "Prompt:" labels, surrounding quotes and extra
// whitespace removed, cut to maxChars code points. Empty when nothing usable is left.
std::string cleanEnhanced(std::string_view answer, size_t maxChars);

}  // namespace gen
