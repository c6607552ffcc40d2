// Language names, detection, the tokenize() entry point and the helpers shared by all lexers.
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "lexer_internal.h"
#include "table_lexer.h"

namespace render {

namespace {

constexpr const char* kClassNames[] = {
#define RENDER_X(e, n) n,
    RENDER_TOKEN_CLASSES(RENDER_X)
#undef RENDER_X
};

struct LanguageInfo {
  const char* name;
  const char* aliases;
};
constexpr LanguageInfo kLanguages[] = {
#define RENDER_X(e, n, a) {n, a},
    RENDER_LANGUAGES(RENDER_X)
#undef RENDER_X
};

bool parseHandWritten(std::string_view name, Language& out);
bool parseTable(std::string_view name, Language& out);
bool languageFromGlobs(std::string_view base, Language& out, bool exactOnly);

bool equalsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lex::toLower(a[i]) != lex::toLower(b[i])) return false;
  }
  return true;
}

struct ExtEntry {
  std::string_view ext;  // lower case, without the dot
  Language lang;
};
// Extensions that are not already a canonical name or alias (those are tried too).
constexpr ExtEntry kExtensions[] = {
    {"pyw", Language::Python},       {"pyi", Language::Python},
    {"jsx", Language::Jsx},          {"tsx", Language::Tsx},
    {"json5", Language::Json},       {"geojson", Language::Json},
    {"ipynb", Language::Json},       {"hh", Language::Cpp},
    {"hxx", Language::Cpp},          {"h++", Language::Cpp},
    {"ipp", Language::Cpp},          {"inl", Language::Cpp},
    {"tcc", Language::Cpp},          {"cu", Language::Cpp},
    {"ino", Language::Cpp},          {"csx", Language::CSharp},
    {"rake", Language::Ruby},        {"gemspec", Language::Ruby},
    {"ru", Language::Ruby},          {"bash", Language::Bash},
    {"ksh", Language::Bash},         {"zsh", Language::Bash},
    {"fish", Language::Bash},        {"bats", Language::Bash},
    {"ebuild", Language::Bash},      {"psql", Language::Sql},
    {"ddl", Language::Sql},          {"svg", Language::Html},
    {"xsd", Language::Html},         {"xsl", Language::Html},
    {"vue", Language::Html},         {"plist", Language::Html},
    {"rss", Language::Html},         {"less", Language::Css},
    {"sass", Language::Css},         {"markdown", Language::Markdown},
    {"mkd", Language::Markdown},     {"mdx", Language::Markdown},
    {"phtml", Language::Php},        {"php3", Language::Php},
    {"php4", Language::Php},         {"php5", Language::Php},
    {"phps", Language::Php},         {"lock", Language::Toml},
    {"rockspec", Language::Lua},     {"dockerfile", Language::Dockerfile},
    {"webmanifest", Language::Json},
};

struct NameEntry {
  std::string_view name;  // lower case, whole base name
  Language lang;
};
constexpr NameEntry kFileNames[] = {
    {"dockerfile", Language::Dockerfile}, {"containerfile", Language::Dockerfile},
    {"gemfile", Language::Ruby},          {"rakefile", Language::Ruby},
    {"vagrantfile", Language::Ruby},      {"podfile", Language::Ruby},
    {".bashrc", Language::Bash},          {".bash_profile", Language::Bash},
    {".profile", Language::Bash},         {".zshrc", Language::Bash},
    {"pkgbuild", Language::Bash},         {"cargo.lock", Language::Toml},
    {"pipfile", Language::Toml},          {"pyproject.toml", Language::Toml},
    {"sconstruct", Language::Python},     {"sconscript", Language::Python},
    {"build", Language::Python},          {".clang-format", Language::Yaml},
};

bool languageFromExtension(std::string_view base, Language& out) {
  for (const NameEntry& e : kFileNames) {
    if (equalsNoCase(base, e.name)) {
      out = e.lang;
      return true;
    }
  }
  // "Dockerfile.dev", "app.dockerfile"
  if (base.size() > 11 && equalsNoCase(base.substr(0, 11), "dockerfile.")) {
    out = Language::Dockerfile;
    return true;
  }
  // Whole file names of the table languages ("CMakeLists.txt", "Makefile") before extensions.
  if (languageFromGlobs(base, out, /*exactOnly=*/true)) return true;
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= base.size()) return false;
  std::string_view ext = base.substr(dot + 1);
  for (const ExtEntry& e : kExtensions) {
    if (equalsNoCase(ext, e.ext)) {
      out = e.lang;
      return true;
    }
  }
  // Extensions that double as names ("py", "rs", "ts", "h", "hpp", "yml", "md", ...); "txt" too.
  if (equalsNoCase(ext, "txt") || equalsNoCase(ext, "log")) {
    out = Language::PlainText;
    return true;
  }
  if (equalsNoCase(ext, "console")) return false;
  return parseHandWritten(ext, out);
}

