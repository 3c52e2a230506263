// The WebSocket side of a run, beside the REST figures: k6's own ws_* metrics (any script using k6/ws), the
// Web Messaging guests' (tests/web-messaging) and the notifications stream's (tests/notifications). Each
// report (summary.md, the stdout text, junit.xml, report.html) shows the same rows, built once here.
import { formatDuration, formatNumber } from './format.ts';
import { trend, type TrendStat } from './insights.ts';
import type { MetricSummary, SummaryData } from './types.ts';

type WsTrend = TrendStat;

export interface WebSockets {
  /** k6/ws: connections opened, time to open one, how long they stayed, frames each way */
  sessions?: number;
  connecting?: WsTrend;
  sessionDuration?: WsTrend;
  msgsSent?: number;
  msgsReceived?: number;
  ping?: WsTrend;
  /** Web Messaging guests */
  botReplyTime?: WsTrend;
  guestSessionTime?: WsTrend;
  guestMessages?: number;
  guestReplies?: number;
  guestThrottled?: number;
  guestRetryWait?: WsTrend;
  guestRetryExhausted?: number;
  withoutGoodbye?: number;
  guestErrors?: number;
  /** notifications stream */
  eventLag?: WsTrend;
  eventsReceived?: number;
  eventsMissed?: number;
  streamReconnects?: number;
  /** GETs the analytics-lag polling loop would have sent to see the same events */
  pollsSaved?: number;
  /** what the stream spent instead: channel and subscription calls */
  streamRequests?: number;
}

const count = (m: MetricSummary | undefined) => (m?.type === 'counter' ? m.values.count : undefined);

/** undefined when the run opened no WebSocket and recorded none of the suite's WebSocket metrics. */
export function webSockets(data: SummaryData): WebSockets | undefined {
  const m = data.metrics;
  const ws: WebSockets = {
    sessions: count(m.ws_sessions),
    connecting: trend(m.ws_connecting),
    sessionDuration: trend(m.ws_session_duration),
    msgsSent: count(m.ws_msgs_sent),
    msgsReceived: count(m.ws_msgs_received),
    ping: trend(m.ws_ping),
    botReplyTime: trend(m.bot_reply_time),
    guestSessionTime: trend(m.guest_session_time),
    guestMessages: count(m.guest_messages),
    guestReplies: count(m.guest_replies),
    guestThrottled: count(m.guest_throttled),
    guestRetryWait: trend(m.guest_retry_wait),
    guestRetryExhausted: count(m.guest_retry_exhausted),
    withoutGoodbye: count(m.guest_sessions_without_goodbye),
    guestErrors: count(m.guest_errors),
    eventLag: trend(m.event_lag),
    eventsReceived: count(m.events_received),
    eventsMissed: count(m.events_missed),
    streamReconnects: count(m.stream_reconnects),
    pollsSaved: count(m.polling_requests_saved),
    streamRequests: count(m.stream_requests),
  };
  if (Object.values(ws).every((v) => v === undefined)) return undefined;
  // k6 leaves out a counter nothing was added to: in a guest or stream run that count is zero.
  if (ws.botReplyTime || ws.guestSessionTime || ws.guestMessages !== undefined) {
    ws.guestMessages ??= 0;
    ws.guestReplies ??= 0;
    ws.guestThrottled ??= 0;
    ws.guestRetryExhausted ??= 0;
    ws.withoutGoodbye ??= 0;
    ws.guestErrors ??= 0;
  }
  if (ws.eventLag || ws.eventsReceived !== undefined) {
    ws.eventsMissed ??= 0;
    ws.streamReconnects ??= 0;
    ws.pollsSaved ??= 0;
    ws.streamRequests ??= 0;
  }
  return ws;
}

const n = (v: number) => formatNumber(v);

function trendText(t: WsTrend): string {
  // k6 lists a trend's count only when summaryTrendStats asks for it.
  if (t.count === 0) return 'none';
  const parts = [`avg ${formatDuration(t.avg ?? 0)}`];
  if (t.p95 !== undefined) parts.push(`p95 ${formatDuration(t.p95)}`);
  if (t.max !== undefined) parts.push(`max ${formatDuration(t.max)}`);
  return t.count === undefined ? parts.join(' · ') : `${parts.join(' · ')} (${n(t.count)} samples)`;
}

export interface WsRow {
  /** what the row shows, for people */
  label: string;
  /** the metric it comes from */
  metric: string;
  value: string;
}

