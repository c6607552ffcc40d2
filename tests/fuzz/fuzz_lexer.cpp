// Every lexer on arbitrary bytes (the first byte picks the language). Invariant: the tokens cover
// the input exactly, in order, without gaps or overlaps.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "lexer/token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  auto lang = render::Language(data[0] % render::languageCount());
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<render::Token> toks;
  render::tokenize(lang, text, toks);
  size_t pos = 0;
  for (const render::Token& t : toks) {
    if (t.begin != pos || t.length == 0) __builtin_trap();
    pos += t.length;
  }
  if (pos != text.size()) __builtin_trap();
  render::detectLanguage(text.substr(0, 40), text);
  return 0;
}
