// Unit tests of the webhook's pure parts: Update parsing, commands, code extraction, file names.
#include <catch2/catch.hpp>

#include "command.h"
#include "payments_core.h"
#include "update.h"

using namespace webhook;

TEST_CASE("updates parse into the fields the bot uses", "[webhook]") {
  Update u;
  const char* kUpd1 =
      R"j({"update_id":7,"message":{"message_id":3,"chat":{"id":42,"type":"private"},
    "from":{"id":42,"is_bot":false,"first_name":"Ada","language_code":"ru"},
    "text":"/save a.py\nprint(1)"}})j";
  REQUIRE(parseUpdate(kUpd1, u).empty());
  CHECK(u.updateId == 7);
  CHECK(u.kind == UpdateKind::Message);
  CHECK(u.message.chatId == 42);
  CHECK(u.message.from.languageCode == "ru");
  CHECK(u.message.text == "/save a.py\nprint(1)");

  Update cb;
  const char* kUpd2 = R"j({"update_id":8,"callback_query":{"id":"q1","data":"img:5",
    "from":{"id":42},"message":{"message_id":9,"chat":{"id":42}}}})j";
  REQUIRE(parseUpdate(kUpd2, cb).empty());
  CHECK(cb.kind == UpdateKind::CallbackQuery);
  CHECK(cb.callback.data == "img:5");
  CHECK(cb.callback.messageId == 9);

  Update doc;
  const char* kUpd3 = R"j({"update_id":9,"message":{"message_id":1,"chat":{"id":1},"from":{"id":1},
    "document":{"file_id":"F","file_name":"x.go","file_size":12}}})j";
  REQUIRE(parseUpdate(kUpd3, doc).empty());
  REQUIRE(doc.message.document);
  CHECK(doc.message.document->fileName == "x.go");

  Update blocked;
  const char* kUpd4 = R"j({"update_id":10,"my_chat_member":{"from":{"id":5},"chat":{"id":5},
    "new_chat_member":{"status":"kicked"}}})j";
  REQUIRE(parseUpdate(kUpd4, blocked).empty());
  CHECK(blocked.kind == UpdateKind::MyChatMember);
  CHECK(blocked.chatMember.newStatus == "kicked");

  Update other;
  const char* kUpd5 = R"j({"update_id":11,"poll":{"id":"p"}})j";
  REQUIRE(parseUpdate(kUpd5, other).empty());
  CHECK(other.kind == UpdateKind::Unknown);
}

TEST_CASE("bodies that are not updates are refused with a reason", "[webhook]") {
  const char* bad[] = {"",
                       "{",
                       "[]",
                       "null",
                       R"j({"message":{}})j",
                       R"j({"update_id":"7"})j",
                       "{\"update_id\":1,\"message\":\xFF}"};
  for (const char* b : bad) {
    Update u;
    CHECK_FALSE(parseUpdate(b, u).empty());
  }
}

TEST_CASE("code blocks from entities use UTF-16 offsets", "[webhook]") {
  // "😀 " is 3 UTF-16 units (surrogate pair + space) and 5 bytes.
  std::string text = "\xF0\x9F\x98\x80 x=1";
  CHECK(utf16ToByteOffset(text, 3) == 5);
  CHECK(utf16ToByteOffset(text, 100) == text.size());
  Update u;
  // The emoji as JSON escapes (a surrogate pair), as Telegram sends it.
  std::string kUpd6 =
      std::string(R"j({"update_id":1,"message":{"message_id":1,"chat":{"id":1},)j") +
      R"j("from":{"id":1},"text":")j" + "\\ud83d\\ude00" +
      R"j( x=1","entities":[{"type":"pre","offset":3,"length":3,"language":"python"}]}})j";
  REQUIRE(parseUpdate(kUpd6, u).empty());
  std::string code, lang;
  REQUIRE(extractCode(u.message.text, u.message.codeBlocks, code, lang));
  CHECK(code == "x=1");
  CHECK(lang == "python");
}

TEST_CASE("commands", "[webhook]") {
  struct Row {
    const char* text;
    const char* name;
    const char* args;
    const char* body;
  };
  const Row rows[] = {
      {"/start", "start", "", ""},
      {"/image main.py", "image", "main.py", ""},
      {"/Image@CodeBot  main.py  ", "image", "main.py", ""},
      {"/save a.py\nprint(1)\n", "save", "a.py", "print(1)\n"},
      {"/image=flux=a red fox", "image", "flux=a red fox", ""},
      {"hello", "", "", ""},
      {"/", "", "", ""},
      {"/bad-name x", "", "", ""},
  };
  for (const Row& r : rows) {
    Command c = parseCommand(r.text);
    CHECK(c.name == r.name);
    if (!c.name.empty()) {
      CHECK(c.args == r.args);
      CHECK(c.body == r.body);
    }
  }
}

