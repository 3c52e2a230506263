// The notification channel sockets behind connectUri: one socket per channel (a second one replaces the
// first), topic events for the channel's subscriptions, heartbeats on channel.metadata, pong for
// {"message":"ping"}, and v2.system.socket_closing ahead of every close the server makes (channel expiry, or
// the configured closeAfterSeconds). Stream faults drop sockets and delay deliveries.
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { EmulatorConfig } from '../config.ts';
import type { TopicEvent } from '../conversation-events.ts';
import type { StreamFaults } from '../faults.ts';
import type { Channel, OrgState } from '../state.ts';
import type { Json } from '../validate.ts';

const HEARTBEAT = JSON.stringify({
  topicName: 'channel.metadata',
  eventBody: { message: 'WebSocket Heartbeat' },
});
const PONG = JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } });
/** setTimeout's longest delay; a longer wait is taken in steps. */
const MAX_DELAY = 2 ** 31 - 1;

interface Connection {
  ws: WebSocket;
  ch: Channel;
  /** The topics array the set was built from: the REST routes replace it on every change. */
  topicsFrom: string[];
  topics: Set<string>;
  /** When the configured closeAfterSeconds closes it; Infinity when only expiry does. */
  forcedCloseAt: number;
  /** The close the last socket_closing announced, if one was sent. */
  noticeFor: number | undefined;
  heartbeat: NodeJS.Timeout;
  closer: NodeJS.Timeout | undefined;
}

