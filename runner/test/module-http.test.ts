import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { byMetric, runIterations, startPeer, type Peer } from './vu-harness.ts';

let peer: Peer;
before(async () => {
  peer = await startPeer();
});
after(() => peer.close());

const PHASES = [
  'http_reqs',
  'http_req_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_tls_handshaking',
  'http_req_sending',
  'http_req_waiting',
  'http_req_receiving',
  'http_req_failed',
];

test('a GET emits every http_req_* metric with k6 system tags', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () { const r = http.get(__ENV.BASE + '/ok'); if (r.status !== 200) throw new Error('status ' + r.status); }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(out.results, [{ ok: true }]);
  for (const m of PHASES) assert.equal(byMetric(out.samples, m).length, 1, m);
  const [req] = byMetric(out.samples, 'http_reqs');
  assert.deepEqual(req.tags, {
    scenario: 'default',
    group: '',
    url: `${peer.url}/ok`,
    name: `${peer.url}/ok`,
    method: 'GET',
    status: '200',
    proto: 'HTTP/1.1',
    expected_response: 'true',
  });
  const [dur] = byMetric(out.samples, 'http_req_duration');
  const parts = ['http_req_sending', 'http_req_waiting', 'http_req_receiving'].map(
    (m) => byMetric(out.samples, m)[0].value,
  );
  assert.ok(
    Math.abs(dur.value - parts.reduce((a, b) => a + b)) < 1e-6,
    'duration = sending + waiting + receiving',
  );
  assert.ok(byMetric(out.samples, 'http_req_connecting')[0].value > 0, 'a new connection is timed');
  assert.equal(byMetric(out.samples, 'http_req_failed')[0].value, 0);
  assert.ok(byMetric(out.samples, 'data_sent')[0].value > 50);
  assert.ok(byMetric(out.samples, 'data_received')[0].value > 50);
});

test('the Response object: status_text, canonical headers, json(selector), timings, request', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const r = http.get(__ENV.BASE + '/ok');
       console.log(JSON.stringify([r.status_text, r.headers['Content-Type'], r.headers['X-Request-Id'], r.json('ok'),
         r.json('list.1'), r.json('nested.name'), r.json('missing'), r.json('list.#'), typeof r.timings.duration,
         r.request.method, r.url, r.proto]));
     }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    '200 OK',
    'application/json',
    'abc',
    true,
    2,
    'n',
    null,
    3,
    'number',
    'GET',
    `${peer.url}/ok`,
    'HTTP/1.1',
  ]);
  assert.deepEqual(out.logs[0].fields, { source: 'console' });
});

test('params.tags.name and http.url templates set both name and url', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       http.get(__ENV.BASE + '/status/200', { tags: { name: 'by-code', extra: 'x' } });
       const code = 201;
       http.get(http.url\`\${__ENV.BASE}/status/\${code}\`);
     }`,
    { env: { BASE: peer.url } },
  );
  const reqs = byMetric(out.samples, 'http_reqs');
  assert.equal(reqs[0].tags.name, 'by-code');
  assert.equal(reqs[0].tags.url, 'by-code');
  assert.equal(reqs[0].tags.extra, 'x');
  assert.equal(reqs[1].tags.name, '${}/status/${}');
  assert.equal(reqs[1].tags.status, '201');
});

test('each redirect hop is its own request; the response is the last hop', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () { const r = http.get(__ENV.BASE + '/redirect/2'); console.log(r.status + ' ' + r.url); }`,
    { env: { BASE: peer.url } },
  );
  const reqs = byMetric(out.samples, 'http_reqs');
  assert.deepEqual(
    reqs.map((s) => `${s.tags.status} ${s.tags.url.replace(peer.url, '')}`),
    ['302 /redirect/2', '302 /redirect/1', '200 /ok'],
  );
  assert.equal(out.logs[0].msg, `200 ${peer.url}/ok`);
});

test('redirects: 0 returns the 3xx', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () { console.log(String(http.get(__ENV.BASE + '/redirect/2', { redirects: 0 }).status)); }`,
    { env: { BASE: peer.url } },
  );
  assert.equal(out.logs[0].msg, '302');
  assert.equal(byMetric(out.samples, 'http_reqs').length, 1);
});

