// A local fake of the YooKassa API v3 (https://yookassa.ru/developers/api) for tests.
// POST /v3/payments creates a pending payment with a redirect confirmation_url; GET
// /v3/payments/{id} returns what the test set. Like the real API it requires HTTP basic auth
// (shop id : secret key), answering 401 otherwise, and an Idempotence-Key header on POST, answering
// 400 without one and the same payment again for a repeated key.
//
//   const yk = await startFakeYookassa({ shopId: '123456', secretKey: 'test_secret...' });
//   yk.setPayment('pay-1', { status: 'succeeded', amount: '99.00', metadata: { user_id: '7', pack: 'r100' } });
//   yk.calls   // [{ method, path, headers, body }]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

export async function startFakeYookassa({ shopId, secretKey }) {
  const calls = [];
  const payments = new Map(); // id -> payment object
  const byKey = new Map(); // Idempotence-Key -> payment id
  const expectedAuth = `Basic ${Buffer.from(`${shopId}:${secretKey}`).toString('base64')}`;

  const error = (code, description) => ({ type: 'error', id: randomUUID(), code, description });

  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url, 'http://fake');
    const call = { method: req.method, path: url.pathname, headers: req.headers, body: raw };
    calls.push(call);
    const send = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.headers.authorization !== expectedAuth) {
      return send(401, error('invalid_credentials', 'Login or password is incorrect'));
    }
    if (req.method === 'POST' && url.pathname === '/v3/payments') {
      const key = req.headers['idempotence-key'];
      if (!key) return send(400, error('invalid_request', 'Idempotence key is missing'));
      if (byKey.has(key)) return send(200, payments.get(byKey.get(key)));
      let body;
      try {
        body = JSON.parse(raw);
      } catch {
        return send(400, error('invalid_request', 'Malformed JSON'));
      }
      if (!body.amount?.value || !body.amount?.currency || body.confirmation?.type !== 'redirect') {
        return send(400, error('invalid_request', 'amount and a redirect confirmation are required'));
      }
      const id = randomUUID();
      const payment = {
        id,
        status: 'pending',
        paid: false,
        amount: body.amount,
        description: body.description,
        metadata: body.metadata ?? {},
        confirmation: { type: 'redirect', confirmation_url: `https://yoomoney.ru/checkout/payments/v2/contract?orderId=${id}` },
        created_at: new Date().toISOString(),
        test: true,
        refundable: false,
        recipient: { account_id: shopId, gateway_id: '1' },
      };
      payments.set(id, payment);
      byKey.set(key, id);
      return send(200, payment);
    }
    const get = /^\/v3\/payments\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get) {
      const p = payments.get(decodeURIComponent(get[1]));
      if (!p) return send(404, error('not_found', 'Payment not found'));
      return send(200, p);
    }
    return send(404, error('not_found', 'Unknown endpoint'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    payments,
    // Sets (or changes) what GET /v3/payments/{id} answers: { status, amount: '99.00',
    // currency: 'RUB', metadata, refunded }.
    setPayment(id, { status = 'succeeded', amount = '99.00', currency = 'RUB', metadata, refunded } = {}) {
      const p = payments.get(id) ?? { id, created_at: new Date().toISOString(), test: true };
      Object.assign(p, { status, paid: status === 'succeeded' || status === 'waiting_for_capture',
        amount: { value: amount, currency }, metadata: metadata ?? p.metadata ?? {} });
      if (status === 'succeeded') p.captured_at = new Date().toISOString();
      if (refunded) p.refunded_amount = { value: refunded, currency };
      payments.set(id, p);
      return p;
    },
    // The body YooKassa POSTs to the notification URL.
    notification(event, object) {
      return { type: 'notification', event, object };
    },
    async stop() {
      await new Promise((r) => server.close(r));
    },
  };
}
