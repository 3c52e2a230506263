// What the notifications test keeps across sockets: when each conversation's create call started, which
// of them the stream has shown, and which topics the channel holds. Pure, so it outlives every reconnect
// (the count lives here, not in a socket) and node:test can check the arithmetic.

const DETAIL_PREFIX = 'v2.detail.events.conversation.';
const START_SUFFIX = '.customer.start';

/** The topic whose event says the conversation's customer leg started: the create call's own effect. */
export function conversationStartTopic(conversationId: string): string {
  return `${DETAIL_PREFIX}${conversationId}${START_SUFFIX}`;
}

/** The topic with every change of every conversation in a queue: one subscription for them all. */
export function queueConversationsTopic(queueId: string): string {
  return `v2.routing.queues.${queueId}.conversations`;
}

/** The conversation a customer.start topic names, or undefined for any other topic. */
export function conversationOfTopic(topic: string): string | undefined {
  if (!topic.startsWith(DETAIL_PREFIX) || !topic.endsWith(START_SUFFIX)) return undefined;
  const id = topic.slice(DETAIL_PREFIX.length, topic.length - START_SUFFIX.length);
  return id && id.indexOf('.') < 0 ? id : undefined;
}

/**
 * The GETs the analytics-lag loop (one at once, then one every `intervalS`) issues before it can see a change
 * that became visible `lagMs` after the create call: the stream's event made each of them unnecessary.
 */
export function pollsFor(lagMs: number, intervalS: number): number {
  return Math.floor(Math.max(0, lagMs) / (intervalS * 1000)) + 1;
}

export type Frame =
  | { kind: 'heartbeat' }
  | { kind: 'pong' }
  | { kind: 'closing' }
  | { kind: 'event'; topic: string; conversationId?: string }
  | { kind: 'other' };

/** Reads one text frame of the notification stream. */
export function classifyFrame(text: string): Frame {
  let msg: {
    topicName?: unknown;
    eventBody?: { message?: unknown; conversationId?: unknown; id?: unknown };
  };
  try {
    msg = JSON.parse(text);
  } catch {
    return { kind: 'other' };
  }
  if (!msg || typeof msg.topicName !== 'string') return { kind: 'other' };
  if (msg.topicName === 'channel.metadata') {
    const m = msg.eventBody?.message;
    return m === 'pong'
      ? { kind: 'pong' }
      : m === 'WebSocket Heartbeat'
        ? { kind: 'heartbeat' }
        : { kind: 'other' };
  }
  if (msg.topicName === 'v2.system.socket_closing') return { kind: 'closing' };
  // A queue's or user's conversations topic carries the whole conversation, its id as `id`.
  const fromBody = msg.topicName.endsWith('.conversations')
    ? msg.eventBody?.id
    : msg.eventBody?.conversationId;
  return {
    kind: 'event',
    topic: msg.topicName,
    conversationId:
      conversationOfTopic(msg.topicName) ?? (typeof fromBody === 'string' ? fromBody : undefined),
  };
}

interface Pending {
  sentAt: number;
  /** A socket dropped while this event was due: the platform may have sent it into the dead socket. */
  outage: boolean;
}

export type Seen = { lagMs: number } | { duplicate: true } | { unknown: true };

export class EventLedger {
  private pending = new Map<string, Pending>();
  private seen = new Set<string>();
  /** The topics the channel holds, in the order they were added. */
  topics: string[] = [];
  created = 0;

  /** A create call that started at `atMs` made `conversationId`. */
  sent(conversationId: string, atMs: number): void {
    this.created++;
    this.pending.set(conversationId, { sentAt: atMs, outage: false });
  }

  /** The stream showed `conversationId`'s event at `atMs`. */
  received(conversationId: string, atMs: number): Seen {
    const p = this.pending.get(conversationId);
    if (!p) return this.seen.has(conversationId) ? { duplicate: true } : { unknown: true };
    this.pending.delete(conversationId);
    this.seen.add(conversationId);
    return { lagMs: Math.max(0, atMs - p.sentAt) };
  }

  /** The socket went down: every event still due may have been sent into it and lost. */
  socketDown(): void {
    for (const p of this.pending.values()) p.outage = true;
  }

  get waiting(): number {
    return this.pending.size;
  }

  get seenCount(): number {
    return this.seen.size;
  }

  /** Conversations still without an event, split by whether a drop could explain it. */
  missed(): { afterOutage: number; other: number } {
    let afterOutage = 0;
    for (const p of this.pending.values()) if (p.outage) afterOutage++;
    return { afterOutage, other: this.pending.size - afterOutage };
  }

  /** Topics of conversations still waiting: what a fresh channel, or a rotation, keeps. */
  pendingTopics(): string[] {
    return [...this.pending.keys()].map(conversationStartTopic);
  }

  /**
   * How to add `topic` within `maxTopics`: a POST of the one topic while there is room, else a PUT of the
   * waiting conversations' topics plus this one (the seen ones are done with), or undefined when even the
   * waiting ones fill the channel.
   */
  planSubscribe(topic: string, maxTopics: number): { method: 'POST' | 'PUT'; topics: string[] } | undefined {
    if (this.topics.length + 1 <= maxTopics) return { method: 'POST', topics: [topic] };
    const keep = this.pendingTopics().filter((t) => t !== topic);
    if (keep.length + 1 > maxTopics) return undefined;
    return { method: 'PUT', topics: [...keep, topic] };
  }

  /** The channel now holds these topics (after a POST, PUT, or a fresh channel). */
  subscribed(method: 'POST' | 'PUT', topics: string[]): void {
    this.topics = method === 'POST' ? [...this.topics, ...topics] : [...topics];
  }
}