// Pygments' fnmatch globs: '*', '?', '[...]' ('[!...]' negated).
bool globMatch(std::string_view g, std::string_view s, bool noCase) {
  size_t gi = 0, si = 0, starG = std::string_view::npos, starS = 0;
  auto same = [&](char a, char b) { return noCase ? lex::toLower(a) == lex::toLower(b) : a == b; };
  while (si < s.size()) {
    if (gi < g.size() && g[gi] == '*') {
      starG = gi++;
      starS = si;
      continue;
    }
    if (gi < g.size() && g[gi] == '[') {
      size_t close = g.find(']', gi + 2);
      if (close != std::string_view::npos) {
        bool neg = g[gi + 1] == '!';
        bool hit = false;
        for (size_t k = gi + 1 + (neg ? 1 : 0); k < close; ++k) {
          if (k + 2 < close && g[k + 1] == '-') {
            char c = noCase ? lex::toLower(s[si]) : s[si];
            hit |= c >= (noCase ? lex::toLower(g[k]) : g[k]) &&
                   c <= (noCase ? lex::toLower(g[k + 2]) : g[k + 2]);
            k += 2;
          } else {
            hit |= same(g[k], s[si]);
          }
        }
        if (hit != neg) {
          gi = close + 1;
          ++si;
          continue;
        }
      }
    } else if (gi < g.size() && (g[gi] == '?' || same(g[gi], s[si]))) {
      ++gi;
      ++si;
      continue;
    }
    if (starG == std::string_view::npos) return false;
    gi = starG + 1;
    si = ++starS;
  }
  while (gi < g.size() && g[gi] == '*') ++gi;
  return gi == g.size();
}

// The table languages' file name globs, in table_languages.txt order (the earlier wins); an exact
// case match anywhere beats a case-insensitive one ("*.R" is R, "*.r" Rebol in Pygments).
bool languageFromGlobs(std::string_view base, Language& out, bool exactOnly) {
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = size_t(Language::Count); i < languageCount(); ++i) {
      Language lang = static_cast<Language>(i);
      if (!languageListed(lang)) continue;
      std::string_view globs = table::str(table::kLexers[i - size_t(Language::Count)].filenames);
      while (!globs.empty()) {
        size_t comma = globs.find(',');
        std::string_view g = globs.substr(0, comma);
        bool wild = g.find_first_of("*?[") != std::string_view::npos;
        if (!g.empty() && !(exactOnly && wild) && globMatch(g, base, pass == 1)) {
          out = lang;
          return true;
        }
        if (comma == std::string_view::npos) break;
        globs.remove_prefix(comma + 1);
      }
    }
  }
  return false;
}

