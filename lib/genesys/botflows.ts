// Text bot flow sessions (textbots:botFlowSession:execute): start a session, then exchange turns until the
// bot exits or disconnects.
import { check, sleep } from 'k6';
import { ENDPOINTS } from '../core/endpoints.ts';
import { uuid } from '../core/ids.ts';
import { api, json, settings } from '../api.ts';

const SESSIONS = ENDPOINTS.botSessions;
const TURNS = ENDPOINTS.botTurns;

export type NextAction = 'NoOp' | 'Disconnect' | 'WaitForInput' | 'Exit';

export interface Turn {
  id: string;
  nextActionType: NextAction;
  prompts?: { textPrompts?: { segments?: Array<{ text: string; type: string }> } };
  nextActionExit?: { reason?: string; activeIntent?: string };
}

export interface SessionOptions {
  flowId?: string;
  channel?: 'Chat' | 'Call' | 'Messaging';
  conversationId?: string;
  variables?: Record<string, unknown>;
  language?: string;
}

/** Starts a bot flow session; undefined when the platform refused it. */
export function createBotSession(opts: SessionOptions = {}): string | undefined {
  const res = api(
    'POST',
    '/api/v2/textbots/botflows/sessions',
    {
      flow: { id: opts.flowId ?? settings.botFlowId },
      externalSessionId: uuid(),
      channel: {
        name: opts.channel ?? 'Messaging',
        inputModes: ['Text'],
        outputModes: ['Text'],
        userAgent: { name: 'k6-load-test' },
      },
      conversationId: opts.conversationId,
      inputData: opts.variables ? { variables: opts.variables } : undefined,
      language: opts.language,
    },
    // A 5xx may have started a session; a retried create leaves at most an idle one behind.
    { name: SESSIONS, safe: true },
  );
  const body = json<{ id?: string }>(res);
  const ok = check(res, { 'bot session created': (r) => r.status === 200 && typeof body?.id === 'string' });
  return ok ? body?.id : undefined;
}

/** One turn. `text` undefined sends NoOp (what starts the flow); otherwise the user's words. */
export function sendTurn(
  sessionId: string,
  previousTurnId: string | undefined,
  text?: string,
): Turn | undefined {
  const body: Record<string, unknown> = {
    inputEventType: text === undefined ? 'NoOp' : 'UserInput',
  };
  if (previousTurnId) body.previousTurn = { id: previousTurnId };
  if (text !== undefined) {
    body.inputEventUserInput = { mode: 'Text', alternatives: [{ transcript: { text, confidence: 1 } }] };
  }
  // Not marked safe: a turn carried out twice would advance the dialog twice.
  const res = api('POST', `/api/v2/textbots/botflows/sessions/${sessionId}/turns`, body, { name: TURNS });
  const turn = json<Turn>(res);
  const ok = check(res, {
    'bot turn answered': (r) =>
      r.status === 200 && typeof turn?.id === 'string' && typeof turn?.nextActionType === 'string',
  });
  return ok ? turn : undefined;
}

export interface BotConversation {
  sessionId?: string;
  /** Turns the bot answered, the opening NoOp included. */
  turns: number;
  /** How it ended: the bot's last action, or "failed" when a request did. */
  outcome: NextAction | 'failed';
  exitReason?: string;
}

/**
 * A whole conversation: session, opening NoOp, then one user line per turn until the bot exits or
 * disconnects. If the lines run out while the bot still waits, the user hangs up (UserDisconnect is not
 * sent: the session simply idles out, as a real abandoned chat does).
 */
export function botConversation(
  lines: string[],
  opts: SessionOptions & { thinkTimeS?: number } = {},
): BotConversation {
  const sessionId = createBotSession(opts);
  if (!sessionId) return { turns: 0, outcome: 'failed' };
  let turn = sendTurn(sessionId, undefined);
  let turns = turn ? 1 : 0;
  for (const line of lines) {
    if (!turn || turn.nextActionType !== 'WaitForInput') break;
    if (opts.thinkTimeS) sleep(opts.thinkTimeS);
    turn = sendTurn(sessionId, turn.id, line);
    if (turn) turns++;
  }
  if (!turn) return { sessionId, turns, outcome: 'failed' };
  return { sessionId, turns, outcome: turn.nextActionType, exitReason: turn.nextActionExit?.reason };
}

/** What the load tests say to the bot: hours, then goodbye. Two user turns, four requests in all. */
export const SHORT_DIALOG = ['What are your opening hours?', 'No thanks, bye'];
/** The journey test: hours, an order lookup, goodbye. */
export const ORDER_DIALOG = ['What are your opening hours?', 'Where is my order?', 'It is 12345', 'bye'];
