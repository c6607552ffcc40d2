#include "theme/themes.h"

#include <cstring>
#include <initializer_list>
#include <utility>

namespace render {
namespace {

constexpr Rgba hex(uint32_t v) {
  return Rgba{uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v), 255};
}

using TC = TokenClass;
using Entry = std::pair<TokenClass, uint32_t>;

struct ThemeSpec {
  const char* name;
  bool dark;
  uint32_t background, foreground, lineNumber, highlightLine, title, windowBorder, backdrop;
  std::initializer_list<Entry> tokens;
};

// Only the classes a theme colours; parentClass() fills in the rest. Columns: name, dark,
// background, foreground, line number, highlighted line, title, window border, backdrop.
// clang-format off
const ThemeSpec kSpecs[] = {
    {"monokai", true, 0x272822, 0xf8f8f2, 0x90908a, 0x3e3d32, 0xa6a69c, 0x3b3c35, 0xabb8c3,
     {{TC::Keyword, 0xf92672}, {TC::KeywordType, 0x66d9ef}, {TC::KeywordDeclaration, 0x66d9ef},
      {TC::KeywordConstant, 0xae81ff}, {TC::KeywordNamespace, 0xf92672},
      {TC::NameFunction, 0xa6e22e}, {TC::NameClass, 0xa6e22e}, {TC::NameBuiltin, 0x66d9ef},
      {TC::NameDecorator, 0xa6e22e}, {TC::NameTag, 0xf92672}, {TC::NameAttribute, 0xa6e22e},
      {TC::NameVariable, 0xfd971f}, {TC::NameConstant, 0xae81ff}, {TC::NameLabel, 0xe6db74},
      {TC::String, 0xe6db74}, {TC::StringEscape, 0xae81ff}, {TC::StringInterpol, 0xf8f8f2},
      {TC::Number, 0xae81ff}, {TC::Comment, 0x75715e}, {TC::CommentPreproc, 0xf92672},
      {TC::Operator, 0xf92672}, {TC::OperatorWord, 0xf92672}, {TC::Punctuation, 0xf8f8f2},
      {TC::GenericHeading, 0xa6e22e}, {TC::GenericInserted, 0xa6e22e},
      {TC::GenericDeleted, 0xf92672}, {TC::Error, 0xf92672}}},
    {"dracula", true, 0x282a36, 0xf8f8f2, 0x6272a4, 0x44475a, 0x9aa3c4, 0x3a3c4e, 0x8a7fb5,
     {{TC::Keyword, 0xff79c6}, {TC::KeywordType, 0x8be9fd}, {TC::KeywordDeclaration, 0xff79c6},
      {TC::KeywordConstant, 0xbd93f9}, {TC::NameFunction, 0x50fa7b}, {TC::NameClass, 0x8be9fd},
      {TC::NameBuiltin, 0x8be9fd}, {TC::NameDecorator, 0x50fa7b}, {TC::NameTag, 0xff79c6},
      {TC::NameAttribute, 0x50fa7b}, {TC::NameVariable, 0xffb86c}, {TC::NameConstant, 0xbd93f9},
      {TC::NameLabel, 0xffb86c}, {TC::String, 0xf1fa8c}, {TC::StringEscape, 0xff79c6},
      {TC::StringRegex, 0xff5555}, {TC::StringInterpol, 0xf8f8f2}, {TC::Number, 0xbd93f9},
      {TC::Comment, 0x6272a4}, {TC::CommentPreproc, 0xff79c6}, {TC::Operator, 0xff79c6},
      {TC::OperatorWord, 0xff79c6}, {TC::Punctuation, 0xf8f8f2}, {TC::GenericHeading, 0xbd93f9},
      {TC::GenericInserted, 0x50fa7b}, {TC::GenericDeleted, 0xff5555}, {TC::Error, 0xff5555}}},
    {"github-dark", true, 0x0d1117, 0xc9d1d9, 0x6e7681, 0x1c2a3d, 0x8b949e, 0x30363d, 0x4b5563,
     {{TC::Keyword, 0xff7b72}, {TC::KeywordConstant, 0x79c0ff}, {TC::NameFunction, 0xd2a8ff},
      {TC::NameClass, 0xffa657}, {TC::NameBuiltin, 0xffa657}, {TC::NameDecorator, 0xd2a8ff},
      {TC::NameTag, 0x7ee787}, {TC::NameAttribute, 0x79c0ff}, {TC::NameVariable, 0xffa657},
      {TC::NameConstant, 0x79c0ff}, {TC::NameProperty, 0x79c0ff}, {TC::String, 0xa5d6ff},
      {TC::StringEscape, 0x79c0ff}, {TC::StringRegex, 0x7ee787}, {TC::StringInterpol, 0xc9d1d9},
      {TC::Number, 0x79c0ff}, {TC::Comment, 0x8b949e}, {TC::CommentPreproc, 0xff7b72},
      {TC::Operator, 0xff7b72}, {TC::OperatorWord, 0xff7b72}, {TC::Punctuation, 0xc9d1d9},
      {TC::GenericHeading, 0x1f6feb}, {TC::GenericInserted, 0xaff5b4},
      {TC::GenericDeleted, 0xffdcd7}, {TC::Error, 0xf85149}}},
    {"github-light", false, 0xffffff, 0x24292f, 0x8c959f, 0xfff8c5, 0x57606a, 0xd0d7de, 0xdce3ea,
     {{TC::Keyword, 0xcf222e}, {TC::KeywordConstant, 0x0550ae}, {TC::NameFunction, 0x8250df},
      {TC::NameClass, 0x953800}, {TC::NameBuiltin, 0x953800}, {TC::NameDecorator, 0x8250df},
      {TC::NameTag, 0x116329}, {TC::NameAttribute, 0x0550ae}, {TC::NameVariable, 0x953800},
      {TC::NameConstant, 0x0550ae}, {TC::NameProperty, 0x0550ae}, {TC::String, 0x0a3069},
      {TC::StringEscape, 0x0550ae}, {TC::StringRegex, 0x116329}, {TC::StringInterpol, 0x24292f},
      {TC::Number, 0x0550ae}, {TC::Comment, 0x6e7781}, {TC::CommentPreproc, 0xcf222e},
      {TC::Operator, 0xcf222e}, {TC::OperatorWord, 0xcf222e}, {TC::Punctuation, 0x24292f},
      {TC::GenericHeading, 0x0550ae}, {TC::GenericInserted, 0x116329},
      {TC::GenericDeleted, 0x82071e}, {TC::Error, 0xcf222e}}},
    {"one-dark", true, 0x282c34, 0xabb2bf, 0x636d83, 0x2c313c, 0x7f848e, 0x3b4048, 0x8a9bb0,
     {{TC::Keyword, 0xc678dd}, {TC::KeywordConstant, 0xd19a66}, {TC::KeywordType, 0xe5c07b},
      {TC::NameFunction, 0x61afef}, {TC::NameClass, 0xe5c07b}, {TC::NameBuiltin, 0xe5c07b},
      {TC::NameDecorator, 0x61afef}, {TC::NameTag, 0xe06c75}, {TC::NameAttribute, 0xd19a66},
      {TC::NameVariable, 0xe06c75}, {TC::NameConstant, 0xd19a66}, {TC::NameProperty, 0xe06c75},
      {TC::String, 0x98c379}, {TC::StringEscape, 0x56b6c2}, {TC::StringRegex, 0x56b6c2},
      {TC::StringInterpol, 0xabb2bf}, {TC::Number, 0xd19a66}, {TC::Comment, 0x5c6370},
      {TC::CommentPreproc, 0xc678dd}, {TC::Operator, 0x56b6c2}, {TC::OperatorWord, 0xc678dd},
      {TC::Punctuation, 0xabb2bf}, {TC::GenericHeading, 0xe06c75},
      {TC::GenericInserted, 0x98c379}, {TC::GenericDeleted, 0xe06c75}, {TC::Error, 0xe06c75}}},
    {"nord", true, 0x2e3440, 0xd8dee9, 0x4c566a, 0x3b4252, 0x7b88a1, 0x434c5e, 0x81a1c1,
     {{TC::Keyword, 0x81a1c1}, {TC::KeywordConstant, 0x81a1c1}, {TC::NameFunction, 0x88c0d0},
      {TC::NameClass, 0x8fbcbb}, {TC::NameBuiltin, 0x88c0d0}, {TC::NameDecorator, 0xd08770},
      {TC::NameTag, 0x81a1c1}, {TC::NameAttribute, 0x8fbcbb}, {TC::NameConstant, 0x8fbcbb},
      {TC::String, 0xa3be8c}, {TC::StringEscape, 0xebcb8b}, {TC::StringRegex, 0xebcb8b},
      {TC::StringInterpol, 0xd8dee9}, {TC::Number, 0xb48ead}, {TC::Comment, 0x616e88},
      {TC::CommentPreproc, 0x5e81ac}, {TC::Operator, 0x81a1c1}, {TC::OperatorWord, 0x81a1c1},
      {TC::Punctuation, 0xeceff4}, {TC::GenericHeading, 0x88c0d0},
      {TC::GenericInserted, 0xa3be8c}, {TC::GenericDeleted, 0xbf616a}, {TC::Error, 0xbf616a}}},
    {"solarized-light", false, 0xfdf6e3, 0x657b83, 0x93a1a1, 0xeee8d5, 0x839496, 0xe4dcc5,
     0xd8cfb4,
     {{TC::Keyword, 0x859900}, {TC::KeywordType, 0xb58900}, {TC::KeywordConstant, 0x2aa198},
      {TC::KeywordNamespace, 0xcb4b16}, {TC::NameFunction, 0x268bd2}, {TC::NameClass, 0xb58900},
      {TC::NameBuiltin, 0x268bd2}, {TC::NameDecorator, 0x268bd2}, {TC::NameTag, 0x268bd2},
      {TC::NameAttribute, 0xb58900}, {TC::NameVariable, 0x268bd2}, {TC::NameConstant, 0x2aa198},
      {TC::String, 0x2aa198}, {TC::StringEscape, 0xdc322f}, {TC::StringRegex, 0xdc322f},
      {TC::StringInterpol, 0x657b83}, {TC::Number, 0xd33682}, {TC::Comment, 0x93a1a1},
      {TC::CommentPreproc, 0xcb4b16}, {TC::Operator, 0x859900}, {TC::OperatorWord, 0x859900},
      {TC::Punctuation, 0x657b83}, {TC::GenericHeading, 0x268bd2},
      {TC::GenericInserted, 0x859900}, {TC::GenericDeleted, 0xdc322f}, {TC::Error, 0xdc322f}}},
// Generated at build time from @shikijs/themes (theme/gen_themes.mjs; not committed): every
// class the generator maps, already resolved the way VS Code resolves TextMate scopes.
#include "generated_themes.inc"
};
// clang-format on

constexpr size_t kThemeCount = sizeof(kSpecs) / sizeof(kSpecs[0]);

struct Table {
  Theme themes[kThemeCount];
  Table() {
    for (size_t i = 0; i < kThemeCount; i++) {
      const ThemeSpec& s = kSpecs[i];
      Theme& t = themes[i];
      t.name = s.name;
      t.dark = s.dark;
      t.background = hex(s.background);
      t.foreground = hex(s.foreground);
      t.lineNumber = hex(s.lineNumber);
      t.highlightLine = hex(s.highlightLine);
      t.title = hex(s.title);
      t.windowBorder = hex(s.windowBorder);
      t.backdrop = hex(s.backdrop);
      TokenClassSet set{};
      for (auto& [cls, rgb] : s.tokens) {
        t.tokens[size_t(cls)] = hex(rgb);
        set[size_t(cls)] = true;
      }
      fillFromParents(t, set);
    }
  }
};

const Table& table() {
  static const Table t;
  return t;
}

}  // namespace

TokenClass parentClass(TokenClass c) {
  std::string_view name = tokenClassName(c);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return TokenClass::Text;
  std::string_view parent = name.substr(0, dot);
  for (size_t i = 0; i < size_t(TokenClass::Count); i++) {
    if (parent == tokenClassName(TokenClass(i))) return TokenClass(i);
  }
  return TokenClass::Text;
}

void fillFromParents(Theme& t, const TokenClassSet& given) {
  TokenClassSet set = given;
  t.tokens[size_t(TokenClass::Text)] = t.foreground;
  set[size_t(TokenClass::Text)] = true;
  for (size_t c = 0; c < size_t(TokenClass::Count); c++) {
    TokenClass p = TokenClass(c);
    while (!set[size_t(p)]) p = parentClass(p);
    t.tokens[c] = t.tokens[size_t(p)];
  }
}

const Theme* findTheme(std::string_view name) {
  for (const Theme& t : table().themes) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

size_t themeCount() {
  return kThemeCount;
}
const Theme& themeAt(size_t i) {
  return table().themes[i];
}

}  // namespace render