bool languageFromShebang(std::string_view text, Language& out) {
  if (!lex::startsWith(text, 0, "#!")) return false;
  std::string_view line = text.substr(0, lex::lineEnd(text, 0));
  // The interpreter is the last path component of the first word, or the word after `env`.
  size_t i = 2;
  i = lex::skipBlank(line, i);
  size_t wordEnd = i;
  while (wordEnd < line.size() && !lex::isSpace(line[wordEnd])) ++wordEnd;
  std::string_view prog = line.substr(i, wordEnd - i);
  size_t slash = prog.rfind('/');
  if (slash != std::string_view::npos) prog = prog.substr(slash + 1);
  if (prog == "env") {
    i = lex::skipBlank(line, wordEnd);
    // Skip options such as `env -S`.
    while (i < line.size() && line[i] == '-') {
      while (i < line.size() && !lex::isSpace(line[i])) ++i;
      i = lex::skipBlank(line, i);
    }
    wordEnd = i;
    while (wordEnd < line.size() && !lex::isSpace(line[wordEnd])) ++wordEnd;
    prog = line.substr(i, wordEnd - i);
  }
  // Strip a version suffix: python3.11, ruby2.7, lua5.4.
  while (!prog.empty() && (lex::isDigit(prog.back()) || prog.back() == '.')) prog.remove_suffix(1);
  struct Entry {
    std::string_view prog;
    Language lang;
  };
  static constexpr Entry kProgs[] = {
      {"python", Language::Python},     {"pypy", Language::Python},
      {"sh", Language::Bash},           {"bash", Language::Bash},
      {"zsh", Language::Bash},          {"dash", Language::Bash},
      {"ksh", Language::Bash},          {"ash", Language::Bash},
      {"fish", Language::Bash},         {"node", Language::JavaScript},
      {"nodejs", Language::JavaScript}, {"deno", Language::TypeScript},
      {"bun", Language::TypeScript},    {"ts-node", Language::TypeScript},
      {"ruby", Language::Ruby},         {"php", Language::Php},
      {"lua", Language::Lua},           {"luajit", Language::Lua},
  };
  for (const Entry& e : kProgs) {
    if (prog == e.prog) {
      out = e.lang;
      return true;
    }
  }
  // Interpreters of table languages, by the language's name or alias.
  struct TableEntry {
    std::string_view prog, language;
  };
  static constexpr TableEntry kTableProgs[] = {
      {"make", "make"},
      {"gmake", "make"},
      {"perl", "perl"},
      {"Rscript", "r"},
      {"runhaskell", "haskell"},
      {"runghc", "haskell"},
      {"escript", "erlang"},
      {"tclsh", "tcl"},
      {"wish", "tcl"},
      {"awk", "awk"},
      {"gawk", "awk"},
      {"mawk", "awk"},
      {"pwsh", "powershell"},
      {"groovy", "groovy"},
      {"scala", "scala"},
      {"elixir", "elixir"},
      {"julia", "julia"},
      {"guile", "scheme"},
      {"racket", "racket"},
      {"sbcl", "common-lisp"},
      {"clisp", "common-lisp"},
      {"ocaml", "ocaml"},
      {"sed", "sed"},
      {"crystal", "cr"},
      {"moon", "moonscript"},
      {"io", "io"},
      {"hy", "hylang"},
      {"fennel", "fennel"},
      {"janet", "janet"},
      {"nix-shell", "nixos"},
  };
  for (const TableEntry& e : kTableProgs) {
    if (prog == e.prog && parseTable(e.language, out)) return true;
  }
  return false;
}

bool contains(std::string_view s, std::string_view w) {
  return s.find(w) != std::string_view::npos;
}

// True when some line of `s` starts (after indentation) with `w`.
bool lineStartsWith(std::string_view s, std::string_view w) {
  size_t i = 0;
  while (i < s.size()) {
    size_t j = lex::skipBlank(s, i);
    if (lex::startsWith(s, j, w)) return true;
    size_t e = s.find('\n', i);
    if (e == std::string_view::npos) break;
    i = e + 1;
  }
  return false;
}

