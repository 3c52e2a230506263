// Cookies on the host side of k6/http: the per-host jars, the Set-Cookie lines that fill them and the
// Cookie header read back as k6 reports it in `response.request.cookies`.

/** The cookies sent, by name: k6 reports each as {name, value, replace: false}. */
export type SentCookies = Record<string, { name: string; value: string; replace: boolean }[]>;

/** A jar as it crosses between the VM and the host: cookie values by name, by host. */
export type JarData = Record<string, Record<string, string>>;

/**
 * Cookies per host: the VU's jar (reset before each iteration) or, for one request, a copy of a jar the
 * script made with `new http.CookieJar()`, which lives in the VM so that it goes when the script drops it.
 */
export class CookieJar {
  readonly jar = new Map<string, Map<string, string>>();

  static from(data: JarData): CookieJar {
    const j = new CookieJar();
    for (const h in data) j.jar.set(h, new Map(Object.entries(data[h])));
    return j;
  }

  toJSON(): JarData {
    const out: JarData = {};
    for (const [h, cookies] of this.jar) if (cookies.size) out[h] = Object.fromEntries(cookies);
    return out;
  }

  /** Stores a Set-Cookie; one that expires at once (Max-Age ≤ 0, or a past Expires) removes the cookie. */
  store(host: string, name: string, value: string, gone: boolean): void {
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    if (gone) cookies.delete(name);
    else cookies.set(name, value);
    this.jar.set(host, cookies);
  }

  /**
   * The Cookie header's cookies as k6 writes them: params.cookies first, then the jar's for the host
   * except those params.cookies replace.
   */
  header(host: string, fromParams: Record<string, { value: string; replace: boolean }>): string[] {
    const out: string[] = [];
    for (const k in fromParams) out.push(`${k}=${fromParams[k].value}`);
    const jar = this.jar.get(host);
    if (jar) for (const [k, v] of jar) if (!fromParams[k]?.replace) out.push(`${k}=${v}`);
    return out;
  }

  reset(): void {
    this.jar.clear();
  }

  op(op: string, url: string, arg: string): string {
    let host: string;
    try {
      host = new URL(url).host;
    } catch {
      throw new Error(`invalid URL: ${url}`);
    }
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    if (op === 'get') {
      const out: Record<string, string[]> = {};
      for (const [k, v] of cookies) out[k] = [v];
      return JSON.stringify(out);
    }
    if (op === 'set') {
      const { name, value } = JSON.parse(arg) as { name: string; value: string };
      cookies.set(name, value);
      this.jar.set(host, cookies);
    } else if (op === 'clear') this.jar.delete(host);
    else if (op === 'delete') cookies.delete(arg);
    return '';
  }
}

/** The cookies of a Cookie header by name, repeats kept, as Go's Request.Cookies reads them. */
export function sentCookies(header: string | undefined): SentCookies {
  const out: SentCookies = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const pair = part.trim();
    const eq = pair.indexOf('=');
    const name = eq < 0 ? '' : pair.slice(0, eq).trim();
    if (!name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    (out[name] ??= []).push({ name, value, replace: false });
  }
  return out;
}

export function parseCookie(value: string, url: URL) {
  const [pair, ...attrs] = value.split(';');
  const eq = pair.indexOf('=');
  const c = {
    name: pair.slice(0, eq).trim(),
    value: pair.slice(eq + 1).trim(),
    domain: url.hostname,
    path: '/',
    http_only: false,
    secure: false,
    max_age: 0,
    expires: 0,
  };
  for (const a of attrs) {
    const [k, v = ''] = a.split('=');
    const key = k.trim().toLowerCase();
    if (key === 'domain') c.domain = v.trim();
    else if (key === 'path') c.path = v.trim();
    else if (key === 'httponly') c.http_only = true;
    else if (key === 'secure') c.secure = true;
    else if (key === 'max-age') c.max_age = Number(v);
    else if (key === 'expires') c.expires = Date.parse(v) || 0;
  }
  return c;
}

/** A Set-Cookie that deletes its cookie: Max-Age ≤ 0 (which wins over Expires), or an Expires gone by. */
export function expiresAtOnce(line: string, maxAge: number, expires: number): boolean {
  if (/;\s*max-age\s*=/i.test(line) && !Number.isNaN(maxAge)) return maxAge <= 0;
  return expires !== 0 && expires < Date.now();
}
