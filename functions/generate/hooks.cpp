#include "hooks.h"

#include <string>

#include "shared/clients.h"
#include "shared/generation.h"
#include "shared/host.h"

namespace gen {

fn::Response providerHook(const fn::Request& req) {
  if (req.method != "POST") return fn::Response::error(405, "use POST");
  constexpr std::string_view kPrefix = "/hooks/fal/";
  std::string_view rest = std::string_view(req.path);
  if (rest.substr(0, kPrefix.size()) != kPrefix) return fn::Response::error(404, "no such route");
  rest.remove_prefix(kPrefix.size());
  int64_t id = 0;
  if (rest.empty() || rest.size() > 18) return fn::Response::error(404, "no such generation");
  for (char c : rest) {
    if (c < '0' || c > '9') return fn::Response::error(404, "no such generation");
    id = id * 10 + (c - '0');
  }
  // The secret is 32 hex characters (queue/async_jobs.h); anything else is refused before any
  // lookup.
  const std::string secret = req.queryParam("s");
  bool hex = secret.size() == 32;
  for (char c : secret) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  if (!hex) return fn::Response::error(403, "forbidden");
  Result<std::optional<generation::Public>> found = generation::publicStatus(id);
  if (!found) return fn::Response::error(503, "storage unavailable, retry later");
  if (!*found) return fn::Response::error(404, "no such generation");
  const generation::Public& g = **found;
  if (g.status != "processing" && g.status != "queued") {
    return fn::Response::json(200, R"({"ok":true,"ignored":"the generation has ended"})");
  }
  Result<clients::Answer> a = clients::object(
      "MODEL_QUEUE", g.model, "POST", "/hook?id=" + std::to_string(id) + "&s=" + secret, req.body);
  if (!a) return fn::Response::error(503, "queue unavailable, retry later");
  return fn::Response::json(a->status, a->text());
}

}  // namespace gen
