// Markup: HTML/XML (with <script> and <style> handed to the JavaScript and CSS lexers), CSS and
// Markdown (fenced code handed to the lexer named in the fence).
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

// ---- HTML -------------------------------------------------------------------------------------

// Finds `</name` (case-insensitive) from `i`; returns src.size() when absent.
size_t findClosingTag(std::string_view s, size_t i, std::string_view name) {
  while (true) {
    size_t lt = s.find("</", i);
    if (lt == std::string_view::npos) return s.size();
    if (startsWithNoCase(s, lt + 2, name)) {
      size_t after = lt + 2 + name.size();
      if (after >= s.size() || !isAsciiIdentChar(s[after])) return lt;
    }
    i = lt + 2;
  }
}

class HtmlLexer {
 public:
  HtmlLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  void run(size_t i);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  size_t tag(size_t i, Language& embedded);

  Sink& sink_;
  std::string_view s_;
};

void HtmlLexer::run(size_t i) {
  const size_t n = s_.size();
  while (i < n) {
    char c = s_[i];
    if (c == '<') {
      if (startsWith(s_, i, "<!--")) {
        size_t e = s_.find("-->", i + 4);
        e = e == std::string_view::npos ? n : e + 3;
        emit(TC::Comment, i, e);
        i = e;
        continue;
      }
      if (startsWith(s_, i, "<![CDATA[")) {
        size_t e = s_.find("]]>", i);
        e = e == std::string_view::npos ? n : e + 3;
        emit(TC::CommentPreproc, i, e);
        i = e;
        continue;
      }
      if (startsWith(s_, i, "<!") || startsWith(s_, i, "<?")) {
        size_t e = s_.find('>', i);
        e = e == std::string_view::npos ? n : e + 1;
        emit(TC::CommentPreproc, i, e);
        i = e;
        continue;
      }
      if (startsIdent(s_, i + 1) || (i + 2 < n && s_[i + 1] == '/' && startsIdent(s_, i + 2))) {
        Language embedded = Language::PlainText;
        size_t nameStart = i + 1;
        size_t e = tag(i, embedded);
        if (embedded != Language::Count) {
          // Raw text element: everything up to </script> belongs to the embedded language.
          std::string_view name = s_.substr(nameStart, scanIdent(s_, nameStart) - nameStart);
          size_t close = findClosingTag(s_, e, name);
          if (close > e) {
            DepthGuard guard(sink_);
            if (guard.tooDeep() || embedded == Language::PlainText) {
              lexPlain(sink_, s_.substr(0, close), e);
            } else {
              lexLanguage(embedded, sink_, s_.substr(0, close), e);
            }
          }
          i = close;
          continue;
        }
        i = e;
        continue;
      }
      emit(TC::Text, i, i + 1);
      ++i;
      continue;
    }
    if (c == '&') {
      size_t e = i + 1;
      while (e < n && e < i + 32 && (isAsciiIdentChar(s_[e]) || s_[e] == '#')) ++e;
      if (e < n && s_[e] == ';' && e > i + 1) {
        emit(TC::NameConstant, i, e + 1);  // entity
        i = e + 1;
        continue;
      }
      emit(TC::Text, i, i + 1);
      ++i;
      continue;
    }
    if (isSpace(c)) {
      size_t e = skipSpace(s_, i);
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    size_t e = i;
    while (e < n && s_[e] != '<' && s_[e] != '&' && !isSpace(s_[e])) ++e;
    emit(TC::Text, i, e);
    i = e;
  }
}

// A start or end tag at '<'. Sets `embedded` to the language of a raw-text element's content
// (script, style) or Language::Count when the element's content is ordinary markup.
size_t HtmlLexer::tag(size_t i, Language& embedded) {
  const size_t n = s_.size();
  embedded = Language::Count;
  bool closing = s_[i + 1] == '/';
  size_t e = i + (closing ? 2 : 1);
  emit(TC::Punctuation, i, e);
  size_t nameEnd = scanIdent(s_, e, "-:.");
  std::string_view name = s_.substr(e, nameEnd - e);
  emit(TC::NameTag, e, nameEnd);
  e = nameEnd;
  bool script = !closing && name.size() == 6 && startsWithNoCase(name, 0, "script");
  bool style = !closing && name.size() == 5 && startsWithNoCase(name, 0, "style");
  Language scriptLang = Language::JavaScript;
  std::string_view lastAttr;
  while (e < n) {
    char c = s_[e];
    if (isSpace(c)) {
      size_t x = skipSpace(s_, e);
      emit(TC::Whitespace, e, x);
      e = x;
    } else if (c == '>') {
      emit(TC::Punctuation, e, e + 1);
      ++e;
      if (script) embedded = scriptLang;
      if (style) embedded = Language::Css;
      return e;
    } else if (c == '/' && e + 1 < n && s_[e + 1] == '>') {
      emit(TC::Punctuation, e, e + 2);
      return e + 2;
    } else if (c == '=') {
      emit(TC::Operator, e, e + 1);
      ++e;
      size_t v = skipSpace(s_, e);
      emit(TC::Whitespace, e, v);
      e = v;
      size_t ve = e;
      if (e < n && (s_[e] == '"' || s_[e] == '\'')) {
        ve = s_.find(s_[e], e + 1);
        ve = ve == std::string_view::npos ? n : ve + 1;
      } else {
        while (ve < n && !isSpace(s_[ve]) && s_[ve] != '>') ++ve;
      }
      if (script && lastAttr.size() == 4 && startsWithNoCase(lastAttr, 0, "type")) {
        std::string_view v = s_.substr(e, ve - e);
        bool js = v.find("javascript") != v.npos || v.find("module") != v.npos ||
                  v.find("ecmascript") != v.npos || v.find("babel") != v.npos ||
                  v.find("jsx") != v.npos;
        scriptLang = v.find("json") != v.npos         ? Language::Json
                     : v.find("typescript") != v.npos ? Language::TypeScript
                     : js                             ? Language::JavaScript
                                                      : Language::PlainText;
      }
      emit(TC::String, e, ve);
      e = ve;
    } else if (c == '<') {
      return e;  // unclosed tag
    } else if (startsIdent(s_, e) || c == '@' || c == ':' || c == '[' || c == '(' || c == '*' ||
               c == '#') {
      size_t x = scanIdent(s_, e + 1, "-:.@[]()*#");
      lastAttr = s_.substr(e, x - e);
      emit(TC::NameAttribute, e, x);
      e = x;
    } else {
      e = emitOther(sink_, s_, e);
    }
  }
  return e;
}

// ---- CSS --------------------------------------------------------------------------------------

class CssLexer {
 public:
  CssLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  void run(size_t i);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  size_t comment(size_t i);
  size_t string(size_t i);
  size_t selector(size_t i, size_t end);
  size_t declaration(size_t i, size_t end);
  size_t value(size_t i, size_t end);
  // Where the current statement ends: the first '{', ';' or '}' outside strings/comments/parens.
  size_t statementEnd(size_t i, char& terminator) const;

  Sink& sink_;
  std::string_view s_;
};

size_t CssLexer::comment(size_t i) {
  size_t e = s_.find("*/", i + 2);
  e = e == std::string_view::npos ? s_.size() : e + 2;
  emit(TC::Comment, i, e);
  return e;
}

size_t CssLexer::string(size_t i) {
  const size_t n = s_.size();
  char q = s_[i];
  size_t e = i + 1;
  while (e < n && s_[e] != q && s_[e] != '\n') e += (s_[e] == '\\' && e + 1 < n) ? 2 : 1;
  e = e < n && s_[e] == q ? e + 1 : std::min(e, n);
  emit(TC::String, i, e);
  return e;
}

size_t CssLexer::statementEnd(size_t i, char& terminator) const {
  const size_t n = s_.size();
  int parens = 0;
  while (i < n) {
    char c = s_[i];
    if (c == '"' || c == '\'') {
      size_t e = i + 1;
      while (e < n && s_[e] != c && s_[e] != '\n') e += (s_[e] == '\\') ? 2 : 1;
      i = e + 1;
      continue;
    }
    if (c == '/' && i + 1 < n && s_[i + 1] == '*') {
      size_t e = s_.find("*/", i + 2);
      if (e == std::string_view::npos) break;
      i = e + 2;
      continue;
    }
    if (c == '(') ++parens;
    if (c == ')' && parens > 0) --parens;
    if (parens == 0 && (c == '{' || c == ';' || c == '}')) {
      // "#{" is SCSS interpolation, not a block.
      if (!(c == '{' && i > 0 && s_[i - 1] == '#')) {
        terminator = c;
        return i;
      }
    }
    ++i;
  }
  terminator = '\0';
  return n;
}

void CssLexer::run(size_t i) {
  const size_t n = s_.size();
  int depth = 0;
  while (i < n) {
    char c = s_[i];
    if (isSpace(c)) {
      size_t e = skipSpace(s_, i);
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '/' && i + 1 < n && s_[i + 1] == '*') {
      i = comment(i);
      continue;
    }
    if (c == '/' && i + 1 < n && s_[i + 1] == '/') {  // SCSS/LESS line comment
      size_t e = lineEnd(s_, i);
      emit(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '}') {
      emit(TC::Punctuation, i, i + 1);
      if (depth > 0) --depth;
      ++i;
      continue;
    }
    if (c == '{' || c == ';') {
      if (c == '{') ++depth;
      emit(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    char term;
    size_t end = statementEnd(i, term);
    if (c == '@') {
      // At-rule: keyword, then a prelude lexed like a value.
      size_t e = scanIdent(s_, i + 1, "-");
      emit(TC::Keyword, i, e);
      i = value(e, end);
      continue;
    }
    if (term == '{' || depth == 0) {
      i = selector(i, end);
    } else {
      i = declaration(i, end);
    }
  }
}

size_t CssLexer::selector(size_t i, size_t end) {
  while (i < end) {
    char c = s_[i];
    if (isSpace(c)) {
      size_t e = std::min(skipSpace(s_, i), end);
      emit(TC::Whitespace, i, e);
      i = e;
    } else if (c == '/' && i + 1 < end && s_[i + 1] == '*') {
      i = std::min(comment(i), s_.size());
    } else if (c == '.' && startsIdent(s_, i + 1)) {
      size_t e = scanIdent(s_, i + 1, "-");
      emit(TC::NameClass, i, e);
      i = e;
    } else if (c == '#' && (startsIdent(s_, i + 1) || (i + 1 < end && s_[i + 1] == '-'))) {
      size_t e = scanIdent(s_, i + 1, "-");
      emit(TC::NameConstant, i, e);
      i = e;
    } else if (c == ':') {
      size_t e = i + 1;
      if (e < end && s_[e] == ':') ++e;
      e = scanIdent(s_, e, "-");
      emit(TC::NameDecorator, i, e);
      i = e;
    } else if (c == '[') {
      size_t close = s_.find(']', i);
      close = close == std::string_view::npos || close > end ? end : close + 1;
      emit(TC::Punctuation, i, i + 1);
      size_t a = scanIdent(s_, i + 1, "-");
      emit(TC::NameAttribute, i + 1, a);
      size_t k = a;
      while (k < close) {
        if (s_[k] == '"' || s_[k] == '\'') {
          k = string(k);
        } else if (s_[k] == ']') {
          emit(TC::Punctuation, k, k + 1);
          ++k;
        } else {
          size_t x = k;
          while (x < close && s_[x] != '"' && s_[x] != '\'' && s_[x] != ']') ++x;
          emit(TC::Operator, k, x);
          k = x;
        }
      }
      i = std::max(close, k);
    } else if (c == '$' || (c == '-' && i + 1 < end && s_[i + 1] == '-')) {
      // SCSS variable or custom property at statement level: treat as a declaration.
      return declaration(i, end);
    } else if (startsIdent(s_, i) || c == '*' || c == '&' || c == '%') {
      size_t e = c == '*' || c == '&' ? i + 1 : scanIdent(s_, i + 1, "-");
      emit(TC::NameTag, i, e);
      i = e;
    } else if (c == '"' || c == '\'') {
      i = string(i);
    } else if (c == ',' || c == '(' || c == ')') {
      emit(TC::Punctuation, i, i + 1);
      ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      i = emitOther(sink_, s_, i);
    } else {
      emit(TC::Operator, i, i + 1);
      ++i;
    }
  }
  return i;  // a string may run past `end`; never go back
}

size_t CssLexer::declaration(size_t i, size_t end) {
  size_t colon = i;
  while (colon < end && s_[colon] != ':') ++colon;
  if (colon >= end) return value(i, end);
  size_t nameEnd = colon;
  while (nameEnd > i && isSpace(s_[nameEnd - 1])) --nameEnd;
  bool variable = s_[i] == '$' || startsWith(s_, i, "--");
  emit(variable ? TC::NameVariable : TC::NameProperty, i, nameEnd);
  emit(TC::Whitespace, nameEnd, colon);
  emit(TC::Punctuation, colon, colon + 1);
  return value(colon + 1, end);
}

size_t CssLexer::value(size_t i, size_t end) {
  while (i < end) {
    char c = s_[i];
    if (isSpace(c)) {
      size_t e = std::min(skipSpace(s_, i), end);
      emit(TC::Whitespace, i, e);
      i = e;
    } else if (c == '/' && i + 1 < end && s_[i + 1] == '*') {
      i = std::min(comment(i), s_.size());
    } else if (c == '"' || c == '\'') {
      i = string(i);
    } else if (c == '#' && i + 1 < end && isHexDigit(s_[i + 1])) {
      size_t e = scanIdent(s_, i + 1);
      emit(TC::Number, i, e);
      i = e;
    } else if (isDigit(c) || (c == '.' && i + 1 < end && isDigit(s_[i + 1])) ||
               ((c == '-' || c == '+') && i + 1 < end &&
                (isDigit(s_[i + 1]) || s_[i + 1] == '.'))) {
      size_t e = i + 1;
      while (e < end && (isDigit(s_[e]) || s_[e] == '.')) ++e;
      size_t u = e;
      while (u < end && (isAlpha(s_[u]) || s_[u] == '%')) ++u;
      emit(TC::Number, i, e);
      emit(TC::KeywordType, e, u);  // unit
      i = u;
    } else if (c == '!' && startsIdent(s_, i + 1)) {
      size_t e = scanIdent(s_, i + 1);
      emit(TC::Keyword, i, e);
      i = e;
    } else if (c == '$' || (c == '-' && i + 1 < end && s_[i + 1] == '-') || c == '@') {
      size_t e = scanIdent(s_, i + 1, "-");
      emit(TC::NameVariable, i, e);
      i = e;
    } else if (startsIdent(s_, i) || (c == '-' && startsIdent(s_, i + 1))) {
      size_t e = scanIdent(s_, i + 1, "-");
      if (e < end && s_[e] == '(') {
        emit(TC::NameBuiltin, i, e);
        std::string_view fn = s_.substr(i, e - i);
        if (fn == "url") {
          // url(unquoted) is a string, including any // inside it.
          size_t close = s_.find(')', e);
          close = close == std::string_view::npos || close > end ? end : close;
          emit(TC::Punctuation, e, e + 1);
          size_t a = skipSpace(s_, e + 1);
          if (a < close && (s_[a] == '"' || s_[a] == '\'')) {
            emit(TC::Whitespace, e + 1, a);
            i = e + 1 < close ? value(a, close) : close;
          } else {
            emit(TC::String, e + 1, close);
            i = close;
          }
          continue;
        }
      } else {
        emit(TC::KeywordConstant, i, e);
      }
      i = e;
    } else if (c == ',' || c == '(' || c == ')' || c == ':' || c == ';') {
      emit(TC::Punctuation, i, i + 1);
      ++i;
    } else if (static_cast<unsigned char>(c) >= 0x80) {
      i = emitOther(sink_, s_, i);
    } else {
      emit(TC::Operator, i, i + 1);
      ++i;
    }
  }
  return i;
}

// ---- Markdown ---------------------------------------------------------------------------------

class MarkdownLexer {
 public:
  MarkdownLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  void run(size_t i);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  void inlineText(size_t i, size_t end, TokenClass base);
  size_t fence(size_t i, size_t lineStart);

  Sink& sink_;
  std::string_view s_;
};

void MarkdownLexer::run(size_t i) {
  const size_t n = s_.size();
  while (i < n) {
    size_t le = lineEnd(s_, i);
    size_t b = skipBlank(s_, i);
    emit(TC::Whitespace, i, b);
    size_t next = le < n ? le + 1 : n;
    if (b >= le) {
      emit(TC::Whitespace, b, next);
      i = next;
      continue;
    }
    char c = s_[b];
    if ((c == '`' && startsWith(s_, b, "```")) || (c == '~' && startsWith(s_, b, "~~~"))) {
      i = fence(b, i);
      continue;
    }
    if (b - i >= 4 || (b < le && s_[i] == '\t')) {  // indented code block
      emit(TC::String, b, le);
      emit(TC::Whitespace, le, next);
      i = next;
      continue;
    }
    if (c == '#') {
      size_t h = b;
      while (h < le && s_[h] == '#') ++h;
      if (h - b <= 6 && (h == le || isBlank(s_[h]))) {
        emit(h - b == 1 ? TC::GenericHeading : TC::GenericSubheading, b, le);
        emit(TC::Whitespace, le, next);
        i = next;
        continue;
      }
    }
    // Setext underline (=== / ---) and thematic breaks (*** / ---).
    if (c == '=' || c == '-' || c == '*' || c == '_') {
      size_t k = b;
      while (k < le && (s_[k] == c || isBlank(s_[k]))) ++k;
      if (k == le && le - b >= 3) {
        emit(c == '=' ? TC::GenericHeading : TC::Keyword, b, le);
        emit(TC::Whitespace, le, next);
        i = next;
        continue;
      }
    }
    if (c == '>') {
      emit(TC::Keyword, b, b + 1);
      inlineText(b + 1, le, TC::GenericEmph);
      emit(TC::Whitespace, le, next);
      i = next;
      continue;
    }
    size_t textStart = b;
    if ((c == '-' || c == '*' || c == '+') && b + 1 < le && isBlank(s_[b + 1])) {
      emit(TC::Keyword, b, b + 1);
      textStart = b + 1;
    } else if (isDigit(c)) {
      size_t k = b;
      while (k < le && isDigit(s_[k])) ++k;
      if (k < le && (s_[k] == '.' || s_[k] == ')') && k + 1 <= le &&
          (k + 1 == le || isBlank(s_[k + 1]))) {
        emit(TC::Keyword, b, k + 1);
        textStart = k + 1;
      }
    }
    if (textStart != b) {
      size_t k = skipBlank(s_, textStart);
      emit(TC::Whitespace, textStart, k);
      if (startsWith(s_, k, "[ ]") || startsWith(s_, k, "[x]") || startsWith(s_, k, "[X]")) {
        emit(TC::Keyword, k, k + 3);
        k += 3;
      }
      textStart = k;
    }
    inlineText(textStart, le, TC::Text);
    emit(TC::Whitespace, le, next);
    i = next;
  }
}

// ```lang ... ``` : fences as String, the body in the named language when known.
size_t MarkdownLexer::fence(size_t i, size_t lineStart) {
  const size_t n = s_.size();
  char fc = s_[i];
  size_t f = i;
  while (f < n && s_[f] == fc) ++f;
  size_t fenceLen = f - i;
  size_t indent = i - lineStart;
  size_t le = lineEnd(s_, i);
  size_t infoStart = skipBlank(s_, f);
  size_t infoEnd = infoStart;
  while (infoEnd < le && !isSpace(s_[infoEnd]) && s_[infoEnd] != '{' && s_[infoEnd] != '`') {
    ++infoEnd;
  }
  std::string_view info = s_.substr(infoStart, infoEnd - infoStart);
  emit(TC::String, i, le);
  if (le >= n) return n;
  emit(TC::Whitespace, le, le + 1);
  size_t bodyStart = le + 1;
  // Closing fence: a line of at least fenceLen fence characters, indented at most 3 spaces.
  size_t line = bodyStart;
  size_t closeStart = n, closeEnd = n;
  while (line < n) {
    size_t e = lineEnd(s_, line);
    size_t b = skipBlank(s_, line);
    size_t k = b;
    while (k < e && s_[k] == fc) ++k;
    if (k - b >= fenceLen && b - line <= 3 + indent && skipSpace(s_, k) >= e) {
      closeStart = line;
      closeEnd = e;
      break;
    }
    line = e < n ? e + 1 : n;
  }
  Language lang = Language::PlainText;
  if (!info.empty() && !parseLanguage(info, lang)) lang = Language::PlainText;
  if (closeStart > bodyStart) {
    DepthGuard guard(sink_);
    std::string_view body = s_.substr(0, closeStart);
    if (guard.tooDeep() || lang == Language::PlainText) {
      emit(TC::String, bodyStart, closeStart);
    } else {
      lexLanguage(lang, sink_, body, bodyStart);
    }
  }
  if (closeStart >= n) return n;
  size_t b = skipBlank(s_, closeStart);
  emit(TC::Whitespace, closeStart, b);
  emit(TC::String, b, closeEnd);
  if (closeEnd < n) {
    emit(TC::Whitespace, closeEnd, closeEnd + 1);
    return closeEnd + 1;
  }
  return n;
}

// Inline spans on one line: `code`, **strong**, *emph*, _emph_, ~~deleted~~, [link](url), <url>.
void MarkdownLexer::inlineText(size_t i, size_t end, TokenClass base) {
  // Searches for a closer that failed once fail for every later opener on the line too;
  // remembering that keeps lines like "[[[[..." or "****..." linear.
  std::string_view line = s_.substr(0, end);
  bool noTicks[8] = {}, noBracket = false, noParen = false, noAngle = false;
  bool noMark[6] = {};  // * ** _ __ ~ ~~
  while (i < end) {
    char c = s_[i];
    if (c == '`') {
      size_t ticks = i;
      while (ticks < end && s_[ticks] == '`') ++ticks;
      std::string_view run = s_.substr(i, ticks - i);
      size_t slot = std::min<size_t>(run.size(), 8) - 1;
      size_t close = noTicks[slot] ? std::string_view::npos : line.find(run, ticks);
      if (close == std::string_view::npos && run.size() <= 8) noTicks[slot] = true;
      if (close != std::string_view::npos) {
        emit(TC::String, i, close + run.size());
        i = close + run.size();
        continue;
      }
      emit(base, i, ticks);
      i = ticks;
      continue;
    }
    if ((c == '*' || c == '_' || c == '~') && i + 1 < end) {
      bool dbl = s_[i + 1] == c;
      if (c == '~' && !dbl) {
        emit(base, i, i + 1);
        ++i;
        continue;
      }
      std::string_view mark = s_.substr(i, dbl ? 2 : 1);
      size_t open = i + mark.size();
      bool leftFlank = open < end && !isSpace(s_[open]);
      // '_' inside a word (snake_case) is not emphasis.
      bool intraword = c == '_' && i > 0 && isAsciiIdentChar(s_[i - 1]);
      bool& noClose = noMark[(c == '*' ? 0 : c == '_' ? 2 : 4) + (dbl ? 1 : 0)];
      size_t close =
          leftFlank && !intraword && !noClose ? line.find(mark, open + 1) : std::string_view::npos;
      if (leftFlank && !intraword && close == std::string_view::npos) noClose = true;
      if (close != std::string_view::npos && !isSpace(s_[close - 1]) &&
          !(c == '_' && close + mark.size() < end && isAsciiIdentChar(s_[close + mark.size()]))) {
        TokenClass cls = c == '~' ? TC::GenericDeleted : dbl ? TC::GenericStrong : TC::GenericEmph;
        emit(cls, i, close + mark.size());
        i = close + mark.size();
        continue;
      }
      emit(base, i, open);
      i = open;
      continue;
    }
    if (c == '[' || (c == '!' && i + 1 < end && s_[i + 1] == '[')) {
      size_t lb = c == '!' ? i + 1 : i;
      size_t rb = noBracket ? std::string_view::npos : line.find(']', lb);
      if (rb == std::string_view::npos) noBracket = true;
      if (rb != std::string_view::npos && rb + 1 < end && s_[rb + 1] == '(') {
        size_t rp = noParen ? std::string_view::npos : line.find(')', rb);
        if (rp == std::string_view::npos) noParen = true;
        if (rp != std::string_view::npos) {
          emit(TC::Text, i, lb + 1);
          emit(TC::NameTag, lb + 1, rb);
          emit(TC::Text, rb, rb + 2);
          emit(TC::NameAttribute, rb + 2, rp);
          emit(TC::Text, rp, rp + 1);
          i = rp + 1;
          continue;
        }
      }
    }
    if (c == '<' && (startsWith(s_, i + 1, "http://") || startsWith(s_, i + 1, "https://"))) {
      size_t gt = noAngle ? std::string_view::npos : line.find('>', i);
      if (gt == std::string_view::npos) noAngle = true;
      if (gt != std::string_view::npos) {
        emit(TC::NameAttribute, i, gt + 1);
        i = gt + 1;
        continue;
      }
    }
    if (c == '\\' && i + 1 < end) {
      size_t e = i + 1 + std::max<size_t>(utf8Len(s_, i + 1), 1);
      emit(TC::StringEscape, i, std::min(e, end));
      i = std::min(e, end);
      continue;
    }
    if (isSpace(c)) {
      size_t e = i;
      while (e < end && isSpace(s_[e])) ++e;
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    size_t e = i + std::max<size_t>(utf8Len(s_, i), 1);
    while (e < end && !isSpace(s_[e]) &&
           std::string_view("`*_~[!<\\").find(s_[e]) == std::string_view::npos) {
      ++e;
    }
    if (e > end) e = end;
    emit(base, i, e);
    i = e;
  }
}

}  // namespace

void lexHtml(Sink& sink, std::string_view src, size_t pos) {
  HtmlLexer(sink, src).run(pos);
}
void lexCss(Sink& sink, std::string_view src, size_t pos) {
  CssLexer(sink, src).run(pos);
}
void lexMarkdown(Sink& sink, std::string_view src, size_t pos) {
  MarkdownLexer(sink, src).run(pos);
}

}  // namespace render::lex
