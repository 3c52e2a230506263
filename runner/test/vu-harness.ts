// Shared by the vu-* and module-* tests: a local HTTP peer and a way to run a script's iterations
// through the real VU pool, collecting samples, log lines and aborts.
import http from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { MetricDef, Sample } from '../metrics/types.ts';
import type { Fields, Level } from '../log.ts';
import { VUPool, initOptionsPass, type RunResult } from '../vu/pool.ts';

export interface Peer {
  url: string;
  close(): Promise<void>;
}

/** A small deterministic HTTP server on 127.0.0.1. */
export async function startPeer(): Promise<Peer> {
  let count = 0;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const parts = u.pathname.split('/').filter(Boolean);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (parts[0] === 'ok') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'abc' });
        res.end(JSON.stringify({ ok: true, list: [1, 2, 3], nested: { name: 'n' } }));
      } else if (parts[0] === 'status') {
        res.writeHead(Number(parts[1]));
        res.end(Number(parts[1]) === 204 ? undefined : `status ${parts[1]}`);
      } else if (parts[0] === 'empty-with-length') {
        // a 204 that announces a body length, as some servers do
        res.writeHead(204, { 'content-length': '15' });
        res.end();
      } else if (parts[0] === 'redirect') {
        const n = Number(parts[1]);
        res.writeHead(302, { location: n > 1 ? `/redirect/${n - 1}` : '/ok' });
        res.end();
      } else if (parts[0] === 'echo') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
      } else if (parts[0] === 'count') {
        res.writeHead(200, { 'x-count': String(++count) });
        res.end();
      } else if (parts[0] === 'raw') {
        res.writeHead(200, { 'content-type': 'text/plain', 'x-length': String(body.length) });
        res.end(body);
      } else if (parts[0] === 'slow') {
        setTimeout(() => res.end('slow'), Number(parts[1]));
      } else if (parts[0] === 'gzip') {
        res.writeHead(200, { 'content-encoding': 'gzip' });
        res.end(zlib.gzipSync('compressed hello'));
      } else if (parts[0] === 'cookie') {
        res.writeHead(200, { 'set-cookie': 'sid=42; Path=/; HttpOnly' });
        res.end(req.headers.cookie ?? '');
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function writeScript(source: string, name = 'script.js'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runner-vu-'));
  const file = path.join(dir, name);
  writeFileSync(file, source);
  return file;
}

export interface LogLine {
  level: Level;
  msg: string;
  fields: Fields;
}

export interface Collected {
  samples: Sample[];
  defs: MetricDef[];
  logs: LogLine[];
  aborts: string[];
}

export function collector(): Collected & {
  onSamples: (b: Sample[]) => void;
  onDefine: (d: MetricDef) => void;
  onLog: (level: Level, msg: string, fields: Fields) => void;
  onAbort: (m: string) => void;
} {
  const c: Collected = { samples: [], defs: [], logs: [], aborts: [] };
  return {
    ...c,
    onSamples: (b) => c.samples.push(...b),
    onDefine: (d) => c.defs.push(d),
    onLog: (level, msg, fields) => c.logs.push({ level, msg, fields }),
    onAbort: (m) => c.aborts.push(m),
  };
}

/**
 * Runs `iterations` iterations of `fn` (main-thread pool unless `workers` says otherwise) and returns what
 * came out: round robin over the `vus` VUs, or all on VU `onVU`.
 */
export async function runIterations(
  source: string,
  opts: {
    env?: Record<string, string>;
    iterations?: number;
    fn?: string;
    workers?: number;
    vus?: number;
    onVU?: number;
  } = {},
): Promise<Collected & { results: RunResult[] }> {
  const script = writeScript(source);
  const env = opts.env ?? {};
  const init = await initOptionsPass({ script, env });
  const c = collector();
  const pool = await VUPool.create({
    script,
    env,
    options: init.options,
    count: opts.vus ?? 1,
    workers: opts.workers ?? 0,
    ...c,
  });
  const results: RunResult[] = [];
  const scenario = { name: 'default', executor: 'shared-iterations', startTime: Date.now() };
  try {
    for (let i = 0; i < (opts.iterations ?? 1); i++) {
      const vu = pool.vu(opts.onVU ?? 1 + (i % (opts.vus ?? 1)));
      results.push(
        await vu.run({
          fn: opts.fn ?? 'default',
          scenario,
          iterationInScenario: i,
          iterationInTest: i,
          tags: {},
        }),
      );
    }
  } finally {
    await pool.close();
  }
  return { ...c, results };
}

export function byMetric(samples: Sample[], metric: string): Sample[] {
  return samples.filter((s) => s.metric === metric);
}
