// Message text -> a command (pure; fuzzed). "/save@MyBot main.py\nprint(1)" gives name "save",
// args "main.py", body "print(1)".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "update.h"

namespace webhook {

struct Command {
  std::string name;  // lower case, without '/' and '@bot'; empty when the text is no command
  std::string args;  // the rest of the first line, trimmed
  std::string body;  // everything after the first line
};

Command parseCommand(std::string_view text);

// The code a message carries for rendering or saving: the first Telegram code block ("pre"
// entity), else the first ``` fenced block in the text. `language` is the fence's or entity's
// language tag, if any. False when there is none.
bool extractCode(std::string_view text, const std::vector<CodeBlock>& blocks, std::string& code,
                 std::string& language);

// A saved file's name: 1-64 bytes of letters, digits, '.', '_', '-', not starting with '.', no
// "..". Keeps names safe in captions, callback data and anything built from them.
bool isValidFileName(std::string_view name);

// A decimal id of at most 18 digits (callback data, payloads); false for anything else.
bool parseId(std::string_view s, int64_t& out);

}  // namespace webhook
