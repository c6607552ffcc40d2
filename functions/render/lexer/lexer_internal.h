// Shared machinery for the per-language lexers: the token sink, a byte scanner and keyword sets.
//
// Every lexer has the shape `void lexFoo(Sink&, std::string_view src, size_t pos)`: it lexes
// src[pos, src.size()) and emits contiguous tokens through the sink. Embedded languages (script in
// HTML, fenced code in Markdown, ${} in templates) are lexed by handing a *truncated* view of the
// same text to another lexer, so offsets stay absolute and no lexer can read past its region.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "token.h"

namespace render::lex {

// Collects tokens, merging a token into the previous one when it has the same class and touches it.
class Sink {
 public:
  explicit Sink(std::vector<Token>& out) : out_(out) {}

  void add(TokenClass cls, size_t begin, size_t end) {
    if (end <= begin) return;
    if (!out_.empty()) {
      Token& last = out_.back();
      if (last.cls == cls && last.begin + last.length == begin) {
        last.length += static_cast<uint32_t>(end - begin);
        return;
      }
    }
    out_.push_back(Token{cls, static_cast<uint32_t>(begin), static_cast<uint32_t>(end - begin)});
  }

  // Nesting depth of embedded lexers; past kMaxDepth embedded code is emitted as a plain string
  // instead of recursing, so adversarial input like `${`${`${... cannot exhaust the stack.
  int depth = 0;
  static constexpr int kMaxDepth = 48;

 private:
  std::vector<Token>& out_;
};

// Counts and restores Sink::depth around an embedded lex.
class DepthGuard {
 public:
  explicit DepthGuard(Sink& sink) : sink_(sink) { ++sink_.depth; }
  ~DepthGuard() { --sink_.depth; }
  bool tooDeep() const { return sink_.depth > Sink::kMaxDepth; }

