// exec.vu.tags on the runner and on each real k6: it shows the run's, the scenario's and the group tags
// beside the VU's own, what a script sets there stays for the VU's later iterations, and it tags the
// iteration's own samples (iterations, iteration_duration, data_sent, data_received) as it stands at the
// iteration's end. A VU that moves on to another scenario starts it without the tags and metadata it set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { logMessages, runnerBin, Sandbox } from './cli-helpers.ts';
import { runnerNodeFlags } from '../../bin/runner-flags.mjs';
import { realK6sOrSkipReason } from '../../tools/test/real-k6.ts';

const box = new Sandbox();
let server: http.Server;
let script = '';

// Go's maps order the keys at random: they are logged sorted.
const SCRIPT = (base: string) => `import exec from 'k6/execution';
import { group } from 'k6';
import http from 'k6/http';
export const options = {
  scenarios: { a: { executor: 'per-vu-iterations', vus: 1, iterations: 2, tags: { st: 'x' }, exec: 'a' } },
};
const sorted = (o) => JSON.stringify(Object.keys(o).sort().reduce((a, k) => ((a[k] = o[k]), a), {}));
export function a() {
  console.log(__ITER + ' start: ' + sorted(exec.vu.tags) + ' metrics.tags=' + sorted(exec.vu.metrics.tags));
  group('g', () => console.log(__ITER + ' in group: ' + sorted(exec.vu.tags)));
  if (__ITER === 0) {
    exec.vu.tags.mine = 'm0';
    exec.vu.metrics.tags.other = 1;
  }
  exec.vu.tags.scenario = 'renamed' + __ITER;
  console.log(__ITER + ' has scenario: ' + ('scenario' in exec.vu.tags) + ' st=' + exec.vu.tags.st);
  http.get('${base}/');
}
`;

// One VU runs a, then b: a's maxDuration ends it before b starts, so k6 plans a single VU.
const NEXT_SCENARIO = `import exec from 'k6/execution';
import { Counter } from 'k6/metrics';
const probe = new Counter('probe');
export const options = {
  scenarios: {
    a: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'a', maxDuration: '1s', gracefulStop: '0s', tags: { ta: '1' } },
    b: { executor: 'per-vu-iterations', vus: 1, iterations: 1, exec: 'b', startTime: '2s', tags: { tb: '2' } },
  },
};
const sorted = (o) => JSON.stringify(Object.keys(o).sort().reduce((a, k) => ((a[k] = o[k]), a), {}));
export function a() {
  exec.vu.tags.mine = 'x';
  exec.vu.tags.ta = 'over';
  exec.vu.metrics.metadata.m = 'x';
  probe.add(1);
  console.log('a vu' + exec.vu.idInTest + ' ' + sorted(exec.vu.tags));
}
export function b() {
  probe.add(1);
  console.log('b vu' + exec.vu.idInTest + ' ' + sorted(exec.vu.tags) + ' metadata=' + sorted(exec.vu.metrics.metadata));
}
`;
let nextScenario = '';

