// The table-driven lexer engine (see table_lexer.h): Pygments' RegexLexer loop over PCRE2.
#include "table_lexer.h"

#include <pcre2.h>

#include <algorithm>
#include <memory>

namespace render::table {

namespace {

// Regexes are compiled on first use and kept for the life of the module instance: a language's
// first file pays for its patterns (~1 ms for a large lexer), later files nothing.
// Besides the code, what a match must start with (a byte set, from PCRE2's own analysis) and its
// minimum length: most rules fail on the first byte, and skipping the call saves its set-up.
struct Prefilter {
  uint8_t bits[32];  // bytes a match can start with
  bool any = true;   // no information: always call pcre2_match
  uint32_t minLength = 0;
};
struct RegexCache {
  std::vector<pcre2_code*> codes;
  std::vector<uint8_t> state;  // 0 not tried, 1 compiled, 2 refused
  std::vector<Prefilter> filters;
  RegexCache() : codes(kRegexCount, nullptr), state(kRegexCount, 0), filters(kRegexCount) {}
};

Prefilter prefilterOf(const pcre2_code* code) {
  Prefilter f;
  uint32_t minLength = 0;
  if (pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &minLength) == 0) f.minLength = minLength;
  const uint8_t* bitmap = nullptr;
  uint32_t type = 0;
  if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &bitmap) == 0 && bitmap) {
    std::copy(bitmap, bitmap + 32, f.bits);
    f.any = false;
  } else if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) == 0 && type == 1) {
    uint32_t cu = 0;
    pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
    if (cu < 0x80) {  // (non-ASCII: its other case may start with another byte; no filter)
      std::fill(f.bits, f.bits + 32, 0);
      auto set = [&](uint32_t c) { f.bits[c >> 3] |= uint8_t(1u << (c & 7)); };
      set(cu);
      if (cu >= 'a' && cu <= 'z') set(cu - 32);
      if (cu >= 'A' && cu <= 'Z') set(cu + 32);
      // Caseless k and s also match U+212A KELVIN SIGN and U+017F LONG S: their lead bytes.
      if (cu == 'k' || cu == 'K') set(0xE2);
      if (cu == 's' || cu == 'S') set(0xC5);
      f.any = false;
    }
  }
  return f;
}

RegexCache& cache() {
  static RegexCache* c = new RegexCache();  // never destroyed: no order-of-exit issues
  return *c;
}

uint32_t compileOptions(uint32_t flags) {
  // Python 3 str patterns are Unicode-aware (\w, \d, \s, case folding): UTF + UCP. Invalid UTF-8
  // in the subject must not make matches fail with an error: it simply never matches.
  uint32_t o = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  if (flags & 1) o |= PCRE2_CASELESS;
  if (flags & 2) o |= PCRE2_MULTILINE;
  if (flags & 4) o |= PCRE2_DOTALL;
  if (flags & 8) o |= PCRE2_EXTENDED;
  return o;
}

pcre2_code* compiled(uint32_t index, int* errorCode = nullptr, size_t* errorOffset = nullptr) {
  RegexCache& c = cache();
  if (c.state[index] == 0) {
    const RegexDef& r = kRegexes[index];
    int err = 0;
    PCRE2_SIZE off = 0;
    c.codes[index] = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(str(r.pattern)), r.length,
                                   compileOptions(r.flags), &err, &off, nullptr);
    c.state[index] = c.codes[index] ? 1 : 2;
    if (c.codes[index]) c.filters[index] = prefilterOf(c.codes[index]);
    if (errorCode) *errorCode = err;
    if (errorOffset) *errorOffset = off;
  }
  return c.codes[index];
}

// The sorted word list at a kPool offset, split once.
const std::vector<std::string_view>& wordList(uint32_t offset) {
  static auto* lists = new std::vector<std::pair<uint32_t, std::vector<std::string_view>>>();
  for (auto& [o, v] : *lists) {
    if (o == offset) return v;
  }
  std::vector<std::string_view> words;
  std::string_view all = str(offset);
  while (!all.empty()) {
    size_t nl = all.find('\n');
    words.push_back(all.substr(0, nl));
    if (nl == std::string_view::npos) break;
    all.remove_prefix(nl + 1);
  }
  lists->emplace_back(offset, std::move(words));
  return lists->back().second;
}