test('expectedStatuses and setResponseCallback decide http_req_failed and expected_response', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     http.setResponseCallback(http.expectedStatuses(200, 404, { min: 300, max: 399 }));
     export default function () {
       http.get(__ENV.BASE + '/status/404');
       http.get(__ENV.BASE + '/status/503');
       http.get(__ENV.BASE + '/status/503', { responseCallback: http.expectedStatuses(503) });
       http.get(__ENV.BASE + '/status/200', { responseCallback: null });
     }`,
    { env: { BASE: peer.url } },
  );
  const failed = byMetric(out.samples, 'http_req_failed');
  assert.deepEqual(
    failed.map((s) => [s.tags.status, s.value, s.tags.expected_response]),
    [
      ['404', 0, 'true'],
      ['503', 1, 'false'],
      ['503', 0, 'true'],
    ],
  );
  const reqs = byMetric(out.samples, 'http_reqs');
  assert.equal(reqs[3].tags.expected_response, undefined, 'no callback: no expected_response tag');
  assert.equal(reqs[1].tags.error_code, '1503');
});

test('the same plain request again after its callback, group or method changed is sent as changed', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     import { group } from 'k6';
     export default function () {
       const u = __ENV.BASE + '/status/404';
       http.get(u);
       http.setResponseCallback(http.expectedStatuses(404));
       http.get(u);
       group('g', () => http.get(u));
       http.get(u);
       http.request('HEAD', u);
     }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(out.results, [{ ok: true }]);
  assert.deepEqual(
    byMetric(out.samples, 'http_reqs').map((s) => [s.tags.expected_response, s.tags.group, s.tags.method]),
    [
      ['false', '', 'GET'],
      ['true', '', 'GET'],
      ['true', '::g', 'GET'],
      ['true', '', 'GET'],
      ['true', '', 'HEAD'],
    ],
  );
});

test('expectedStatuses rejects what is neither an integer nor {min,max}', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () { http.expectedStatuses('200'); }`,
  );
  assert.equal(out.results[0].ok, false);
  assert.match(out.results[0].error ?? '', /argument number 1 to expectedStatuses/);
});

test('connection refused: status 0, error_code 1212, the k6 "Request Failed" warning', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const r = http.get('http://127.0.0.1:1/refused', { timeout: '2s' });
       console.log('status=' + r.status + ' error_code=' + r.error_code + ' error=' + r.error + ' body=' + r.body);
     }`,
  );
  const warn = out.logs.find((l) => l.level === 'warning');
  assert.deepEqual(warn, {
    level: 'warning',
    msg: 'Request Failed',
    fields: { error: 'Get "http://127.0.0.1:1/refused": dial tcp 127.0.0.1:1: connect: connection refused' },
  });
  assert.equal(
    out.logs.find((l) => l.level === 'info')?.msg,
    'status=0 error_code=1212 error=dial: connection refused body=null',
  );
  const [req] = byMetric(out.samples, 'http_reqs');
  assert.equal(req.tags.status, '0');
  assert.equal(req.tags.error_code, '1212');
  assert.equal(req.tags.error, 'dial: connection refused');
  assert.equal(req.tags.proto, undefined);
  assert.equal(byMetric(out.samples, 'http_req_failed')[0].value, 1);
});

test('a request past its timeout fails with 1050; with throw it throws', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const r = http.get(__ENV.BASE + '/slow/2000', { timeout: 100 });
       console.log(r.error_code + ' ' + r.error);
       http.get(__ENV.BASE + '/slow/2000', { timeout: '100ms', throw: true });
     }`,
    { env: { BASE: peer.url } },
  );
  assert.equal(out.logs.find((l) => l.level === 'info')?.msg, '1050 request timeout');
  assert.equal(out.results[0].ok, false);
  assert.match(out.results[0].error ?? '', /request timeout/);
});

