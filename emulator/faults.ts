// Latency and fault injection per route, drawn from seeded streams so a run replays from its seed.
import type { EmulatorConfig, FaultSpec, LatencySpec, StreamFaultSpec } from './config.ts';
import { logNormal, seededRandom } from './random.ts';

export interface FaultPlan {
  /** 502/503/504 answered instead of the route's reply, or "reset" to drop the connection. */
  fail: 502 | 503 | 504 | 'reset' | null;
  /** Extra milliseconds before answering (latency plus any slow fault). */
  delayMs: number;
  slow: boolean;
  revokeToken: boolean;
}

interface RoutePlan {
  faults: FaultSpec;
  anyFault: boolean;
  latency: ((rand: () => number) => number) | null;
}

export class FaultInjector {
  private faultRand: () => number;
  private latencyRand: () => number;
  private plans = new Map<string, RoutePlan>();
  counts = { '502': 0, '503': 0, '504': 0, reset: 0, slow: 0, revokeToken: 0 };

  constructor(private readonly config: EmulatorConfig) {
    this.faultRand = seededRandom(config.seed);
    this.latencyRand = seededRandom(config.seed + 1);
  }

  private plan(routeKey: string): RoutePlan {
    let p = this.plans.get(routeKey);
    if (p) return p;
    const faults = { ...this.config.faults.default, ...this.config.faults.routes[routeKey] } as FaultSpec;
    const lat: LatencySpec = this.config.latency.routes[routeKey] ?? this.config.latency.default;
    const anyFault =
      faults['502'] + faults['503'] + faults['504'] + faults.reset + faults.slow + faults.revokeToken > 0;
    p = { faults, anyFault, latency: logNormal(lat.median, lat.p99) };
    this.plans.set(routeKey, p);
    return p;
  }

  /** null when the route has neither latency nor faults configured (the common, fast case). */
  decide(routeKey: string): FaultPlan | null {
    const p = this.plan(routeKey);
    if (!p.anyFault && !p.latency) return null;
    let delayMs = p.latency ? p.latency(this.latencyRand) : 0;
    let fail: FaultPlan['fail'] = null;
    let slow = false;
    let revokeToken = false;
    if (p.anyFault) {
      const f = p.faults;
      // Three draws every time, so one route's outcome never shifts the stream for the next request.
      const u = this.faultRand();
      const s = this.faultRand();
      const r = this.faultRand();
      if (u < f['502']) fail = 502;
      else if (u < f['502'] + f['503']) fail = 503;
      else if (u < f['502'] + f['503'] + f['504']) fail = 504;
      else if (u < f['502'] + f['503'] + f['504'] + f.reset) fail = 'reset';
      if (s < f.slow) {
        slow = true;
        delayMs += f.slowMs;
        this.counts.slow++;
      }
      if (r < f.revokeToken) {
        revokeToken = true;
        this.counts.revokeToken++;
      }
      if (fail !== null) this.counts[fail]++;
    }
    return { fail, delayMs, slow, revokeToken };
  }

  reset(): void {
    this.faultRand = seededRandom(this.config.seed);
    this.latencyRand = seededRandom(this.config.seed + 1);
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) this.counts[k] = 0;
  }
}

/** What happens to one notification delivery. */
export interface StreamFault {
  drop: boolean;
  delayMs: number;
}

/**
 * Faults on the notification stream, from their own seeded stream (seed + 2; the guest sockets' drops use
 * seed + 4) so they never shift the draws of the REST routes: the same seed and the same sequence of
 * deliveries drop and delay the same ones.
 */
export class StreamFaults {
  private rand: () => number;
  counts = { dropSocket: 0, delayEvent: 0 };
  readonly active: boolean;

  constructor(
    private readonly spec: StreamFaultSpec,
    private readonly seed: number,
    private readonly stream = 2,
  ) {
    this.rand = seededRandom(seed + stream);
    this.active = spec.dropSocket > 0 || spec.delayEvent > 0;
  }

  /** null when no stream fault is configured (nothing is drawn). */
  decide(): StreamFault | null {
    if (!this.active) return null;
    // Two draws every time, so a drop never shifts which later delivery is delayed.
    const d = this.rand();
    const w = this.rand();
    const drop = d < this.spec.dropSocket;
    const delayMs = !drop && w < this.spec.delayEvent ? this.spec.delayMs : 0;
    if (drop) this.counts.dropSocket++;
    if (delayMs > 0) this.counts.delayEvent++;
    return { drop, delayMs };
  }

  reset(): void {
    this.rand = seededRandom(this.seed + this.stream);
    this.counts.dropSocket = 0;
    this.counts.delayEvent = 0;
  }
}
