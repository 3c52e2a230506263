// The build: the k6 bundles (tests/*.ts -> build/tests/*.js) and the Node programs (runner, emulator, report
// builder). esbuild.config.mjs runs it for `make build`; tools/run-test.mjs before every run, so a test never
// runs a bundle older than its sources.
import { existsSync, readFileSync, readdirSync, renameSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// Node programs: every existing entry point among these.
const NODE_ENTRIES = ['runner/cli.ts', 'runner/worker.ts', 'emulator/main.ts', 'tools/report.ts'];

/** The tests in tests/, by name. */
export function suiteTests(root) {
  const dir = path.join(root, 'tests');
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
        .map((f) => f.slice(0, -3))
        .sort()
    : [];
}

/**
 * Builds `tests` (every test when absent) and the Node programs under `root`. Resolves with
 * {errors, warnings, bundles, programs}: each error and warning one line, `file:line:column: text`.
 */
export async function build(root, { tests } = {}) {
  // Imported here, not above: run-test reads suiteTests() for its usage line before any build.
  let esbuild;
  let minifyVMSources;
  try {
    esbuild = await import('esbuild');
    ({ minifyVMSources } = await import('./vm-sources.mjs'));
  } catch {
    return { errors: ['esbuild is not installed; run "npm ci --no-audit --no-fund"'], warnings: [] };
  }
  const rel = (...p) => path.join(root, ...p);
  const suite = (tests ?? suiteTests(root)).map((t) => rel('tests', `${t}.ts`));
  const programs = NODE_ENTRIES.filter((f) => existsSync(rel(f)));
  const jobs = [];
  // k6 bundles: ESM, k6 modules and remote imports stay external; target what k6 v0.49's goja runs.
  if (suite.length) {
    jobs.push({
      entryPoints: suite,
      outdir: rel('build/tests'),
      platform: 'neutral',
      target: 'es2017',
      external: ['k6', 'k6/*', 'https://*'],
    });
  }
  if (programs.length) {
    jobs.push({
      entryPoints: programs.map((f) => ({ in: rel(f), out: f.replace(/\.ts$/, '') })),
      outdir: rel('build'),
      platform: 'node',
      target: 'node20',
      packages: 'external',
      plugins: [minifyVMSources],
    });
  }
  const results = await Promise.allSettled(
    jobs.map((job) =>
      esbuild.build({
        ...job,
        absWorkingDir: root,
        bundle: true,
        format: 'esm',
        sourcemap: true,
        write: false,
        logLevel: 'silent',
      }),
    ),
  );
  // esbuild's service process would otherwise sit idle beside a run for its whole length.
  await esbuild.stop?.();
  const errors = [];
  const warnings = [];
  const outputs = [];
  for (const r of results) {
    // A failed build rejects with the same messages a result carries; anything else is a crash of esbuild.
    const messages = r.status === 'fulfilled' ? r.value : r.reason;
    if (!Array.isArray(messages?.errors)) {
      errors.push(String(messages?.message ?? messages).split('\n')[0]);
      continue;
    }
    errors.push(...messages.errors.map((m) => oneLine(root, m)));
    warnings.push(...messages.warnings.map((m) => oneLine(root, m)));
    if (r.status === 'fulfilled') outputs.push(...r.value.outputFiles);
  }
  // Nothing is written unless everything built: a bundle never goes out ahead of the one it was built with.
  if (errors.length === 0) for (const f of outputs) writeIfChanged(f.path, f.contents);
  return { errors, warnings, bundles: suite.length, programs: programs.length };
}

/** `thresholds/load.json:2:41: Expected string in JSON but found ","` (a column from 1, as editors count). */
function oneLine(root, m) {
  const where = m.location
    ? `${path.relative(root, path.resolve(root, m.location.file))}:${m.location.line}:${m.location.column + 1}: `
    : '';
  const by = m.pluginName ? ` [${m.pluginName}]` : '';
  return `${where}${m.text.split('\n')[0]}${by}`;
}

// A file another run is reading (make smoke beside make load) must never be seen half-written: an unchanged
// file is left alone and a changed one replaced in one rename.
function writeIfChanged(file, contents) {
  try {
    if (Buffer.compare(readFileSync(file), contents) === 0) return;
  } catch {
    // not there yet
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, contents);
  renameSync(temp, file);
}
