// The host half of k6/http: sends a VU's requests (http1.ts), follows redirects hop by hop, measures
// the request phases for real and emits the http_req_* samples with k6's system tags.
// Past 500 lines because a request's path (hops, timings, samples, the response's encoding) shares the
// per-request caches kept here; cookies are apart in cookies.ts.
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { Http1Client, type Cancel, type Exchange } from './http1.ts';
import { ProxyConfig } from './proxy.ts';
import { HostOverrides } from './hosts.ts';
import type { TLSOptions } from './tls-options.ts';
import type { Resolver } from './dns.ts';
import { authorization, parseChallenge } from './digest.ts';
import type { Sample } from '../metrics/types.ts';
import { goMethod, mapError, RequestTimeout, type NetError } from './errors.ts';
import {
  CookieJar,
  expiresAtOnce,
  parseCookie,
  sentCookies,
  type JarData,
  type SentCookies,
} from './cookies.ts';

export { CookieJar } from './cookies.ts';

export interface WireRequest {
  method: string;
  /** absent: 60 s */
  url: string;
  name?: string;
  /** absent: none */
  headers?: Record<string, string>;
  body?: string;
  bodyB64?: string;
  multipart?: { name: string; value?: string; filename?: string; contentType?: string; dataB64?: string }[];
  tags: Record<string, string>;
  timeout?: number;
  redirects?: number;
  /** absent: text */
  responseType?: 'text' | 'binary' | 'none';
  expected: [number, number][] | null;
  cookies?: Record<string, { value: string; replace: boolean }>;
  /** params.jar, a jar of the script's own (its cookies per host): its state crosses with the request */
  jar?: JarData;
  compression?: string;
  /** params.auth: 'digest' answers the server's challenge; absent or 'basic': the URL's user info as Basic */
  auth?: string;
  throw?: boolean;
}

export interface Timings {
  duration: number;
  blocked: number;
  looking_up: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
}

export interface WireResponse {
  status: number;
  status_text: string;
  proto: string;
  url: string;
  headers: Record<string, string>;
  cookies: Record<
    string,
    {
      name: string;
      value: string;
      domain: string;
      path: string;
      http_only: boolean;
      secure: boolean;
      max_age: number;
      expires: number;
    }[]
  >;
  body?: string | null;
  bodyB64?: string;
  error: string;
  error_code: number;
  timings: Timings;
  remote_ip: string;
  remote_port: number;
  tls_version: string;
  tls_cipher_suite: string;
  ocsp: { status: string };
  request: {
    method: string;
    url: string;
    headers: Record<string, string[]>;
    body: string;
    cookies: SentCookies;
  };
  /** the state of the request's own jar after it (requests with `jar` only) */
  jar?: JarData;
  interrupted?: boolean;
  thrown?: string;
}

export interface HttpConfig {
  userAgent?: string;
  maxRedirects?: number;
  noConnectionReuse?: boolean;
  insecureSkipTLSVerify?: boolean;
  /** http.batch: requests in flight at once, overall (k6 default 20) and per host (default 6) */
  batch?: number;
  batchPerHost?: number;
  /** the opt-in `ip` system tag on HTTP samples */
  ipTag?: boolean;
  /** the `hosts` option */
  hosts?: Record<string, unknown>;
  /** the TLS client options (tlsVersion, tlsCipherSuites, tlsAuth) */
  tls?: TLSOptions;
  /** the `dns` option's resolver */
  dns?: Resolver;
}

const STATUS_TEXT: Record<number, string> = {};
import { STATUS_CODES } from 'node:http';
for (const [k, v] of Object.entries(STATUS_CODES)) STATUS_TEXT[Number(k)] = v ?? '';

const canonicalNames = new Map<string, string>();

/** Go's canonical header name (`content-type` -> `Content-Type`); the names a server sends repeat. */
export function canonical(name: string): string {
  let c = canonicalNames.get(name);
  if (c === undefined) {
    c = name.toLowerCase().replace(/(^|-)([a-z])/g, (_, d: string, ch: string) => d + ch.toUpperCase());
    if (canonicalNames.size < 1000) canonicalNames.set(name, c);
  }
  return c;
}

