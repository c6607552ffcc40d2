// Data and query languages: JSON, YAML, TOML and SQL. Keys are shown as name.tag (as Pygments
// does for JSON and YAML) so configuration files read as key/value pairs.
#include "lexer_internal.h"

namespace render::lex {
namespace {

using TC = TokenClass;

size_t quotedRun(std::string_view s, size_t i, bool escapes, bool multiline) {
  const size_t n = s.size();
  char q = s[i];
  size_t e = i + 1;
  while (e < n && s[e] != q) {
    if (s[e] == '\n' && !multiline) return e;
    e += (escapes && s[e] == '\\' && e + 1 < n) ? 2 : 1;
  }
  return e < n ? e + 1 : n;
}

// Emits a string with backslash escapes split out.
void emitEscapedString(Sink& sink, std::string_view s, size_t b, size_t e) {
  size_t run = b;
  for (size_t k = b + 1; k + 1 < e; ++k) {
    if (s[k] == '\\') {
      sink.add(TC::String, run, k);
      size_t x = std::min(e - 1, k + 1 + std::max<size_t>(utf8Len(s, k + 1), 1));
      if (s[k + 1] == 'u') {
        while (x < e - 1 && x < k + 6 && isHexDigit(s[x])) ++x;
      }
      sink.add(TC::StringEscape, k, x);
      run = x;
      k = x - 1;
    }
  }
  sink.add(TC::String, run, e);
}

size_t numberRun(std::string_view s, size_t i) {
  const size_t n = s.size();
  size_t e = i;
  if (e < n && (s[e] == '-' || s[e] == '+')) ++e;
  if (startsWith(s, e, "0x") || startsWith(s, e, "0o") || startsWith(s, e, "0b")) {
    e += 2;
    while (e < n && (isHexDigit(s[e]) || s[e] == '_')) ++e;
    return e;
  }
  while (e < n && (isDigit(s[e]) || s[e] == '_')) ++e;
  if (e < n && s[e] == '.' && e + 1 < n && isDigit(s[e + 1])) {
    ++e;
    while (e < n && (isDigit(s[e]) || s[e] == '_')) ++e;
  }
  if (e < n && (s[e] == 'e' || s[e] == 'E')) {
    size_t x = e + 1;
    if (x < n && (s[x] == '+' || s[x] == '-')) ++x;
    if (x < n && isDigit(s[x])) {
      e = x;
      while (e < n && isDigit(s[e])) ++e;
    }
  }
  return e;
}

size_t emitComment(Sink& sink, std::string_view s, size_t i) {
  size_t e = lineEnd(s, i);
  sink.add(TC::Comment, i, e);
  return e;
}

// ---- YAML -------------------------------------------------------------------------------------

size_t lineIndent(std::string_view s, size_t lineStart) {
  size_t k = lineStart;
  while (k < s.size() && s[k] == ' ') ++k;
  return k - lineStart;
}

bool isYamlConstant(std::string_view w) {
  static constexpr WordSet kConst({"true", "false", "True", "False", "TRUE", "FALSE", "null",
                                   "Null", "NULL",  "~",    "yes",   "no",   "Yes",   "No",
                                   "YES",  "NO",    "on",   "off",   "On",   "Off"});
  return kConst.contains(w);
}

bool isNumber(std::string_view w) {
  if (w.empty()) return false;
  size_t e = numberRun(w, 0);
  if (e == w.size() && (isDigit(w[e - 1]))) return true;
  return w == ".inf" || w == "-.inf" || w == ".nan" || w == ".NaN" || w == ".Inf";
}

class YamlLexer {
 public:
  YamlLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  void run(size_t i);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  // Lexes the rest of a line from `i` (after indentation and any "- "), returns line end.
  size_t content(size_t i, size_t le, size_t indent);
  size_t scalar(size_t i, size_t le, bool flow);

