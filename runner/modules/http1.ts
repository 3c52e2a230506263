// An HTTP/1.1 client on net and tls sockets, for the host half of k6/http: keep-alive connections per
// origin, an incremental response parser, and the instants k6's phase timings are made of. It makes
// a fraction of undici's garbage per request, which in VU threads (where QuickJS shares the CPU and
// the caches) cost more than the parsing itself (BENCHMARKS.md, "Runner VUs").
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { RequestTimeout } from './errors.ts';
import { proxyAuthorization, type ProxyConfig } from './proxy.ts';
import type { HostOverrides } from './hosts.ts';
import type { TLSOptions } from './tls-options.ts';
import type { Resolver } from './dns.ts';
import { ResponseParser } from './http1-parser.ts';
import { H2Session } from './http2.ts';
import type { Cancel, ConnInfo, Exchange, RequestOptions } from './http-types.ts';

export type { Cancel, ConnInfo, Exchange, RequestOptions } from './http-types.ts';

export interface ClientOptions {
  rejectUnauthorized?: boolean;
  /** a connection per request, closed after it */
  noReuse?: boolean;
  /** ms an idle connection is kept */
  idleTimeout?: number;
  /** the proxies to use (default: none) */
  proxies?: ProxyConfig;
  /** the `hosts` option's DNS overrides */
  hosts?: HostOverrides;
  /** tlsVersion, tlsCipherSuites, tlsAuth */
  tls?: TLSOptions;
  /** the `dns` option's resolver (default: the system's, as Node dials) */
  dns?: Resolver;
}

const CRLF = '\r\n';

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

// Requests made during one turn of the event loop go on the wire together at its end. Under load one
// turn resumes many VUs; writes that leave together wake the peer once rather than once each, and its
// answers then come back together too: the whole exchange got shorter (BENCHMARKS.md). The wait is part
// of http_req_blocked, as the request has not left yet.
let outgoing: (() => void)[] = [];
function writeAtEndOfTurn(write: () => void): void {
  if (outgoing.push(write) === 1) setImmediate(flushOutgoing);
}
function flushOutgoing(): void {
  const writes = outgoing;
  outgoing = [];
  for (const write of writes) write();
}

class Connection {
  socket: net.Socket;
  /** requests go out in absolute form (to an HTTP proxy) */
  private absolute = false;
  /** Proxy-Authorization for requests in absolute form */
  private proxyAuth: string | null = null;
  /** the proxy connection a TLS tunnel runs over */
  private carrier: net.Socket | null = null;
  private ready = false;
  private waiters: (() => void)[] = [];
  /** the exchange in flight, with what finishes it */
  private ex: Exchange | null = null;
  private done: ((ex: Exchange) => void) | null = null;
  private req: RequestOptions | null = null;
  private parser = new ResponseParser();
  private onSocketData = (d: Buffer) => this.onData(d);
  private onSocketRead = (n: number, buf: Buffer): boolean => {
    const d = Buffer.allocUnsafe(n);
    buf.copy(d, 0, 0, n);
    this.onData(d);
    return true;
  };
  /** set once the TLS handshake chose h2: requests become streams of this session */
  h2: H2Session | null = null;
  /** a request that was waiting for the handshake and went to the session instead */
  private moved = new WeakMap<Exchange, Cancel>();
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  info: ConnInfo;
  used = false;
  dead = false;

