// `node esbuild.config.mjs` (make build) in a sandbox holding only a test and its thresholds: one line per
// error naming file:line:column and esbuild's JSON error, exit 1, nothing written; a rebuild leaves an
// unchanged bundle alone, so a run reading it never sees it half-written.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = mkdtempSync(path.join(tmpdir(), 'build-'));
after(() => rmSync(root, { recursive: true, force: true }));

for (const dir of ['tools', 'tests', 'thresholds']) mkdirSync(path.join(root, dir));
copyFileSync(path.join(repo, 'esbuild.config.mjs'), path.join(root, 'esbuild.config.mjs'));
for (const f of ['build.mjs', 'vm-sources.mjs']) {
  copyFileSync(path.join(repo, 'tools', f), path.join(root, 'tools', f));
}
symlinkSync(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
writeFileSync(
  path.join(root, 'tests', 'demo.ts'),
  "import thresholds from '../thresholds/demo.json';\nexport const options = { thresholds };\nexport default function () {}\n",
);
writeFileSync(path.join(root, 'tests', 'other.ts'), 'export default function () {}\n');
const bundle = path.join(root, 'build', 'tests', 'demo.js');

function build(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'esbuild.config.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });
}

test('builds, and leaves an unchanged bundle as it was', () => {
  writeFileSync(path.join(root, 'thresholds', 'demo.json'), '{\n  "http_req_failed": ["rate<0.01"]\n}\n');
  const first = build();
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /^built 2 k6 bundles and 0 node programs in \d+ ms\n$/);
  assert.match(readFileSync(bundle, 'utf8'), /rate<0\.01/);
  const before = statSync(bundle);
  const again = build('--quiet');
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout + again.stderr, '');
  assert.equal(statSync(bundle).mtimeMs, before.mtimeMs);
  assert.equal(statSync(bundle).ino, before.ino);
});

test('a malformed thresholds file is one line naming it and the JSON error, exit 1, nothing written', () => {
  writeFileSync(path.join(root, 'thresholds', 'demo.json'), '{\n  "http_req_failed": ["rate<0.02"],,\n}\n');
  const built = readFileSync(bundle, 'utf8');
  const r = build();
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'build failed: thresholds/demo.json:2:36: Expected string in JSON but found ","\n');
  assert.equal(readFileSync(bundle, 'utf8'), built, 'the old bundle is left, not half-replaced');
  // Only the tests named: the other one still builds.
  rmSync(path.join(root, 'build', 'tests', 'other.js'));
  assert.equal(build('--quiet', 'other').status, 0);
  assert.ok(existsSync(path.join(root, 'build', 'tests', 'other.js')));
});

test('every error gets its own line', () => {
  writeFileSync(path.join(root, 'tests', 'broken.ts'), 'export const x: number = ;\n');
  try {
    const r = build();
    assert.equal(r.status, 1);
    assert.deepEqual(r.stderr.trim().split('\n').sort(), [
      'build failed: tests/broken.ts:1:26: Unexpected ";"',
      'build failed: thresholds/demo.json:2:36: Expected string in JSON but found ","',
    ]);
  } finally {
    rmSync(path.join(root, 'tests', 'broken.ts'));
  }
});
