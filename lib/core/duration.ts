// k6 duration strings ("90s", "1m30s", "2h", "1d2h"); a bare number means milliseconds, as in k6.
const PART = /(\d+(?:\.\d+)?)(d|h|ms|m|s|us|µs|ns)/g;
const UNIT_MS: Record<string, number> = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  ns: 0.000001,
};

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  if (t === '' || t.replace(PART, '') !== '') return undefined;
  let ms = 0;
  // exec in a loop rather than matchAll: the bundle also runs on goja (k6 v0.49).
  const part = new RegExp(PART.source, 'g');
  for (let m = part.exec(t); m !== null; m = part.exec(t)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return ms;
}

/** "1m5s" style text for whole seconds, used in option values and messages. */
export function formatSeconds(totalSeconds: number): string {
  const s = Math.round(totalSeconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return (h ? `${h}h` : '') + (m ? `${m}m` : '') + (sec || (!h && !m) ? `${sec}s` : '');
}
