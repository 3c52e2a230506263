// What the emulated org remembers between requests: conversations and their analytics, bot sessions,
// analytics jobs, notification channels. Stores are bounded so a long soak does not grow memory. Changes to
// conversations and channels are reported to one listener, so the notification stream can follow them.
import { randomUUID } from 'node:crypto';
import type { EmulatorConfig } from './config.ts';
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
  /** The bot flow that answers it, and why that flow exited: what its flow topic events report. */
  flowId?: string;
  flowExitReason?: string;
  /** The serialized GET view and whether it was made while active: reads of one conversation are hot. */
  cachedView?: string;
  cachedActive?: boolean;
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

export const DIVISION_ID = '00000000-0000-4000-8000-000000000001';

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
  channels = new Map<string, Channel>();
  /** Per client, conversations that may still be active: GET /api/v2/conversations reads only these. */
  private open = new Map<string, Set<string>>();
  listener: StateListener | undefined;

  constructor(private readonly config: EmulatorConfig) {
    this.conversations = new BoundedMap(config.conversations.max);
    this.sessions = new BoundedMap(config.conversations.max);
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
    const active = this.isActive(conv, now);
    const view: Json = {
      id: conv.id,
      startTime: new Date(conv.startTime).toISOString(),
      participants: conv.participants.map((p) => ({
        ...p,
        state: active ? 'connected' : 'disconnected',
      })),
      state: active ? 'connected' : 'disconnected',
      divisions: [
        {
          division: { id: DIVISION_ID, selfUri: `/api/v2/authorization/divisions/${DIVISION_ID}` },
          entities: [],
        },
      ],
      selfUri: `/api/v2/conversations/${conv.id}`,
    };
    if (!active && conv.endTime !== undefined) view.endTime = new Date(conv.endTime).toISOString();
    return view;
  }

  analyticsView(conv: Conversation): Json {
    const view: Json = {
      conversationId: conv.id,
      conversationStart: new Date(conv.startTime).toISOString(),
      originatingDirection: conv.originatingDirection,
      divisionIds: [DIVISION_ID],
      participants: conv.participants.map((p) => ({
        participantId: p.id,
        purpose: p.purpose,
        sessions: [{ mediaType: conv.mediaType, direction: conv.originatingDirection }],
      })),
    };
    if (conv.endTime !== undefined) view.conversationEnd = new Date(conv.endTime).toISOString();
    return view;
  }

  reset(): void {
    this.conversations.clear();
    this.sessions.clear();
    this.jobs.clear();
    for (const ch of [...this.channels.values()]) this.removeChannel(ch);
    this.open.clear();
  }
}
