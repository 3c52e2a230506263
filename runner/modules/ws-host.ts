// The host half of k6/ws for one VU: its sessions, the events each queues for the VM (messages, pings,
// pongs, the close, timer ticks), and the ws_* metrics. The VM waits on a session with one suspending
// call that returns every event queued meanwhile, so an idle socket costs a pending promise, no polling.
import { performance } from 'node:perf_hooks';
import type net from 'node:net';
import { WebSocket } from 'ws';
import type { Sample } from '../metrics/types.ts';
import type { RequestContext } from './http-host.ts';
import type { DialRequest, WsDialer } from './ws-dial.ts';
import { CookieJar, type JarData } from './cookies.ts';

/** What wsConnect and wsWait return when the VU was interrupted. */
export const WS_INTERRUPTED = '\u0001';
const CLOSE_SENT = 'websocket: close sent';

// gorilla/websocket's names of close codes, part of the error text k6 reports for an unexpected close
const CLOSE_NAMES: Record<number, string> = {
  1000: 'normal',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'no status',
  1006: 'abnormal closure',
  1007: 'invalid payload data',
  1008: 'policy violation',
  1009: 'message too big',
  1010: 'mandatory extension missing',
  1011: 'internal server error',
  1015: 'TLS handshake error',
};

/** The close codes the `ws` client puts in a frame; others go out as a close frame without a code. */
function sendable(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
    (code >= 3000 && code <= 4999)
  );
}

interface ConnectRequest extends DialRequest {
  /** the VU's tags at the call with the script's own (modules/ws.ts); url, status and subproto added here */
  tags: Record<string, string>;
  /** params.jar, a jar of the script's own: its state crosses with the call and comes back changed */
  jar?: JarData;
}

class Session {
  tags: Record<string, string> = {};
  /** event texts for the VM (modules/ws.ts reads them), waiting for its next wsWait */
  events: string[] = [];
  messages = 0;
  waiter: ((text: string) => void) | null = null;
  /** the VM closed it: no event is queued after its close */
  closed = false;
  /** wsEnd (or an interrupt) counted its bytes and let the socket go */
  ended = false;
  pings = new Map<string, number>();
  pingCount = 0;
  timers = new Map<number, NodeJS.Timeout>();
  /** intervals whose tick waits in `events`: a late VM gets one tick, not a backlog (as Go's ticker) */
  ticking = new Set<number>();
  /**
   * Why reading stopped other than on a close frame or the end of the stream, as the error k6's own close
   * frame then meets: after a protocol error gorilla has sent its close already; after a reset the write fails.
   */
  failed = '';
  /** "local->remote", as Go names a connection in its errors */
  addresses = '';

  constructor(
    readonly ws: WebSocket,
    readonly socket: () => net.Socket | null,
    readonly start: number,
    readonly t0: number,
  ) {}

  push(ev: string, message = false): void {
    if (this.closed || this.ended) return;
    this.events.push(ev);
    if (message) this.messages++;
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    // Events the same socket read delivers (the `ws` client emits them synchronously) go together.
    queueMicrotask(() => w(this.take()));
  }

  take(): string {
    const text = this.events.length === 1 ? `[${this.events[0]}]` : `[${this.events.join(',')}]`;
    this.events = [];
    this.ticking.clear();
    return text;
  }
}

export class WsSessions {
  private sessions = new Map<number, Session>();
  private nextId = 1;

  constructor(
    private dialer: () => WsDialer,
    private ctx: () => RequestContext,
    /** samples the VM queued, handed over with the call (as the VU's other suspending calls do) */
    private vmSamples: (json: unknown) => void,
  ) {}

