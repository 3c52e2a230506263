// What each of N k6 instances runs of every scenario, and whether that share still makes sense.
// VU counts and iteration counts are striped whole numbers (k6's ScaleInt64); an arrival rate becomes
// rate * segment length per instance, and the check counts the iterations an instance starts in its
// worst timeUnit, since k6 gives instance i only the iteration numbers its segment owns.
import type { Scenario } from './bundle-options.ts';
import { StripedSequence, equalSequence } from './segments.ts';

export interface InstanceShare {
  instance: number;
  /** VUs this instance starts with (preAllocatedVUs, vus or startVUs). */
  vus: number;
  /** The most VUs it may reach (maxVUs, or the ramping peak). */
  maxVUs: number;
  /** Iterations per timeUnit at each rate of the scenario (arrival-rate executors). */
  rates?: number[];
  /** Fewest iterations started in any timeUnit at the lowest checked rate. */
  minPerTimeUnit?: number;
  iterations?: number;
}

export interface ScenarioSplit {
  name: string;
  executor: string;
  timeUnit?: string;
  /** The whole test's rates (per timeUnit) that the check applies to. */
  rates?: number[];
  instances: InstanceShare[];
}

export interface Split {
  parallelism: number;
  scenarios: ScenarioSplit[];
  /** One line each, with the numbers; empty when every instance gets a useful share. */
  problems: string[];
}

function int(s: Scenario, key: string, fallback: number): number {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function stageTargets(s: Scenario): number[] {
  return Array.isArray(s.stages)
    ? s.stages.map((st) => (typeof st?.target === 'number' ? st.target : 0))
    : [];
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function list(instances: number[]): string {
  return instances.length === 1 ? `instance ${instances[0]}` : `instances ${instances.join(', ')}`;
}

/**
 * The largest parallelism below n that leaves no instance short of `value` things. With equal segments an
 * instance gets floor(value / m) or one more of any `value` consecutive numbers, so that is value itself.
 */
function largestFitting(n: number, value: number): number {
  return Math.max(0, Math.min(n - 1, Math.floor(value)));
}

export function splitScenarios(scenarios: Record<string, Scenario>, parallelism: number): Split {
  const seq = new StripedSequence(equalSequence(parallelism));
  const ids = Array.from({ length: parallelism }, (_, i) => i);
  const problems: string[] = [];
  const out: ScenarioSplit[] = [];

  const needVUs = (name: string, what: string, value: number) => {
    const short = ids.filter((i) => seq.scale(i, value) < 1).map((i) => i + 1);
    if (short.length > 0) {
      problems.push(
        `scenario "${name}": ${what} ${value} split over ${parallelism} instances leaves ${list(short)} with 0 VUs ` +
          `(needs ${what} >= ${parallelism}, or PARALLELISM <= ${largestFitting(parallelism, value)})`,
      );
    }
  };

  for (const [name, s] of Object.entries(scenarios)) {
    const executor = String(s.executor);
    const split: ScenarioSplit = { name, executor, instances: [] };
    out.push(split);
    switch (executor) {
      case 'constant-arrival-rate':
      case 'ramping-arrival-rate': {
        const timeUnit = typeof s.timeUnit === 'string' ? s.timeUnit : '1s';
        const pre = int(s, 'preAllocatedVUs', 0);
        const max = Math.max(int(s, 'maxVUs', pre), pre);
        // A ramp passes through small rates on its way; the rates it is asked to reach must each be served.
        const rates =
          executor === 'constant-arrival-rate'
            ? [int(s, 'rate', 0)]
            : [int(s, 'startRate', 0), ...stageTargets(s)].filter((r) => r > 0);
        split.timeUnit = timeUnit;
        split.rates = rates;
        const lowest = rates.length > 0 ? Math.min(...rates) : 0;
        for (const i of ids) {
          const share = seq.length(i).num / seq.length(i).den;
          split.instances.push({
            instance: i + 1,
            vus: seq.scale(i, pre),
            maxVUs: seq.scale(i, max),
            rates: rates.map((r) => round(r * share)),
            minPerTimeUnit: lowest > 0 ? seq.minInWindow(i, lowest) : 0,
          });
        }
        if (lowest > 0) {
          const short = split.instances.filter((x) => (x.minPerTimeUnit ?? 0) < 1).map((x) => x.instance);
          if (short.length > 0) {
            problems.push(
              `scenario "${name}": rate ${lowest} per ${timeUnit} split over ${parallelism} instances is ` +
                `${round(lowest / parallelism)} per ${timeUnit} each; ${list(short)} would start fewer than 1 ` +
                `iteration per ${timeUnit} (needs at least ${parallelism} per ${timeUnit}, or PARALLELISM <= ${largestFitting(parallelism, lowest)})`,
            );
          }
        }
        if (pre > 0) needVUs(name, 'preAllocatedVUs', pre);
        else needVUs(name, 'maxVUs', max);
        break;
      }
      case 'constant-vus': {
        const vus = int(s, 'vus', 1);
        for (const i of ids)
          split.instances.push({ instance: i + 1, vus: seq.scale(i, vus), maxVUs: seq.scale(i, vus) });
        needVUs(name, 'vus', vus);
        break;
      }
      case 'ramping-vus': {
        const start = int(s, 'startVUs', 1);
        const peak = Math.max(start, ...stageTargets(s));
        for (const i of ids)
          split.instances.push({ instance: i + 1, vus: seq.scale(i, start), maxVUs: seq.scale(i, peak) });
        needVUs(name, 'peak VUs', peak);
        break;
      }
      case 'shared-iterations':
      case 'per-vu-iterations': {
        const vus = int(s, 'vus', 1);
        const iterations = int(s, 'iterations', 1);
        for (const i of ids) {
          const v = seq.scale(i, vus);
          split.instances.push({
            instance: i + 1,
            vus: v,
            maxVUs: v,
            iterations: executor === 'shared-iterations' ? seq.scale(i, iterations) : v * iterations,
          });
        }
        needVUs(name, 'vus', vus);
        break;
      }
      default:
        problems.push(
          `scenario "${name}": executor "${executor}" cannot be split across k6-operator instances`,
        );
    }
  }
  return { parallelism, scenarios: out, problems };
}