  constructor(
    url: URL,
    private opts: ClientOptions,
    private release: (c: Connection) => void,
    private forget: (c: Connection) => void,
    /** an http:// proxy: plain requests go to it in absolute form, TLS ones through a CONNECT tunnel */
    proxy: URL | null = null,
    /** the connection became an HTTP/2 session, which takes concurrent requests */
    private shared: (c: Connection) => void = () => {},
  ) {
    const t0 = performance.now();
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const host = bare(url.hostname);
    this.info = { connecting: 0, tls: 0, tlsVersion: '', cipher: '', remoteAddress: '', remotePort: 0 };
    let tcpAt = 0;
    const onReady = () => {
      const now = performance.now();
      if (secure) {
        const s = this.socket as tls.TLSSocket;
        this.info.connecting = (tcpAt || now) - t0;
        this.info.tls = now - (tcpAt || t0);
        this.info.tlsVersion = tlsName(s.getProtocol() ?? '');
        this.info.cipher = s.getCipher()?.name ?? '';
      } else this.info.connecting = now - t0;
      this.info.remoteAddress = this.socket.remoteAddress ?? '';
      this.info.remotePort = this.socket.remotePort ?? 0;
      this.ready = true;
      if (secure && (this.socket as tls.TLSSocket).alpnProtocol === 'h2') this.upgrade(url);
      for (const w of this.waiters.splice(0)) w();
    };
    const tlsOptions = {
      ...opts.tls?.for(host),
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: opts.rejectUnauthorized !== false,
      ALPNProtocols: OFFERED,
    };
    // The `hosts` option redirects the dial (of the proxy, when there is one), never the names used.
    const lookup = opts.dns?.lookup;
    const dial = (h: string, p: number) => {
      const d = opts.hosts?.lookup(h, p);
      return d ? { host: d.host, port: d.port || p, lookup } : { host: h, port: p, lookup };
    };
    if (secure && !proxy) {
      this.socket = tls.connect({ ...dial(host, port), ...tlsOptions });
      this.socket.once('connect', () => (tcpAt = performance.now()));
      this.socket.once('secureConnect', onReady);
      this.watch(this.socket);
      return;
    }
    const target = proxy ? dial(bare(proxy.hostname), Number(proxy.port) || 80) : dial(host, port);
    // Plain connections are read straight into one buffer per thread (copied out, as the parser keeps
    // what it is given): no readable-stream machinery per read (BENCHMARKS.md, "Runner VUs").
    const raw = secure
      ? net.connect(target)
      : net.connect({ ...target, onread: { buffer: readBuffer, callback: this.onSocketRead } });
    raw.setNoDelay(true);
    this.socket = raw;
    if (secure) this.carrier = raw;
    this.watch(raw, false);
    if (!secure) {
      this.absolute = proxy !== null;
      if (proxy) this.proxyAuth = proxyAuthorization(proxy);
      raw.once('connect', onReady);
      return;
    }
    // TLS through the proxy: CONNECT, then the handshake over the tunnel.
    raw.once('connect', () => {
      tcpAt = performance.now();
      const auth = proxyAuthorization(proxy!);
      const target = `${url.hostname}:${port}`;
      raw.write(
        `CONNECT ${target} HTTP/1.1${CRLF}host: ${target}${CRLF}` +
          (auth ? `proxy-authorization: ${auth}${CRLF}` : '') +
          CRLF,
        'latin1',
      );
    });
    // The proxy's answer, read by the response parser; its head is all that counts.
    const reply = new ResponseParser();
    reply.begin('CONNECT', false);
    const onReply = (d: Buffer) => {
      try {
        reply.push(d);
      } catch (e) {
        raw.destroy(socketError('HPE_INVALID', `proxy ${(e as Error).message}`));
        return;
      }
      const head = reply.head;
      if (!head) return;
      raw.off('data', onReply);
      if (head.status !== 200) {
        // As Go reports it: the proxy's status text.
        raw.destroy(socketError('K6_PROXY', head.statusText || `status ${head.status}`));
        return;
      }
      tcpAt = performance.now();
      this.socket = tls.connect({ socket: raw, ...tlsOptions });
      this.socket.once('secureConnect', onReady);
      this.watch(this.socket);
    };
    raw.on('data', onReply);
  }

