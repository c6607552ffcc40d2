// Python: strings are where the work is (prefixes, triple quotes, docstrings, f-string
// interpolation with the expression lexed as Python, %- and {}-format placeholders), plus the
// def/class/import/decorator context Pygments shows.
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

// clang-format off
constexpr WordSet kKeywords({"assert", "async", "await", "break", "continue", "del", "elif", "else",
    "except", "finally", "for", "global", "if", "lambda", "pass", "raise", "nonlocal", "return",
    "try", "while", "yield", "as", "with", "def", "class"});
constexpr WordSet kOperatorWords({"in", "is", "and", "or", "not"});
constexpr WordSet kConstants({"True", "False", "None"});
constexpr WordSet kBuiltins({"__import__", "abs", "aiter", "all", "any", "anext", "ascii", "bin",
    "bool", "breakpoint", "bytearray", "bytes", "callable", "chr", "classmethod", "compile",
    "complex", "delattr", "dict", "dir", "divmod", "enumerate", "eval", "filter", "float", "format",
    "frozenset", "getattr", "globals", "hasattr", "hash", "hex", "id", "input", "int", "isinstance",
    "issubclass", "iter", "len", "list", "locals", "map", "max", "memoryview", "min", "next",
    "object", "oct", "open", "ord", "pow", "print", "property", "range", "repr", "reversed",
    "round", "set", "setattr", "slice", "sorted", "staticmethod", "str", "sum", "super", "tuple",
    "type", "vars", "zip", "self", "cls", "Ellipsis", "NotImplemented", "ArithmeticError",
    "AssertionError", "AttributeError", "BaseException", "BaseExceptionGroup", "BlockingIOError",
    "BrokenPipeError", "BufferError", "BytesWarning", "ChildProcessError", "ConnectionAbortedError",
    "ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "DeprecationWarning",
    "EOFError", "EncodingWarning", "EnvironmentError", "Exception", "ExceptionGroup",
    "FileExistsError", "FileNotFoundError", "FloatingPointError", "FutureWarning", "GeneratorExit",
    "IOError", "ImportError", "ImportWarning", "IndentationError", "IndexError", "InterruptedError",
    "IsADirectoryError", "KeyError", "KeyboardInterrupt", "LookupError", "MemoryError",
    "ModuleNotFoundError", "NameError", "NotADirectoryError", "NotImplementedError", "OSError",
    "OverflowError", "PendingDeprecationWarning", "PermissionError", "ProcessLookupError",
    "RecursionError", "ReferenceError", "ResourceWarning", "RuntimeError", "RuntimeWarning",
    "StopAsyncIteration", "StopIteration", "SyntaxError", "SyntaxWarning", "SystemError",
    "SystemExit", "TabError", "TimeoutError", "TypeError", "UnboundLocalError",
    "UnicodeDecodeError", "UnicodeEncodeError", "UnicodeError", "UnicodeTranslateError",
    "UnicodeWarning", "UserWarning", "ValueError", "VMSError", "Warning", "WindowsError",
    "ZeroDivisionError"});
constexpr WordSet kMagicVars({"__annotations__", "__bases__", "__class__", "__closure__",
    "__code__", "__defaults__", "__dict__", "__doc__", "__file__", "__func__", "__globals__",
    "__kwdefaults__", "__module__", "__mro__", "__name__", "__objclass__", "__qualname__",
    "__self__", "__slots__", "__weakref__"});
// Module-level dunders that are plain names (not magic methods).
constexpr WordSet kDunderNames({"__all__", "__path__", "__spec__", "__loader__", "__package__",
    "__builtins__", "__version__", "__author__", "__main__", "__future__", "__debug__"});
// clang-format on

// Class of a __dunder__ name: magic variable, plain module name, or (any other) magic method.
TokenClass dunderClass(std::string_view w) {
  if (kMagicVars.contains(w)) return TokenClass::NameVariable;
  if (kDunderNames.contains(w)) return TokenClass::Name;
  return TokenClass::NameFunction;
}

struct StrForm {
  bool raw = false;
  bool fmt = false;  // f-string
  bool bytes = false;
  bool triple = false;
  char quote = '"';
};