Language languageFromContent(std::string_view text) {
  Language out;
  // Heuristics look at the first 16 KiB only: detection must stay cheap on huge inputs.
  std::string_view s = text.substr(0, 16384);
  size_t first = lex::skipSpace(s, 0);
  if (first >= s.size()) return Language::PlainText;
  std::string_view head = s.substr(first);
  if (lex::startsWith(head, 0, "<?php") || lex::startsWith(head, 0, "<?=")) return Language::Php;
  if (contains(s, "<?php")) return Language::Php;
  if (lex::startsWith(head, 0, "<!DOCTYPE") || lex::startsWith(head, 0, "<!doctype") ||
      lex::startsWith(head, 0, "<html") || lex::startsWith(head, 0, "<?xml") ||
      lex::startsWith(head, 0, "<svg")) {
    return Language::Html;
  }
  if ((head[0] == '{' || head[0] == '[') && !contains(s, "function") && !contains(s, ";")) {
    // JSON: a bracket first and a quoted key or value soon after.
    size_t j = lex::skipSpace(head, 1);
    if (j >= head.size() || head[j] == '"' || head[j] == '{' || head[j] == '[' || head[j] == '}' ||
        head[j] == ']' || lex::isDigit(head[j])) {
      return Language::Json;
    }
  }
  if (lex::startsWith(head, 0, "diff --git ") ||
      (lex::startsWith(head, 0, "--- ") && contains(s, "\n+++ ") && contains(s, "\n@@ "))) {
    if (parseTable("diff", out)) return out;
  }
  if (lineStartsWith(s, "package main") ||
      (lineStartsWith(s, "package ") && contains(s, "func "))) {
    return Language::Go;
  }
  if (contains(s, "fn main(") || (lineStartsWith(s, "use ") && contains(s, "::") &&
                                  (contains(s, "fn ") || contains(s, "impl ")))) {
    return Language::Rust;
  }
  if (lineStartsWith(s, "FROM ") &&
      (lineStartsWith(s, "RUN ") || lineStartsWith(s, "CMD ") || lineStartsWith(s, "COPY ") ||
       lineStartsWith(s, "ENTRYPOINT "))) {
    return Language::Dockerfile;
  }
  if (lineStartsWith(s, "#include") || lineStartsWith(s, "#pragma") ||
      lineStartsWith(s, "#define") || lineStartsWith(s, "#ifndef")) {
    if (contains(s, "std::") || contains(s, "namespace ") || contains(s, "template") ||
        contains(s, "class ") || contains(s, "#include <iostream>") || contains(s, "nullptr") ||
        contains(s, "public:")) {
      return Language::Cpp;
    }
    return Language::C;
  }
  if (lineStartsWith(s, "using System") ||
      (contains(s, "namespace ") && contains(s, "public class"))) {
    return Language::CSharp;
  }
  if (lineStartsWith(s, "package ") && contains(s, ";") &&
      (contains(s, "public class") || contains(s, "import java"))) {
    return Language::Java;
  }
  if (lineStartsWith(s, "public class") || lineStartsWith(s, "import java.")) return Language::Java;
  if (lineStartsWith(s, "fun ") || (lineStartsWith(s, "package ") && contains(s, "fun "))) {
    return Language::Kotlin;
  }
  if (lineStartsWith(s, "import SwiftUI") || lineStartsWith(s, "import Foundation") ||
      lineStartsWith(s, "import UIKit")) {
    return Language::Swift;
  }
  if (lineStartsWith(s, "def ") || lineStartsWith(s, "class ") || lineStartsWith(s, "from ") ||
      lineStartsWith(s, "import ") || lineStartsWith(s, "async def ")) {
    bool colonBlock = contains(s, "):\n") || contains(s, "):\r\n") || contains(s, ":\n    ");
    if (lineStartsWith(s, "def ") && lineStartsWith(s, "end")) return Language::Ruby;
    if (colonBlock || lineStartsWith(s, "from ") || contains(s, "print(") || contains(s, "self")) {
      if (!contains(s, "{") || colonBlock) return Language::Python;
    }
  }
  if (lineStartsWith(s, "interface ") || contains(s, ": string") || contains(s, ": number") ||
      (lineStartsWith(s, "type ") && contains(s, " = {"))) {
    return Language::TypeScript;
  }
  if (lineStartsWith(s, "import React") || (contains(s, "return (\n") && contains(s, "</"))) {
    return Language::Jsx;
  }
  if (contains(s, "function ") || contains(s, "=> ") || contains(s, "console.log") ||
      lineStartsWith(s, "const ") || lineStartsWith(s, "let ") || contains(s, "require(") ||
      lineStartsWith(s, "export ")) {
    return Language::JavaScript;
  }
  if (lineStartsWith(s, "SELECT ") || lineStartsWith(s, "select ") ||
      lineStartsWith(s, "CREATE TABLE") || lineStartsWith(s, "INSERT INTO") ||
      lineStartsWith(s, "create table") || lineStartsWith(s, "WITH ")) {
    return Language::Sql;
  }
  if (lineStartsWith(s, "def ") && lineStartsWith(s, "end")) return Language::Ruby;
  if (lineStartsWith(s, "local function") ||
      (lineStartsWith(s, "local ") && contains(s, " then"))) {
    return Language::Lua;
  }
  if (lineStartsWith(s, "echo ") || lineStartsWith(s, "export ") || lineStartsWith(s, "fi") ||
      lineStartsWith(s, "apt-get ") || lineStartsWith(s, "sudo ") || lineStartsWith(s, "$ ")) {
    return Language::Bash;
  }
  if (lineStartsWith(s, "# ") || lineStartsWith(s, "## ") || lineStartsWith(s, "```")) {
    return Language::Markdown;
  }
  if (lineStartsWith(s, "[") && contains(s, "]\n") && contains(s, " = ")) return Language::Toml;
  if (lex::startsWith(head, 0, "---") || (lineStartsWith(s, "- ") && contains(s, ": ")) ||
      (contains(s, ":\n  ") && !contains(s, ";"))) {
    return Language::Yaml;
  }
  return Language::PlainText;
}

