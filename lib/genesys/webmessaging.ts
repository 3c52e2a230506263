// A Web Messaging guest on k6/ws: opens the guest socket, configures a session with a fresh guest token,
// chats with the deployment's bot one line at a time (each a think time after the bot's last message),
// resends a throttled line after the announced retryAfter, and closes when the bot says goodbye (a Presence
// Disconnect event). ws.connect blocks until the socket closes, so every wait is a socket timer: a sleep()
// would hold the socket's event loop.
import ws from 'k6/ws';
import { jittered } from '../core/backoff.ts';
import { decideGuestRetry } from '../core/guest-retry.ts';
import type { GuestTarget } from '../core/guest-target.ts';
import { uuid } from '../core/ids.ts';
import type { RetryPolicy } from '../core/retry-policy.ts';
import {
  botReplyTime,
  guestErrors,
  guestMessages,
  guestReplies,
  guestRetryExhausted,
  guestRetryWait,
  guestSessionTime,
  guestSessionsWithoutGoodbye,
  guestThrottled,
} from '../metrics.ts';

/** One thing the guest says: typed text, or a tap on one of the greeting's quick replies. */
export type GuestLine = { text: string } | { quickReply: string; payload: string };

/** Hours, the order quick reply, the number, goodbye: five bot turns, within the bot's six. */
export const GUEST_DIALOG: GuestLine[] = [
  { text: 'Hi, what are your opening hours?' },
  { quickReply: 'Order status', payload: 'order' },
  { text: 'It is 12345' },
  { text: 'No thanks, bye' },
];

export interface GuestOptions {
  /** Mean seconds between the bot's answer and the guest's next line; each pause is jittered. */
  thinkTimeS: number;
  retry: RetryPolicy;
  /** How long the guest waits for any answer before giving up on the session. */
  replyTimeoutMs: number;
  random?: () => number;
}

export type GuestOutcome = 'goodbye' | 'closed' | 'failed' | 'refused';

export interface GuestResult {
  /** The handshake's status: 101, the refusal's (403 for an unknown deployment), 0 when no answer came. */
  status: number;
  outcome: GuestOutcome;
  /** Lines the platform accepted, and of those the ones the bot answered. */
  sent: number;
  answered: number;
  replies: number;
  throttled: number;
  /** What went wrong, for the guest_errors tag: a frame's code, reply_timeout, retry_exhausted. */
  reason?: string;
  closeCode?: number;
}

interface Frame {
  type?: string;
  class?: string;
  code?: number;
  body?: {
    direction?: string;
    type?: string;
    events?: Array<{ eventType?: string; presence?: { type?: string } }>;
    retryAfter?: unknown;
  };
  tracingId?: string;
}

function message(line: GuestLine): Record<string, unknown> {
  if ('text' in line) return { type: 'Text', text: line.text };
  return {
    type: 'Structured',
    content: [
      {
        contentType: 'ButtonResponse',
        buttonResponse: { text: line.quickReply, payload: line.payload, type: 'QuickReply' },
      },
    ],
  };
}

function isGoodbye(f: Frame): boolean {
  const events = f.body?.type === 'Event' ? (f.body.events ?? []) : [];
  return events.some((e) => e.eventType === 'Presence' && e.presence?.type === 'Disconnect');
}

