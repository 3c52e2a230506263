// HTTP/2 for the host half of k6/http. Like Go's transport, which k6 uses, a TLS connection offers h2
// and http/1.1 in ALPN; when the server picks h2, the connection becomes a session (node:http2) and
// each request a stream on it. Byte counts are the session's frames, as HTTP/1.1's are its text.
import http2 from 'node:http2';
import type tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { RequestTimeout } from './errors.ts';
import type { Cancel, ConnInfo, Exchange, RequestOptions } from './http-types.ts';

const { NGHTTP2_CANCEL } = http2.constants;
const H2_FAILURES = new Set([
  'ERR_HTTP2_STREAM_ERROR',
  'ERR_HTTP2_GOAWAY_SESSION',
  'ERR_HTTP2_SESSION_ERROR',
]);

// Hop-by-hop fields HTTP/2 forbids (RFC 9113, 8.2.2); Go's transport drops them too.
const CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

interface Stream {
  ex: Exchange;
  done: (ex: Exchange) => void;
  stream: http2.ClientHttp2Stream | null;
  timer: NodeJS.Timeout;
  parts: Buffer[];
}

export class H2Session {
  private session: http2.ClientHttp2Session;
  private streams = new Set<Stream>();
  private idleTimer: NodeJS.Timeout | null = null;
  /** socket byte counts already given to an exchange */
  private readIn = 0;
  private wroteOut = 0;
  private fresh = true;
  /** the server's GOAWAY: error code, last stream it will answer, debug data */
  private goaway: { code: number; last: number; debug: string } | null = null;
  private retired = false;
  dead = false;

  constructor(
    private socket: tls.TLSSocket,
    authority: string,
    private info: ConnInfo,
    private opts: { idleTimeout: number; noReuse: boolean },
    /** the session can take no more streams */
    private gone: () => void,
  ) {
    // Like Go's transport, no server push.
    this.session = http2.connect(authority, {
      createConnection: () => socket,
      settings: { enablePush: false },
    });
    this.session.on('error', (e) => this.end(e));
    this.session.on('goaway', (code: number, last: number, data?: Buffer) => {
      this.goaway = { code, last, debug: data?.toString('latin1') ?? '' };
      this.dead = true;
      this.gone();
    });
    this.session.on('close', () => this.end(null));
  }

