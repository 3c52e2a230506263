// k6/http against a local peer, on the runner and on each real k6: jars of the script's own (cookies set on
// one never reach another or the VU's, k6/ws's handshake included), `response.request.cookies` (name ->
// [{name, value, replace}]), and the warning at the redirect limit (only under k6's default limit, naming
// the first URL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { logMessages, runnerBin, Sandbox } from './cli-helpers.ts';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const box = new Sandbox();
let server: http.Server;
let base = '';
let cookieScript = '';
let redirectScript = '';

before(async () => {
  server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://peer');
    if (u.pathname === '/set')
      res.setHeader('Set-Cookie', `${u.searchParams.get('n')}=${u.searchParams.get('v')}; Path=/`);
    if (u.pathname === '/unset')
      res.setHeader('Set-Cookie', `${u.searchParams.get('n')}=; Path=/; Max-Age=0`);
    if (u.pathname === '/loop') {
      res.statusCode = 302;
      res.setHeader('Location', '/loop');
    }
    if (u.pathname === '/hop') {
      res.statusCode = 302;
      res.setHeader('Set-Cookie', 'hop=1; Path=/');
      res.setHeader('Location', '/echo');
    }
    res.end(req.headers.cookie ?? '');
  });
  // The handshake sets a cookie and the socket's first message is the Cookie header the handshake carried.
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push('Set-Cookie: wsc=5; Path=/'));
  server.on('upgrade', (req, socket, head) =>
    wss.handleUpgrade(req, socket, head, (ws) => ws.send(req.headers.cookie ?? '')),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cookieScript = box.script('cookies.js', COOKIES(base));
  redirectScript = box.script('redirects.js', REDIRECTS(base));
});
after(() => {
  server.close();
  box.cleanup();
});

// Go's maps make the order of params.cookies in the header and of request.cookies' keys vary: both
// are logged sorted.
const COOKIES = (b: string) => `import http from 'k6/http';
import ws from 'k6/ws';
export const options = { vus: 1, iterations: 2 };
const B = '${b}';
const sorted = (o) => JSON.stringify(Object.keys(o).sort().reduce((a, k) => ((a[k] = o[k]), a), {}));
const sent = (r) => r.body.split('; ').sort().join('; ');
const initJar = new http.CookieJar();
export default function () {
  const own = new http.CookieJar();
  let r = http.get(B + '/set?n=own&v=1', { jar: own });
  console.log('own set: request.cookies=' + sorted(r.request.cookies) + ' body=' + r.body);
  r = http.get(B + '/echo');
  console.log('VU jar request: body=' + r.body + ' request.cookies=' + sorted(r.request.cookies));
  r = http.get(B + '/echo', { jar: own });
  console.log('own request: body=' + r.body + ' request.cookies=' + sorted(r.request.cookies));
  console.log('jars: own=' + sorted(own.cookiesForURL(B)) + ' VU=' + sorted(http.cookieJar().cookiesForURL(B)));
  http.get(B + '/set?n=vu&v=2');
  r = http.get(B + '/echo', { cookies: { vu: { value: 'p', replace: true }, x: 'y' }, headers: { Cookie: 'h=1' } });
  console.log('replace: body=' + sent(r) + ' request.cookies=' + sorted(r.request.cookies));
  r = http.get(B + '/echo', { cookies: { vu: 'q' } });
  console.log('no replace: body=' + r.body + ' request.cookies=' + sorted(r.request.cookies));
  initJar.set(B, 'init', String(__ITER));
  r = http.get(B + '/echo', { jar: initJar });
  console.log('init jar: body=' + r.body + ' jar=' + sorted(initJar.cookiesForURL(B)));
  own.set(B, 'manual', 'm');
  console.log('own after set: body=' + http.get(B + '/echo', { jar: own }).body);
  http.get(B + '/unset?n=own', { jar: own });
  console.log('own after Max-Age=0: ' + sorted(own.cookiesForURL(B)));
  http.get(B + '/set?n=other&v=3', { jar: http.cookieJar() });
  console.log('VU jar named: ' + sorted(http.cookieJar().cookiesForURL(B)));
  console.log('not a jar: body=' + http.get(B + '/echo', { jar: {} }).body);
  const fresh = new http.CookieJar();
  r = http.post(B + '/hop', 'x=1', { jar: fresh, cookies: { c: 'v' } });
  console.log('redirect: body=' + r.body + ' jar=' + sorted(fresh.cookiesForURL(B)) + ' request=' + r.request.method + ' ' + r.request.url + ' ' + r.request.body + ' ' + sorted(r.request.cookies));
  const [a, c] = http.batch([
    ['GET', B + '/set?n=batch&v=4', null, { jar: fresh }],
    ['GET', B + '/echo'],
  ]);
  console.log('batch: own=' + sorted(fresh.cookiesForURL(B)) + ' VU request=' + c.body + ' ' + a.status);
  const wsJar = new http.CookieJar();
  wsJar.set(B, 'pre', '1');
  const W = B.replace('http:', 'ws:') + '/ws';
  const talk = (label, params) =>
    ws.connect(W, params, (s) => s.on('message', (m) => { console.log(label + ' handshake sent: ' + m); s.close(); }));
  talk('ws own jar', { jar: wsJar });
  console.log('ws own jar after: ' + sorted(wsJar.cookiesForURL(B)) + ' VU=' + sorted(http.cookieJar().cookiesForURL(B)));
  talk('ws VU jar', null);
  console.log('ws VU jar after: ' + sorted(http.cookieJar().cookiesForURL(B)));
}
`;

