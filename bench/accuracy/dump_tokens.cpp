// dump_tokens LANG FILE: prints the token stream of FILE as JSON [["class","text"],...].
// LANG is a language name or alias, or "auto" to detect from the file name and content.
// Used by compare.py to measure agreement with Pygments; also handy for eyeballing a lexer.
// dump_tokens --detect FILENAME: prints the language detected from the file name alone.
// dump_tokens --compile-all: compiles every table regex, prints those PCRE2 refuses.
// dump_tokens --stats LANG FILE: match attempts and limit trips of a table language.
// LANG may be table:NAME, the Pygments table of that name even when hidden.
// dump_tokens --list: prints every language, one a line: name, listed 0/1, and the name of the
//   Pygments table that lexes it when it is a hand-written language lexed by its table, else "-".
#include <cstdio>
#include <string>
#include <vector>

#include "lexer_internal.h"
#include "table_lexer.h"
#include "token.h"

namespace {

bool readFile(const char* path, std::string& out) {
  FILE* f = std::fopen(path, "rb");
  if (f == nullptr) return false;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  std::fclose(f);
  return true;
}

// JSON string body: escapes quotes, backslashes and controls; invalid UTF-8 bytes become U+FFFD
// so the output is always valid JSON.
void appendJsonString(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      size_t len = 0;
      if (c >= 0xC2 && c <= 0xDF)
        len = 2;
      else if (c >= 0xE0 && c <= 0xEF)
        len = 3;
      else if (c >= 0xF0 && c <= 0xF4)
        len = 4;
      bool ok = len > 0 && i + len <= s.size();
      for (size_t k = 1; ok && k < len; ++k)
        ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
      if (ok) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--detect") {
    std::printf("%s\n", render::languageName(render::detectLanguage(argv[2], "")));
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "--list") {
    for (size_t i = 0; i < render::languageCount(); ++i) {
      auto lang = render::Language(i);
      std::printf("%s %d %s\n", render::languageName(lang), render::languageListed(lang) ? 1 : 0,
                  render::lex::tableNameFor(lang));
    }
    return 0;
  }
  if (argc == 2 && std::string_view(argv[1]) == "--compile-all") {
    auto refused = render::table::compileAll();
    for (auto& r : refused) std::printf("%s\n", r.c_str());
    return refused.empty() ? 0 : 1;
  }
  if (argc == 4 && std::string_view(argv[1]) == "--stats") {
    // --stats LANG FILE: match attempts and whether a limit tripped (table languages only).
    std::string text;
    render::Language lang;
    std::string_view n = argv[2];
    bool found = false;
    for (uint32_t k = 0; k < render::table::kLexerCount && !found; ++k) {
      if (n.substr(n.substr(0, 6) == "table:" ? 6 : 0) ==
          render::table::str(render::table::kLexers[k].name)) {
        lang = render::Language(size_t(render::Language::Count) + k);
        found = true;
      }
    }
    if (!readFile(argv[3], text) || !found) return 2;
    std::vector<render::Token> toks;
    render::lex::Sink sink(toks);
    render::table::Stats st;
    render::table::lex(uint32_t(size_t(lang) - size_t(render::Language::Count)), sink, text, 0, {},
                       &st);
    std::printf("attempts=%llu charged=%llu tripped=%d error=%d bytes=%zu\n",
                (unsigned long long)st.attempts, (unsigned long long)st.bytesCharged,
                st.limitTripped ? 1 : 0, st.error, text.size());
    return 0;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: dump_tokens LANG|auto FILE\n");
    return 2;
  }
  std::string text;
  if (!readFile(argv[2], text)) {
    std::fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  render::Language lang;
  std::string_view name = argv[1];
  if (name == "auto") {
    lang = render::detectLanguage(argv[2], text);
  } else if (name.substr(0, 6) == "table:") {
    // table:NAME: the table exported from Pygments under that name, even when a hand-written
    // language answers to it (to compare the two on the same files).
    bool found = false;
    for (uint32_t k = 0; k < render::table::kLexerCount && !found; ++k) {
      if (name.substr(6) == render::table::str(render::table::kLexers[k].name)) {
        lang = render::Language(size_t(render::Language::Count) + k);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "no table %s\n", argv[1]);
      return 2;
    }
  } else if (!render::parseLanguage(name, lang)) {
    std::fprintf(stderr, "unknown language %s\n", argv[1]);
    return 2;
  }
  std::vector<render::Token> toks;
  render::tokenize(lang, text, toks);
  std::string out = "[";
  for (size_t k = 0; k < toks.size(); ++k) {
    if (k > 0) out += ",\n";
    out += "[\"";
    out += render::tokenClassName(toks[k].cls);
    out += "\",\"";
    appendJsonString(out, std::string_view(text).substr(toks[k].begin, toks[k].length));
    out += "\"]";
  }
  out += "]\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
