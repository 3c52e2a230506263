// The Web Messaging guest API (wss://webmessaging.{domain}/v1?deploymentId=...): configureSession with a
// guest token, onMessage, echo (the health check), closeSession. Frames are the platform's
// {type, class, code, body, tracingId}, as the Genesys messenger transport SDK decodes them; error codes are
// its ErrorCode list (4006 expired, 4007 not found, 4011 too long, 4029 rate too high).
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { EmulatorConfig, WebDeploymentSpec } from '../config.ts';
import { StreamFaults } from '../faults.ts';
import { admit, RateLimiter, retryAfterSeconds } from '../limits.ts';
import { BoundedMap, type OrgState } from '../state.ts';
import type { TimerQueue } from '../timers.ts';
import { isObject, type Json } from '../validate.ts';
import { GuestDialog, type GuestInput, type GuestSession } from './guest-dialog.ts';

export const RATE_KEY = 'messages.per.session.rate.per.second';

interface Guest {
  ws: WebSocket;
  deployment: WebDeploymentSpec;
  session: Session | undefined;
}

interface Session extends GuestSession {
  sockets: Set<Guest>;
  /** When the pending expiry check runs; activity in between moves the expiry, not the check. */
  checkAt: number;
}

type Frame = { type: 'response' | 'message'; class: string; code: number; body: unknown; tracingId?: string };