TokenClass remapped(int32_t remaps, TokenClass cls, std::string_view text) {
  const int32_t* r = kInts + remaps;
  int n = r[0];
  int doneStage = -1;
  for (int i = 0; i < n; ++i) {
    const int32_t* rule = r + 1 + 4 * i;
    if (rule[0] == doneStage) continue;  // a rule of this stage already applied
    if (rule[1] >= 0 && rule[1] != static_cast<int32_t>(cls)) continue;
    const auto& words = wordList(static_cast<uint32_t>(rule[3]));
    if (std::binary_search(words.begin(), words.end(), text)) {
      cls = static_cast<TokenClass>(rule[2]);
      doneStage = rule[0];
    }
  }
  return cls;
}

constexpr size_t kMaxStack = 256;   // Pygments' stack is unbounded; ours stops pushing here
constexpr size_t kMaxSaved = 64;    // stack snapshots kept ('#save'); deeper ones are not kept
constexpr int kMaxEmptySteps = 32;  // zero-length matches in a row at one position

struct MatchDataDeleter {
  void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};
struct MatchContextDeleter {
  void operator()(pcre2_match_context* m) const { pcre2_match_context_free(m); }
};

struct Run {
  lex::Sink& sink;
  const Limits& limits;
  Stats& stats;
  uint64_t budget;
  uint64_t byteBudget;
  uint64_t maxLimitHits;
  pcre2_match_context* mctx;
  bool stopped = false;  // a limit tripped: everything after stopAt is plain text
};

void runLexer(Run& run, uint32_t lexer, const char* subj, size_t len, size_t base,
              std::vector<uint16_t> stack);

// One anchored attempt at `pos`. It first sees only a short window of text (hard partial matching:
// reaching the window's end reports "partial", never a false match at an artificial end); only
// when that is not enough is it retried on windows 8 times larger, up to the whole rest, each
// retry charged its window's size to the file's byte budget. So real code, whose tokens are short,
// costs about what an unbounded match would, while an unterminated construct rescanned at every
// position ("((((..." against \([^)]*\)) runs out of budget instead of taking quadratic time.
int match(Run& run, pcre2_code* code, PCRE2_SPTR s, size_t len, size_t pos, pcre2_match_data* md) {
  size_t window = run.limits.firstWindow;
  for (;;) {
    bool whole = len - pos <= window;
    size_t end = whole ? len : pos + window;
    int rc = pcre2_match(code, s, end, pos, PCRE2_ANCHORED | (whole ? 0 : PCRE2_PARTIAL_HARD), md,
                         run.mctx);
    if (rc != PCRE2_ERROR_PARTIAL || whole) return rc;
    window *= 8;
    run.stats.bytesCharged += std::min(window, len - pos);
    if (run.stats.bytesCharged > run.byteBudget) {
      run.stopped = true;
      return PCRE2_ERROR_PARTIAL;
    }
  }
}

// A group's span, copied out of the ovector before any nested lexing reuses match data.
struct Span {
  size_t begin, end;
  bool set;
};

