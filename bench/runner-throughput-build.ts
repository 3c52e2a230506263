// The runner benchmarks measure the bundled runner, as users run it (build/runner/*.js): under tsx,
// every worker thread would also load a TypeScript loader. When started from source, a benchmark
// bundles itself beside the worker entry into build/bench/ and re-runs from there.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerNodeFlags } from '../bin/runner-flags.mjs';
import { minifyVMSources } from '../tools/vm-sources.mjs';

export async function runBundledIfSource(selfUrl: string): Promise<boolean> {
  if (!selfUrl.endsWith('.ts')) return false;
  const self = fileURLToPath(selfUrl);
  const root = path.resolve(path.dirname(self), '..');
  const out = path.join(root, 'build', 'bench');
  const name = path.basename(self, '.ts');
  await build({
    entryPoints: [
      { in: self, out: name },
      { in: path.join(root, 'runner/worker.ts'), out: 'worker' },
    ],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    plugins: [minifyVMSources],
    logLevel: 'warning',
  });
  const r = spawnSync(
    process.execPath,
    [...runnerNodeFlags, path.join(out, `${name}.js`), ...process.argv.slice(2)],
    {
      stdio: 'inherit',
    },
  );
  process.exitCode = r.status ?? 1;
  return true;
}
