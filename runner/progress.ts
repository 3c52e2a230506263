// The live status of a run: one line redrawn in place on a TTY, or a plain line every few seconds otherwise
// (so `make load` in a pipe shows that the test is alive without flooding the log).
import type { RunStatus } from './scheduler.ts';

export function statusLine(s: RunStatus, plannedMs?: number): string {
  const t = clock(s.elapsedMs);
  const of = plannedMs ? `/${clock(plannedMs)}` : '';
  return (
    `running (${t}${of}), ${s.activeVUs}/${s.initializedVUs} VUs, ` +
    `${s.completed} complete and ${s.interrupted} interrupted iterations`
  );
}

function clock(ms: number): string {
  const m = Math.floor(ms / 60_000);
  const s = (ms - m * 60_000) / 1000;
  return `${String(m).padStart(2, '0')}m${s.toFixed(1).padStart(4, '0')}s`;
}

export class Progress {
  private lastPlain = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEveryMs = 10_000,
  ) {}

  update(s: RunStatus): void {
    const line = statusLine(s);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else if (s.elapsedMs - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = s.elapsedMs;
      this.stream.write(line + '\n');
    }
  }

  /** Clears the in-place line before the summary is written. */
  done(s?: RunStatus): void {
    if (!this.drawn) return;
    this.stream.write(`\r\x1b[2K${s ? statusLine(s) + '\n' : ''}`);
    this.drawn = false;
  }
}