class PythonLexer {
 public:
  PythonLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}

  // Lexes until the end, or (inFString) until the end of an f-string replacement field: an
  // unbalanced '}', a conversion "!r", or a ':' format spec at bracket depth 0.
  size_t run(size_t i, bool inFString, bool singleLine);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  char ch(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  size_t string(size_t i, size_t quotePos, StrForm form, bool doc);
  size_t escape(size_t i, bool bytes);
  size_t formatPlaceholder(size_t i) const;
  size_t percentPlaceholder(size_t i) const;
  size_t replacementField(size_t i, bool singleLine);
  size_t number(size_t i);
  size_t word(size_t i, bool lineStart);
  bool softKeywordLine(size_t wordEnd) const;

  Sink& sink_;
  std::string_view s_;
  bool lineStart_ = true;  // only whitespace since the last logical line start
  bool afterDot_ = false;
  // Inside `import a.b, c` or `from a.b import`: dotted names are one namespace name.
  enum class Import : uint8_t { None, Import, From } import_ = Import::None;
  int parenDepth_ = 0;
  enum class Expect : uint8_t { None, Function, Class } expect_ = Expect::None;
};

size_t PythonLexer::run(size_t i, bool inFString, bool singleLine) {
  const size_t n = s_.size();
  int depth = 0;
  while (i < n) {
    unsigned char c = s_[i];
    if (c == '\n') {
      if (inFString && singleLine) return i;
      emit(TC::Whitespace, i, i + 1);
      ++i;
      if (parenDepth_ == 0) {
        lineStart_ = true;
        import_ = Import::None;
      }
      continue;
    }
    if (isSpace(c)) {
      size_t e = i;
      while (e < n && isSpace(s_[e]) && s_[e] != '\n') ++e;
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    bool wasLineStart = lineStart_;
    lineStart_ = false;
    if (inFString && depth == 0) {
      if (c == '}') return i;
      if (c == '!' && (ch(i + 1) == 'r' || ch(i + 1) == 's' || ch(i + 1) == 'a') &&
          (ch(i + 2) == '}' || ch(i + 2) == ':')) {
        return i;
      }
      if (c == ':' && ch(i + 1) != '=') return i;
    }
    if (c == '#') {
      size_t e = lineEnd(s_, i);
      emit(TC::Comment, i, e);
      i = e;
      lineStart_ = wasLineStart;
      continue;
    }
    if (c == '\\' && (ch(i + 1) == '\n' || (ch(i + 1) == '\r' && ch(i + 2) == '\n'))) {
      emit(TC::Text, i, i + 1);
      i = i + 1;
      size_t e = i + (s_[i] == '\r' ? 2 : 1);
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '"' || c == '\'') {
      StrForm form;
      i = string(i, i, form, wasLineStart && !inFString);
      afterDot_ = false;
      continue;
    }
    if (isDigit(c) || (c == '.' && isDigit(ch(i + 1)))) {
      i = number(i);
      afterDot_ = false;
      continue;
    }
    if (startsIdent(s_, i)) {
      size_t e = scanIdent(s_, i);
      // String prefix?
      if (e < n && (s_[e] == '"' || s_[e] == '\'') && e - i <= 2) {
        StrForm form;
        bool ok = true;
        for (size_t k = i; k < e; ++k) {
          char p = toLower(s_[k]);
          if (p == 'r') {
            form.raw = true;
          } else if (p == 'f' || p == 't') {
            form.fmt = true;
          } else if (p == 'b') {
            form.bytes = true;
          } else if (p != 'u') {
            ok = false;
          }
        }
        if (ok && !(form.fmt && form.bytes)) {
          i = string(i, e, form, wasLineStart && !inFString);
          afterDot_ = false;
          continue;
        }
      }
      if (wasLineStart &&
          ((e - i == 5 && s_.compare(i, 5, "match") == 0) ||
           (e - i == 4 && s_.compare(i, 4, "case") == 0)) &&
          softKeywordLine(e)) {
        emit(TC::Keyword, i, e);
        i = e;
        continue;
      }
      i = word(i, wasLineStart);
      continue;
    }
    if (c == '@' && wasLineStart && startsIdent(s_, i + 1)) {
      size_t e = scanIdent(s_, i + 1);
      emit(TC::NameDecorator, i, e);
      i = e;
      continue;
    }
    // Operators and punctuation.
    afterDot_ = false;
    switch (c) {
      case '(':
      case '[':
      case '{':
        ++depth;
        ++parenDepth_;
        emit(TC::Punctuation, i, i + 1);
        break;
      case ')':
      case ']':
      case '}':
        --depth;
        if (parenDepth_ > 0) --parenDepth_;
        emit(TC::Punctuation, i, i + 1);
        break;
      case ':':
        if (ch(i + 1) == '=') {
          emit(TC::Operator, i, i + 2);
          ++i;
        } else {
          emit(TC::Punctuation, i, i + 1);
        }
        break;
      case ',':
      case ';':
        emit(import_ == Import::Import && c == ',' ? TC::Operator : TC::Punctuation, i, i + 1);
        if (c == ';') lineStart_ = true;
        break;
      case '.':
        emit(import_ != Import::None ? TC::Name : TC::Operator, i, i + 1);
        afterDot_ = true;
        break;
      case '-':
      case '~':
      case '+':
      case '/':
      case '*':
      case '%':
      case '=':
      case '<':
      case '>':
      case '&':
      case '^':
      case '|':
      case '!':
      case '@':
        emit(TC::Operator, i, i + 1);
        break;
      default:
        i = emitOther(sink_, s_, i);
        continue;
    }
    ++i;
  }
  return n;
}

bool PythonLexer::softKeywordLine(size_t wordEnd) const {
  // `match x:` / `case 1:` — a soft keyword when followed by an expression and the line ends
  // in ':' (so `match = re.match(...)` stays a name).
  size_t j = skipBlank(s_, wordEnd);
  if (j == wordEnd || j >= s_.size()) return false;
  char c = s_[j];
  if (c == '=' || c == '.' || c == ',' || c == ')' || c == ':') return false;
  size_t e = lineEnd(s_, j);
  size_t hash = s_.substr(0, e).find('#', j);
  if (hash != std::string_view::npos) e = hash;
  while (e > j && isSpace(s_[e - 1])) --e;
  if (s_[wordEnd - 1] == 'e') {  // `case 1: pass` has its body on the same line
    return s_.substr(j, e - j).find(':') != std::string_view::npos;
  }
  return e > j && s_[e - 1] == ':';
}

size_t PythonLexer::word(size_t i, bool lineStart) {
  size_t e = scanIdent(s_, i);
  std::string_view w = s_.substr(i, e - i);
  TokenClass cls = TC::Name;
  bool afterDot = afterDot_;
  afterDot_ = false;
  if (expect_ == Expect::Function) {
    cls = TC::NameFunction;
  } else if (expect_ == Expect::Class) {
    cls = TC::NameClass;
  } else if (afterDot || (import_ != Import::None && w != "import" && w != "as")) {
    cls = TC::Name;
    if (w.size() > 4 && startsWith(w, 0, "__") && w.substr(w.size() - 2) == "__") {
      cls = dunderClass(w);
    }
  } else if (w == "from" && !lineStart) {
    cls = TC::Keyword;  // yield from, raise ... from
  } else if (w == "import" || w == "from") {
    cls = TC::KeywordNamespace;
    if (w == "from") {
      import_ = Import::From;
    } else {
      import_ = import_ == Import::From ? Import::None : Import::Import;
    }
  } else if (kConstants.contains(w)) {
    cls = TC::KeywordConstant;
  } else if (kOperatorWords.contains(w)) {
    cls = TC::OperatorWord;
  } else if (kKeywords.contains(w)) {
    cls = TC::Keyword;
    if (w == "def") expect_ = Expect::Function;
    if (w == "class") expect_ = Expect::Class;
    emit(cls, i, e);
    return e;
  } else if (w.size() > 4 && startsWith(w, 0, "__") && w.substr(w.size() - 2) == "__") {
    cls = dunderClass(w);
  } else if (kBuiltins.contains(w)) {
    cls = TC::NameBuiltin;
  }
  expect_ = Expect::None;
  emit(cls, i, e);
  return e;
}

size_t PythonLexer::number(size_t i) {
  const size_t n = s_.size();
  size_t e = i;
  auto digits = [&](bool hex) {
    while (e < n && ((hex ? isHexDigit(s_[e]) : isDigit(s_[e])) || s_[e] == '_')) ++e;
  };
  if (s_[e] == '0' && e + 1 < n && (toLower(s_[e + 1]) == 'x')) {
    e += 2;
    digits(true);
  } else if (s_[e] == '0' && e + 1 < n &&
             (toLower(s_[e + 1]) == 'o' || toLower(s_[e + 1]) == 'b')) {
    e += 2;
    digits(false);
  } else {
    digits(false);
    if (e < n && s_[e] == '.' && !(e + 1 < n && startsIdent(s_, e + 1))) {
      ++e;
      digits(false);
    }
    if (e < n && toLower(s_[e]) == 'e') {
      size_t x = e + 1;
      if (x < n && (s_[x] == '+' || s_[x] == '-')) ++x;
      if (x < n && isDigit(s_[x])) {
        e = x;
        digits(false);
      }
    }
  }
  if (e < n && (toLower(s_[e]) == 'j' || toLower(s_[e]) == 'l')) ++e;
  emit(TC::Number, i, e);
  return e;
}

// Escape at s_[i] == '\\' in a non-raw string; returns its end, or i when not an escape Pygments
// would show (then the backslash is ordinary string text).
size_t PythonLexer::escape(size_t i, bool bytes) {
  const size_t n = s_.size();
  if (i + 1 >= n) return i;
  char k = s_[i + 1];
  switch (k) {
    case '\\':
    case '\'':
    case '"':
    case 'a':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\n':
      return i + 2;
    case 'x': {
      if (i + 3 < n && isHexDigit(s_[i + 2]) && isHexDigit(s_[i + 3])) return i + 4;
      return i;
    }
    case 'u':
    case 'U': {
      if (bytes) return i;
      size_t len = k == 'u' ? 4 : 8;
      for (size_t d = 0; d < len; ++d) {
        if (i + 2 + d >= n || !isHexDigit(s_[i + 2 + d])) return i;
      }
      return i + 2 + len;
    }
    case 'N': {
      if (bytes || i + 2 >= n || s_[i + 2] != '{') return i;
      // Unicode names are short: bound the search so "\\N{\\N{..." stays linear.
      std::string_view name = s_.substr(i + 3, 96);
      size_t close = name.find('}');
      if (close == std::string_view::npos || name.substr(0, close).find('\n') != name.npos) {
        return i;
      }
      return i + 3 + close + 1;
    }
    default:
      if (k >= '0' && k <= '7') {
        size_t e = i + 2;
        while (e < n && e < i + 4 && s_[e] >= '0' && s_[e] <= '7') ++e;
        return e;
      }
      return i;
  }
}

// "%(name)-10.3f" at s_[i] == '%': returns the end or i.
size_t PythonLexer::percentPlaceholder(size_t i) const {
  const size_t n = s_.size();
  size_t e = i + 1;
  if (e < n && s_[e] == '(') {
    size_t x = e + 1;
    while (x < n && isAsciiIdentChar(s_[x])) ++x;
    if (x >= n || s_[x] != ')') return i;
    e = x + 1;
  }
  while (e < n && (s_[e] == '-' || s_[e] == '#' || s_[e] == '0' || s_[e] == ' ' || s_[e] == '+')) {
    ++e;
  }
  if (e < n && s_[e] == '*') {
    ++e;
  } else {
    while (e < n && isDigit(s_[e])) ++e;
  }
  if (e < n && s_[e] == '.') {
    ++e;
    if (e < n && s_[e] == '*') {
      ++e;
    } else {
      while (e < n && isDigit(s_[e])) ++e;
    }
  }
  if (e < n && (s_[e] == 'h' || s_[e] == 'l' || s_[e] == 'L')) ++e;
  if (e >= n) return i;
  char c = s_[e];
  if (std::string_view("EFGXcdegiorsaux%").find(c) == std::string_view::npos) return i;
  return e + 1;
}

// "{0}", "{name.attr[key]!r:>10}" at s_[i] == '{' in a str.format-style string.
size_t PythonLexer::formatPlaceholder(size_t i) const {
  const size_t n = s_.size();
  size_t e = i + 1;
  while (e < n && isAsciiIdentChar(s_[e])) ++e;
  while (e < n && (s_[e] == '.' || s_[e] == '[')) {
    if (s_[e] == '.') {
      size_t x = e + 1;
      while (x < n && isAsciiIdentChar(s_[x])) ++x;
      if (x == e + 1) return i;
      e = x;
    } else {
      size_t close = s_.find(']', e);
      if (close == std::string_view::npos || close > e + 64) return i;
      e = close + 1;
    }
  }
  if (e + 1 < n && s_[e] == '!' && (s_[e + 1] == 's' || s_[e + 1] == 'r' || s_[e + 1] == 'a')) {
    e += 2;
  }
  if (e < n && s_[e] == ':') {
    ++e;
    // [[fill]align][sign][#][0][width][,][.precision][type]
    if (e + 1 < n && std::string_view("<>=^").find(s_[e + 1]) != std::string_view::npos &&
        s_[e] != '}') {
      e += 2;
    } else if (e < n && std::string_view("<>=^").find(s_[e]) != std::string_view::npos) {
      ++e;
    }
    if (e < n && (s_[e] == '-' || s_[e] == '+' || s_[e] == ' ')) ++e;
    if (e < n && s_[e] == '#') ++e;
    if (e < n && s_[e] == '0') ++e;
    while (e < n && isDigit(s_[e])) ++e;
    if (e < n && (s_[e] == ',' || s_[e] == '_')) ++e;
    if (e < n && s_[e] == '.') {
      ++e;
      while (e < n && isDigit(s_[e])) ++e;
    }
    if (e < n && std::string_view("EFGXbcdefgnosx%").find(s_[e]) != std::string_view::npos) ++e;
  }
  if (e < n && s_[e] == '}') return e + 1;
  return i;
}

// f-string replacement field at s_[i] == '{': the expression is Python; "!r" and ":spec" are
// interpol; a spec may hold nested fields.
size_t PythonLexer::replacementField(size_t i, bool singleLine) {
  const size_t n = s_.size();
  DepthGuard guard(sink_);
  emit(TC::StringInterpol, i, i + 1);
  if (guard.tooDeep()) return i + 1;
  PythonLexer inner(sink_, s_);
  inner.lineStart_ = false;
  size_t e = inner.run(i + 1, true, singleLine);
  if (e >= n || s_[e] == '\n') return e;
  if (s_[e] == '!') {
    emit(TC::StringInterpol, e, e + 2);
    e += 2;
  }
  if (e < n && s_[e] == ':') {
    emit(TC::StringInterpol, e, e + 1);
    ++e;
    size_t run = e;
    while (e < n && s_[e] != '}' && !(singleLine && s_[e] == '\n')) {
      if (s_[e] == '{') {
        emit(TC::String, run, e);
        e = replacementField(e, singleLine);
        run = e;
        continue;
      }
      ++e;
    }
    emit(TC::String, run, e);
  }
  if (e < n && s_[e] == '}') {
    emit(TC::StringInterpol, e, e + 1);
    ++e;
  }
  return e;
}

size_t PythonLexer::string(size_t i, size_t quotePos, StrForm form, bool doc) {
  const size_t n = s_.size();
  char q = s_[quotePos];
  form.quote = q;
  form.triple = quotePos + 2 < n && s_[quotePos + 1] == q && s_[quotePos + 2] == q;
  size_t open = quotePos + (form.triple ? 3 : 1);
  TokenClass cls = doc && form.triple ? TC::StringDoc : TC::String;
  size_t run = i;
  size_t e = open;
  bool singleLine = !form.triple;
  while (e < n) {
    char c = s_[e];
    if (c == q && (!form.triple || (e + 2 < n && s_[e + 1] == q && s_[e + 2] == q))) {
      e += form.triple ? 3 : 1;
      emit(cls, run, e);
      return e;
    }
    if (c == '\n' && singleLine) break;
    if (c == '\\' && e + 1 < n) {
      if (!form.raw) {
        size_t x = escape(e, form.bytes);
        if (x != e) {
          emit(cls, run, e);
          emit(TC::StringEscape, e, x);
          run = e = x;
          continue;
        }
      }
      // A backslash always protects the next character from ending the string.
      e += 1 + std::max<size_t>(utf8Len(s_, e + 1), 1);
      continue;
    }
    if (cls == TC::String && form.fmt) {
      if ((c == '{' && e + 1 < n && s_[e + 1] == '{') ||
          (c == '}' && e + 1 < n && s_[e + 1] == '}')) {
        emit(cls, run, e);
        emit(TC::StringEscape, e, e + 2);
        run = e = e + 2;
        continue;
      }
      if (c == '{') {
        emit(cls, run, e);
        run = e = replacementField(e, singleLine);
        continue;
      }
    } else if (cls == TC::String) {
      size_t x = e;
      if (c == '%') {
        x = percentPlaceholder(e);
      } else if (c == '{') {
        x = formatPlaceholder(e);
      }
      if (x != e) {
        emit(cls, run, e);
        emit(TC::StringInterpol, e, x);
        run = e = x;
        continue;
      }
    }
    e += std::max<size_t>(utf8Len(s_, e), 1);
  }
  if (e > n) e = n;
  emit(cls, run, e);
  return e;
}

}  // namespace

void lexPython(Sink& sink, std::string_view src, size_t pos) {
  PythonLexer lexer(sink, src);
  // A shebang or encoding line is an ordinary comment.
  lexer.run(pos, false, false);
}

}  // namespace render::lex
