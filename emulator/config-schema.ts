// What an emulator config may hold. Anything the emulator could not honour is refused with one line naming
// the key path: an unknown key would silently do nothing, a fractional limit would be reported as given but
// enforced as another count, a share above 1 would starve the faults drawn after it.
import defaults from './config.default.json' with { type: 'json' };
import { didYouMean } from './suggest.ts';

export class ConfigError extends Error {}

export type Path = (string | number)[];

/** `faults.default`, `limits["platform.api"]["request.bytes.max"]`, `clients[0].id`. */
export function keyPath(path: Path): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[\w$]+$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || 'the config';
}

type Rule =
  | { t: 'number'; min: number; max?: number; integer?: boolean; unit?: string }
  | { t: 'string' }
  | { t: 'boolean' }
  | { t: 'array'; item: Rule }
  | { t: 'object'; fields: Record<string, Field> }
  /** Free keys unless `known` lists them (given the whole merged config, for limits that endpointLimits add). */
  | { t: 'map'; value: Rule; known?: (merged: unknown, path: Path) => Known };
type Field = Rule & { optional?: boolean };
interface Known {
  names: readonly string[];
  /** Why a name outside `names` is refused, when the list alone does not say. */
  hint: string;
}

const num = (min: number, max?: number, unit?: string): Rule => ({ t: 'number', min, max, unit });
const whole = (min: number, max?: number, unit?: string): Rule => ({
  t: 'number',
  min,
  max,
  integer: true,
  unit,
});
const opt = (r: Rule): Field => ({ ...r, optional: true });
const str: Rule = { t: 'string' };
const share = num(0, 1, 'a share of admitted requests');

/** The limits the emulator applies by itself; any other limit needs an endpointLimits entry naming it. */
export const BUILT_IN_LIMITS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(defaults.limits).map(([ns, keys]) => [ns, Object.keys(keys)]),
);

function endpointLimitNames(merged: unknown): { namespace: string; key: string }[] {
  const list = (merged as { endpointLimits?: unknown })?.endpointLimits;
  if (!Array.isArray(list)) return [];
  return list.filter((e) => typeof e?.namespace === 'string' && typeof e?.key === 'string');
}

const LIMIT_HINT = '; a limit of your own needs an endpointLimits entry that names it';

const limitNamespaces = (merged: unknown): Known => ({
  names: [
    ...new Set([...Object.keys(BUILT_IN_LIMITS), ...endpointLimitNames(merged).map((e) => e.namespace)]),
  ],
  hint: LIMIT_HINT,
});

const limitKeys = (merged: unknown, path: Path): Known => {
  const ns = String(path[path.length - 1]);
  const own = endpointLimitNames(merged).filter((e) => e.namespace === ns);
  return { names: [...(BUILT_IN_LIMITS[ns] ?? []), ...own.map((e) => e.key)], hint: LIMIT_HINT };
};

const fault = (optional: boolean): Rule => {
  const f = (r: Rule) => (optional ? opt(r) : r);
  return {
    t: 'object',
    fields: {
      '502': f(share),
      '503': f(share),
      '504': f(share),
      reset: f(share),
      slow: f(share),
      slowMs: f(num(0, undefined, 'milliseconds')),
      revokeToken: f(share),
    },
  };
};
const latency: Rule = { t: 'object', fields: { median: num(0), p99: num(0) } };

