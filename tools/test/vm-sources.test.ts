// The runner's bundles carry the VM-side JavaScript minified (tools/vm-sources.mjs): smaller, with the
// same exports, and the modules that are not VM sources untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { minifyVMSources } from '../vm-sources.mjs';
import { coreSource, moduleSources } from '../../runner/modules/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `entry` bundled for Node, with or without the plugin: the output's text. */
async function bundle(entry: string, plugins = [minifyVMSources]): Promise<string> {
  const out = await build({
    entryPoints: [path.join(root, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
    plugins,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

async function bundled(): Promise<{ coreSource: string; moduleSources: Record<string, string> }> {
  const code = await bundle('runner/modules/index.ts');
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/** The names an ES module exports, as esbuild reads them. */
async function exportsOf(source: string): Promise<string[]> {
  const out = await build({
    stdin: { contents: source, loader: 'js' },
    format: 'esm',
    write: false,
    metafile: true,
    outfile: 'out.js',
    logLevel: 'silent',
  });
  return Object.values(out.metafile.outputs)[0].exports.sort();
}

test('every VM source enters the bundle smaller, exporting the same names', async () => {
  const min = await bundled();
  assert.ok(min.coreSource.length < coreSource.length * 0.8, 'the runtime source is minified');
  assert.deepEqual(Object.keys(min.moduleSources).sort(), Object.keys(moduleSources).sort());
  for (const [name, source] of Object.entries(moduleSources)) {
    const small = min.moduleSources[name];
    assert.ok(small.length < source.length * 0.8, `${name} is minified`);
    assert.deepEqual(await exportsOf(small), await exportsOf(source), `${name} keeps its exports`);
  }
});

test('modules other than VM sources are bundled as they are', async () => {
  assert.equal(await bundle('runner/modules/errors.ts'), await bundle('runner/modules/errors.ts', []));
});
