// Ruby and Lua: dynamic languages whose literals (Ruby's #{} strings, %w[] arrays, heredocs and
// symbols; Lua's [[long strings]] and --[[long comments]]) need their own scanners.
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

// ---- Ruby -------------------------------------------------------------------------------------

// clang-format off
constexpr WordSet kRubyKeywords({"BEGIN", "END", "alias", "begin", "break", "case", "defined?",
    "do", "else", "elsif", "end", "ensure", "for", "if", "in", "next", "redo", "rescue", "retry",
    "return", "super", "then", "undef", "unless", "until", "when", "while", "yield", "def", "class",
    "module", "__FILE__", "__LINE__", "__method__", "__dir__", "__ENCODING__", "self"});
constexpr WordSet kRubyOpWords({"and", "or", "not"});
constexpr WordSet kRubyConstants({"true", "false", "nil"});
constexpr WordSet kRubyBuiltins({"puts", "print", "p", "pp", "require", "require_relative",
    "include", "extend", "prepend", "attr_accessor", "attr_reader", "attr_writer", "raise", "loop",
    "lambda", "proc", "private", "protected", "public", "module_function", "format", "sprintf",
    "gets", "catch", "throw", "block_given?", "respond_to?", "freeze", "frozen?", "sleep", "rand",
    "Integer", "Float", "String", "Array", "Hash", "exit", "abort", "at_exit", "binding", "caller",
    "eval", "instance_variable_get", "instance_variable_set", "send", "define_method",
    "method_missing", "new"});
// clang-format on

inline char closerOf(char c) {
  switch (c) {
    case '(':
      return ')';
    case '[':
      return ']';
    case '{':
      return '}';
    case '<':
      return '>';
    default:
      return c;
  }
}

