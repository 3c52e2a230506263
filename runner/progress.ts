// The live status of a run: one line redrawn in place on a TTY, or a plain line every few seconds otherwise
// (so `make load` in a pipe shows that the test is alive without flooding the log).
import type { RunStatus } from './scheduler.ts';
import type { Scenario } from './options.ts';
import { formatDuration } from './duration.ts';
import { maxScenarioDuration, planVUs } from './executors/index.ts';

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function perUnit(rate: number, timeUnit: number): string {
  return timeUnit === 1000 ? `${rate}/s` : `${rate} per ${formatDuration(timeUnit)}`;
}

/** What a scenario will do, in one line. */
export function describeScenario(sc: Scenario): string {
  const d = formatDuration;
  const stages = sc.stages.reduce((a, s) => a + s.duration, 0);
  let what: string;
  switch (sc.executor) {
    case 'shared-iterations':
      what = `${count(sc.iterations, 'iteration')} shared by ${count(sc.vus, 'VU')} (maxDuration ${d(sc.maxDuration)})`;
      break;
    case 'per-vu-iterations':
      what = `${count(sc.iterations, 'iteration')} for each of ${count(sc.vus, 'VU')} (maxDuration ${d(sc.maxDuration)})`;
      break;
    case 'constant-vus':
      what = `${count(sc.vus, 'looping VU')} for ${d(sc.duration)}`;
      break;
    case 'ramping-vus':
      what =
        `up to ${count(Math.max(sc.startVUs, ...sc.stages.map((s) => s.target)), 'looping VU')} over ` +
        `${count(sc.stages.length, 'stage')}, ${d(stages)} (gracefulRampDown ${d(sc.gracefulRampDown)})`;
      break;
    case 'constant-arrival-rate':
      what = `${perUnit(sc.rate, sc.timeUnit)} for ${d(sc.duration)} (VUs ${sc.preAllocatedVUs}..${sc.maxVUs})`;
      break;
    case 'ramping-arrival-rate':
      what =
        `from ${perUnit(sc.startRate, sc.timeUnit)} up to ` +
        `${perUnit(Math.max(sc.startRate, ...sc.stages.map((s) => s.target)), sc.timeUnit)} over ` +
        `${count(sc.stages.length, 'stage')}, ${d(stages)} (VUs ${sc.preAllocatedVUs}..${sc.maxVUs})`;
      break;
  }
  const from = sc.startTime > 0 ? `, from ${d(sc.startTime)}` : '';
  const exec = sc.exec !== 'default' ? `, exec ${sc.exec}` : '';
  return `${sc.name}: ${sc.executor}, ${what}${from}${exec}, gracefulStop ${d(sc.gracefulStop)}`;
}

/** The plan printed before a run that is not quiet. */
export function describePlan(scenarios: Scenario[]): string[] {
  const longest = Math.max(...scenarios.map((sc) => sc.startTime + maxScenarioDuration(sc)));
  const extra = scenarios.reduce((a, sc) => a + Math.max(0, sc.maxVUs - sc.preAllocatedVUs), 0);
  const vus = planVUs(scenarios);
  const more = extra > 0 ? ` (+${extra} on demand)` : '';
  return [
    `scenarios: ${scenarios.length}, ${count(vus, 'VU')} initialised${more}, at most ${formatDuration(longest)} ` +
      'including graceful stops',
    ...scenarios.map((sc) => `  * ${describeScenario(sc)}`),
  ];
}

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
