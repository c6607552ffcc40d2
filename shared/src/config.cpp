#include "shared/config.h"

#include <array>
#include <cctype>
#include <cstdlib>

#include "shared/json.h"

namespace config {
namespace {

struct Def {
  const char* name;
  const char* fallback;
  size_t minSecretLen;
};

constexpr Def kDefs[] = {
#define CONFIG_X(name, def, min) {#name, def, min},
    CONFIG_SETTINGS(CONFIG_X)
#undef CONFIG_X
};

std::array<std::string, size_t(Setting::Count)> gValues;

}  // namespace

const char* settingName(Setting s) {
  return kDefs[size_t(s)].name;
}

void load(std::string_view envJson) {
  for (auto& v : gValues) v.clear();
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(envJson).get(obj) != simdjson::SUCCESS) return;
  for (size_t i = 0; i < size_t(Setting::Count); i++) {
    if (auto v = json::getString(obj, kDefs[i].name)) gValues[i] = std::string(*v);
  }
}

std::string_view get(Setting s) {
  const std::string& v = gValues[size_t(s)];
  return v.empty() ? std::string_view(kDefs[size_t(s)].fallback) : std::string_view(v);
}

int64_t getInt(Setting s, int64_t fallback) {
  std::string v(get(s));
  if (v.empty()) return fallback;
  char* end = nullptr;
  long long n = strtoll(v.c_str(), &end, 10);
  return (end && *end == 0) ? int64_t(n) : fallback;
}

bool getBool(Setting s) {
  std::string_view v = get(s);
  return v == "1" || v == "true" || v == "yes" || v == "on";
}

bool isPlaceholder(std::string_view v) {
  std::string lower;
  for (char c : v) lower.push_back(char(tolower((unsigned char)c)));
  while (!lower.empty() && isspace((unsigned char)lower.back())) lower.pop_back();
  if (lower.empty()) return true;
  static const char* kExact[] = {"changeme",  "change-me", "change_me", "placeholder",
                                 "secret",    "todo",      "none",      "null",
                                 "undefined", "xxx",       "test",      "token"};
  for (const char* p : kExact) {
    if (lower == p) return true;
  }
  if (lower.rfind("your-", 0) == 0 || lower.rfind("your_", 0) == 0 || lower.rfind("<", 0) == 0 ||
      lower.rfind("replace", 0) == 0) {
    return true;
  }
  // A run of one repeated character ("xxxxxxxx", "00000000") is a placeholder too.
  if (lower.find_first_not_of(lower[0]) == std::string::npos) return true;
  return false;
}

std::string secretProblem(Setting s) {
  const Def& d = kDefs[size_t(s)];
  const std::string& v = gValues[size_t(s)];
  std::string name = d.name;
  if (v.empty()) return name + " is not set";
  if (isPlaceholder(v)) return name + " is a placeholder, not a real value";
  if (d.minSecretLen > 0 && v.size() < d.minSecretLen) {
    return name + " is shorter than " + std::to_string(d.minSecretLen) + " characters";
  }
  return {};
}

std::string_view bearerToken(std::string_view h) {
  constexpr std::string_view kBearer = "Bearer ";
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) return {};
  return h.substr(kBearer.size());
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  // Length differences leak only the length, which an attacker controls anyway.
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  size_t n = a.size() > b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; i++) {
    unsigned char x = i < a.size() ? a[i] : 0;
    unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace config
