// Startup and memory of the VU pool: time to initialise N VUs running a small http script, and the
// process RSS (worker threads included) once they are up and after each has run one iteration.
// Usage: node --import tsx bench/runner-vus.ts [--vus 200] [--workers N]
import { writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { runBundledIfSource } from './runner-throughput-build.ts';
import { VUPool, initOptionsPass } from '../runner/vu/pool.ts';

if (await runBundledIfSource(import.meta.url)) process.exit();

const { values } = parseArgs({
  options: { vus: { type: 'string', default: '200' }, workers: { type: 'string' } },
});
const vus = Number(values.vus);

const server = http.createServer((_q, s) => s.end('hello'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-bench-'));
const script = path.join(dir, 'vus.js');
writeFileSync(
  script,
  `import http from 'k6/http';\nimport { check, sleep } from 'k6';\n` +
    `export default function () { const r = http.get(__ENV.URL); check(r, { ok: (x) => x.status === 200 }); }\n`,
);
const rssBefore = process.memoryUsage.rss();
const init = await initOptionsPass({ script, env: { URL: url } });
const t0 = performance.now();
const pool = await VUPool.create({
  script,
  env: { URL: url },
  options: init.options,
  count: vus,
  workers: values.workers === undefined ? undefined : Number(values.workers),
  onSamples: () => {},
});
const initMs = performance.now() - t0;
const rssIdle = process.memoryUsage.rss();
await Promise.all(Array.from({ length: vus }, (_, i) => pool.vu(i + 1).run({ fn: 'default', tags: {} })));
const rssRan = process.memoryUsage.rss();
await pool.close();
server.close();
const mb = (n: number) => (n / 1e6).toFixed(0);
console.log(
  `${vus} VUs: initialised in ${initMs.toFixed(0)} ms; RSS ${mb(rssBefore)} MB before, ${mb(rssIdle)} MB idle, ` +
    `${mb(rssRan)} MB after one iteration each`,
);
