// tools/tar.ts against archives GNU tar writes in the formats Go's archive/tar (and so k6) uses: USTAR, with
// PAX records for long paths, and GNU long names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTar } from '../tar.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tar-test-'));
const deep = path.join('file', 'home', 'someone', 'a'.repeat(60), 'b'.repeat(60), 'load.js.map');
mkdirSync(path.join(tmp, path.dirname(deep)), { recursive: true });
writeFileSync(path.join(tmp, 'metadata.json'), '{"env":{}}');
writeFileSync(path.join(tmp, 'data'), Buffer.alloc(1500, 'x'));
writeFileSync(path.join(tmp, deep), 'map');

function tarOf(format: string): Buffer | undefined {
  const out = path.join(tmp, `${format}.tar`);
  const r = spawnSync('tar', [`--format=${format}`, '-cf', out, '-C', tmp, 'metadata.json', 'data', deep]);
  return r.status === 0 ? readFileSync(out) : undefined;
}

for (const format of ['pax', 'gnu', 'ustar']) {
  test(`${format}: every regular file with its full path and content`, (t) => {
    const archive = tarOf(format);
    if (!archive) return t.skip(`no GNU tar here that writes ${format}`);
    const regular = readTar(archive);
    assert.deepEqual(
      regular.map((f) => f.name),
      ['metadata.json', 'data', deep],
    );
    assert.equal(regular[0].data.toString(), '{"env":{}}');
    assert.equal(regular[1].data.length, 1500);
    assert.equal(regular[2].data.toString(), 'map');
  });
}

test('a truncated archive is an error, not fewer files', () => {
  const archive = tarOf('pax');
  if (!archive) return;
  assert.throws(() => readTar(archive.subarray(0, 1024 + 512)), /tar: truncated archive/);
});