void applyAction(Run& run, uint32_t lexer, int32_t action, const char* subj, size_t base,
                 const Span* groups, int groupCount, Span whole) {
  if (action < 0 || run.stopped) return;
  const int32_t* a = kInts + action;
  switch (a[0]) {
    case 0:
    case 3:
      if (whole.end > whole.begin) {
        auto cls = static_cast<TokenClass>(a[1]);
        int32_t remaps = kLexers[lexer].remaps;
        if (remaps >= 0) {
          cls =
              remapped(remaps, cls, std::string_view(subj + whole.begin, whole.end - whole.begin));
        }
        run.sink.add(cls, base + whole.begin, base + whole.end);
      }
      return;
    case 1: {
      int n = a[1];
      for (int i = 0; i < n; ++i) {
        int32_t sub = a[2 + i];
        if (sub < 0 || i + 1 >= groupCount) continue;
        const Span& g = groups[i + 1];
        if (!g.set) continue;
        // A group handed to a callback (using(), nested bygroups) sees only its own text, as
        // Pygments' _PseudoMatch does.
        Span inner[1] = {{g.begin, g.end, true}};
        applyAction(run, lexer, sub, subj, base, inner, 1, g);
      }
      return;
    }
    case 2: {
      uint32_t target = a[1] < 0 ? lexer : static_cast<uint32_t>(a[1]);
      std::vector<uint16_t> stack;
      for (int i = 0; i < a[2]; ++i) stack.push_back(static_cast<uint16_t>(a[3 + i]));
      lex::DepthGuard guard(run.sink);
      if (guard.tooDeep()) {
        run.sink.add(TokenClass::Text, base + whole.begin, base + whole.end);
        return;
      }
      runLexer(run, target, subj + whole.begin, whole.end - whole.begin, base + whole.begin,
               std::move(stack));
      return;
    }
    default:
      return;
  }
}

void runLexer(Run& run, uint32_t lexer, const char* subj, size_t len, size_t base,
              std::vector<uint16_t> stack) {
  if (lexer >= kLexerCount) {
    run.sink.add(TokenClass::Text, base, base + len);
    return;
  }
  const LexerDef& L = kLexers[lexer];
  if (stack.empty()) stack.push_back(0);
  for (uint16_t& s : stack) {
    if (s >= L.stateCount) s = 0;
  }
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> md(pcre2_match_data_create(64, nullptr));
  if (!md) {
    run.sink.add(TokenClass::Text, base, base + len);
    return;
  }
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subj);
  // '#save' / '#restore' / '#drop' (Haxe's #if/#else/#end): copies of the stack, innermost last.
  // Past kMaxSaved a save only counts, so that its '#drop' still pairs with it.
  std::vector<std::vector<uint16_t>> saved;
  size_t unsaved = 0;
  size_t pos = 0;
  size_t emptyAt = SIZE_MAX;
  int emptySteps = 0;
  Span groups[64];
  while (pos < len) {
    if (run.stopped) break;
    const StateDef& st = kStates[L.firstState + stack.back()];
    bool matched = false;
    for (uint32_t r = 0; r < st.ruleCount && !matched; ++r) {
      const RuleDef& rule = kRules[st.firstRule + r];
      pcre2_code* code = compiled(rule.regex);
      if (!code) continue;  // refused by PCRE2 (the golden test lists none): rule skipped
      const Prefilter& pf = cache().filters[rule.regex];
      if (len - pos < pf.minLength) continue;
      if (!pf.any) {
        auto b = static_cast<unsigned char>(subj[pos]);
        if (!(pf.bits[b >> 3] >> (b & 7) & 1)) continue;
      }
      if (++run.stats.attempts > run.budget) {
        run.stopped = true;
        break;
      }
      int rc = match(run, code, s, len, pos, md.get());
      if (rc == PCRE2_ERROR_PARTIAL && run.stopped) break;
      if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL) continue;
      if (rc < 0) {
        // A match, depth or heap limit. Rarely a long lazy scan on real code (C++'s declaration
        // rule across a long header): that rule counts as not matching here. Often, a hostile
        // file: past a few such trips per KiB, the rest of the file is plain text.
        run.stats.error = rc;
        if (++run.stats.limitHits > run.maxLimitHits) {
          run.stopped = true;
          break;
        }
        continue;
      }
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
      int count = rc == 0 ? 64 : rc;
      for (int g = 0; g < 64; ++g) {
        bool set = g < count && ov[2 * g] != PCRE2_UNSET;
        groups[g] = {set ? ov[2 * g] : 0, set ? ov[2 * g + 1] : 0, set};
      }
      size_t end = groups[0].end;
      if (end == pos) {
        // Zero-length matches only change state; a cycle of them would never end.
        if (emptyAt == pos && ++emptySteps > kMaxEmptySteps) continue;
        if (emptyAt != pos) {
          emptyAt = pos;
          emptySteps = 0;
        }
      }
      applyAction(run, lexer, rule.action, subj, base, groups, 64, groups[0]);
      pos = end;
      if (rule.transition >= 0) {
        const int32_t* t = kInts + rule.transition;
        if (t[0] == 1) {
          size_t n = static_cast<size_t>(t[1]);
          if (n >= stack.size()) {
            stack.resize(1);
          } else {
            stack.resize(stack.size() - n);
          }
        } else {
          for (int i = 0; i < t[1]; ++i) {
            int32_t item = t[2 + i];
            if (item == -1) {
              if (stack.size() > 1) stack.pop_back();
            } else if (item == -3) {
              if (saved.size() < kMaxSaved && unsaved == 0) {
                saved.push_back(stack);
              } else {
                ++unsaved;
              }
            } else if (item == -4) {
              if (unsaved == 0 && !saved.empty()) stack = saved.back();
            } else if (item == -5) {
              if (unsaved > 0) {
                --unsaved;
              } else if (!saved.empty()) {
                saved.pop_back();
              }
            } else if (stack.size() < kMaxStack) {
              uint16_t next = item == -2 ? stack.back() : static_cast<uint16_t>(item);
              stack.push_back(next < L.stateCount ? next : 0);
            }
          }
        }
      }
      matched = true;
    }
    if (run.stopped) break;
    if (!matched) {
      if (subj[pos] == '\n') {
        stack.resize(1);
        stack[0] = 0;
        run.sink.add(TokenClass::Whitespace, base + pos, base + pos + 1);
        ++pos;
      } else {
        size_t n = lex::utf8Len(std::string_view(subj, len), pos);
        if (n == 0) n = 1;
        run.sink.add(TokenClass::Text, base + pos, base + pos + n);
        pos += n;
      }
    }
  }
  if (pos < len) run.sink.add(TokenClass::Text, base + pos, base + len);
}

}  // namespace