test('responses in a row: repeated and changed heads, separator characters in a body, a very long URL', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const statuses = ['201', '201', '404', '201'].map((s) => http.get(__ENV.BASE + '/status/' + s).status);
       const long = __ENV.BASE + '/raw?q=' + 'x'.repeat(10000);
       const r = http.post(long, 'a\u0001b\u0001\u0001c');
       const again = http.post(__ENV.BASE + '/raw', '\u0001');
       const counts = [1, 2, 3].map(() => http.get(__ENV.BASE + '/count').headers['X-Count']);
       const same = [1, 2].map(() => http.get(__ENV.BASE + '/ok').headers['X-Request-Id']);
       console.log(JSON.stringify([statuses, r.status, r.body, r.url.length, r.headers['X-Length'], typeof r.timings.waiting,
         r.request.url.length, again.body, again.headers['X-Length'], again.request.body, JSON.parse(JSON.stringify(again)).body, Object.keys(r.timings), counts.map(Number), same]));
     }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(out.results, [{ ok: true }]);
  const long = `${peer.url}/raw?q=`.length + 10000;
  const logged = JSON.parse(out.logs[0].msg) as unknown[];
  // the same request three times, each response with another header value
  const counts = logged.splice(12, 1)[0] as number[];
  assert.deepEqual(counts, [counts[0], counts[0] + 1, counts[0] + 2]);
  assert.deepEqual(logged, [
    [201, 201, 404, 201],
    200,
    'a\u0001b\u0001\u0001c',
    long,
    '6',
    'number',
    long,
    '\u0001',
    '1',
    '\u0001',
    '\u0001',
    ['blocked', 'looking_up', 'connecting', 'tls_handshaking', 'sending', 'waiting', 'receiving', 'duration'],
    ['abc', 'abc'],
  ]);
});

test('bodies: strings as is, objects form-encoded, headers sent', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const a = http.post(__ENV.BASE + '/echo', JSON.stringify({ a: 1 }), { headers: { 'Content-Type': 'application/json', 'X-Custom': 'v' } });
       const b = http.put(__ENV.BASE + '/echo', { b: 'x y', a: '1&2' });
       console.log(JSON.stringify([a.json('body'), a.json('headers.x-custom'), a.json('headers.user-agent'), b.json('method'), b.json('body'), b.json('headers.content-type')]));
     }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    '{"a":1}',
    'v',
    'k6/0.49.0 (https://k6.io/)',
    'PUT',
    'a=1%262&b=x+y',
    'application/x-www-form-urlencoded',
  ]);
});

test('batch runs requests together and keeps the input shape', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const arr = http.batch([__ENV.BASE + '/status/200', ['GET', __ENV.BASE + '/status/201'], { method: 'POST', url: __ENV.BASE + '/echo', body: 'x' }]);
       const obj = http.batch({ one: __ENV.BASE + '/status/202' });
       console.log(arr.map((r) => r.status).join(',') + ' ' + obj.one.status);
     }`,
    { env: { BASE: peer.url } },
  );
  assert.equal(out.logs[0].msg, '200,201,200 202');
  assert.equal(byMetric(out.samples, 'http_reqs').length, 4);
});

test('gzip bodies are decoded; responses set cookies for the next request', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const g = http.get(__ENV.BASE + '/gzip');
       const c1 = http.get(__ENV.BASE + '/cookie');
       const c2 = http.get(__ENV.BASE + '/cookie');
       const c3 = http.get(__ENV.BASE + '/cookie', { headers: { 'X-Try': '3' } });
       console.log(JSON.stringify([g.body, c1.cookies.sid[0].value, c1.cookies.sid[0].http_only, c2.body,
         c1.request.headers.Cookie ?? null, c2.request.headers.Cookie, c3.request.headers['X-Try'],
         Object.keys(g.cookies).length, c2.remote_ip]));
     }`,
    { env: { BASE: peer.url } },
  );
  // The same request sent again reports the headers it went out with, the jar's cookie included.
  assert.deepEqual(JSON.parse(out.logs[0].msg), [
    'compressed hello',
    '42',
    true,
    'sid=42',
    null,
    ['sid=42'],
    ['3'],
    0,
    '127.0.0.1',
  ]);
});

