// Telegram Update bodies -> parseUpdate, then the command parser and code extraction on whatever
// text came out. Invariants: no crash, code blocks stay inside the text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "command.h"
#include "update.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  webhook::Update u;
  if (webhook::parseUpdate(body, u).empty()) {
    for (const auto& b : u.message.codeBlocks) {
      if (b.begin + b.length > u.message.text.size()) __builtin_trap();
    }
    webhook::Command c = webhook::parseCommand(u.message.text);
    (void)c;
    std::string code, lang;
    webhook::extractCode(u.message.text, u.message.codeBlocks, code, lang);
  }
  // The same bytes as message text.
  webhook::Command c = webhook::parseCommand(body);
  if (!c.name.empty() &&
      c.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
    __builtin_trap();
  }
  std::string code, lang;
  webhook::extractCode(body, {}, code, lang);
  webhook::isValidFileName(body);
  webhook::utf16ToByteOffset(body, int64_t(size));
  return 0;
}
