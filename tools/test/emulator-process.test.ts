// tools/emulator-process.mjs's emulator belongs to the process that started it: when that parent is killed
// with SIGKILL, so that nothing of it runs to stop the emulator, the emulator still stops and frees its port.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { allStopped, hasProc, listening } from '../../runner/test/proc.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'emulator-process-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(
  'the emulator stops within a few seconds of a SIGKILL to its parent, and its port is free',
  { skip: hasProc ? false : 'needs /proc' },
  async () => {
    const parent = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { startEmulator } from ${JSON.stringify(path.join(repo, 'tools', 'emulator-process.mjs'))};
const started = startEmulator({ root: ${JSON.stringify(repo)}, timeScale: 1, logFile: ${JSON.stringify(path.join(dir, 'emulator.log'))} });
const { url } = await started.ready;
console.log(JSON.stringify({ url, pid: started.pid }));
setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out));
      });
      parent.once('exit', (code) =>
        reject(new Error(`the parent exited (${code}) before the emulator listened`)),
      );
    });
    const port = Number(new URL(url).port);
    assert.ok(await listening(port));
    parent.kill('SIGKILL');
    const ms = await allStopped([pid], 5000);
    assert.equal(await listening(port), false, 'the port is free');
    process.stdout.write(`# the emulator stopped ${ms} ms after its parent's SIGKILL\n`);
  },
);