  async connect(json: string, samples: string): Promise<string> {
    this.vmSamples(samples);
    const ctx = this.ctx();
    if (ctx.signal.aborted) return WS_INTERRUPTED;
    const req = JSON.parse(json) as ConnectRequest;
    const start = Date.now();
    const t0 = performance.now();
    const jar = req.jar ? CookieJar.from(req.jar) : ctx.jar;
    const dialing = this.dialer().dial(req, jar);
    const s = dialing.ws ? new Session(dialing.ws, dialing.socket, start, t0) : null;
    if (s) this.listen(s);
    const onAbort = () => dialing.abort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const h = await dialing.done;
    ctx.signal.removeEventListener('abort', onAbort);
    const tags: Record<string, string> = { ...req.tags, url: req.url };
    if (h.subproto !== null) {
      tags.status = String(h.status);
      tags.subproto = h.subproto;
    }
    if (s) s.tags = tags;
    if (ctx.signal.aborted) {
      if (s) this.finish(s, false);
      return WS_INTERRUPTED;
    }
    ctx.emit([
      { metric: 'ws_sessions', time: start, value: 1, tags },
      { metric: 'ws_connecting', time: start, value: h.connecting, tags },
    ]);
    if (h.error) {
      if (s) {
        s.closed = true;
        this.finish(s, false);
      }
      ctx.emit([{ metric: 'ws_session_duration', time: start, value: performance.now() - t0, tags }]);
      return JSON.stringify({
        error: h.error,
        response: h.subproto !== null,
        status: h.status,
        headers: h.headers,
        body: h.body,
        jar: req.jar ? jar.toJSON() : undefined,
      });
    }
    const id = this.nextId++;
    this.sessions.set(id, s!);
    return JSON.stringify({ id, headers: h.headers, jar: req.jar ? jar.toJSON() : undefined });
  }

  /** Every event queued for session `id`, once there is one; WS_INTERRUPTED when the VU is interrupted. */
  wait(id: string, samples: string): Promise<string> {
    this.vmSamples(samples);
    const s = this.sessions.get(Number(id));
    if (this.ctx().signal.aborted) return Promise.resolve(WS_INTERRUPTED);
    if (!s || s.ended) return Promise.resolve('[["c",1001]]');
    if (s.events.length) return Promise.resolve(this.take(s));
    return new Promise((resolve) => {
      s.waiter = (text) => resolve(text === WS_INTERRUPTED ? text : this.counted(s, text));
    });
  }

  private take(s: Session): string {
    return this.counted(s, s.take());
  }

  // ws_msgs_received counts messages as the VM gets them, as k6 counts them when its loop takes one.
  private counted(s: Session, text: string): string {
    if (s.messages) {
      const time = Date.now();
      const out: Sample[] = [];
      for (let i = 0; i < s.messages; i++)
        out.push({ metric: 'ws_msgs_received', time, value: 1, tags: s.tags });
      s.messages = 0;
      this.emit(out);
    }
    return text;
  }

  /** Sends a text message; '' or the error the script's error handlers get. Counted either way, as k6 does. */
  send(id: string, data: string | Uint8Array): string {
    const s = this.sessions.get(Number(id));
    if (!s) return CLOSE_SENT;
    this.emit([{ metric: 'ws_msgs_sent', time: Date.now(), value: 1, tags: s.tags }]);
    if (s.closed || s.ended) return CLOSE_SENT;
    s.ws.send(data, { binary: typeof data !== 'string' });
    return '';
  }

  ping(id: string): string {
    const s = this.sessions.get(Number(id));
    if (!s || s.closed || s.ended) return CLOSE_SENT;
    // k6's ping payloads: a counter, matched with the pong that echoes it
    const payload = String(s.pingCount++);
    s.pings.set(payload, performance.now());
    s.ws.ping(payload);
    return '';
  }

  /** The close frame k6 sends (the script's close, a server's close answered, an error); once. */
  close(id: string, codeText: string): string {
    const s = this.sessions.get(Number(id));
    if (!s || s.closed) return '';
    s.closed = true;
    const code = Number(codeText);
    if (s.ws.readyState === WebSocket.OPEN) {
      if (sendable(code)) s.ws.close(code);
      else s.ws.close();
    }
    return '';
  }

  /** socket.setTimeout / setInterval: a tick event for the VM's timer `timerId` after `ms`. */
  timer(id: string, timerId: string, msText: string, repeat: string): void {
    const s = this.sessions.get(Number(id));
    if (!s || s.closed || s.ended) return;
    const t = Number(timerId);
    const ms = Number(msText);
    // Node would fire a longer delay at once; the session cannot last that long.
    if (!(ms <= 2 ** 31 - 1)) return;
    const ev = `["t",${t}]`;
    if (repeat === '1') {
      s.timers.set(
        t,
        setInterval(() => {
          if (s.ticking.has(t)) return;
          s.ticking.add(t);
          s.push(ev);
        }, ms),
      );
    } else {
      s.timers.set(
        t,
        setTimeout(() => {
          s.timers.delete(t);
          s.push(ev);
        }, ms),
      );
    }
  }

