// The scripts ws-k6.test.ts runs on the runner and on real k6 (k6/ws as both k6 v0.49 and v2.x have it),
// against ws-server.ts's peer at __ENV.WS. Console lines print only what does not change from run to run.

/** One VU, one iteration: each kind of event, response and error, logged in the order it comes. */
export const EVENTS = `import ws from 'k6/ws';
import http from 'k6/http';
import { group } from 'k6';
export const options = { vus: 1, iterations: 1, userAgent: 'ws-test' };
const W = __ENV.WS;
const sorted = (o) => Object.keys(o).sort().map((k) => k + '=' + (k === 'Sec-Websocket-Accept' ? '*' : o[k])).join(';');
const show = (res) => [res.url, res.status, sorted(res.headers), res.body, res.error].join('|');
function logAll(name) {
  return (socket) => {
    socket.on('open', function () { console.log(name + ' open ' + arguments.length); });
    socket.on('message', (m) => console.log(name + ' message ' + m));
    socket.on('binaryMessage', (b) => console.log(name + ' binary ' + new Uint8Array(b).join('.')));
    socket.on('ping', function () { console.log(name + ' ping ' + arguments.length); });
    socket.on('pong', function () { console.log(name + ' pong ' + arguments.length); });
    // (Go's network errors carry more fields, which the runner leaves out: only close errors are shown.)
    socket.on('error', (e) => console.log(name + ' error ' + e.error().replace(/:[0-9]+->/, ':*->') + ' ' + JSON.stringify(e.code ? e : {})));
    socket.on('close', (code) => console.log(name + ' close ' + code));
    return socket;
  };
}
export default function () {
  let res = ws.connect(W + '/echo', { tags: { case: 'echo' } }, (socket) => {
    logAll('echo')(socket);
    console.log('keys ' + Object.keys(socket).join(','));
    socket.on('open', () => { socket.send('hello'); });
    socket.on('message', () => socket.sendBinary(new Uint8Array([1, 2, 3]).buffer));
    socket.on('binaryMessage', () => socket.ping());
    socket.on('pong', () => socket.close());
  });
  console.log('echo response ' + show(res));
  for (const path of ['/close?code=1000', '/close?code=4000&reason=bye', '/close?code=1011', '/drop', '/reset', '/bad', '/ping?n=2']) {
    res = ws.connect(W + path, { tags: { case: path } }, logAll(path));
    console.log(path + ' response ' + show(res));
  }
  for (const u of [W + '/refuse', 'ws://127.0.0.1:1/', 'http://127.0.0.1/x']) {
    res = ws.connect(u, logAll(u));
    console.log(u + ' response ' + show(res));
  }
  group('timers', () => {
    ws.connect(W + '/echo', (socket) => {
      let n = 0;
      let echoes = 0;
      socket.on('message', () => echoes++);
      socket.setInterval(() => { n++; socket.send('i' + n); }, 60);
      socket.setTimeout(() => {
        console.log('timers ticks ' + (n >= 3 && n <= 5) + ' echoes ' + (echoes >= 2 && echoes <= n));
        socket.close(4001);
        socket.send('late');
      }, 270);
      socket.on('error', (e) => console.log('timers error ' + e.error()));
      socket.on('close', (code) => { console.log('timers close ' + code); socket.ping(); });
    });
  });
  try {
    ws.connect(W + '/echo', (socket) => {
      socket.on('open', () => socket.send('x'));
      socket.on('message', () => { throw new Error('boom in a handler'); });
      socket.on('close', (code) => console.log('throwing close ' + code));
    });
  } catch (e) { console.log('throwing threw ' + e.message); }
  try {
    ws.connect(W + '/echo', (socket) => { socket.on('close', (code) => console.log('setup close ' + code)); throw new Error('boom in setup'); });
  } catch (e) { console.log('setup threw ' + e.message); }
  const calls = {
    args: () => ws.connect(W + '/echo'),
    notfn: () => ws.connect(W + '/echo', {}),
    compression: () => ws.connect(W + '/echo', { compression: 'gzip' }, () => {}),
    tag: () => ws.connect(W + '/echo', { tags: { t: null } }, () => {}),
    header: () => ws.connect(W + '/echo', { headers: { connection: 'x' } }, () => {}),
    binary: () => ws.connect(W + '/echo', (s) => s.sendBinary([1])),
    timeout: () => ws.connect(W + '/echo', (s) => s.setTimeout(() => {}, 0)),
  };
  for (const k of Object.keys(calls)) {
    try { calls[k](); console.log(k + ' no error'); } catch (e) { console.log(k + ' ' + e.name + ': ' + e.message); }
  }
  http.cookieJar().set(W.replace('ws:', 'http:'), 'sid', '42');
  res = ws.connect(W + '/headers', { headers: { 'X-Mine': 'v', 'Sec-WebSocket-Protocol': 'chat' }, tags: { n: 7 } }, (socket) => {
    socket.on('message', (m) => {
      const h = JSON.parse(m);
      console.log('headers ' + [h['user-agent'], h['x-mine'], h.cookie, h['sec-websocket-protocol']].join(' '));
      socket.close(1000);
    });
  });
  console.log('headers response ' + show(res));
  ws.connect(W + '/headers', { compression: 'deflate' }, (socket) => {
    socket.on('message', (m) => {
      console.log('compression offer ' + JSON.parse(m)['sec-websocket-extensions']);
      socket.close();
    });
  });
  res = ws.connect(W + '/echo', { compression: 'deflate' }, (socket) => {
    socket.on('open', () => socket.send('compressed '.repeat(20)));
    socket.on('message', (m) => { console.log('compression echo ' + m.length + ' ' + m.slice(0, 11)); socket.close(); });
  });
  console.log('compression response ' + show(res));
}
`;

/** Ten VUs, two sessions each: five messages 30 ms apart, their echoes, a ping; thresholds on ws_*. */
export const LOAD = `import ws from 'k6/ws';
import { check } from 'k6';
export const options = {
  scenarios: { s: { executor: 'per-vu-iterations', vus: 10, iterations: 2 } },
  userAgent: 'ws-test',
  thresholds: {
    ws_sessions: ['count==20'],
    ws_msgs_received: ['count==100'],
    ws_session_duration: ['p(95)<3000'],
    'ws_msgs_sent{scenario:s}': ['count==100'],
  },
};
export default function () {
  let got = 0;
  const res = ws.connect(__ENV.WS + '/echo', { tags: { kind: 'load' } }, (socket) => {
    let sent = 0;
    socket.on('open', () => socket.ping());
    socket.setInterval(() => { if (sent < 5) socket.send('m' + sent++); }, 30);
    socket.on('message', () => { if (++got === 5) socket.close(); });
  });
  check(res, { 'status is 101': (r) => r && r.status === 101, 'all echoes': () => got === 5 });
}
`;

/** Sessions that never end on their own: the test's end interrupts them; a threshold fails (exit 99). */
export const INTERRUPTED = `import ws from 'k6/ws';
export const options = {
  scenarios: { s: { executor: 'constant-vus', vus: 3, duration: '1s', gracefulStop: '0s' } },
  userAgent: 'ws-test',
  thresholds: { ws_sessions: ['count==3'], ws_connecting: ['max<0'] },
};
export default function () {
  ws.connect(__ENV.WS + '/echo', (socket) => {
    socket.setInterval(() => socket.send('tick'), 200);
  });
}
`;
