// k6's `dns` option: how a new connection turns a name into the one address it dials. k6 resolves
// names itself (the system's resolver, /etc/hosts included), caches the answer for `ttl`, keeps the
// addresses `policy` allows and picks one by `select`; by default a random IPv4 address, cached 5 min.
import dns from 'node:dns';
import net from 'node:net';
import { parseDuration } from '../duration.ts';

export type Select = 'first' | 'random' | 'roundRobin';
export type Policy = 'preferIPv4' | 'preferIPv6' | 'onlyIPv4' | 'onlyIPv6' | 'any';

export interface DNSConfig {
  /** ms an answer is kept; Infinity for `inf`, 0 for no caching */
  ttl: number;
  select: Select;
  policy: Policy;
}

const SELECTS: Select[] = ['first', 'random', 'roundRobin'];
const POLICIES: Policy[] = ['preferIPv4', 'preferIPv6', 'onlyIPv4', 'onlyIPv6', 'any'];
export const DNS_DEFAULTS: DNSConfig = { ttl: 5 * 60_000, select: 'random', policy: 'preferIPv4' };

function ttlOf(v: unknown): number {
  if (v === 'inf') return Infinity;
  // A bare number is milliseconds, as in k6.
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) {
    const n = Number(v);
    if (Number.isFinite(n) && n >= 0) return n;
  }
  if (typeof v === 'string') {
    try {
      const ms = parseDuration(v);
      if (ms >= 0) return ms;
    } catch {
      // reported below
    }
  }
  throw new Error(`invalid dns ttl "${String(v)}": a duration, a number of milliseconds, or "inf"`);
}

/** "ttl=1m,select=first" (K6_DNS, --dns) as the option's fields; throws on a part without `=`. */
export function dnsFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid dns value "${part.trim()}": want key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/**
 * The option as a script writes it ({ttl, select, policy}) or as K6_DNS and --dns take it
 * ("ttl=1m,select=first,policy=any"); what is left out keeps its default. Throws on a bad value.
 */
export function parseDNS(v: unknown): DNSConfig {
  if (v === undefined || v === null) return DNS_DEFAULTS;
  let fields: Record<string, unknown>;
  if (typeof v === 'string') fields = dnsFields(v);
  else if (typeof v === 'object' && !Array.isArray(v)) fields = v as Record<string, unknown>;
  else throw new Error('dns must be an object like { ttl: "5m", select: "random", policy: "preferIPv4" }');
  const out = { ...DNS_DEFAULTS };
  for (const [k, val] of Object.entries(fields)) {
    if (val === undefined || val === null) continue;
    if (k === 'ttl') out.ttl = ttlOf(val);
    else if (k === 'select') {
      if (!SELECTS.includes(val as Select))
        throw new Error(`unsupported dns select "${String(val)}": one of ${SELECTS.join(', ')}`);
      out.select = val as Select;
    } else if (k === 'policy') {
      if (!POLICIES.includes(val as Policy))
        throw new Error(`unsupported dns policy "${String(val)}": one of ${POLICIES.join(', ')}`);
      out.policy = val as Policy;
    } else throw new Error(`unknown dns field "${k}": ttl, select and policy are known`);
  }
  return out;
}

type Answer = { address: string; family: number }[];
type System = (host: string, cb: (err: Error | null, all: Answer) => void) => void;

const systemLookup: System = (host, cb) =>
  dns.lookup(host, { all: true, verbatim: true }, (err, all) => cb(err, all ?? []));

function allowed(all: Answer, policy: Policy): Answer {
  const v4 = all.filter((a) => a.family === 4);
  const v6 = all.filter((a) => a.family === 6);
  switch (policy) {
    case 'preferIPv4':
      return v4.length ? v4 : v6;
    case 'preferIPv6':
      return v6.length ? v6 : v4;
    case 'onlyIPv4':
      return v4;
    case 'onlyIPv6':
      return v6;
    case 'any':
      return all;
  }
}

/** Resolves names for the sockets of one thread's client, as `net.connect`'s `lookup`. */
export class Resolver {
  private cache = new Map<string, { all: Answer; until: number }>();
  private turn = new Map<string, number>();

  constructor(
    readonly cfg: DNSConfig = DNS_DEFAULTS,
    private system: System = systemLookup,
    private now: () => number = Date.now,
  ) {}

  /** One address for `host`, chosen as the option says. */
  resolve(host: string, cb: (err: Error | null, address?: string, family?: number) => void): void {
    const family = net.isIP(host);
    if (family) return cb(null, host, family);
    const hit = this.cache.get(host);
    if (hit && hit.until > this.now()) return this.pick(host, hit.all, cb);
    this.system(host, (err, all) => {
      if (err) return cb(err);
      const usable = allowed(all, this.cfg.policy);
      if (!usable.length) {
        const e = Object.assign(new Error(`lookup ${host}: no suitable address found`), {
          code: 'ENOTFOUND',
        });
        return cb(e);
      }
      if (this.cfg.ttl > 0) this.cache.set(host, { all: usable, until: this.now() + this.cfg.ttl });
      this.pick(host, usable, cb);
    });
  }

  private pick(
    host: string,
    all: Answer,
    cb: (err: Error | null, address?: string, family?: number) => void,
  ): void {
    let i = 0;
    if (this.cfg.select === 'random') i = Math.floor(Math.random() * all.length);
    else if (this.cfg.select === 'roundRobin') {
      i = (this.turn.get(host) ?? 0) % all.length;
      this.turn.set(host, i + 1);
    }
    cb(null, all[i].address, all[i].family);
  }

  /** For `net.connect({ lookup })`: Node asks for every address when it may try several; it gets one. */
  lookup = ((host: string, opts: dns.LookupOptions, cb: (...a: unknown[]) => void) => {
    this.resolve(host, (err, address, family) => {
      if (err) return cb(err);
      if (opts.all) cb(null, [{ address, family }]);
      else cb(null, address, family);
    });
  }) as unknown as net.LookupFunction;
}