  /** Starts a request; its time limit counts from `ex.start`, as on HTTP/1.1. */
  send(ex: Exchange, req: RequestOptions, done: (ex: Exchange) => void): Cancel {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.session.ref();
    const s: Stream = {
      ex,
      done,
      stream: null,
      parts: [],
      timer: setTimeout(
        () => this.finish(s, new RequestTimeout('request timeout')),
        Math.max(1, ex.start + req.timeout - performance.now()),
      ),
    };
    this.streams.add(s);
    ex.connectedAt = performance.now();
    ex.conn = this.info;
    ex.fresh = this.fresh;
    ex.proto = 'HTTP/2.0';
    this.fresh = false;
    const u = req.url;
    const headers: http2.OutgoingHttpHeaders = {
      ':method': req.method,
      ':authority': req.headers.host ?? u.host,
      ':scheme': 'https',
      ':path': `${u.pathname}${u.search}`,
    };
    for (const k in req.headers) {
      if (k === 'host' || CONNECTION_SPECIFIC.has(k)) continue;
      headers[k] = req.headers[k];
    }
    if (req.body) headers['content-length'] = String(req.body.length);
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.session.request(headers, { endStream: !req.body?.length });
    } catch (e) {
      this.finish(s, e);
      return () => {};
    }
    s.stream = stream;
    if (req.body?.length) stream.end(req.body, () => (ex.sentAt = performance.now()));
    else ex.sentAt = performance.now();
    stream.once('response', (h) => {
      ex.firstByte = performance.now();
      ex.status = Number(h[':status']);
      for (const k in h) {
        if (k.startsWith(':')) continue;
        const v = h[k];
        if (Array.isArray(v)) for (const one of v) ex.headers.push(k, one);
        else if (v !== undefined) ex.headers.push(k, String(v));
      }
    });
    stream.on('data', (d: Buffer) => s.parts.push(d));
    stream.once('end', () => this.finish(s, null));
    // Reset by the server, or cut by its GOAWAY or a session error: named as Go's transport names them.
    const cut = (e?: Error & { code?: string }) =>
      e && !H2_FAILURES.has(e.code ?? '')
        ? e
        : this.goaway && ((stream.id ?? 0) > this.goaway.last || e?.code === 'ERR_HTTP2_SESSION_ERROR')
          ? goawayError(this.goaway)
          : e?.code === 'ERR_HTTP2_SESSION_ERROR'
            ? connectionError()
            : streamError(stream.id ?? 0, stream.rstCode ?? 0);
    stream.once('error', (e: Error) => this.finish(s, cut(e)));
    stream.once('close', () => {
      if (this.streams.has(s)) this.finish(s, cut());
    });
    return (err) => this.finish(s, Object.assign(err, { cancelled: true }));
  }

  private finish(s: Stream, err: unknown): void {
    if (!this.streams.delete(s)) return;
    clearTimeout(s.timer);
    const ex = s.ex;
    ex.end = performance.now();
    if (!ex.sentAt) ex.sentAt = ex.end;
    ex.body = s.parts.length === 1 ? s.parts[0] : Buffer.concat(s.parts);
    if (err) ex.error = err;
    if (err && s.stream && !s.stream.closed) s.stream.close(NGHTTP2_CANCEL);
    // Each exchange takes the session's bytes since the one before: exact in sum, and per request
    // when requests do not overlap (one per VU, the usual case).
    ex.bytesIn = this.socket.bytesRead - this.readIn;
    ex.bytesOut = this.socket.bytesWritten - this.wroteOut;
    this.readIn += ex.bytesIn;
    this.wroteOut += ex.bytesOut;
    if (!this.streams.size && !this.dead) {
      if (this.retired) this.close();
      else this.idle();
    }
    s.done(ex);
  }

  /** Takes no more requests (another session to the origin took its place); closes once idle. */
  retire(): void {
    this.retired = true;
    if (!this.streams.size) this.close();
  }

  private idle(): void {
    if (this.opts.noReuse) return this.close();
    this.session.unref();
    this.idleTimer = setTimeout(() => this.close(), this.opts.idleTimeout);
    this.idleTimer.unref();
  }

  /** The session ended: every stream still open ends with that error. */
  private end(err: Error | null): void {
    if (!this.dead) this.gone();
    this.dead = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const cause = this.goaway ? goawayError(this.goaway) : connectionError();
    for (const s of [...this.streams])
      this.finish(s, err && !H2_FAILURES.has((err as { code?: string }).code ?? '') ? err : cause);
  }

  close(): void {
    this.dead = true;
    this.gone();
    this.session.destroy();
    this.socket.destroy();
  }
}

// Error codes as k6 numbers them: 1610 + 1 + code for a GOAWAY, 1630 + 1 + code for a stream reset,
// 1650 + 1 + code for the connection (RFC 9113 codes; the base alone when the code is unknown).
const H2_CODES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

function h2Error(base: number, code: number | null, message: string): Error {
  const known = code !== null && code >= 0 && code < H2_CODES.length;
  return Object.assign(new Error(message), { code: 'K6_HTTP2', k6Code: known ? base + 1 + code : base });
}

function codeName(code: number): string {
  return H2_CODES[code] ?? `unknown error code 0x${code.toString(16)}`;
}

function streamError(id: number, code: number): Error {
  return h2Error(1630, code, `stream error: stream ID ${id}; ${codeName(code)}; received from peer`);
}

function goawayError(g: { code: number; last: number; debug: string }): Error {
  return h2Error(
    1610,
    g.code,
    `http2: server sent GOAWAY and closed the connection; LastStreamID=${g.last}, ErrCode=${codeName(g.code)}, debug=${JSON.stringify(g.debug)}`,
  );
}

function connectionError(): Error {
  return h2Error(1650, null, 'http2: client connection lost');
}