 private:
  Sink& sink_;
};

inline bool isDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}
inline bool isHexDigit(unsigned char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool isAlpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool isBlank(unsigned char c) {
  return c == ' ' || c == '\t';
}
inline bool isAsciiIdentStart(unsigned char c) {
  return isAlpha(c) || c == '_';
}
inline bool isAsciiIdentChar(unsigned char c) {
  return isAlpha(c) || isDigit(c) || c == '_';
}
inline char toLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

// Length of the valid UTF-8 sequence starting at s[i] (1 for ASCII), or 0 when the bytes there are
// not valid UTF-8 (stray continuation, overlong form, surrogate, truncated sequence).
size_t utf8Len(std::string_view s, size_t i);

// End of an identifier starting at `i`: ASCII letters, digits, '_', the extra ASCII characters in
// `extra`, and any valid non-ASCII UTF-8 sequence (Unicode identifiers). Returns `i` when none.
size_t scanIdent(std::string_view s, size_t i, std::string_view extra = {});
inline bool startsIdent(std::string_view s, size_t i) {
  if (i >= s.size()) return false;
  unsigned char c = s[i];
  return isAsciiIdentStart(c) || (c >= 0x80 && utf8Len(s, i) > 1);
}

// End of the whitespace run starting at `i`.
inline size_t skipSpace(std::string_view s, size_t i) {
  while (i < s.size() && isSpace(s[i])) ++i;
  return i;
}
inline size_t skipBlank(std::string_view s, size_t i) {
  while (i < s.size() && isBlank(s[i])) ++i;
  return i;
}
inline size_t lineEnd(std::string_view s, size_t i) {
  size_t e = s.find('\n', i);
  return e == std::string_view::npos ? s.size() : e;
}
inline bool startsWith(std::string_view s, size_t i, std::string_view w) {
  return s.size() - std::min(i, s.size()) >= w.size() && s.compare(i, w.size(), w) == 0;
}
bool startsWithNoCase(std::string_view s, size_t i, std::string_view w);

// Emits the whitespace run at `i` (if any) and returns its end.
inline size_t emitSpace(Sink& sink, std::string_view s, size_t i) {
  size_t e = skipSpace(s, i);
  sink.add(TokenClass::Whitespace, i, e);
  return e;
}

// Emits one unrecognised character at `i` as Text: a whole valid UTF-8 sequence, or one byte of
// invalid UTF-8. Returns the end.
size_t emitOther(Sink& sink, std::string_view s, size_t i);

constexpr uint32_t hashWord(std::string_view w) {
  uint32_t h = 2166136261u;  // FNV-1a
  for (char c : w) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
  return h;
}

// A set of words built at compile time: an open-addressing hash table over the words plus a
// mask of the word lengths present, so most identifiers are rejected without touching memory
// and the rest cost one hash and about one comparison. Nothing is built at run time.
struct WordList {
  const std::string_view* words = nullptr;
  const uint16_t* slots = nullptr;  // indexes into words; 0xFFFF = empty
  uint32_t mask = 0;                // table size - 1
  uint64_t lengths = 0;             // bit k set when some word has length k (k < 64)

  bool contains(std::string_view w) const {
    if (w.size() >= 64 || !(lengths >> w.size() & 1)) return false;
    for (uint32_t i = hashWord(w) & mask;; i = (i + 1) & mask) {
      uint16_t k = slots[i];
      if (k == 0xFFFF) return false;
      if (words[k] == w) return true;
    }
  }
  // ASCII case-insensitive lookup; the list must be lower case (SQL).
  bool containsNoCase(std::string_view w) const;
};

template <size_t N>
struct WordSet {
  static constexpr size_t kSlots = [] {
    size_t t = 4;
    while (t < 2 * N) t *= 2;
    return t;
  }();
  static_assert(N < 0xFFFF);
  std::array<std::string_view, N> words{};
  std::array<uint16_t, kSlots> slots{};
  uint64_t lengths = 0;

  constexpr WordSet(const std::string_view (&w)[N]) {
    for (size_t i = 0; i < kSlots; ++i) slots[i] = 0xFFFF;
    for (size_t i = 0; i < N; ++i) {
      words[i] = w[i];
      if (w[i].size() < 64) lengths |= uint64_t{1} << w[i].size();
      uint32_t h = hashWord(w[i]) & (kSlots - 1);
      while (slots[h] != 0xFFFF) h = (h + 1) & (kSlots - 1);
      slots[h] = static_cast<uint16_t>(i);
    }
  }
  constexpr WordList list() const {
    return WordList{words.data(), slots.data(), static_cast<uint32_t>(kSlots - 1), lengths};
  }
  bool contains(std::string_view w) const { return list().contains(w); }
};
template <size_t N>
WordSet(const std::string_view (&)[N]) -> WordSet<N>;

// Entry points of the per-language lexers (defined in lex_*.cpp).
void lexPlain(Sink&, std::string_view, size_t);
void lexPython(Sink&, std::string_view, size_t);
void lexCLike(Language, Sink&, std::string_view, size_t);
void lexPhp(Sink&, std::string_view, size_t);
void lexBash(Sink&, std::string_view, size_t);
void lexDockerfile(Sink&, std::string_view, size_t);
void lexHtml(Sink&, std::string_view, size_t);
void lexCss(Sink&, std::string_view, size_t);
void lexMarkdown(Sink&, std::string_view, size_t);
void lexJson(Sink&, std::string_view, size_t);
void lexYaml(Sink&, std::string_view, size_t);
void lexToml(Sink&, std::string_view, size_t);
void lexSql(Sink&, std::string_view, size_t);
void lexRuby(Sink&, std::string_view, size_t);
void lexLua(Sink&, std::string_view, size_t);

// True for the hand-written languages now lexed by their Pygments table because it agrees better
// with Pygments on real files (CSS, TypeScript, PHP, Java, Kotlin, C#, Swift, Rust, Ruby, SQL,
// TOML, Dockerfile, Lua; bench/results/accuracy.md, kByTable in language.cpp). Their hand-written
// lexers stay as the fallback of a build without tables.
bool lexedByTable(Language lang);
// The name of that table ("docker" for Dockerfile), or "-" when `lang` is not lexed wholly by a
// table (Markdown's fenced code is lexed by our lexers).
const char* tableNameFor(Language lang);

// Dispatches to the lexer for `lang` (used for embedded code).
void lexLanguage(Language lang, Sink& sink, std::string_view src, size_t pos);

}  // namespace render::lex
