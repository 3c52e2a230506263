// What answers a web messaging guest: the same scripted bot as the REST bot sessions, behind a conversation
// the REST side can read. The first message of a conversation starts the bot (its greeting, then the answer
// to that message); each reply leaves after the bot's think time, in order; an exit ends the conversation
// (a Presence Disconnect event tells the guest) except a hand-over to an agent, which queues it.
import { randomUUID } from 'node:crypto';
import { botStep, type BotStep } from '../bot.ts';
import type { EmulatorConfig, WebDeploymentSpec } from '../config.ts';
import { logNormal, seededRandom } from '../random.ts';
import type { BotSession, Conversation, OrgState } from '../state.ts';
import type { TimerQueue } from '../timers.ts';
import type { Json } from '../validate.ts';

/** Who a guest's conversation and bot session belong to: the org, not an OAuth client. */
export const GUEST_OWNER = 'webmessaging';

export interface GuestSession {
  token: string;
  deployment: WebDeploymentSpec;
  lastActive: number;
  expired: boolean;
  conv: Conversation | undefined;
  bot: BotSession | undefined;
  /** When the last scheduled reply leaves: the next one waits for it, so replies keep their order. */
  replyAt: number;
}

export type GuestInput = { kind: 'text'; text: string } | { kind: 'join' };

/** The greeting offers the dialog's keywords as quick replies, as a digital bot's menu does. */
const QUICK_REPLIES = [
  ['Opening hours', 'hours'],
  ['Order status', 'order'],
  ['Talk to an agent', 'agent'],
].map(([text, payload]) => ({ contentType: 'QuickReply', quickReply: { text, payload, action: 'Message' } }));

export class GuestDialog {
  private rand: () => number;
  private think: ((rand: () => number) => number) | null;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: OrgState,
    private readonly timers: TimerQueue,
    /** Sends one outbound body to the session's sockets. */
    private readonly send: (s: GuestSession, body: Json) => void,
  ) {
    // Its own stream (seed + 3): think times never shift the REST fault or latency draws.
    this.rand = seededRandom(config.seed + 3);
    const t = config.webMessaging.botThinkTime;
    this.think = logNormal(t.median, t.p99);
  }

  inbound(s: GuestSession, input: GuestInput, now: number): void {
    if (!s.conv || !this.state.isActive(s.conv, now)) {
      this.start(s, now);
      this.turn(s, 'NoOp', undefined, now);
      if (input.kind === 'join') return;
    } else if (input.kind === 'join') {
      return;
    }
    // After an exit (or a hand-over) the bot says no more in this conversation.
    if (s.bot && !s.bot.ended) this.turn(s, 'UserInput', input.text, now);
  }

  /** The session's conversation ends with it. */
  end(s: GuestSession, now: number): void {
    if (s.bot) s.bot.ended = true;
    if (s.conv) this.state.endConversation(s.conv, now);
  }

  private start(s: GuestSession, now: number): void {
    const flowId = s.deployment.flowId;
    const conv = this.state.createConversation(
      GUEST_OWNER,
      'message',
      [
        { id: randomUUID(), purpose: 'customer', name: 'Web messaging guest' },
        { id: randomUUID(), purpose: 'bot', name: `flow ${flowId}` },
      ],
      now,
      { endsByItself: false, direction: 'inbound', deploymentId: s.deployment.id, flowId },
    );
    const bot: BotSession = {
      id: randomUUID(),
      clientId: GUEST_OWNER,
      flowId,
      conversationId: conv.id,
      language: 'en-us',
      turns: 0,
      awaitingOrderNumber: false,
      ended: false,
    };
    this.state.sessions.set(bot.id, bot);
    s.conv = conv;
    s.bot = bot;
  }

  /** The bot decides now; what it says, and the end it leads to, happen when the reply leaves. */
  private turn(s: GuestSession, eventType: string, input: string | undefined, now: number): void {
    const bot = s.bot!;
    const conv = s.conv!;
    const greeting = bot.turns === 0;
    const step = botStep(bot, eventType, input, this.config.bot.maxTurns);
    bot.turns++;
    bot.lastTurnId = randomUUID();
    if (step.nextActionType !== 'WaitForInput') bot.ended = true;
    this.later(s, now, () => {
      if (step.text) this.send(s, outbound(step.text, greeting));
      if (step.nextActionType !== 'WaitForInput') this.exit(s, conv, step);
    });
  }

  private exit(s: GuestSession, conv: Conversation, step: BotStep): void {
    const now = Date.now();
    if (!this.state.isActive(conv, now)) return;
    conv.flowExitReason = step.exitReason ?? step.nextActionType;
    if (step.exitReason === 'TransferToAgent') {
      // No agent is emulated: the conversation waits in the queue for its configured length, then ends.
      const ends = now + this.state.scaled(this.config.conversations.durationSeconds);
      const acd: Json = { id: randomUUID(), purpose: 'acd', name: 'queue' };
      if (s.deployment.queueId !== undefined) acd.queueId = s.deployment.queueId;
      this.state.addParticipant(conv, acd, now, ends);
      return;
    }
    this.state.endConversation(conv, now);
    if (s.conv === conv) this.send(s, presence('Disconnect'));
  }

  private later(s: GuestSession, now: number, run: () => void): void {
    const due = Math.max(now, s.replyAt) + (this.think ? this.think(this.rand) : 0);
    s.replyAt = due;
    this.timers.at(due, run);
  }

  reset(): void {
    this.rand = seededRandom(this.config.seed + 3);
  }
}

function channel(now: number): Json {
  return { time: new Date(now).toISOString(), messageId: randomUUID(), type: 'Private' };
}

function outbound(text: string, withQuickReplies: boolean): Json {
  const body: Json = {
    id: randomUUID(),
    channel: channel(Date.now()),
    type: withQuickReplies ? 'Structured' : 'Text',
    text,
    direction: 'Outbound',
    originatingEntity: 'Bot',
  };
  if (withQuickReplies) body.content = QUICK_REPLIES;
  return body;
}

function presence(type: string): Json {
  return {
    id: randomUUID(),
    channel: channel(Date.now()),
    type: 'Event',
    events: [{ eventType: 'Presence', presence: { type } }],
    direction: 'Outbound',
    originatingEntity: 'Bot',
  };
}
