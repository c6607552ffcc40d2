#!/usr/bin/env bash
# Real deployment to your Cloudflare account. Needs `wrangler login` (or CLOUDFLARE_API_TOKEN),
# the secrets set with `wrangler secret put`, and for the Telegram webhook: TELEGRAM_BOT_TOKEN,
# WEBHOOK_SECRET and WORKER_URL (https://<name>.<subdomain>.workers.dev) in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
W="npx --no-install wrangler"

if grep -q '^database_id = "00000000-0000-0000-0000-000000000000"' wrangler.toml; then
  cat >&2 <<'MSG'
wrangler.toml still has the placeholder D1 database id. Create the database and bucket once:
  npx wrangler d1 create codeimage        # copy the printed database_id into wrangler.toml
  npx wrangler r2 bucket create codeimage
and set the secrets:
  npx wrangler secret put TELEGRAM_BOT_TOKEN
  npx wrangler secret put WEBHOOK_SECRET
then run `make deploy` again.
MSG
  exit 1
fi

$W d1 migrations apply DB --remote
out=$(mktemp)
$W deploy | tee "$out"
# The deployed URL: WORKER_URL when given, else the workers.dev address wrangler printed.
WORKER_URL="${WORKER_URL:-$(grep -oE 'https://[A-Za-z0-9.-]+\.workers\.dev' "$out" | head -1 || true)}"
rm -f "$out"

if [ -n "${TELEGRAM_BOT_TOKEN:-}" ] && [ -n "${WEBHOOK_SECRET:-}" ] && [ -n "${WORKER_URL:-}" ]; then
  echo "Setting the Telegram webhook to ${WORKER_URL}/telegram"
  curl -sS "https://api.telegram.org/bot${TELEGRAM_BOT_TOKEN}/setWebhook" \
    --data-urlencode "url=${WORKER_URL}/telegram" \
    --data-urlencode "secret_token=${WEBHOOK_SECRET}" \
    --data-urlencode 'allowed_updates=["message","edited_message","callback_query","pre_checkout_query","my_chat_member"]' \
    -o /dev/null -w 'setWebhook: HTTP %{http_code}\n'
  curl -sS -X POST -H "x-telegram-bot-api-secret-token: ${WEBHOOK_SECRET}" "${WORKER_URL}/telegram/setup"
  echo
else
  echo "Skipping setWebhook: set TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET and WORKER_URL to register it."
fi

# The deployment is checked before anyone relies on it (make smoke URL=... runs the same probe).
if [ -n "${WORKER_URL:-}" ]; then
  node scripts/smoke.mjs "$WORKER_URL"
else
  echo "No workers.dev URL found in wrangler's output: run make smoke URL=https://<your worker> yourself." >&2
  exit 1
fi
