// Unit tests of the webhook's pure parts: Update parsing, commands, code extraction, file names.
#include <catch2/catch.hpp>

#include "command.h"
#include "update.h"

using namespace webhook;

TEST_CASE("updates parse into the fields the bot uses", "[webhook]") {
  Update u;
  const char* kUpd1 = R"j({"update_id":7,"message":{"message_id":3,"chat":{"id":42,"type":"private"},
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
  const char* bad[] = {"", "{", "[]", "null", R"j({"message":{}})j", R"j({"update_id":"7"})j",
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
  std::string kUpd6 = std::string(R"j({"update_id":1,"message":{"message_id":1,"chat":{"id":1},)j") +
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
