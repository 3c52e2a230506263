// run-test builds the bundle before every run, and reports/latest moves only to a run that wrote reports: a
// test that never started (bad usage, a failed build, an emulator that did not start) or whose engine wrote
// nothing leaves no empty folder and `latest` where it was, so CI's reports/latest/summary.md stays.
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runTest, sandbox } from './run-test-sandbox.ts';

/** A sandbox whose demo test takes its thresholds from thresholds/demo.json, after one good run. */
async function withGoodRun(): Promise<{ root: string; first: string }> {
  const root = await sandbox();
  mkdirSync(path.join(root, 'thresholds'));
  writeFileSync(
    path.join(root, 'tests', 'demo.ts'),
    "import thresholds from '../thresholds/demo.json';\nexport const options = { thresholds };\n",
  );
  writeFileSync(path.join(root, 'thresholds', 'demo.json'), '{ "checks": ["rate>0.9"] }\n');
  const r = await runTest(['demo'], {}, { root });
  assert.equal(r.code, 0, r.stderr);
  return { root, first: readlinkSync(path.join(root, 'reports', 'latest')) };
}

const runDirs = (root: string) =>
  readdirSync(path.join(root, 'reports'))
    .filter((d) => d !== 'latest')
    .sort();

describe('run-test: the bundle is built every run', () => {
  it('runs the thresholds as they are now, not as the last build left them', async () => {
    const { root } = await withGoodRun();
    const bundle = path.join(root, 'build', 'tests', 'demo.js');
    assert.match(readFileSync(bundle, 'utf8'), /rate>0\.9/);
    writeFileSync(path.join(root, 'thresholds', 'demo.json'), '{ "checks": ["rate>0.99"] }\n');
    const r = await runTest(['demo'], {}, { root });
    assert.equal(r.code, 0, r.stderr);
    assert.match(readFileSync(bundle, 'utf8'), /rate>0\.99/);
  });

  it('a malformed thresholds file: one line naming it and the JSON error, exit 1, nothing run', async () => {
    const { root, first } = await withGoodRun();
    writeFileSync(path.join(root, 'thresholds', 'demo.json'), '{ "checks": ["rate>0.99"],, }\n');
    const r = await runTest(['demo'], {}, { root });
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'run-test: build failed: thresholds/demo.json:1:27: Expected string in JSON but found ","\n',
    );
    assert.equal(r.records.filter((x) => x.event === 'run').length, 1, 'only the first, good run ran');
    assert.match(readFileSync(path.join(root, 'build', 'tests', 'demo.js'), 'utf8'), /rate>0\.9"/);
    assert.deepEqual(runDirs(root), [first]);
    assert.equal(readlinkSync(path.join(root, 'reports', 'latest')), first);
  });
});

describe('run-test: reports/latest only moves to a run that wrote reports', () => {
  it('bad usage creates no folder and leaves latest', async () => {
    const { root, first } = await withGoodRun();
    for (const [args, env] of [
      [['nosuch'], {}],
      [['demo'], { TIME_SCALE: 'fast' }],
      [['demo'], { K6: '/nonexistent/k6' }],
    ] as const) {
      const r = await runTest([...args], env, { root });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    }
    assert.deepEqual(runDirs(root), [first]);
    assert.equal(readlinkSync(path.join(root, 'reports', 'latest')), first);
  });

  it('an emulator that does not start keeps only its log and leaves latest', async () => {
    const { root, first } = await withGoodRun();
    writeFileSync(path.join(root, 'bin', 'emulator.mjs'), "console.error('port in use'); process.exit(3);\n");
    const r = await runTest(['demo'], {}, { root });
    assert.equal(r.code, 1);
    assert.equal(readlinkSync(path.join(root, 'reports', 'latest')), first);
    const failed = runDirs(root).filter((d) => d !== first);
    assert.equal(failed.length, 1);
    assert.deepEqual(readdirSync(path.join(root, 'reports', failed[0])), ['emulator.log']);
    assert.match(r.stderr, new RegExp(`see ${path.join(root, 'reports', failed[0], 'emulator.log')}\\n$`));
  });

  it('an engine that wrote nothing leaves no folder and puts latest back', async () => {
    const { root, first } = await withGoodRun();
    const r = await runTest(['demo'], { FAKE_NOTHING: '1', FAKE_EXIT: '255' }, { root });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /\nrun-test: no reports written; reports\/latest not moved\n/);
    assert.deepEqual(runDirs(root), [first]);
    assert.equal(readlinkSync(path.join(root, 'reports', 'latest')), first);

    // The very first run of a checkout: no latest before, none after.
    const fresh = await sandbox();
    const none = await runTest(['demo'], { FAKE_NOTHING: '1', FAKE_EXIT: '107' }, { root: fresh });
    assert.equal(none.code, 107);
    assert.ok(!existsSync(path.join(fresh, 'reports', 'latest')));
    assert.deepEqual(runDirs(fresh), []);
  });
});
