// A local fake of the YooKassa API v3 (https://yookassa.ru/developers/api) for tests.
// POST /v3/payments creates a pending payment with a redirect confirmation_url; GET
// /v3/payments/{id} returns what the test set; GET /v3/refunds/{id} returns a refund the test made
// (404 for any other id) and GET /v3/refunds lists them (status, payment_id, created_at filters,
// limit, cursor); a succeeded refund counts in its payment's refunded_amount, as at YooKassa. Like
// the real API it requires HTTP basic auth (shop id : secret key), answering 401 otherwise, and an
// Idempotence-Key header on POST, answering 400 without one and the same payment again for a
// repeated key. failNext makes the next matching requests fail with a 5xx.
//
//   const yk = await startFakeYookassa({ shopId: '123456', secretKey: 'test_secret...' });
//   yk.setPayment('pay-1', { status: 'succeeded', amount: '99.00', metadata: { user_id: '7', pack: 'r100' } });
//   yk.refund('pay-1', { id: 'rf-1', amount: '99.00' });   // refunded_amount 99.00
//   yk.failNext('GET', '/v3/payments/', 500);
//   yk.calls   // [{ method, path, headers, body }]
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

export async function startFakeYookassa({ shopId, secretKey }) {
  const calls = [];
  const payments = new Map(); // id -> payment object
  const refunds = new Map(); // id -> refund object
  const failures = []; // { method, prefix, status, times }
  const minor = (v) => Math.round(Number(v) * 100);
  const money = (kopecks) => (kopecks / 100).toFixed(2);
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
    const failure = failures.find((f) => f.times > 0 && f.method === req.method && url.pathname.startsWith(f.prefix));
    if (failure) {
      failure.times--;
      call.failed = failure.status;
      return send(failure.status, error('internal_server_error', 'Internal server error'));
    }
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
    if (req.method === 'GET' && url.pathname === '/v3/refunds') {
      // The list, newest first, with the documented filters and an opaque cursor.
      const q = url.searchParams;
      const limit = Number(q.get('limit') ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) return send(400, error('invalid_request', 'limit'));
      const at = (name) => (q.has(name) ? Date.parse(q.get(name)) : null);
      const bounds = { gte: at('created_at.gte'), gt: at('created_at.gt'), lte: at('created_at.lte'), lt: at('created_at.lt') };
      if (Object.values(bounds).some((b) => Number.isNaN(b))) return send(400, error('invalid_request', 'created_at'));
      const items = [...refunds.values()].filter((r) => {
        const t = Date.parse(r.created_at);
        return (!q.has('status') || r.status === q.get('status'))
          && (!q.has('payment_id') || r.payment_id === q.get('payment_id'))
          && (bounds.gte === null || t >= bounds.gte) && (bounds.gt === null || t > bounds.gt)
          && (bounds.lte === null || t <= bounds.lte) && (bounds.lt === null || t < bounds.lt);
      }).sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
      const from = q.has('cursor') ? Number(q.get('cursor').replace(/^c-/, '')) : 0;
      const page = items.slice(from, from + limit);
      const body = { type: 'list', items: page };
      if (from + limit < items.length) body.next_cursor = `c-${from + limit}`;
      return send(200, body);
    }
    const refund = /^\/v3\/refunds\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && refund) {
      const r = refunds.get(decodeURIComponent(refund[1]));
      if (!r) return send(404, error('not_found', 'Refund not found'));
      return send(200, r);
    }
    return send(404, error('not_found', 'Unknown endpoint'));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    payments,
    refunds,
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
    // Makes (or changes) refund `id` of payment `paymentId`, as GET /v3/refunds/{id} answers it:
    // { id, amount: '99.00', status: 'succeeded' | 'pending' | 'canceled' }. The payment's
    // refunded_amount becomes the sum of its succeeded refunds.
    refund(paymentId, { id, amount, status = 'succeeded', currency = 'RUB' }) {
      const p = payments.get(paymentId);
      if (!p) throw new Error(`no payment ${paymentId}`);
      const r = refunds.get(id) ?? { id, payment_id: paymentId, created_at: new Date().toISOString() };
      Object.assign(r, { status, amount: { value: amount, currency } });
      refunds.set(id, r);
      const total = [...refunds.values()]
        .filter((x) => x.payment_id === paymentId && x.status === 'succeeded')
        .reduce((sum, x) => sum + minor(x.amount.value), 0);
      if (total > 0) p.refunded_amount = { value: money(total), currency: p.amount?.currency ?? currency };
      return r;
    },
    // The next `times` requests with this method and a path starting with `prefix` get `status`.
    failNext(method, prefix, status = 500, times = 1) {
      failures.push({ method, prefix, status, times });
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
