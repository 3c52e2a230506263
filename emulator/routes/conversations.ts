// Conversations: agentless messages, calls, callbacks, the caller's active list, one conversation, disconnect.
// Queues named in a body must exist (400 invalid.value, as the platform answers an unknown id there).
import { randomUUID } from 'node:crypto';
import { invalidField, missingField, notFound } from '../errors.ts';
import type { RouteSpec } from '../router.ts';
import type { MediaType } from '../state.ts';
import { asText, at, optionalObject, optionalString, requireBody } from '../validate.ts';
import { parseAgentlessRequest, parseCallRequest } from './conversation-requests.ts';
import { requireQueue } from './lookups.ts';

/** How many conversations GET /api/v2/conversations lists at most: one page, the newest. */
const ACTIVE_LIST_MAX = 100;
/** communicationType values of GET /api/v2/conversations and the media each stands for. */
const COMMUNICATION_TYPES: Record<string, MediaType> = {
  Call: 'call',
  Callback: 'callback',
  Chat: 'chat',
  Message: 'message',
};

const party = (purpose: string, address?: string) => ({ id: randomUUID(), purpose, address });

export const conversationRoutes: RouteSpec[] = [
  {
    method: 'POST',
    pattern: '/api/v2/conversations/messages/agentless',
    permission: 'conversation:message:create',
    body: true,
    handler({ body, client, state, now }) {
      const m = parseAgentlessRequest(body);
      const agent = party('agent', m.fromAddress);
      const conv = state.createConversation(
        client.id,
        'message',
        [agent, party('customer', m.toAddress ?? m.externalContactId)],
        now,
      );
      const id = randomUUID();
      conv.messages = [{ participantId: agent.id, id, timestamp: now }];
      state.messages.set(id, {
        id,
        conversationId: conv.id,
        fromAddress: m.fromAddress,
        toAddress: m.toAddress,
        messengerType: m.messengerType,
        direction: 'outbound',
        timestamp: now,
      });
      // The fields of the SDK's SendAgentlessOutboundMessageResponse.
      return {
        status: 202,
        body: {
          id,
          conversationId: conv.id,
          fromAddress: m.fromAddress,
          toAddress: m.toAddress,
          messengerType: m.messengerType,
          useExistingActiveConversation: m.useExistingActiveConversation,
          timestamp: new Date(now).toISOString(),
          selfUri: `/api/v2/conversations/messages/${conv.id}/messages/${id}`,
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/conversations/calls',
    permission: 'conversation:call:add',
    body: true,
    handler({ body, client, state, config, now }) {
      const call = parseCallRequest(body);
      if (call.target === 'callQueueId') requireQueue(config, call.address, 'callQueueId');
      const b = body as Record<string, unknown>;
      if (typeof b.callFromQueueId === 'string' && b.callFromQueueId !== '')
        requireQueue(config, b.callFromQueueId, 'callFromQueueId');
      for (const [i, q] of call.queueIds) requireQueue(config, q, `participants[${i}].queueId`);
      const customers = call.address !== undefined ? [call.address] : call.destinations;
      const callee =
        call.target === 'callUserId'
          ? [{ id: randomUUID(), purpose: 'user', userId: call.address }]
          : call.target === 'callQueueId'
            ? [{ id: randomUUID(), purpose: 'acd', queueId: call.address }]
            : (customers.length ? customers : [undefined]).map((a) => party('customer', a));
      const conv = state.createConversation(client.id, 'call', [party('agent'), ...callee], now);
      return {
        status: 200,
        body: {
          id: conv.id,
          name: call.address ?? 'Conference',
          selfUri: `/api/v2/conversations/${conv.id}`,
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/conversations/callbacks',
    permission: 'conversation:callback:create',
    body: true,
    handler({ body, client, state, config, now }) {
      const b = requireBody(body);
      const numbers = at(b, 'callbackNumbers');
      if (numbers === undefined || (Array.isArray(numbers) && numbers.length === 0))
        throw missingField('callbackNumbers');
      if (!Array.isArray(numbers) || !numbers.every((n) => typeof n === 'string' && n !== '')) {
        throw invalidField('callbackNumbers', 'must be an array of phone numbers');
      }
      const queueId = optionalString(b, 'queueId');
      const routingData = optionalObject(b, 'routingData');
      if (!queueId && !routingData) throw missingField('queueId');
      const routedTo = queueId ?? asText(at(routingData ?? {}, 'queueId'), '');
      if (queueId) requireQueue(config, queueId, 'queueId');
      else if (routedTo) requireQueue(config, routedTo, 'routingData.queueId');
      const conv = state.createConversation(
        client.id,
        'callback',
        [
          party('customer', numbers[0]),
          {
            id: randomUUID(),
            purpose: 'acd',
            queueId: routedTo,
          },
        ],
        now,
      );
      return {
        status: 200,
        body: {
          conversation: { id: conv.id, selfUri: `/api/v2/conversations/${conv.id}` },
          callbackIdentifiers: [{ type: 'EXTERNAL', id: randomUUID() }],
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/conversations',
    permission: 'conversation:communication:view',
    body: false,
    handler({ client, state, query, now }) {
      const type = query.get('communicationType');
      const media = type === null ? undefined : COMMUNICATION_TYPES[type];
      if (type !== null && media === undefined)
        throw invalidField(
          'communicationType',
          `must be one of ${Object.keys(COMMUNICATION_TYPES).join(', ')}`,
        );
      let active = state.activeConversations(client.id, now);
      if (media) active = active.filter((c) => c.mediaType === media);
      const entities = active.slice(-ACTIVE_LIST_MAX).map((c) => state.conversationView(c, now));
      const self = `/api/v2/conversations${type === null ? '' : `?communicationType=${type}`}`;
      return {
        status: 200,
        body: {
          entities,
          pageSize: ACTIVE_LIST_MAX,
          pageNumber: 1,
          total: entities.length,
          pageCount: 1,
          firstUri: self,
          lastUri: self,
          selfUri: self,
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/conversations/{conversationId}',
    permission: 'conversation:communication:view',
    body: false,
    handler({ params, state, now }) {
      const conv = state.conversations.get(params.conversationId);
      if (!conv) throw notFound(`Conversation ${params.conversationId} was not found.`);
      return { status: 200, json: state.conversationJson(conv, now) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v2/conversations/{conversationId}',
    permission: 'conversation:communication:disconnect',
    body: false,
    handler({ params, state, now }) {
      const conv = state.conversations.get(params.conversationId);
      if (!conv) throw notFound(`Conversation ${params.conversationId} was not found.`);
      state.endConversation(conv, now);
      return { status: 202 };
    },
  },
];