const SCHEMA: Rule = {
  t: 'object',
  fields: {
    host: str,
    port: whole(0, 65535),
    // mulberry32 keeps 32 bits: two seeds that agree there would give the same streams.
    seed: whole(0, 2 ** 32 - 1),
    timeScale: num(0.001),
    clients: {
      t: 'array',
      item: {
        t: 'object',
        fields: {
          id: str,
          secret: str,
          name: opt(str),
          // The platform accepts 300 s to 48 h per OAuth client.
          tokenLifetimeSeconds: whole(300, 172_800, 'seconds'),
          permissions: { t: 'array', item: str },
        },
      },
    },
    limits: {
      t: 'map',
      known: limitNamespaces,
      value: {
        t: 'map',
        known: limitKeys,
        value: whole(1, undefined, 'a count of requests, bytes or channels'),
      },
    },
    endpointLimits: { t: 'array', item: { t: 'object', fields: { route: str, namespace: str, key: str } } },
    latency: { t: 'object', fields: { default: latency, routes: { t: 'map', value: latency } } },
    faults: { t: 'object', fields: { default: fault(false), routes: { t: 'map', value: fault(true) } } },
    analytics: {
      t: 'object',
      fields: {
        lagSeconds: num(0),
        jobDelaySeconds: num(0),
        maxPageSize: whole(1),
        defaultPageSize: whole(1),
        jobFailureShare: num(0, 1, 'a share of analytics jobs'),
        jobExpirySeconds: num(1),
      },
    },
    organization: { t: 'object', fields: { id: str, name: str } },
    queues: { t: 'array', item: { t: 'object', fields: { id: str, name: opt(str) } } },
    flows: { t: 'array', item: { t: 'object', fields: { id: str, name: opt(str), type: str } } },
    conversations: { t: 'object', fields: { durationSeconds: num(0), max: whole(1) } },
    bot: { t: 'object', fields: { maxTurns: whole(1) } },
    notifications: {
      t: 'object',
      fields: {
        channelLifetimeSeconds: num(1),
        maxTopicsPerChannel: whole(1, undefined, 'topics'),
        heartbeatSeconds: num(1),
        eventLagSeconds: num(0),
        closeAfterSeconds: num(0),
        closingNoticeSeconds: num(0),
        faults: {
          t: 'object',
          fields: {
            dropSocket: num(0, 1, 'a share of deliveries'),
            delayEvent: num(0, 1, 'a share of deliveries'),
            delayMs: num(0, undefined, 'milliseconds'),
          },
        },
      },
    },
    webMessaging: {
      t: 'object',
      fields: {
        deployments: {
          t: 'array',
          item: { t: 'object', fields: { id: str, name: opt(str), flowId: str, queueId: opt(str) } },
        },
        maxSessions: whole(1, undefined, 'sessions'),
        maxMessageLength: whole(1, undefined, 'characters'),
        sessionInactivitySeconds: num(1),
        botThinkTime: latency,
        faults: { t: 'object', fields: { dropSocket: num(0, 1, 'a share of bot replies') } },
      },
    },
  },
};

/** How one source of settings names a key path in errors, e.g. ` (config file my.json)`; '' when unnamed. */
export type Where = (path: Path) => string;

