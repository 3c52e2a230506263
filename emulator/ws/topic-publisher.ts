// Turns conversation changes into topic events, each published `eventLagSeconds` (emulated) after its change.
// A conversation that ends by itself has no request to end it, so its end is watched for on the timer queue.
import { conversationEvents, type TopicEvent } from '../conversation-events.ts';
import type { EmulatorConfig } from '../config.ts';
import type { TimerQueue } from '../timers.ts';
import type { Conversation, ConversationChange, OrgState } from '../state.ts';
import type { Json } from '../validate.ts';

export class TopicPublisher {
  /** The participants each conversation had at its last change, to tell who joined since. */
  private seen = new WeakMap<Conversation, readonly Json[]>();
  private ended = new WeakSet<Conversation>();
  published = 0;

  constructor(
    private readonly config: EmulatorConfig,
    private readonly state: OrgState,
    private readonly timers: TimerQueue,
    private readonly deliver: (events: TopicEvent[]) => void,
  ) {}

  conversation(conv: Conversation, change: ConversationChange, now: number): void {
    if (change === 'end') return this.end(conv, now);
    const before = this.seen.get(conv) ?? [];
    const joined = conv.participants.filter((p) => !before.includes(p));
    this.seen.set(conv, conv.participants);
    this.emit(conv, change, joined, now);
    if (conv.endTime !== undefined) this.watchEnd(conv, conv.endTime);
  }

  private end(conv: Conversation, at: number): void {
    if (this.ended.has(conv)) return;
    this.ended.add(conv);
    this.emit(conv, 'end', [], at);
  }

  /** A later change may move the end: only the watch for the current end time acts. */
  private watchEnd(conv: Conversation, at: number): void {
    this.timers.at(at, () => {
      if (conv.endTime === at) this.end(conv, at);
    });
  }

  private emit(conv: Conversation, change: ConversationChange, joined: readonly Json[], at: number): void {
    const events = conversationEvents(conv, change, joined, at);
    if (events.length === 0) return;
    this.published += events.length;
    this.timers.at(at + this.state.scaled(this.config.notifications.eventLagSeconds), () =>
      this.deliver(events),
    );
  }

  reset(): void {
    this.published = 0;
  }
}
