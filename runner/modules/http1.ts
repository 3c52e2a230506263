// An HTTP/1.1 client on net and tls sockets, for the host half of k6/http: keep-alive connections per
// origin, an incremental response parser, and the instants k6's phase timings are made of. It makes
// a fraction of undici's garbage per request, which in VU threads (where QuickJS shares the CPU and
// the caches) cost more than the parsing itself (BENCHMARKS.md, "Runner VUs").
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { RequestTimeout } from './errors.ts';
import { ProxyConfig, proxyAuthorization } from './proxy.ts';
import type { HostOverrides } from './hosts.ts';

/** What a connection tells the request that first used it. */
export interface ConnInfo {
  /** TCP connect time, ms */
  connecting: number;
  /** TLS handshake time, ms */
  tls: number;
  tlsVersion: string;
  cipher: string;
  remoteAddress: string;
  remotePort: number;
}

/** One request and its response, filled in as it goes. */
export interface Exchange {
  status: number;
  statusText: string;
  /** flat [name, value, name, value, ...] as received (latin1) */
  headers: string[];
  body: Buffer;
  error: unknown;
  /** performance.now() instants */
  start: number;
  connectedAt: number;
  sentAt: number;
  firstByte: number;
  end: number;
  /** bytes on the wire, head included */
  bytesIn: number;
  bytesOut: number;
  conn: ConnInfo | null;
  /** the first request on its connection: the connection's timings are its own */
  fresh: boolean;
}

export interface RequestOptions {
  method: string;
  url: URL;
  /** lower-case names */
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** ms */
  timeout: number;
}

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
}

/** Ends a request early (the VU is interrupted). */
export type Cancel = (err: Error) => void;

const CRLF = '\r\n';
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 1 << 20;

function socketError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const enum Body {
  None,
  Length,
  Chunked,
  UntilClose,
}

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailer,
}

