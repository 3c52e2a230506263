// Builds the k6 bundles (tests/*.ts -> build/tests/*.js) and the Node programs (runner, emulator).
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { minifyVMSources } from './tools/vm-sources.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const rel = (...p) => path.join(root, ...p);

// k6 bundles: ESM, k6 modules and remote imports stay external; target what k6 v0.49's goja runs.
const suiteEntries = readdirSync(rel('tests'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => rel('tests', f));

// Node programs: every existing entry point among these.
const nodeEntries = ['runner/cli.ts', 'runner/worker.ts', 'emulator/main.ts', 'tools/report.ts'].filter((f) =>
  existsSync(rel(f)),
);

const started = Date.now();
await Promise.all([
  suiteEntries.length &&
    build({
      entryPoints: suiteEntries,
      outdir: rel('build/tests'),
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      target: 'es2017',
      sourcemap: true,
      external: ['k6', 'k6/*', 'https://*'],
      logLevel: 'warning',
    }),
  nodeEntries.length &&
    build({
      entryPoints: nodeEntries.map((f) => ({ in: rel(f), out: f.replace(/\.ts$/, '') })),
      outdir: rel('build'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: true,
      plugins: [minifyVMSources],
      logLevel: 'warning',
    }),
]);
if (!process.argv.includes('--quiet')) {
  console.log(
    `built ${suiteEntries.length} k6 bundles and ${nodeEntries.length} node programs in ${Date.now() - started} ms`,
  );
}
