// The bot's texts in English, Russian, Hebrew and Persian. Telegram's language_code picks the
// language unless the user chose one with /language. Texts are HTML (parse_mode HTML); every
// {placeholder} is filled with an already-escaped value by the caller.
//
//   std::string t = i18n::format(i18n::Msg::Saved, lang, {{"name", tg::escapeHtml(name)}});
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace i18n {

enum class Lang { En, Ru, He, Fa, Count };

// X(id, English, Russian, Hebrew, Persian)
#define I18N_MESSAGES(X)                                                                         \
  X(Welcome,                                                                                     \
    "👋 <b>Hi!</b> I turn code into beautiful images.\n\n"                                        \
    "• Send a code file, or <code>/save NAME</code> with code, to keep it\n"                      \
    "• <code>/image NAME</code> makes a picture, <code>/preview NAME</code> the first lines\n"    \
    "• Send code in a ``` block and I reply with its image\n"                                     \
    "• /files lists your files, /theme picks the colours, /language the language",              \
    "👋 <b>Привет!</b> Я превращаю код в красивые картинки.\n\n"                                   \
    "• Пришлите файл с кодом или <code>/save ИМЯ</code> с кодом, чтобы сохранить его\n"          \
    "• <code>/image ИМЯ</code> — картинка, <code>/preview ИМЯ</code> — первые строки\n"           \
    "• Пришлите код в блоке ``` — и я отвечу картинкой\n"                                          \
    "• /files — ваши файлы, /theme — цвета, /language — язык",                                    \
    "👋 <b>שלום!</b> אני הופך קוד לתמונות יפות.\n\n"                                                \
    "• שלחו קובץ קוד, או <code>/save NAME</code> עם קוד, כדי לשמור אותו\n"                         \
    "• <code>/image NAME</code> יוצר תמונה, <code>/preview NAME</code> את השורות הראשונות\n"      \
    "• שלחו קוד בבלוק ``` ואחזיר תמונה שלו\n"                                                      \
    "• /files מציג את הקבצים, /theme בוחר צבעים, /language את השפה",                               \
    "👋 <b>سلام!</b> من کد را به تصویرهای زیبا تبدیل می‌کنم.\n\n"                                    \
    "• یک فایل کد بفرستید، یا <code>/save NAME</code> همراه کد، تا ذخیره شود\n"                     \
    "• <code>/image NAME</code> تصویر می‌سازد، <code>/preview NAME</code> خطوط اول را\n"            \
    "• کد را در بلوک ``` بفرستید تا تصویرش را بفرستم\n"                                              \
    "• /files فایل‌ها، /theme رنگ‌ها و /language زبان")                                              \
  X(Saved, "✅ Saved <b>{name}</b> (version {version}, {lines} lines, {language})",               \
    "✅ Сохранено: <b>{name}</b> (версия {version}, строк: {lines}, {language})",                 \
    "✅ נשמר <b>{name}</b> (גרסה {version}, {lines} שורות, {language})",                          \
    "✅ <b>{name}</b> ذخیره شد (نسخه {version}، {lines} خط، {language})")                          \
  X(NotFound, "❌ File <b>{name}</b> not found. /files lists your files.",                        \
    "❌ Файл <b>{name}</b> не найден. Список файлов: /files",                                      \
    "❌ הקובץ <b>{name}</b> לא נמצא. /files מציג את הקבצים שלך.",                                  \
    "❌ فایل <b>{name}</b> پیدا نشد. فهرست فایل‌ها: /files")                                         \
  X(UsageImage, "🖼 <b>Code image</b>\nUsage: <code>/image &lt;file_name&gt;</code>",              \
    "🖼 <b>Картинка кода</b>\nИспользование: <code>/image &lt;имя_файла&gt;</code>",               \
    "🖼 <b>יצירת תמונת קוד</b>\nשימוש: <code>/image &lt;file_name&gt;</code>",                     \
    "🖼 <b>تصویر کد</b>\nاستفاده: <code>/image &lt;file_name&gt;</code>")                           \
  X(UsageSave,                                                                                   \
    "💾 Usage: <code>/save NAME</code> with the code on the next lines, or as a reply to a "       \
    "message with code.",                                                                        \
    "💾 Использование: <code>/save ИМЯ</code> и код на следующих строках, или ответом на "         \
    "сообщение с кодом.",                                                                        \
    "💾 שימוש: <code>/save NAME</code> עם הקוד בשורות הבאות, או כתגובה להודעה עם קוד.",            \
    "💾 استفاده: <code>/save NAME</code> و کد در خطوط بعدی، یا در پاسخ به پیامی که کد دارد.")       \
  X(BadName,                                                                                     \
    "⚠️ That file name won't do: use 1-64 letters, digits, <code>. _ -</code>, no leading dot.", \
    "⚠️ Такое имя не подходит: 1–64 буквы, цифры, <code>. _ -</code>, без точки в начале.",        \
    "⚠️ שם הקובץ לא תקין: 1-64 אותיות, ספרות, <code>. _ -</code>, בלי נקודה בהתחלה.",              \
    "⚠️ این نام فایل مناسب نیست: ۱ تا ۶۴ حرف، رقم، <code>. _ -</code>، بدون نقطه در ابتدا.")        \
  X(TooLarge, "⚠️ That file is too large: the limit is 1 MB.",                                    \
    "⚠️ Файл слишком большой: предел — 1 МБ.", "⚠️ הקובץ גדול מדי: המגבלה היא 1MB.",                \
    "⚠️ فایل خیلی بزرگ است: حداکثر ۱ مگابایت.")                                                     \
  X(NotText, "⚠️ I can only keep text files (code), not binary ones.",                            \
    "⚠️ Я храню только текстовые файлы (код), не двоичные.",                                       \
    "⚠️ אפשר לשמור רק קבצי טקסט (קוד), לא קבצים בינאריים.",                                        \
    "⚠️ فقط فایل‌های متنی (کد) ذخیره می‌شوند، نه فایل‌های باینری.")                                   \
  X(RateLimited, "⏳ Too many requests. Please try again in {seconds} s.",                       \
    "⏳ Слишком много запросов. Попробуйте снова через {seconds} с.",                              \
    "⏳ יותר מדי בקשות. אנא נסה שוב בעוד {seconds} שניות.",                                        \
    "⏳ درخواست‌ها زیاد است. لطفاً {seconds} ثانیه دیگر دوباره امتحان کنید.")                        \
  X(FilesHeader, "📁 <b>Your files</b> ({count}), page {page}/{pages}:",                          \
    "📁 <b>Ваши файлы</b> ({count}), стр. {page}/{pages}:",                                       \
    "📁 <b>הקבצים שלך</b> ({count}), עמוד {page}/{pages}:",                                        \
    "📁 <b>فایل‌های شما</b> ({count})، صفحه {page}/{pages}:")                                        \
  X(NoFiles, "📭 No saved files yet. Send a code file or use <code>/save NAME</code>.",          \
    "📭 Сохранённых файлов пока нет. Пришлите файл или используйте <code>/save ИМЯ</code>.",       \
    "📭 אין עדיין קבצים שמורים. שלחו קובץ קוד או השתמשו ב-<code>/save NAME</code>.",               \
    "📭 هنوز فایلی ذخیره نشده. یک فایل کد بفرستید یا از <code>/save NAME</code> استفاده کنید.")     \
  X(Deleted, "🗑 Deleted <b>{name}</b>.", "🗑 Удалено: <b>{name}</b>.", "🗑 <b>{name}</b> נמחק.",  \
    "🗑 <b>{name}</b> حذف شد.")                                                                    \
  X(Progress, "⏳ Creating {n} images… {k}/{n}", "⏳ Создаю картинки: {k}/{n}…",                  \
    "⏳ יוצר {n} תמונות… {k}/{n}", "⏳ در حال ساخت {n} تصویر… {k}/{n}")                              \
  X(BatchDone, "✅ Done: {x}/{n}", "✅ Готово: {x}/{n}", "✅ הסתיים: {x}/{n}",                    \
    "✅ انجام شد: {x}/{n}")                                                                        \
  X(ConfirmAll, "You have {n} files. Create images for the first {max}?",                        \
    "У вас {n} файлов. Создать картинки для первых {max}?",                                       \
    "יש לך {n} קבצים. ליצור תמונות ל-{max} הראשונים?",                                              \
    "شما {n} فایل دارید. برای {max} فایل اول تصویر ساخته شود؟")                                     \
  X(Yes, "✅ Yes", "✅ Да", "✅ כן", "✅ بله")                                                        \
  X(Cancel, "✖️ Cancel", "✖️ Отмена", "✖️ ביטול", "✖️ لغو")                                          \
  X(Cancelled, "Cancelled.", "Отменено.", "בוטל.", "لغو شد.")                                      \
  X(ChooseTheme, "🎨 Choose a theme (now: <b>{theme}</b>):",                                       \
    "🎨 Выберите тему (сейчас: <b>{theme}</b>):", "🎨 בחרו ערכת צבעים (כעת: <b>{theme}</b>):",       \
    "🎨 یک پوسته انتخاب کنید (فعلی: <b>{theme}</b>):")                                             \
  X(ThemeSet, "🎨 Theme: {theme}", "🎨 Тема: {theme}", "🎨 ערכת צבעים: {theme}",                   \
    "🎨 پوسته: {theme}")                                                                           \
  X(ChooseLanguage, "🌐 Choose the bot's language:", "🌐 Выберите язык бота:",                     \
    "🌐 בחרו את שפת הבוט:", "🌐 زبان ربات را انتخاب کنید:")                                          \
  X(LanguageSet, "🌐 English it is.", "🌐 Теперь по-русски.", "🌐 השפה עודכנה לעברית.",           \
    "🌐 زبان فارسی انتخاب شد.")                                                                    \
  X(RenderFailed, "⚠️ Could not create the image: {reason}",                                      \
    "⚠️ Не удалось создать картинку: {reason}", "⚠️ לא ניתן ליצור את התמונה: {reason}",            \
    "⚠️ ساخت تصویر ممکن نشد: {reason}")                                                             \
  X(Sorry, "😔 Something went wrong on our side. Please try again in a minute.",                  \
    "😔 У нас что-то пошло не так. Попробуйте ещё раз через минуту.",                              \
    "😔 משהו השתבש אצלנו. אנא נסו שוב בעוד דקה.",                                                  \
    "😔 مشکلی از طرف ما پیش آمد. لطفاً یک دقیقه دیگر دوباره امتحان کنید.")                          \
  X(UnknownCommand, "🤔 I don't know that command. /help lists what I can do.",                   \
    "🤔 Такой команды нет. Что я умею: /help",                                                     \
    "🤔 אני לא מכיר את הפקודה הזו. /help מציג מה אני יודע לעשות.",                                 \
    "🤔 این دستور را نمی‌شناسم. /help کارهایی را که می‌توانم نشان می‌دهد.")                            \
  X(ComingSoon, "🛠 This part of the bot is not available yet.",                                  \
    "🛠 Эта функция пока недоступна.", "🛠 החלק הזה של הבוט עדיין לא זמין.",                        \
    "🛠 این بخش از ربات هنوز در دسترس نیست.")                                                       \
  X(Caption, "<b>{name}</b> · {language} · {lines} lines",                                       \
    "<b>{name}</b> · {language} · строк: {lines}", "<b>{name}</b> · {language} · {lines} שורות",    \
    "<b>{name}</b> · {language} · {lines} خط")                                                     \
  X(BtnImage, "🖼 Image", "🖼 Картинка", "🖼 תמונה", "🖼 تصویر")                                     \
  X(BtnPreview, "👁 Preview", "👁 Превью", "👁 תצוגה", "👁 پیش‌نمایش")                               \
  X(BtnDelete, "🗑 Delete", "🗑 Удалить", "🗑 מחיקה", "🗑 حذف")                                      \
  X(EmptyCode, "⚠️ There is no code to render.", "⚠️ Нет кода для картинки.",                     \
    "⚠️ אין קוד ליצירת תמונה.", "⚠️ کدی برای ساخت تصویر وجود ندارد.")                                \
  X(EmptyFile, "⚠️ <b>{name}</b> is empty: there is nothing to keep.",                            \
    "⚠️ Файл <b>{name}</b> пуст — сохранять нечего.", "⚠️ הקובץ <b>{name}</b> ריק: אין מה לשמור.",  \
    "⚠️ فایل <b>{name}</b> خالی است و چیزی برای ذخیره ندارد.")                                     \
  X(DidYouMean, "Did you mean: {names}?", "Возможно, вы имели в виду: {names}?",                  \
    "אולי התכוונת ל: {names}?", "شاید منظورتان این بود: {names}؟")                                  \
  X(ErrorId, "(error id <code>{id}</code>)", "(код ошибки <code>{id}</code>)",                      \
    "(מזהה שגיאה <code>{id}</code>)", "(شناسه خطا <code>{id}</code>)")                              \
  X(Support,                                                                                     \
    "🆘 <b>Support</b>\nYour ID: <code>{id}</code>\nUsername: {username}\nContact: {contact}\n\n"  \
    "We help with saved files, code images, generations and payments. Please include your ID.",  \
    "🆘 <b>Поддержка</b>\nВаш ID: <code>{id}</code>\nИмя пользователя: {username}\n"               \
    "Связь: {contact}\n\nПоможем с файлами, картинками кода, генерациями и оплатой. "             \
    "Укажите, пожалуйста, ваш ID.",                                                              \
    "🆘 <b>תמיכה</b>\nהמזהה שלך: <code>{id}</code>\nשם משתמש: {username}\nיצירת קשר: {contact}\n\n" \
    "נעזור בקבצים שמורים, תמונות קוד, יצירות ותשלומים. נא לציין את המזהה שלך.",                    \
    "🆘 <b>پشتیبانی</b>\nشناسه شما: <code>{id}</code>\nنام کاربری: {username}\nتماس: {contact}\n\n" \
    "در فایل‌ها، تصویر کد، تولید تصویر و پرداخت کمک می‌کنیم. لطفاً شناسه خود را بنویسید.")

enum class Msg {
#define I18N_X(id, en, ru, he, fa) id,
  I18N_MESSAGES(I18N_X)
#undef I18N_X
      Count
};

// "ru", "ru-RU", "he", "iw", "fa" ...; anything else is English.
Lang fromCode(std::string_view code);
const char* code(Lang lang);

const char* text(Msg m, Lang lang);
std::string format(Msg m, Lang lang,
                   std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace i18n
