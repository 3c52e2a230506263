// What the Conversations and Analytics APIs answer about one conversation, in the SDK's models: Conversation
// (each participant with its communications in the list of its media type), MessageConversation, and the
// analytics AnalyticsConversationWithoutAttributes.
import { randomUUID } from 'node:crypto';
import type { Conversation, MediaType } from './state.ts';
import type { Json } from './validate.ts';

export const DIVISION_ID = '00000000-0000-4000-8000-000000000001';

/** The Participant list each media type's communications go in. */
export const MEDIA_LIST: Record<MediaType, string> = {
  message: 'messages',
  call: 'calls',
  callback: 'callbacks',
  chat: 'chats',
};

const communicationIds = new WeakMap<Json, string>();

/** A participant's one communication has an id of its own, stable for the participant's life. */
export function communicationId(p: Json): string {
  let id = communicationIds.get(p);
  if (!id) communicationIds.set(p, (id = randomUUID()));
  return id;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** When a participant left: its own disconnect, else the conversation's end; undefined while connected. */
export function participantEnd(conv: Conversation, p: Json, active: boolean): number | undefined {
  const own = conv.participantEnds?.[p.id as string];
  if (own !== undefined) return own;
  return active ? undefined : conv.endTime;
}

const divisions = () => [
  {
    division: { id: DIVISION_ID, selfUri: `/api/v2/authorization/divisions/${DIVISION_ID}` },
    entities: [],
  },
];

export function conversationView(conv: Conversation, now: number, active: boolean): Json {
  const view: Json = {
    id: conv.id,
    startTime: iso(conv.startTime),
    participants: conv.participants.map((p) => {
      const end = participantEnd(conv, p, active);
      const state = end === undefined ? 'connected' : 'disconnected';
      const part: Json = { ...p, startTime: iso(conv.startTime), connectedTime: iso(conv.startTime) };
      const communication: Json = {
        id: communicationId(p),
        state,
        direction: conv.originatingDirection,
        connectedTime: iso(conv.startTime),
      };
      if (end !== undefined) {
        part.endTime = iso(end);
        communication.disconnectedTime = iso(end);
      }
      part[MEDIA_LIST[conv.mediaType]] = [communication];
      return part;
    }),
    state: active ? 'connected' : 'disconnected',
    divisions: divisions(),
    selfUri: `/api/v2/conversations/${conv.id}`,
  };
  if (!active && conv.endTime !== undefined) view.endTime = iso(conv.endTime);
  return view;
}

/** GET /api/v2/conversations/messages/{id}: the messages each participant sent, by id. */
export function messageConversationView(conv: Conversation, active: boolean): Json {
  const sent = new Map<string, { id: string; timestamp: number }[]>();
  for (const m of conv.messages ?? []) {
    const list = sent.get(m.participantId) ?? [];
    list.push(m);
    sent.set(m.participantId, list);
  }
  return {
    id: conv.id,
    participants: conv.participants.map((p) => {
      const end = participantEnd(conv, p, active);
      const part: Json = {
        id: p.id,
        startTime: iso(conv.startTime),
        connectedTime: iso(conv.startTime),
        purpose: p.purpose,
        state: end === undefined ? 'connected' : 'disconnected',
        direction: conv.originatingDirection,
        held: false,
        messages: (sent.get(p.id as string) ?? []).map((m) => ({
          messageId: m.id,
          messageURI: `/api/v2/conversations/messages/${conv.id}/messages/${m.id}`,
          messageStatus: 'sent',
          messageTime: iso(m.timestamp),
        })),
      };
      if (typeof p.name === 'string') part.name = p.name;
      if (typeof p.address === 'string') part.address = p.address;
      if (typeof p.queueId === 'string') part.queue = { id: p.queueId };
      if (end !== undefined) part.endTime = iso(end);
      return part;
    }),
    divisions: divisions(),
    selfUri: `/api/v2/conversations/messages/${conv.id}`,
  };
}

export function analyticsView(conv: Conversation): Json {
  const view: Json = {
    conversationId: conv.id,
    conversationStart: iso(conv.startTime),
    originatingDirection: conv.originatingDirection,
    divisionIds: [DIVISION_ID],
    participants: conv.participants.map((p) => ({
      participantId: p.id,
      purpose: p.purpose,
      sessions: [{ mediaType: conv.mediaType, direction: conv.originatingDirection }],
    })),
  };
  if (conv.endTime !== undefined) view.conversationEnd = iso(conv.endTime);
  return view;
}
