// The opening handshake of k6/ws, on the `ws` client: the URL and header rules of the Go client k6 uses
// (gorilla/websocket), the VU's cookies, the `hosts`, `dns` and TLS options, and what a refused upgrade
// gives back (status, headers, the start of the body).
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import { mapError } from './errors.ts';
import { canonical } from './http-host.ts';
import type { CookieJar } from './cookies.ts';
import type { HostOverrides } from './hosts.ts';
import type { TLSOptions } from './tls-options.ts';
import type { Resolver } from './dns.ts';

export interface WsDialOptions {
  userAgent?: string;
  insecureSkipTLSVerify?: boolean;
  hosts?: HostOverrides;
  tls?: TLSOptions;
  dns?: Resolver;
}

/** What the VM asks for (modules/ws.ts). */
export interface DialRequest {
  url: string;
  /** as the script gave them; names are made canonical here, as Go's http.Header.Set does */
  headers: Record<string, string>;
  compression: boolean;
}

/** The handshake's outcome: an open socket, or the error and whatever response came. */
export interface Handshake {
  /** '' once open */
  error: string;
  /** 0 when no response came */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** the Sec-WebSocket-Protocol the server chose ('' if none); null when no response came */
  subproto: string | null;
  /** ms from the start of the dial to the response */
  connecting: number;
}

export interface Dialing {
  /** null when the request failed before a socket could be made */
  ws: WebSocket | null;
  /** the TCP (or TLS) socket, for its byte counts; null until it connected */
  socket(): net.Socket | null;
  done: Promise<Handshake>;
  /** ends a dial in flight (the VU was interrupted) */
  abort(): void;
}

// What gorilla/websocket sets itself and refuses from the caller (`Sec-Websocket-Protocol` passes).
const OWN_HEADERS = new Set([
  'Upgrade',
  'Connection',
  'Sec-Websocket-Key',
  'Sec-Websocket-Version',
  'Sec-Websocket-Extensions',
]);
// gorilla's offer: no context takeover either way, no window bits (the `ws` client offers
// client_max_window_bits unless told no, which its types do not allow for); like gorilla it then
// compresses every message, however short
const GORILLA_DEFLATE = {
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  clientMaxWindowBits: false as unknown as number,
  threshold: 0,
};
// gorilla keeps this much of a refused upgrade's body
const BODY_LIMIT = 1024;

export class WsDialer {
  constructor(private opts: WsDialOptions) {}