class RubyLexer {
 public:
  RubyLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  size_t run(size_t i, char stop);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  char ch(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  // A string body from `i` up to `close` (with nesting when open != close); interpolates #{}.
  size_t body(size_t i, char open, char close, bool interp, TokenClass cls);
  size_t heredocBodies(size_t i);

  struct Heredoc {
    std::string_view delim;
    bool indented;
    bool interp;
  };
  Sink& sink_;
  std::string_view s_;
  bool valueBefore_ = false;  // the previous token ends an expression: '/' is division
  bool expectDef_ = false;
  bool expectClass_ = false;
  Heredoc pending_[4];
  int pendingCount_ = 0;
};

size_t RubyLexer::body(size_t i, char open, char close, bool interp, TokenClass cls) {
  const size_t n = s_.size();
  size_t run = i;
  size_t e = i;
  int depth = 0;
  // Heredoc bodies pass '\0' for both: they have no closing character (a NUL byte must not
  // end them); their view is cut at the terminator line instead.
  bool hasCloser = open != '\0' || close != '\0';
  while (e < n) {
    char c = s_[e];
    if (c == '\\' && e + 1 < n) {
      emit(cls, run, e);
      size_t x = e + 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
      emit(interp ? TC::StringEscape : cls, e, x);
      run = e = x;
      continue;
    }
    if (open != close && c == open) {
      ++depth;
    } else if (c == close && hasCloser) {
      if (depth == 0) {
        emit(cls, run, e + 1);
        return e + 1;
      }
      --depth;
    }
    if (interp && c == '#' && e + 1 < n && s_[e + 1] == '{') {
      emit(cls, run, e);
      emit(TC::StringInterpol, e, e + 2);
      DepthGuard guard(sink_);
      if (guard.tooDeep()) {
        run = e = e + 2;
        continue;
      }
      RubyLexer inner(sink_, s_);
      size_t x = inner.run(e + 2, '}');
      if (x < n) {
        emit(TC::StringInterpol, x, x + 1);
        ++x;
      }
      run = e = x;
      continue;
    }
    ++e;
  }
  emit(cls, run, n);
  return n;
}

size_t RubyLexer::heredocBodies(size_t i) {
  const size_t n = s_.size();
  emit(TC::Whitespace, i, i + 1);
  size_t line = i + 1;
  for (int k = 0; k < pendingCount_; ++k) {
    const Heredoc& h = pending_[k];
    size_t start = line;
    while (line < n) {
      size_t e = lineEnd(s_, line);
      size_t t = h.indented ? skipBlank(s_, line) : line;
      size_t te = e;
      if (te > t && s_[te - 1] == '\r') --te;
      if (s_.substr(t, te - t) == h.delim) {
        if (line > start) {
          // Body with interpolation: lex it as a string body that ends at the terminator line.
          RubyLexer inner(sink_, s_.substr(0, line));
          inner.body(start, '\0', '\0', h.interp, TC::String);
        }
        emit(TC::String, line, e);
        line = e;
        start = SIZE_MAX;
        break;
      }
      line = e < n ? e + 1 : n;
    }
    if (start != SIZE_MAX) {
      RubyLexer inner(sink_, s_);
      inner.body(start, '\0', '\0', h.interp, TC::String);
      line = n;
    }
    if (k + 1 < pendingCount_ && line < n) {
      emit(TC::Whitespace, line, line + 1);
      ++line;
    }
  }
  pendingCount_ = 0;
  return line;
}

size_t RubyLexer::run(size_t i, char stop) {
  const size_t n = s_.size();
  int depth = 0;
  bool lineStart = true;
  while (i < n) {
    char c = s_[i];
    if (c == '\n' && pendingCount_ > 0) {
      i = heredocBodies(i);
      lineStart = true;
      continue;
    }
    if (isSpace(c)) {
      size_t e = i;
      while (e < n && isSpace(s_[e]) && !(s_[e] == '\n' && pendingCount_ > 0)) {
        if (s_[e] == '\n') {
          lineStart = true;
          valueBefore_ = false;  // a new statement: `/re/` and `%w[]` may start it
        }
        ++e;
      }
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    bool atLineStart = lineStart && (i == 0 || s_[i - 1] == '\n');
    lineStart = false;
    if (stop != '\0') {
      if (c == '{') ++depth;
      if (c == '}') {
        if (depth == 0) return i;
        --depth;
      }
    }
    if (c == '#') {
      size_t e = lineEnd(s_, i);
      emit(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '=' && atLineStart && startsWith(s_, i, "=begin")) {
      size_t e = s_.find("\n=end", i);
      e = e == std::string_view::npos ? n : lineEnd(s_, e + 1);
      emit(TC::CommentDoc, i, e);
      i = e;
      continue;
    }
    if (c == '"' || c == '`') {
      emit(TC::String, i, i + 1);
      i = body(i + 1, c, c, true, TC::String);
      valueBefore_ = true;
      continue;
    }
    if (c == '\'') {
      emit(TC::String, i, i + 1);
      i = body(i + 1, '\'', '\'', false, TC::String);
      valueBefore_ = true;
      continue;
    }
    if (c == ':' && ch(i + 1) == '"') {
      emit(TC::String, i, i + 2);
      i = body(i + 2, '"', '"', true, TC::String);
      valueBefore_ = true;
      continue;
    }
    if (c == ':' && ch(i + 1) != ':' && (startsIdent(s_, i + 1)) && !(i > 0 && s_[i - 1] == ':')) {
      size_t e = scanIdent(s_, i + 1);
      if (e < n && (s_[e] == '?' || s_[e] == '!' || s_[e] == '=') && ch(e + 1) != '=') ++e;
      emit(TC::String, i, e);  // symbol
      i = e;
      valueBefore_ = true;
      continue;
    }
    if (c == '%' && !valueBefore_ && i + 1 < n) {
      // %w[] %i[] %q() %Q{} %r{} %() literals.
      size_t k = i + 1;
      char kind = '\0';
      if (isAlpha(s_[k])) kind = s_[k++];
      if (k < n && !isAsciiIdentChar(s_[k]) && !isSpace(s_[k]) &&
          std::string_view("wWiIqQrsx").find(kind == '\0' ? 'Q' : kind) != std::string_view::npos) {
        char open = s_[k];
        TokenClass cls = kind == 'r' ? TC::StringRegex : TC::String;
        bool interp =
            kind == '\0' || kind == 'Q' || kind == 'W' || kind == 'I' || kind == 'r' || kind == 'x';
        emit(cls, i, k + 1);
        i = body(k + 1, open, closerOf(open), interp, cls);
        if (kind == 'r') {
          size_t e = i;
          while (e < n && isAlpha(s_[e])) ++e;
          emit(cls, i, e);
          i = e;
        }
        valueBefore_ = true;
        continue;
      }
    }
    if (c == '/' && !valueBefore_) {
      emit(TC::StringRegex, i, i + 1);
      i = body(i + 1, '/', '/', true, TC::StringRegex);
      size_t e = i;
      while (e < n && isAlpha(s_[e])) ++e;
      emit(TC::StringRegex, i, e);
      i = e;
      valueBefore_ = true;
      continue;
    }
    if (c == '<' && ch(i + 1) == '<' &&
        (ch(i + 2) == '~' || ch(i + 2) == '-' || ch(i + 2) == '\'' || ch(i + 2) == '"' ||
         (isAsciiIdentStart(ch(i + 2)) && !valueBefore_))) {
      size_t k = i + 2;
      bool indented = ch(k) == '~' || ch(k) == '-';
      if (indented) ++k;
      char q = ch(k);
      bool quoted = q == '\'' || q == '"';
      if (quoted) ++k;
      size_t d = k;
      while (d < n && isAsciiIdentChar(s_[d])) ++d;
      if (d > k && (s_[k] < 'a' || s_[k] > 'z' || quoted)) {
        std::string_view delim = s_.substr(k, d - k);
        if (quoted && d < n && s_[d] == q) ++d;
        emit(TC::String, i, d);
        if (pendingCount_ < 4) pending_[pendingCount_++] = Heredoc{delim, indented, q != '\''};
        i = d;
        valueBefore_ = true;
        continue;
      }
    }
    if (c == '@' || (c == '$' && (startsIdent(s_, i + 1)))) {
      size_t k = i + 1;
      if (ch(k) == '@') ++k;
      size_t e = scanIdent(s_, k);
      if (e > k) {
        emit(TC::NameVariable, i, e);
        i = e;
        valueBefore_ = true;
        continue;
      }
    }
    if (isDigit(c)) {
      size_t e = i;
      while (e < n &&
             (isAsciiIdentChar(s_[e]) || (s_[e] == '.' && e + 1 < n && isDigit(s_[e + 1])))) {
        ++e;
      }
      emit(TC::Number, i, e);
      i = e;
      valueBefore_ = true;
      continue;
    }
    if (startsIdent(s_, i)) {
      size_t e = scanIdent(s_, i);
      if (e < n && (s_[e] == '?' || s_[e] == '!') && ch(e + 1) != '=') ++e;
      std::string_view w = s_.substr(i, e - i);
      bool afterDot = i > 0 && s_[i - 1] == '.' && !(i > 1 && s_[i - 2] == '.');
      TokenClass cls = TC::Name;
      valueBefore_ = true;
      if (e < n && s_[e] == ':' && ch(e + 1) != ':' && !afterDot) {
        emit(TC::String, i, e + 1);  // hash key `name:`
        i = e + 1;
        valueBefore_ = false;
        continue;
      }
      if (expectDef_) {
        cls = TC::NameFunction;
        if (w == "self" && ch(e) == '.') {
          cls = TC::Keyword;
        } else {
          expectDef_ = false;
          // Setter: def name=(v)
          if (e < n && s_[e] == '=' && ch(e + 1) == '(') ++e;
        }
      } else if (expectClass_) {
        cls = TC::NameClass;
        if (!(e < n && s_[e] == ':' && ch(e + 1) == ':')) expectClass_ = false;
      } else if (afterDot) {
        cls = TC::Name;
      } else if (kRubyConstants.contains(w)) {
        cls = TC::KeywordConstant;
      } else if (kRubyOpWords.contains(w)) {
        cls = TC::OperatorWord;
        valueBefore_ = false;
      } else if (kRubyKeywords.contains(w)) {
        cls = TC::Keyword;
        valueBefore_ = w == "self" || w == "end" || w == "__FILE__" || w == "__LINE__";
        if (w == "def") expectDef_ = true;
        if (w == "class" || w == "module") expectClass_ = ch(skipBlank(s_, e)) != '<';
      } else if (kRubyBuiltins.contains(w)) {
        cls = TC::NameBuiltin;
        valueBefore_ = false;
      } else if (w[0] >= 'A' && w[0] <= 'Z') {
        cls = TC::NameConstant;
      } else {
        // A method called without parentheses takes an argument: `puts /re/` is a regex.
        valueBefore_ = !(e + 1 < n && s_[e] == ' ' && s_[e + 1] == '/' && !isSpace(ch(e + 2)));
      }
      emit(cls, i, e);
      i = e;
      continue;
    }
    if (expectDef_ && std::string_view("+-*/%<=>![]~^&|").find(c) != std::string_view::npos) {
      // Operator method names: def <=>(other), def [](i), def +@
      size_t e = i;
      while (e < n && std::string_view("+-*/%<=>![]~^&|@").find(s_[e]) != std::string_view::npos) {
        ++e;
      }
      emit(TC::NameFunction, i, e);
      expectDef_ = false;
      i = e;
      continue;
    }
    valueBefore_ = c == ')' || c == ']' || c == '}';
    if (c == '.' && ch(i + 1) == '.') {  // `..` and `...` ranges
      size_t e = ch(i + 2) == '.' ? i + 3 : i + 2;
      emit(TC::Operator, i, e);
      i = e;
      continue;
    }
    if (std::string_view("()[]{},;.").find(c) != std::string_view::npos) {
      emit(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) {
      i = emitOther(sink_, s_, i);
      continue;
    }
    emit(TC::Operator, i, i + 1);
    ++i;
  }
  return n;
}

// ---- Lua --------------------------------------------------------------------------------------

// clang-format off
constexpr WordSet kLuaKeywords({"break", "do", "else", "elseif", "end", "for", "function", "goto",
    "if", "in", "repeat", "return", "then", "until", "while"});
constexpr WordSet kLuaBuiltins({"assert", "collectgarbage", "coroutine", "debug", "dofile", "error",
    "getmetatable", "io", "ipairs", "load", "loadfile", "loadstring", "math", "next", "os",
    "package", "pairs", "pcall", "print", "rawequal", "rawget", "rawlen", "rawset", "require",
    "select", "setmetatable", "string", "table", "tonumber", "tostring", "type", "unpack", "utf8",
    "xpcall", "_G", "_VERSION", "_ENV", "self"});
// clang-format on

// A long bracket [[ ]], [==[ ]==] at s[i] == '['; returns its end or i when not one.
size_t longBracket(std::string_view s, size_t i) {
  size_t k = i + 1;
  while (k < s.size() && s[k] == '=') ++k;
  if (k >= s.size() || s[k] != '[') return i;
  size_t level = k - i - 1;
  size_t e = k + 1;
  while (true) {
    e = s.find(']', e);
    if (e == std::string_view::npos) return s.size();
    size_t m = e + 1;
    while (m < s.size() && s[m] == '=' && m - e - 1 < level) ++m;
    if (m - e - 1 == level && m < s.size() && s[m] == ']') return m + 1;
    ++e;
  }
}

void luaRun(Sink& sink, std::string_view s, size_t i) {
  const size_t n = s.size();
  bool expectFunction = false;
  while (i < n) {
    char c = s[i];
    if (isSpace(c)) {
      size_t e = skipSpace(s, i);
      sink.add(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '-' && i + 1 < n && s[i + 1] == '-') {
      size_t e = (i + 2 < n && s[i + 2] == '[') ? longBracket(s, i + 2) : i + 2;
      if (e == i + 2) e = lineEnd(s, i);
      sink.add(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '#' && i == 0 && i + 1 < n && s[i + 1] == '!') {
      size_t e = lineEnd(s, i);
      sink.add(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '[' && i + 1 < n && (s[i + 1] == '[' || s[i + 1] == '=')) {
      size_t e = longBracket(s, i);
      if (e != i) {
        sink.add(TC::String, i, e);
        i = e;
        continue;
      }
    }
    if (c == '"' || c == '\'') {
      size_t run = i;
      size_t e = i + 1;
      while (e < n && s[e] != c && s[e] != '\n') {
        if (s[e] == '\\' && e + 1 < n) {
          sink.add(TC::String, run, e);
          size_t x = e + 1 + std::max<size_t>(utf8Len(s, e + 1), 1);
          sink.add(TC::StringEscape, e, x);
          run = e = x;
          continue;
        }
        ++e;
      }
      e = e < n && s[e] == c ? e + 1 : std::min(e, n);
      sink.add(TC::String, run, e);
      i = e;
      continue;
    }
    if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s[i + 1]))) {
      size_t e = i;
      bool hex = startsWith(s, i, "0x") || startsWith(s, i, "0X");
      if (hex) e += 2;
      while (e < n) {
        char d = s[e];
        if (isHexDigit(d) || d == '.' || (!hex && (d == 'e' || d == 'E')) ||
            (hex && (d == 'p' || d == 'P'))) {
          ++e;
        } else if ((d == '+' || d == '-') && e > i &&
                   (toLower(s[e - 1]) == 'e' || toLower(s[e - 1]) == 'p')) {
          ++e;
        } else {
          break;
        }
        if (!hex && e > i && isAlpha(s[e - 1]) && toLower(s[e - 1]) != 'e') break;
      }
      sink.add(TC::Number, i, e);
      i = e;
      continue;
    }
    if (startsIdent(s, i)) {
      size_t e = scanIdent(s, i);
      std::string_view w = s.substr(i, e - i);
      bool afterDot = i > 0 && (s[i - 1] == '.' || s[i - 1] == ':') && !(i > 1 && s[i - 2] == '.');
      TokenClass cls = TC::Name;
      if (expectFunction) {
        // function a.b:c(...) — the last component is the function name.
        char after = e < n ? s[e] : '\0';
        cls = (after == '.' || after == ':') ? TC::Name : TC::NameFunction;
        if (cls == TC::NameFunction) expectFunction = false;
      } else if (afterDot) {
        cls = TC::Name;
      } else if (w == "true" || w == "false" || w == "nil") {
        cls = TC::KeywordConstant;
      } else if (w == "and" || w == "or" || w == "not") {
        cls = TC::OperatorWord;
      } else if (w == "local") {
        cls = TC::KeywordDeclaration;
      } else if (kLuaKeywords.contains(w)) {
        cls = TC::Keyword;
        if (w == "function") expectFunction = true;
      } else if (kLuaBuiltins.contains(w)) {
        cls = TC::NameBuiltin;
      }
      sink.add(cls, i, e);
      i = e;
      continue;
    }
    if (c == '(') expectFunction = false;
    if (c == ':' && i + 1 < n && s[i + 1] == ':') {  // ::label::
      size_t e = s.find("::", i + 2);
      if (e != std::string_view::npos && s.substr(i, e - i).find('\n') == std::string_view::npos) {
        sink.add(TC::NameLabel, i, e + 2);
        i = e + 2;
        continue;
      }
    }
    if (std::string_view("()[]{},;.:").find(c) != std::string_view::npos) {
      bool dots = c == '.' && i + 1 < n && s[i + 1] == '.';
      sink.add(dots ? TC::Operator : TC::Punctuation, i, dots ? i + 2 : i + 1);
      i += dots ? 2 : 1;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80 || static_cast<unsigned char>(c) < 0x20) {
      i = emitOther(sink, s, i);
      continue;
    }
    sink.add(TC::Operator, i, i + 1);
    ++i;
  }
}

}  // namespace

void lexRuby(Sink& sink, std::string_view src, size_t pos) {
  RubyLexer lexer(sink, src);
  size_t e = lexer.run(pos, '\0');
  if (e < src.size()) lexPlain(sink, src, e);
}

void lexLua(Sink& sink, std::string_view src, size_t pos) {
  luaRun(sink, src, pos);
}

}  // namespace render::lex