  Sink& sink_;
  std::string_view s_;
  int flowDepth_ = 0;
  size_t blockIndent_ = SIZE_MAX;  // inside a | or > block scalar deeper than this indent
};

void YamlLexer::run(size_t i) {
  const size_t n = s_.size();
  while (i < n) {
    size_t le = lineEnd(s_, i);
    size_t next = le < n ? le + 1 : n;
    size_t b = skipBlank(s_, i);
    if (blockIndent_ != SIZE_MAX) {
      if (b >= le || lineIndent(s_, i) > blockIndent_) {
        // Block scalar text: Pygments' Name.Constant (agreement with it, bench/results/accuracy.md)
        emit(TC::Whitespace, i, b);
        emit(TC::NameConstant, b, le);
        emit(TC::Whitespace, le, next);
        i = next;
        continue;
      }
      blockIndent_ = SIZE_MAX;
    }
    emit(TC::Whitespace, i, b);
    if (b == i && (startsWith(s_, i, "---") || startsWith(s_, i, "...")) &&
        (i + 3 >= le || isSpace(s_[i + 3]))) {
      emit(TC::Name, i, i + 3);  // document markers: Pygments' Name.Namespace
      content(i + 3, le, 0);
      emit(TC::Whitespace, le, next);
      i = next;
      continue;
    }
    if (b < le && s_[b] == '%' && b == i) {  // directive
      emit(TC::CommentPreproc, b, le);
      emit(TC::Whitespace, le, next);
      i = next;
      continue;
    }
    le = content(b, le, b - i);
    next = le < n ? le + 1 : n;
    emit(TC::Whitespace, le, next);
    i = next;
  }
}

size_t YamlLexer::content(size_t i, size_t le, size_t indent) {
  bool keyAllowed = true;  // a line may start with a key, also inside a multi-line flow mapping
  while (i < le) {
    char c = s_[i];
    if (isSpace(c)) {
      size_t e = i;
      while (e < le && isSpace(s_[e])) ++e;
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '#' && (i == 0 || isSpace(s_[i - 1]))) {
      emit(TC::Comment, i, le);
      return le;
    }
    if (c == '-' && (i + 1 >= le || isSpace(s_[i + 1])) && flowDepth_ == 0) {
      emit(TC::Punctuation, i, i + 1);
      ++i;
      // The node after "- " sets the indentation a block scalar in it must exceed ("- k: |").
      size_t node = i;
      while (node < le && s_[node] == ' ') ++node;
      indent = node - (s_.rfind('\n', i) == std::string_view::npos ? 0 : s_.rfind('\n', i) + 1);
      keyAllowed = true;
      continue;
    }
    if (c == '?' && (i + 1 >= le || isSpace(s_[i + 1]))) {
      emit(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if ((c == '|' || c == '>') && flowDepth_ == 0) {
      size_t e = i + 1;
      while (e < le && (s_[e] == '-' || s_[e] == '+' || isDigit(s_[e]))) ++e;
      emit(TC::Punctuation, i, e);
      blockIndent_ = indent;
      i = e;
      continue;
    }
    if (c == '{' || c == '[') {
      ++flowDepth_;
      emit(TC::Punctuation, i, i + 1);
      ++i;
      keyAllowed = c == '{';
      continue;
    }
    if (c == '}' || c == ']' || c == ',') {
      if (c != ',' && flowDepth_ > 0) --flowDepth_;
      emit(TC::Punctuation, i, i + 1);
      ++i;
      keyAllowed = flowDepth_ > 0;
      continue;
    }
    if (c == '&' || c == '*') {
      size_t e = i + 1;
      while (e < le && !isSpace(s_[e]) && s_[e] != ',' && s_[e] != ']' && s_[e] != '}') ++e;
      emit(c == '&' ? TC::NameLabel : TC::NameVariable, i, e);
      i = e;
      continue;
    }
    if (c == '!') {
      size_t e = i + 1;
      while (e < le && !isSpace(s_[e])) ++e;
      emit(TC::KeywordType, i, e);
      i = e;
      continue;
    }
    if (c == ':' && (i + 1 >= le || isSpace(s_[i + 1]))) {
      emit(TC::Punctuation, i, i + 1);
      ++i;
      keyAllowed = false;
      continue;
    }
    // A scalar: quoted or plain; a key when a ': ' follows.
    size_t e;
    if (c == '"' || c == '\'') {
      e = quotedRun(s_, i, c == '"', true);
      if (e > le) {
        // Multi-line quoted scalar: lex through and continue on the line where it ends.
        emitEscapedString(sink_, s_, i, e);
        i = e;
        le = lineEnd(s_, e);
        continue;
      }
    } else {
      e = scalar(i, le, flowDepth_ > 0);
    }
    size_t after = e;
    while (after < le && isBlank(s_[after])) ++after;
    bool isKey = keyAllowed && after < le && s_[after] == ':' &&
                 (after + 1 >= le || isSpace(s_[after + 1]) || flowDepth_ > 0);
    std::string_view w = s_.substr(i, e - i);
    if (isKey) {
      emit(TC::NameTag, i, e);
    } else if (c == '"') {
      emitEscapedString(sink_, s_, i, e);
    } else if (c == '\'') {
      emit(TC::String, i, e);
    } else if (flowDepth_ > 0) {
      emit(TC::NameVariable, i, e);  // a plain scalar in [..] / {..}: Pygments' Name.Variable
    } else if (isYamlConstant(w)) {
      emit(TC::KeywordConstant, i, e);
    } else if (isNumber(w)) {
      emit(TC::Number, i, e);
    } else {
      emit(TC::String, i, e);
    }
    i = e == i ? emitOther(sink_, s_, i) : e;
  }
  return le;
}

// A plain scalar ends at ": ", " #", end of line, or flow punctuation inside flow collections.
size_t YamlLexer::scalar(size_t i, size_t le, bool flow) {
  size_t e = i;
  while (e < le) {
    char c = s_[e];
    if (c == ':' && (e + 1 >= le || isSpace(s_[e + 1]) || (flow && (s_[e + 1] == ',')))) break;
    if (c == '#' && e > i && isSpace(s_[e - 1])) break;
    if (flow && (c == ',' || c == ']' || c == '}' || c == '[' || c == '{')) break;
    ++e;
  }
  while (e > i && isSpace(s_[e - 1])) --e;
  return e;
}

// ---- TOML -------------------------------------------------------------------------------------

class TomlLexer {
 public:
  TomlLexer(Sink& sink, std::string_view s) : sink_(sink), s_(s) {}
  void run(size_t i);

 private:
  void emit(TokenClass c, size_t b, size_t e) { sink_.add(c, b, e); }
  size_t value(size_t i);
  size_t string(size_t i);
  Sink& sink_;
  std::string_view s_;
};

size_t TomlLexer::string(size_t i) {
  const size_t n = s_.size();
  char q = s_[i];
  bool triple = i + 2 < n && s_[i + 1] == q && s_[i + 2] == q;
  size_t e;
  if (triple) {
    std::string_view close = q == '"' ? "\"\"\"" : "'''";
    e = i + 3;
    while (e < n) {
      if (q == '"' && s_[e] == '\\') {
        e += 2;
        continue;
      }
      if (startsWith(s_, e, close)) {
        e += 3;
        while (e < n && s_[e] == q) ++e;  // """a"""" : extra quotes belong to the content
        break;
      }
      ++e;
    }
    e = std::min(e, n);
  } else {
    e = quotedRun(s_, i, q == '"', false);
  }
  if (q == '"') {
    emitEscapedString(sink_, s_, i, e);
  } else {
    emit(TC::String, i, e);
  }
  return e;
}

// Lexes a value (and, inside arrays/inline tables, everything to the matching bracket).
size_t TomlLexer::value(size_t i) {
  const size_t n = s_.size();
  int depth = 0;
  bool keyPos = false;  // inside an inline table, before '='
  while (i < n) {
    char c = s_[i];
    if (c == '\n' && depth == 0) return i;
    if (isSpace(c)) {
      size_t e = i;
      while (e < n && isSpace(s_[e]) && !(s_[e] == '\n' && depth == 0)) ++e;
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '#') {
      i = emitComment(sink_, s_, i);
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
      keyPos = c == '{';
      emit(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if (c == ']' || c == '}' || c == ',') {
      if (c != ',') --depth;
      emit(TC::Punctuation, i, i + 1);
      ++i;
      if (c == ',') {
        // After ',' inside an inline table a key follows.
        keyPos = true;
      }
      if (depth <= 0 && c != ',') return i;
      continue;
    }
    if (c == '=') {
      emit(TC::Operator, i, i + 1);
      keyPos = false;
      ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      size_t e = string(i);
      i = e;
      continue;
    }
    size_t e = i;
    while (e < n && !isSpace(s_[e]) &&
           std::string_view(",]}=#[{").find(s_[e]) == std::string_view::npos) {
      ++e;
    }
    // A date-time may contain one space: 1979-05-27 07:32:00.
    std::string_view w = s_.substr(i, e - i);
    if (e == i) {
      i = emitOther(sink_, s_, i);
      continue;
    }
    if (keyPos && depth > 0) {
      emit(TC::NameTag, i, e);
    } else if (w == "true" || w == "false") {
      emit(TC::KeywordConstant, i, e);
    } else if (isDigit(w[0]) || w[0] == '+' || w[0] == '-' || w == "inf" || w == "nan") {
      emit(TC::Number, i, e);
    } else {
      emit(TC::Text, i, e);
    }
    i = e;
  }
  return n;
}

void TomlLexer::run(size_t i) {
  const size_t n = s_.size();
  while (i < n) {
    char c = s_[i];
    if (isSpace(c)) {
      size_t e = skipSpace(s_, i);
      emit(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '#') {
      i = emitComment(sink_, s_, i);
      continue;
    }
    if (c == '[') {
      // [table] / [[array.of.tables]]; strings inside keys may contain ']'.
      size_t e = i;
      while (e < n && s_[e] != '\n') {
        if (s_[e] == '"' || s_[e] == '\'') {
          e = quotedRun(s_, e, s_[e] == '"', false);
          continue;
        }
        if (s_[e] == ']') {
          ++e;
          if (e < n && s_[e] == ']') ++e;
          break;
        }
        ++e;
      }
      emit(TC::Keyword, i, e);
      i = e;
      continue;
    }
    // key = value (keys may be dotted and quoted).
    size_t e = i;
    while (e < n && s_[e] != '=' && s_[e] != '\n' && s_[e] != '#') {
      if (s_[e] == '"' || s_[e] == '\'') {
        e = quotedRun(s_, e, s_[e] == '"', false);
        continue;
      }
      ++e;
    }
    size_t keyEnd = e;
    while (keyEnd > i && isSpace(s_[keyEnd - 1])) --keyEnd;
    if (e < n && s_[e] == '=') {
      emit(TC::NameTag, i, keyEnd);
      emit(TC::Whitespace, keyEnd, e);
      emit(TC::Operator, e, e + 1);
      i = value(e + 1);
    } else {
      emit(TC::Text, i, keyEnd);
      emit(TC::Whitespace, keyEnd, e);
      i = e > i ? e : emitOther(sink_, s_, i);
    }
  }
}

// ---- SQL --------------------------------------------------------------------------------------

// clang-format off
constexpr WordSet kSqlKeywords({"abort", "action", "add", "after", "all", "alter", "analyze", "and",
    "any", "as", "asc", "attach", "autoincrement", "before", "begin", "between", "by", "cascade",
    "case", "cast", "check", "collate", "column", "commit", "conflict", "constraint", "create",
    "cross", "current", "current_date", "current_time", "current_timestamp", "database", "declare",
    "default", "deferrable", "deferred", "delete", "desc", "detach", "distinct", "do", "drop",
    "each", "else", "end", "escape", "except", "exclusive", "exec", "execute", "exists", "explain",
    "fail", "fetch", "filter", "first", "following", "for", "foreign", "from", "full", "function",
    "glob", "grant", "group", "having", "if", "ignore", "ilike", "immediate", "in", "index",
    "indexed", "initially", "inner", "insert", "instead", "intersect", "into", "is", "isnull",
    "join", "key", "language", "last", "lateral", "left", "like", "limit", "match", "materialized",
    "natural", "no", "not", "nothing", "notnull", "null", "nulls", "of", "offset", "on", "or",
    "order", "others", "outer", "over", "partition", "plan", "pragma", "preceding", "primary",
    "procedure", "query", "raise", "range", "recursive", "references", "regexp", "reindex",
    "release", "rename", "replace", "restrict", "return", "returning", "returns", "revoke", "right",
    "rollback", "row", "rows", "savepoint", "schema", "select", "sequence", "set", "show", "table",
    "temp", "temporary", "then", "ties", "to", "top", "transaction", "trigger", "truncate",
    "unbounded", "union", "unique", "update", "use", "using", "vacuum", "values", "view", "virtual",
    "when", "where", "while", "window", "with", "without", "true", "false", "unknown", "begin",
    "loop", "elsif", "perform", "owner", "extension", "type", "enum", "comment", "auto_increment",
    "engine", "charset", "unsigned", "zerofill", "asc", "leading", "trailing", "both", "interval",
    "zone", "at", "local", "session", "global", "only", "inherits", "conflict", "upsert", "merge",
    "matched", "lock", "share", "nowait", "skip", "locked"});
constexpr WordSet kSqlTypes({"bigint", "bigserial", "binary", "bit", "blob", "bool", "boolean",
    "bytea", "char", "character", "clob", "date", "datetime", "dec", "decimal", "double", "float",
    "float4", "float8", "int", "int2", "int4", "int8", "integer", "interval", "json", "jsonb",
    "longtext", "mediumint", "mediumtext", "money", "nchar", "numeric", "nvarchar", "real",
    "serial", "smallint", "smallserial", "text", "time", "timestamp", "timestamptz", "tinyint",
    "tinytext", "uuid", "varbinary", "varchar", "varying", "xml", "precision", "array", "inet",
    "cidr", "macaddr", "tsvector", "year"});
constexpr WordSet kSqlFunctions({"abs", "avg", "coalesce", "concat", "count", "date_trunc",
    "extract", "greatest", "group_concat", "ifnull", "isnull", "least", "length", "lower", "max",
    "min", "now", "nullif", "round", "row_number", "rank", "dense_rank", "lag", "lead",
    "string_agg", "array_agg", "json_agg", "jsonb_agg", "substr", "substring", "sum", "trim",
    "upper", "to_char", "to_date", "to_timestamp", "random", "floor", "ceil", "ceiling", "strftime",
    "date", "datetime", "julianday", "first_value", "last_value", "ntile", "percent_rank",
    "generate_series", "unnest", "position", "replace", "char_length", "format", "md5", "sqrt",
    "power", "mod", "sign", "exp", "ln", "log", "nvl", "iif", "typeof", "total"});
// clang-format on

void sqlRun(Sink& sink, std::string_view s, size_t i) {
  const size_t n = s.size();
  while (i < n) {
    char c = s[i];
    if (isSpace(c)) {
      size_t e = skipSpace(s, i);
      sink.add(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if ((c == '-' && i + 1 < n && s[i + 1] == '-') || c == '#') {
      i = emitComment(sink, s, i);
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      e = e == std::string_view::npos ? n : e + 2;
      sink.add(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (c == '\'') {
      // '' is an escaped quote, not the end.
      size_t e = i + 1;
      while (e < n) {
        if (s[e] == '\'') {
          if (e + 1 < n && s[e + 1] == '\'') {
            e += 2;
            continue;
          }
          ++e;
          break;
        }
        e += (s[e] == '\\' && e + 1 < n) ? 2 : 1;
      }
      sink.add(TC::String, i, std::min(e, n));
      i = std::min(e, n);
      continue;
    }
    if (c == '"' || c == '`' || c == '[') {
      // Quoted identifier ([name] in T-SQL only when it closes on the same line).
      char close = c == '[' ? ']' : c;
      size_t e = s.find(close, i + 1);
      if (e == std::string_view::npos ||
          (c == '[' && s.substr(i, e - i).find('\n') != std::string_view::npos)) {
        sink.add(c == '[' ? TC::Punctuation : TC::Name, i, i + 1);
        ++i;
        continue;
      }
      sink.add(c == '"' ? TC::String : TC::Name, i, e + 1);
      i = e + 1;
      continue;
    }
    if (c == '$' && i + 1 < n && (s[i + 1] == '$' || startsIdent(s, i + 1))) {
      // $1 parameters, $$ ... $$ / $tag$ ... $tag$ dollar-quoted bodies.
      size_t t = i + 1;
      while (t < n && isAsciiIdentChar(s[t])) ++t;
      if (t < n && s[t] == '$') {
        std::string_view tag = s.substr(i, t + 1 - i);
        size_t e = s.find(tag, t + 1);
        e = e == std::string_view::npos ? n : e + tag.size();
        sink.add(TC::String, i, e);
        i = e;
        continue;
      }
      sink.add(TC::NameVariable, i, t);
      i = t;
      continue;
    }
    if (c == '$' && i + 1 < n && isDigit(s[i + 1])) {
      size_t e = i + 1;
      while (e < n && isDigit(s[e])) ++e;
      sink.add(TC::NameVariable, i, e);
      i = e;
      continue;
    }
    if ((c == '@' || c == ':') && startsIdent(s, i + 1) &&
        !(c == ':' && i > 0 && s[i - 1] == ':')) {
      size_t e = scanIdent(s, i + 1);
      sink.add(TC::NameVariable, i, e);
      i = e;
      continue;
    }
    if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s[i + 1]))) {
      size_t e = numberRun(s, i);
      sink.add(TC::Number, i, e);
      i = e;
      continue;
    }
    if (startsIdent(s, i)) {
      size_t e = scanIdent(s, i, "$");
      std::string_view w = s.substr(i, e - i);
      bool afterDot = i > 0 && s[i - 1] == '.';
      size_t next = skipBlank(s, e);
      TokenClass cls = TC::Name;
      if (!afterDot) {
        if (kSqlTypes.list().containsNoCase(w)) {
          cls = TC::KeywordType;
        } else if (next < n && s[next] == '(' && kSqlFunctions.list().containsNoCase(w)) {
          cls = TC::NameBuiltin;
        } else if (kSqlKeywords.list().containsNoCase(w)) {
          cls = (w.size() == 4 &&
                 (startsWithNoCase(w, 0, "true") || startsWithNoCase(w, 0, "null"))) ||
                        (w.size() == 5 && startsWithNoCase(w, 0, "false"))
                    ? TC::KeywordConstant
                    : TC::Keyword;
        }
      }
      sink.add(cls, i, e);
      i = e;
      continue;
    }
    if (c == '(' || c == ')' || c == ',' || c == ';' || c == '.') {
      sink.add(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80 || c < 0x20) {
      i = emitOther(sink, s, i);
      continue;
    }
    sink.add(TC::Operator, i, i + 1);
    ++i;
  }
}

}  // namespace

void lexJson(Sink& sink, std::string_view s, size_t i) {
  const size_t n = s.size();
  while (i < n) {
    char c = s[i];
    if (isSpace(c)) {
      size_t e = skipSpace(s, i);
      sink.add(TC::Whitespace, i, e);
      i = e;
      continue;
    }
    if (c == '"' || c == '\'') {
      size_t e = quotedRun(s, i, true, false);
      size_t after = skipSpace(s, e);
      if (after < n && s[after] == ':') {
        sink.add(TC::NameTag, i, e);
      } else {
        emitEscapedString(sink, s, i, e);
      }
      i = e;
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '/') {
      i = emitComment(sink, s, i);
      continue;
    }
    if (c == '/' && i + 1 < n && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      e = e == std::string_view::npos ? n : e + 2;
      sink.add(TC::Comment, i, e);
      i = e;
      continue;
    }
    if (isDigit(c) || (c == '-' && i + 1 < n && isDigit(s[i + 1]))) {
      size_t e = numberRun(s, i);
      sink.add(TC::Number, i, e);
      i = e;
      continue;
    }
    if (c == '{' || c == '}' || c == '[' || c == ']' || c == ',' || c == ':') {
      sink.add(TC::Punctuation, i, i + 1);
      ++i;
      continue;
    }
    if (isAsciiIdentStart(c)) {
      size_t e = scanIdent(s, i);
      std::string_view w = s.substr(i, e - i);
      bool constant = w == "true" || w == "false" || w == "null" || w == "NaN" || w == "Infinity";
      size_t after = skipSpace(s, e);
      sink.add(constant                         ? TC::KeywordConstant
               : (after < n && s[after] == ':') ? TC::NameTag
                                                : TC::Text,
               i, e);
      i = e;
      continue;
    }
    i = emitOther(sink, s, i);
  }
}

void lexYaml(Sink& sink, std::string_view src, size_t pos) {
  YamlLexer(sink, src).run(pos);
}
void lexToml(Sink& sink, std::string_view src, size_t pos) {
  TomlLexer(sink, src).run(pos);
}
void lexSql(Sink& sink, std::string_view src, size_t pos) {
  sqlRun(sink, src, pos);
}

}  // namespace render::lex
