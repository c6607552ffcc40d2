// POST /render's custom theme: a JSON object of colours -> a Theme, or a message naming what is
// wrong (the caller answers 400 with it).
//
//   {"background": "#1e1e2e", "foreground": "#cdd6f4",          required
//    "dark": true,                                              optional: from the background
//    "line_number": "#7f849c", "highlight_line": "#313244",    optional: mixed from the two above
//    "tokens": {"keyword": "#cba6f7", "comment": "#7f849c"}}    optional: class names as --tokens
//                                                               prints them; the rest fall back
//                                                               to their parent class
//
//   render::Theme t;
//   std::string err = render::parseCustomTheme(element, t);     // empty: t is ready
//
// Unknown keys, unknown classes, values of the wrong type and colours other than "#rrggbb" or
// "#rgb" are refused; so are objects of more than kMaxCustomThemeKeys keys or token maps of more
// than kMaxCustomTokenKeys (duplicates count: parsing costs what the caller sends).
#pragma once

#include <simdjson.h>

#include <string>

#include "theme/themes.h"

namespace render {

constexpr size_t kMaxCustomThemeKeys = 16;
constexpr size_t kMaxCustomTokenKeys = 64;

std::string parseCustomTheme(const simdjson::dom::element& e, Theme& out);

}  // namespace render
