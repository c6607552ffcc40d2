#include "payments_core.h"

#include <cstdio>

#include "command.h"
#include "shared/json.h"

namespace webhook::pay {
namespace {

template <typename Pack, typename Fill>
std::vector<Pack> parsePacks(std::string_view text, Fill fill) {
  std::vector<Pack> out;
  simdjson::dom::parser parser;
  json::Array arr;
  if (parser.parse(text.data(), text.size()).get(arr) != simdjson::SUCCESS) return out;
  for (auto el : arr) {
    json::Object o;
    if (el.get(o) != simdjson::SUCCESS) continue;
    Pack p;
    p.id = std::string(json::getString(o, "id").value_or(""));
    p.title = std::string(json::getString(o, "title").value_or(""));
    p.credits = json::getInt(o, "credits").value_or(0);
    if (!isSafeId(p.id) || p.credits <= 0 || !fill(o, p)) continue;
    out.push_back(std::move(p));
  }
  return out;
}

struct V4Range {
  uint32_t base;
  int bits;
};
constexpr uint32_t v4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  return a << 24 | b << 16 | c << 8 | d;
}
constexpr V4Range kYookassaV4[] = {
    {v4(185, 71, 76, 0), 27},  {v4(185, 71, 77, 0), 27},  {v4(77, 75, 153, 0), 25},
    {v4(77, 75, 156, 11), 32}, {v4(77, 75, 156, 35), 32}, {v4(77, 75, 154, 128), 25},
};

std::optional<uint32_t> parseV4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  for (;;) {
    size_t dot = s.find('.', i);
    std::string_view part = s.substr(i, dot == std::string_view::npos ? s.npos : dot - i);
    int64_t n;
    if (++parts > 4 || part.size() > 3 || !parseId(part, n) || n > 255) return std::nullopt;
    out = out << 8 | uint32_t(n);
    if (dot == std::string_view::npos) break;
    i = dot + 1;
  }
  if (parts != 4) return std::nullopt;
  return out;
}

std::optional<uint32_t> parseHexGroup(std::string_view g) {
  if (g.empty() || g.size() > 4) return std::nullopt;
  uint32_t v = 0;
  for (char ch : g) {
    int d = ch >= '0' && ch <= '9'   ? ch - '0'
            : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                     : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | uint32_t(d);
  }
  return v;
}

}  // namespace

bool isSafeId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.';
    if (!ok) return false;
  }
  return true;
}

std::vector<StarPack> parseStarPacks(std::string_view text) {
  return parsePacks<StarPack>(text, [](const json::Object& o, StarPack& p) {
    p.stars = json::getInt(o, "stars").value_or(0);
    return p.stars > 0;
  });
}

std::vector<MoneyPack> parseMoneyPacks(std::string_view text) {
  return parsePacks<MoneyPack>(text, [](const json::Object& o, MoneyPack& p) {
    // "99.00" as YooKassa writes it, or a plain number.
    if (auto s = json::getString(o, "amount")) {
      p.amountMinor = parseMinorUnits(*s).value_or(0);
    } else if (auto n = json::getInt(o, "amount")) {
      p.amountMinor = *n > 0 && *n < 1000000000 ? *n * 100 : 0;
    }
    return p.amountMinor > 0;
  });
}

const StarPack* findStarPack(const std::vector<StarPack>& packs, std::string_view id) {
  for (const auto& p : packs) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

const MoneyPack* findMoneyPack(const std::vector<MoneyPack>& packs, std::string_view id) {
  for (const auto& p : packs) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

std::optional<int64_t> parseMinorUnits(std::string_view value) {
  size_t dot = value.find('.');
  std::string_view whole = value.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? "" : value.substr(dot + 1);
  int64_t w = 0, f = 0;
  if (whole.size() > 12 || !parseId(whole, w)) return std::nullopt;
  if (dot != std::string_view::npos) {
    if (frac.empty() || frac.size() > 2 || !parseId(frac, f)) return std::nullopt;
    if (frac.size() == 1) f *= 10;
  }
  return w * 100 + f;
}

std::string formatMinorUnits(int64_t minor) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld.%02lld", (long long)(minor / 100), (long long)(minor % 100));
  return buf;
}

int64_t netCredits(int64_t credits, int64_t amountMinor, int64_t refundedMinor) {
  if (credits <= 0 || amountMinor <= 0 || refundedMinor < 0 || refundedMinor >= amountMinor) {
    return 0;
  }
  // Both factors stay far below 2^63: credits and kopecks of one payment.
  return credits * (amountMinor - refundedMinor) / amountMinor;
}

std::string isoTime(double ms) {
  int64_t total = ms > 0 ? int64_t(ms) : 0;
  int64_t days = total / 86400000, rem = total % 86400000;
  // Howard Hinnant's civil_from_days.
  int64_t z = days + 719468, era = z / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) y++;
  char buf[40];
  snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", (long long)y,
           (long long)m, (long long)d, (long long)(rem / 3600000), (long long)(rem / 60000 % 60),
           (long long)(rem / 1000 % 60), (long long)(rem % 1000));
  return buf;
}

std::string starPayload(int64_t userId, const StarPack& pack) {
  return "stars:" + std::to_string(userId) + ":" + pack.id + ":" + std::to_string(pack.credits);
}

std::optional<StarPayload> parseStarPayload(std::string_view s) {
  constexpr std::string_view kPrefix = "stars:";
  if (s.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  s.remove_prefix(kPrefix.size());
  size_t a = s.find(':');
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = s.find(':', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  StarPayload p;
  p.pack = std::string(s.substr(a + 1, b - a - 1));
  if (!parseId(s.substr(0, a), p.userId) || p.userId <= 0 || !isSafeId(p.pack) ||
      !parseId(s.substr(b + 1), p.credits) || p.credits <= 0) {
    return std::nullopt;
  }
  return p;
}

bool isAdmin(std::string_view ids, int64_t userId) {
  if (userId <= 0) return false;
  while (!ids.empty()) {
    size_t comma = ids.find(',');
    std::string_view one = ids.substr(0, comma);
    while (!one.empty() && one.front() == ' ') one.remove_prefix(1);
    while (!one.empty() && one.back() == ' ') one.remove_suffix(1);
    int64_t id;
    if (parseId(one, id) && id == userId) return true;
    if (comma == std::string_view::npos) break;
    ids.remove_prefix(comma + 1);
  }
  return false;
}

bool isYookassaAddress(std::string_view ip) {
  if (auto a = parseV4(ip)) {
    for (const V4Range& r : kYookassaV4) {
      uint32_t mask = r.bits == 32 ? 0xffffffffu : ~(0xffffffffu >> r.bits);
      if ((*a & mask) == (r.base & mask)) return true;
    }
    return false;
  }
  // IPv6: 2a02:5180::/32 is the first two groups; "::" before them would make them zero.
  size_t c1 = ip.find(':');
  if (c1 == std::string_view::npos) return false;
  size_t c2 = ip.find(':', c1 + 1);
  if (c2 == std::string_view::npos) return false;
  auto g1 = parseHexGroup(ip.substr(0, c1));
  auto g2 = parseHexGroup(ip.substr(c1 + 1, c2 - c1 - 1));
  if (!g1 || !g2 || *g1 != 0x2a02 || *g2 != 0x5180) return false;
  // The rest must at least look like an IPv6 address.
  for (char ch : ip.substr(c2)) {
    if (!(ch == ':' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
          (ch >= 'A' && ch <= 'F'))) {
      return false;
    }
  }
  return true;
}

}  // namespace webhook::pay
