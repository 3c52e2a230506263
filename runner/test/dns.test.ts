// The `dns` option: parsing as k6 takes it, and the resolver's ttl, policy and select.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DNS_DEFAULTS, Resolver, parseDNS } from '../modules/dns.ts';
import { Http1Client } from '../modules/http1.ts';
import { validateOptions } from '../options.ts';

test('dns option: object and key=value forms, defaults kept, bad values rejected', () => {
  assert.deepEqual(parseDNS(undefined), DNS_DEFAULTS);
  assert.deepEqual(DNS_DEFAULTS, { ttl: 300_000, select: 'random', policy: 'preferIPv4' });
  assert.deepEqual(parseDNS({ ttl: '1m', select: 'roundRobin' }), {
    ttl: 60_000,
    select: 'roundRobin',
    policy: 'preferIPv4',
  });
  assert.deepEqual(parseDNS('ttl=inf,select=first,policy=any'), {
    ttl: Infinity,
    select: 'first',
    policy: 'any',
  });
  assert.equal(parseDNS({ ttl: '0' }).ttl, 0);
  assert.equal(parseDNS({ ttl: 1500 }).ttl, 1500);
  assert.throws(() => parseDNS({ select: 'nearest' }), /unsupported dns select "nearest"/);
  assert.throws(() => parseDNS({ policy: 'ipv4' }), /unsupported dns policy "ipv4"/);
  assert.throws(() => parseDNS({ ttl: 'soon' }), /invalid dns ttl "soon"/);
  assert.throws(() => parseDNS('ttl'), /want key=value/);
  assert.throws(() => parseDNS({ server: '1.1.1.1' }), /unknown dns field "server"/);
  assert.throws(() => parseDNS(['ttl=1m']), /dns must be an object/);
  assert.throws(
    () => validateOptions({ dns: { select: 'nearest' } }),
    (e: Error & { exitCode?: number }) => {
      return e.exitCode === 104 && /unsupported dns select/.test(e.message);
    },
  );
});

function fakeSystem(answers: Record<string, { address: string; family: number }[]>) {
  const calls: string[] = [];
  return {
    calls,
    system: (host: string, cb: (err: Error | null, all: { address: string; family: number }[]) => void) => {
      calls.push(host);
      const a = answers[host];
      if (!a) cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
      else cb(null, a);
    },
  };
}

function resolveAll(r: Resolver, host: string, n: number): Promise<string[]> {
  return Promise.all(
    Array.from(
      { length: n },
      () => new Promise<string>((ok, fail) => r.resolve(host, (e, a) => (e ? fail(e) : ok(a!)))),
    ),
  );
}

const API = [
  { address: '2001:db8::1', family: 6 },
  { address: '10.0.0.1', family: 4 },
  { address: '10.0.0.2', family: 4 },
];

test('resolver: policy filters the families, select picks, ttl caches the answer', async () => {
  let now = 0;
  const f = fakeSystem({ 'api.test': API, 'v6.test': [API[0]] });
  const rr = new Resolver({ ttl: 1000, select: 'roundRobin', policy: 'preferIPv4' }, f.system, () => now);
  assert.deepEqual(await resolveAll(rr, 'api.test', 4), ['10.0.0.1', '10.0.0.2', '10.0.0.1', '10.0.0.2']);
  assert.deepEqual(f.calls, ['api.test']);
  now = 1001;
  await resolveAll(rr, 'api.test', 1);
  assert.deepEqual(f.calls, ['api.test', 'api.test']);
  // preferIPv4 falls back to IPv6 when there is no IPv4 address; onlyIPv4 does not.
  assert.deepEqual(await resolveAll(rr, 'v6.test', 1), ['2001:db8::1']);
  const only4 = new Resolver({ ttl: 0, select: 'first', policy: 'onlyIPv4' }, f.system);
  await assert.rejects(resolveAll(only4, 'v6.test', 1), /no suitable address/);
  const first6 = new Resolver({ ttl: 0, select: 'first', policy: 'preferIPv6' }, f.system);
  assert.deepEqual(await resolveAll(first6, 'api.test', 2), ['2001:db8::1', '2001:db8::1']);
  const random = new Resolver({ ttl: Infinity, select: 'random', policy: 'any' }, f.system);
  const picked = new Set(await resolveAll(random, 'api.test', 60));
  assert.ok(picked.size >= 2, `random picked only ${[...picked].join()}`);
  // IP literals are not looked up; unknown names fail as the system says.
  const before = f.calls.length;
  assert.deepEqual(await resolveAll(rr, '192.0.2.7', 1), ['192.0.2.7']);
  assert.equal(f.calls.length, before);
  await assert.rejects(resolveAll(rr, 'nowhere.test', 1), { code: 'ENOTFOUND' });
});

test('a client with the resolver dials the address it picked, keeping the name in Host', async () => {
  const server = http.createServer((req, res) => res.end(req.headers.host));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const f = fakeSystem({ 'api.test': [{ address: '127.0.0.1', family: 4 }] });
  const client = new Http1Client({ dns: new Resolver(DNS_DEFAULTS, f.system) });
  try {
    const u = new URL(`http://api.test:${port}/`);
    const ex = await client.request({
      method: 'GET',
      url: u,
      headers: { host: u.host },
      body: undefined,
      timeout: 5000,
    });
    assert.equal(ex.error, null);
    assert.equal(ex.body.toString(), `api.test:${port}`);
    assert.equal(ex.conn!.remoteAddress, '127.0.0.1');
    assert.deepEqual(f.calls, ['api.test']);
  } finally {
    await client.close();
    server.close();
  }
});