  /** ws.connect returns: the session's bytes go to the iteration's data_*, its duration is emitted. */
  end(id: string): void {
    const s = this.sessions.get(Number(id));
    if (s) this.finish(s, true);
  }

  /** Ends every session at once (the VU was interrupted): each sends its close, no duration is emitted. */
  interrupt(): void {
    for (const s of this.sessions.values()) {
      if (s.ended) continue;
      const w = s.waiter;
      this.finish(s, false);
      w?.(WS_INTERRUPTED);
    }
  }

  /** After an iteration: any session left open is ended; the ended ones are forgotten. */
  endAll(): void {
    for (const s of this.sessions.values()) this.finish(s, true);
    this.sessions.clear();
  }

  private listen(s: Session): void {
    const ws = s.ws;
    ws.on('message', (data: Buffer, binary: boolean) => {
      s.push(
        binary ? `["b","${data.toString('base64')}"]` : `["m",${JSON.stringify(data.toString('utf8'))}]`,
        true,
      );
    });
    // The `ws` client answers pings itself, as k6 does before its ping handlers run.
    ws.on('ping', () => s.push('["p"]'));
    ws.on('pong', (data: Buffer) => {
      const sent = s.pings.get(data.toString('latin1'));
      if (sent !== undefined && !s.ended) {
        this.emit([{ metric: 'ws_ping', time: Date.now(), value: performance.now() - sent, tags: s.tags }]);
      }
      s.push('["o"]');
    });
    ws.on('error', () => {
      s.failed ||= CLOSE_SENT;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      // A read that failed on a protocol error or a reset ends in k6 with a close of 1001, whose frame cannot
      // go out: that write's error comes first. A connection that ended without a close frame is 1006
      // (unexpected EOF); a close frame with any code but 1000 and 1001 is also an error.
      if (s.failed) {
        s.push(`["e",${JSON.stringify(s.failed)}]`);
        return s.push('["c",1001]');
      }
      const text = code === 1006 ? 'unexpected EOF' : reason.toString('utf8');
      if (code !== 1000 && code !== 1001) {
        const name = CLOSE_NAMES[code] ? ` (${CLOSE_NAMES[code]})` : '';
        const msg = `websocket: close ${code}${name}${text ? `: ${text}` : ''}`;
        s.push(`["e",${JSON.stringify(msg)},${code},${JSON.stringify(text)}]`);
      }
      s.push(`["c",${code}]`);
    });
    ws.once('open', () => {
      const sock = s.socket();
      if (!sock) return;
      const host = (a = '') => (a.includes(':') ? `[${a}]` : a);
      s.addresses = `${host(sock.localAddress)}:${sock.localPort}->${host(sock.remoteAddress)}:${sock.remotePort}`;
      sock.on('error', () => {
        s.failed ||= `write tcp ${s.addresses}: write: broken pipe`;
      });
    });
  }

  private finish(s: Session, duration: boolean): void {
    if (s.ended) return;
    s.ended = true;
    for (const t of s.timers.values()) clearTimeout(t);
    s.timers.clear();
    s.events = [];
    s.waiter = null;
    if (!s.closed && s.ws.readyState === WebSocket.OPEN) s.ws.close(1001);
    s.closed = true;
    const ctx = this.ctx();
    const sock = s.socket();
    if (sock) {
      // k6 closes the connection right after its close frame: the server's answer is not read or counted.
      ctx.bytes.sent += sock.bytesWritten;
      ctx.bytes.received += sock.bytesRead;
      sock.destroySoon();
    }
    if (duration) {
      this.emit([
        { metric: 'ws_session_duration', time: s.start, value: performance.now() - s.t0, tags: s.tags },
      ]);
    }
  }

  // After an interrupt k6 drops the session's samples (its context is done); data_* still count.
  private emit(samples: Sample[]): void {
    const ctx = this.ctx();
    if (!ctx.signal.aborted) ctx.emit(samples);
  }
}
