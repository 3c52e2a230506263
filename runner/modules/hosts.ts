// k6's `hosts` option: DNS overrides, as /etc/hosts would give them. A key is a host name, `name:port` or
// `*.domain` (its subdomains); a value an IP address, or `ip:port` to dial another port too. The request
// keeps its URL: the Host header, TLS server name and certificate check stay the original name's.
import net from 'node:net';

export interface Dial {
  host: string;
  /** 0: the URL's port */
  port: number;
}

/** The address an override names, or an error text. */
function parseTarget(value: unknown): Dial | string {
  if (typeof value !== 'string') return 'must be a string';
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  if (v6) return net.isIPv6(v6[1]) ? { host: v6[1], port: Number(v6[2] ?? 0) } : 'is not an IP address';
  if (net.isIP(value)) return { host: value, port: 0 };
  const m = /^(.+):(\d+)$/.exec(value);
  if (m && net.isIPv4(m[1]) && Number(m[2]) > 0 && Number(m[2]) < 65536) {
    return { host: m[1], port: Number(m[2]) };
  }
  return 'is not an IP address or IP:port';
}

export class HostOverrides {
  private exact = new Map<string, Dial>();
  private wildcards: [string, Dial][] = [];

  /** Throws an Error naming the entry for a value k6 would refuse. */
  constructor(hosts: unknown = {}) {
    if (hosts === undefined || hosts === null) return;
    if (typeof hosts !== 'object' || Array.isArray(hosts)) throw new Error('hosts must be an object');
    for (const [k, v] of Object.entries(hosts)) {
      const t = parseTarget(v);
      if (typeof t === 'string') throw new Error(`hosts: "${k}": ${JSON.stringify(v)} ${t}`);
      const key = k.toLowerCase();
      if (key.startsWith('*.')) this.wildcards.push([key.slice(1), t]);
      else this.exact.set(key, t);
    }
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.wildcards.length === 0;
  }

  /** Where to connect for `hostname:port`, or null for the name itself. */
  lookup(hostname: string, port: number): Dial | null {
    const name = hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const d = this.exact.get(`${name}:${port}`) ?? this.exact.get(name);
    if (d) return d;
    for (const [suffix, w] of this.wildcards) if (name.endsWith(suffix)) return w;
    return null;
  }
}