function maskURL(u: URL): string {
  if (!u.username && !u.password) return u.href;
  const c = new URL(u.href);
  c.username = '****';
  c.password = '****';
  return c.href;
}

type Hop = Exchange;

/** What one VU lends a request: where samples go, its interrupt signal, byte counters, cookies. */
export interface RequestContext {
  emit: (s: Sample[]) => void;
  signal: AbortSignal;
  /** the requests in flight; the VU ends them at once when it is interrupted */
  cancels: Set<Cancel>;
  warn: (msg: string, fields: Record<string, string>) => void;
  bytes: { sent: number; received: number };
  jar: CookieJar;
}

export class HttpClient {
  private h1: Http1Client;
  private cfg: HttpConfig;

  constructor(cfg: HttpConfig = {}) {
    this.cfg = cfg;
    const proxies = new ProxyConfig();
    const hosts = new HostOverrides(cfg.hosts);
    this.h1 = new Http1Client({
      hosts: hosts.empty ? undefined : hosts,
      tls: cfg.tls,
      rejectUnauthorized: !cfg.insecureSkipTLSVerify,
      noReuse: cfg.noConnectionReuse,
      idleTimeout: 30_000,
      proxies: proxies.none ? undefined : proxies,
      dns: cfg.dns,
    });
  }

  close(): Promise<void> {
    return this.h1.close();
  }

  /** Sends requests concurrently (http.batch) or one (the usual case); samples go to `emit`. */
  async send(reqs: WireRequest[], vu: RequestContext): Promise<WireResponse[]> {
    if (reqs.length === 1) return [await this.withJar(reqs[0], vu)];
    const limit = this.cfg.batch || 20;
    const perHost = this.cfg.batchPerHost || 6;
    const out: WireResponse[] = new Array(reqs.length);
    const hostOf = (r: WireRequest) => {
      try {
        return new URL(r.url).host;
      } catch {
        return '';
      }
    };
    const inFlight = new Map<string, number>();
    let running = 0;
    let next = 0;
    const waiting = reqs.map((r, i) => ({ i, host: hostOf(r) }));
    await new Promise<void>((resolve) => {
      const pump = () => {
        if (next === reqs.length && running === 0) return resolve();
        for (let k = 0; k < waiting.length && running < limit; k++) {
          const w = waiting[k];
          if ((inFlight.get(w.host) ?? 0) >= perHost) continue;
          waiting.splice(k--, 1);
          next++;
          running++;
          inFlight.set(w.host, (inFlight.get(w.host) ?? 0) + 1);
          void this.withJar(reqs[w.i], vu)
            .catch((e: unknown) => ({
              ...emptyResponse(reqs[w.i]),
              error: String((e as Error)?.message ?? e),
              error_code: 1000,
            }))
            .then((res) => {
              out[w.i] = res;
              running--;
              inFlight.set(w.host, (inFlight.get(w.host) ?? 1) - 1);
              pump();
            });
        }
      };
      pump();
    });
    return out;
  }

  /** The request with the jar it names, its own or the VU's; an own jar's new state goes back with it. */
  private async withJar(req: WireRequest, vu: RequestContext): Promise<WireResponse> {
    if (!req.jar) return this.one(req, vu, vu.jar);
    const jar = CookieJar.from(req.jar);
    const res = await this.one(req, vu, jar);
    res.jar = jar.toJSON();
    return res;
  }

