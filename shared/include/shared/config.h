// Settings: wrangler.toml [vars] and secrets, handed to each module once per instance.
//
// Every setting the product reads is listed in SETTINGS below with its default and, for secrets,
// the minimum length; .dev.vars.example is generated from the same facts by hand and checked
// against this list by a test. A route that needs a secret asks requireSecret() first and answers
// 503 naming the setting (never its value) when it is missing or a placeholder.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace config {

// X(NAME, default, minimum length for a secret (0: a plain var))
#define CONFIG_SETTINGS(X)                                      \
  X(TELEGRAM_BOT_TOKEN, "", 20)                                 \
  X(WEBHOOK_SECRET, "", 16)                                     \
  X(RENDER_API_KEY, "", 16)                                     \
  X(METRICS_TOKEN, "", 16)                                      \
  X(YOOKASSA_SHOP_ID, "", 0)                                    \
  X(YOOKASSA_SECRET_KEY, "", 16)                                \
  X(TELEGRAM_API_BASE, "https://api.telegram.org", 0)           \
  X(YOOKASSA_API_BASE, "https://api.yookassa.ru", 0)            \
  X(BOT_NAME, "CodeImageBot", 0)                                \
  X(ADMIN_CHAT_ID, "", 0)                                       \
  X(ADMIN_IDS, "", 0)                                           \
  X(STAR_PACKS,                                                 \
    "[{\"id\":\"s100\",\"stars\":50,\"credits\":100},"          \
    "{\"id\":\"s550\",\"stars\":250,\"credits\":550}]",         \
    0)                                                          \
  X(YOOKASSA_PACKS,                                             \
    "[{\"id\":\"r100\",\"amount\":\"99.00\",\"credits\":100},"  \
    "{\"id\":\"r550\",\"amount\":\"449.00\",\"credits\":550}]", \
    0)                                                          \
  X(TOPUPS_PER_HOUR, "5", 0)                                    \
  X(YOOKASSA_RECONCILE_AFTER, "300", 0)                         \
  X(DEFAULT_THEME, "monokai", 0)                                \
  X(DEFAULT_FONT_SIZE, "14", 0)                                 \
  X(PREVIEW_LINES, "50", 0)                                     \
  X(RENDER_MAX_LINES, "2000", 0)                                \
  X(RENDER_MAX_WIDTH, "6000", 0)                                \
  X(RENDER_MAX_HEIGHT, "50000", 0)                              \
  X(SUPPORT_CONTACT, "", 0)                                     \
  X(IMAGE_TTL_DAYS, "30", 0)                                    \
  X(REFERENCE_TTL_DAYS, "7", 0)                                 \
  X(REFERENCE_MAX_BYTES, "10485760", 0)                         \
  X(STYLE_PRESETS, "", 0)                                       \
  X(REFERENCE_MAX_PIXELS, "16777216", 0)                        \
  X(AVATAR_MAX, "5", 0)                                         \
  X(AVATAR_PHOTOS_PER_DAY, "40", 0)                             \
  X(AVATAR_MODEL, "", 0)                                        \
  X(AVATAR_TRAINING, "", 0)                                     \
  X(AVATAR_LORA_MODEL, "", 0)                                   \
  X(CLEANUP_BATCH, "200", 0)                                    \
  X(ALERT_QUEUE_DEPTH, "80", 0)                                 \
  X(ALERT_STUCK_GENERATIONS, "5", 0)                            \
  X(ALERT_WEBHOOK_ERRORS_PER_HOUR, "10", 0)                     \
  X(ENABLE_DIAGNOSTICS, "false", 0)                             \
  X(MODELS, "", 0)                                              \
  X(MODEL_API_KEY, "", 0)                                       \
  X(QUEUE_CONCURRENCY, "1", 0)                                  \
  X(QUEUE_MAX_TOTAL, "100", 0)                                  \
  X(GENERATIONS_PER_HOUR, "10", 0)                              \
  X(FREE_GENERATIONS_PER_DAY, "3", 0)                           \
  X(CODE_MAX_FILES, "100", 0)                                   \
  X(CODE_MAX_BYTES, "5242880", 0)                               \
  X(CODE_VERSIONS_KEPT, "20", 0)                                \
  X(CODE_SAVES_PER_MINUTE, "30", 0)                             \
  X(DRAFT_TTL_HOURS, "24", 0)                                   \
  X(UPDATE_LEASE_SECONDS, "120", 0)                             \
  X(THUMBNAIL_COST, "1", 0)                                     \
  X(PROMPT_MAX_CHARS, "1000", 0)                                \
  X(GENERATION_TIMEOUT, "600", 0)                               \
  X(MODEL_CONNECT_TIMEOUT, "30", 0)                             \
  X(MODEL_READ_TIMEOUT, "120", 0)                               \
  X(MODEL_RETRIES, "3", 0)                                      \
  X(ENHANCE_PROVIDER, "none", 0)                                \
  X(ENHANCE_MODEL, "@cf/meta/llama-3.1-8b-instruct", 0)         \
  X(ENHANCE_URL, "", 0)                                         \
  X(ENHANCE_API_KEY, "", 0)                                     \
  X(ENHANCE_TIMEOUT_MS, "8000", 0)                              \
  X(THUMBNAIL_PREMIUM_MODEL, "flux", 0)                         \
  X(THUMBNAIL_PREMIUM_COST, "3", 0)                             \
  X(THUMBNAIL_PRO_MODEL, "sdxl", 0)                             \
  X(THUMBNAIL_PRO_COST, "6", 0)                                 \
  X(THUMBNAIL_LLM_PROVIDER, "none", 0)                          \
  X(THUMBNAIL_LLM_MODEL, "@cf/meta/llama-3.1-8b-instruct", 0)   \
  X(THUMBNAIL_LLM_URL, "", 0)                                   \
  X(THUMBNAIL_LLM_TIMEOUT_MS, "4000", 0)                        \
  X(FAL_API_BASE, "https://queue.fal.run", 0)                   \
  X(FAL_KEY, "", 16)                                            \
  X(PUBLIC_BASE_URL, "", 0)                                     \
  X(ASYNC_POLL_MS, "2000", 0)                                   \
  X(ASYNC_POLL_MAX_MS, "30000", 0)

enum class Setting {
#define CONFIG_X(name, def, min) name,
  CONFIG_SETTINGS(CONFIG_X)
#undef CONFIG_X
      Count
};

const char* settingName(Setting s);

// Loads settings from the JSON object the host passes at init (strings only).
void load(std::string_view envJson);

// The value, or the default when unset or empty.
std::string_view get(Setting s);
int64_t getInt(Setting s, int64_t fallback);
bool getBool(Setting s);

// Empty when the secret is usable; otherwise the reason, which names the setting and never shows
// its value ("TELEGRAM_BOT_TOKEN is not set", "... is a placeholder", "... is shorter than 20").
std::string secretProblem(Setting s);

// True when `value` is a placeholder such as "", "changeme", "your-token-here", "xxx", "<...>".
bool isPlaceholder(std::string_view value);

// The token of an `Authorization: Bearer <token>` header; empty when the header is not one.
std::string_view bearerToken(std::string_view authorizationHeader);

// Compares secrets in time independent of where they differ.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace config
