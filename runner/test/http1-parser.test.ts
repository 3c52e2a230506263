// The HTTP/1.1 response parser on its own: framing, and whether the connection may be reused after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError, ResponseParser } from '../modules/http1-parser.ts';

const b = (s: string) => Buffer.from(s, 'latin1');

function parse(method: string, chunks: string[], keepAlive = true): ResponseParser {
  const p = new ResponseParser();
  p.begin(method, keepAlive);
  chunks.forEach((c, i) => {
    const done = p.push(b(c));
    assert.equal(done, i === chunks.length - 1, `complete only after the last chunk (chunk ${i})`);
  });
  return p;
}
const body = (p: ResponseParser) => Buffer.concat(p.parts).toString('latin1');

test('content-length, split anywhere; bytes past it make the connection single-use', () => {
  const p = parse('GET', ['HTTP/1.1 200 OK\r\nContent-Le', 'ngth: 5\r\n\r\nhe', 'llo']);
  assert.deepEqual(p.head, { status: 200, statusText: 'OK', headers: ['Content-Length', '5'] });
  assert.equal(body(p), 'hello');
  assert.equal(p.reusable, true);
  const extra = parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokJUNK']);
  assert.equal(body(extra), 'ok');
  assert.equal(extra.reusable, false);
});

test('no body for HEAD, 204, 304 and a 2xx to CONNECT; bytes after one make the connection single-use', () => {
  assert.equal(parse('HEAD', ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n']).reusable, true);
  assert.equal(parse('GET', ['HTTP/1.1 304 Not Modified\r\n\r\n']).reusable, true);
  assert.equal(parse('CONNECT', ['HTTP/1.1 200 Connection Established\r\n\r\n']).head?.status, 200);
  const junk = parse('GET', ['HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc']);
  assert.equal(body(junk), '');
  assert.equal(junk.reusable, false);
});

test('chunked with extensions and trailers; bytes after the trailer make it single-use', () => {
  const raw =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\nA\r\n0123456789\r\n0\r\nX: y\r\n\r\n';
  const whole = parse('GET', [raw]);
  assert.equal(body(whole), 'abc0123456789');
  assert.equal(whole.reusable, true);
  const split = parse('GET', raw.split(''));
  assert.equal(body(split), 'abc0123456789');
  assert.equal(parse('GET', [raw + 'HTTP/1.1']).reusable, false);
  const bad = new ResponseParser();
  bad.begin('GET', true);
  assert.throws(() => bad.push(b('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')), ParseError);
});

test('reuse: HTTP/1.0 and Connection: close end it, keep-alive revives 1.0, the request can forbid it', () => {
  assert.equal(parse('GET', ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).reusable, false);
  assert.equal(
    parse('GET', ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).reusable,
    true,
  );
  assert.equal(
    parse('GET', ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).reusable,
    false,
  );
  assert.equal(parse('GET', ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'], false).reusable, false);
});

test('1xx responses are skipped; a body without a length ends with the connection', () => {
  const p = parse('GET', ['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx']);
  assert.equal(p.head?.status, 200);
  assert.equal(body(p), 'x');
  const u = new ResponseParser();
  u.begin('GET', true);
  assert.equal(u.push(b('HTTP/1.1 200 OK\r\n\r\nuntil ')), false);
  assert.equal(u.push(b('the end')), false);
  assert.equal(u.closed(), true);
  assert.equal(body(u), 'until the end');
  assert.equal(u.reusable, false);
  const cut = new ResponseParser();
  cut.begin('GET', true);
  cut.push(b('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc'));
  assert.equal(cut.closed(), false, 'a short content-length body is not complete at close');
});

test('malformed status line, bad Content-Length and an endless head are ParseErrors', () => {
  for (const text of ['SMTP ready\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n']) {
    const p = new ResponseParser();
    p.begin('GET', true);
    assert.throws(() => p.push(b(text)), ParseError, text);
  }
  const p = new ResponseParser();
  p.begin('GET', true);
  assert.throws(() => {
    for (let i = 0; i < 20; i++) p.push(Buffer.alloc(100_000, 97));
  }, /response head too large/);
});