test('204 has a null body, even with a Content-Length; responseType binary gives an ArrayBuffer', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const a = http.get(__ENV.BASE + '/status/204');
       const b = http.get(__ENV.BASE + '/ok', { responseType: 'binary' });
       const c = http.get(__ENV.BASE + '/empty-with-length');
       console.log(JSON.stringify([a.body, b.body instanceof ArrayBuffer, b.body.byteLength > 10, c.status, c.error_code, c.body]));
     }`,
    { env: { BASE: peer.url } },
  );
  assert.deepEqual(JSON.parse(out.logs[0].msg), [null, true, true, 204, 0, null]);
  assert.equal(out.logs.length, 1, 'no "Request Failed" warning');
});

test('requests in the init context throw (an init error)', async () => {
  await assert.rejects(
    runIterations(
      `import http from 'k6/http';\nhttp.get('http://127.0.0.1:1/');\nexport default function () {}`,
    ),
    (e: Error & { exitCode?: number }) =>
      e.exitCode === 107 && /not supported in the init context/.test(e.message),
  );
});

test('connections are reused across iterations, unless noVUConnectionReuse', async () => {
  const src = `import http from 'k6/http';\nexport default function () { http.get(__ENV.BASE + '/ok'); }`;
  const { VUPool } = await import('../vu/pool.ts');
  const { collector, writeScript } = await import('./vu-harness.ts');
  const connecting: number[][] = [];
  for (const options of [{}, { noVUConnectionReuse: true }]) {
    const c = collector();
    const pool = await VUPool.create({
      script: writeScript(src),
      env: { BASE: peer.url },
      options,
      count: 1,
      workers: 0,
      ...c,
    });
    for (let i = 0; i < 3; i++) await pool.vu(1).run({ fn: 'default', tags: {} });
    await pool.close();
    connecting.push(byMetric(c.samples, 'http_req_connecting').map((s) => s.value));
  }
  assert.ok(connecting[0][0] > 0);
  assert.ok(connecting[0].slice(1).includes(0), `a connection is reused: ${connecting[0]}`);
  assert.ok(
    connecting[1].every((v) => v > 0),
    `a new connection each iteration: ${connecting[1]}`,
  );
});

test('an object body with http.file() goes out as multipart/form-data', async () => {
  const out = await runIterations(
    `import http from 'k6/http';
     export default function () {
       const r = http.post(__ENV.BASE + '/echo', { field: 'v', upload: http.file('file-content', 'a.txt', 'text/plain') });
       console.log(JSON.stringify([r.json('headers.content-type').split(';')[0], r.json('body')]));
     }`,
    { env: { BASE: peer.url } },
  );
  const [type, body] = JSON.parse(out.logs[0].msg) as [string, string];
  assert.equal(type, 'multipart/form-data');
  assert.match(body, /Content-Disposition: form-data; name="field"\r\n\r\nv\r\n/);
  assert.match(body, /name="upload"; filename="a.txt"\r\nContent-Type: text\/plain\r\n\r\nfile-content\r\n/);
});

test('batch keeps at most batchPerHost requests in flight per host', async () => {
  const src = `import http from 'k6/http';
    export default function () {
      const reqs = [];
      for (let i = 0; i < 6; i++) reqs.push(__ENV.BASE + '/slow/150');
      const t = Date.now();
      const res = http.batch(reqs);
      console.log(res.length + ' ' + (Date.now() - t));
    }`;
  const { VUPool } = await import('../vu/pool.ts');
  const { collector, writeScript } = await import('./vu-harness.ts');
  const took: number[] = [];
  for (const options of [{}, { batchPerHost: 2 }]) {
    const c = collector();
    const pool = await VUPool.create({
      script: writeScript(src),
      env: { BASE: peer.url },
      options,
      count: 1,
      workers: 0,
      ...c,
    });
    await pool.vu(1).run({ fn: 'default', tags: {} });
    await pool.close();
    const [n, ms] = c.logs[0].msg.split(' ').map(Number);
    assert.equal(n, 6);
    took.push(ms);
  }
  assert.ok(took[0] < 400, `6 at once (default 6 per host): ${took[0]} ms`);
  assert.ok(took[1] >= 440, `2 at a time, three rounds of 150 ms: ${took[1]} ms`);
});
