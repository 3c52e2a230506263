// A k6/ws connect for the stand-ins of bundle.ts, with a guest socket that answers like the Web Messaging
// guest API: SessionResponse, the echo, the bot's greeting and answers, a Presence Disconnect after
// goodbye. Timers run on a virtual clock (the next due one fires at once), so a dialog with think times
// and retry waits runs in microseconds. Faults: throttle the first attempts of a line, drop the socket
// after some bot replies, refuse the handshake.

export interface FakeGuestOptions {
  /** Handshake status; anything but 101 refuses before the socket opens. */
  status?: number;
  /** Each line's first N attempts get a 4029 with this retryAfter. */
  throttleFirst?: number;
  retryAfter?: unknown;
  /** The socket drops (close 1006) instead of sending the bot's reply number N (1-based). */
  dropAtReply?: number;
  /** The bot never answers. */
  silent?: boolean;
  /** A Typing event before each bot reply, as the platform sends for a bot that types. */
  typing?: boolean;
  /** Echoes without the request's tracingId. */
  untracedEcho?: boolean;
  /** A bot flow that answers without greeting first. */
  noGreeting?: boolean;
}

export interface FakeGuestLog {
  /** Every frame the guests sent, parsed. */
  sent: Array<Record<string, unknown>>;
  /** Every delay a socket timer was armed with, in ms. */
  timers: number[];
  closes: number[];
}

type Handler = (arg?: unknown) => void;

export function fakeGuestSocket(opts: FakeGuestOptions = {}) {
  const log: FakeGuestLog = { sent: [], timers: [], closes: [] };
  const connect = (url: string, _params: unknown, fn: (socket: unknown) => void) => {
    const status = opts.status ?? 101;
    if (status !== 101) return { url: '', status, error: '' };
    const handlers: Record<string, Handler[]> = {};
    const queue: Array<{ at: number; run: () => void }> = [];
    let now = 0;
    let closed = false;
    let replies = 0;
    let greeted = false;
    const attempts = new Map<string, number>();
    const emit = (event: string, arg?: unknown) => {
      for (const h of handlers[event] ?? []) h(arg);
    };
    const close = (code: number) => {
      if (closed) return;
      closed = true;
      log.closes.push(code);
      emit('close', code);
    };
    const push = (frame: Record<string, unknown>) =>
      queue.push({ at: now, run: () => emit('message', JSON.stringify(frame)) });
    const bot = (body: Record<string, unknown>) =>
      queue.push({
        at: now,
        run: () => {
          replies++;
          if (replies === opts.dropAtReply) return close(1006);
          emit('message', JSON.stringify({ type: 'message', class: 'StructuredMessage', code: 200, body }));
        },
      });
    const socket = {
      on(event: string, h: Handler) {
        (handlers[event] ??= []).push(h);
      },
      send(text: string) {
        const req = JSON.parse(text) as Record<string, unknown>;
        log.sent.push(req);
        if (req.action === 'configureSession') {
          push({
            type: 'response',
            class: 'SessionResponse',
            code: 200,
            body: { connected: true, newSession: true },
          });
          return;
        }
        if (req.action !== 'onMessage') return;
        const m = req.message as Record<string, unknown>;
        const line = JSON.stringify(m);
        const n = (attempts.get(line) ?? 0) + 1;
        attempts.set(line, n);
        if (n <= (opts.throttleFirst ?? 0)) {
          push({
            type: 'response',
            class: 'TooManyRequestsErrorMessage',
            code: 429,
            body: { retryAfter: opts.retryAfter ?? 1, errorCode: 4029 },
            tracingId: req.tracingId,
          });
          return;
        }
        push({
          type: 'message',
          class: 'StructuredMessage',
          code: 200,
          body: { ...m, direction: 'Inbound' },
          tracingId: opts.untracedEcho ? undefined : req.tracingId,
        });
        if (opts.silent) return;
        const typing = { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] };
        const out = (text: string) => {
          if (opts.typing) bot({ ...typing, direction: 'Outbound' });
          bot({ type: 'Text', text, direction: 'Outbound' });
        };
        if (!greeted && !opts.noGreeting) out('Hi, how can I help?');
        greeted = true;
        if (/bye/i.test(line)) {
          out('Goodbye!');
          bot({
            type: 'Event',
            events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
            direction: 'Outbound',
          });
        } else out('Anything else?');
      },
      setTimeout(h: () => void, ms: number) {
        if (!(ms > 0)) throw new Error('setTimeout needs a delay > 0');
        log.timers.push(ms);
        queue.push({ at: now + ms, run: h });
      },
      close(code = 1001) {
        close(code);
      },
    };
    fn(socket);
    emit('open');
    while (!closed && queue.length > 0) {
      queue.sort((a, b) => a.at - b.at);
      const next = queue.shift()!;
      now = next.at;
      next.run();
    }
    if (!closed) throw new Error('the guest left its socket open with nothing left to happen');
    return { url, status: 101, error: '' };
  };
  return { connect, log };
}