  /** Error, close and (unless the socket is a tunnel's carrier) data events of a socket of this connection. */
  private watch(socket: net.Socket, data = true): void {
    if (data) socket.on('data', this.onSocketData);
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(null));
  }

  // The session reads the socket from now on; the request that waited for the handshake goes to it.
  private upgrade(url: URL): void {
    const socket = this.socket as tls.TLSSocket;
    socket.off('data', this.onSocketData);
    this.h2 = new H2Session(
      socket,
      url.origin,
      this.info,
      { idleTimeout: this.opts.idleTimeout ?? 30_000, noReuse: !!this.opts.noReuse },
      () => {
        this.dead = true;
        this.forget(this);
      },
    );
    const { ex, req, done } = this;
    this.ex = this.done = this.req = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (ex && req && done) this.moved.set(ex, this.h2.send(ex, req, done));
    if (!this.opts.noReuse) this.shared(this);
  }

  /** Sends the request once the connection is up; `done` gets the exchange when it ends either way. */
  send(ex: Exchange, req: RequestOptions, done: (ex: Exchange) => void): Cancel {
    if (this.h2) return this.h2.send(ex, req, done);
    this.ex = ex;
    this.done = done;
    this.req = req;
    this.used = true;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.socket.ref();
    this.arm(ex.start + req.timeout);
    // Runs outside any caller (at the end of the turn, or once connected): a throw fails the request only.
    const write = () => {
      if (this.ex !== ex) return;
      try {
        this.writeHead(ex, req);
      } catch (e) {
        this.finish(e);
        this.close();
      }
    };
    if (this.ready) writeAtEndOfTurn(write);
    else this.waiters.push(write);
    return (err) => {
      const moved = this.moved.get(ex);
      if (moved) return moved(err);
      if (this.ex !== ex) return;
      this.finish(Object.assign(err, { cancelled: true }));
      this.close();
    };
  }

  /** Writes the request's head (and body) on the socket; the exchange is connected and sent from here. */
  private writeHead(ex: Exchange, req: RequestOptions): void {
    ex.connectedAt = performance.now();
    ex.conn = this.info;
    const u = req.url;
    const h = req.headers;
    const target = this.absolute
      ? `${u.protocol}//${u.host}${u.pathname}${u.search}`
      : `${u.pathname}${u.search}`;
    let text = `${req.method} ${target} HTTP/1.1${CRLF}host: ${h.host ?? u.host}${CRLF}`;
    if (this.proxyAuth) text += `proxy-authorization: ${this.proxyAuth}${CRLF}`;
    const connection = h.connection ?? (this.opts.noReuse ? 'close' : 'keep-alive');
    this.parser.begin(req.method, !this.opts.noReuse && !connection.toLowerCase().includes('close'));
    text += `connection: ${connection}${CRLF}`;
    for (const k in h) {
      if (k === 'host' || k === 'connection' || k === 'content-length') continue;
      text += `${k}: ${h[k]}${CRLF}`;
    }
    const body = req.body;
    if (body) text += `content-length: ${body.length}${CRLF}`;
    text += CRLF;
    ex.bytesOut = Buffer.byteLength(text, 'latin1') + (body ? body.length : 0);
    if (body && body.length) {
      this.socket.cork();
      this.socket.write(text, 'latin1');
      this.socket.write(body);
      this.socket.uncork();
    } else this.socket.write(text, 'latin1');
    ex.sentAt = performance.now();
  }

  /**
   * The request timer is armed lazily: one timer per connection, kept across requests and re-armed
   * only when it fires before the current deadline (a new timer per request is garbage in VU threads).
   * It never keeps the thread alive: a request in flight has its socket for that.
   */
  private arm(deadline: number): void {
    this.deadline = deadline;
    if (this.timer && this.timerAt <= deadline) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = deadline;
    this.timer = setTimeout(this.fire, Math.max(1, Math.ceil(deadline - performance.now())));
    this.timer.unref();
  }

  private fire = (): void => {
    this.timer = null;
    if (!this.ex) return;
    const left = this.deadline - performance.now();
    if (left > 0) return this.arm(this.deadline);
    this.finish(new RequestTimeout('request timeout'));
    this.close();
  };

  private onData(d: Buffer): void {
    const ex = this.ex;
    if (!ex) {
      // Bytes on an idle connection: the server broke the protocol; the connection is not reused.
      this.close();
      return;
    }
    ex.bytesIn += d.length;
    if (!ex.firstByte) ex.firstByte = performance.now();
    let done: boolean;
    try {
      done = this.parser.push(d);
    } catch (e) {
      this.finish(e);
      this.close();
      return;
    }
    if (done) this.complete();
  }

  /** The parsed response into the exchange. */
  private take(ex: Exchange): void {
    const p = this.parser;
    if (p.head) {
      ex.status = p.head.status;
      ex.statusText = p.head.statusText;
      ex.headers = p.head.headers;
    }
    ex.body = p.parts.length === 1 ? p.parts[0] : Buffer.concat(p.parts);
  }

  private complete(): void {
    const ex = this.ex;
    if (!ex) return;
    this.take(ex);
    const reuse = this.parser.reusable;
    this.finish(null);
    if (reuse) this.idle();
    else this.close();
  }

  private finish(err: unknown): void {
    const ex = this.ex;
    const done = this.done;
    if (!ex || !done) return;
    this.ex = null;
    this.done = null;
    this.req = null;
    ex.end = performance.now();
    if (err) ex.error = err;
    done(ex);
  }

  private idle(): void {
    this.socket.unref();
    this.idleTimer = setTimeout(() => this.close(), this.opts.idleTimeout ?? 30_000);
    this.idleTimer.unref();
    this.release(this);
  }

  /** The socket failed or closed: the exchange in flight (if any) ends with that error. */
  private fail(err: Error | null): void {
    if (this.dead && !this.ex) return;
    this.dead = true;
    this.forget(this);
    if (this.timer) clearTimeout(this.timer);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.timer = this.idleTimer = null;
    const ex = this.ex;
    if (!ex) return;
    if (!err && this.parser.closed()) {
      // A body without a length ends with the connection.
      this.take(ex);
      this.finish(null);
      return;
    }
    this.finish(err ?? socketError('UND_ERR_SOCKET', 'other side closed'));
  }

  close(): void {
    this.h2?.close();
    this.socket.destroy();
    this.carrier?.destroy();
  }
}

