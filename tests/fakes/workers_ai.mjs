// A fake of the Workers AI binding's image models, reached through the host's test-only
// forwarding (host/bindings.mjs fakeAiBinding: ENABLE_DIAGNOSTICS + AI_FAKE_URL), so a test sees
// exactly what the Worker would hand env.AI.run(model, inputs). It checks the documented formats
// and answers like the binding does:
//   .../stable-diffusion-v1-5-img2img, ...-inpainting (JSON inputs): prompt (string, required),
//     image_b64 (base64 of a JPEG/PNG) or image (array of bytes), strength in [0, 1],
//     num_steps <= 20, mask (array) for inpainting; answers PNG bytes (a stream)
//   .../flux-2-* (multipart form data, even for a prompt alone): prompt (required), width,
//     height, steps, seed as text fields, input_image_0..input_image_3 as image files; answers
//     JSON {"image": base64 PNG}
//   anything else (JSON inputs): a text-to-image model; answers {"image": base64 PNG}
// A format error answers 400 {"errors": [...]}, as the REST API does. Markers in the prompt:
//   [ai-fail] 500 every time   [ai-slow:MS] answer after MS ms
// Every call is recorded in `calls`: {model, format: 'json'|'multipart', fields, files}.
import { createServer } from 'node:http';
import { makePng } from './models.mjs';

const isImage = (b) => (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0x89 && b[1] === 0x50);

export async function startFakeWorkersAi() {
  const calls = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks);
    const model = decodeURIComponent(req.url.replace(/^\/ai\/run\//, ''));
    const type = req.headers['content-type'] ?? '';
    const call = { model, format: type.startsWith('multipart/') ? 'multipart' : 'json', fields: {}, files: [] };
    const errors = [];
    if (call.format === 'multipart') {
      const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': type }, body }).formData();
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') call.fields[k] = v;
        else call.files.push({ name: k, type: v.type, bytes: Buffer.from(await v.arrayBuffer()) });
      }
    } else {
      try { call.fields = JSON.parse(body.toString('utf8')); } catch { errors.push('inputs are not JSON'); }
    }
    calls.push(call);
    const f = call.fields;
    const prompt = typeof f.prompt === 'string' ? f.prompt : '';
    if (!prompt) errors.push('prompt is required');
    if (/flux-2/.test(model)) {
      if (call.format !== 'multipart') errors.push(`${model} takes multipart form data`);
      if (call.files.length > 4) errors.push('at most 4 input images');
      call.files.forEach((file, i) => {
        if (file.name !== `input_image_${i}`) errors.push(`unexpected file field ${file.name}`);
        if (!/^image\/(jpeg|png)$/.test(file.type) || !isImage(file.bytes)) errors.push(`${file.name} is not a JPEG or PNG`);
      });
    } else if (/img2img|inpainting/.test(model)) {
      if (call.format !== 'json') errors.push(`${model} takes JSON inputs`);
      const img = f.image_b64 !== undefined ? Buffer.from(String(f.image_b64), 'base64') : Array.isArray(f.image) ? Buffer.from(f.image) : null;
      if (!img || !isImage(img)) errors.push('image_b64 (or image) must be a JPEG or PNG');
      if (f.strength !== undefined && !(f.strength >= 0 && f.strength <= 1)) errors.push('strength must be in [0, 1]');
      if (f.num_steps !== undefined && !(f.num_steps >= 1 && f.num_steps <= 20)) errors.push('num_steps must be at most 20');
      if (/inpainting/.test(model) && !Array.isArray(f.mask)) errors.push('mask is required');
      call.image = img;
    }
    const slow = /\[ai-slow:(\d+)\]/.exec(prompt);
    if (slow) await new Promise((r) => setTimeout(r, Number(slow[1])));
    if (prompt.includes('[ai-fail]')) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'internal error' }] }));
      return;
    }
    if (errors.length) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: errors.map((message) => ({ message })) }));
      return;
    }
    // The colour says how many photos the model got: 0 -> blue, 1 -> green, 2+ -> red.
    const n = call.files.length + (call.image ? 1 : 0);
    const png = makePng(64, 64, n === 0 ? [30, 60, 220] : n === 1 ? [30, 200, 60] : [220, 40, 40]);
    if (/img2img|inpainting/.test(model)) {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(png);
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ image: png.toString('base64') }));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    reset() { calls.length = 0; },
    stop: () => new Promise((r) => server.close(r)),
  };
}
