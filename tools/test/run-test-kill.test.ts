// `node tools/run-test.mjs` killed with SIGKILL in the middle of a run (a CI timeout, the OOM killer), on the
// runner and on each real k6: no emulator or engine process outlives it by more than 5 s, and the
// emulator's port is free. Nothing of run-test runs after a SIGKILL: the emulator notices its IPC channel
// close, and tools/guard.mjs stops the engine's process group.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  allStopped,
  commandLine,
  descendants,
  hasProc,
  listening,
  waitForDescendants,
} from '../../runner/test/proc.ts';
import { realK6sOrSkipReason } from './real-k6.ts';
import { runTest } from './run-test-sandbox.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIMIT_MS = 5000;
let sandbox = '';

// Load for a minute, far past the kill: each VU asks the emulator for a resource without a token (a 401).
const script = `import http from 'k6/http';
import { sleep } from 'k6';
export const options = { vus: 2, duration: '60s' };
export default function () {
  http.get(__ENV.GENESYSCLOUD_API_URL + '/api/v2/conversations');
  sleep(0.05);
}
`;

before(() => {
  // run-test's layout, with the emulator and the runner from this checkout's build.
  sandbox = mkdtempSync(path.join(tmpdir(), 'run-test-kill-'));
  for (const dir of ['tools', 'bin', 'tests', 'build', 'nodebin']) mkdirSync(path.join(sandbox, dir));
  symlinkSync(process.execPath, path.join(sandbox, 'nodebin', 'node'));
  for (const f of readdirSync(path.join(repo, 'tools')).filter((f) => f.endsWith('.mjs'))) {
    copyFileSync(path.join(repo, 'tools', f), path.join(sandbox, 'tools', f));
  }
  for (const f of ['emulator.mjs', 'runner.mjs', 'relaunch.mjs', 'runner-flags.mjs', 'ensure-built.mjs']) {
    copyFileSync(path.join(repo, 'bin', f), path.join(sandbox, 'bin', f));
  }
  for (const dir of ['runner', 'emulator']) {
    symlinkSync(path.join(repo, 'build', dir), path.join(sandbox, 'build', dir));
  }
  symlinkSync(path.join(repo, 'node_modules'), path.join(sandbox, 'node_modules'));
  writeFileSync(path.join(sandbox, 'tests', 'long.ts'), script);
});
after(() => sandbox && rmSync(sandbox, { recursive: true, force: true }));

interface Killed {
  /** ms from the SIGKILL until the emulator and the engine were gone */
  ms: number;
  /** ms until the guard, which stops them, was gone too */
  guardMs: number;
  stderr: string;
  port: number;
}

/** Starts `make long` as make runs it, waits until the engine's load reaches the emulator, kills run-test. */
async function killMidRun(env: Record<string, string>, { group = false } = {}): Promise<Killed> {
  const child = spawn(process.execPath, ['tools/run-test.mjs', 'long', '--quiet'], {
    cwd: sandbox,
    env: { PATH: path.join(sandbox, 'nodebin'), HOME: process.env.HOME || sandbox, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    // A group of its own, to kill as a CI runner or a terminal kills a job: the whole group at once.
    detached: group,
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  // 'close' waits for every holder of the stderr pipe: run-test, the engine, the guard.
  const closed = new Promise((resolve) => child.once('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no emulator line:\n${stderr}`)), 30_000);
    child.stderr.on('data', () => {
      const m = /against the emulator at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  // The guard, the emulator and the engine.
  await waitForDescendants(child.pid!, 3, 10_000);
  await loadArrives(url);
  const started = descendants(child.pid!);
  const guard = started.filter((pid) => commandLine(pid).includes('guard.mjs'));
  assert.equal(guard.length, 1, started.map(commandLine).join('\n'));
  if (group) process.kill(-child.pid!, 'SIGKILL');
  else child.kill('SIGKILL');
  const from = Date.now();
  const ms = await allStopped(
    started.filter((pid) => pid !== guard[0]),
    LIMIT_MS,
  );
  await allStopped(guard, LIMIT_MS - ms);
  const guardMs = Date.now() - from;
  await closed;
  return { ms, guardMs, stderr, port: Number(new URL(url).port) };
}

async function loadArrives(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as { requests: { total: number } };
    if (stats.requests.total > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the engine sent nothing to the emulator');
}

async function assertNothingLeft(engine: string, k: Killed): Promise<void> {
  assert.equal(await listening(k.port), false, `${engine}: the emulator's port is free`);
  assert.match(
    k.stderr,
    /run-test: exited while .*the engine \(pid \d+\).* still ran; stopping them/,
    k.stderr,
  );
  process.stdout.write(
    `# ${engine}: the emulator and the engine were gone ${k.ms} ms after run-test's SIGKILL, the guard ${k.guardMs} ms\n`,
  );
}

const skip = hasProc ? false : 'needs /proc';

describe('run-test killed with SIGKILL while its engine ignores SIGTERM', { skip }, () => {
  it('the guard sends SIGTERM, then SIGKILL after 3 s', async () => {
    let killedAt = 0;
    const r = await runTest(
      ['demo'],
      { FAKE_WAIT: 'stubborn' },
      {
        onRecord: (rec, child) => {
          if (rec.event !== 'waiting') return;
          killedAt = Date.now();
          child.kill('SIGKILL');
        },
      },
    );
    const engine = r.records.find((x) => x.event === 'run')!;
    // runTest resolved when the last holder of run-test's output closed it: the engine, most likely.
    await allStopped([engine.pid], LIMIT_MS);
    const ms = Date.now() - killedAt;
    assert.deepEqual(
      r.records.filter((x) => x.event.startsWith('SIG')),
      [{ event: 'SIGTERM', n: 1 }],
    );
    assert.ok(ms >= 3000 && ms < LIMIT_MS, `the engine was killed ${ms} ms after run-test`);
  });
});

describe('run-test killed with SIGKILL mid-run', { skip, concurrency: false }, () => {
  it('leaves no emulator or runner behind, killed alone or with its process group', async () => {
    await assertNothingLeft('the runner', await killMidRun({}));
    await assertNothingLeft(
      'the runner, run-test killed with its group',
      await killMidRun({}, { group: true }),
    );
  });

  const binaries = hasProc ? realK6sOrSkipReason() : [];
  it('leaves no emulator or real k6 behind', { skip: binaries.length ? false : 'no real k6' }, async () => {
    for (const k6 of binaries) {
      await assertNothingLeft(
        `k6 v${k6.version}`,
        await killMidRun({ K6: k6.file, K6_WEB_DASHBOARD: 'false' }),
      );
    }
  });
});
