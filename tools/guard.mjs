// Stops what tools/run-test.mjs started when run-test itself dies without doing so: a SIGKILL, the OOM killer,
// a CI timeout that kills only the parent. Real k6 does not notice its parent's death, and against a real org
// an engine left running is unsupervised production traffic until its duration ends.
//
// The guard is a process of its own, in a session of its own, so that whatever kills run-test or its process
// group leaves it alive. run-test holds the write end of its stdin and tells it, one line each:
//   watch <pgid> <name...>   a process group to stop should run-test go away
//   forget <pgid>            that group has ended
// EOF on stdin means run-test has exited, however it died. Every group still watched then gets SIGTERM (k6
// and the runner stop gracefully on it and still write their summary), and SIGKILL after GRACE_MS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GRACE_MS = 3000;
const POLL_MS = 100;

/** Starts the guard; {watch(pid, name), forget(pid)} for process groups led by `pid`. */
export function startGuard() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: ['pipe', 'ignore', 'inherit'],
    detached: true,
  });
  // Without a guard a run still works; it only loses this protection.
  const lost = () => {};
  child.once('error', lost);
  child.stdin.on('error', lost);
  // Neither the guard nor the pipe to it keeps run-test from exiting.
  child.unref();
  child.stdin.unref();
  const send = (line) => child.stdin.writable && child.stdin.write(`${line}\n`);
  return {
    watch: (pid, name) => pid && send(`watch ${pid} ${name}`),
    forget: (pid) => pid && send(`forget ${pid}`),
  };
}

function runGuard() {
  const watched = new Map();
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    input += chunk;
    let nl;
    while ((nl = input.indexOf('\n')) >= 0) {
      const [verb, pid, ...name] = input.slice(0, nl).split(' ');
      input = input.slice(nl + 1);
      const pgid = Number(pid);
      if (!Number.isInteger(pgid) || pgid <= 1) continue;
      if (verb === 'watch') watched.set(pgid, name.join(' ') || `process group ${pgid}`);
      else if (verb === 'forget') watched.delete(pgid);
    }
  });
  process.stdin.on('error', () => process.stdin.destroy());
  process.stdin.on('close', () => void stopAll(watched));
  // The terminal that started run-test may be gone too.
  process.stderr.on('error', () => {});
}

async function stopAll(watched) {
  const groups = [...watched].filter(([pgid]) => running(pgid));
  if (groups.length === 0) process.exit(0);
  const names = groups.map(([pgid, name]) => `${name} (pid ${pgid})`).join(', ');
  process.stderr.write(`run-test: exited while ${names} still ran; stopping them\n`);
  for (const [pgid] of groups) signal(pgid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (Date.now() < deadline && groups.some(([pgid]) => running(pgid))) {
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  for (const [pgid] of groups) if (running(pgid)) signal(pgid, 'SIGKILL');
  process.exit(0);
}

function signal(pgid, sig) {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}

// Whether the group's leader still runs. Nobody may reap an orphan (PID 1 in a container often does not), so
// a leader that has exited can stay behind as a zombie, which signals still reach.
function running(pgid) {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pgid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    // no /proc, or a leader gone whose group is not: the signal's answer is all there is
    return true;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) runGuard();
