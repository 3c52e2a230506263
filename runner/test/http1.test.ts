// The HTTP/1.1 client under k6/http, against raw sockets that answer exactly as each case needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import tls from 'node:tls';
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Http1Client, type Cancel, type Exchange, type RequestOptions } from '../modules/http1.ts';
import { HostOverrides } from '../modules/hosts.ts';
import { TLSOptions } from '../modules/tls-options.ts';

/** A TCP server that answers each request head it reads with `reply(head, socketIndex)`. */
async function rawServer(
  reply: (head: string, conn: number, socket: net.Socket) => string | Buffer | null,
): Promise<{ url: string; connections: () => number; heads: string[]; close: () => Promise<void> }> {
  let conns = 0;
  const heads: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const id = conns++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let at = buf.indexOf('\r\n\r\n'); at >= 0; at = buf.indexOf('\r\n\r\n')) {
        const head = buf.slice(0, at);
        const len = /content-length: (\d+)/i.exec(head);
        const total = at + 4 + (len ? Number(len[1]) : 0);
        if (buf.length < total) return;
        heads.push(buf.slice(0, total));
        buf = buf.slice(total);
        const out = reply(head, id, socket);
        if (out !== null) socket.write(out);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => conns,
    heads,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function get(url: string, extra: Partial<RequestOptions> = {}): RequestOptions {
  return { method: 'GET', url: new URL(url), headers: {}, body: undefined, timeout: 5000, ...extra };
}

const ok = (body: string, more = '') =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${more}\r\n${body}`;

test('keep-alive: sequential requests share one connection; the head goes out as undici wrote it', async () => {
  const srv = await rawServer(() => ok('hello'));
  const client = new Http1Client();
  try {
    const a = await client.request(get(`${srv.url}/a?x=1`, { headers: { 'user-agent': 'k6' } }));
    const b = await client.request(get(`${srv.url}/b`));
    assert.equal(a.error, null);
    assert.equal(a.status, 200);
    assert.equal(a.statusText, 'OK');
    assert.deepEqual(a.headers, ['Content-Length', '5']);
    assert.equal(a.body.toString(), 'hello');
    assert.equal(srv.connections(), 1);
    assert.ok(a.fresh && !b.fresh, 'only the first request is timed as a new connection');
    assert.ok(a.conn!.connecting > 0 && a.conn!.remoteAddress === '127.0.0.1');
    const port = new URL(srv.url).port;
    assert.equal(
      srv.heads[0],
      `GET /a?x=1 HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: keep-alive\r\nuser-agent: k6\r\n\r\n`,
    );
    assert.equal(a.bytesOut, srv.heads[0].length);
    assert.equal(a.bytesIn, ok('hello').length, 'bytes in are counted on the wire');
    assert.ok(a.start <= a.connectedAt && a.connectedAt <= a.sentAt && a.sentAt <= a.firstByte);
    assert.ok(a.firstByte <= a.end);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a request made while the thread is busy leaves at the end of the turn; the wait is before sending', async () => {
  const srv = await rawServer(() => ok('hello'));
  const client = new Http1Client();
  try {
    await client.request(get(`${srv.url}/warm`));
    const pending = client.request(get(`${srv.url}/b`));
    const busyUntil = performance.now() + 40;
    while (performance.now() < busyUntil);
    const b = await pending;
    assert.equal(b.error, null);
    assert.ok(
      b.connectedAt - b.start >= 39,
      `left ${(b.connectedAt - b.start).toFixed(1)} ms after the call`,
    );
    assert.ok(b.end - b.sentAt < 39, `the exchange itself took ${(b.end - b.sentAt).toFixed(1)} ms`);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('bodies: chunked (split anywhere), until close, HEAD and 204 without a body, a POST body', async () => {
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;x=y\r\n, world\r\n0\r\nX-T: 1\r\n\r\n';
  const srv = await rawServer((head, _c, socket) => {
    if (head.startsWith('GET /chunked')) {
      // One byte at a time: every parser state sees a split.
      let i = 0;
      const tick = () => {
        if (i < chunked.length) socket.write(chunked[i++], 'latin1', tick);
      };
      tick();
      return null;
    }
    if (head.startsWith('GET /close')) {
      socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end');
      return null;
    }
    if (head.startsWith('HEAD')) return 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n';
    if (head.startsWith('GET /204')) return 'HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n';
    if (head.startsWith('GET /continue')) return 'HTTP/1.1 100 Continue\r\n\r\n' + ok('after');
    if (head.startsWith('POST')) return ok(String(/content-length: (\d+)/.exec(head)?.[1]));
    return ok('?');
  });
  const client = new Http1Client();
  try {
    const c = await client.request(get(`${srv.url}/chunked`));
    assert.equal(c.error, null);
    assert.equal(c.body.toString(), 'hello, world');
    assert.equal(c.bytesIn, chunked.length);
    const again = await client.request(get(`${srv.url}/after-chunked`));
    assert.equal(again.body.toString(), '?');
    assert.equal(srv.connections(), 1, 'a chunked response leaves the connection reusable');
    const u = await client.request(get(`${srv.url}/close`));
    assert.equal(u.error, null);
    assert.equal(u.body.toString(), 'until the end');
    const h = await client.request(get(`${srv.url}/`, { method: 'HEAD' }));
    assert.equal(h.error, null);
    assert.equal(h.body.length, 0);
    const n = await client.request(get(`${srv.url}/204`));
    assert.equal(n.status, 204);
    assert.equal(n.body.length, 0);
    const cont = await client.request(get(`${srv.url}/continue`));
    assert.equal(cont.status, 200);
    assert.equal(cont.body.toString(), 'after');
    const p = await client.request(get(`${srv.url}/`, { method: 'POST', body: Buffer.from('abc') }));
    assert.equal(p.body.toString(), '3');
    assert.match(srv.heads.at(-1)!, /content-length: 3\r\n\r\nabc$/);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a keep-alive connection the server closed is replaced once for an idempotent request', async () => {
  // The server closes every connection right after answering, without saying so.
  const srv = await rawServer((_h, _c, socket) => {
    socket.end(ok('x'));
    return null;
  });
  const client = new Http1Client();
  try {
    const a = await client.request(get(`${srv.url}/`));
    assert.equal(a.error, null);
    await new Promise((r) => setTimeout(r, 50));
    const b = await client.request(get(`${srv.url}/`));
    assert.equal(b.error, null, 'the stale connection was noticed, or the request retried');
    assert.equal(b.body.toString(), 'x');
    assert.equal(srv.connections(), 2);
  } finally {
    await client.close();
    await srv.close();
  }
  // The race itself: the server drops the kept-alive connection as the next request arrives.
  let served = 0;
  const racy = await rawServer((_h, conn, socket) => {
    if (conn === 0 && served++ === 1) {
      socket.destroy();
      return null;
    }
    return ok(`conn ${conn}`);
  });
  const again = new Http1Client();
  try {
    assert.equal((await again.request(get(`${racy.url}/`))).body.toString(), 'conn 0');
    const b = await again.request(get(`${racy.url}/`));
    assert.equal(b.error, null);
    assert.equal(b.body.toString(), 'conn 1');
    assert.ok(b.fresh, 'the retry is timed as a new connection');
    const post = await again.request(get(`${racy.url}/`, { method: 'POST', body: Buffer.from('x') }));
    assert.equal(post.body.toString(), 'conn 1', 'a POST on a live connection is not retried');
  } finally {
    await again.close();
    await racy.close();
  }
});

test('errors: refused, closed mid-response, malformed, timeout, cancel', async () => {
  const srv = await rawServer((head, _c, socket) => {
    if (head.startsWith('GET /half')) {
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
      return null;
    }
    if (head.startsWith('GET /garbage')) return 'SMTP ready\r\n\r\n';
    if (head.startsWith('GET /endless')) return 'HTTP/1.1 200 OK\r\nX: ' + 'a'.repeat(1_100_000);
    if (head.startsWith('GET /slow')) return null;
    return ok('?');
  });
  const client = new Http1Client();
  try {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await client.request(get(`http://127.0.0.1:${port}/`));
    assert.equal((refused.error as { code?: string }).code, 'ECONNREFUSED');
    assert.equal(refused.conn, null);

    const half = await client.request(get(`${srv.url}/half`));
    assert.equal((half.error as { code?: string }).code, 'UND_ERR_SOCKET');

    const endless = await client.request(get(`${srv.url}/endless`));
    assert.match(String((endless.error as Error).message), /response head too large/);

    const bad = await client.request(get(`${srv.url}/garbage`));
    assert.match(String((bad.error as Error).message), /malformed HTTP response "SMTP ready"/);

    const t0 = Date.now();
    const slow = await client.request(get(`${srv.url}/slow`, { timeout: 150 }));
    assert.equal((slow.error as { code?: string }).code, 'K6_REQUEST_TIMEOUT');
    assert.ok(Date.now() - t0 >= 140 && Date.now() - t0 < 2000);

    let cancel: Cancel | null = null;
    const pending = client.request(get(`${srv.url}/slow`), (c) => (cancel = c ?? cancel));
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(cancel);
    (cancel as Cancel)(new Error('interrupted'));
    const cancelled = await pending;
    assert.equal((cancelled.error as Error).message, 'interrupted');

    // A shorter timeout after a longer one on the same connection still fires on time.
    const fast = await client.request(get(`${srv.url}/`, { timeout: 60_000 }));
    assert.equal(fast.error, null);
    const t1 = Date.now();
    const short = await client.request(get(`${srv.url}/slow`, { timeout: 100 }));
    assert.equal((short.error as { code?: string }).code, 'K6_REQUEST_TIMEOUT');
    assert.ok(Date.now() - t1 < 2000);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('noReuse: connection: close and a new connection per request', async () => {
  const srv = await rawServer(() => ok('x'));
  const client = new Http1Client({ noReuse: true });
  try {
    await client.request(get(`${srv.url}/`));
    await client.request(get(`${srv.url}/`));
    assert.equal(srv.connections(), 2);
    assert.match(srv.heads[0], /\r\nconnection: close\r\n/);
  } finally {
    await client.close();
    await srv.close();
  }
});

test('a node:http server: many requests in flight at once over several connections', async () => {
  const server = http.createServer((req, res) => res.end(req.url));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new Http1Client();
  try {
    const all = await Promise.all(Array.from({ length: 40 }, (_, i) => client.request(get(`${url}/${i}`))));
    all.forEach((ex: Exchange, i) => assert.equal(ex.body.toString(), `/${i}`));
  } finally {
    await client.close();
    server.closeAllConnections();
    server.close();
  }
});

test('TLS: handshake timed apart from connect, version and cipher; an unknown CA fails unless told to skip', async () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const server = https.createServer(
    {
      key: readFileSync(new URL('localhost-key.pem', dir)),
      cert: readFileSync(new URL('localhost-cert.pem', dir)),
    },
    (_req, res) => res.end('secure'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  const strict = new Http1Client();
  const lax = new Http1Client({ rejectUnauthorized: false });
  try {
    const refused = await strict.request(get(url));
    assert.equal((refused.error as { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    const ex = await lax.request(get(url));
    assert.equal(ex.error, null);
    assert.equal(ex.body.toString(), 'secure');
    assert.equal(ex.conn!.tlsVersion, 'tls1.3');
    assert.ok(ex.conn!.cipher.length > 0);
    assert.ok(ex.conn!.connecting > 0 && ex.conn!.tls > 0);
    assert.ok(tls.DEFAULT_MAX_VERSION === 'TLSv1.3');
  } finally {
    await strict.close();
    await lax.close();
    server.closeAllConnections();
    server.close();
  }
});

test('hosts overrides: the dial goes to the mapped address, the request keeps its name', async () => {
  const o = new HostOverrides({
    'a.test': '10.0.0.1',
    'a.test:8443': '10.0.0.2:443',
    '*.b.test': '[::1]:81',
  });
  assert.deepEqual(o.lookup('a.test', 80), { host: '10.0.0.1', port: 0 });
  assert.deepEqual(o.lookup('A.TEST', 8443), { host: '10.0.0.2', port: 443 });
  assert.deepEqual(o.lookup('x.y.b.test', 443), { host: '::1', port: 81 });
  assert.equal(o.lookup('b.test', 443), null);
  const srv = await rawServer((head) => ok(/\r\nhost: ([^\r]*)/.exec(head)?.[1] ?? '?'));
  const port = Number(new URL(srv.url).port);
  const client = new Http1Client({ hosts: new HostOverrides({ 'api.example.test': `127.0.0.1:${port}` }) });
  try {
    const ex = await client.request(get('http://api.example.test/x'));
    assert.equal(ex.error, null);
    assert.equal(ex.body.toString(), 'api.example.test');
    assert.equal(ex.conn!.remoteAddress, '127.0.0.1');
  } finally {
    await client.close();
    await srv.close();
  }
});

test('TLS options: tlsVersion and tlsCipherSuites limit the handshake; tlsAuth sends a client certificate', async () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const read = (f: string) => readFileSync(new URL(f, dir), 'utf8');
  const server = https.createServer(
    {
      key: read('localhost-key.pem'),
      cert: read('localhost-cert.pem'),
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const peer = (req.socket as tls.TLSSocket).getPeerCertificate();
      res.end(peer && peer.subject ? `client ${peer.subject.CN}` : 'anonymous');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
  const client = (options: Record<string, unknown>) =>
    new Http1Client({ rejectUnauthorized: false, tls: new TLSOptions(options) });
  const clients = [
    client({ tlsVersion: 'tls1.2', tlsCipherSuites: ['TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'] }),
    client({ tlsVersion: { min: 'tls1.3' } }),
    client({
      tlsAuth: [{ domains: ['localhost'], cert: read('client-cert.pem'), key: read('client-key.pem') }],
    }),
    client({
      tlsAuth: [{ domains: ['other.test'], cert: read('client-cert.pem'), key: read('client-key.pem') }],
    }),
  ];
  try {
    const [v12, v13, mine, notMine] = await Promise.all(clients.map((c) => c.request(get(url))));
    assert.equal(v12.error, null);
    assert.equal(v12.conn!.tlsVersion, 'tls1.2');
    assert.equal(v12.conn!.cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
    assert.equal(v13.conn!.tlsVersion, 'tls1.3');
    assert.equal(mine.body.toString(), 'client k6-client');
    assert.equal(notMine.body.toString(), 'anonymous');
  } finally {
    for (const c of clients) await c.close();
    server.closeAllConnections();
    server.close();
  }
  assert.throws(() => new TLSOptions({ tlsVersion: 'tls9' }), /tlsVersion: "tls9" is not one of/);
  assert.throws(() => new TLSOptions({ tlsCipherSuites: ['TLS_NOPE'] }), /unknown cipher suite "TLS_NOPE"/);
  assert.throws(() => new TLSOptions({ tlsAuth: [{ domains: ['x'] }] }), /tlsAuth\[0\]: cert and key/);
});