// Repairs the token list so the documented invariants hold whatever a lexer did: tokens are
// contiguous and cover [0, size), no token boundary splits a valid UTF-8 sequence, and adjacent
// tokens of one class are merged.
bool alreadyNormal(std::string_view text, const std::vector<Token>& toks) {
  size_t pos = 0;
  TokenClass prev = TokenClass::Count;
  for (const Token& t : toks) {
    if (t.begin != pos || t.length == 0 || t.cls == prev) return false;
    if (pos > 0 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) {
      // A continuation byte at a boundary is fine only when it does not continue a valid
      // sequence (stray bytes of invalid UTF-8).
      size_t lead = pos - 1;
      while (lead > 0 && pos - lead < 3 &&
             (static_cast<unsigned char>(text[lead]) & 0xC0) == 0x80) {
        --lead;
      }
      size_t n = lex::utf8Len(text, lead);
      if (n > 1 && lead + n > pos) return false;
    }
    pos += t.length;
    prev = t.cls;
  }
  return pos == text.size();
}

void normalize(std::string_view text, std::vector<Token>& toks) {
  // Lexers almost always produce a valid stream; checking is cheaper than rebuilding.
  if (alreadyNormal(text, toks)) return;
  std::vector<Token> fixed;
  fixed.reserve(toks.size() + 2);
  lex::Sink sink(fixed);
  size_t covered = 0;
  for (const Token& t : toks) {
    size_t b = t.begin, e = static_cast<size_t>(t.begin) + t.length;
    if (e > text.size()) e = text.size();
    if (b > covered && b <= text.size()) {
      sink.add(TokenClass::Text, covered, b);
      covered = b;
    }
    if (b < covered) b = covered;
    if (b >= e) continue;
    // A boundary inside a valid UTF-8 sequence moves forward: the earlier token keeps it whole.
    if (b > 0 && (static_cast<unsigned char>(text[b]) & 0xC0) == 0x80) {
      size_t lead = b - 1;
      while (lead > 0 && b - lead < 3 && (static_cast<unsigned char>(text[lead]) & 0xC0) == 0x80) {
        --lead;
      }
      size_t n = lex::utf8Len(text, lead);
      if (n > 1 && lead + n > b) {
        size_t nb = std::min(lead + n, e);
        sink.add(fixed.empty() ? TokenClass::Text : fixed.back().cls, b, nb);
        b = covered = nb;
      }
    }
    if (b >= e) continue;
    sink.add(t.cls, b, e);
    covered = e;
  }
  if (covered < text.size()) sink.add(TokenClass::Text, covered, text.size());
  toks.swap(fixed);
}

}  // namespace

const char* tokenClassName(TokenClass c) {
  size_t i = static_cast<size_t>(c);
  return i < static_cast<size_t>(TokenClass::Count) ? kClassNames[i] : "text";
}

const char* languageName(Language lang) {
  size_t i = static_cast<size_t>(lang);
  if (i < static_cast<size_t>(Language::Count)) return kLanguages[i].name;
  i -= static_cast<size_t>(Language::Count);
  return i < table::kLexerCount ? table::str(table::kLexers[i].name) : "text";
}

size_t languageCount() {
  return size_t(Language::Count) + table::kLexerCount;
}

namespace {

bool aliasListHas(std::string_view aliases, std::string_view name) {
  while (!aliases.empty()) {
    size_t comma = aliases.find(',');
    std::string_view a = aliases.substr(0, comma);
    if (!a.empty() && equalsNoCase(name, a)) return true;
    if (comma == std::string_view::npos) break;
    aliases.remove_prefix(comma + 1);
  }
  return false;
}

// Which table lexers are listed: named in table_languages.txt and not answering to the name or an
// alias of a hand-written language. Computed once.
const std::vector<bool>& tableListed() {
  static const std::vector<bool> listed = [] {
    std::vector<bool> v(table::kLexerCount, false);
    for (uint32_t k = 0; k < table::kLexerCount; ++k) {
      const table::LexerDef& L = table::kLexers[k];
      if (!L.visible) continue;
      Language hand;
      bool clash = parseHandWritten(table::str(L.name), hand);
      std::string_view aliases = table::str(L.aliases);
      while (!clash && !aliases.empty()) {
        size_t comma = aliases.find(',');
        clash = parseHandWritten(aliases.substr(0, comma), hand);
        if (comma == std::string_view::npos) break;
        aliases.remove_prefix(comma + 1);
      }
      v[k] = !clash;
    }
    return v;
  }();
  return listed;
}

bool parseTable(std::string_view name, Language& out) {
  for (uint32_t k = 0; k < table::kLexerCount; ++k) {
    if (!tableListed()[k]) continue;
    const table::LexerDef& L = table::kLexers[k];
    if (equalsNoCase(name, table::str(L.name)) || aliasListHas(table::str(L.aliases), name)) {
      out = static_cast<Language>(size_t(Language::Count) + k);
      return true;
    }
  }
  return false;
}

}  // namespace

