#include "menu.h"

#include "shared/config.h"
#include "shared/json.h"

namespace webhook {
namespace {

using i18n::Msg;

struct Entry {
  const char* command;
  Msg text;  // the description, from the catalog (shared/i18n/menu.inc)
};

constexpr Entry kMenu[] = {
    {"start", Msg::MenuStart},       {"save", Msg::MenuSave},
    {"files", Msg::MenuFiles},       {"image", Msg::MenuImage},
    {"preview", Msg::MenuPreview},   {"image_all", Msg::MenuImageAll},
    {"delete", Msg::MenuDelete},     {"theme", Msg::MenuTheme},
    {"settings", Msg::MenuSettings}, {"imagine", Msg::MenuImagine},
    {"styles", Msg::MenuStyles},     {"cancel", Msg::MenuCancel},
    {"generate", Msg::MenuGenerate}, {"gallery", Msg::MenuGallery},
    {"balance", Msg::MenuBalance},   {"buy", Msg::MenuBuy},
    {"topup", Msg::MenuTopup},       {"paysupport", Msg::MenuPaySupport},
    {"lang", Msg::MenuLang},         {"help", Msg::MenuHelp},
    {"support", Msg::MenuSupport},   {"forget", Msg::MenuForget},
};

}  // namespace

std::string commandMenuJson(i18n::Lang lang) {
  const int64_t previewLines = config::getInt(config::Setting::PREVIEW_LINES, 50);
  json::JsonWriter w;
  w.beginArray();
  for (const Entry& e : kMenu) {
    w.beginObject()
        .key("command")
        .value(e.command)
        .key("description")
        .value(i18n::format(e.text, lang, {{"lines", previewLines}}))
        .endObject();
  }
  w.endArray();
  return w.take();
}

}  // namespace webhook