class Connection {
  socket: net.Socket;
  /** requests go out in absolute form (to an HTTP proxy) */
  private absolute = false;
  /** the proxy connection a TLS tunnel runs over */
  private carrier: net.Socket | null = null;
  private ready = false;
  private waiters: (() => void)[] = [];
  /** the exchange in flight, with what finishes it */
  private ex: Exchange | null = null;
  private done: ((ex: Exchange) => void) | null = null;
  private head = false;
  private method = '';
  private buf: Buffer | null = null;
  private at = 0;
  private kind = Body.None;
  private remaining = 0;
  private chunk = Chunk.Size;
  private parts: Buffer[] = [];
  private keepAlive = true;
  /** the request asked for the connection to close */
  private closeAfter = false;
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
    private proxy: URL | null = null,
  ) {
    const t0 = performance.now();
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
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
      for (const w of this.waiters.splice(0)) w();
    };
    const tlsOptions = {
      servername: net.isIP(host) ? undefined : host,
      rejectUnauthorized: opts.rejectUnauthorized !== false,
      ALPNProtocols: ['http/1.1'],
    };
    // The `hosts` option redirects the dial (of the proxy, when there is one), never the names used.
    const dial = (h: string, p: number) => {
      const d = opts.hosts?.lookup(h, p);
      return d ? { host: d.host, port: d.port || p } : { host: h, port: p };
    };
    if (secure && !proxy) {
      this.socket = tls.connect({ ...dial(host, port), ...tlsOptions });
      this.socket.once('connect', () => (tcpAt = performance.now()));
      this.socket.once('secureConnect', onReady);
      this.watch(this.socket);
      return;
    }
    const raw = net.connect(
      proxy ? dial(proxy.hostname.replace(/^\[|\]$/g, ''), Number(proxy.port) || 80) : dial(host, port),
    );
    raw.setNoDelay(true);
    this.socket = raw;
    if (secure) this.carrier = raw;
    this.watch(raw, !secure);
    if (!secure) {
      this.absolute = proxy !== null;
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
    let reply: Buffer | null = null;
    const onReply = (d: Buffer) => {
      reply = reply ? Buffer.concat([reply, d]) : d;
      const at = reply.indexOf(HEAD_END);
      if (at < 0) {
        if (reply.length > MAX_HEAD) raw.destroy(socketError('HPE_INVALID', 'proxy response head too large'));
        return;
      }
      raw.off('data', onReply);
      const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?/.exec(reply.toString('latin1', 0, at).split(CRLF)[0]);
      if (!status || status[1] !== '200') {
        // As Go reports it: the proxy's status text.
        const text = status ? status[2] || `status ${status[1]}` : 'malformed proxy response';
        raw.destroy(socketError('K6_PROXY', text));
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
    if (data) socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(null));
  }

  /** Sends the request once the connection is up; `done` gets the exchange when it ends either way. */
  send(ex: Exchange, req: RequestOptions, done: (ex: Exchange) => void): Cancel {
    this.ex = ex;
    this.done = done;
    this.method = req.method;
    this.used = true;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    this.socket.ref();
    this.arm(ex.start + req.timeout);
    const write = () => {
      if (this.ex !== ex) return;
      ex.connectedAt = performance.now();
      ex.conn = this.info;
      const u = req.url;
      const h = req.headers;
      const target = this.absolute
        ? `${u.protocol}//${u.host}${u.pathname}${u.search}`
        : `${u.pathname}${u.search}`;
      let text = `${req.method} ${target} HTTP/1.1${CRLF}host: ${h.host ?? u.host}${CRLF}`;
      if (this.absolute) {
        const auth = proxyAuthorization(this.proxy!);
        if (auth) text += `proxy-authorization: ${auth}${CRLF}`;
      }
      const connection = h.connection ?? (this.opts.noReuse ? 'close' : 'keep-alive');
      if (connection.toLowerCase().includes('close')) this.closeAfter = true;
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
    };
    if (this.ready) write();
    else this.waiters.push(write);
    return (err) => {
      if (this.ex !== ex) return;
      this.finish(Object.assign(err, { cancelled: true }));
      this.close();
    };
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
    this.parse(d);
  }

  private parse(d: Buffer): void {
    if (!this.head) {
      const buf = this.upTo(d, HEAD_END, 'response head');
      if (!buf) return;
      const at = this.at;
      if (!this.parseHead(this.ex!, buf.toString('latin1', 0, at))) return;
      if (!this.ex) return;
      d = buf.subarray(at + 4);
      if (!this.head) {
        // An informational (1xx) response: the real one follows.
        if (d.length) this.parse(d);
        return;
      }
    }
    this.onBody(d);
  }

  /**
   * `d` after the bytes held back, when `delim` has arrived (its offset in `this.at`); otherwise null, the
   * bytes held for the next chunk (or the response failed past MAX_HEAD).
   */
  private upTo(d: Buffer, delim: Buffer | string, what: string): Buffer | null {
    const buf = this.buf ? Buffer.concat([this.buf, d]) : d;
    const at = buf.indexOf(delim);
    if (at >= 0) {
      this.buf = null;
      this.at = at;
      return buf;
    }
    if (buf.length > MAX_HEAD) this.broken(`${what} too large`);
    else this.buf = buf;
    return null;
  }

  private parseHead(ex: Exchange, text: string): boolean {
    const lines = text.split(CRLF);
    const m = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]);
    if (!m) {
      this.broken(`malformed HTTP response "${lines[0].slice(0, 64)}"`);
      return false;
    }
    const status = Number(m[2]);
    if (status >= 100 && status < 200 && status !== 101) return true;
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let close = m[1] === '0';
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const c = line.indexOf(':');
      if (c <= 0) continue;
      const name = line.slice(0, c).trim();
      const value = line.slice(c + 1).trim();
      headers.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === 'connection') {
            const v = value.toLowerCase();
            if (v.includes('close')) close = true;
            else if (v.includes('keep-alive')) close = false;
          }
          break;
        case 14:
          if (name.toLowerCase() === 'content-length') length = Number(value);
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') chunked = value.toLowerCase().includes('chunked');
          break;
      }
    }
    ex.status = status;
    ex.statusText = m[3] ?? '';
    ex.headers = headers;
    this.head = true;
    this.keepAlive = !close && !this.closeAfter && !this.opts.noReuse;
    const bodiless = this.method === 'HEAD' || status === 204 || status === 304;
    if (bodiless) this.kind = Body.None;
    else if (chunked) {
      this.kind = Body.Chunked;
      this.chunk = Chunk.Size;
    } else if (length >= 0 && Number.isSafeInteger(length)) {
      this.kind = Body.Length;
      this.remaining = length;
    } else if (Number.isNaN(length)) {
      this.broken('invalid Content-Length');
      return false;
    } else {
      this.kind = Body.UntilClose;
      this.keepAlive = false;
    }
    if (this.kind === Body.None || (this.kind === Body.Length && length === 0)) this.complete();
    return true;
  }

  private onBody(d: Buffer): void {
    switch (this.kind) {
      case Body.None:
        // Bytes past a response without a body: not reused.
        if (d.length) this.keepAlive = false;
        return;
      case Body.Length: {
        if (d.length > this.remaining) {
          this.keepAlive = false;
          d = d.subarray(0, this.remaining);
        }
        if (d.length) this.parts.push(d);
        this.remaining -= d.length;
        if (this.remaining === 0) this.complete();
        return;
      }
      case Body.UntilClose:
        if (d.length) this.parts.push(d);
        return;
      case Body.Chunked:
        this.onChunked(d);
    }
  }

  private onChunked(d: Buffer): void {
    let i = 0;
    while (i < d.length && this.ex) {
      if (this.chunk === Chunk.Size || this.chunk === Chunk.Trailer || this.chunk === Chunk.DataEnd) {
        const buf = this.upTo(d.subarray(i), CRLF, 'chunk header');
        if (!buf) return;
        const nl = this.at;
        const line = buf.toString('latin1', 0, nl);
        d = buf;
        i = nl + 2;
        if (this.chunk === Chunk.DataEnd) {
          if (line !== '') return this.broken('malformed chunked encoding');
          this.chunk = Chunk.Size;
        } else if (this.chunk === Chunk.Trailer) {
          if (line === '') {
            this.complete();
            if (i < d.length) this.keepAlive = false;
            return;
          }
        } else {
          const size = parseInt(line, 16);
          if (!/^[0-9a-fA-F]+/.test(line) || !Number.isSafeInteger(size))
            return this.broken('malformed chunked encoding');
          if (size === 0) this.chunk = Chunk.Trailer;
          else {
            this.chunk = Chunk.Data;
            this.remaining = size;
          }
        }
        continue;
      }
      const take = Math.min(this.remaining, d.length - i);
      this.parts.push(d.subarray(i, i + take));
      this.remaining -= take;
      i += take;
      if (this.remaining === 0) this.chunk = Chunk.DataEnd;
    }
  }

  private broken(message: string): void {
    this.finish(socketError('HPE_INVALID', message));
    this.close();
  }

  private complete(): void {
    const ex = this.ex;
    if (!ex) return;
    ex.body = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts);
    const reuse = this.keepAlive;
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
    this.head = false;
    this.buf = null;
    this.parts = [];
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
    if (this.head && this.kind === Body.UntilClose && !err) {
      ex.body = Buffer.concat(this.parts);
      this.finish(null);
      return;
    }
    this.finish(err ?? socketError('UND_ERR_SOCKET', 'other side closed'));
  }

  close(): void {
    this.socket.destroy();
    this.carrier?.destroy();
  }
}

/** Connections per origin, reused most-recently-idle first. */
export class Http1Client {
  private idle = new Map<string, Connection[]>();
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
      const attempt = (retry: boolean) => {
        const list = this.idle.get(origin);
        let conn = list?.pop();
        while (conn?.dead) conn = list?.pop();
        const reused = !!conn;
        if (!conn) {
          conn = new Connection(
            req.url,
            this.opts,
            (c) => this.release(origin, c),
            (c) => this.forget(origin, c),
            proxy,
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
            e.bytesOut = 0;
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

  private forget(origin: string, c: Connection): void {
    this.all.delete(c);
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
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

export function tlsName(p: string): string {
  const m = /^TLSv(1(?:\.\d)?)$/.exec(p);
  if (!m) return '';
  return 'tls' + (m[1].includes('.') ? m[1] : m[1] + '.0');
}
