// The HTTP proxy a request goes through, from HTTP_PROXY, HTTPS_PROXY and NO_PROXY (or their lower-case
// forms) as k6 reads them (Go's http.ProxyFromEnvironment): the proxy of the request's scheme, unless
// NO_PROXY lists the host or the host is loopback. Only http:// proxies are supported.
import net from 'node:net';

export interface ProxyEnv {
  [name: string]: string | undefined;
}

/** Decides, per origin, whether and through what proxy to connect; read from the environment once. */
export class ProxyConfig {
  private http: string;
  private https: string;
  private exempt: ((host: string, port: string) => boolean)[];
  private all: boolean;
  private cache = new Map<string, URL | null>();

  constructor(env: ProxyEnv = process.env) {
    this.http = env.HTTP_PROXY ?? env.http_proxy ?? '';
    this.https = env.HTTPS_PROXY ?? env.https_proxy ?? '';
    const list = (env.NO_PROXY ?? env.no_proxy ?? '')
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean);
    this.all = list.includes('*');
    this.exempt = list.map(noProxyEntry);
  }

  /** True when no proxy is configured at all. */
  get none(): boolean {
    return !this.http && !this.https;
  }

  /** The proxy for `url`, or null for a direct connection. Throws on a proxy setting it cannot use. */
  for(url: URL): URL | null {
    let p = this.cache.get(url.origin);
    if (p !== undefined) return p;
    p = this.decide(url);
    if (this.cache.size < 1000) this.cache.set(url.origin, p);
    return p;
  }

  private decide(url: URL): URL | null {
    const raw = url.protocol === 'https:' ? this.https : this.http;
    if (!raw || this.all) return null;
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    if (host === 'localhost' || isLoopback(host)) return null;
    if (this.exempt.some((m) => m(host, port))) return null;
    let proxy: URL;
    try {
      proxy = new URL(raw.includes('://') ? raw : `http://${raw}`);
    } catch {
      throw new Error(`invalid proxy address "${raw}"`);
    }
    if (proxy.protocol !== 'http:') {
      throw new Error(`proxy scheme "${proxy.protocol.slice(0, -1)}" is not supported (only http://)`);
    }
    return proxy;
  }
}

function isLoopback(host: string): boolean {
  if (net.isIPv4(host)) return host.startsWith('127.');
  return net.isIPv6(host) && (host === '::1' || host === '0:0:0:0:0:0:0:1');
}

/** One NO_PROXY entry: an IP or CIDR, a domain (and its subdomains), `.domain` (subdomains only), `:port`. */
function noProxyEntry(entry: string): (host: string, port: string) => boolean {
  let name = entry;
  let wantPort = '';
  const m = /^(.*?)(?::(\d+))?$/.exec(entry);
  if (m && !net.isIPv6(entry) && !entry.includes('/')) {
    name = m[1];
    wantPort = m[2] ?? '';
  }
  name = name.replace(/^\[|\]$/g, '');
  const portOk = (port: string) => !wantPort || wantPort === port;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const base = name.slice(0, slash);
    const bits = Number(name.slice(slash + 1));
    const family = net.isIPv6(base) ? 'ipv6' : 'ipv4';
    const list = new net.BlockList();
    try {
      list.addSubnet(base, bits, family);
    } catch {
      return () => false;
    }
    return (host, port) => net.isIP(host) !== 0 && portOk(port) && safeCheck(list, host);
  }
  if (net.isIP(name)) return (host, port) => host === name && portOk(port);
  if (name.startsWith('*.')) name = name.slice(1);
  if (name.startsWith('.')) return (host, port) => host.endsWith(name) && portOk(port);
  return (host, port) => (host === name || host.endsWith(`.${name}`)) && portOk(port);
}

function safeCheck(list: net.BlockList, host: string): boolean {
  try {
    return list.check(host, net.isIPv6(host) ? 'ipv6' : 'ipv4');
  } catch {
    return false;
  }
}

/** `Basic ...` for a proxy URL with credentials. */
export function proxyAuthorization(proxy: URL): string | null {
  if (!proxy.username && !proxy.password) return null;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
}
