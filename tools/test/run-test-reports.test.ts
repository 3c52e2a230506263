// run-test builds the bundle before every run: a failed build is one line and runs nothing.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
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
