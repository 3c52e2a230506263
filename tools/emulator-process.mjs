// Starts the local emulator on a free port for one run and stops it afterwards, whatever happens.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';

const LISTENING = /emulator listening on (https?:\/\/\S+)/;

/**
 * Resolves {url, stop} once the emulator prints its listening line. Its output goes to `logFile`. It runs in
 * its own process group, so a Ctrl-C at the terminal reaches the test first and the emulator stays up until
 * the test's teardown and summary are done. It has an IPC channel to this process, and stops when that
 * closes: this process has exited, even by a SIGKILL that let nothing here run.
 */
export function startEmulator({ root, timeScale, logFile, startTimeoutMs = 30_000 }) {
  const child = spawn(
    process.execPath,
    [path.join(root, 'bin', 'emulator.mjs'), '--port', '0', '--time-scale', String(timeScale)],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true },
  );
  // The channel is only there to close with this process; it must not keep this one running.
  child.channel?.unref();
  const log = createWriteStream(logFile);
  let exited = false;
  // 'close' comes after the last output, so the log is complete when it fires.
  const exitedPromise = new Promise((resolve) => child.once('close', resolve));
  child.once('close', () => (exited = true));

  const stop = async () => {
    if (!exited) {
      signal(child, 'SIGTERM');
      const killed = await Promise.race([exitedPromise.then(() => true), delay(5000).then(() => false)]);
      if (!killed) signal(child, 'SIGKILL');
      await exitedPromise;
    }
    await new Promise((resolve) => log.end(resolve));
  };

  const ready = new Promise((resolve, reject) => {
    let head = '';
    const timer = setTimeout(
      () => fail(`did not print "emulator listening on ..." within ${startTimeoutMs} ms`),
      startTimeoutMs,
    );
    const fail = (why) => {
      clearTimeout(timer);
      stop().then(() => reject(new Error(`the emulator ${why}; see ${logFile}`)));
    };
    const onData = (chunk) => {
      log.write(redact(chunk));
      if (head === undefined) return;
      head += chunk.toString('utf8');
      const m = LISTENING.exec(head);
      if (m) {
        head = undefined;
        clearTimeout(timer);
        resolve({ url: m[1].replace(/\/+$/, ''), pid: child.pid, stop });
      } else if (head.length > 64 * 1024) {
        fail('printed no listening line');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => log.write(chunk));
    child.once('error', (err) => fail(`could not start (${err.message})`));
    child.once('close', (code, sig) => {
      if (head !== undefined) fail(`exited (${sig || `code ${code}`}) before listening`);
    });
  });
  return { ready, pid: child.pid, stopNow: () => exited || signal(child, 'SIGKILL') };
}

/** The emulator prints its client's secret for a person to copy; the saved log must not keep it. */
export function redact(chunk) {
  return chunk.toString('utf8').replace(/(SECRET=)\S+/g, '$1<redacted>');
}

/** Signals the emulator's whole process group (it may have children of its own). */
function signal(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
