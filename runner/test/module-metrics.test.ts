import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initOptionsPass } from '../vu/pool.ts';
import { byMetric, runIterations, writeScript } from './vu-harness.ts';

test('custom metrics of every type: definitions at init, samples with tags', async () => {
  const src = `import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
    const c = new Counter('things'); const g = new Gauge('depth'); const r = new Rate('good'); const t = new Trend('work_ms', true);
    const again = new Counter('things');
    export default function () {
      c.add(2, { kind: 'a' }); g.add(__VU * 10); r.add(true); r.add(0); t.add(5.5); again.add(1);
      console.log(String(c.add(NaN)));
    }`;
  const init = await initOptionsPass({ script: writeScript(src), env: {} });
  assert.deepEqual(init.metrics, [
    { name: 'things', type: 'counter', contains: 'default' },
    { name: 'depth', type: 'gauge', contains: 'default' },
    { name: 'good', type: 'rate', contains: 'default' },
    { name: 'work_ms', type: 'trend', contains: 'time' },
  ]);
  const out = await runIterations(src);
  assert.deepEqual(
    byMetric(out.samples, 'things').map((s) => [s.value, s.tags]),
    [
      [2, { scenario: 'default', group: '', kind: 'a' }],
      [1, { scenario: 'default', group: '' }],
    ],
  );
  assert.equal(byMetric(out.samples, 'depth')[0].value, 10);
  assert.deepEqual(
    byMetric(out.samples, 'good').map((s) => s.value),
    [1, 0],
  );
  assert.equal(byMetric(out.samples, 'work_ms')[0].value, 5.5);
  assert.equal(out.logs.find((l) => l.level === 'info')?.msg, 'false');
  assert.ok(out.logs.some((l) => l.level === 'warning' && /not a number/.test(l.msg)));
});

test('redeclaring a metric with another type fails at init', async () => {
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import { Counter, Trend } from 'k6/metrics';\nnew Counter('x_y'); new Trend('x_y');\nexport default function () {}`,
      ),
      env: {},
    }),
    /metric 'x_y' already exists/,
  );
});

test('metrics cannot be made outside init or added inside it', async () => {
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import { Counter } from 'k6/metrics';\nconst c = new Counter('c_c'); c.add(1);\nexport default function () {}`,
      ),
      env: {},
    }),
    /init context/,
  );
  const out = await runIterations(
    `import { Counter } from 'k6/metrics';\nexport default function () { new Counter('late'); }`,
  );
  assert.match(out.results[0].error ?? '', /init context/);
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import { Counter } from 'k6/metrics';\nnew Counter('1bad');\nexport default function () {}`,
      ),
      env: {},
    }),
    /Invalid metric name/,
  );
});

test('a custom metric cannot take a built-in name with another type', async () => {
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import { Trend } from 'k6/metrics';\nnew Trend('http_reqs');\nexport default function () {}`,
      ),
      env: {},
    }),
    /metric 'http_reqs' already exists/,
  );
});