  /** Starts a handshake; the caller attaches its listeners to `ws` before the first turn of the loop. */
  dial(req: DialRequest, jar: CookieJar): Dialing {
    const t0 = performance.now();
    let url: URL | null = null;
    try {
      url = new URL(req.url);
    } catch {
      url = null;
    }
    if (!url || (url.protocol !== 'ws:' && url.protocol !== 'wss:') || url.username || url.password) {
      return failed('malformed ws or wss URL');
    }
    const headers: Record<string, string> = {};
    const ua = this.opts.userAgent ?? 'k6/0.49.0 (https://k6.io/)';
    if (ua) headers['User-Agent'] = ua;
    const cookies = jar.jar.get(url.host);
    if (cookies?.size) headers['Cookie'] = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let protocols: string[] = [];
    for (const k of Object.keys(req.headers)) {
      const name = canonical(k);
      if (OWN_HEADERS.has(name)) return failed(`websocket: duplicate header not allowed: ${name}`);
      if (name === 'Sec-Websocket-Protocol') {
        protocols = req.headers[k]
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
      } else headers[name] = req.headers[k];
    }
    const secure = url.protocol === 'wss:';
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port) || (secure ? 443 : 80);
    let socket: net.Socket | null = null;
    // A socket that never connected moved no bytes, whatever its buffer holds.
    let connected = false;
    const createConnection = (): net.Socket => {
      const d = this.opts.hosts?.lookup(host, port);
      const target = { host: d ? d.host : host, port: d?.port || port, lookup: this.opts.dns?.lookup };
      socket = secure
        ? tls.connect({
            ...target,
            ...this.opts.tls?.for(host),
            servername: net.isIP(host) ? undefined : host,
            rejectUnauthorized: !this.opts.insecureSkipTLSVerify,
            // k6 keeps its WebSocket dials off HTTP/2
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect(target);
      socket.setNoDelay(true);
      socket.once('connect', () => (connected = true));
      return socket;
    };
    // The fragment is the client's alone (the `ws` client refuses URLs that carry one).
    const target = new URL(url.href);
    target.hash = '';
    let ws: WebSocket;
    try {
      ws = new WebSocket(target.href, protocols, {
        headers,
        perMessageDeflate: req.compression ? GORILLA_DEFLATE : false,
        handshakeTimeout: 60_000,
        createConnection,
        followRedirects: false,
      });
    } catch (e) {
      return failed((e as Error).message);
    }
    const done = new Promise<Handshake>((resolve) => {
      let settled = false;
      const finish = (h: Omit<Handshake, 'connecting'>) => {
        if (settled) return;
        settled = true;
        resolve({ ...h, connecting: performance.now() - t0 });
      };
      let response: IncomingMessage | null = null;
      ws.on('upgrade', (res) => {
        response = res;
        storeCookies(jar, url!.host, res);
      });
      ws.on('open', () => {
        finish({
          error: '',
          status: 101,
          headers: headerMap(response?.rawHeaders ?? []),
          body: '',
          subproto: ws.protocol,
        });
      });
      ws.on('unexpected-response', (request, res) => {
        storeCookies(jar, url!.host, res);
        const chunks: Buffer[] = [];
        let size = 0;
        const end = () => {
          request.destroy();
          finish({
            error: 'websocket: bad handshake',
            status: res.statusCode ?? 0,
            headers: headerMap(res.rawHeaders),
            body: Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8'),
            subproto: res.headers['sec-websocket-protocol']?.toString() ?? '',
          });
        };
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= BODY_LIMIT) end();
        });
        res.on('end', end);
        res.on('error', end);
      });
      ws.on('error', (e) => {
        // A response that was not an upgrade (its headers checked by the `ws` client) is a bad handshake.
        if (response) {
          return finish({
            error: 'websocket: bad handshake',
            status: response.statusCode ?? 0,
            headers: headerMap(response.rawHeaders),
            body: '',
            subproto: response.headers['sec-websocket-protocol']?.toString() ?? '',
          });
        }
        finish({ error: dialError(e, url!), status: 0, headers: {}, body: '', subproto: null });
      });
      ws.on('close', () =>
        finish({ error: 'websocket: bad handshake', status: 0, headers: {}, body: '', subproto: null }),
      );
    });
    return { ws, socket: () => (connected ? socket : null), done, abort: () => ws.terminate() };

    function failed(error: string): Dialing {
      const done = Promise.resolve({
        error,
        status: 0,
        headers: {},
        body: '',
        subproto: null,
        connecting: performance.now() - t0,
      });
      return { ws: null, socket: () => null, done, abort: () => {} };
    }
  }
}

/** Response headers as k6 hands them to the script: canonical names, repeats joined with ", ". */
function headerMap(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = canonical(raw[i]);
    out[name] = out[name] === undefined ? raw[i + 1] : `${out[name]}, ${raw[i + 1]}`;
  }
  return out;
}

function storeCookies(jar: CookieJar, host: string, res: IncomingMessage): void {
  for (const line of res.headers['set-cookie'] ?? []) {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const cookies = jar.jar.get(host) ?? new Map<string, string>();
    cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    jar.jar.set(host, cookies);
  }
}

// Go's dial errors: "dial tcp 127.0.0.1:1: connect: connection refused", "lookup name: no such host".
function dialError(e: unknown, url: URL): string {
  const httpURL = new URL(url.href);
  httpURL.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  const mapped = mapError(e, httpURL);
  const code = (e as { code?: string })?.code;
  return code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? mapped.message : mapped.detail;
}
