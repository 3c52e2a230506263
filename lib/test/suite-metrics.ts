// The custom metrics the suite promises (lib/metrics.ts); lib/summary and the HTML report read these names.
import type { MetricType } from './threshold-rules.ts';

export const SUITE_METRICS: Record<string, { type: MetricType; isTime: boolean }> = {
  rate_limited: { type: 'rate', isTime: false },
  retries: { type: 'counter', isTime: false },
  retry_wait: { type: 'trend', isTime: true },
  final_failures: { type: 'rate', isTime: false },
  retry_budget_exhausted: { type: 'counter', isTime: false },
  token_refreshes: { type: 'counter', isTime: false },
  auth_failures: { type: 'counter', isTime: false },
  time_to_analytics: { type: 'trend', isTime: true },
  breakpoint_rate: { type: 'gauge', isTime: false },
  event_lag: { type: 'trend', isTime: true },
  events_received: { type: 'counter', isTime: false },
  events_missed: { type: 'counter', isTime: false },
  stream_reconnects: { type: 'counter', isTime: false },
  polling_requests_saved: { type: 'counter', isTime: false },
  stream_requests: { type: 'counter', isTime: false },
  bot_reply_time: { type: 'trend', isTime: true },
  guest_session_time: { type: 'trend', isTime: true },
  guest_throttled: { type: 'counter', isTime: false },
  guest_retry_wait: { type: 'trend', isTime: true },
  guest_retry_exhausted: { type: 'counter', isTime: false },
  guest_sessions_without_goodbye: { type: 'counter', isTime: false },
  guest_errors: { type: 'counter', isTime: false },
  guest_messages: { type: 'counter', isTime: false },
  guest_replies: { type: 'counter', isTime: false },
};