TEST_CASE("fenced code blocks", "[webhook]") {
  std::string code, lang;
  CHECK(extractCode("look:\n```python\ndef f():\n    pass\n```\nthanks", {}, code, lang));
  CHECK(code == "def f():\n    pass");
  CHECK(lang == "python");
  CHECK(extractCode("```\nunterminated", {}, code, lang));
  CHECK(code == "unterminated");
  CHECK_FALSE(extractCode("no code here", {}, code, lang));
  CHECK_FALSE(extractCode("```\n```", {}, code, lang));
}

TEST_CASE("file names", "[webhook]") {
  for (const char* ok : {"main.py", "a", "my_file-2.tsx", "Dockerfile"}) CHECK(isValidFileName(ok));
  for (const char* bad : {"", ".env", "../etc/passwd", "a/b", "a b", "x'; DROP TABLE users;--",
                          "<b>.py", "a..b", "\xD7\xA9.py"}) {
    CHECK_FALSE(isValidFileName(bad));
  }
  CHECK_FALSE(isValidFileName(std::string(65, 'a')));
}

TEST_CASE("successful_payment parses the fields a top-up is credited by", "[webhook]") {
  struct Case {
    const char* json;
    const char* currency;
    int64_t total;
    const char* payload;
    const char* charge;
    const char* providerCharge;
  };
  const Case cases[] = {
      {R"j({"currency":"XTR","total_amount":50,"invoice_payload":"stars:42:s100:100",
            "telegram_payment_charge_id":"tg-1","provider_payment_charge_id":""})j",
       "XTR", 50, "stars:42:s100:100", "tg-1", ""},
      {R"j({"currency":"RUB","total_amount":9900,"invoice_payload":"x",
            "telegram_payment_charge_id":"tg-2","provider_payment_charge_id":"yk-2"})j",
       "RUB", 9900, "x", "tg-2", "yk-2"},
      // Missing fields read as empty or zero, never as garbage.
      {R"j({"currency":"XTR"})j", "XTR", 0, "", "", ""},
  };
  for (const Case& c : cases) {
    std::string body =
        std::string(R"j({"update_id":1,"message":{"message_id":1,"chat":{"id":42},)j") +
        R"j("from":{"id":42},"successful_payment":)j" + c.json + "}}";
    Update u;
    REQUIRE(parseUpdate(body, u).empty());
    REQUIRE(u.message.hasSuccessfulPayment);
    CHECK(u.message.payment.currency == c.currency);
    CHECK(u.message.payment.totalAmount == c.total);
    CHECK(u.message.payment.invoicePayload == c.payload);
    CHECK(u.message.payment.telegramChargeId == c.charge);
    CHECK(u.message.payment.providerChargeId == c.providerCharge);
  }
  Update plain;
  REQUIRE(parseUpdate(R"j({"update_id":2,"message":{"message_id":1,"chat":{"id":1},"text":"hi"}})j",
                      plain)
              .empty());
  CHECK_FALSE(plain.message.hasSuccessfulPayment);

  Update pc;
  REQUIRE(parseUpdate(R"j({"update_id":3,"pre_checkout_query":{"id":"q","from":{"id":5},
    "currency":"XTR","total_amount":50,"invoice_payload":"stars:5:s100:100"}})j",
                      pc)
              .empty());
  CHECK(pc.kind == UpdateKind::PreCheckoutQuery);
  CHECK(pc.preCheckout.totalAmount == 50);
  CHECK(pc.preCheckout.payload == "stars:5:s100:100");
  CHECK(pc.preCheckout.from.id == 5);
}

