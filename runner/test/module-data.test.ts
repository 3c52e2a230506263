import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VUPool, initOptionsPass } from '../vu/pool.ts';
import { collector, writeScript } from './vu-harness.ts';

test('SharedArray: built once in the options pass, read as frozen copies in every VU and thread', async () => {
  const script = writeScript(`import { SharedArray } from 'k6/data';
    const data = new SharedArray('users', () => { console.log('building'); return [{ name: 'a', tags: ['x'] }, { name: 'b', tags: [] }]; });
    export default function () {
      const first = data[0];
      let threw = false;
      try { first.name = 'changed'; } catch (e) { threw = true; }
      try { data[0] = 1; } catch (e) { threw = threw && true; }
      console.log(JSON.stringify([data.length, first.name, data[1].name, data[2], Object.isFrozen(first.tags), threw,
        data.map((u) => u.name), [...data].length]));
    }`);
  const c0 = collector();
  await initOptionsPass({ script, env: {} });
  for (const workers of [0, 1]) {
    const c = collector();
    const pool = await VUPool.create({ script, env: {}, options: {}, count: 2, workers, ...c });
    await pool.vu(1).run({ fn: 'default', tags: {} });
    await pool.vu(2).run({ fn: 'default', tags: {} });
    await pool.close();
    const lines = c.logs.map((l) => l.msg);
    assert.ok(!lines.includes('building'), `the callback ran again in a VU (workers=${workers})`);
    assert.deepEqual(JSON.parse(lines[0]), [2, 'a', 'b', null, true, true, ['a', 'b'], 2]);
  }
  assert.equal(c0.logs.length, 0);
});

test('SharedArray needs an array', async () => {
  await assert.rejects(
    initOptionsPass({
      script: writeScript(
        `import { SharedArray } from 'k6/data';\nnew SharedArray('x', () => 5);\nexport default function () {}`,
      ),
      env: {},
    }),
    /only arrays/,
  );
});

test('open() reads text and bytes relative to the script, only in init', async () => {
  const script = writeScript(`const text = open('./data.txt'); const bin = open('data.txt', 'b');
    export default function () { console.log(text + ' ' + bin.byteLength + ' ' + (bin instanceof ArrayBuffer)); try { open('data.txt'); } catch (e) { console.log('init only'); } }`);
  const { writeFileSync } = await import('node:fs');
  const path = await import('node:path');
  writeFileSync(path.join(path.dirname(script), 'data.txt'), 'héllo');
  const c = collector();
  const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
  await pool.vu(1).run({ fn: 'default', tags: {} });
  await pool.close();
  assert.deepEqual(
    c.logs.map((l) => l.msg),
    ['héllo 6 true', 'init only'],
  );
  await assert.rejects(
    initOptionsPass({
      script: writeScript(`open('./missing.txt');\nexport default function () {}`),
      env: {},
    }),
    /no such file or directory/,
  );
});

test('SharedArrays of the same name in two scripts of one process stay apart', async () => {
  const make = (v: string) =>
    writeScript(`import { SharedArray } from 'k6/data';
      const d = new SharedArray('same', () => ['${v}']);
      export default function () { console.log(d[0]); }`);
  const seen: string[] = [];
  for (const [script, v] of [
    [make('one'), 'one'],
    [make('two'), 'two'],
  ]) {
    await initOptionsPass({ script, env: {} });
    const c = collector();
    const pool = await VUPool.create({ script, env: {}, options: {}, count: 1, workers: 0, ...c });
    await pool.vu(1).run({ fn: 'default', tags: {} });
    await pool.close();
    seen.push(`${v}:${c.logs[0].msg}`);
  }
  assert.deepEqual(seen, ['one:one', 'two:two']);
});
