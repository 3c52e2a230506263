// The notification topics a conversation change publishes, with bodies shaped like the SDK's topic models
// (CustomerStartDetailEventTopicCustomerStartEvent, FlowEndDetailEventTopicFlowEndEvent,
// AcdStartDetailEventTopicAcdStartEvent, QueueConversationEventTopicConversation, ...). Bodies are built only
// when some channel is subscribed to the topic, from a snapshot taken when the change happened.
import { communicationId } from './conversation-views.ts';
import { DIVISION_ID, type Conversation, type ConversationChange, type MediaType } from './state.ts';
import type { Json } from './validate.ts';

export interface TopicEvent {
  topicName: string;
  body: () => Json;
}

/** What GET /api/v2/notifications/availabletopics lists: the topics the emulator publishes. */
export const AVAILABLE_TOPICS = [
  ['v2.detail.events.conversation.{id}.customer.start', 'A customer joined the conversation'],
  ['v2.detail.events.conversation.{id}.customer.end', 'A customer left the conversation'],
  ['v2.detail.events.conversation.{id}.flow.start', 'A bot flow started on the conversation'],
  ['v2.detail.events.conversation.{id}.flow.end', 'A bot flow ended on the conversation'],
  ['v2.detail.events.conversation.{id}.acd.start', 'The conversation entered a queue'],
  ['v2.detail.events.conversation.{id}.acd.end', 'The conversation left a queue'],
  [
    'v2.routing.queues.{id}.conversations',
    'Conversations of a queue: each change, as the whole conversation',
  ],
  ['v2.users.{id}.conversations', 'Conversations of a user: each change, as the whole conversation'],
].map(([id, description]) => ({ id, description, topicParameters: ['id'] }));

const MEDIA: Record<MediaType, { detail: string; key: string }> = {
  message: { detail: 'MESSAGE', key: 'messages' },
  call: { detail: 'VOICE', key: 'calls' },
  callback: { detail: 'CALLBACK', key: 'callbacks' },
  chat: { detail: 'CHAT', key: 'chats' },
};

/** Detail-event topic segment per participant purpose; other purposes publish no detail events. */
const SEGMENT: Record<string, string> = { customer: 'customer', bot: 'flow', acd: 'acd' };

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The events of one change. `joined` lists the participants new since the last change (all of them at
 * start); at the end every participant leaves. Times are the change's, not the publication's.
 */
export function conversationEvents(
  conv: Conversation,
  change: ConversationChange,
  joined: readonly Json[],
  at: number,
): TopicEvent[] {
  const participants = conv.participants;
  const endTime = change === 'end' ? conv.endTime : undefined;
  const out: TopicEvent[] = [];
  const moving = change === 'end' ? participants : joined;
  for (const p of moving) {
    const segment = SEGMENT[String(p.purpose)];
    if (!segment) continue;
    const edge = change === 'end' ? 'end' : 'start';
    out.push({
      topicName: `v2.detail.events.conversation.${conv.id}.${segment}.${edge}`,
      body: () => detailEvent(conv, p, segment, edge, at),
    });
  }
  const snapshot = () => conversationSnapshot(conv, participants, endTime);
  const seen = new Set<string>();
  for (const p of participants) {
    for (const [field, prefix] of [
      ['queueId', 'v2.routing.queues'],
      ['userId', 'v2.users'],
    ] as const) {
      const id = p[field];
      if (typeof id !== 'string' || id === '') continue;
      const topicName = `${prefix}.${id}.conversations`;
      if (seen.has(topicName)) continue;
      seen.add(topicName);
      out.push({ topicName, body: snapshot });
    }
  }
  return out;
}

function detailEvent(conv: Conversation, p: Json, segment: string, edge: string, at: number): Json {
  const body: Json = {
    eventTime: at,
    conversationId: conv.id,
    participantId: p.id,
    sessionId: p.id,
    mediaType: MEDIA[conv.mediaType].detail,
    direction: conv.originatingDirection.toUpperCase(),
    divisionId: DIVISION_ID,
  };
  if (conv.deploymentId !== undefined) body.messageType = 'WEBMESSAGING';
  if (segment === 'customer' && typeof p.address === 'string') {
    body[conv.originatingDirection === 'inbound' ? 'addressFrom' : 'addressTo'] = p.address;
  }
  if (segment === 'flow') {
    body.flowType = 'BOT';
    if (conv.flowId !== undefined) body.flowId = conv.flowId;
  }
  if (segment === 'acd' && p.queueId !== undefined) body.queueId = p.queueId;
  if (edge === 'end') {
    const ms = Math.max(0, at - conv.startTime);
    if (segment === 'customer') body.interactingDurationMs = ms;
    else body.connectedDurationMs = ms;
    if (segment === 'flow' && conv.flowExitReason !== undefined) body.exitReason = conv.flowExitReason;
  }
  return body;
}

function conversationSnapshot(conv: Conversation, participants: readonly Json[], endTime?: number): Json {
  const state = endTime === undefined ? 'connected' : 'disconnected';
  const media = MEDIA[conv.mediaType].key;
  return {
    id: conv.id,
    participants: participants.map((p) => {
      const view: Json = { ...p, connectedTime: iso(conv.startTime) };
      if (endTime !== undefined) view.endTime = iso(endTime);
      view[media] = [{ id: communicationId(p), state, direction: conv.originatingDirection }];
      return view;
    }),
    divisions: [
      {
        division: { id: DIVISION_ID, selfUri: `/api/v2/authorization/divisions/${DIVISION_ID}` },
        entities: [],
      },
    ],
  };
}