  private async one(req: WireRequest, vu: RequestContext, jar: CookieJar): Promise<WireResponse> {
    const { emit, signal, warn } = vu;
    let url: URL;
    const res = emptyResponse(req);
    try {
      url = urlOf(req);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new Error('unsupported protocol scheme');
    } catch {
      const err: NetError = { code: 1020, message: 'invalid URL', detail: `invalid URL "${req.url}"` };
      res.error = err.message;
      res.error_code = err.code;
      if (req.throw) res.thrown = `${goMethod(req.method)} "${req.url}": ${err.detail}`;
      else warn('Request Failed', { error: `${goMethod(req.method)} "${req.url}": ${err.detail}` });
      return res;
    }
    let method = req.method;
    let body = requestBody(req);
    const headers = this.headers(req, url, body, jar);
    const maxRedirects = req.redirects ?? this.cfg.maxRedirects ?? 10;
    const firstURL = url.href;
    // auth: 'digest' (k6's): the first response is expected to be the server's 401 challenge.
    let digest = req.auth === 'digest' && !!(url.username || url.password);
    // response.request is the request the script made, as in k6, whatever redirects or digest auth followed.
    let first: WireResponse['request'] | undefined;
    for (let hopNo = 0; ; hopNo++) {
      const hop = await this.hop(method, url, headers, body, req.timeout ?? 60_000, vu);
      if (signal.aborted) {
        res.interrupted = true;
        return res;
      }
      const location = headerValue(hop.headers, 'location');
      const redirect = !hop.error && hop.status >= 300 && hop.status < 400 && location !== undefined;
      this.fill(res, req, method, url, headers, body, hop, vu, jar);
      res.request = first ??= res.request;
      this.emitHop(req, method, res, hop, emit, digest ? hop.status === 401 : undefined);
      if (digest) {
        digest = false;
        const challenge =
          !hop.error && hop.status === 401
            ? parseChallenge(headerValue(hop.headers, 'www-authenticate'))
            : null;
        if (challenge) {
          try {
            headers['authorization'] = authorization(
              challenge,
              decodeURIComponent(url.username),
              decodeURIComponent(url.password),
              method,
              `${url.pathname}${url.search}`,
              body,
            );
            hopNo--;
            continue;
          } catch (e) {
            warn('Request Failed', {
              error: `${goMethod(method)} "${maskURL(url)}": ${(e as Error).message}`,
            });
            return res;
          }
        }
      }
      if (hop.error) {
        const detail = `${goMethod(method)} "${maskURL(url)}": ${mapError(hop.error, url).detail}`;
        if (req.throw) res.thrown = detail;
        else warn('Request Failed', { error: detail });
        return res;
      }
      if (!redirect || hopNo >= maxRedirects) {
        // k6 stays silent when the script chose a limit (params.redirects or the maxRedirects option), and
        // counts the requests made so far, the first included.
        if (redirect && req.redirects === undefined && this.cfg.maxRedirects === undefined) {
          warn(
            `Stopped after ${hopNo + 1} redirects and returned the redirection; pass { redirects: n } in request params or set global maxRedirects to silence this`,
            { url: firstURL },
          );
        }
        return res;
      }
      url = new URL(location!, url);
      // As k6 does on each redirect: the Cookie header is made afresh from params.cookies and the jar,
      // which now holds what the redirect set.
      delete headers['cookie'];
      const cookies = jar.header(url.host, req.cookies ?? {});
      if (cookies.length) headers['cookie'] = cookies.join('; ');
      if (
        hop.status === 303 ||
        ((hop.status === 301 || hop.status === 302) && method !== 'GET' && method !== 'HEAD')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        delete headers['content-type'];
        delete headers['content-length'];
      }
    }
  }