export class WebMessaging {
  private sessions: BoundedMap<Session>;
  private guests = new Set<Guest>();
  private deployments: Map<string, WebDeploymentSpec>;
  private dialog: GuestDialog;
  readonly limiter: RateLimiter;
  private faults: StreamFaults;
  private openSessions = 0;
  counts = {
    sessionsCreated: 0,
    sessionsResumed: 0,
    sessionsExpired: 0,
    messagesIn: 0,
    messagesOut: 0,
    throttled: 0,
    refused: {
      deployment: 0,
      sessionCap: 0,
      messageTooLong: 0,
      sessionExpired: 0,
      sessionNotFound: 0,
      badRequest: 0,
    },
  };

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: OrgState,
    private readonly timers: TimerQueue,
  ) {
    this.sessions = new BoundedMap(config.conversations.max);
    this.deployments = new Map(config.webMessaging.deployments.map((d) => [d.id, d]));
    this.limiter = new RateLimiter(RATE_KEY, config.limits.webmessaging[RATE_KEY], 1000 / config.timeScale);
    const dropSocket = config.webMessaging.faults.dropSocket;
    this.faults = new StreamFaults({ dropSocket, delayEvent: 0, delayMs: 0 }, config.seed, 4);
    this.dialog = new GuestDialog(config, state, timers, (s, body) => this.deliver(s as Session, body));
  }

  deployment(id: string | null): WebDeploymentSpec | undefined {
    return id === null ? undefined : this.deployments.get(id);
  }

  /** A session of that deployment and token, for the emulator's own lookup endpoint. */
  session(deploymentId: string, token: string): Json | undefined {
    const s = this.sessions.get(key(deploymentId, token));
    if (!s) return undefined;
    return {
      deploymentId,
      token,
      open: s.sockets.size > 0,
      expired: s.expired,
      conversationId: s.conv?.id ?? null,
      expires: new Date(this.expiresAt(s)).toISOString(),
    };
  }

  accept(ws: WebSocket, deployment: WebDeploymentSpec): void {
    const guest: Guest = { ws, deployment, session: undefined };
    this.guests.add(guest);
    ws.on('message', (data, isBinary) => this.frame(guest, isBinary ? undefined : data.toString()));
    const gone = () => {
      this.guests.delete(guest);
      this.detach(guest);
    };
    ws.on('close', gone);
    ws.on('error', gone);
  }

  private frame(g: Guest, text: string | undefined): void {
    let req: unknown;
    try {
      req = text === undefined ? undefined : JSON.parse(text);
    } catch {
      req = undefined;
    }
    if (!isObject(req) || typeof req.action !== 'string') return this.badRequest(g, 'Request failed.');
    const tracingId = typeof req.tracingId === 'string' ? req.tracingId : undefined;
    const now = Date.now();
    switch (req.action) {
      case 'configureSession':
        return this.configure(g, req, tracingId, now);
      case 'onMessage':
        return this.onMessage(g, req, tracingId, now);
      case 'echo':
        return this.echo(g, req, tracingId, now);
      case 'closeSession':
        return this.closeSession(g, req);
      default:
        return this.badRequest(g, `Action ${JSON.stringify(req.action)} is not supported`, tracingId);
    }
  }

  private configure(g: Guest, req: Json, tracingId: string | undefined, now: number): void {
    const token = req.token;
    if (typeof token !== 'string' || token === '') return this.badRequest(g, 'token is required', tracingId);
    if (req.deploymentId !== g.deployment.id) {
      this.counts.refused.deployment++;
      return reply(g, error(400, 'Deployment not found', tracingId));
    }
    const existing = this.sessions.get(key(g.deployment.id, token));
    if (existing?.expired) return this.expired(g, tracingId);
    if (g.session !== existing) this.detach(g);
    const max = this.config.webMessaging.maxSessions;
    if ((!existing || existing.sockets.size === 0) && this.openSessions >= max) {
      this.counts.refused.sessionCap++;
      return reply(g, error(429, `The limit of ${max} open sessions is reached`, tracingId));
    }
    const s = existing ?? this.create(g.deployment, token, now);
    if (existing) this.counts.sessionsResumed++;
    else this.counts.sessionsCreated++;
    if (req.startNew === true && existing) this.dialog.end(s, now);
    this.attach(g, s);
    s.lastActive = now;
    const body: Json = {
      connected: true,
      newSession: existing === undefined,
      readOnly: false,
      durationSeconds: Math.max(1, Math.round(this.state.scaled(this.inactivity()) / 1000)),
      expirationDate: Math.floor(this.expiresAt(s) / 1000),
    };
    reply(g, { type: 'response', class: 'SessionResponse', code: 200, body, tracingId });
  }

  private onMessage(g: Guest, req: Json, tracingId: string | undefined, now: number): void {
    const s = this.ownSession(g, req, tracingId);
    if (!s) return;
    const message = req.message;
    if (!isObject(message) || typeof message.type !== 'string')
      return this.badRequest(g, 'message is required', tracingId);
    const input = readInput(message);
    if (input === null) return this.badRequest(g, 'Request failed.', tracingId);
    const max = this.config.webMessaging.maxMessageLength;
    if (input?.kind === 'text' && input.text.length > max && [...input.text].length > max) {
      this.counts.refused.messageTooLong++;
      return reply(g, error(4011, `Message text is longer than ${max} characters`, tracingId));
    }
    const wait = admit([{ limiter: this.limiter, key: key(s.deployment.id, s.token) }], now);
    if (wait > 0) {
      this.counts.throttled++;
      return reply(g, {
        type: 'response',
        class: 'TooManyRequestsErrorMessage',
        code: 429,
        body: {
          retryAfter: retryAfterSeconds(wait),
          errorCode: 4029,
          errorMessage: 'Message rate too high for this session',
        },
        tracingId,
      });
    }
    this.counts.messagesIn++;
    s.lastActive = now;
    if (input === undefined) return;
    if (input.kind === 'text') this.echoInbound(s, message, input.text, tracingId, now);
    this.dialog.inbound(s, input, now);
  }

  /** The health check: answers with the session's duration and expiry, and does not count as activity. */
  private echo(g: Guest, req: Json, tracingId: string | undefined, now: number): void {
    const s = this.ownSession(g, req, tracingId);
    if (!s) return;
    const message = isObject(req.message) ? req.message : {};
    const metadata: Json = isObject(message.metadata) ? { ...message.metadata } : {};
    metadata.durationSeconds = String(Math.max(1, Math.round(this.state.scaled(this.inactivity()) / 1000)));
    metadata.expirationDate = String(Math.floor(this.expiresAt(s) / 1000));
    const body = {
      id: randomUUID(),
      channel: { time: new Date(now).toISOString(), messageId: randomUUID() },
      type: 'Text',
      text: typeof message.text === 'string' ? message.text : 'ping',
      direction: 'Inbound',
      metadata,
    };
    reply(g, { type: 'response', class: 'StructuredMessage', code: 200, body, tracingId });
  }

  /** The session stays: another configureSession with the token resumes it. */
  private closeSession(g: Guest, req: Json): void {
    const targets = req.closeAllConnections === true && g.session ? [...g.session.sockets] : [g];
    for (const t of targets) {
      reply(t, { type: 'message', class: 'ConnectionClosedEvent', code: 200, body: {} });
      t.ws.close(1000, 'Session closed');
    }
  }

  /** The session this socket configured for the request's token, or the 4007/4006 answer. */
  private ownSession(g: Guest, req: Json, tracingId: string | undefined): Session | undefined {
    const s = g.session;
    if (!s || req.token !== s.token) {
      this.counts.refused.sessionNotFound++;
      reply(g, error(4007, 'Session not found', tracingId));
      return undefined;
    }
    if (s.expired) {
      this.expired(g, tracingId);
      return undefined;
    }
    return s;
  }

  private echoInbound(s: Session, message: Json, text: string, tracingId: string | undefined, now: number) {
    const body: Json = {
      id: randomUUID(),
      channel: { time: new Date(now).toISOString(), messageId: randomUUID() },
      type: message.type,
      text,
      direction: 'Inbound',
    };
    if (isObject(message.metadata)) body.metadata = message.metadata;
    if (Array.isArray(message.content)) body.content = message.content;
    const frame = JSON.stringify({ type: 'message', class: 'StructuredMessage', code: 200, body, tracingId });
    for (const g of s.sockets) send(g, frame);
  }

  private deliver(s: Session, body: Json): void {
    this.counts.messagesOut++;
    const frame = JSON.stringify({ type: 'message', class: 'StructuredMessage', code: 200, body });
    for (const g of [...s.sockets]) {
      // One draw per reply a socket could get; one dropped a moment ago is not dropped twice.
      if (g.ws.readyState !== g.ws.OPEN) continue;
      // A network drop: no close frame; the guest sees 1006 and the session stays resumable.
      if (this.faults.decide()?.drop) g.ws.terminate();
      else send(g, frame);
    }
  }

  private create(deployment: WebDeploymentSpec, token: string, now: number): Session {
    const s: Session = {
      token,
      deployment,
      lastActive: now,
      expired: false,
      conv: undefined,
      bot: undefined,
      replyAt: 0,
      sockets: new Set(),
      checkAt: 0,
    };
    this.sessions.set(key(deployment.id, token), s);
    this.watchExpiry(s);
    return s;
  }

  private inactivity(): number {
    return this.config.webMessaging.sessionInactivitySeconds;
  }

  private expiresAt(s: Session): number {
    return s.lastActive + this.state.scaled(this.inactivity());
  }

  /** One pending check per session: it re-arms itself while activity keeps moving the expiry. */
  private watchExpiry(s: Session): void {
    s.checkAt = this.expiresAt(s);
    this.timers.at(s.checkAt, () => {
      if (s.expired || this.sessions.get(key(s.deployment.id, s.token)) !== s) return;
      const now = Date.now();
      if (this.expiresAt(s) > now) return this.watchExpiry(s);
      s.expired = true;
      this.counts.sessionsExpired++;
      this.dialog.end(s, now);
      const frame = JSON.stringify({ type: 'response', class: 'SessionExpiredEvent', code: 200, body: {} });
      for (const g of s.sockets) send(g, frame);
    });
  }

  private expired(g: Guest, tracingId: string | undefined): void {
    this.counts.refused.sessionExpired++;
    reply(g, error(4006, 'Session has expired', tracingId));
  }

  private badRequest(g: Guest, message: string, tracingId?: string): void {
    this.counts.refused.badRequest++;
    reply(g, error(400, message, tracingId));
  }

  private attach(g: Guest, s: Session): void {
    if (g.session === s) return;
    if (s.sockets.size === 0) this.openSessions++;
    s.sockets.add(g);
    g.session = s;
  }

  private detach(g: Guest): void {
    const s = g.session;
    if (!s) return;
    g.session = undefined;
    s.sockets.delete(g);
    if (s.sockets.size === 0) this.openSessions--;
  }

  stats(): Json {
    return {
      connections: this.guests.size,
      sessionsOpen: this.openSessions,
      sessionsKnown: this.sessions.size,
      ...this.counts,
      refused: { ...this.counts.refused },
      faults: { ...this.faults.counts },
    };
  }

  reset(): void {
    for (const g of this.guests) {
      this.detach(g);
      g.ws.close(1001, 'The emulator was reset');
    }
    this.sessions.clear();
    this.openSessions = 0;
    this.limiter.reset();
    this.faults.reset();
    this.dialog.reset();
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) {
      if (k !== 'refused') this.counts[k] = 0;
    }
    for (const k of Object.keys(this.counts.refused) as (keyof typeof this.counts.refused)[])
      this.counts.refused[k] = 0;
  }

  close(): void {
    for (const g of this.guests) g.ws.terminate();
  }
}