TEST_CASE("payment packs, payloads and amounts", "[webhook]") {
  auto stars = pay::parseStarPacks(
      R"([{"id":"s100","stars":50,"credits":100,"title":"Starter"},
          {"id":"bad id","stars":1,"credits":1},
          {"id":"s0","stars":0,"credits":5},{"id":"s9","stars":9,"credits":-1},"x"])");
  REQUIRE(stars.size() == 1);
  CHECK(stars[0].title == "Starter");
  CHECK(pay::findStarPack(stars, "s100") != nullptr);
  CHECK(pay::findStarPack(stars, "s0") == nullptr);
  CHECK(pay::parseStarPacks("not json").empty());

  auto money = pay::parseMoneyPacks(R"([{"id":"r1","amount":"99.00","credits":100},
      {"id":"r2","amount":250,"credits":300},{"id":"r3","amount":"1.234","credits":1}])");
  REQUIRE(money.size() == 2);
  CHECK(money[0].amountMinor == 9900);
  CHECK(money[1].amountMinor == 25000);

  struct Amount {
    const char* text;
    std::optional<int64_t> minor;
  };
  const Amount amounts[] = {{"99.00", 9900},         {"99", 9900},         {"0.5", 50},
                            {"199.99", 19999},       {"", std::nullopt},   {"-1.00", std::nullopt},
                            {"1.234", std::nullopt}, {"1.", std::nullopt}, {"1e3", std::nullopt},
                            {".5", std::nullopt}};
  for (const Amount& a : amounts) CHECK(pay::parseMinorUnits(a.text) == a.minor);
  CHECK(pay::formatMinorUnits(9900) == "99.00");
  CHECK(pay::formatMinorUnits(5) == "0.05");

  std::string payload = pay::starPayload(42, stars[0]);
  CHECK(payload == "stars:42:s100:100");
  auto back = pay::parseStarPayload(payload);
  REQUIRE(back);
  CHECK(back->userId == 42);
  CHECK(back->pack == "s100");
  CHECK(back->credits == 100);
  for (const char* bad : {"", "stars:", "stars:42:s100", "stars:x:s100:1", "stars:42:s1/0:1",
                          "stars:42:s100:0", "yk:42:s100:1", "stars:0:s100:1"}) {
    CHECK_FALSE(pay::parseStarPayload(bad));
  }

  CHECK(pay::isAdmin("1, 4242,7", 4242));
  CHECK(pay::isAdmin("4242", 4242));
  CHECK_FALSE(pay::isAdmin("14242,42420", 4242));
  CHECK_FALSE(pay::isAdmin("", 4242));
  CHECK_FALSE(pay::isAdmin("0", 0));
}

TEST_CASE("a YooKassa payment credits what is left after refunds made before crediting",
          "[webhook]") {
  struct Net {
    int64_t credits, amount, refunded, expected;
  };
  const Net nets[] = {{100, 9900, 0, 100},  {100, 9900, 4950, 50}, {100, 9900, 9900, 0},
                      {100, 9900, 9899, 0}, {100, 9900, 1, 99},    {550, 44900, 100, 548},
                      {100, 9900, 99000, 0}};
  for (const Net& n : nets) {
    CHECK(pay::netCredits(n.credits, n.amount, n.refunded) == n.expected);
  }
}

TEST_CASE("YooKassa list filters take ISO 8601 times in UTC", "[webhook]") {
  CHECK(pay::isoTime(0) == "1970-01-01T00:00:00.000Z");
  CHECK(pay::isoTime(951782400000) == "2000-02-29T00:00:00.000Z");
  CHECK(pay::isoTime(1796649909250) == "2026-12-07T13:25:09.250Z");
  CHECK(pay::isoTime(-5) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("netCredits refuses nonsense instead of crediting it", "[webhook]") {
  CHECK(pay::netCredits(100, 0, 0) == 0);
  CHECK(pay::netCredits(100, -5, 0) == 0);
  CHECK(pay::netCredits(100, 9900, -1) == 0);
  CHECK(pay::netCredits(-100, 9900, 0) == 0);
}

TEST_CASE("YooKassa notification addresses", "[webhook]") {
  for (const char* ok : {"185.71.76.0", "185.71.76.31", "185.71.77.5", "77.75.153.0",
                         "77.75.153.127", "77.75.156.11", "77.75.156.35", "77.75.154.128",
                         "77.75.154.255", "2a02:5180::1", "2A02:5180:0:1509::15"}) {
    CHECK(pay::isYookassaAddress(ok));
  }
  for (const char* bad :
       {"185.71.76.32", "185.71.78.1", "77.75.153.128", "77.75.156.12", "77.75.154.127",
        "127.0.0.1", "2a02:5181::1", "2a02::5180:1", "", "185.71.76", "185.71.76.1.2",
        "185.71.76.256", "1.2.3.4 ", "2a02:5180:zz::1"}) {
    CHECK_FALSE(pay::isYookassaAddress(bad));
  }
}
