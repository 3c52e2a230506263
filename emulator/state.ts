// What the emulated org remembers between requests: conversations and their analytics, bot sessions,
// analytics jobs, notification channels. Stores are bounded so a long soak does not grow memory. Changes to
// conversations and channels are reported to one listener, so the notification stream can follow them.
import { randomUUID } from 'node:crypto';
import type { EmulatorConfig } from './config.ts';
import { analyticsView, conversationView } from './conversation-views.ts';
import { seededRandom } from './random.ts';
import type { Json } from './validate.ts';

export type MediaType = 'message' | 'call' | 'callback' | 'chat';

export interface Conversation {
  id: string;
  clientId: string;
  mediaType: MediaType;
  startTime: number;
  /** Set when it ends (by DELETE, bot exit, or its configured length); ms since the epoch. */
  endTime?: number;
  participants: Json[];
  originatingDirection: 'inbound' | 'outbound';
  /** Set for a web messaging guest's conversation: it belongs to the org, not to an OAuth client. */
  deploymentId?: string;
  /** Participants that left before the conversation ended (PATCH state disconnected): id -> ms. */
  participantEnds?: Record<string, number>;
  /** Messages sent in it, by participant: what GET /api/v2/conversations/messages/{id} lists. */
  messages?: { participantId: string; id: string; timestamp: number }[];
  /** The bot flow that answers it, and why that flow exited: what its flow topic events report. */
  flowId?: string;
  flowExitReason?: string;
  /** The serialized GET view and whether it was made while active: reads of one conversation are hot. */
  cachedView?: string;
  cachedActive?: boolean;
}

/** One message sent or received, as GET /api/v2/conversations/messages/{messageId}/details reads it. */
export interface MessageRecord {
  id: string;
  conversationId: string;
  fromAddress: string;
  toAddress?: string;
  messengerType: string;
  direction: 'inbound' | 'outbound';
  timestamp: number;
}

export interface BotSession {
  id: string;
  clientId: string;
  flowId: string;
  conversationId: string;
  language: string;
  turns: number;
  lastTurnId?: string;
  awaitingOrderNumber: boolean;
  ended: boolean;
}

export interface AnalyticsJob {
  id: string;
  clientId: string;
  createdAt: number;
  fulfilledAt: number;
  /** The query interval, ms since the epoch: conversations that started in [start, end). */
  start: number;
  end: number;
  /** Drawn at submission (analytics.jobFailureShare): the job ends FAILED instead of FULFILLED. */
  fails: boolean;
  /** When its results are gone and it reads EXPIRED. */
  expiresAt: number;
}

export interface Channel {
  id: string;
  clientId: string;
  expires: number;
  topics: string[];
  /** Whether a WebSocket is connected: the 21st channel evicts an unconnected one first. */
  connected?: boolean;
}

export type ConversationChange = 'start' | 'update' | 'end';

/** Told of every change, in the step that makes it. */
export interface StateListener {
  conversation(conv: Conversation, change: ConversationChange, now: number): void;
  channelRemoved(ch: Channel): void;
}

export { DIVISION_ID } from './conversation-views.ts';

/** A Map that drops its oldest entries past `max`. */
export class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.set(key, value);
    if (this.size > this.max) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    return this;
  }
}

export class OrgState {
  conversations: BoundedMap<Conversation>;
  sessions: BoundedMap<BotSession>;
  jobs = new BoundedMap<AnalyticsJob>(10_000);
  messages: BoundedMap<MessageRecord>;
  channels = new Map<string, Channel>();
  /** Per client, conversations that may still be active: GET /api/v2/conversations reads only these. */
  private open = new Map<string, Set<string>>();
  listener: StateListener | undefined;
  /** Which analytics jobs fail: a stream of its own, so faults and latency replay unchanged. */
  jobDraws: () => number;

  constructor(private readonly config: EmulatorConfig) {
    this.conversations = new BoundedMap(config.conversations.max);
    this.sessions = new BoundedMap(config.conversations.max);
    this.messages = new BoundedMap(config.conversations.max);
    this.jobDraws = seededRandom(config.seed + 2);
  }

