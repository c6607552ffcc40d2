// Token classes and the lexer entry point shared by every language.
//
//   auto lang = render::detectLanguage("main.py", text);      // Language::Python
//   std::vector<render::Token> toks;
//   render::tokenize(lang, text, toks);                          // byte spans into `text`
//   for (auto& t : toks) use(render::tokenClassName(t.cls), text.substr(t.begin, t.length));
//
// Tokens cover the input exactly: consecutive, non-overlapping, summing to text.size(). Lexers
// never fail: bytes they do not understand (including invalid UTF-8) become TokenClass::Text, so a
// file in a half-supported dialect still renders. Class names follow Pygments ("keyword.type").
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace render {

// X-macro: (Enumerator, "pygments.style.name"). The order is the ABI of the --tokens output only by
// name, never by number, so new classes may be inserted anywhere.
#define RENDER_TOKEN_CLASSES(X)                \
  X(Text, "text")                              \
  X(Whitespace, "whitespace")                  \
  X(Keyword, "keyword")                        \
  X(KeywordType, "keyword.type")               \
  X(KeywordConstant, "keyword.constant")       \
  X(KeywordDeclaration, "keyword.declaration") \
  X(KeywordNamespace, "keyword.namespace")     \
  X(Name, "name")                              \
  X(NameFunction, "name.function")             \
  X(NameClass, "name.class")                   \
  X(NameBuiltin, "name.builtin")               \
  X(NameDecorator, "name.decorator")           \
  X(NameTag, "name.tag")                       \
  X(NameAttribute, "name.attribute")           \
  X(NameVariable, "name.variable")             \
  X(NameConstant, "name.constant")             \
  X(NameLabel, "name.label")                   \
  X(NameProperty, "name.property")             \
  X(String, "string")                          \
  X(StringEscape, "string.escape")             \
  X(StringInterpol, "string.interpol")         \
  X(StringDoc, "string.doc")                   \
  X(StringRegex, "string.regex")               \
  X(StringChar, "string.char")                 \
  X(Number, "number")                          \
  X(Comment, "comment")                        \
  X(CommentDoc, "comment.doc")                 \
  X(CommentPreproc, "comment.preproc")         \
  X(Operator, "operator")                      \
  X(OperatorWord, "operator.word")             \
  X(Punctuation, "punctuation")                \
  X(GenericHeading, "generic.heading")         \
  X(GenericSubheading, "generic.subheading")   \
  X(GenericEmph, "generic.emph")               \
  X(GenericStrong, "generic.strong")           \
  X(GenericInserted, "generic.inserted")       \
  X(GenericDeleted, "generic.deleted")         \
  X(Error, "error")

enum class TokenClass : uint8_t {
#define RENDER_X(e, n) e,
  RENDER_TOKEN_CLASSES(RENDER_X)
#undef RENDER_X
      Count
};

const char* tokenClassName(TokenClass c);

struct Token {
  TokenClass cls;
  uint32_t begin;
  uint32_t length;
};

// X-macro: (Enumerator, "canonical name", "aliases, comma separated").
#define RENDER_LANGUAGES(X)                      \
  X(PlainText, "text", "plain,txt,plaintext")    \
  X(Python, "python", "py,python3,py3")          \
  X(JavaScript, "javascript", "js,mjs,cjs,node") \
  X(TypeScript, "typescript", "ts,mts,cts")      \
  X(Jsx, "jsx", "react")                         \
  X(Tsx, "tsx", "")                              \
  X(Json, "json", "jsonc")                       \
  X(C, "c", "h")                                 \
  X(Cpp, "cpp", "c++,cxx,cc,hpp")                \
  X(CSharp, "csharp", "c#,cs")                   \
  X(Java, "java", "")                            \
  X(Kotlin, "kotlin", "kt,kts")                  \
  X(Go, "go", "golang")                          \
  X(Rust, "rust", "rs")                          \
  X(Swift, "swift", "")                          \
  X(Php, "php", "")                              \
  X(Ruby, "ruby", "rb")                          \
  X(Bash, "bash", "sh,shell,zsh,console")        \
  X(Sql, "sql", "postgresql,sqlite")             \
  X(Html, "html", "htm,xhtml")                   \
  X(Css, "css", "")                              \
  X(Yaml, "yaml", "yml")                         \
  X(Toml, "toml", "")                            \
  X(Markdown, "markdown", "md")                  \
  X(Dockerfile, "dockerfile", "docker")          \
  X(Lua, "lua", "")

// The enumerators are the hand-written lexers. Table-driven languages (Pygments' rules exported at
// build time, table_lexer.h) follow them: Language(size_t(Language::Count) + k) is table lexer k.
enum class Language : uint16_t {
#define RENDER_X(e, n, a) e,
  RENDER_LANGUAGES(RENDER_X)
#undef RENDER_X
      Count
};

// Hand-written plus table-driven languages; valid values are Language(0 .. languageCount()-1).
size_t languageCount();
// True for the languages users can name and that detection picks (GET /render/languages): every
// hand-written one but PlainText's aliases, and the table lexers named in table_languages.txt that
// no hand-written language already answers to (the others are only reached through another).
bool languageListed(Language lang);

const char* languageName(Language lang);
// Canonical name or alias, case-insensitive. False when unknown (the caller reports a 400).
bool parseLanguage(std::string_view name, Language& out);
// File name/extension, then shebang, then content, then PlainText.
Language detectLanguage(std::string_view filename, std::string_view text);

// Appends tokens for `text` to `out` (cleared first).
void tokenize(Language lang, std::string_view text, std::vector<Token>& out);

}  // namespace render