before(async () => {
  server = http.createServer((_, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  script = box.script('tags.js', SCRIPT(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  nextScenario = box.script('next-scenario.js', NEXT_SCENARIO);
});
after(() => {
  server.close();
  box.cleanup();
});

const run = (cmd: string, args: string[]) => box.exec(cmd, args);

interface Seen {
  lines: string[];
  /** "metric tags" of the iteration's own samples, in order */
  samples: string[];
}

const sortedJSON = (o: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b))));

function seen(stderr: string, out: string): Seen {
  const samples: string[] = [];
  for (const line of readFileSync(path.join(box.dir, out), 'utf8').split('\n')) {
    if (!line) continue;
    const p = JSON.parse(line) as {
      type: string;
      metric: string;
      data: { tags: Record<string, string>; metadata?: Record<string, string> };
    };
    if (p.type !== 'Point') continue;
    if (/^(iterations|iteration_duration|data_sent|data_received)$/.test(p.metric))
      samples.push(`${p.metric} ${sortedJSON(p.data.tags)}`);
    if (p.metric === 'probe')
      samples.push(`probe ${sortedJSON(p.data.tags)} ${JSON.stringify(p.data.metadata ?? {})}`);
  }
  const lines = logMessages(stderr)
    .filter((l) => l.includes('source=console'))
    .map((l) => l.replace(/^level=info msg="|" source=console$/g, ''));
  return { lines, samples };
}

const runner = async (out: string, file = script) => {
  const r = await run(process.execPath, [
    ...runnerNodeFlags,
    runnerBin,
    'run',
    '-q',
    '--tag',
    'cli=c',
    '--out',
    `json=${out}`,
    file,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return seen(r.stderr, out);
};

test('exec.vu.tags shows the run, scenario and group tags and tags the iteration samples', async () => {
  const got = await runner('runner.json');
  assert.deepEqual(got.lines, [
    '0 start: {"cli":"c","group":"","scenario":"a","st":"x"} metrics.tags={"cli":"c","group":"","scenario":"a","st":"x"}',
    '0 in group: {"cli":"c","group":"::g","scenario":"a","st":"x"}',
    '0 has scenario: true st=x',
    '1 start: {"cli":"c","group":"","mine":"m0","other":"1","scenario":"renamed0","st":"x"} metrics.tags={"cli":"c","group":"","mine":"m0","other":"1","scenario":"renamed0","st":"x"}',
    '1 in group: {"cli":"c","group":"::g","mine":"m0","other":"1","scenario":"renamed0","st":"x"}',
    '1 has scenario: true st=x',
  ]);
  const tags = (i: number) =>
    `{"cli":"c","group":"","mine":"m0","other":"1","scenario":"renamed${i}","st":"x"}`;
  assert.deepEqual(
    [...got.samples].sort(),
    [0, 1]
      .flatMap((i) =>
        ['data_received', 'data_sent', 'iteration_duration', 'iterations'].map((m) => `${m} ${tags(i)}`),
      )
      .sort(),
  );
});

test('a VU moving on to another scenario leaves the tags and metadata it set behind', async () => {
  const got = await runner('next.json', nextScenario);
  assert.deepEqual(got.lines, [
    'a vu1 {"cli":"c","group":"","mine":"x","scenario":"a","ta":"over"}',
    'b vu1 {"cli":"c","group":"","scenario":"b","tb":"2"} metadata={}',
  ]);
  assert.deepEqual(
    got.samples.filter((s) => s.startsWith('probe')),
    [
      'probe {"cli":"c","group":"","mine":"x","scenario":"a","ta":"over"} {"m":"x"}',
      'probe {"cli":"c","group":"","scenario":"b","tb":"2"} {}',
    ],
  );
});

for (const k6 of realK6sOrSkipReason()) {
  test(`exec.vu.tags across scenarios: the runner's lines and samples are k6 ${k6.version}'s`, async () => {
    const out = `k6-${k6.version}-next.json`;
    const real = await run(k6.file, ['run', '-q', '--tag', 'cli=c', '--out', `json=${out}`, nextScenario]);
    assert.equal(real.code, 0, real.stderr);
    const want = seen(real.stderr, out);
    const got = await runner('next.json', nextScenario);
    assert.deepEqual(got.lines, want.lines);
    assert.deepEqual([...got.samples].sort(), [...want.samples].sort());
  });
  test(`exec.vu.tags: the runner's lines and iteration sample tags are k6 ${k6.version}'s`, async () => {
    const out = `k6-${k6.version}.json`;
    const real = await run(k6.file, ['run', '-q', '--tag', 'cli=c', '--out', `json=${out}`, script]);
    assert.equal(real.code, 0, real.stderr);
    const want = seen(real.stderr, out);
    const got = await runner('runner.json');
    assert.deepEqual(got.lines, want.lines);
    assert.deepEqual([...got.samples].sort(), [...want.samples].sort());
  });
}