/** The rows every report shows, in one order: connections, then guests, then the stream. */
export function webSocketRows(ws: WebSockets): WsRow[] {
  const rows: WsRow[] = [];
  const add = (label: string, metric: string, value: string) => rows.push({ label, metric, value });
  if (ws.sessions !== undefined) add('WebSocket sessions', 'ws_sessions', n(ws.sessions));
  if (ws.connecting) add('Connect time', 'ws_connecting', trendText(ws.connecting));
  if (ws.sessionDuration) add('Session duration', 'ws_session_duration', trendText(ws.sessionDuration));
  if (ws.msgsSent !== undefined || ws.msgsReceived !== undefined) {
    add(
      'Frames sent / received',
      'ws_msgs_sent / ws_msgs_received',
      `${n(ws.msgsSent ?? 0)} / ${n(ws.msgsReceived ?? 0)}`,
    );
  }
  if (ws.ping && ws.ping.count !== 0) add('Ping round trip', 'ws_ping', trendText(ws.ping));
  if (ws.botReplyTime) add('Bot reply time', 'bot_reply_time', trendText(ws.botReplyTime));
  if (ws.guestSessionTime) add('Guest visit time', 'guest_session_time', trendText(ws.guestSessionTime));
  // A line may get several bot messages (the greeting, a menu), so replies can outnumber the lines.
  if (ws.guestMessages !== undefined) {
    add(
      'Guest lines accepted / bot messages',
      'guest_messages / guest_replies',
      `${n(ws.guestMessages)} / ${n(ws.guestReplies ?? 0)}`,
    );
  }
  if (ws.guestThrottled !== undefined)
    add('Throttled guest messages (4029)', 'guest_throttled', n(ws.guestThrottled));
  if (ws.guestRetryWait && ws.guestRetryWait.count !== 0) {
    add('Guest back-off wait', 'guest_retry_wait', trendText(ws.guestRetryWait));
  }
  if (ws.guestRetryExhausted !== undefined) {
    add('Guest messages given up after retries', 'guest_retry_exhausted', n(ws.guestRetryExhausted));
  }
  if (ws.withoutGoodbye !== undefined) {
    add("Sessions ended without the bot's goodbye", 'guest_sessions_without_goodbye', n(ws.withoutGoodbye));
  }
  if (ws.guestErrors !== undefined) add('Guest session errors', 'guest_errors', n(ws.guestErrors));
  if (ws.eventLag) add('Event lag (API call → stream event)', 'event_lag', trendText(ws.eventLag));
  if (ws.eventsReceived !== undefined) add('Events received', 'events_received', n(ws.eventsReceived));
  if (ws.eventsMissed !== undefined) add('Events missed', 'events_missed', n(ws.eventsMissed));
  if (ws.streamReconnects !== undefined)
    add('Stream reconnects', 'stream_reconnects', n(ws.streamReconnects));
  if (ws.pollsSaved !== undefined) {
    add('GETs the analytics-lag polling would have sent', 'polling_requests_saved', n(ws.pollsSaved));
  }
  if (ws.streamRequests !== undefined) {
    const net = ws.pollsSaved === undefined ? '' : ` (saved ${n(ws.pollsSaved - ws.streamRequests)})`;
    add('Calls the stream spent instead', 'stream_requests', `${n(ws.streamRequests)}${net}`);
  }
  return rows;
}

/** Lines for the stdout summary, one each for the sockets, the guests and the stream that the run had. */
export function webSocketLines(ws: WebSockets): string[] {
  const p95 = (t: WsTrend | undefined) =>
    t?.p95 !== undefined && t.count !== 0 ? formatDuration(t.p95) : undefined;
  const line = (label: string, parts: (string | false | undefined)[]) => {
    const kept = parts.filter((x): x is string => typeof x === 'string');
    return kept.length ? [`${label}: ${kept.join(' · ')}`] : [];
  };
  const connect = p95(ws.connecting);
  const reply = p95(ws.botReplyTime);
  const lag = p95(ws.eventLag);
  const guests = ws.guestMessages !== undefined;
  const stream = ws.eventsReceived !== undefined || ws.eventLag !== undefined;
  const saved =
    ws.pollsSaved === undefined
      ? undefined
      : `polling would have sent ${ws.pollsSaved} GETs` +
        (ws.streamRequests === undefined
          ? ''
          : `, the stream ${ws.streamRequests} calls (saved ${ws.pollsSaved - ws.streamRequests})`);
  return [
    ...line('ws', [
      ws.sessions !== undefined && `sessions ${ws.sessions}`,
      connect && `connect p95 ${connect}`,
      ws.msgsSent !== undefined && `frames ${ws.msgsSent} sent / ${ws.msgsReceived ?? 0} received`,
    ]),
    ...(guests
      ? line('guests', [
          `lines ${ws.guestMessages} · bot messages ${ws.guestReplies ?? 0}`,
          reply && `bot reply p95 ${reply}`,
          `throttled ${ws.guestThrottled ?? 0}`,
          `without goodbye ${ws.withoutGoodbye ?? 0}`,
          `errors ${ws.guestErrors ?? 0}`,
        ])
      : []),
    ...(stream
      ? line('stream', [
          `events ${ws.eventsReceived ?? 0}`,
          `missed ${ws.eventsMissed ?? 0}`,
          `reconnects ${ws.streamReconnects ?? 0}`,
          lag && `event lag p95 ${lag}`,
          saved,
        ])
      : []),
  ];
}
