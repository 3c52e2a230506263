// Text bot flow sessions and turns (textbots:botFlowSession:execute).
import { randomUUID } from 'node:crypto';
import { botStep } from '../bot.ts';
import { badRequest, invalidField, missingField, notFound } from '../errors.ts';
import type { RouteSpec } from '../router.ts';
import { requireFlow } from './lookups.ts';
import type { BotSession } from '../state.ts';
import {
  asText,
  at,
  isObject,
  optionalObject,
  optionalString,
  requireArray,
  requireBody,
  requireString,
} from '../validate.ts';

const PERMISSION = 'textbots:botFlowSession:execute';
const CHANNELS = ['Chat', 'Call', 'Messaging'] as const;
const INPUT_EVENTS = [
  'NoOp',
  'UserInput',
  'RichMediaInput',
  'Error',
  'NoMatch',
  'NoInput',
  'UserDisconnect',
  'ClientSessionExpired',
] as const;

export const textbotRoutes: RouteSpec[] = [
  {
    method: 'POST',
    pattern: '/api/v2/textbots/botflows/sessions',
    permission: PERMISSION,
    body: true,
    handler({ body, client, state, config, now }) {
      const b = requireBody(body);
      const flowId = requireString(b, 'flow.id');
      requireFlow(config, flowId, 'flow.id');
      requireString(b, 'externalSessionId');
      const channel = requireString(b, 'channel.name', CHANNELS);
      requireArray(b, 'channel.inputModes');
      requireArray(b, 'channel.outputModes');
      requireString(b, 'channel.userAgent.name');
      optionalObject(b, 'inputData');
      const language = optionalString(b, 'language') ?? 'en-us';
      const requested = optionalString(b, 'conversationId');
      const conv =
        (requested && state.conversations.get(requested)) ||
        state.createConversation(
          client.id,
          channel === 'Call' ? 'call' : channel === 'Chat' ? 'chat' : 'message',
          [
            {
              id: randomUUID(),
              purpose: 'customer',
              name: asText(at(b, 'channel.userAgent.name'), 'guest'),
            },
            { id: randomUUID(), purpose: 'bot', name: `flow ${flowId}` },
          ],
          now,
          { endsByItself: false, direction: 'inbound', id: requested, flowId },
        );
      const conversationId = conv.id;
      const session: BotSession = {
        id: randomUUID(),
        clientId: client.id,
        flowId,
        conversationId,
        language,
        turns: 0,
        awaitingOrderNumber: false,
        ended: false,
      };
      state.sessions.set(session.id, session);
      return { status: 200, body: { id: session.id } };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/textbots/botflows/sessions/{sessionId}/turns',
    permission: PERMISSION,
    body: true,
    handler({ body, params, state, config, now }) {
      const session = state.sessions.get(params.sessionId);
      if (!session) throw notFound(`Bot flow session ${params.sessionId} was not found.`);
      const b = requireBody(body);
      const eventType = requireString(b, 'inputEventType', INPUT_EVENTS);
      const previous = optionalString(b, 'previousTurn.id');
      if (session.ended)
        throw badRequest('The bot flow session has ended.', [
          { errorCode: 'session.ended', fieldName: 'sessionId' },
        ]);
      if (session.lastTurnId && previous !== session.lastTurnId) {
        if (previous === undefined) throw missingField('previousTurn.id');
        throw invalidField('previousTurn.id', 'is not the last turn of this session');
      }
      let input: string | undefined;
      if (eventType === 'UserInput') {
        requireString(b, 'inputEventUserInput.mode');
        const alternatives = requireArray(b, 'inputEventUserInput.alternatives');
        const first = alternatives[0];
        if (!isObject(first)) throw missingField('inputEventUserInput.alternatives[0].transcript.text');
        input = requireString(first, 'transcript.text');
      }
      const step = botStep(session, eventType, input, config.bot.maxTurns);
      const turnId = randomUUID();
      const reply: Record<string, unknown> = {
        id: turnId,
        previousTurn: session.lastTurnId ? { id: session.lastTurnId } : undefined,
        prompts: {
          outputLanguage: session.language,
          textPrompts: { segments: step.text ? [{ text: step.text, type: 'Text' }] : [] },
        },
        nextActionType: step.nextActionType,
      };
      if (step.nextActionType === 'WaitForInput') {
        reply.nextActionWaitForInput = {
          modeConstraints: { text: { languagePreferences: [session.language] } },
        };
      } else if (step.nextActionType === 'Exit') {
        reply.nextActionExit = {
          reason: step.exitReason,
          activeIntent: step.intent,
          outputData: { variables: { turns: { type: 'Integer', value: session.turns + 1 } } },
        };
      } else {
        reply.nextActionDisconnect = { reason: eventType };
      }
      session.turns++;
      session.lastTurnId = turnId;
      if (step.nextActionType !== 'WaitForInput') {
        session.ended = true;
        const conv = state.conversations.get(session.conversationId);
        if (conv) {
          conv.flowExitReason = step.exitReason ?? step.nextActionType;
          state.endConversation(conv, now);
        }
      }
      return { status: 200, body: reply };
    },
  },
];
