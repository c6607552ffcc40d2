// Bash (and the shell parts of Dockerfiles). Shell is word-oriented: most of a command line is
// plain Text, and the colour is in keywords, builtins, assignments, quoting, expansions ($x,
// ${x}, $(cmd), $((math))) and here-documents.
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

// clang-format off
constexpr WordSet kKeywords({"if", "fi", "else", "while", "in", "do", "done", "for", "then",
    "return", "function", "case", "select", "break", "continue", "until", "esac", "elif"});
constexpr WordSet kBuiltins({"alias", "bg", "bind", "break", "builtin", "caller", "cd", "command",
    "compgen", "complete", "declare", "dirs", "disown", "echo", "enable", "eval", "exec", "exit",
    "export", "false", "fc", "fg", "getopts", "hash", "help", "history", "jobs", "kill", "let",
    "local", "logout", "popd", "printf", "pushd", "pwd", "read", "readonly", "set", "shift",
    "shopt", "source", "suspend", "test", "time", "times", "trap", "true", "type", "typeset",
    "ulimit", "umask", "unalias", "unset", "wait"});
// clang-format on

inline bool isWordChar(unsigned char c) {
  return isAsciiIdentChar(c);
}

// Characters that end a plain word (Pygments: [^=\s\[\]{}()$"'`\\<&|;]+ is one Text run).
inline bool endsWord(unsigned char c) {
  return isSpace(c) || c == '=' || c == '[' || c == ']' || c == '{' || c == '}' || c == '(' ||
         c == ')' || c == '$' || c == '"' || c == '\'' || c == '`' || c == '\\' || c == '<' ||
         c == '&' || c == '|' || c == ';';
}

struct Heredoc {
  std::string_view delim;
  bool stripTabs;
  bool quoted;
};

