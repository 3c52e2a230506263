// HTTP_PROXY / HTTPS_PROXY / NO_PROXY as k6 reads them, and requests through a local proxy: plain ones
// in absolute form, TLS ones through a CONNECT tunnel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { ProxyConfig } from '../modules/proxy.ts';
import { Http1Client, type RequestOptions } from '../modules/http1.ts';
import { VUPool } from '../vu/pool.ts';
import { byMetric, collector, writeScript } from './vu-harness.ts';

const u = (s: string) => new URL(s);

test('ProxyConfig: the scheme picks the variable; NO_PROXY and loopback hosts go direct', () => {
  const p = new ProxyConfig({
    HTTP_PROXY: 'http://proxy.corp:3128',
    https_proxy: 'proxy.corp:8443',
    NO_PROXY: 'internal.example, .svc.local, 10.0.0.0/8, 192.168.1.7, api.example:8080',
  });
  assert.equal(p.for(u('http://api.mypurecloud.com/x'))?.href, 'http://proxy.corp:3128/');
  assert.equal(p.for(u('https://api.mypurecloud.com/x'))?.href, 'http://proxy.corp:8443/');
  for (const direct of [
    'http://internal.example/',
    'http://a.b.internal.example/',
    'http://x.svc.local/',
    'http://10.1.2.3/',
    'http://192.168.1.7/',
    'http://api.example:8080/',
    'http://localhost:8080/',
    'http://127.0.0.1/',
    'http://[::1]:9/',
  ]) {
    assert.equal(p.for(u(direct)), null, direct);
  }
  assert.ok(p.for(u('http://svc.local/')), '.svc.local matches subdomains only');
  assert.ok(p.for(u('http://api.example:9090/')), 'a port in NO_PROXY limits the entry to it');
  assert.ok(p.for(u('http://192.168.1.8/')));
  assert.equal(new ProxyConfig({ HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }).for(u('https://a.b/')), null);
  assert.equal(new ProxyConfig({}).none, true);
  assert.throws(
    () => new ProxyConfig({ HTTP_PROXY: 'socks5://p:1080' }).for(u('http://a.b/')),
    /not supported/,
  );
});

/** A proxy on 127.0.0.1: answers plain requests itself, tunnels CONNECT to `tunnelTo` (or refuses it). */
async function fakeProxy(tunnelTo: number | null) {
  const seen: string[] = [];
  const server = net.createServer((client) => {
    client.once('data', (d) => {
      const head = d.toString('latin1');
      seen.push(head);
      if (!head.startsWith('CONNECT ')) {
        client.end('HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nvia proxy');
        return;
      }
      if (tunnelTo === null) {
        client.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const upstream = net.connect(tunnelTo, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
    });
    client.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { port, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function get(url: string): RequestOptions {
  return { method: 'GET', url: new URL(url), headers: {}, body: undefined, timeout: 5000 };
}

test('a plain request goes to the proxy in absolute form, with the proxy credentials', async () => {
  const proxy = await fakeProxy(null);
  const client = new Http1Client({
    proxies: new ProxyConfig({ HTTP_PROXY: `http://user:p%40ss@127.0.0.1:${proxy.port}` }),
  });
  try {
    const ex = await client.request(get('http://api.example.test/api/v2/users?x=1'));
    assert.equal(ex.error, null);
    assert.equal(ex.body.toString(), 'via proxy');
    assert.match(proxy.seen[0], /^GET http:\/\/api\.example\.test\/api\/v2\/users\?x=1 HTTP\/1\.1\r\n/);
    assert.match(proxy.seen[0], /\r\nhost: api\.example\.test\r\n/);
    assert.match(proxy.seen[0], new RegExp(`proxy-authorization: Basic ${btoa('user:p@ss')}\\r\\n`));
  } finally {
    await client.close();
    await proxy.close();
  }
});

test('TLS goes through a CONNECT tunnel; a refused CONNECT fails with the proxy status text', async () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const server = https.createServer(
    {
      key: readFileSync(new URL('localhost-key.pem', dir)),
      cert: readFileSync(new URL('localhost-cert.pem', dir)),
    },
    (req, res) => res.end(`secure ${req.headers.host}`),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const upstream = (server.address() as AddressInfo).port;
  const proxy = await fakeProxy(upstream);
  const refusing = await fakeProxy(null);
  const env = (port: number) => new ProxyConfig({ HTTPS_PROXY: `http://127.0.0.1:${port}` });
  const client = new Http1Client({ rejectUnauthorized: false, proxies: env(proxy.port) });
  const refused = new Http1Client({ rejectUnauthorized: false, proxies: env(refusing.port) });
  try {
    const ex = await client.request(get('https://api.example.test/ok'));
    assert.equal(ex.error, null);
    assert.equal(ex.body.toString(), 'secure api.example.test');
    assert.match(
      proxy.seen[0],
      /^CONNECT api\.example\.test:443 HTTP\/1\.1\r\nhost: api\.example\.test:443\r\n/,
    );
    assert.equal(ex.conn!.tlsVersion, 'tls1.3');
    assert.ok(ex.conn!.connecting > 0 && ex.conn!.tls > 0);
    const again = await client.request(get('https://api.example.test/ok'));
    assert.equal(again.error, null);
    assert.equal(proxy.seen.length, 1, 'the tunnel is kept alive for the next request');

    const no = await refused.request(get('https://api.example.test/ok'));
    assert.equal((no.error as Error).message, 'Proxy Authentication Required');
  } finally {
    await client.close();
    await refused.close();
    await proxy.close();
    await refusing.close();
    server.closeAllConnections();
    server.close();
  }
});

test('the VU pool reads the proxy from its environment: a script request reaches the proxy', async () => {
  const proxy = await fakeProxy(null);
  const saved = process.env.HTTP_PROXY;
  process.env.HTTP_PROXY = `http://127.0.0.1:${proxy.port}`;
  const c = collector();
  try {
    const script = writeScript(`import http from 'k6/http';
      export default function () {
        const r = http.get('http://api.example.test/users');
        if (r.body !== 'via proxy') throw new Error('body ' + r.body);
      }`);
    const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 1, ...c });
    const r = await pool
      .vu(1)
      .run({ fn: 'default', scenario: { name: 's', executor: 'x', startTime: 0 }, tags: {} });
    await pool.close();
    assert.deepEqual(r, { ok: true });
    assert.match(proxy.seen[0], /^GET http:\/\/api\.example\.test\/users HTTP\/1\.1\r\n/);
    assert.equal(byMetric(c.samples, 'http_reqs')[0].tags.url, 'http://api.example.test/users');
  } finally {
    if (saved === undefined) delete process.env.HTTP_PROXY;
    else process.env.HTTP_PROXY = saved;
    await proxy.close();
  }
});
