#include "menu.h"

#include "shared/json.h"

namespace webhook {
namespace {

struct Entry {
  const char* command;
  const char* text[4];  // en, ru, he, fa
};

constexpr Entry kMenu[] = {
    {"start", {"Start and examples", "Начало и примеры", "התחלה ודוגמאות", "شروع و نمونه‌ها"}},
    {"save", {"Save code: /save NAME", "Сохранить код: /save ИМЯ", "שמירת קוד: /save NAME",
              "ذخیره کد: /save NAME"}},
    {"files", {"Your saved files", "Ваши файлы", "הקבצים שלך", "فایل‌های شما"}},
    {"image", {"Code image: /image NAME", "Картинка кода: /image ИМЯ", "תמונת קוד: /image NAME",
               "تصویر کد: /image NAME"}},
    {"preview", {"First 50 lines as an image", "Первые 50 строк картинкой", "50 השורות הראשונות כתמונה",
                 "۵۰ خط اول به صورت تصویر"}},
    {"image_all", {"Images of all your files", "Картинки всех файлов", "תמונות של כל הקבצים",
                   "تصویر همه فایل‌ها"}},
    {"delete", {"Delete a file: /delete NAME", "Удалить файл: /delete ИМЯ", "מחיקת קובץ: /delete NAME",
                "حذف فایل: /delete NAME"}},
    {"theme", {"Colour theme", "Цветовая тема", "ערכת צבעים", "پوسته رنگی"}},
    {"settings", {"Font size and line numbers", "Шрифт и номера строк", "גודל גופן ומספרי שורות",
                  "اندازه قلم و شماره خطوط"}},
    {"imagine", {"AI image: /imagine PROMPT", "ИИ-картинка: /imagine ОПИСАНИЕ",
                 "תמונת AI: /imagine PROMPT", "تصویر هوش مصنوعی: /imagine PROMPT"}},
    {"cancel", {"Cancel your AI image", "Отменить генерацию", "ביטול יצירת התמונה",
                "لغو ساخت تصویر"}},
    {"generate", {"YouTube thumbnail: /generate TITLE", "Обложка YouTube: /generate ЗАГОЛОВОК",
                  "תמונה ממוזערת: /generate TITLE", "تامبنیل یوتیوب: /generate TITLE"}},
    {"gallery", {"Your images and thumbnails", "Ваши картинки и обложки", "התמונות שלך",
                 "تصاویر و تامبنیل‌های شما"}},
    {"balance", {"Credits and prices", "Кредиты и цены", "קרדיטים ומחירים", "اعتبار و قیمت‌ها"}},
    {"buy", {"Buy credits with Stars", "Купить кредиты за Stars", "קניית קרדיטים ב-Stars",
             "خرید اعتبار با Stars"}},
    {"topup", {"Top up by card (YooKassa)", "Пополнить картой (ЮKassa)", "טעינה בכרטיס (YooKassa)",
               "شارژ با کارت (YooKassa)"}},
    {"paysupport", {"Help with a payment", "Помощь с оплатой", "עזרה בתשלום", "کمک در پرداخت"}},
    {"lang", {"Bot language", "Язык бота", "שפת הבוט", "زبان ربات"}},
    {"help", {"Help", "Помощь", "עזרה", "راهنما"}},
    {"support", {"Contact support", "Поддержка", "תמיכה", "پشتیبانی"}},
};

}  // namespace

std::string commandMenuJson(i18n::Lang lang) {
  json::JsonWriter w;
  w.beginArray();
  for (const Entry& e : kMenu) {
    w.beginObject().key("command").value(e.command).key("description")
        .value(e.text[size_t(lang)]).endObject();
  }
  w.endArray();
  return w.take();
}

}  // namespace webhook
