// V8 compiles each WebAssembly function the first time it runs, with its optimising compiler (see
// vm.ts). Iteration paths the init code never touched (requests, suspension, checks, groups) would
// otherwise be compiled during the first iterations of the test, stalling their thread for ~100 ms.
// One throwaway VM runs a representative iteration against stub host functions first; the compiled
// code is shared with every VM of the process, worker threads included.
import { VM } from './vm.ts';
import { encodeResponse, type WireResponse } from '../modules/http-host.ts';

const SCRIPT = `import http from 'k6/http';
import { check, group, sleep } from 'k6';
import { Trend } from 'k6/metrics';
const t = new Trend('warmup_trend');
export default function () {
  group('g', () => {
    const r = http.get('http://127.0.0.1:1/', { tags: { name: 'n' } });
    check(r, { ok: (x) => x.status === 200 && x.json('a') === 1 && x.headers['Content-Type'] !== undefined });
    t.add(r.timings.duration);
  });
  http.post('http://127.0.0.1:1/', JSON.stringify({ a: [1, 2, 3] }), { headers: { 'Content-Type': 'application/json' } });
  sleep(0);
}`;

const RESPONSE: WireResponse = {
  status: 200,
  status_text: '200 OK',
  proto: 'HTTP/1.1',
  url: 'http://127.0.0.1:1/',
  headers: { 'Content-Type': 'application/json' },
  cookies: {},
  body: '{"a":1}',
  error: '',
  error_code: 0,
  timings: {
    duration: 1,
    blocked: 0,
    looking_up: 0,
    connecting: 0,
    tls_handshaking: 0,
    sending: 0,
    waiting: 1,
    receiving: 0,
  },
  remote_ip: '127.0.0.1',
  remote_port: 1,
  tls_version: '',
  tls_cipher_suite: '',
  ocsp: { status: 'unknown' },
  request: { method: 'GET', url: 'http://127.0.0.1:1/', headers: {}, body: '', cookies: {} },
};

let done: Promise<void> | null = null;

export function warmUp(): Promise<void> {
  done ??= (async () => {
    const canned = encodeResponse(RESPONSE);
    const vm = await VM.create({
      sync: { define: () => '', log: () => undefined },
      async: { request: async () => canned, sleep: async () => false },
    });
    try {
      vm.prepare(1, {}, {});
      await vm.load('file:///warmup.js', SCRIPT);
      const fixed = JSON.stringify({
        tags: { scenario: 'warmup' },
        group: '',
        scenario: null,
        countIteration: true,
      });
      for (let i = 0; i < 3; i++) await vm.run('default', i ? '' : fixed, `[${i},${i},null,0]`);
    } catch {
      // A warm-up that fails only costs the compile time it meant to save.
    } finally {
      vm.dispose();
    }
  })();
  return done;
}
