// Builds the Node programs on first use, so `npx runner` works from a fresh clone.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function ensureBuilt(file) {
  if (existsSync(path.join(root, 'build', file))) return;
  const r = spawnSync(process.execPath, [path.join(root, 'esbuild.config.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !existsSync(path.join(root, 'build', file))) {
    console.error(`could not build build/${file}; run "npm ci && npm run build"`);
    process.exit(255);
  }
}