bool languageListed(Language lang) {
  size_t i = static_cast<size_t>(lang);
  if (i < size_t(Language::Count)) return true;
  i -= size_t(Language::Count);
  return i < table::kLexerCount && tableListed()[i];
}

bool parseLanguage(std::string_view name, Language& out) {
  return parseHandWritten(name, out) || parseTable(name, out);
}

namespace {

bool parseHandWritten(std::string_view name, Language& out) {
  for (size_t i = 0; i < static_cast<size_t>(Language::Count); ++i) {
    if (equalsNoCase(name, kLanguages[i].name)) {
      out = static_cast<Language>(i);
      return true;
    }
    std::string_view aliases = kLanguages[i].aliases;
    while (!aliases.empty()) {
      size_t comma = aliases.find(',');
      std::string_view a = aliases.substr(0, comma);
      if (!a.empty() && equalsNoCase(name, a)) {
        out = static_cast<Language>(i);
        return true;
      }
      if (comma == std::string_view::npos) break;
      aliases.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

Language detectLanguage(std::string_view filename, std::string_view text) {
  size_t slash = filename.find_last_of("/\\");
  std::string_view base = slash == std::string_view::npos ? filename : filename.substr(slash + 1);
  Language lang;
  if (!base.empty() && languageFromExtension(base, lang)) return lang;
  if (!base.empty() && languageFromGlobs(base, lang, false)) return lang;
  if (languageFromShebang(text, lang)) return lang;
  return languageFromContent(text);
}

void tokenize(Language lang, std::string_view text, std::vector<Token>& out) {
  out.clear();
  // Offsets are 32-bit; the render function caps inputs far below 4 GiB.
  if (text.size() > 0xFFFFFFF0u) text = text.substr(0, 0xFFFFFFF0u);
  if (text.empty()) return;
  out.reserve(text.size() / 4 + 8);
  lex::Sink sink(out);
  lex::lexLanguage(lang, sink, text, 0);
  normalize(text, out);
}

namespace lex {

size_t utf8Len(std::string_view s, size_t i) {
  if (i >= s.size()) return 0;
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2, min = 0x80;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3, min = 0x800;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  uint32_t cp = c & (0x3F >> (n - 1));
  for (size_t k = 1; k < n; ++k) {
    unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

size_t scanIdent(std::string_view s, size_t i, std::string_view extra) {
  while (i < s.size()) {
    unsigned char c = s[i];
    if (isAsciiIdentChar(c) || (c < 0x80 && extra.find(static_cast<char>(c)) != extra.npos)) {
      ++i;
    } else if (c >= 0x80) {
      size_t n = utf8Len(s, i);
      if (n < 2) break;
      i += n;
    } else {
      break;
    }
  }
  return i;
}

bool startsWithNoCase(std::string_view s, size_t i, std::string_view w) {
  if (i > s.size() || s.size() - i < w.size()) return false;
  for (size_t k = 0; k < w.size(); ++k) {
    if (toLower(s[i + k]) != toLower(w[k])) return false;
  }
  return true;
}

size_t emitOther(Sink& sink, std::string_view s, size_t i) {
  size_t n = utf8Len(s, i);
  if (n == 0) n = 1;
  sink.add(TokenClass::Text, i, i + n);
  return i + n;
}

bool WordList::containsNoCase(std::string_view w) const {
  char buf[32];
  if (w.size() > sizeof(buf)) return false;
  for (size_t i = 0; i < w.size(); ++i) buf[i] = toLower(w[i]);
  return contains(std::string_view(buf, w.size()));
}

void lexPlain(Sink& sink, std::string_view src, size_t pos) {
  // Whitespace is split out so renderers can treat it uniformly; everything else is Text.
  while (pos < src.size()) {
    size_t e = pos;
    if (isSpace(src[pos])) {
      e = skipSpace(src, pos);
      sink.add(TokenClass::Whitespace, pos, e);
    } else {
      while (e < src.size() && !isSpace(src[e])) ++e;
      sink.add(TokenClass::Text, pos, e);
    }
    pos = e;
  }
}

// Hand-written languages whose Pygments table agrees better with Pygments on real files
// (bench/results/accuracy.md: each of these 97-100 % by its table, 79-95 % hand-written) are lexed
// by the table of that name; the hand-written lexer remains for a build without tables.
struct TableChoice {
  Language lang;
  const char* table;
};
constexpr TableChoice kByTable[] = {
    {Language::Css, "css"},       {Language::TypeScript, "typescript"},
    {Language::Php, "php"},       {Language::Java, "java"},
    {Language::Kotlin, "kotlin"}, {Language::CSharp, "csharp"},
    {Language::Swift, "swift"},   {Language::Rust, "rust"},
    {Language::Ruby, "ruby"},     {Language::Sql, "sql"},
    {Language::Toml, "toml"},     {Language::Dockerfile, "docker"},
    {Language::Lua, "lua"},       {Language::Markdown, "markdown"},  // (fenced code: ours)
};

// The table lexer index of a hand-written language lexed by its table, or -1. Computed once.
int64_t tableFor(Language lang) {
  static const auto index = [] {
    std::array<int64_t, size_t(Language::Count)> v;
    v.fill(-1);
    for (const TableChoice& c : kByTable) {
      for (uint32_t k = 0; k < table::kLexerCount; ++k) {
        if (std::string_view(c.table) == table::str(table::kLexers[k].name)) {
          v[size_t(c.lang)] = k;
          break;
        }
      }
    }
    return v;
  }();
  size_t i = static_cast<size_t>(lang);
  return i < index.size() ? index[i] : -1;
}

bool lexedByTable(Language lang) {
  return tableFor(lang) >= 0;
}

const char* tableNameFor(Language lang) {
  // Markdown's fenced code goes to our lexers, which the golden test's Pygments table check
  // cannot judge (a fence may name a language Pygments has and the tables do not): only the
  // accuracy bench measures it.
  if (!lexedByTable(lang) || lang == Language::Markdown) return "-";
  for (const TableChoice& c : kByTable) {
    if (c.lang == lang) return c.table;
  }
  return "-";
}

namespace {

bool isWordChar(std::string_view s, size_t i) {  // Python's \w, for a fence's language name
  unsigned char c = s[i];
  return isAsciiIdentChar(c) || (c >= 0x80 && utf8Len(s, i) >= 2);
}

// Pygments' closing fence ^\s*```$\n: the first line start m >= from whose whitespace is followed
// by ``` and a newline. Returns {m, end of that "```\n"} or {npos, npos}.
std::pair<size_t, size_t> closingFence(std::string_view s, size_t from) {
  for (size_t m = from; m < s.size();) {
    size_t k = m;
    while (k < s.size() && isSpace(s[k]) && s[k] != '\n') ++k;
    if (startsWith(s, k, "```") && k + 3 < s.size() && s[k + 3] == '\n') return {m, k + 4};
    size_t le = s.find('\n', m);
    if (le == std::string_view::npos) break;
    m = le + 1;
  }
  return {std::string_view::npos, std::string_view::npos};
}

}  // namespace

// Markdown: Pygments' table lexes everything except the code blocks fenced with a language name
// (^\s*```lang\n ... ^\s*```\n), which Pygments hands to that language's lexer through a Python
// callback the table cannot express: those are found here and lexed by our lexer of that language
// (String when it is unknown), the fences String as in Pygments. Linear: a missing closing fence
// is remembered, so many unclosed fences do not rescan the rest of the file.
void lexMarkdownTable(uint32_t table, Sink& sink, std::string_view src, size_t pos) {
  size_t segment = pos;  // start of the text not yet given to the table
  size_t noCloseFrom = std::string_view::npos;
  auto close = [&](size_t from) -> std::pair<size_t, size_t> {
    if (noCloseFrom != std::string_view::npos && from >= noCloseFrom) return {noCloseFrom, 0};
    auto c = closingFence(src, from);
    if (c.first == std::string_view::npos) noCloseFrom = std::min(noCloseFrom, from);
    return c;
  };
  size_t line = pos;
  while (line < src.size()) {
    size_t k = line;
    while (k < src.size() && isSpace(src[k])) ++k;
    size_t next = src.find('\n', line);
    next = next == std::string_view::npos ? src.size() : next + 1;
    if (!startsWith(src, k, "```")) {
      line = next;
      continue;
    }
    size_t f = k + 3;
    if (f < src.size() && src[f] == '\n') {  // a bare ``` block: the table's own rule, skip it
      auto c = close(f + 1);
      if (c.second > 0 && c.first != std::string_view::npos) {
        line = c.second;
        continue;
      }
      line = next;
      continue;
    }
    size_t name = f;
    while (name < src.size() && isWordChar(src, name))
      name += std::max<size_t>(1, utf8Len(src, name));
    if (name == f || name >= src.size() || src[name] != '\n') {
      line = next;
      continue;
    }
    auto c = close(name + 1);
    if (c.first == std::string_view::npos || c.second == 0) {
      line = next;
      continue;
    }
    // The block runs from the fence's whitespace (k) to the closing fence's newline.
    if (line > segment) table::lex(table, sink, src.substr(0, line), segment);
    sink.add(TokenClass::Whitespace, line, k);
    sink.add(TokenClass::String, k, name);
    sink.add(TokenClass::Whitespace, name, name + 1);
    size_t body = name + 1;
    if (c.first > body) {
      Language lang = Language::PlainText;
      DepthGuard guard(sink);
      if (!guard.tooDeep() && parseLanguage(src.substr(f, name - f), lang) &&
          lang != Language::PlainText) {
        lexLanguage(lang, sink, src.substr(0, c.first), body);
      } else {
        sink.add(TokenClass::String, body, c.first);
      }
    }
    size_t b = c.first;
    while (b < c.second && isSpace(src[b])) ++b;
    sink.add(TokenClass::Whitespace, c.first, b);
    sink.add(TokenClass::String, b, c.second - 1);
    sink.add(TokenClass::Whitespace, c.second - 1, c.second);
    segment = line = c.second;
  }
  if (segment < src.size()) table::lex(table, sink, src, segment);
}

void lexLanguage(Language lang, Sink& sink, std::string_view src, size_t pos) {
  if (int64_t k = tableFor(lang); k >= 0) {
    if (lang == Language::Markdown) return lexMarkdownTable(uint32_t(k), sink, src, pos);
    return table::lex(static_cast<uint32_t>(k), sink, src, pos);
  }
  switch (lang) {
    case Language::Python:
      return lexPython(sink, src, pos);
    case Language::TypeScript:
    case Language::JavaScript:
    case Language::Jsx:
    case Language::Tsx:
    case Language::C:
    case Language::Cpp:
    case Language::CSharp:
    case Language::Java:
    case Language::Kotlin:
    case Language::Go:
    case Language::Rust:
    case Language::Swift:
      return lexCLike(lang, sink, src, pos);
    case Language::Php:
      return lexPhp(sink, src, pos);
    case Language::Json:
      return lexJson(sink, src, pos);
    case Language::Ruby:
      return lexRuby(sink, src, pos);
    case Language::Bash:
      return lexBash(sink, src, pos);
    case Language::Sql:
      return lexSql(sink, src, pos);
    case Language::Html:
      return lexHtml(sink, src, pos);
    case Language::Css:
      return lexCss(sink, src, pos);
    case Language::Yaml:
      return lexYaml(sink, src, pos);
    case Language::Toml:
      return lexToml(sink, src, pos);
    case Language::Markdown:
      return lexMarkdown(sink, src, pos);
    case Language::Dockerfile:
      return lexDockerfile(sink, src, pos);
    case Language::Lua:
      return lexLua(sink, src, pos);
    case Language::PlainText:
      break;
    default: {  // Language::Count and after: the table lexers
      size_t k = static_cast<size_t>(lang) - static_cast<size_t>(Language::Count);
      if (static_cast<size_t>(lang) >= static_cast<size_t>(Language::Count) &&
          k < table::kLexerCount) {
        return table::lex(static_cast<uint32_t>(k), sink, src, pos);
      }
      break;
    }
  }
  lexPlain(sink, src, pos);
}

}  // namespace lex
}  // namespace render