void lex(uint32_t lexer, lex::Sink& sink, std::string_view src, size_t pos, const Limits& limits,
         Stats* stats) {
  if (pos >= src.size()) return;
  Stats local;
  Stats& st = stats ? *stats : local;
  std::unique_ptr<pcre2_match_context, MatchContextDeleter> mctx(
      pcre2_match_context_create(nullptr));
  if (!mctx) {
    sink.add(TokenClass::Text, pos, src.size());
    return;
  }
  pcre2_set_match_limit(mctx.get(), limits.matchLimit);
  pcre2_set_depth_limit(mctx.get(), limits.depthLimit);
  pcre2_set_heap_limit(mctx.get(), limits.heapLimitKiB);
  size_t len = src.size() - pos;

  // Pygments' bygroups may leave text out or overlap; the tokens go through a buffer so that what
  // reaches the sink is contiguous (gaps become plain text), as every lexer's stream must be.
  std::vector<Token> buf;
  lex::Sink inner(buf);
  inner.depth = sink.depth;
  Run run{inner,
          limits,
          st,
          limits.attemptsBase + limits.attemptsPerByte * len,
          limits.bytesBase + limits.bytesPerByte * len,
          limits.limitHitsBase + len / 1024 * limits.limitHitsPerKiB,
          mctx.get()};
  // When a limit trips, each run still open ends with its rest as one plain token.
  runLexer(run, lexer, src.data() + pos, len, pos, {});
  if (run.stopped) st.limitTripped = true;
  size_t covered = pos;
  for (const Token& t : buf) {
    size_t b = t.begin, e = size_t(t.begin) + t.length;
    if (e <= covered) continue;
    if (b < covered) b = covered;
    if (b > covered) sink.add(TokenClass::Text, covered, b);
    sink.add(t.cls, b, e);
    covered = e;
  }
  if (covered < src.size()) sink.add(TokenClass::Text, covered, src.size());
}

std::vector<std::string> compileAll() {
  std::vector<std::string> refused;
  for (uint32_t i = 0; i < kRegexCount; ++i) {
    int err = 0;
    size_t off = 0;
    if (!compiled(i, &err, &off)) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      refused.push_back(std::string(str(kRegexes[i].pattern)).substr(0, 120) + " : " +
                        reinterpret_cast<const char*>(msg) + " at " + std::to_string(off));
    }
  }
  return refused;
}

}  // namespace render::table
