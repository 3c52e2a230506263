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

function bar(progress: number, width = 30): string {
  const done = Math.round(Math.min(1, Math.max(0, progress)) * width);
  return (
    '[' +
    '='.repeat(Math.max(0, done - 1)) +
    (done > 0 ? (done === width ? '=' : '>') : '') +
    '-'.repeat(width - done) +
    ']'
  );
}

/** One line per started scenario, k6-style: name, bar, percentage, executor. */
export function scenarioLines(s: RunStatus): string[] {
  const width = Math.max(0, ...s.scenarios.map((x) => x.name.length));
  return s.scenarios.map(
    (x) =>
      `${x.name.padEnd(width)} ${bar(x.progress)} ${String(Math.floor(x.progress * 100)).padStart(3)}% ${x.executor}`,
  );
}

export class Progress {
  private lastPlain = -Infinity;
  private drawn = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly plainEveryMs = 10_000,
  ) {}

  update(s: RunStatus): void {
    const line = statusLine(s);
    if (this.stream.isTTY) {
      // Redraw the block in place: back to its first line, clear to the end of the screen.
      const lines = [line, ...scenarioLines(s)];
      const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : '';
      this.stream.write(`${up}\r\x1b[J${lines.join('\n')}`);
      this.drawn = lines.length;
    } else if (s.elapsedMs - this.lastPlain >= this.plainEveryMs) {
      this.lastPlain = s.elapsedMs;
      this.stream.write(line + '\n');
    }
  }

  /** Takes the block off the screen so a log line can be printed; the next update draws it again below. */
  clear(): void {
    if (!this.drawn) return;
    const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : '';
    this.stream.write(`${up}\r\x1b[J`);
    this.drawn = 0;
  }

  /** Leaves the final block on screen before the summary is written. */
  done(s?: RunStatus): void {
    if (!this.drawn) return;
    const up = this.drawn > 1 ? `\x1b[${this.drawn - 1}A` : '';
    const lines = s ? [statusLine(s), ...scenarioLines(s)] : [];
    this.stream.write(`${up}\r\x1b[J${lines.map((l) => l + '\n').join('')}`);
    this.drawn = 0;
  }
}
