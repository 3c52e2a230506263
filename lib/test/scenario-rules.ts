// k6's scenario validation (executor options, required fields, ranges) for the executors the suite uses,
// so a bad option fails in node:test rather than as exit 104 at the start of a run.
import { parseDuration } from '../core/duration.ts';

const COMMON = ['executor', 'startTime', 'gracefulStop', 'exec', 'env', 'tags'];
const FIELDS: Record<string, string[]> = {
  'shared-iterations': ['vus', 'iterations', 'maxDuration'],
  'per-vu-iterations': ['vus', 'iterations', 'maxDuration'],
  'constant-vus': ['vus', 'duration'],
  'ramping-vus': ['startVUs', 'stages', 'gracefulRampDown'],
  'constant-arrival-rate': ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'],
  'ramping-arrival-rate': ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'],
};

const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const durationMs = (v: unknown) =>
  typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;

export function scenarioProblems(name: string, s: Record<string, unknown>): string[] {
  const out: string[] = [];
  const at = (m: string) => out.push(`scenario ${name}: ${m}`);
  if (!/^[0-9a-zA-Z_-]+$/.test(name)) at('name may hold only letters, digits, _ and -');
  const executor = String(s.executor);
  const fields = FIELDS[executor];
  if (!fields) return [`scenario ${name}: unknown executor ${executor}`];
  for (const k of Object.keys(s))
    if (!COMMON.includes(k) && !fields.includes(k)) at(`${executor} has no option ${k}`);
  for (const k of ['startTime', 'gracefulStop', 'maxDuration', 'gracefulRampDown', 'timeUnit']) {
    if (s[k] !== undefined && durationMs(s[k]) === undefined) at(`${k} "${String(s[k])}" is not a duration`);
  }
  const needDuration = (k: string) => {
    const ms = durationMs(s[k]);
    if (ms === undefined || ms < 1000) at(`${k} must be at least 1s`);
  };
  const stages = () => {
    if (!Array.isArray(s.stages) || s.stages.length === 0) return at('needs at least one stage');
    for (const [i, st] of (s.stages as Array<Record<string, unknown>>).entries()) {
      if (durationMs(st.duration) === undefined) at(`stage ${i} needs a duration`);
      if (!isInt(st.target, 0)) at(`stage ${i} needs a whole target >= 0`);
    }
  };
  const arrivalVUs = () => {
    if (!isInt(s.preAllocatedVUs, 0)) at('preAllocatedVUs must be a whole number >= 0');
    if (
      s.maxVUs !== undefined &&
      !(isInt(s.maxVUs, 0) && (s.maxVUs as number) >= (s.preAllocatedVUs as number))
    ) {
      at('maxVUs must be >= preAllocatedVUs');
    }
  };
  switch (executor) {
    case 'shared-iterations':
    case 'per-vu-iterations':
      if (!isInt(s.vus ?? 1, 1)) at('vus must be a whole number >= 1');
      if (!isInt(s.iterations ?? 1, 1)) at('iterations must be a whole number >= 1');
      if (executor === 'shared-iterations' && (s.iterations as number) < (s.vus as number))
        at('iterations < vus');
      if (s.maxDuration !== undefined) needDuration('maxDuration');
      break;
    case 'constant-vus':
      if (!isInt(s.vus ?? 1, 1)) at('vus must be a whole number >= 1');
      needDuration('duration');
      break;
    case 'ramping-vus':
      stages();
      break;
    case 'constant-arrival-rate':
      if (!isInt(s.rate, 1)) at('rate must be a whole number > 0 (per timeUnit)');
      needDuration('duration');
      arrivalVUs();
      break;
    case 'ramping-arrival-rate':
      if (s.startRate !== undefined && !isInt(s.startRate, 0)) at('startRate must be a whole number >= 0');
      stages();
      arrivalVUs();
      break;
  }
  return out;
}