  private headers(
    req: WireRequest,
    url: URL,
    body: Buffer | undefined,
    cookieJar: CookieJar,
  ): Record<string, string> {
    const h: Record<string, string> = {};
    const ua = this.cfg.userAgent ?? 'k6/0.49.0 (https://k6.io/)';
    if (ua) h['user-agent'] = ua;
    if (req.headers) for (const k in req.headers) h[k.toLowerCase()] = req.headers[k];
    if ((url.username || url.password) && req.auth !== 'digest') {
      h['authorization'] =
        'Basic ' +
        Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
          'base64',
        );
    }
    if (req.multipart && body) h['content-type'] = `multipart/form-data; boundary=${MULTIPART_BOUNDARY}`;
    const cookies = cookieJar.header(url.host, req.cookies ?? {});
    if (cookies.length)
      h['cookie'] = h['cookie'] ? `${h['cookie']}; ${cookies.join('; ')}` : cookies.join('; ');
    if (req.compression) h['accept-encoding'] = req.compression;
    if (h['content-length'] !== undefined && body && Number(h['content-length']) !== body.length) {
      delete h['content-length'];
    }
    return h;
  }

  private async hop(
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
    timeout: number,
    vu: RequestContext,
  ): Promise<Hop> {
    let cancel: Cancel | null = null;
    const track = (c: Cancel | null) => {
      if (cancel) vu.cancels.delete(cancel);
      cancel = c;
      if (c) vu.cancels.add(c);
    };
    try {
      // The VU's cookie jar is its own: its HTTP/2 sessions are too, as k6 gives each VU a transport.
      return await this.h1.request({ method, url, headers, body, timeout, scope: vu.jar }, track);
    } finally {
      track(null);
    }
  }

  private fill(
    res: WireResponse,
    req: WireRequest,
    method: string,
    url: URL,
    headers: Record<string, string>,
    body: Buffer | undefined,
    hop: Hop,
    vu: RequestContext,
    jar: CookieJar,
  ): void {
    const info = hop.conn;
    const fresh = info && hop.fresh;
    const connectedAt = hop.connectedAt || hop.end;
    const sentAt = hop.sentAt || connectedAt;
    const firstByte = hop.firstByte || hop.end;
    const timings: Timings = {
      blocked: hop.error && !hop.connectedAt ? 0 : connectedAt - hop.start,
      looking_up: 0,
      connecting: fresh ? info!.connecting : 0,
      tls_handshaking: fresh ? info!.tls : 0,
      sending: hop.error && !hop.connectedAt ? 0 : Math.max(0, sentAt - connectedAt),
      waiting: hop.firstByte ? Math.max(0, firstByte - sentAt) : 0,
      receiving: hop.firstByte ? Math.max(0, hop.end - firstByte) : 0,
      duration: 0,
    };
    timings.duration = timings.sending + timings.waiting + timings.receiving;
    vu.bytes.sent += hop.bytesOut;
    vu.bytes.received += hop.bytesIn;
    res.url = maskURL(url);
    res.timings = timings;
    res.request = sentRequest(req, method, res.url, headers, body);
    if (info) {
      res.remote_ip = info.remoteAddress;
      res.remote_port = info.remotePort;
      res.tls_version = info.tlsVersion;
      res.tls_cipher_suite = info.cipher;
    }
    if (hop.error) {
      const e = mapError(hop.error, url);
      res.status = 0;
      res.status_text = '';
      res.proto = '';
      res.error = e.message;
      res.error_code = e.code;
      res.headers = {};
      res.body = null;
      return;
    }
    res.status = hop.status;
    res.status_text = `${hop.status} ${hop.statusText || STATUS_TEXT[hop.status] || ''}`;
    res.proto = hop.proto;
    res.error = '';
    res.error_code = hop.status >= 400 ? 1000 + hop.status : 0;
    const last = receivedHeaders.get(req);
    if (last && sameList(last.raw, hop.headers)) {
      // The same header lines as the last response to this request (no Set-Cookie among them).
      res.headers = last.headers;
      res.cookies = {};
    } else this.readHeaders(req, res, hop, url, jar);
    let data = hop.body;
    const enc = (res.headers['Content-Encoding'] ?? '').toLowerCase();
    try {
      if (enc === 'gzip') data = zlib.gunzipSync(data);
      else if (enc === 'deflate') data = zlib.inflateSync(data);
      else if (enc === 'br') data = zlib.brotliDecompressSync(data);
    } catch (err) {
      const e = mapError(err, url);
      res.error = e.message;
      res.error_code = 1701;
    }
    const noBody =
      hop.status === 204 ||
      hop.status === 304 ||
      (hop.status >= 100 && hop.status < 200) ||
      method === 'HEAD';
    if (req.responseType === 'none' || noBody) res.body = null;
    else if (req.responseType === 'binary') {
      res.body = undefined;
      res.bodyB64 = data.toString('base64');
    } else res.body = data.toString('utf8');
  }

  /** The response's headers (canonical names, repeats joined) and the cookies it sets, into the jar too. */
  private readHeaders(req: WireRequest, res: WireResponse, hop: Hop, url: URL, jar: CookieJar): void {
    const hs: Record<string, string> = {};
    const cookies: WireResponse['cookies'] = {};
    let setsCookies = false;
    for (let i = 0; i < hop.headers.length; i += 2) {
      const name = canonical(hop.headers[i]);
      const value = hop.headers[i + 1];
      hs[name] = hs[name] === undefined ? value : `${hs[name]}, ${value}`;
      if (name === 'Set-Cookie') {
        setsCookies = true;
        const c = parseCookie(value, url);
        (cookies[c.name] ??= []).push(c);
        jar.store(url.host, c.name, c.value, expiresAtOnce(value, c.max_age, c.expires));
      }
    }
    res.headers = hs;
    res.cookies = cookies;
    if (setsCookies) receivedHeaders.delete(req);
    else receivedHeaders.set(req, { raw: hop.headers, headers: hs });
  }

  private emitHop(
    req: WireRequest,
    method: string,
    res: WireResponse,
    hop: Hop,
    emit: (s: Sample[]) => void,
    /** in place of the response callback's verdict (digest auth's challenge) */
    expectedAs?: boolean,
  ): void {
    // fill() has set res.url: the URL as reported, credentials masked.
    const u = res.url;
    let expected: boolean | null = null;
    if (req.expected)
      expected = expectedAs ?? req.expected.some(([lo, hi]) => res.status >= lo && res.status <= hi);
    // A request sent again (the same text, so the same parsed request: see parseRequests) with the same
    // outcome gets the same tags object: no new object per sample set, and the thread's sample packing
    // recognises it without serialising it again.
    let outcomes = sampleTags.get(req);
    if (!outcomes) sampleTags.set(req, (outcomes = []));
    let tags: Record<string, string> | undefined;
    for (const o of outcomes) {
      if (
        o.status === res.status &&
        o.method === method &&
        o.proto === res.proto &&
        o.tls === res.tls_version &&
        o.code === res.error_code &&
        o.error === res.error &&
        o.expected === expected &&
        o.url === u &&
        o.ip === res.remote_ip
      ) {
        tags = o.tags;
        break;
      }
    }
    if (!tags) {
      // Copied key by key: V8 makes a spread copy that then grows (`{ ...t }; t.x = ...`) ~50x slower.
      tags = {};
      for (const k in req.tags) tags[k] = req.tags[k];
      tags.url = req.name ?? u;
      tags.name = req.name ?? u;
      tags.method = method;
      tags.status = String(res.status);
      if (res.proto) tags.proto = res.proto;
      if (res.tls_version) tags.tls_version = res.tls_version;
      if (res.error_code) tags.error_code = String(res.error_code);
      if (res.error && res.status === 0) tags.error = res.error;
      if (expected !== null) tags.expected_response = String(expected);
      if (this.cfg.ipTag && res.remote_ip) tags.ip = res.remote_ip;
      if (outcomes.length < 16) {
        outcomes.push({
          status: res.status,
          method,
          proto: res.proto,
          tls: res.tls_version,
          code: res.error_code,
          error: res.error,
          expected,
          url: u,
          ip: res.remote_ip,
          tags,
        });
      }
    }
    const time = performance.timeOrigin + hop.end;
    const t = res.timings;
    const out: Sample[] = [
      { metric: 'http_reqs', time, value: 1, tags },
      { metric: 'http_req_duration', time, value: t.duration, tags },
      { metric: 'http_req_blocked', time, value: t.blocked, tags },
      { metric: 'http_req_connecting', time, value: t.connecting, tags },
      { metric: 'http_req_tls_handshaking', time, value: t.tls_handshaking, tags },
      { metric: 'http_req_sending', time, value: t.sending, tags },
      { metric: 'http_req_waiting', time, value: t.waiting, tags },
      { metric: 'http_req_receiving', time, value: t.receiving, tags },
    ];
    if (expected !== null) out.push({ metric: 'http_req_failed', time, value: expected ? 0 : 1, tags });
    emit(out);
  }
}