const key = (deploymentId: string, token: string) => `${deploymentId}\n${token}`;

function error(code: number, body: string, tracingId?: string): Frame {
  return { type: 'response', class: 'string', code, body, tracingId };
}

function reply(g: Guest, frame: Frame): void {
  send(g, JSON.stringify(frame));
}

function send(g: Guest, text: string): void {
  if (g.ws.readyState === g.ws.OPEN) g.ws.send(text);
}

/**
 * What the bot hears: Text is the text, a Structured quick-reply answer its text, a Presence Join starts the
 * conversation; other events (typing) are accepted and change nothing (undefined). null: not a message.
 */
function readInput(message: Json): GuestInput | undefined | null {
  if (message.type === 'Text') {
    return typeof message.text === 'string' && message.text !== ''
      ? { kind: 'text', text: message.text }
      : null;
  }
  if (message.type === 'Structured') {
    const first = Array.isArray(message.content) ? message.content[0] : undefined;
    const answer = isObject(first) ? (first.buttonResponse ?? first.quickReply) : undefined;
    const text = isObject(answer) ? (answer.text ?? answer.payload) : undefined;
    return typeof text === 'string' && text !== '' ? { kind: 'text', text } : null;
  }
  if (message.type === 'Event') {
    const events = Array.isArray(message.events) ? message.events : [];
    const join = events.some(
      (e) => isObject(e) && e.eventType === 'Presence' && isObject(e.presence) && e.presence.type === 'Join',
    );
    return join ? { kind: 'join' } : undefined;
  }
  return null;
}