/** One guest's whole visit. Metrics are recorded here; the caller checks the result. */
export function guestConversation(target: GuestTarget, lines: GuestLine[], opts: GuestOptions): GuestResult {
  const random = opts.random ?? Math.random;
  const r: GuestResult = { status: 0, outcome: 'failed', sent: 0, answered: 0, replies: 0, throttled: 0 };
  const token = uuid(random);
  const start = Date.now();
  let goodbye = false;

  const res = ws.connect(target.socketUrl, { tags: { name: 'webmessaging guest' } }, (socket) => {
    let next = 0;
    /** The line on its way: its tracingId, attempt and when its first attempt and this one left. */
    let pending: { tracingId: string; attempt: number; firstAt: number; sentAt: number } | undefined;
    /** When the accepted line the bot has not answered yet left. */
    let awaitingSince: number | undefined;
    // k6/ws timers cannot be cancelled: each one carries the generation it was armed in and does nothing
    // once a later one was armed.
    let generation = 0;
    const after = (ms: number, fn: () => void) => {
      const g = ++generation;
      socket.setTimeout(() => g === generation && fn(), Math.max(1, Math.round(ms)));
    };
    const fail = (reason: string) => {
      r.reason = reason;
      guestErrors.add(1, { reason });
      generation++;
      socket.close(1000);
    };
    const waitForAnswer = () => after(opts.replyTimeoutMs, () => fail('reply_timeout'));

    const send = (attempt: number, firstAt: number) => {
      const now = Date.now();
      pending = { tracingId: uuid(random), attempt, firstAt, sentAt: now };
      const m = message(lines[next]);
      socket.send(JSON.stringify({ action: 'onMessage', token, message: m, tracingId: pending.tracingId }));
      waitForAnswer();
    };
    const typeNext = () => {
      if (next >= lines.length) return waitForAnswer();
      after(jittered(opts.thinkTimeS, random) * 1000, () => send(1, Date.now()));
    };

    socket.on('open', () => {
      socket.send(JSON.stringify({ action: 'configureSession', deploymentId: target.deploymentId, token }));
      waitForAnswer();
    });
    socket.on('close', (code: number) => {
      r.closeCode = code;
    });
    socket.on('message', (data: string) => {
      let f: Frame;
      try {
        f = JSON.parse(data) as Frame;
      } catch {
        return fail('bad_frame');
      }
      const now = Date.now();
      switch (f.class) {
        case 'SessionResponse':
          if (f.code === 200) return typeNext();
          return fail(String(f.code));
        case 'TooManyRequestsErrorMessage': {
          if (!pending) return;
          r.throttled++;
          guestThrottled.add(1);
          const d = decideGuestRetry(
            { retryAfter: f.body?.retryAfter, attempt: pending.attempt, elapsedMs: now - pending.firstAt },
            opts.retry,
            random,
          );
          if (!d.retry) {
            guestRetryExhausted.add(1);
            return fail('retry_exhausted');
          }
          guestRetryWait.add(d.waitMs);
          const p = pending;
          return after(d.waitMs, () => send(p.attempt + 1, p.firstAt));
        }
        case 'StructuredMessage':
          if (f.body?.direction === 'Inbound') {
            // The echo of our line: the platform took it, the bot now owes its answer. An echo without a
            // tracingId can only be the line on its way: the guest has one at a time.
            if (!pending || (f.tracingId !== undefined && f.tracingId !== pending.tracingId)) return;
            r.sent++;
            guestMessages.add(1);
            awaitingSince = pending.sentAt;
            pending = undefined;
            next++;
            return;
          }
          if (isGoodbye(f)) {
            goodbye = true;
            generation++;
            return socket.close(1000);
          }
          // Other events (the bot typing, presence) are not answers.
          if (f.body?.type === 'Event') return;
          r.replies++;
          guestReplies.add(1);
          if (awaitingSince !== undefined) {
            botReplyTime.add(now - awaitingSince);
            awaitingSince = undefined;
            r.answered++;
          }
          // A bot may say several things in a row (a greeting, then the answer): the guest reads them
          // all, so each one starts the pause before the next line again.
          if (!pending) typeNext();
          return;
        case 'SessionExpiredEvent':
          return fail('session_expired');
        case 'ConnectionClosedEvent':
          return;
        default:
          // Errors are {class: "string", code, body: text}: 4006 expired, 4007 not found, 4011 too long, 400.
          if (f.type === 'response' && typeof f.code === 'number' && f.code >= 400)
            return fail(String(f.code));
      }
    });
  });

  r.status = res.status;
  guestSessionTime.add(Date.now() - start);
  if (res.status !== 101) {
    r.outcome = 'refused';
    r.reason = res.status === 0 ? 'dial' : String(res.status);
    guestErrors.add(1, { reason: r.reason });
    return r;
  }
  if (goodbye) r.outcome = 'goodbye';
  else {
    r.outcome = r.reason ? 'failed' : 'closed';
    guestSessionsWithoutGoodbye.add(1, { close_code: String(r.closeCode ?? 0) });
  }
  return r;
}

export type DeploymentProbe = { ok: true } | { ok: false; message: string };

/**
 * Opens one guest socket and closes it: the platform refuses an unknown deployment before the handshake
 * (403), so one dial in setup() tells a wrong DEPLOYMENT_ID from a working one.
 */
export function probeDeployment(target: GuestTarget): DeploymentProbe {
  const res = ws.connect(target.socketUrl, { tags: { name: 'webmessaging probe' } }, (socket) => {
    socket.on('open', () => socket.close(1000));
  });
  if (res.status === 101) return { ok: true };
  if (res.status === 403) {
    return {
      ok: false,
      message: `${target.where} refused deployment "${target.deploymentId}" (403): DEPLOYMENT_ID must be a Messenger deployment of this org`,
    };
  }
  if (res.status === 0) return { ok: false, message: `cannot reach ${target.where}: ${res.error}` };
  return { ok: false, message: `${target.where} answered the guest socket with ${res.status}` };
}
