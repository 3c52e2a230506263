// A stand-in for the Grafana Cloud k6 API on 127.0.0.1, for tests that point real k6 at it (K6_CLOUD_HOST,
// K6_CLOUD_HOST_V6). It answers the calls k6 makes to upload a test, start a cloud run and report on it, and
// to create the test run of a local execution; it keeps every call and unpacks every uploaded archive.
//
// Two API generations, as k6 v0.49.0 and v2.2.0 call them:
//   k6 before 2.0 (`k6 cloud`, `k6 run --out cloud`): /v1/validate-options, /v1/archive-upload (multipart:
//     name, project_id, upload_only, file), /v1/test-progress/<ref>, /v1/tests (JSON), auth "Token <t>".
//   k6 2.x (`k6 cloud upload|run`): /cloud/v6/validate_options, /cloud/v6/projects/<id>/load_tests
//     (multipart: name, script), /cloud/v6/load_tests/<id>/start, /cloud/v6/test_runs/<id>, and for
//     --local-execution /provisioning/v1/load_tests/<id>/start_local_execution; auth "Bearer <t>", X-Stack-Id.
// A local execution is refused at the step that would start it, so a test ends after the creation call
// instead of streaming metrics. The server also poses as the HTTP(S) proxy: a request for any other host
// arrives as a proxy request, is refused and recorded, so a test can prove that k6 reached nothing else.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { readTar, type TarEntry } from '../tar.ts';

export interface Call {
  method: string;
  path: string;
  authorization?: string;
  stackId?: string;
  body: Buffer;
}

export interface Upload {
  /** The path it arrived on. */
  path: string;
  /** The multipart text fields (name, project_id, upload_only). */
  fields: Record<string, string>;
  /** The project in the path (v6) or in the project_id field (v1). */
  projectId?: number;
  files: TarEntry[];
  metadata: Record<string, any>;
}

export interface Standin {
  url: string;
  calls: Call[];
  uploads: Upload[];
  /** Hosts k6 tried to reach through the proxy: anything but this server. */
  strays: string[];
  /** Forgets every call, upload and stray, for the next test. */
  reset(): void;
  close(): Promise<void>;
}

export const REFUSAL = 'the stand-in stops a local execution here';

function multipart(body: Buffer, contentType: string): Map<string, Buffer> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  const parts = new Map<string, Buffer>();
  if (!boundary) return parts;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length + 2;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const name = /name="([^"]*)"/.exec(part.subarray(0, split).toString('utf8'))?.[1];
    if (name !== undefined) parts.set(name, part.subarray(split + 4));
    at = next;
  }
  return parts;
}

function unpack(path: string, fields: Record<string, string>, tar: Buffer, projectId?: number): Upload {
  const raw = tar[0] === 0x1f && tar[1] === 0x8b ? gunzipSync(tar) : tar;
  const files = readTar(raw);
  const meta = files.find((f) => f.name === 'metadata.json');
  return {
    path,
    fields,
    projectId,
    files,
    metadata: meta ? JSON.parse(meta.data.toString('utf8')) : {},
  };
}

const NOW = () => new Date().toISOString();

/** The test run as k6 2.x decodes it: every property its client requires, finished and passed. */
function testRun(id: number): Record<string, unknown> {
  const now = NOW();
  return {
    id,
    test_id: id,
    project_id: 0,
    started_by: null,
    created: now,
    ended: now,
    note: '',
    retention_expiry: null,
    cost: null,
    status: 'completed',
    status_details: { type: 'completed', entered: now },
    status_history: [
      { type: 'running', entered: now },
      { type: 'completed', entered: now },
    ],
    distribution: [],
    result: 'passed',
    result_details: null,
    options: {},
    k6_dependencies: {},
    k6_versions: {},
    max_vus: null,
    max_browser_vus: null,
    estimated_duration: null,
    execution_duration: 0,
    is_starred: false,
  };
}

type Reply = [status: number, body?: unknown];

/** Load tests (k6 2.x) by id, 1 up; a test's run has the same id. Uploads (v1) by reference "ref-<index>". */
interface State {
  tests: string[];
  uploads: Upload[];
}

