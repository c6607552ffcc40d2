// Unit tests of the shared library: JSON writing, UTF-8 validation, settings validation.
#include <catch2/catch.hpp>

#include "shared/config.h"
#include "shared/generation_batch.h"
#include "shared/json.h"
#include "shared/utf8.h"

TEST_CASE("JsonWriter escapes and keeps output valid UTF-8", "[shared]") {
  struct Row {
    std::string in;
    std::string out;
  };
  const Row rows[] = {
      {"plain", "\"plain\""},
      {"q\"b\\", "\"q\\\"b\\\\\""},
      {"line\nnext\t", "\"line\\nnext\\t\""},
      {std::string("nul\0x", 5), "\"nul\\u0000x\""},
      {"\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D", "\"\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D\""},  // Hebrew
      {"bad\xFFz", "\"bad\xEF\xBF\xBDz\""},          // invalid byte -> U+FFFD
      {"\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\""},  // overlong '/'
  };
  for (const Row& r : rows) {
    json::JsonWriter w;
    w.value(r.in);
    CHECK(w.str() == r.out);
  }
  json::JsonWriter w;
  w.beginObject().key("a").value(1).key("b").beginArray().value(true).null().endArray().endObject();
  CHECK(w.str() == R"({"a":1,"b":[true,null]})");
}

TEST_CASE("utf8 validation", "[shared]") {
  struct Row {
    std::string text;
    bool valid;
  };
  const Row rows[] = {
      {"", true},
      {"ascii", true},
      {"\xD0\x9F\xD1\x80\xD0\xB8", true},  // Russian
      {"\xF0\x9F\x98\x80", true},          // emoji
      {"\xED\xA0\x80", false},             // surrogate
      {"\xF4\x90\x80\x80", false},         // above U+10FFFF
      {"\xE2\x82", false},                 // truncated
      {"\x80", false},                     // stray continuation
  };
  for (const Row& r : rows) CHECK(utf8::isValid(r.text) == r.valid);
  size_t i = 0;
  CHECK(utf8::next("\xFF"
                   "a",
                   i) == 0xFFFD);
  CHECK(i == 1);
}

TEST_CASE("secrets: placeholders and short values are refused without echoing them", "[shared]") {
  struct Row {
    const char* value;
    bool placeholder;
  };
  const Row rows[] = {
      {"", true},
      {"changeme", true},
      {"CHANGEME", true},
      {"your-token", true},
      {"<bot token>", true},
      {"xxxxxxxxxxxxxxxx", true},
      {"123456:AAE-real-looking-token-value", false},
      {"s3cr3t-Value-42x", false},
  };
  for (const Row& r : rows) CHECK(config::isPlaceholder(r.value) == r.placeholder);

  config::load(R"({"WEBHOOK_SECRET":"short1","TELEGRAM_BOT_TOKEN":"changeme"})");
  std::string p = config::secretProblem(config::Setting::WEBHOOK_SECRET);
  CHECK(p.find("WEBHOOK_SECRET") != std::string::npos);
  CHECK(p.find("short1") == std::string::npos);
  CHECK(config::secretProblem(config::Setting::TELEGRAM_BOT_TOKEN).find("placeholder") !=
        std::string::npos);
  CHECK(config::secretProblem(config::Setting::YOOKASSA_SECRET_KEY).find("not set") !=
        std::string::npos);
  config::load(R"({"WEBHOOK_SECRET":"a-long-enough-secret-value"})");
  CHECK(config::secretProblem(config::Setting::WEBHOOK_SECRET).empty());
  CHECK(config::get(config::Setting::PREVIEW_LINES) == "50");
}

TEST_CASE("constant-time comparison", "[shared]") {
  CHECK(config::constantTimeEquals("abc", "abc"));
  CHECK_FALSE(config::constantTimeEquals("abc", "abd"));
  CHECK_FALSE(config::constantTimeEquals("abc", "abcd"));
  CHECK_FALSE(config::constantTimeEquals("", "a"));
  CHECK(config::constantTimeEquals("", ""));
}

#include <set>

// The i18n catalog and formatting have their own tests: shared/src/i18n_test.cpp.

TEST_CASE("🎲 variations: images per ask held to Telegram's album, the caption's tally",
          "[shared]") {
  // VARIATIONS_COUNT: the default, a value inside, and values past either end (an album holds
  // 2-10 items).
  const std::pair<const char*, int64_t> counts[] = {{R"({})", 4},
                                                    {R"({"VARIATIONS_COUNT":"6"})", 6},
                                                    {R"({"VARIATIONS_COUNT":"50"})", 10},
                                                    {R"({"VARIATIONS_COUNT":"1"})", 2},
                                                    {R"({"VARIATIONS_COUNT":"-3"})", 2}};
  for (const auto& [env, want] : counts) {
    INFO(env);
    config::load(env);
    CHECK(generation::batch::imagesPerAsk() == want);
  }
  config::load("{}");
  using generation::batch::Member;
  auto member = [](const char* status, int64_t cost, const char* key = "") {
    Member m;
    m.status = status;
    m.cost = cost;
    m.r2Key = key;
    return m;
  };
  // Made: completed with an image; not made: failed or cancelled, each refunding its own price
  // (a free member's is 0); a member still active counts as neither.
  generation::batch::Tally t = generation::batch::tally(
      {member("completed", 2, "generations/sd/1.png"), member("failed", 2), member("cancelled", 0),
       member("completed", 2, "generations/sd/4.png"), member("queued", 2)});
  CHECK(t.made == 2);
  CHECK(t.failed == 2);
  CHECK(t.refunded == 2);
  // A completed row whose image is gone (expired) is not in the album.
  t = generation::batch::tally({member("completed", 1)});
  CHECK(t.made == 0);
  CHECK(t.failed == 0);
}
