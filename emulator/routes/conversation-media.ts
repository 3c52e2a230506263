// One conversation's parts: disconnecting all of it, updating one participant, and the message views
// (a message conversation, one message's details).
import { messageConversationView } from '../conversation-views.ts';
import { invalidField, notFound } from '../errors.ts';
import type { RequestContext, RouteSpec } from '../router.ts';
import type { Conversation } from '../state.ts';
import { checkShape, requireBody, type Shape } from '../validate.ts';

function conversation({ params, state }: RequestContext): Conversation {
  const conv = state.conversations.get(params.conversationId);
  if (!conv) throw notFound(`Conversation ${params.conversationId} was not found.`);
  return conv;
}

const MEDIA_PARTICIPANT_REQUEST: Shape = {
  object: {
    wrapup: { object: { code: 'string', name: 'string', notes: 'string', tags: { array: 'string' } } },
    state: 'string',
    recording: 'boolean',
    muted: 'boolean',
    confined: 'boolean',
    held: 'boolean',
    wrapupSkipped: 'boolean',
    resumeTime: 'string',
  },
};
/** What a participant may be set to through this route; the rest are states the platform moves it through. */
const SETTABLE_STATES = ['connected', 'disconnected'];

export const conversationMediaRoutes: RouteSpec[] = [
  {
    method: 'POST',
    pattern: '/api/v2/conversations/{conversationId}/disconnect',
    permission: 'conversation:communication:disconnect',
    body: false,
    handler(ctx) {
      ctx.state.endConversation(conversation(ctx), ctx.now);
      return { status: 202 };
    },
  },
  {
    method: 'PATCH',
    pattern: '/api/v2/conversations/{conversationId}/participants/{participantId}',
    permission: 'conversation:communication:disconnect',
    body: true,
    handler(ctx) {
      const conv = conversation(ctx);
      const id = ctx.params.participantId;
      if (!conv.participants.some((p) => p.id === id))
        throw notFound(`Participant ${id} of conversation ${conv.id} was not found.`);
      const b = requireBody(ctx.body);
      checkShape(b, MEDIA_PARTICIPANT_REQUEST);
      if (b.state !== undefined && b.state !== null && !SETTABLE_STATES.includes(b.state as string))
        throw invalidField('state', `must be one of ${SETTABLE_STATES.join(', ')}`);
      if (b.state === 'disconnected' && ctx.state.isActive(conv, ctx.now)) {
        conv.participantEnds = { ...conv.participantEnds, [id]: ctx.now };
        conv.cachedView = undefined;
        // The last one to leave ends the conversation.
        if (conv.participants.every((p) => conv.participantEnds?.[p.id as string] !== undefined))
          ctx.state.endConversation(conv, ctx.now);
      }
      return { status: 202 };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/conversations/messages/{conversationId}',
    permission: 'conversation:communication:view',
    body: false,
    handler(ctx) {
      const conv = conversation(ctx);
      if (conv.mediaType !== 'message') throw notFound(`Message conversation ${conv.id} was not found.`);
      return { status: 200, body: messageConversationView(conv, ctx.state.isActive(conv, ctx.now)) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/conversations/messages/{messageId}/details',
    permission: 'conversation:communication:view',
    body: false,
    handler({ params, state }) {
      const m = state.messages.get(params.messageId);
      if (!m) throw notFound(`Message ${params.messageId} was not found.`);
      const body: Record<string, unknown> = {
        id: m.id,
        timestamp: new Date(m.timestamp).toISOString(),
        fromAddress: m.fromAddress,
        direction: m.direction,
        messengerType: m.messengerType,
        status: 'sent',
        conversationId: m.conversationId,
        selfUri: `/api/v2/conversations/messages/${m.conversationId}/messages/${m.id}`,
      };
      if (m.toAddress !== undefined) body.toAddress = m.toAddress;
      return { status: 200, body };
    },
  },
];
