// k6 durations: Go duration strings ("1m30s", "250ms"), optionally led by days ("2d3h"); a bare number, or a
// numeric string, is milliseconds.
const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds, or throws an Error naming the bad value. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') throw new Error(`invalid duration ${JSON.stringify(value)}`);
  const text = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-')) {
    sign = -1;
    rest = rest.slice(1);
  }
  let ms = 0;
  const days = /^(\d+(?:\.\d+)?)d/.exec(rest);
  if (days) {
    ms += Number(days[1]) * 86_400_000;
    rest = rest.slice(days[0].length);
  }
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  if (rest === '' && !days) throw new Error(`invalid duration "${value}"`);
  while (rest !== '') {
    const m = part.exec(rest);
    if (!m) throw new Error(`invalid duration "${value}"`);
    ms += Number(m[1]) * UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  return sign * ms;
}

/** Go's time.Duration String(): "1m30s", "250ms", "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  let out = '';
  if (rest < 1000) {
    out =
      rest >= 1 ? `${trim(rest)}ms` : rest >= 1e-3 ? `${trim(rest * 1e3)}µs` : `${Math.round(rest * 1e6)}ns`;
  } else {
    const h = Math.floor(rest / 3_600_000);
    rest -= h * 3_600_000;
    const m = Math.floor(rest / 60_000);
    rest -= m * 60_000;
    out = (h ? `${h}h` : '') + (h || m ? `${m}m` : '') + `${trim(rest / 1000)}s`;
  }
  return neg ? `-${out}` : out;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
