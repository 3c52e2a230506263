// tools/run-test.mjs in a sandbox copy of the repository layout where bin/emulator.mjs and the engine are
// small stand-ins that record what they were given (tools/test/fixtures/wiring), shared by the run-test tests.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reportBuilder } from './report-builder.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const tools = path.resolve(here, '..');
const fixtures = path.join(here, 'fixtures', 'wiring');
const sandboxes: string[] = [];
after(() => sandboxes.forEach((d) => rmSync(d, { recursive: true, force: true })));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  records: Record<string, any>[];
  root: string;
}

/** The layout run-test expects, with the report builder from the current source (drop it with `builder: false`). */
export async function sandbox({ builder = true } = {}): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), 'run-test-'));
  sandboxes.push(root);
  for (const dir of ['tools', 'bin', 'tests', 'build/tests', 'build/tools', 'nodebin']) {
    mkdirSync(path.join(root, dir), { recursive: true });
  }
  // PATH holds node and nothing else, so a k6 installed on the machine cannot change the engine chosen.
  symlinkSync(process.execPath, path.join(root, 'nodebin', 'node'));
  // run-test builds the bundle (tools/build.mjs) with this checkout's esbuild.
  symlinkSync(path.join(tools, '..', 'node_modules'), path.join(root, 'node_modules'));
  for (const f of readdirSync(tools).filter((f) => f.endsWith('.mjs'))) {
    copyFileSync(path.join(tools, f), path.join(root, 'tools', f));
  }
  copyFileSync(path.join(tools, '..', 'bin', 'runner-flags.mjs'), path.join(root, 'bin', 'runner-flags.mjs'));
  copyFileSync(path.join(fixtures, 'fake-emulator.mjs'), path.join(root, 'bin', 'emulator.mjs'));
  copyFileSync(path.join(fixtures, 'fake-engine.mjs'), path.join(root, 'bin', 'runner.mjs'));
  copyFileSync(path.join(fixtures, 'fake-engine.mjs'), path.join(root, 'k6'));
  chmodSync(path.join(root, 'k6'), 0o755);
  writeFileSync(path.join(root, 'tests', 'demo.ts'), '');
  writeFileSync(path.join(root, 'build', 'tests', 'demo.js'), '');
  if (builder) symlinkSync(await reportBuilder(), path.join(root, 'build', 'tools', 'report.js'));
  return root;
}

// Only what the user environment would give, without any Genesys or k6 settings of the machine running tests.
function baseEnv(root: string, extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: path.join(root, 'nodebin'),
    HOME: process.env.HOME || root,
    FAKE_RECORD: path.join(root, 'record.jsonl'),
  };
  return { ...env, ...extra };
}

export async function runTest(
  args: string[],
  extra: Record<string, string> = {},
  opts: { root?: string; onRecord?: (r: Record<string, any>, child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  const root = opts.root || (await sandbox());
  const env = baseEnv(root, extra);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'tools', 'run-test.mjs'), ...args], {
      cwd: root,
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let seen = 0;
    const poll = opts.onRecord
      ? setInterval(() => {
          const rs = records(root);
          for (; seen < rs.length; seen++) opts.onRecord!(rs[seen], child);
        }, 50)
      : undefined;
    child.on('close', (code) => {
      if (poll) clearInterval(poll);
      resolve({ code, stdout, stderr, records: records(root), root });
    });
  });
}

export function records(root: string): Record<string, any>[] {
  const f = path.join(root, 'record.jsonl');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 40 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}