interface Ctx {
  /** A source merged over the defaults may leave any object key out; arrays replace, so their items may not. */
  partial: boolean;
  merged: unknown;
  where: Where;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function show(v: unknown): string {
  const s = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function fail(ctx: Ctx, path: Path, message: string): never {
  throw new ConfigError(message + ctx.where(path));
}

function numberRange(r: Extract<Rule, { t: 'number' }>, max = r.max): string {
  const range = `from ${r.min}${max === undefined ? '' : ` to ${max}`}`;
  return `${r.integer ? 'a whole number' : 'a number'} ${range}${r.unit ? ` (${r.unit})` : ''}`;
}

function check(v: unknown, rule: Rule, path: Path, ctx: Ctx): void {
  const name = keyPath(path);
  switch (rule.t) {
    case 'number': {
      const ok =
        typeof v === 'number' &&
        Number.isFinite(v) &&
        v >= rule.min &&
        (rule.max === undefined || v <= rule.max) &&
        (!rule.integer || Number.isInteger(v));
      if (!ok) fail(ctx, path, `${name} must be ${numberRange(rule)}, got ${show(v)}`);
      return;
    }
    case 'string':
      if (typeof v !== 'string' || v === '')
        fail(ctx, path, `${name} must be a non-empty string, got ${show(v)}`);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') fail(ctx, path, `${name} must be true or false, got ${show(v)}`);
      return;
    case 'array':
      if (!Array.isArray(v)) fail(ctx, path, `${name} must be an array, got ${show(v)}`);
      // Arrays replace what they override, so each item must be complete whatever the source.
      for (const [i, item] of v.entries()) check(item, rule.item, [...path, i], { ...ctx, partial: false });
      return;
    case 'object': {
      if (!isObject(v)) fail(ctx, path, `${name} must be an object, got ${show(v)}`);
      const known = Object.keys(rule.fields);
      for (const k of Object.keys(v)) {
        if (!(k in rule.fields)) unknownKey(ctx, [...path, k], { names: known, hint: '' });
      }
      for (const [k, field] of Object.entries(rule.fields)) {
        if (v[k] === undefined && (field.optional || ctx.partial)) continue;
        check(v[k], field, [...path, k], ctx);
      }
      return;
    }
    case 'map': {
      if (!isObject(v)) fail(ctx, path, `${name} must be an object, got ${show(v)}`);
      const known = rule.known?.(ctx.merged, path);
      for (const [k, item] of Object.entries(v)) {
        if (known && !known.names.includes(k)) unknownKey(ctx, [...path, k], known);
        check(item, rule.value, [...path, k], ctx);
      }
      return;
    }
  }
}

function unknownKey(ctx: Ctx, path: Path, known: Known): never {
  const k = String(path[path.length - 1]);
  const list = known.names.length ? `known: ${known.names.join(', ')}` : 'none is known here';
  fail(
    ctx,
    path,
    `config key "${keyPath(path)}" is unknown${didYouMean(k, known.names)}; ${list}${known.hint}`,
  );
}

/**
 * Checks one source of overrides before it is merged: unknown keys, types and ranges, named with the source.
 * `merged` is the config all sources make together, for the limits its endpointLimits add.
 */
export function checkSource(overrides: unknown, merged: unknown, where: Where = () => ''): void {
  check(overrides, SCHEMA, [], { partial: true, merged, where });
}

/** Checks a complete config: every key present and valid, then the rules that tie keys together. */
export function checkConfig(config: unknown): void {
  const ctx: Ctx = { partial: false, merged: config, where: () => '' };
  check(config, SCHEMA, [], ctx);
  checkTies(config as TiedConfig, ctx);
}

interface TiedConfig {
  clients: { id: string }[];
  limits: Record<string, Record<string, number>>;
  endpointLimits: { route: string; namespace: string; key: string }[];
  latency: { default: Latency; routes: Record<string, Latency> };
  faults: { default: Record<string, number>; routes: Record<string, Record<string, number>> };
  analytics: { maxPageSize: number; defaultPageSize: number };
  notifications: { faults: { delayEvent: number; delayMs: number } };
  webMessaging: { deployments: { id: string; flowId: string; queueId?: string }[]; botThinkTime: Latency };
  queues: { id: string }[];
  flows: { id: string }[];
}
type Latency = { median: number; p99: number };

function checkTies(c: TiedConfig, ctx: Ctx): void {
  const ids = new Map<string, number>();
  for (const [i, cl] of c.clients.entries()) {
    const first = ids.get(cl.id);
    if (first !== undefined)
      fail(ctx, ['clients', i], `clients[${i}].id "${cl.id}" is also clients[${first}].id; ids must differ`);
    ids.set(cl.id, i);
  }
  const used = new Map<string, number>();
  for (const [i, e] of c.endpointLimits.entries()) {
    const where = `endpointLimits[${i}]`;
    if (!/^[A-Z]+ \//.test(e.route))
      fail(ctx, [], `${where}.route must look like "POST /api/v2/...", got ${show(e.route)}`);
    const limit = `${e.namespace}/${e.key}`;
    if (c.limits[e.namespace]?.[e.key] === undefined)
      fail(ctx, [], `${where} refers to missing limit ${limit}`);
    if (BUILT_IN_LIMITS[e.namespace]?.includes(e.key))
      fail(ctx, [], `${where} names the built-in limit ${limit}; give the route a limit of its own`);
    const other = used.get(limit);
    if (other !== undefined)
      fail(
        ctx,
        [],
        `${where} names limit ${limit}, which endpointLimits[${other}] uses already; one limit, one route`,
      );
    used.set(limit, i);
  }
  for (const [key, list] of [
    ['webMessaging.deployments', c.webMessaging.deployments],
    ['queues', c.queues],
    ['flows', c.flows],
  ] as const) {
    const seen = new Map<string, number>();
    for (const [i, d] of list.entries()) {
      const first = seen.get(d.id);
      if (first !== undefined)
        fail(
          ctx,
          [...key.split('.'), i],
          `${key}[${i}].id "${d.id}" is also ${key}[${first}].id; ids must differ`,
        );
      seen.set(d.id, i);
    }
  }
  // A deployment's bot and hand-over must exist: the REST side refuses ids the org does not have.
  for (const [i, d] of c.webMessaging.deployments.entries()) {
    if (!c.flows.some((f) => f.id === d.flowId))
      fail(
        ctx,
        ['webMessaging', 'deployments', i, 'flowId'],
        `webMessaging.deployments[${i}].flowId "${d.flowId}" is not one of flows[].id`,
      );
    if (d.queueId !== undefined && !c.queues.some((q) => q.id === d.queueId))
      fail(
        ctx,
        ['webMessaging', 'deployments', i, 'queueId'],
        `webMessaging.deployments[${i}].queueId "${d.queueId}" is not one of queues[].id`,
      );
  }
  const stream = c.notifications.faults;
  if (stream.delayEvent > 0 && !(stream.delayMs > 0))
    fail(
      ctx,
      ['notifications', 'faults', 'delayMs'],
      `notifications.faults.delayEvent is ${stream.delayEvent} but delayMs is 0: a delayed event would not wait`,
    );
  for (const [path, l] of [
    [['latency', 'default'], c.latency.default],
    [['webMessaging', 'botThinkTime'], c.webMessaging.botThinkTime],
    ...Object.entries(c.latency.routes).map(([r, l]) => [['latency', 'routes', r], l] as const),
  ] as [Path, Latency][]) {
    const p99 = [...path, 'p99'];
    if (l.p99 < l.median)
      fail(ctx, p99, `${keyPath(p99)} must be a number from ${l.median} (the median), got ${l.p99}`);
    if (l.median === 0 && l.p99 > 0)
      fail(
        ctx,
        p99,
        `${keyPath(p99)} must be 0 when the median is 0 (no latency is drawn without a median), got ${l.p99}`,
      );
  }
  for (const [path, f] of [
    [['faults', 'default'], c.faults.default],
    ...Object.entries(c.faults.routes).map(
      ([r, f]) => [['faults', 'routes', r], { ...c.faults.default, ...f }] as const,
    ),
  ] as [Path, Record<string, number>][]) {
    const failing = f['502'] + f['503'] + f['504'] + f.reset;
    // One draw picks among the failures: past 1 in total, the later ones would get less than configured.
    if (failing > 1 + 1e-9)
      fail(
        ctx,
        path,
        `${keyPath(path)}: 502 + 503 + 504 + reset add up to ${+failing.toFixed(6)}; they share one draw, so at most 1`,
      );
    if (f.slow > 0 && !(f.slowMs > 0))
      fail(
        ctx,
        [...path, 'slowMs'],
        `${keyPath([...path, 'slow'])} is ${f.slow} but slowMs is 0: a slow fault would add no delay`,
      );
  }
  const { maxPageSize, defaultPageSize } = c.analytics;
  if (defaultPageSize > maxPageSize)
    fail(
      ctx,
      [],
      `analytics.defaultPageSize must be a whole number from 1 to ${maxPageSize} (analytics.maxPageSize), got ${defaultPageSize}`,
    );
}