  /** Emulated seconds to real milliseconds under the configured time scale. */
  scaled(seconds: number): number {
    return (seconds * 1000) / this.config.timeScale;
  }

  createConversation(
    clientId: string,
    mediaType: MediaType,
    participants: Json[],
    now: number,
    opts: {
      endsByItself?: boolean;
      direction?: 'inbound' | 'outbound';
      id?: string;
      deploymentId?: string;
      flowId?: string;
    } = {},
  ): Conversation {
    const conv: Conversation = {
      id: opts.id ?? randomUUID(),
      clientId,
      mediaType,
      startTime: now,
      participants,
      originatingDirection: opts.direction ?? 'outbound',
    };
    if (opts.deploymentId !== undefined) conv.deploymentId = opts.deploymentId;
    if (opts.flowId !== undefined) conv.flowId = opts.flowId;
    if (opts.endsByItself !== false)
      conv.endTime = now + this.scaled(this.config.conversations.durationSeconds);
    this.conversations.set(conv.id, conv);
    // GET /api/v2/conversations lists a client's own; nobody lists a guest's, so it is not kept there.
    if (conv.deploymentId === undefined) {
      let open = this.open.get(clientId);
      if (!open) this.open.set(clientId, (open = new Set()));
      open.add(conv.id);
    }
    this.listener?.conversation(conv, 'start', now);
    return conv;
  }

  /** A participant joins, e.g. the queue a bot hands over to; `endTime` (if given) is when it now ends. */
  addParticipant(conv: Conversation, participant: Json, now: number, endTime?: number): void {
    conv.participants = [...conv.participants, participant];
    if (endTime !== undefined) conv.endTime = endTime;
    conv.cachedView = undefined;
    this.listener?.conversation(conv, 'update', now);
  }

  /** The client's active conversations, oldest first; forgets ended and evicted ones on the way. */
  activeConversations(clientId: string, now: number): Conversation[] {
    const out: Conversation[] = [];
    const open = this.open.get(clientId);
    if (!open) return out;
    for (const id of open) {
      const conv = this.conversations.get(id);
      if (conv && this.isActive(conv, now)) out.push(conv);
      else open.delete(id);
    }
    return out;
  }

  isActive(conv: Conversation, now: number): boolean {
    return conv.endTime === undefined || conv.endTime > now;
  }

  endConversation(conv: Conversation, now: number): void {
    const active = this.isActive(conv, now);
    if (active) conv.endTime = now;
    conv.cachedView = undefined;
    if (active) this.listener?.conversation(conv, 'end', now);
  }

  removeChannel(ch: Channel): void {
    if (this.channels.get(ch.id) !== ch) return;
    this.channels.delete(ch.id);
    this.listener?.channelRemoved(ch);
  }

  conversationJson(conv: Conversation, now: number): string {
    const active = this.isActive(conv, now);
    if (conv.cachedView === undefined || conv.cachedActive !== active) {
      conv.cachedView = JSON.stringify(this.conversationView(conv, now));
      conv.cachedActive = active;
    }
    return conv.cachedView;
  }

  /** Analytics has the conversation once it ended and the configured lag has passed since. */
  analyticsReady(conv: Conversation, now: number): boolean {
    return conv.endTime !== undefined && conv.endTime + this.scaled(this.config.analytics.lagSeconds) <= now;
  }

  conversationView(conv: Conversation, now: number): Json {
    return conversationView(conv, now, this.isActive(conv, now));
  }

  analyticsView(conv: Conversation): Json {
    return analyticsView(conv);
  }

  reset(): void {
    this.conversations.clear();
    this.sessions.clear();
    this.jobs.clear();
    this.messages.clear();
    this.jobDraws = seededRandom(this.config.seed + 2);
    for (const ch of [...this.channels.values()]) this.removeChannel(ch);
    this.open.clear();
  }
}