const REDIRECTS = (b: string) => `import http from 'k6/http';
export const options = { vus: 1, iterations: 1 };
export default function () {
  console.log('default limit: ' + http.get('${b}/loop').status);
  console.log('params.redirects: ' + http.get('${b}/loop', { redirects: 2 }).status);
}
`;

const run = (cmd: string, args: string[]) => box.exec(cmd, args);

const runner = (file: string, extra: string[] = []) =>
  run(process.execPath, [...runnerNodeFlags, runnerBin, 'run', '-q', ...extra, file]);

/** The console lines and warnings, the peer's port made neutral. */
function lines(stderr: string): string[] {
  return logMessages(stderr)
    .filter((l) => /level=(info|warning)/.test(l))
    .map((l) => l.replace(/127\.0\.0\.1:\d+/g, 'PEER').replace(/^level=\w+ msg=/, ''));
}

const WANT_COOKIES = [
  'own set: request.cookies={} body=',
  'VU jar request: body= request.cookies={}',
  'own request: body=own=1 request.cookies={"own":[{"name":"own","value":"1","replace":false}]}',
  'jars: own={"own":["1"]} VU={}',
  'replace: body=h=1; vu=p; x=y request.cookies={"h":[{"name":"h","value":"1","replace":false}],"vu":[{"name":"vu","value":"p","replace":false}],"x":[{"name":"x","value":"y","replace":false}]}',
  'no replace: body=vu=q; vu=2 request.cookies={"vu":[{"name":"vu","value":"q","replace":false},{"name":"vu","value":"2","replace":false}]}',
];

test('own jars keep their cookies to themselves; request.cookies lists what was sent', async () => {
  const r = await runner(cookieScript);
  assert.equal(r.code, 0, r.stderr);
  const got = lines(r.stderr);
  assert.deepEqual(
    got.slice(0, WANT_COOKIES.length).map((l) => l.replace(/ source=console$/, '').replace(/^"|"$/g, '')),
    WANT_COOKIES,
  );
  const text = got.join('\n');
  // a jar made in init code keeps its cookies across iterations, set() replacing the value
  assert.match(text, /init jar: body=init=0 jar=\{"init":\["0"\]\}/);
  assert.match(text, /init jar: body=init=1 jar=\{"init":\["1"\]\}/);
  assert.match(text, /own after Max-Age=0: \{"manual":\["m"\]\}/);
  // the redirect's cookie goes with the next hop; response.request is the request the script made
  assert.match(
    text,
    /redirect: body=c=v; hop=1 jar=\{"hop":\["1"\]\} request=POST http:\/\/PEER\/hop x=1 \{"c":\[\{"name":"c","value":"v","replace":false\}\]\}/,
  );
  assert.match(
    text,
    /ws own jar handshake sent: pre=1[^\n]*\n[^\n]*ws own jar after: \{"pre":\["1"\],"wsc":\["5"\]\} VU=\{"other":\["3"\],"vu":\["2"\]\}/,
  );
  assert.match(
    text,
    /ws VU jar handshake sent: (other=3; vu=2|vu=2; other=3)[^\n]*\n[^\n]*ws VU jar after: \{"other":\["3"\],"vu":\["2"\],"wsc":\["5"\]\}/,
  );
  assert.match(
    text,
    /batch: own=\{"batch":\["4"\],"hop":\["1"\]\} VU request=other=3; vu=2 200|batch: own=\{"batch":\["4"\],"hop":\["1"\]\} VU request=vu=2; other=3 200/,
  );
});

test('the redirect warning comes only under the default limit, with the first URL', async () => {
  const r = await runner(redirectScript);
  assert.deepEqual(lines(r.stderr), [
    '"Stopped after 11 redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this" url="http://PEER/loop"',
    '"default limit: 302" source=console',
    '"params.redirects: 302" source=console',
  ]);
  const chosen = await runner(redirectScript, ['--max-redirects', '3']);
  assert.deepEqual(lines(chosen.stderr), [
    '"default limit: 302" source=console',
    '"params.redirects: 302" source=console',
  ]);
});

for (const k6 of realK6sOrSkipReason()) {
  const k6Args = (file: string, extra: string[] = []) => [
    'run',
    '-q',
    ...(k6.major >= 1 ? ['--summary-mode', 'disabled'] : ['--no-summary']),
    ...extra,
    file,
  ];
  test(`cookies and jars: the runner's lines are k6 ${k6.version}'s`, async () => {
    const real = await run(k6.file, k6Args(cookieScript));
    assert.equal(real.code, 0, real.stderr);
    const ours = await runner(cookieScript);
    // The Cookie header orders a VU jar's cookies by path length and creation time in Go, by first
    // setting here: with one path each, the same.
    assert.deepEqual(lines(ours.stderr), lines(real.stderr));
  });
  test(`the redirect limit's warning: the runner's lines are k6 ${k6.version}'s`, async () => {
    for (const extra of [[], ['--max-redirects', '3']]) {
      const real = await run(k6.file, k6Args(redirectScript, extra));
      const ours = await runner(redirectScript, extra);
      assert.deepEqual(lines(ours.stderr), lines(real.stderr), extra.join(' '));
    }
  });
}
