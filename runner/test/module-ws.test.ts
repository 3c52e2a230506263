// k6/ws on the runner's VUs against a local WebSocket peer: the socket's events, timers, the response of
// ws.connect, refused upgrades, and the ws_* metrics with their tags (ws-k6.test.ts holds the same
// behaviours against real k6).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { byMetric, runIterations } from './vu-harness.ts';
import { startWsPeer, type WsPeer } from './ws-server.ts';
import type { Sample } from '../metrics/types.ts';

let peer: WsPeer;
before(async () => {
  peer = await startWsPeer();
});
after(() => peer.close());

const run = (body: string, opts: Parameters<typeof runIterations>[1] = {}) =>
  runIterations(`import ws from 'k6/ws';\nimport { group } from 'k6';\n${body}`, {
    ...opts,
    env: { WS: peer.url, ...opts.env },
  });
// the client's port of a connection Go names in an error changes from run to run
const logs = (out: { logs: { msg: string }[] }) =>
  out.logs.map((l) => l.msg.replace(/127\.0\.0\.1:\d+->/, '127.0.0.1:*->'));
const sum = (samples: Sample[], metric: string) => byMetric(samples, metric).reduce((a, s) => a + s.value, 0);
/** The close code the peer saw last on `path`, once it saw `count` closes there (the frame may still travel). */
async function closedWith(path: string, count: number): Promise<number | undefined> {
  for (let i = 0; i < 100 && peer.closes.filter((c) => c.path === path).length < count; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return peer.closes.filter((c) => c.path === path).at(count - 1)?.code;
}

test('echo: open, text and binary messages, ping and pong; the response of a 101 and every ws_* metric', async () => {
  const out = await run(`
    export default function () {
      const res = ws.connect(__ENV.WS + '/echo', { tags: { mine: 'yes' } }, (socket) => {
        console.log('keys ' + Object.keys(socket).join(','));
        socket.on('open', function () {
          console.log('open ' + arguments.length);
          socket.send('hello');
          socket.sendBinary(new Uint8Array([1, 2, 3]).buffer);
          socket.ping();
        });
        socket.on('message', (m) => console.log('message ' + typeof m + ' ' + m));
        socket.on('binaryMessage', (b) => console.log('binary ' + Object.prototype.toString.call(b) + ' ' + new Uint8Array(b).join('.')));
        socket.on('pong', function () { console.log('pong ' + arguments.length); socket.close(); });
        socket.on('close', (code) => console.log('close ' + code));
      });
      console.log(JSON.stringify([res.url, res.status, Object.keys(res.headers).sort(), res.body, res.error, Object.keys(res)]));
    }`);
  assert.deepEqual(out.results, [{ ok: true }]);
  const url = `${peer.url}/echo`;
  assert.deepEqual(logs(out), [
    'keys close,on,ping,send,sendBinary,setInterval,setTimeout',
    'open 0',
    'message string hello',
    'binary [object ArrayBuffer] 1.2.3',
    'pong 0',
    'close 1001',
    JSON.stringify([
      url,
      101,
      ['Connection', 'Sec-Websocket-Accept', 'Upgrade'],
      '',
      '',
      ['url', 'status', 'headers', 'body', 'error'],
    ]),
  ]);
  const tags = { scenario: 'default', group: '', mine: 'yes', url, status: '101', subproto: '' };
  for (const m of ['ws_sessions', 'ws_connecting', 'ws_session_duration', 'ws_ping']) {
    assert.equal(byMetric(out.samples, m).length, 1, m);
    assert.deepEqual(byMetric(out.samples, m)[0].tags, tags, m);
  }
  assert.equal(sum(out.samples, 'ws_msgs_sent'), 2);
  assert.equal(sum(out.samples, 'ws_msgs_received'), 2);
  assert.ok(
    byMetric(out.samples, 'ws_session_duration')[0].value >= byMetric(out.samples, 'ws_ping')[0].value,
  );
  // the handshake, two frames, a ping and the close frame out; the 101, two frames and the pong in
  assert.ok(sum(out.samples, 'data_sent') > 150 + 11 + 9 + 7 + 8, String(sum(out.samples, 'data_sent')));
  assert.ok(sum(out.samples, 'data_received') > 120 + 7 + 5 + 3, String(sum(out.samples, 'data_received')));
  assert.equal(await closedWith('/echo', 1), 1001);
});

test('a server close: 1000 closes quietly; other codes and a lost connection are also errors', async () => {
  const out = await run(`
    export default function () {
      for (const path of ['/close?code=1000', '/close?code=4000&reason=bye', '/close?code=1011', '/drop', '/reset', '/bad']) {
        ws.connect(__ENV.WS + path, (socket) => {
          socket.on('error', (e) => console.log(path + ' error ' + e.error() + (path === '/reset' ? '' : ' ' + String(e)) + ' ' + JSON.stringify(e)));
          socket.on('close', (code) => console.log(path + ' close ' + code));
        });
      }
    }`);
  assert.deepEqual(logs(out), [
    '/close?code=1000 close 1000',
    '/close?code=4000&reason=bye error websocket: close 4000: bye websocket: close 4000: bye {"code":4000,"text":"bye"}',
    '/close?code=4000&reason=bye close 4000',
    '/close?code=1011 error websocket: close 1011 (internal server error) websocket: close 1011 (internal server error) {"code":1011,"text":""}',
    '/close?code=1011 close 1011',
    '/drop error websocket: close 1006 (abnormal closure): unexpected EOF websocket: close 1006 (abnormal closure): unexpected EOF {"code":1006,"text":"unexpected EOF"}',
    '/drop close 1006',
    // the close frame k6 then sends fails: gorilla sent one on the protocol error, and a reset connection
    // takes no write
    `/reset error write tcp 127.0.0.1:*->${peer.url.slice(5)}: write: broken pipe {}`,
    '/reset close 1001',
    '/bad error websocket: close sent websocket: close sent {}',
    '/bad close 1001',
  ]);
  assert.equal(byMetric(out.samples, 'ws_session_duration').length, 6);
});

test("the server's pings: answered, each a ping event, no ws_ping", async () => {
  const out = await run(`
    export default function () {
      ws.connect(__ENV.WS + '/ping?n=3', (socket) => {
        socket.on('ping', function () { console.log('ping ' + arguments.length); });
        socket.on('close', (code) => console.log('close ' + code));
      });
    }`);
  assert.deepEqual(logs(out), ['ping 0', 'ping 0', 'ping 0', 'close 1000']);
  assert.equal(byMetric(out.samples, 'ws_ping').length, 0);
});

test('timers: setTimeout and setInterval run in the loop, end with the socket, refuse a delay of 0', async () => {
  const out = await run(`
    export default function () {
      const t0 = Date.now();
      ws.connect(__ENV.WS + '/echo', (socket) => {
        let n = 0;
        console.log('returns ' + socket.setInterval(() => { n++; socket.send('i' + n); }, 40));
        socket.setTimeout(() => console.log('timeout 100'), 100);
        socket.setTimeout(() => { console.log('intervals ' + (n >= 4 && n <= 6)); socket.close(4001); }, 210);
        socket.on('close', (code) => console.log('close ' + code + ' after ' + (Date.now() - t0 >= 200)));
      });
      for (const [name, ms] of [['setTimeout', 0], ['setInterval', -1]]) {
        try {
          ws.connect(__ENV.WS + '/echo', (socket) => socket[name](() => {}, ms));
        } catch (e) {
          console.log(e.name + ': ' + e.message);
        }
      }
    }`);
  assert.deepEqual(logs(out), [
    'returns undefined',
    'timeout 100',
    'intervals true',
    'close 4001 after true',
    'GoError: setTimeout requires a >0 timeout parameter, received 0.00',
    'GoError: setInterval requires a >0 timeout parameter, received -1.00',
  ]);
  assert.equal(await closedWith('/echo', 2), 4001);
});

test('a refused upgrade, a refused connection, a bad URL: the response or its error; sessions still count', async () => {
  const out = await run(`
    export default function () {
      for (const u of [__ENV.WS + '/refuse', 'ws://127.0.0.1:1/', 'http://127.0.0.1/x']) {
        const res = ws.connect(u, (socket) => socket.on('open', () => console.log('opened?')));
        console.log(JSON.stringify(res));
      }
    }`);
  assert.deepEqual(logs(out), [
    JSON.stringify({
      url: '',
      status: 403,
      headers: { 'Content-Type': 'text/plain', 'Content-Length': '9', 'X-Reason': 'test' },
      body: 'forbidden',
      error: '',
    }),
    JSON.stringify({
      url: '',
      status: 0,
      headers: {},
      body: '',
      error: 'dial tcp 127.0.0.1:1: connect: connection refused',
    }),
    JSON.stringify({ url: '', status: 0, headers: {}, body: '', error: 'malformed ws or wss URL' }),
  ]);
  const sessions = byMetric(out.samples, 'ws_sessions');
  assert.deepEqual(
    sessions.map((s) => [s.tags.url, s.tags.status, s.tags.subproto]),
    [
      [`${peer.url}/refuse`, '403', ''],
      ['ws://127.0.0.1:1/', undefined, undefined],
      ['http://127.0.0.1/x', undefined, undefined],
    ],
  );
  assert.equal(byMetric(out.samples, 'ws_connecting').length, 3);
  assert.equal(byMetric(out.samples, 'ws_session_duration').length, 3);
});

test('with throw: a failed handshake throws; bad arguments and init code throw as k6 does', async () => {
  const out = await run(`
    export const options = { throw: true };
    export default function () {
      const calls = [
        () => ws.connect(__ENV.WS + '/refuse', () => {}),
        () => ws.connect(__ENV.WS + '/echo'),
        () => ws.connect(__ENV.WS + '/echo', {}),
        () => ws.connect(__ENV.WS + '/echo', { compression: 'gzip' }, () => {}),
        () => ws.connect(__ENV.WS + '/echo', { tags: { t: {} } }, () => {}),
        () => ws.connect(__ENV.WS + '/echo', { headers: { Upgrade: 'x' } }, () => {}),
        () => ws.connect(__ENV.WS + '/echo', (s) => s.sendBinary('text')),
        () => ws.connect(__ENV.WS + '/echo', (s) => s.sendBinary()),
      ];
      for (const call of calls) {
        try { call(); console.log('no error'); } catch (e) { console.log(e.name + ': ' + e.message); }
      }
    }`);
  assert.deepEqual(logs(out), [
    'GoError: websocket: bad handshake',
    'GoError: invalid number of arguments to ws.connect',
    'GoError: last argument to ws.connect must be a function',
    "GoError: unsupported compression algorithm 'gzip', supported algorithm is 'deflate'",
    "GoError: invalid ws.connect() metric tags: invalid value for metric tag 't': only String, Boolean and Number types are accepted as a metric tag values",
    'GoError: websocket: duplicate header not allowed: Upgrade',
    'GoError: expected ArrayBuffer as argument, received: String',
    'GoError: missing argument, expected ArrayBuffer',
  ]);
  const init = await run(`ws.connect(__ENV.WS + '/echo', () => {});\nexport default function () {}`).catch(
    (e: Error) => e,
  );
  assert.match(String(init), /GoError: using websockets in the init context is not supported/);
});

test("a handler's exception closes the socket (1001) and leaves ws.connect; sends after close are errors", async () => {
  const out = await run(`
    export default function () {
      try {
        ws.connect(__ENV.WS + '/echo', (socket) => {
          socket.on('open', () => socket.send('x'));
          socket.on('message', () => { throw new Error('boom'); });
          socket.on('close', (code) => console.log('close ' + code));
        });
      } catch (e) { console.log('threw ' + e.message); }
      ws.connect(__ENV.WS + '/echo', (socket) => {
        socket.on('error', (e) => console.log('error ' + e.error()));
        socket.on('close', () => socket.send('in close'));
        socket.on('open', () => console.log('open after close'));
        socket.close();
        socket.send('after close');
        socket.ping();
      });
    }`);
  assert.deepEqual(out.results, [{ ok: true }]);
  assert.deepEqual(logs(out), [
    'close 1001',
    'threw boom',
    'error websocket: close sent',
    'error websocket: close sent',
    'error websocket: close sent',
    'open after close',
  ]);
  // sends that failed count too, as in k6; the failed ping does not
  assert.equal(sum(out.samples, 'ws_msgs_sent'), 3);
});

test('tags: the group, exec.vu.tags and the custom ones at the call; headers, cookies and the subprotocol', async () => {
  const out = await run(`
    import http from 'k6/http';
    import exec from 'k6/execution';
    export default function () {
      exec.vu.tags.team = 'a';
      http.cookieJar().set(__ENV.WS.replace('ws:', 'http:'), 'sid', '42');
      group('g', () => {
        ws.connect(__ENV.WS + '/headers', { headers: { 'X-Mine': 'v', 'Sec-WebSocket-Protocol': 'chat' }, tags: { n: 1 } }, (socket) => {
          socket.on('message', (m) => {
            const h = JSON.parse(m);
            console.log([h['user-agent'], h['x-mine'], h.cookie, h['sec-websocket-protocol']].join(' '));
            socket.close();
          });
        });
      });
    }`);
  assert.deepEqual(logs(out), ['k6/0.49.0 (https://k6.io/) v sid=42 chat']);
  const [s] = byMetric(out.samples, 'ws_sessions');
  assert.deepEqual(s.tags, {
    scenario: 'default',
    group: '::g',
    team: 'a',
    n: '1',
    url: `${peer.url}/headers`,
    status: '101',
    subproto: 'chat',
  });
});

test('an interrupted session: closed with 1001, no ws_session_duration, its bytes still in data_*', async () => {
  const { VUPool, initOptionsPass } = await import('../vu/pool.ts');
  const { collector, writeScript } = await import('./vu-harness.ts');
  const script = writeScript(`import ws from 'k6/ws';
    export default function () {
      ws.connect(__ENV.WS + '/echo', (socket) => {
        socket.setInterval(() => socket.send('tick'), 20);
        socket.on('close', () => console.log('close handler ran'));
      });
    }`);
  const env = { WS: peer.url };
  const init = await initOptionsPass({ script, env });
  const c = collector();
  const pool = await VUPool.create({ script, env, options: init.options, count: 1, workers: 0, ...c });
  try {
    const vu = pool.vu(1);
    const scenario = { name: 'default', executor: 'constant-vus', startTime: Date.now() };
    const running = vu.run({ fn: 'default', scenario, iterationInScenario: 0, iterationInTest: 0, tags: {} });
    await new Promise((r) => setTimeout(r, 200));
    const before = peer.closes.filter((c) => c.path === '/echo').length;
    vu.interrupt();
    assert.deepEqual(await running, { ok: false, interrupted: true });
    assert.equal(await closedWith('/echo', before + 1), 1001);
  } finally {
    await pool.close();
  }
  assert.deepEqual(c.logs, []);
  assert.equal(byMetric(c.samples, 'ws_sessions').length, 1);
  assert.equal(byMetric(c.samples, 'ws_session_duration').length, 0);
  assert.equal(byMetric(c.samples, 'iterations').length, 0);
  assert.ok(sum(c.samples, 'ws_msgs_sent') >= 5);
  assert.ok(sum(c.samples, 'data_sent') > 200, String(sum(c.samples, 'data_sent')));
  assert.ok(sum(c.samples, 'data_received') > 130, String(sum(c.samples, 'data_received')));
});

test("compression: 'deflate' offers permessage-deflate as gorilla does and messages go compressed", async () => {
  const out = await run(`
    export default function () {
      ws.connect(__ENV.WS + '/headers', { compression: 'deflate' }, (socket) => {
        socket.on('message', (m) => { console.log(JSON.parse(m)['sec-websocket-extensions']); socket.close(); });
      });
      const res = ws.connect(__ENV.WS + '/echo', { compression: 'deflate' }, (socket) => {
        socket.on('open', () => socket.send('x'.repeat(1000)));
        socket.on('message', (m) => { console.log(m.length); socket.close(); });
      });
      console.log(res.headers['Sec-Websocket-Extensions']);
    }`);
  assert.deepEqual(logs(out), [
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    '1000',
    'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
  ]);
  // the thousand bytes went out in a few
  assert.ok(sum(out.samples, 'data_sent') < 1000, String(sum(out.samples, 'data_sent')));
});

test('wss: an unknown CA fails unless insecureSkipTLSVerify, as in k6; `hosts` moves the dial', async () => {
  const dir = new URL('./fixtures/', import.meta.url);
  const server = https.createServer({
    key: readFileSync(new URL('localhost-key.pem', dir)),
    cert: readFileSync(new URL('localhost-cert.pem', dir)),
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (d) => socket.send(`tls ${String(d)}`)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const script = (options: string) => `
    export const options = ${options};
    export default function () {
      const res = ws.connect('wss://localhost.test:${port}/', (socket) => {
        socket.on('open', () => socket.send('hi'));
        socket.on('message', (m) => { console.log(m); socket.close(); });
      });
      console.log(res.status + ' ' + res.error);
    }`;
  try {
    const hosts = "{ 'localhost.test': '127.0.0.1' }";
    const strict = await run(script(`{ hosts: ${hosts} }`));
    assert.deepEqual(logs(strict), [
      '0 tls: failed to verify certificate: x509: certificate signed by unknown authority',
    ]);
    const lax = await run(script(`{ hosts: ${hosts}, insecureSkipTLSVerify: true }`));
    assert.deepEqual(logs(lax), ['tls hi', '101 ']);
  } finally {
    for (const c of wss.clients) c.terminate();
    server.close();
  }
});