export class NotificationStream {
  private conns = new Map<string, Connection>();
  counts = {
    connected: 0,
    replaced: 0,
    eventsDelivered: 0,
    heartbeats: 0,
    pongs: 0,
    socketClosing: 0,
    closedByServer: 0,
  };

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: OrgState,
    private readonly faults: StreamFaults,
  ) {}

  get open(): number {
    return this.conns.size;
  }

  /** The channel a connectUri names, while it is live; the upgrade is refused otherwise. */
  channel(id: string, now: number): Channel | undefined {
    const ch = this.state.channels.get(id);
    return ch && ch.expires > now ? ch : undefined;
  }

  accept(ws: WebSocket, ch: Channel): void {
    const previous = this.conns.get(ch.id);
    if (previous) {
      this.counts.replaced++;
      this.drop(previous);
      previous.ws.close(1000, 'Another WebSocket connected to this channel');
    }
    const now = Date.now();
    const closeAfter = this.config.notifications.closeAfterSeconds;
    const conn: Connection = {
      ws,
      ch,
      topicsFrom: ch.topics,
      topics: new Set(ch.topics),
      forcedCloseAt: closeAfter > 0 ? now + this.state.scaled(closeAfter) : Infinity,
      noticeFor: undefined,
      heartbeat: setInterval(
        () => {
          this.counts.heartbeats++;
          this.send(conn, HEARTBEAT);
        },
        Math.max(1, this.state.scaled(this.config.notifications.heartbeatSeconds)),
      ),
      closer: undefined,
    };
    this.conns.set(ch.id, conn);
    ch.connected = true;
    this.counts.connected++;
    ws.on('message', (data, isBinary) => {
      if (!isBinary && isPing(data.toString())) {
        this.counts.pongs++;
        if (ws.readyState === ws.OPEN) ws.send(PONG);
      }
    });
    ws.on('close', () => this.drop(conn));
    ws.on('error', () => this.drop(conn));
    this.planClose(conn);
  }

  /** Sends each event to every connected channel subscribed to its topic; a body is built once per event. */
  deliver(events: TopicEvent[]): void {
    if (this.conns.size === 0) return;
    for (const e of events) {
      let text: string | undefined;
      for (const conn of this.conns.values()) {
        if (!this.subscribed(conn, e.topicName)) continue;
        text ??= JSON.stringify({
          topicName: e.topicName,
          version: '2',
          eventBody: e.body(),
          metadata: { CorrelationId: randomUUID() },
        });
        this.counts.eventsDelivered++;
        this.send(conn, text);
      }
    }
  }

  /** An evicted, expired or reset channel loses its socket. */
  channelRemoved(ch: Channel): void {
    const conn = this.conns.get(ch.id);
    if (!conn || conn.ch !== ch) return;
    this.drop(conn);
    this.counts.closedByServer++;
    conn.ws.close(1000, 'The channel was removed');
  }

  private subscribed(conn: Connection, topic: string): boolean {
    if (conn.topicsFrom !== conn.ch.topics) {
      conn.topicsFrom = conn.ch.topics;
      conn.topics = new Set(conn.ch.topics);
    }
    return conn.topics.has(topic);
  }

  private send(conn: Connection, text: string): void {
    const fault = this.faults.decide();
    if (fault?.drop) {
      // No close frame: the client sees the connection vanish (1006), as on a network drop.
      this.drop(conn);
      conn.ws.terminate();
      return;
    }
    if (fault && fault.delayMs > 0) {
      setTimeout(() => sendNow(conn, text), fault.delayMs).unref();
      return;
    }
    sendNow(conn, text);
  }

  /**
   * Re-plans the next close from the channel's current expiry at every step, so a subscription that renews
   * the channel (even after socket_closing was sent) keeps the socket open.
   */
  private planClose(conn: Connection): void {
    conn.closer = undefined;
    if (this.conns.get(conn.ch.id) !== conn) return;
    const now = Date.now();
    const closeAt = Math.min(conn.ch.expires, conn.forcedCloseAt);
    if (conn.noticeFor !== undefined && closeAt > conn.noticeFor) conn.noticeFor = undefined;
    const noticeAt = closeAt - this.state.scaled(this.config.notifications.closingNoticeSeconds);
    if (conn.noticeFor === undefined && noticeAt > now) return this.wake(conn, noticeAt - now);
    if (conn.noticeFor === undefined) {
      conn.noticeFor = closeAt;
      this.counts.socketClosing++;
      sendNow(conn, socketClosing(conn.ch, Math.max(0, Math.round((closeAt - now) / 1000))));
    }
    if (closeAt > now) return this.wake(conn, closeAt - now);
    this.counts.closedByServer++;
    this.drop(conn);
    if (conn.forcedCloseAt <= conn.ch.expires) {
      conn.ws.close(1001, 'The server is closing this WebSocket');
    } else {
      conn.ws.close(1000, 'The channel expired');
      this.state.removeChannel(conn.ch);
    }
  }

  private wake(conn: Connection, ms: number): void {
    conn.closer = setTimeout(() => this.planClose(conn), Math.min(MAX_DELAY, ms));
  }

  /** Forgets a connection (idempotent); its socket is closed by the caller or is closing already. */
  private drop(conn: Connection): void {
    clearInterval(conn.heartbeat);
    if (conn.closer) clearTimeout(conn.closer);
    conn.closer = undefined;
    if (this.conns.get(conn.ch.id) === conn) {
      this.conns.delete(conn.ch.id);
      conn.ch.connected = false;
    }
  }

  reset(): void {
    for (const k of Object.keys(this.counts) as (keyof typeof this.counts)[]) this.counts[k] = 0;
  }

  close(): void {
    for (const conn of [...this.conns.values()]) {
      this.drop(conn);
      conn.ws.terminate();
    }
  }
}

function sendNow(conn: Connection, text: string): void {
  if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(text);
}

function isPing(text: string): boolean {
  try {
    const msg = JSON.parse(text) as Json;
    return typeof msg === 'object' && msg !== null && msg.message === 'ping';
  } catch {
    return false;
  }
}

function socketClosing(ch: Channel, inSeconds: number): string {
  const correlationId = randomUUID();
  return JSON.stringify({
    topicName: 'v2.system.socket_closing',
    version: '2',
    eventBody: {
      channelId: ch.id,
      correlationId,
      message: `This WebSocket will be closed in ${inSeconds} seconds; reconnect to a channel to continue`,
    },
    metadata: { CorrelationId: correlationId },
  });
}