class BashLexer {
 public:
  BashLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  // Lexes until `stop` (')' for $( ), '`' for backticks, '}' for ${ }) or the end.
  size_t run(size_t i, char stop);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  char ch(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  size_t dollar(size_t i);  // at '$'; returns i when not an expansion
  size_t doubleQuoted(size_t i);
  size_t curly(size_t i);
  size_t math(size_t i);
  size_t heredocStart(size_t i);
  size_t heredocBodies(size_t i);  // at the newline ending the line that opened heredocs
  size_t nested(size_t i, char stop, TokenClass delimCls, size_t delimLen);

  Sink& sink_;
  std::string_view s_;
  Heredoc pending_[4];
  int pendingCount_ = 0;
};

size_t BashLexer::nested(size_t i, char stop, TokenClass delimCls, size_t delimLen) {
  DepthGuard guard(sink_);
  if (guard.tooDeep()) return i;
  BashLexer inner(sink_, s_);
  size_t e = inner.run(i, stop);
  if (e < s_.size() && s_[e] == stop) {
    emit(delimCls, e, e + delimLen);
    return e + delimLen;
  }
  return e;
}

size_t BashLexer::run(size_t i, char stop) {
  const size_t n = s_.size();
  int parens = 0;
  while (i < n) {
    unsigned char c = s_[i];
    if (c == '\n' && pendingCount_ > 0) {
      i = heredocBodies(i);
      continue;
    }
    if (isSpace(c)) {
      size_t e = i;
      while (e < n && isSpace(s_[e]) && !(s_[e] == '\n' && pendingCount_ > 0)) ++e;
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (stop != '\0' && c == static_cast<unsigned char>(stop)) {
      if (stop != ')' || parens == 0) return i;
    }
    bool wordStart = i == 0 || endsWord(s_[i - 1]);
    if (c == '#' && wordStart) {
      size_t e = lineEnd(s_, i);
      emit(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '\\') {
      size_t e = i + 1 + std::max<size_t>(utf8Len(s_, i + 1), 1);
      if (e > n) e = n;
      emit(TC::StringEscape, i, e);
      i = e;
      continue;
    }
    if (c == '$') {
      size_t e = dollar(i);
      if (e != i) {
        i = e;
        continue;
      }
      emit(TC::Text, i, i + 1);
      ++i;
      continue;
    }
    if (c == '"') {
      i = doubleQuoted(i);
      continue;
    }
    if (c == '\'') {
      size_t e = s_.find('\'', i + 1);
      e = e == std::string_view::npos ? n : e + 1;
      emit(TC::String, i, e);
      i = e;
      continue;
    }
    if (c == '`') {
      emit(TC::String, i, i + 1);
      i = nested(i + 1, '`', TC::String, 1);
      continue;
    }
    if (c == '<' && ch(i + 1) == '<') {
      if (ch(i + 2) == '<') {
        emit(TC::Operator, i, i + 3);
        i += 3;
        continue;
      }
      size_t e = heredocStart(i);
      if (e != i) {
        i = e;
        continue;
      }
    }
    if ((c == '&' && ch(i + 1) == '&') || (c == '|' && ch(i + 1) == '|')) {
      emit(TC::Operator, i, i + 2);
      i += 2;
      continue;
    }
    if (c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '=') {
      if (c == '(') ++parens;
      if (c == ')') --parens;
      emit(TC::Operator, i, i + 1);
      ++i;
      continue;
    }
    if (c == ';' || c == '&' || c == '|') {
      emit(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if (c == '<') {
      emit(TC::Text, i, i + 1);
      ++i;
      continue;
    }
    // A word: assignment, keyword, builtin, number or plain text.
    if (isWordChar(c) && wordStart) {
      size_t e = i;
      while (e < n && isWordChar(s_[e])) ++e;
      std::string_view w = s_.substr(i, e - i);
      size_t b = skipBlank(s_, e);
      if (b < n && (s_[b] == '=' || (s_[b] == '+' && ch(b + 1) == '='))) {
        emit(TC::NameVariable, i, e);
        emit(TC::Whitespace, e, b);
        size_t opEnd = b + (s_[b] == '+' ? 2 : 1);
        emit(TC::Operator, b, opEnd);
        i = opEnd;
        continue;
      }
      unsigned char after = ch(e);
      bool boundary = e >= n || !isWordChar(after);
      if (boundary && kKeywords.contains(w) && (e >= n || after != '-' || w != "in")) {
        emit(TC::Keyword, i, e);
        i = e;
        continue;
      }
      if (kBuiltins.contains(w) && (e >= n || isSpace(after) || after == ')' || after == '`')) {
        emit(TC::NameBuiltin, i, e);
        i = e;
        continue;
      }
      bool allDigits = true;
      for (char d : w) allDigits = allDigits && isDigit(d);
      if (allDigits && (e >= n || endsWord(after) || after == '>')) {
        emit(TC::Number, i, e);
        i = e;
        continue;
      }
    }
    size_t e = i;
    while (e < n && !endsWord(s_[e])) ++e;
    if (e == i) e = i + 1;
    // Keep invalid UTF-8 separate from words so it renders as Text on its own.
    emit(TC::Text, i, e);
    i = e;
  }
  return n;
}

size_t BashLexer::dollar(size_t i) {
  const size_t n = s_.size();
  char c1 = ch(i + 1);
  if (c1 == '(' && ch(i + 2) == '(') {
    emit(TC::Keyword, i, i + 3);
    return math(i + 3);
  }
  if (c1 == '(') {
    emit(TC::Keyword, i, i + 2);
    return nested(i + 2, ')', TC::Keyword, 1);
  }
  if (c1 == '{') {
    size_t e = i + 2;
    if (ch(e) == '#') ++e;
    emit(TC::StringInterpol, i, e);
    return curly(e);
  }
  if (c1 == '\'') {
    size_t e = i + 2;
    while (e < n && s_[e] != '\'') e += s_[e] == '\\' ? 2 : 1;
    e = e >= n ? n : e + 1;
    emit(TC::String, i, e);
    return e;
  }
  if (c1 == '"') {
    emit(TC::String, i, i + 1);
    return doubleQuoted(i + 1);
  }
  if (isAsciiIdentStart(c1)) {
    size_t e = i + 1;
    while (e < n && isWordChar(s_[e])) ++e;
    emit(TC::NameVariable, i, e);
    return e;
  }
  if (isDigit(c1)) {
    size_t e = i + 1;
    while (e < n && isDigit(s_[e])) ++e;
    emit(TC::NameVariable, i, e);
    return e;
  }
  if (c1 != '\0' && std::string_view("#$?!_*@-").find(c1) != std::string_view::npos) {
    emit(TC::NameVariable, i, i + 2);
    return i + 2;
  }
  return i;
}

size_t BashLexer::doubleQuoted(size_t i) {
  const size_t n = s_.size();
  size_t run = i;
  size_t e = i + 1;
  while (e < n) {
    char c = s_[e];
    if (c == '"') {
      emit(TC::String, run, e + 1);
      return e + 1;
    }
    if (c == '\\' && e + 1 < n) {
      e += 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
      continue;
    }
    if (c == '$' && e + 1 < n && s_[e + 1] != '"' && s_[e + 1] != '\'') {
      emit(TC::String, run, e);
      size_t x = dollar(e);
      if (x == e) {
        ++e;
        run = e - 1;
        continue;
      }
      run = e = x;
      continue;
    }
    ++e;
  }
  emit(TC::String, run, n);
  return n;
}

// Inside ${ }: names are variables, ':-' and friends are operators-as-keywords (Pygments).
size_t BashLexer::curly(size_t i) {
  const size_t n = s_.size();
  size_t e = i;
  while (e < n) {
    char c = s_[e];
    if (c == '}') {
      emit(TC::StringInterpol, e, e + 1);
      return e + 1;
    }
    if (c == ':' && ch(e + 1) == '-') {
      emit(TC::Keyword, e, e + 2);
      e += 2;
    } else if (isWordChar(c)) {
      size_t x = e;
      while (x < n && isWordChar(s_[x])) ++x;
      emit(TC::NameVariable, e, x);
      e = x;
    } else if (c == '$') {
      size_t x = dollar(e);
      if (x == e) {
        emit(TC::Text, e, e + 1);
        x = e + 1;
      }
      e = x;
    } else if (c == '"') {
      e = doubleQuoted(e);
    } else if (c == '\'') {
      size_t x = s_.find('\'', e + 1);
      x = x == std::string_view::npos ? n : x + 1;
      emit(TC::String, e, x);
      e = x;
    } else if (c == '\\') {
      size_t x = std::min(n, e + 1 + std::max<size_t>(utf8Len(s_, e + 1), 1));
      emit(TC::StringEscape, e, x);
      e = x;
    } else if (c == '`') {
      emit(TC::String, e, e + 1);
      e = nested(e + 1, '`', TC::String, 1);
    } else if (isSpace(c)) {
      size_t x = skipSpace(s_, e);
      emit(TC::Whitespace, e, x);
      e = x;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      e = emitOther(sink_, s_, e);
    } else {
      // Operators such as #, %, / and the words after them (${x#prefix}, ${x/a/b}).
      size_t x = e + 1;
      while (x < n && !isSpace(s_[x]) &&
             std::string_view("}:\"'`$\\").find(s_[x]) == std::string_view::npos &&
             static_cast<unsigned char>(s_[x]) < 0x80) {
        ++x;
      }
      emit(TC::Punctuation, e, x);
      e = x;
    }
  }
  return n;
}

size_t BashLexer::math(size_t i) {
  const size_t n = s_.size();
  size_t e = i;
  int parens = 0;
  while (e < n) {
    char c = s_[e];
    if (c == ')' && ch(e + 1) == ')' && parens == 0) {
      emit(TC::Keyword, e, e + 2);
      return e + 2;
    }
    if (isSpace(c)) {
      size_t x = skipSpace(s_, e);
      emit(TC::Whitespace, e, x);
      e = x;
    } else if (isDigit(c)) {
      size_t x = e;
      while (x < n && (isAsciiIdentChar(s_[x]) || s_[x] == '#')) ++x;
      emit(TC::Number, e, x);
      e = x;
    } else if (isAsciiIdentStart(c)) {
      size_t x = e;
      while (x < n && isWordChar(s_[x])) ++x;
      emit(TC::NameVariable, e, x);
      e = x;
    } else if (c == '$') {
      size_t x = dollar(e);
      if (x == e) {
        emit(TC::Text, e, e + 1);
        x = e + 1;
      }
      e = x;
    } else if (std::string_view("*|<>-+/%^&!=?:~").find(c) != std::string_view::npos) {
      emit(TC::Operator, e, e + 1);
      ++e;
    } else if (c == '(' || c == ')') {
      parens += c == '(' ? 1 : -1;
      emit(TC::Operator, e, e + 1);
      ++e;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      e = emitOther(sink_, s_, e);
    } else {
      emit(TC::Text, e, e + 1);
      ++e;
    }
  }
  return n;
}

// <<EOF, <<-EOF, <<'EOF', << "EOF": emits the operator and delimiter as String and queues the
// body, which starts at the next newline.
size_t BashLexer::heredocStart(size_t i) {
  const size_t n = s_.size();
  size_t e = i + 2;
  bool dash = ch(e) == '-';
  if (dash) ++e;
  e = skipBlank(s_, e);
  char q = ch(e);
  bool quoted = q == '\'' || q == '"';
  if (quoted) ++e;
  if (ch(e) == '\\') {
    quoted = true;
    ++e;
  }
  size_t d = e;
  while (d < n && (isWordChar(s_[d]) || s_[d] == '-' || s_[d] == '.')) ++d;
  if (d == e) return i;
  std::string_view delim = s_.substr(e, d - e);
  if (quoted && d < n && s_[d] == q) ++d;
  emit(TC::String, i, d);
  if (pendingCount_ < 4) pending_[pendingCount_++] = Heredoc{delim, dash, quoted};
  return d;
}

size_t BashLexer::heredocBodies(size_t i) {
  const size_t n = s_.size();
  emit(TC::Whitespace, i, i + 1);
  size_t line = i + 1;
  for (int k = 0; k < pendingCount_; ++k) {
    const Heredoc& h = pending_[k];
    size_t run = line;
    while (line < n) {
      size_t e = lineEnd(s_, line);
      size_t t = line;
      if (h.stripTabs) {
        while (t < e && s_[t] == '\t') ++t;
      }
      size_t te = e;
      if (te > t && s_[te - 1] == '\r') --te;
      if (s_.substr(t, te - t) == h.delim) {
        line = e;
        break;
      }
      if (!h.quoted) {
        // Expansions still happen in an unquoted here-document.
        for (size_t x = line; x < e;) {
          if (s_[x] == '$') {
            sink_.add(TC::String, run, x);
            run = x;
            // Expansions stay on their line: the body's line structure decides where it ends.
            BashLexer line(sink_, s_.substr(0, e));
            size_t y = line.dollar(x);
            if (y != x) {
              x = run = y;
              continue;
            }
          } else if (s_[x] == '\\') {
            ++x;
          }
          ++x;
        }
      }
      line = e < n ? e + 1 : n;
    }
    if (line > n) line = n;
    emit(TC::String, run, line);
    if (k + 1 < pendingCount_ && line < n) {
      emit(TC::Whitespace, line, line + 1);
      ++line;
    }
  }
  pendingCount_ = 0;
  return line;
}

}  // namespace

void lexBash(Sink& sink, std::string_view src, size_t pos) {
  BashLexer lexer(sink, src);
  size_t e = lexer.run(pos, '\0');
  if (e < src.size()) lexPlain(sink, src, e);
}

// Dockerfile: an instruction keyword per logical line; RUN and friends are shell, FROM is an
// image reference, exec-form arrays are JSON.
void lexDockerfile(Sink& sink, std::string_view src, size_t pos) {
  const size_t n = src.size();
  size_t i = pos;
  while (i < n) {
    size_t b = skipSpace(src, i);
    sink.add(TC::Whitespace, i, b);
    if (b >= n) break;
    if (src[b] == '#') {
      size_t e = lineEnd(src, b);
      sink.add(TC::Comment, b, e);
      i = e;
      continue;
    }
    // Logical line: continues while a physical line ends with a backslash.
    size_t end = b;
    while (true) {
      size_t e = lineEnd(src, end);
      size_t t = e;
      while (t > end && isSpace(src[t - 1])) --t;
      if (t > end && src[t - 1] == '\\' && e < n) {
        end = e + 1;
        continue;
      }
      end = e;
      break;
    }
    size_t w = b;
    while (w < end && isAsciiIdentChar(src[w])) ++w;
    std::string_view word = src.substr(b, w - b);
    std::string_view view = src.substr(0, end);
    if (w == b) {
      lexBash(sink, view, b);
      i = end;
      continue;
    }
    sink.add(TC::Keyword, b, w);
    size_t r = skipBlank(src, w);
    sink.add(TC::Whitespace, w, r);
    if (startsWithNoCase(word, 0, "from") && word.size() == 4) {
      // FROM image[:tag] [AS name]
      size_t e = r;
      while (e < end && !isSpace(src[e])) ++e;
      sink.add(TC::String, r, e);
      size_t k = skipBlank(src, e);
      sink.add(TC::Whitespace, e, k);
      if (startsWithNoCase(src, k, "as") && k + 2 <= end) {
        sink.add(TC::Keyword, k, k + 2);
        lexPlain(sink, view, k + 2);
      } else {
        lexPlain(sink, view, k);
      }
    } else if (word.size() == 10 && startsWithNoCase(word, 0, "maintainer")) {
      sink.add(TC::String, r, end);
    } else if (r < end && src[r] == '[') {
      lexJson(sink, view, r);
    } else {
      lexBash(sink, view, r);
    }
    i = end;
  }
}

}  // namespace render::lex