/**
 * The header lines of the last response each parsed request got, and the headers object made of them:
 * a response that repeats them gets the same (never modified) object, whose JSON encodeResponse then
 * writes only once. Responses that set cookies are read afresh.
 */
const receivedHeaders = new WeakMap<WireRequest, { raw: string[]; headers: Record<string, string> }>();
const headersJSON = new WeakMap<Record<string, string>, string>();

function sameList(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

type SentRequest = WireResponse['request'];
/** The last request part each parsed request got, with its JSON (see sentRequest, encodeResponse). */
const sent = new WeakMap<WireRequest, SentRequest>();
const sentJSON = new WeakMap<SentRequest, string>();

/**
 * The response's `request` part. A request sent again with the same method, URL, headers and body
 * gets the same (never modified) object back, whose JSON encodeResponse then writes only once.
 */
function sentRequest(
  req: WireRequest,
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
): SentRequest {
  const text = body ? body.toString() : '';
  const last = sent.get(req);
  if (last && last.method === method && last.url === url && last.body === text) {
    let n = 0;
    let same = true;
    for (const k in headers) {
      n++;
      const v = last.headers[canonical(k)];
      if (v === undefined || v[0] !== headers[k]) {
        same = false;
        break;
      }
    }
    if (same && n === Object.keys(last.headers).length) return last;
  }
  const h: Record<string, string[]> = {};
  for (const k in headers) h[canonical(k)] = [headers[k]];
  const r: SentRequest = { method, url, headers: h, body: text, cookies: sentCookies(headers['cookie']) };
  sent.set(req, r);
  return r;
}

interface Outcome {
  status: number;
  method: string;
  proto: string;
  tls: string;
  code: number;
  error: string;
  expected: boolean | null;
  url: string;
  ip: string;
  tags: Record<string, string>;
}
/** Sample tags per parsed request and outcome (see emitHop): at most 16 outcomes, told apart field by field. */
const sampleTags = new WeakMap<WireRequest, Outcome[]>();
const urls = new WeakMap<WireRequest, URL>();

function urlOf(req: WireRequest): URL {
  let u = urls.get(req);
  if (!u) urls.set(req, (u = new URL(req.url)));
  return u;
}

/**
 * The requests a VM sent, parsed from their JSON text. A VU sends the same few texts again and again
 * (the same URL, tags and params each iteration), so each VU keeps the last texts it parsed: a repeat
 * gets the same objects back, which the caches above key on. The objects are never modified.
 */
export class RequestTexts {
  private seen = new Map<string, WireRequest[]>();

  parse(text: string): WireRequest[] {
    let reqs = this.seen.get(text);
    if (!reqs) {
      reqs = JSON.parse(text) as WireRequest[];
      if (this.seen.size >= 32) this.seen.clear();
      this.seen.set(text, reqs);
    }
    return reqs;
  }
}

const SEP = '\u0001';
/** Heads this long or longer are found by their separator (see headLength). */
const HEAD_LENGTH_MAX = 95 * 95;

/**
 * The head's length in two printable characters (base 95 from the space): the VM reads them with
 * two charCodeAt calls, where a number in the text would cost it a parse (QuickJS parses ~1 µs per
 * JSON value). A longer head is marked with DEL and found by its separator instead.
 */
function headLength(n: number): string {
  if (n >= HEAD_LENGTH_MAX) return '\u007f ';
  return String.fromCharCode(32 + Math.floor(n / 95), 32 + (n % 95));
}

/**
 * The response as the VM reads it (modules/http.ts): the head's length, the head JSON, the body, then
 * the parts parsed only when a script reads them (headers, timings, the rest), split by \u0001. The
 * head carries the body's length and nothing that varies from one response to the next of a request
 * (the timings do): the VM parses a head only when it differs from the last one it saw.
 */
export function encodeResponse(r: WireResponse): string {
  const kind = r.bodyB64 !== undefined ? 'b' : r.body === null || r.body === undefined ? 'n' : 't';
  const body = kind === 'b' ? r.bodyB64! : kind === 't' ? r.body! : '';
  let headers = headersJSON.get(r.headers);
  if (headers === undefined) headersJSON.set(r.headers, (headers = JSON.stringify(r.headers)));
  // The timings as a list, in the order the VM names them (modules/http.ts): half the characters cross.
  // (Written by template literal instead, the numbers cost more CPU per request, though less in a
  // microbenchmark: BENCHMARKS.md.)
  const t = r.timings;
  const timings = JSON.stringify([
    t.blocked,
    t.looking_up,
    t.connecting,
    t.tls_handshaking,
    t.sending,
    t.waiting,
    t.receiving,
    t.duration,
  ]);
  // Written from parts, as JSON.stringify would write the whole object: the request part and the
  // connection's fields repeat from one response to the next.
  let request = sentJSON.get(r.request);
  if (request === undefined) sentJSON.set(r.request, (request = JSON.stringify(r.request)));
  let cookies = '{}';
  for (const _ in r.cookies) {
    cookies = JSON.stringify(r.cookies);
    break;
  }
  const head = JSON.stringify([
    r.status,
    r.status_text,
    r.proto,
    r.url,
    r.error,
    r.error_code,
    r.interrupted ? 1 : (r.thrown ?? 0),
    kind,
    body.length,
  ]);
  return `${headLength(head.length)}${head}${SEP}${body}${SEP}${headers}${SEP}${timings}${SEP}{"cookies":${cookies},"request":${request},${r.jar ? `"jar":${JSON.stringify(r.jar)},` : ''}${connectionJSON(r)}}`;
}

type ConnectionFields = Pick<
  WireResponse,
  'remote_ip' | 'remote_port' | 'tls_version' | 'tls_cipher_suite' | 'ocsp'
>;
let lastConnection: ConnectionFields | null = null;
let lastConnectionJSON = '';

/** The remote address, TLS and OCSP fields of a response's JSON; the last ones are kept. */
function connectionJSON(r: WireResponse): string {
  const l = lastConnection;
  if (
    l &&
    l.remote_ip === r.remote_ip &&
    l.remote_port === r.remote_port &&
    l.tls_version === r.tls_version &&
    l.tls_cipher_suite === r.tls_cipher_suite &&
    l.ocsp.status === r.ocsp.status
  )
    return lastConnectionJSON;
  const fields: ConnectionFields = {
    remote_ip: r.remote_ip,
    remote_port: r.remote_port,
    tls_version: r.tls_version,
    tls_cipher_suite: r.tls_cipher_suite,
    ocsp: { status: r.ocsp.status },
  };
  lastConnection = fields;
  lastConnectionJSON = JSON.stringify(fields).slice(1, -1);
  return lastConnectionJSON;
}

const MULTIPART_BOUNDARY = 'k6runnerboundary7MA4YWxkTrZu0gW';

function requestBody(req: WireRequest): Buffer | undefined {
  if (req.body !== undefined) return Buffer.from(req.body);
  if (req.bodyB64 !== undefined) return Buffer.from(req.bodyB64, 'base64');
  if (req.multipart) {
    const parts: Buffer[] = [];
    for (const p of req.multipart) {
      let head = `--${MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`;
      if (p.dataB64 !== undefined) {
        head += `; filename="${p.filename}"\r\nContent-Type: ${p.contentType}`;
        parts.push(Buffer.from(head + '\r\n\r\n'), Buffer.from(p.dataB64, 'base64'), Buffer.from('\r\n'));
      } else parts.push(Buffer.from(`${head}\r\n\r\n${p.value ?? ''}\r\n`));
    }
    parts.push(Buffer.from(`--${MULTIPART_BOUNDARY}--\r\n`));
    return Buffer.concat(parts);
  }
  return undefined;
}

function headerValue(raw: string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === name.length && raw[i].toLowerCase() === name) return raw[i + 1];
  }
  return undefined;
}

function emptyResponse(req: WireRequest): WireResponse {
  return {
    status: 0,
    status_text: '',
    proto: '',
    url: req.url,
    headers: {},
    cookies: {},
    body: null,
    error: '',
    error_code: 0,
    timings: {
      duration: 0,
      blocked: 0,
      looking_up: 0,
      connecting: 0,
      tls_handshaking: 0,
      sending: 0,
      waiting: 0,
      receiving: 0,
    },
    remote_ip: '',
    remote_port: 0,
    tls_version: '',
    tls_cipher_suite: '',
    ocsp: { status: 'unknown' },
    request: { method: req.method, url: req.url, headers: {}, body: '', cookies: {} },
  };
}
