// Notification channels, REST part: create (the 21st evicts the oldest unconnected one), list, topic
// subscriptions (at most maxTopicsPerChannel; each change renews the channel's lifetime), available topics.
import { randomUUID } from 'node:crypto';
import { AVAILABLE_TOPICS } from '../conversation-events.ts';
import { badRequest, invalidField, notFound } from '../errors.ts';
import type { RequestContext, RouteSpec } from '../router.ts';
import type { Channel } from '../state.ts';
import { isObject } from '../validate.ts';

const PERMISSION = null; // any valid token may open channels

function channelView(ch: Channel, baseUrl: string) {
  return {
    id: ch.id,
    connectUri: `${baseUrl.replace(/^http/, 'ws')}/channels/${ch.id}`,
    expires: new Date(ch.expires).toISOString(),
  };
}

function ownChannel({ params, client, state, now }: RequestContext): Channel {
  const ch = state.channels.get(params.channelId);
  if (!ch || ch.clientId !== client.id || ch.expires <= now)
    throw notFound(`Channel ${params.channelId} was not found.`);
  return ch;
}

function topicsFrom(body: unknown): string[] {
  if (body === undefined) return [];
  if (!Array.isArray(body)) throw invalidField('body', 'must be an array of {"id": topic}');
  return body.map((t, i) => {
    if (!isObject(t) || typeof t.id !== 'string' || t.id === '')
      throw invalidField(`[${i}].id`, 'must be a topic name');
    return t.id;
  });
}

const subscriptions = (ch: Channel) => ({ entities: ch.topics.map((id) => ({ id })) });

/**
 * Sets a channel's topics, refusing more than the limit with the platform's 400 and leaving the channel as it
 * was. Subscribing is what keeps a channel alive past its 24 hours, so it renews the lifetime.
 */
function subscribe(ctx: RequestContext, ch: Channel, topics: string[]): void {
  const unique = [...new Set(topics)];
  const max = ctx.config.notifications.maxTopicsPerChannel;
  if (unique.length > max)
    throw badRequest(
      `Channel ${ch.id} would be subscribed to ${unique.length} topics; a channel holds at most ${max}.`,
      [{ errorCode: 'topic.limit.exceeded', fieldName: 'body' }],
    );
  ch.topics = unique;
  ch.expires = ctx.now + ctx.state.scaled(ctx.config.notifications.channelLifetimeSeconds);
}

export const notificationRoutes: RouteSpec[] = [
  {
    method: 'POST',
    pattern: '/api/v2/notifications/channels',
    permission: PERMISSION,
    body: true,
    handler({ client, state, config, now, baseUrl }) {
      const own = [...state.channels.values()].filter((c) => c.clientId === client.id && c.expires > now);
      const max = config.limits.notifications['channels.max'];
      // Oldest first among the unconnected, then among the connected (whose socket is closed).
      const byAge = [...own.filter((c) => !c.connected), ...own.filter((c) => c.connected)];
      for (const old of byAge.slice(0, Math.max(0, own.length - max + 1))) state.removeChannel(old);
      const ch: Channel = {
        id: randomUUID(),
        clientId: client.id,
        expires: now + state.scaled(config.notifications.channelLifetimeSeconds),
        topics: [],
      };
      state.channels.set(ch.id, ch);
      return { status: 200, body: channelView(ch, baseUrl) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/notifications/channels',
    permission: PERMISSION,
    body: false,
    handler({ client, state, now, baseUrl }) {
      const entities = [...state.channels.values()]
        .filter((c) => c.clientId === client.id && c.expires > now)
        .map((c) => channelView(c, baseUrl));
      return { status: 200, body: { entities } };
    },
  },
  {
    // Whether a channel still exists: the check before reconnecting to it.
    method: 'HEAD',
    pattern: '/api/v2/notifications/channels/{channelId}',
    permission: PERMISSION,
    body: false,
    handler(ctx) {
      ownChannel(ctx);
      return { status: 200 };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/notifications/channels/{channelId}/subscriptions',
    permission: PERMISSION,
    body: false,
    handler: (ctx) => ({ status: 200, body: subscriptions(ownChannel(ctx)) }),
  },
  {
    method: 'PUT',
    pattern: '/api/v2/notifications/channels/{channelId}/subscriptions',
    permission: PERMISSION,
    body: true,
    handler(ctx) {
      const ch = ownChannel(ctx);
      subscribe(ctx, ch, topicsFrom(ctx.body));
      return { status: 200, body: subscriptions(ch) };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/notifications/channels/{channelId}/subscriptions',
    permission: PERMISSION,
    body: true,
    handler(ctx) {
      const ch = ownChannel(ctx);
      subscribe(ctx, ch, [...ch.topics, ...topicsFrom(ctx.body)]);
      return { status: 200, body: subscriptions(ch) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v2/notifications/channels/{channelId}/subscriptions',
    permission: PERMISSION,
    body: false,
    handler(ctx) {
      ownChannel(ctx).topics = [];
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/notifications/availabletopics',
    permission: PERMISSION,
    body: false,
    handler: () => ({ status: 200, body: { entities: AVAILABLE_TOPICS } }),
  },
];
