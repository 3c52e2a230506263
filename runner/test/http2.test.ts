// HTTP/2 over TLS: negotiated in ALPN as Go's transport does, one session per VU and origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Http1Client, type Cancel, type RequestOptions } from '../modules/http1.ts';
import { HttpClient, type WireRequest } from '../modules/http-host.ts';
import { requestContext } from './request-context.ts';
import { mapError } from '../modules/errors.ts';

const dir = new URL('./fixtures/', import.meta.url);
const tlsFiles = {
  key: readFileSync(new URL('localhost-key.pem', dir)),
  cert: readFileSync(new URL('localhost-cert.pem', dir)),
};

async function h2Server(
  handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
): Promise<{ url: string; sessions: () => number; push: boolean[]; close: () => Promise<void> }> {
  const server = http2.createSecureServer({ ...tlsFiles, allowHTTP1: true }, handler);
  let sessions = 0;
  const open = new Set<http2.ServerHttp2Session>();
  const push: boolean[] = [];
  server.on('session', (s) => {
    s.on('remoteSettings', (st) => push.push(st.enablePush !== false));
    sessions++;
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://localhost:${(server.address() as AddressInfo).port}`,
    sessions: () => sessions,
    push,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

function get(url: string, extra: Partial<RequestOptions> = {}): RequestOptions {
  const u = new URL(url);
  return {
    method: 'GET',
    url: u,
    headers: { host: u.host, 'user-agent': 'test' },
    body: undefined,
    timeout: 5000,
    ...extra,
  };
}

test('a server that offers h2 gets HTTP/2.0: status, headers, body, and one session reused per scope', async () => {
  const srv = await h2Server((req, res) => {
    res.setHeader('x-proto', req.httpVersion);
    res.setHeader('set-cookie', ['a=1', 'b=2']);
    res.end(`hello ${req.url}`);
  });
  const client = new Http1Client({ rejectUnauthorized: false });
  const vu1 = {};
  const vu2 = {};
  try {
    const first = await client.request(get(`${srv.url}/one`, { scope: vu1 }));
    assert.equal(first.error, null);
    assert.equal(first.proto, 'HTTP/2.0');
    assert.equal(first.status, 200);
    assert.equal(first.body.toString(), 'hello /one');
    const h = first.headers;
    assert.equal(h[h.indexOf('x-proto') + 1], '2.0');
    assert.deepEqual(
      h.filter((_, i) => h[i - 1] === 'set-cookie'),
      ['a=1', 'b=2'],
    );
    assert.ok(first.fresh && first.conn!.tls > 0 && first.conn!.tlsVersion === 'tls1.3');
    assert.ok(first.bytesIn > 0 && first.bytesOut > 0);
    assert.ok(
      first.sentAt >= first.connectedAt && first.firstByte >= first.sentAt && first.end >= first.firstByte,
    );

    // Concurrent requests of one scope share its session; another scope gets its own.
    const same = await Promise.all(
      [1, 2, 3].map((i) => client.request(get(`${srv.url}/${i}`, { scope: vu1 }))),
    );
    assert.deepEqual(
      same.map((e) => e.body.toString()),
      ['hello /1', 'hello /2', 'hello /3'],
    );
    assert.ok(same.every((e) => !e.fresh && e.proto === 'HTTP/2.0'));
    assert.equal(srv.sessions(), 1);
    const other = await client.request(get(`${srv.url}/two`, { scope: vu2 }));
    assert.ok(other.fresh);
    assert.equal(srv.sessions(), 2);
    // Like Go's transport, the client turns server push off.
    assert.deepEqual(srv.push, [false, false]);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a POST body reaches the server over h2; a server offering only http/1.1 keeps HTTP/1.1', async () => {
  const srv = await h2Server((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => res.end(`${req.method} ${req.headers['content-length']} ${body}`));
  });
  const h1 = https.createServer(tlsFiles, (_q, s) => s.end('h1'));
  await new Promise<void>((r) => h1.listen(0, '127.0.0.1', r));
  const client = new Http1Client({ rejectUnauthorized: false });
  try {
    const post = await client.request({
      ...get(`${srv.url}/p`),
      method: 'POST',
      body: Buffer.from('{"a":1}'),
    });
    assert.equal(post.body.toString(), 'POST 7 {"a":1}');
    assert.ok(post.bytesOut > 7);
    const old = await client.request(get(`https://localhost:${(h1.address() as AddressInfo).port}/`));
    assert.equal(old.error, null);
    assert.equal(old.proto, 'HTTP/1.1');
    assert.equal(old.body.toString(), 'h1');
  } finally {
    await client.close();
    await srv.close();
    h1.closeAllConnections();
    h1.close();
  }
});

test('a stream reset, a GOAWAY, a timeout and a cancel end only their request, with k6 error codes', async () => {
  const srv = await h2Server((req, res) => {
    if (req.url === '/reset') req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else if (req.url === '/goaway') req.stream.session!.goaway(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, 0);
    else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000).unref();
    else res.end('ok');
  });
  const client = new Http1Client({ rejectUnauthorized: false });
  try {
    const reset = await client.request(get(`${srv.url}/reset`));
    const r = mapError(reset.error, new URL(srv.url));
    assert.equal(r.code, 1633);
    assert.match(r.message, /^stream error: stream ID \d+; INTERNAL_ERROR; received from peer$/);
    // The session outlives a reset stream.
    assert.equal((await client.request(get(`${srv.url}/`))).body.toString(), 'ok');

    const timedOut = await client.request(get(`${srv.url}/slow`, { timeout: 200 }));
    assert.equal(mapError(timedOut.error, null).code, 1050);
    let cancel: Cancel | null = null;
    const pending = client.request(get(`${srv.url}/slow`), (c) => (cancel ??= c));
    await new Promise((r) => setTimeout(r, 50));
    cancel!(new Error('interrupted'));
    const cancelled = await pending;
    assert.equal((cancelled.error as { cancelled?: boolean }).cancelled, true);
    assert.equal((await client.request(get(`${srv.url}/`))).body.toString(), 'ok');

    const away = await client.request(get(`${srv.url}/goaway`, { scope: {} }));
    const g = mapError(away.error, null);
    assert.equal(g.code, 1622);
    assert.match(g.message, /GOAWAY.*ErrCode=ENHANCE_YOUR_CALM/);
    // The next request of that origin opens a new session.
    assert.equal((await client.request(get(`${srv.url}/`))).body.toString(), 'ok');
  } finally {
    await client.close();
    await srv.close();
  }
});

test('k6/http over h2: Response.proto and the proto tag are HTTP/2.0, cookies reach the jar', async () => {
  const srv = await h2Server((req, res) => {
    res.setHeader('set-cookie', 'sid=42');
    res.end(String(req.headers.cookie ?? 'none'));
  });
  const client = new HttpClient({ insecureSkipTLSVerify: true });
  const { ctx, samples } = requestContext();
  const wire: WireRequest = {
    method: 'GET',
    url: `${srv.url}/c`,
    headers: {},
    tags: { scenario: 'default', group: '' },
    expected: [[200, 399]],
  };
  try {
    const [first] = await client.send([wire], ctx);
    assert.equal(first.proto, 'HTTP/2.0');
    assert.equal(first.status, 200);
    assert.equal(first.body, 'none');
    assert.equal(first.headers['Set-Cookie'], 'sid=42');
    const [second] = await client.send([wire], ctx);
    assert.equal(second.body, 'sid=42');
    const reqs = samples.filter((s) => s.metric === 'http_reqs');
    assert.equal(reqs.length, 2);
    assert.ok(reqs.every((s) => s.tags.proto === 'HTTP/2.0'));
    assert.ok(ctx.bytes.received > 0 && ctx.bytes.sent > 0);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('GODEBUG=http2client=0 keeps TLS connections on HTTP/1.1, as it does for Go and k6', async () => {
  const srv = await h2Server((req, res) => res.end(req.httpVersion));
  const http1 = new URL('../modules/http1.ts', import.meta.url).href;
  const code = `
    const { Http1Client } = await import(${JSON.stringify(http1)});
    const c = new Http1Client({ rejectUnauthorized: false });
    const u = new URL(process.env.TARGET);
    const ex = await c.request({ method: 'GET', url: u, headers: { host: u.host }, body: undefined, timeout: 5000 });
    process.stdout.write(ex.proto + ' ' + ex.body.toString());
    await c.close();`;
  try {
    for (const [godebug, want] of [
      ['http2client=0', 'HTTP/1.1 1.1'],
      ['x509sha1=1', 'HTTP/2.0 2.0'],
    ]) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        env: { ...process.env, GODEBUG: godebug, TARGET: `${srv.url}/` },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      await once(child, 'exit');
      assert.equal(out, want, `GODEBUG=${godebug}`);
    }
  } finally {
    await srv.close();
  }
});
