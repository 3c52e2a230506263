// Conversations: agentless outbound messages, callbacks, and reading a conversation back.
import { check } from 'k6';
import { api, json } from '../api.ts';
import { ENDPOINTS } from '../core/endpoints.ts';

const AGENTLESS = ENDPOINTS.agentless;
const CALLBACKS = ENDPOINTS.callbacks;
const CONVERSATION = ENDPOINTS.conversation;

export interface AgentlessMessage {
  fromAddress: string;
  toAddress: string;
  messengerType: string;
  text: string;
}

/** Sends one agentless message; returns the conversation it started or joined. */
export function sendAgentlessMessage(m: AgentlessMessage): string | undefined {
  // Not safe to repeat after a 5xx: the customer could receive the message twice.
  const res = api(
    'POST',
    '/api/v2/conversations/messages/agentless',
    {
      fromAddress: m.fromAddress,
      toAddress: m.toAddress,
      toAddressMessengerType: m.messengerType,
      textBody: m.text,
    },
    { name: AGENTLESS },
  );
  const body = json<{ conversationId?: string }>(res);
  const ok = check(res, {
    'agentless message accepted': (r) =>
      (r.status === 200 || r.status === 202) && typeof body?.conversationId === 'string',
  });
  return ok ? body?.conversationId : undefined;
}

/** Schedules a callback to `number` in `queueId`; returns its conversation id. */
export function createCallback(queueId: string, number: string): string | undefined {
  const res = api(
    'POST',
    '/api/v2/conversations/callbacks',
    { callbackNumbers: [number], queueId, callbackUserName: 'k6 load test' },
    { name: CALLBACKS },
  );
  const body = json<{ conversation?: { id?: string } }>(res);
  const ok = check(res, {
    'callback created': (r) =>
      (r.status === 200 || r.status === 202) && typeof body?.conversation?.id === 'string',
  });
  return ok ? body?.conversation?.id : undefined;
}

export interface Conversation {
  id: string;
  startTime?: string;
  endTime?: string;
  state?: string;
  participants?: unknown[];
}

export function getConversation(id: string): Conversation | undefined {
  const res = api('GET', `/api/v2/conversations/${id}`, undefined, { name: CONVERSATION });
  const body = json<Conversation>(res);
  const ok = check(res, { 'conversation readable': (r) => r.status === 200 && body?.id === id });
  return ok ? body : undefined;
}
