// `make build`: the k6 bundles (tests/*.ts -> build/tests/*.js) and the Node programs (runner, emulator),
// or only the bundles of the tests named: `node esbuild.config.mjs [--quiet] [test ...]`. Each error is one
// line on stderr naming its file, line and column, and the exit code is 1.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { build } from './tools/build.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const tests = args.filter((a) => !a.startsWith('-'));

const started = Date.now();
const r = await build(root, { tests: tests.length ? tests : undefined });
for (const w of r.warnings) console.error(`build: warning: ${w}`);
for (const e of r.errors) console.error(`build failed: ${e}`);
if (r.errors.length) process.exit(1);
if (!args.includes('--quiet')) {
  console.log(`built ${r.bundles} k6 bundles and ${r.programs} node programs in ${Date.now() - started} ms`);
}
