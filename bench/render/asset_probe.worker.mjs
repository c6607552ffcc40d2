// A Worker that only fetches one static asset through its ASSETS binding and answers its length
// (bench/render/scripts.mjs): what the assets server and the binding cost without the render
// module. GET /?name=fonts/cjk-han.otf&read=buffer|stream -> { bytes, head_ms, body_ms, chunks }.
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const name = url.searchParams.get('name') ?? '';
    if (!/^fonts\/[a-z0-9-]+\.(otf|ttf)$/.test(name)) return Response.json({ error: 'name' }, { status: 400 });
    const t0 = Date.now();
    const res = await env.ASSETS.fetch(new Request(`https://assets.local/${name}`));
    const t1 = Date.now();
    if (!res.ok) return Response.json({ error: `status ${res.status}` }, { status: 502 });
    let bytes = 0;
    let chunks = 0;
    if (url.searchParams.get('read') === 'stream') {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        chunks++;
      }
    } else {
      bytes = (await res.arrayBuffer()).byteLength;
    }
    return Response.json({ bytes, chunks, head_ms: t1 - t0, body_ms: Date.now() - t1 });
  },
};
