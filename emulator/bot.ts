// The scripted text bot behind every bot flow: greets, answers a few keywords, asks for an order number,
// and exits on request or after the configured number of turns.
import type { BotSession } from './state.ts';

export interface BotStep {
  text: string;
  nextActionType: 'WaitForInput' | 'Exit' | 'Disconnect';
  exitReason?: string;
  intent?: string;
}

export const GREETING = "Hi, I'm the demo bot. Ask me about opening hours, an order, or say agent.";

/** The bot's answer to one turn; `input` is the user's text for UserInput turns. */
export function botStep(
  session: BotSession,
  eventType: string,
  input: string | undefined,
  maxTurns: number,
): BotStep {
  if (eventType === 'UserDisconnect' || eventType === 'ClientSessionExpired') {
    return { text: '', nextActionType: 'Disconnect' };
  }
  if (session.turns === 0) return { text: GREETING, nextActionType: 'WaitForInput', intent: 'Welcome' };
  const step = answer(session, eventType, input);
  // The turn counter includes this one: the maxTurns-th turn closes the flow whatever was said.
  if (step.nextActionType === 'WaitForInput' && session.turns + 1 >= maxTurns) {
    return {
      text: `${step.text} That's all I can help with today. Goodbye!`.trim(),
      nextActionType: 'Exit',
      exitReason: 'MaxTurns',
      intent: step.intent,
    };
  }
  return step;
}

function answer(session: BotSession, eventType: string, input: string | undefined): BotStep {
  if (eventType === 'NoInput')
    return { text: "I didn't hear anything. How can I help?", nextActionType: 'WaitForInput' };
  if (eventType !== 'UserInput' || input === undefined) {
    return { text: "Sorry, I didn't get that. Could you rephrase?", nextActionType: 'WaitForInput' };
  }
  const text = input.toLowerCase();
  if (session.awaitingOrderNumber) {
    const digits = /\d{3,}/.exec(text);
    if (digits) {
      session.awaitingOrderNumber = false;
      return {
        text: `Order ${digits[0]} has shipped. Anything else?`,
        nextActionType: 'WaitForInput',
        intent: 'OrderStatus',
      };
    }
    return {
      text: 'What is your order number? It has at least three digits.',
      nextActionType: 'WaitForInput',
      intent: 'OrderStatus',
    };
  }
  if (/\b(bye|goodbye|no thanks|that's all)\b/.test(text)) {
    return {
      text: 'Thanks for chatting. Goodbye!',
      nextActionType: 'Exit',
      exitReason: 'Complete',
      intent: 'Goodbye',
    };
  }
  if (/\b(agent|human|person|representative)\b/.test(text)) {
    return {
      text: 'Connecting you to an agent.',
      nextActionType: 'Exit',
      exitReason: 'TransferToAgent',
      intent: 'Agent',
    };
  }
  if (/\b(hours|open|opening)\b/.test(text)) {
    return {
      text: "We're open 9am to 5pm, Monday to Friday. Anything else?",
      nextActionType: 'WaitForInput',
      intent: 'Hours',
    };
  }
  if (/\border\b/.test(text)) {
    session.awaitingOrderNumber = true;
    return {
      text: 'Sure. What is your order number?',
      nextActionType: 'WaitForInput',
      intent: 'OrderStatus',
    };
  }
  if (/\b(hi|hello|hey)\b/.test(text))
    return { text: 'Hello again! How can I help?', nextActionType: 'WaitForInput', intent: 'Welcome' };
  return { text: "Sorry, I didn't get that. Try hours, order, or agent.", nextActionType: 'WaitForInput' };
}
