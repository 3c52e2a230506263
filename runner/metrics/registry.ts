// Metric definitions: k6's built-ins plus the script's custom metrics, with k6's naming and redeclaration rules.
import type { Contains, MetricDef, MetricType } from './types.ts';

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{1,128}$/;

const trend = (name: string): MetricDef => ({ name, type: 'trend', contains: 'time' });
const counter = (name: string, contains: Contains = 'default'): MetricDef => ({
  name,
  type: 'counter',
  contains,
});

/** Registered before the script runs, so thresholds may name them even when no sample arrives. */
export const BUILTIN_METRICS: readonly MetricDef[] = [
  { name: 'vus', type: 'gauge', contains: 'default' },
  { name: 'vus_max', type: 'gauge', contains: 'default' },
  counter('iterations'),
  trend('iteration_duration'),
  counter('dropped_iterations'),
  counter('data_received', 'data'),
  counter('data_sent', 'data'),
  { name: 'checks', type: 'rate', contains: 'default' },
  trend('group_duration'),
  counter('http_reqs'),
  trend('http_req_duration'),
  trend('http_req_blocked'),
  trend('http_req_connecting'),
  trend('http_req_tls_handshaking'),
  trend('http_req_sending'),
  trend('http_req_waiting'),
  trend('http_req_receiving'),
  { name: 'http_req_failed', type: 'rate', contains: 'default' },
  counter('ws_sessions'),
  counter('ws_msgs_sent'),
  counter('ws_msgs_received'),
  trend('ws_connecting'),
  trend('ws_session_duration'),
  trend('ws_ping'),
  trend('grpc_req_duration'),
];

export class MetricError extends Error {}

const TYPES: readonly MetricType[] = ['counter', 'gauge', 'rate', 'trend'];
const CONTAINS: readonly Contains[] = ['default', 'time', 'data'];

export class Registry {
  private readonly defs = new Map<string, MetricDef>();

  constructor() {
    for (const def of BUILTIN_METRICS) this.defs.set(def.name, { ...def });
  }

  /** Returns the stored definition; an identical redeclaration is fine, a different one throws. */
  define(def: MetricDef): MetricDef {
    const known = this.defs.get(def.name);
    if (known) {
      if (known.type !== def.type) {
        throw new MetricError(
          `metric '${def.name}' already exists but with type ${known.type}, instead of ${def.type}`,
        );
      }
      if (known.contains !== def.contains) {
        throw new MetricError(
          `metric '${def.name}' already exists but with a value type ${known.contains}, instead of ${def.contains}`,
        );
      }
      return known;
    }
    if (!NAME.test(def.name)) {
      throw new MetricError(
        `Invalid metric name: '${def.name}'. Metric names must be 1-128 ASCII letters, numbers or underscores, not starting with a number`,
      );
    }
    if (!TYPES.includes(def.type)) throw new MetricError(`invalid metric type '${def.type}'`);
    if (!CONTAINS.includes(def.contains))
      throw new MetricError(`invalid metric value type '${def.contains}'`);
    const stored = { name: def.name, type: def.type, contains: def.contains };
    this.defs.set(def.name, stored);
    return stored;
  }

  get(name: string): MetricDef | undefined {
    return this.defs.get(name);
  }

  all(): MetricDef[] {
    return [...this.defs.values()];
  }
}
