// The WebSocket side of the emulator on its HTTP port: upgrades to /v1?deploymentId=... are web messaging
// guests, upgrades to /channels/{channelId} (a connectUri) notification channels; anything else is refused
// before the handshake with the platform's error body.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { EmulatorConfig } from '../config.ts';
import { errorBody } from '../errors.ts';
import { StreamFaults } from '../faults.ts';
import type { RateLimiter } from '../limits.ts';
import type { OrgState } from '../state.ts';
import { TimerQueue } from '../timers.ts';
import type { Json } from '../validate.ts';
import { NotificationStream } from './notifications.ts';
import { TopicPublisher } from './topic-publisher.ts';
import { WebMessaging } from './webmessaging.ts';

export interface Sockets {
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** `GET /__emulator/webmessaging/sessions?deploymentId=&token=`: a guest session, or undefined. */
  guestSession(deploymentId: string, token: string): Json | undefined;
  limiters: RateLimiter[];
  stats(): { webMessaging: Json; notifications: Json };
  reset(): void;
  close(): void;
}

const REASONS: Record<number, string> = { 403: 'Forbidden', 404: 'Not Found' };

export function startSockets(config: EmulatorConfig, state: OrgState): Sockets {
  const timers = new TimerQueue();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits['platform.api']['request.bytes.max'],
  });
  const faults = new StreamFaults(config.notifications.faults, config.seed);
  const stream = new NotificationStream(config, state, faults);
  const publisher = new TopicPublisher(config, state, timers, (events) => stream.deliver(events));
  const guests = new WebMessaging(config, state, timers);
  state.listener = {
    conversation: (conv, change, now) => publisher.conversation(conv, change, now),
    channelRemoved: (ch) => stream.channelRemoved(ch),
  };

  function refuse(socket: Duplex, status: number, code: string, message: string): void {
    const contextId = randomUUID();
    const text = JSON.stringify(errorBody(status, code, message, contextId));
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(text)}\r\ninin-correlation-id: ${contextId}\r\n` +
        `connection: close\r\n\r\n${text}`,
    );
  }

  return {
    upgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      const url = new URL(req.url ?? '/', 'http://emulator');
      if (url.pathname === '/v1') {
        const deploymentId = url.searchParams.get('deploymentId');
        const deployment = guests.deployment(deploymentId);
        if (!deployment)
          return refuse(
            socket,
            403,
            'not.authorized',
            `Deployment ${deploymentId ?? '(none)'} is not known.`,
          );
        return wss.handleUpgrade(req, socket, head, (ws) => guests.accept(ws, deployment));
      }
      const channel = /^\/channels\/([^/]+)$/.exec(url.pathname);
      if (channel) {
        let id = channel[1];
        try {
          id = decodeURIComponent(id);
        } catch {
          // an undecodable id names no channel
        }
        const ch = stream.channel(id, Date.now());
        if (!ch) return refuse(socket, 404, 'not.found', `Channel ${id} was not found.`);
        return wss.handleUpgrade(req, socket, head, (ws) => stream.accept(ws, ch));
      }
      refuse(socket, 404, 'not.found', `No WebSocket is served at ${url.pathname}.`);
    },
    guestSession: (deploymentId, token) => guests.session(deploymentId, token),
    limiters: [guests.limiter],
    stats: () => ({
      webMessaging: guests.stats(),
      notifications: {
        connections: stream.open,
        eventsPublished: publisher.published,
        ...stream.counts,
        faults: { ...faults.counts },
      },
    }),
    reset() {
      timers.clear();
      guests.reset();
      stream.reset();
      publisher.reset();
      faults.reset();
    },
    close() {
      timers.clear();
      guests.close();
      stream.close();
      wss.close();
    },
  };
}
