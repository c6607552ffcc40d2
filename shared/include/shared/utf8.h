// UTF-8 helpers: text from users is never assumed valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace utf8 {

// Length (1-4) of the well-formed UTF-8 sequence starting at s[i], or 0 when it is not one
// (overlong, surrogate, above U+10FFFF, truncated or a stray continuation byte).
size_t validSequenceLength(std::string_view s, size_t i);

bool isValid(std::string_view s);

// Decodes one code point at s[i] and advances i; an invalid byte yields U+FFFD and advances by 1.
char32_t next(std::string_view s, size_t& i);

void append(std::string& out, char32_t cp);

// `s` without leading and trailing spaces, tabs, carriage returns and newlines.
std::string_view trimSpace(std::string_view s);

}  // namespace utf8
