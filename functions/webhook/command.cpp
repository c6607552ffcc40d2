#include "command.h"

#include <cctype>

namespace webhook {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Command parseCommand(std::string_view text) {
  Command c;
  if (text.empty() || text[0] != '/') return c;
  size_t nl = text.find('\n');
  std::string_view first = text.substr(0, nl);
  if (nl != std::string_view::npos) c.body = std::string(text.substr(nl + 1));
  size_t sp = first.find_first_of(" \t");
  std::string_view word = first.substr(1, sp == std::string_view::npos ? sp : sp - 1);
  if (sp != std::string_view::npos) c.args = std::string(trim(first.substr(sp + 1)));
  size_t at = word.find('@');
  if (at != std::string_view::npos) word = word.substr(0, at);
  // Telegram commands are [a-z0-9_]; the user's "/image=flux=..." syntax keeps its '=' tail.
  size_t eq = word.find('=');
  if (eq != std::string_view::npos) {
    c.args = std::string(word.substr(eq + 1)) + (c.args.empty() ? "" : " " + c.args);
    word = word.substr(0, eq);
  }
  for (char ch : word) {
    if (!isalnum((unsigned char)ch) && ch != '_') return Command{};
    c.name.push_back(char(tolower((unsigned char)ch)));
  }
  return c;
}

bool extractCode(std::string_view text, const std::vector<CodeBlock>& blocks, std::string& code,
                 std::string& language) {
  for (const CodeBlock& b : blocks) {
    if (b.begin + b.length <= text.size()) {
      code = std::string(text.substr(b.begin, b.length));
      language = b.language;
      return !code.empty();
    }
  }
  size_t open = text.find("```");
  if (open == std::string_view::npos) return false;
  size_t lineEnd = text.find('\n', open + 3);
  if (lineEnd == std::string_view::npos) return false;
  std::string_view tag = trim(text.substr(open + 3, lineEnd - open - 3));
  size_t close = text.find("```", lineEnd + 1);
  std::string_view inner = text.substr(
      lineEnd + 1, close == std::string_view::npos ? std::string_view::npos : close - lineEnd - 1);
  if (!inner.empty() && inner.back() == '\n') inner.remove_suffix(1);
  if (inner.empty()) return false;
  code = std::string(inner);
  language = std::string(tag.substr(0, 32));
  return true;
}

bool isValidFileName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name[0] == '.') return false;
  if (name.find("..") != std::string_view::npos) return false;
  for (char ch : name) {
    if (!isalnum((unsigned char)ch) && ch != '.' && ch != '_' && ch != '-') return false;
  }
  return true;
}

bool parseId(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  out = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
    out = out * 10 + (ch - '0');
  }
  return true;
}

}  // namespace webhook