function route(call: Call, contentType: string, state: State): Reply {
  const { method, path } = call;
  const known = (id: string) => Number(id) >= 1 && Number(id) <= state.tests.length;
  let m: RegExpExecArray | null;

  // k6 up to 1.x
  if (method === 'POST' && path === '/v1/validate-options') return [200, {}];
  if (method === 'POST' && path === '/v1/archive-upload') {
    const parts = multipart(call.body, contentType);
    const fields: Record<string, string> = {};
    for (const [k, v] of parts) if (k !== 'file') fields[k] = v.toString('utf8');
    const project = fields.project_id ? Number(fields.project_id) : undefined;
    state.uploads.push(unpack(path, fields, parts.get('file') ?? Buffer.alloc(0), project));
    return [200, { reference_id: `ref-${state.uploads.length - 1}` }];
  }
  if (
    method === 'GET' &&
    (m = /^\/v1\/test-progress\/ref-(\d+)$/.exec(path)) &&
    state.uploads[Number(m[1])]
  ) {
    // An upload-only test is archived at once; a cloud run reports that it ran and passed.
    return state.uploads[Number(m[1])].fields.upload_only === 'true'
      ? [200, { run_status: 10, run_status_text: 'Archived', result_status: 0, progress: 1 }]
      : [200, { run_status: 3, run_status_text: 'Finished', result_status: 0, progress: 1 }];
  }
  if (method === 'POST' && path === '/v1/tests') return [403, { error: { code: 0, message: REFUSAL } }];

  // k6 2.x
  if (method === 'POST' && path === '/cloud/v6/validate_options') {
    const vuh = 0.5;
    const breakdown = {
      protocol_vuh: vuh,
      browser_vuh: 0,
      base_total_vuh: vuh,
      reduction_rate: 0,
      reduction_rate_breakdown: {},
    };
    return [200, { vuh_usage: vuh, breakdown }];
  }
  if (method === 'POST' && (m = /^\/cloud\/v6\/projects\/(\d+)\/load_tests$/.exec(path))) {
    const parts = multipart(call.body, contentType);
    const name = parts.get('name')?.toString('utf8') ?? '';
    const script = parts.get('script');
    if (script) state.uploads.push(unpack(path, { name }, script, Number(m[1])));
    state.tests.push(name);
    const now = NOW();
    return [
      201,
      {
        id: state.tests.length,
        project_id: Number(m[1]),
        name,
        baseline_test_run_id: null,
        created: now,
        updated: now,
      },
    ];
  }
  if (method === 'POST' && (m = /^\/cloud\/v6\/load_tests\/(\d+)\/start$/.exec(path)) && known(m[1])) {
    const run = { ...testRun(Number(m[1])), status: 'created' };
    return [200, { ...run, test_run_details_page_url: 'http://127.0.0.1/run' }];
  }
  if (method === 'GET' && (m = /^\/cloud\/v6\/test_runs\/(\d+)$/.exec(path)) && known(m[1])) {
    return [200, testRun(Number(m[1]))];
  }
  if (method === 'POST' && /^\/provisioning\/v1\/load_tests\/\d+\/start_local_execution$/.test(path)) {
    return [400, { error: { code: 'standin', message: REFUSAL } }];
  }
  return [404, { error: { code: 'not_found', message: `the stand-in has no ${method} ${path}` } }];
}

export async function startStandin(): Promise<Standin> {
  const calls: Call[] = [];
  const strays: string[] = [];
  const state: State = { tests: [], uploads: [] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // A proxy request names its target in full: k6 tried to reach another host.
      if (/^https?:\/\//.test(req.url ?? '')) {
        strays.push(new URL(req.url!).host);
        res.writeHead(403).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      const call: Call = {
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0],
        authorization: req.headers.authorization,
        stackId: req.headers['x-stack-id'] as string | undefined,
        body: req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw,
      };
      calls.push(call);
      let reply: Reply;
      try {
        reply = route(call, req.headers['content-type'] ?? '', state);
      } catch (err) {
        reply = [400, { error: { code: 'bad_request', message: (err as Error).message } }];
      }
      const [status, body] = reply;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
  });
  server.on('connect', (req, socket) => {
    strays.push(req.url ?? '');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    uploads: state.uploads,
    strays,
    reset: () => {
      calls.length = 0;
      strays.length = 0;
      state.tests.length = 0;
      state.uploads.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