/** Connections per origin, reused most-recently-idle first. */
export class Http1Client {
  private idle = new Map<string, Connection[]>();
  /** HTTP/2 sessions per scope and origin; one takes every request of its scope to its origin */
  private sessions = new WeakMap<object, Map<string, Connection>>();
  private unscoped = {};
  private all = new Set<Connection>();
  private closed = false;

  constructor(private opts: ClientOptions = {}) {}

  /** Sends one request; resolves with the exchange (its `error` set on failure). `cancel` ends it early. */
  request(req: RequestOptions, onCancel?: (cancel: Cancel | null) => void): Promise<Exchange> {
    const ex: Exchange = {
      status: 0,
      statusText: '',
      headers: [],
      body: EMPTY,
      error: null,
      start: performance.now(),
      connectedAt: 0,
      sentAt: 0,
      firstByte: 0,
      end: 0,
      bytesIn: 0,
      bytesOut: 0,
      conn: null,
      fresh: false,
      proto: 'HTTP/1.1',
    };
    return new Promise((resolve) => {
      if (this.closed) {
        ex.error = socketError('UND_ERR_DESTROYED', 'the HTTP client is closed');
        ex.end = performance.now();
        return resolve(ex);
      }
      let proxy: URL | null = null;
      try {
        proxy = this.opts.proxies?.for(req.url) ?? null;
      } catch (e) {
        ex.error = e;
        ex.end = performance.now();
        return resolve(ex);
      }
      const origin = proxy ? `${proxy.href} ${req.url.origin}` : req.url.origin;
      const scope = req.scope ?? this.unscoped;
      const attempt = (retry: boolean) => {
        let conn = this.sessions.get(scope)?.get(origin);
        if (conn?.dead) conn = undefined;
        const list = this.idle.get(origin);
        if (!conn) conn = list?.pop();
        while (conn?.dead) conn = list?.pop();
        const reused = !!conn;
        if (!conn) {
          conn = new Connection(
            req.url,
            this.opts,
            (c) => this.release(origin, c),
            (c) => this.forget(origin, c, scope),
            proxy,
            (c) => this.share(origin, c, scope),
          );
          this.all.add(conn);
        }
        ex.fresh = !conn.used;
        const cancel = conn.send(ex, req, (e) => {
          onCancel?.(null);
          // A kept-alive connection the server closed just before this request: sent again once on a
          // new connection, as Go's client does, when nothing came back and the method is idempotent.
          if (
            retry &&
            reused &&
            e.error &&
            !e.bytesIn &&
            IDEMPOTENT.has(req.method) &&
            (e.error as { code?: string }).code !== 'K6_REQUEST_TIMEOUT' &&
            !(e.error as { cancelled?: boolean }).cancelled
          ) {
            e.error = null;
            e.start = performance.now();
            e.connectedAt = e.sentAt = e.firstByte = e.end = 0;
            e.bytesOut = e.bytesIn = 0;
            e.proto = 'HTTP/1.1';
            e.headers = [];
            return attempt(false);
          }
          resolve(e);
        });
        onCancel?.(cancel);
      };
      attempt(true);
    });
  }

  private release(origin: string, c: Connection): void {
    if (this.closed) return c.close();
    let list = this.idle.get(origin);
    if (!list) this.idle.set(origin, (list = []));
    list.push(c);
  }

  private share(origin: string, c: Connection, scope: object): void {
    let m = this.sessions.get(scope);
    if (!m) this.sessions.set(scope, (m = new Map()));
    const old = m.get(origin);
    m.set(origin, c);
    // A second session to the same origin (requests raced the first handshake) is let go once idle.
    if (old && old !== c && !old.dead) old.h2?.retire();
  }

  private forget(origin: string, c: Connection, scope: object): void {
    this.all.delete(c);
    const m = this.sessions.get(scope);
    if (m?.get(origin) === c) m.delete(origin);
    const list = this.idle.get(origin);
    if (!list) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
  }

  /** Closes every connection; requests in flight end with an error. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of [...this.all]) c.close();
    this.all.clear();
    this.idle.clear();
  }
}

const EMPTY = Buffer.alloc(0);
const readBuffer = Buffer.allocUnsafe(64 * 1024);
// What a TLS connection offers in ALPN. Go's switch applies, as it does for k6: GODEBUG=http2client=0
// keeps every connection on HTTP/1.1.
const OFFERED = /(^|,)\s*http2client=0\s*(,|$)/.test(process.env.GODEBUG ?? '')
  ? ['http/1.1']
  : ['h2', 'http/1.1'];
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** A URL's hostname without an IPv6 literal's brackets, as sockets take it. */
function bare(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

function tlsName(p: string): string {
  const m = /^TLSv(1(?:\.\d)?)$/.exec(p);
  if (!m) return '';
  return 'tls' + (m[1].includes('.') ? m[1] : m[1] + '.0');
}
