// The table-driven lexers: Pygments' RegexLexer rules, exported at build time by
// pygments_export.py into the arrays below (a generated .cpp, never committed), run with PCRE2.
//
// The engine is Pygments' RegexLexer.get_tokens_unprocessed: at each position the rules of the
// state on top of the stack are tried in order, anchored there; the first that matches emits its
// token(s) and applies its transition (push states, '#push', '#pop', '#pop:n'). When none matches,
// a newline resets the stack to root and any other character becomes one plain token.
//
// Hostile input: every match runs under PCRE2 match, depth and heap limits, and the whole file
// under a budget of match attempts proportional to its size; when either trips, the rest of the
// file is plain text (the render still succeeds, only the colours stop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lexer_internal.h"

namespace render::table {

// Generated data (pygments_export.py). Strings are offsets into kPool (NUL-terminated).
struct RegexDef {
  uint32_t pattern;
  uint32_t length;
  uint32_t flags;  // 1 ignore case, 2 multiline, 4 dot-all, 8 verbose
};
struct StateDef {
  uint32_t firstRule;
  uint32_t ruleCount;
};
// action / transition: offsets into kInts, or -1 for none.
//   action:     [0, class] | [1, n, action...] bygroups (-1 = group skipped) |
//               [2, lexer (-1 = this), n, state...] using | [3, class] a Python callback:
//               the whole match as one token
//   transition: [0, n, item...] (item: state, -1 '#pop', -2 '#push', and the stack snapshots
//               that some lexers keep in a Python callback: -3 save a copy of the stack, -4 make
//               the stack the last copy again, -5 drop the last copy) | [1, n] pop n states
struct RuleDef {
  uint32_t regex;
  int32_t action;
  int32_t transition;
};
struct LexerDef {
  uint32_t name, title, aliases, filenames, mimetypes;  // comma-separated lists
  uint32_t firstState, stateCount;                      // state 0 is "root"
  uint32_t visible;  // named in table_languages.txt (others are only reached through using())
  // Recolouring of known words (Pygments lexers that post-process in Python): offset into kInts of
  // [n, (stage, from class or -1 = any, to class, words: '\n'-separated sorted list)...], or -1.
  int32_t remaps;
};
extern const char kPool[];
extern const int32_t kInts[];
extern const RegexDef kRegexes[];
extern const StateDef kStates[];
extern const RuleDef kRules[];
extern const LexerDef kLexers[];
extern const uint32_t kLexerCount;
extern const uint32_t kRegexCount;

inline const char* str(uint32_t offset) {
  return kPool + offset;
}

// Caps on one file's lexing. PCRE2's own limits bound the backtracking of one match; the budgets
// bound the whole file: attempts (rules tried) and the bytes that long matches look at.
// Real code takes 2-4 attempts per byte (Perl's CPAN.pm: 2.2; CMake's FindPython.cmake: 3.0).
struct Limits {
  uint32_t matchLimit = 200000;   // PCRE2 match() calls (backtracking steps) per attempt
  uint32_t depthLimit = 1000000;  // PCRE2 nesting per attempt: the heap limit binds first
  uint32_t heapLimitKiB = 16384;  // PCRE2 backtracking memory per attempt (a lazy (.|\n)*? over
                                  // a 50 KB comment needs about 8 MB)
  size_t firstWindow = 128;       // bytes an attempt sees first (then 1 KiB, 8 KiB, ...)
  uint64_t attemptsPerByte = 16;  // budget of attempts: this times the size,
  uint64_t attemptsBase = 50000;  // plus this
  uint64_t bytesPerByte = 64;     // budget of bytes charged for attempts past the first window:
  uint64_t bytesBase = 1u << 20;  // this times the size, plus this
  uint64_t limitHitsPerKiB = 1;   // attempts stopped by a PCRE2 limit (each counts as no match):
  uint64_t limitHitsBase = 16;    // this per KiB, plus this; past that the rest is plain text
};

struct Stats {
  uint64_t attempts = 0;
  uint64_t bytesCharged = 0;
  uint64_t limitHits = 0;
  int error = 0;              // the last PCRE2 error (a limit)
  bool limitTripped = false;  // a PCRE2 limit or the budget cut the lexing short
};

// Lexes src[pos, size) with table lexer `lexer` (an index into kLexers), from its root state.
void lex(uint32_t lexer, lex::Sink& sink, std::string_view src, size_t pos,
         const Limits& limits = Limits{}, Stats* stats = nullptr);

// Compiles every exported regex; returns a description of each that PCRE2 refuses (tests).
std::vector<std::string> compileAll();

}  // namespace render::table
