// auth: 'digest' as k6 does it: the request goes out without credentials, a 401 challenge is answered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { authorization, parseChallenge } from '../modules/digest.ts';
import { HttpClient, type WireRequest } from '../modules/http-host.ts';
import { requestContext } from './request-context.ts';

// RFC 7616, 3.9.1.
const RFC = {
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

test('the RFC 7616 example: MD5 and SHA-256 answers, and the challenge as servers write it', () => {
  const header = `Digest realm="${RFC.realm}", qop="auth, auth-int", algorithm=SHA-256, nonce="${RFC.nonce}", opaque="${RFC.opaque}"`;
  const c = parseChallenge(header)!;
  assert.deepEqual(c, {
    realm: RFC.realm,
    nonce: RFC.nonce,
    opaque: RFC.opaque,
    algorithm: 'SHA-256',
    qop: 'auth, auth-int',
  });
  const sha = authorization(c, 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html', undefined, RFC.cnonce);
  assert.match(sha, /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/);
  assert.match(sha, /qop=auth, nc=00000001, cnonce="f2\/wE4q74E6zIJEtWaHKaf5wv\/H5QzzpXusqGemxURZJ"/);
  const md5 = authorization(
    { ...c, algorithm: 'MD5' },
    'Mufasa',
    'Circle of Life',
    'GET',
    '/dir/index.html',
    undefined,
    RFC.cnonce,
  );
  assert.match(md5, /response="8ca523f5e9506fed4657c9700eebdbec"/);
  assert.equal(parseChallenge('Basic realm="x"'), null);
  assert.throws(
    () => authorization({ ...c, algorithm: 'SHA-1' }, 'u', 'p', 'GET', '/', undefined),
    /unsupported digest algorithm/,
  );
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

async function digestServer(challenge: boolean) {
  const seen: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization;
    seen.push(auth);
    if (!challenge) return res.end('open');
    const m = auth && /response="([0-9a-f]+)".*cnonce="([^"]+)"/.exec(auth);
    if (m) {
      // The server's own computation of what the client had to answer.
      const ha1 = md5('user:lab:s3cret');
      const ha2 = md5(`${req.method}:${req.url}`);
      if (m[1] === md5(`${ha1}:n0nce:00000001:${m[2]}:auth:${ha2}`)) return res.end('welcome');
    }
    res.writeHead(401, { 'www-authenticate': 'Digest realm="lab", qop="auth", nonce="n0nce"' });
    res.end('who are you');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, seen, close: () => server.close() };
}

async function send(port: number, path: string) {
  const client = new HttpClient({});
  const { ctx, samples } = requestContext();
  const wire: WireRequest = {
    method: 'GET',
    url: `http://user:s3cret@127.0.0.1:${port}${path}`,
    tags: { scenario: 'default', group: '' },
    expected: [[200, 399]],
    auth: 'digest',
  };
  const [res] = await client.send([wire], ctx);
  await client.close();
  const reqs = samples
    .filter((s) => s.metric === 'http_reqs')
    .map((s) => [s.tags.status, s.tags.expected_response]);
  const failed = samples.filter((s) => s.metric === 'http_req_failed').map((s) => s.value);
  return { res, reqs, failed };
}

test('auth: digest sends no credentials first, answers the 401, and counts the challenge as expected', async () => {
  const srv = await digestServer(true);
  try {
    const { res, reqs, failed } = await send(srv.port, '/private?x=1');
    assert.equal(res.status, 200);
    assert.equal(res.body, 'welcome');
    assert.equal(srv.seen[0], undefined);
    assert.match(srv.seen[1]!, /^Digest username="user", realm="lab", nonce="n0nce", uri="\/private\?x=1"/);
    assert.deepEqual(reqs, [
      ['401', 'true'],
      ['200', 'true'],
    ]);
    assert.deepEqual(failed, [0, 0]);
  } finally {
    srv.close();
  }
});

test('auth: digest against a server that does not challenge: its one response is not expected, as in k6', async () => {
  const srv = await digestServer(false);
  try {
    const { res, reqs } = await send(srv.port, '/');
    assert.equal(res.body, 'open');
    assert.deepEqual(srv.seen, [undefined]);
    assert.deepEqual(reqs, [['200', 'false']]);
  } finally {
    srv.close();
  }
});
