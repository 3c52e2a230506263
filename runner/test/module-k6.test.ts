import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byMetric, runIterations } from './vu-harness.ts';

test('check emits one checks sample per condition, tagged with check and group', async () => {
  const out = await runIterations(
    `import { check, group } from 'k6';
     export default function () {
       const all = check(5, { 'is five': (x) => x === 5, 'is six': (x) => x === 6, 'truthy value': 1 }, { extra: 'e' });
       group('g', () => check(null, { inner: () => true }));
       console.log(String(all));
     }`,
  );
  const checks = byMetric(out.samples, 'checks');
  assert.deepEqual(
    checks.map((s) => [s.tags.check, s.value, s.tags.group, s.tags.extra]),
    [
      ['is five', 1, '', 'e'],
      ['is six', 0, '', 'e'],
      ['truthy value', 1, '', 'e'],
      ['inner', 1, '::g', undefined],
    ],
  );
  assert.equal(out.logs[0].msg, 'false');
});

test('a throwing check condition counts as failed and is rethrown', async () => {
  const out = await runIterations(
    `import { check } from 'k6';
     export default function () { check(1, { boom: () => { throw new Error('cond'); }, never: () => true }); }`,
  );
  assert.deepEqual(
    byMetric(out.samples, 'checks').map((s) => [s.tags.check, s.value]),
    [['boom', 0]],
  );
  assert.match(out.results[0].error ?? '', /^Error: cond/);
});

test('group nests paths, returns the callback value and emits group_duration with the inner path', async () => {
  const out = await runIterations(
    `import { group, sleep } from 'k6';
     export default function () {
       const v = group('outer', () => group('inner', () => { sleep(0.02); return 42; }));
       console.log(String(v));
     }`,
  );
  assert.equal(out.logs[0].msg, '42');
  const gd = byMetric(out.samples, 'group_duration');
  assert.deepEqual(
    gd.map((s) => s.tags.group),
    ['::outer::inner', '::outer'],
  );
  assert.ok(gd[0].value >= 15, `inner group lasted ${gd[0].value} ms`);
  assert.equal(byMetric(out.samples, 'iterations')[0].tags.group, '');
});

test('group rejects names with :: and async callbacks', async () => {
  const out = await runIterations(
    `import { group } from 'k6';
     export default function () {
       try { group('a::b', () => 1); } catch (e) { console.log(e.message); }
       try { group('x', async () => 1); } catch (e) { console.log(e.message); }
     }`,
  );
  assert.match(out.logs[0].msg, /may not contain "::"/);
  assert.match(out.logs[1].msg, /does not support async functions/);
});

test('fail() ends the iteration with a GoError and the iteration still counts', async () => {
  const out = await runIterations(
    `import { fail } from 'k6';
     export default function () { fail('on purpose'); }`,
    { iterations: 2 },
  );
  assert.equal(out.results[0].ok, false);
  assert.match(out.results[0].error ?? '', /^GoError: on purpose\n\tat file:\/\/\/.*script\.js:2:\d+\n$/);
  const err = out.logs.filter((l) => l.level === 'error');
  assert.equal(err.length, 2);
  assert.deepEqual(err[0].fields, {
    executor: 'shared-iterations',
    scenario: 'default',
    source: 'stacktrace',
  });
  assert.equal(byMetric(out.samples, 'iterations').length, 2);
});

test('randomSeed makes Math.random repeatable', async () => {
  const out = await runIterations(
    `import { randomSeed } from 'k6';
     export default function () {
       randomSeed(7); const a = [Math.random(), Math.random()];
       randomSeed(7); const b = [Math.random(), Math.random()];
       randomSeed(8); const c = Math.random();
       console.log(JSON.stringify([a[0] === b[0] && a[1] === b[1], a[0] !== c, a[0] >= 0 && a[0] < 1]));
     }`,
  );
  assert.equal(out.logs[0].msg, '[true,true,true]');
});

test('sleep waits for real', async () => {
  const started = Date.now();
  const out = await runIterations(`import { sleep } from 'k6';\nexport default function () { sleep(0.15); }`);
  assert.ok(Date.now() - started >= 140);
  assert.ok(byMetric(out.samples, 'iteration_duration')[0].value >= 140);
});

test('console methods map to log levels; objects print as JSON', async () => {
  const out = await runIterations(
    `export default function () { console.log('a', 1, { b: 2 }); console.warn('w'); console.error('e'); console.info([1]); }`,
  );
  assert.deepEqual(
    out.logs.map((l) => [l.level, l.msg]),
    [
      ['info', 'a 1 {"b":2}'],
      ['warning', 'w'],
      ['error', 'e'],
      ['info', '[1]'],
    ],
  );
});
