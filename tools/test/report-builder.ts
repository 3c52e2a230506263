// tools/report.ts bundled as `make build` bundles it, from the current source rather than whatever build/
// holds, into a directory of its own whose node_modules is this checkout's (the renderer finds uPlot there).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let built: Promise<string> | undefined;

/** The bundle's path, `<dir>/build/tools/report.js`; built once per test process, removed when it exits. */
export function reportBuilder(): Promise<string> {
  built ||= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'report-builder-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
    mkdirSync(path.join(dir, 'build', 'tools'), { recursive: true });
    const outfile = path.join(dir, 'build', 'tools', 'report.js');
    await build({
      entryPoints: [path.join(repo, 'tools', 'report.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      logLevel: 'warning',
    });
    return outfile;
  })();
  return built;
}
