// The suite's custom metrics. The names are a contract: thresholds/, lib/summary and the HTML report read them.
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

/** Share of API responses that were 429, retried or not. */
export const rateLimited = new Rate('rate_limited');
/** Attempts beyond the first, tagged with the reason. */
export const retries = new Counter('retries');
/** Time spent waiting before a retry (Retry-After or backoff). */
export const retryWait = new Trend('retry_wait', true);
/** Share of API calls whose final outcome (after retries) was not what the caller expected. */
export const finalFailures = new Rate('final_failures');
/** Calls that still had a retryable failure when their attempt or time budget ran out. */
export const retryBudgetExhausted = new Counter('retry_budget_exhausted');
/** New tokens fetched because the platform refused the current one (reason: credentials.expired, bad.credentials). */
export const tokenRefreshes = new Counter('token_refreshes');
/** Calls still refused with 401 after a fresh token, or token requests the login service refused. */
export const authFailures = new Counter('auth_failures');
/** From the end of a conversation's first request to its analytics details being readable. */
export const timeToAnalytics = new Trend('time_to_analytics', true);
/** Planned requests/s over the last limit window when a VU first saw a 429: its minimum is the sustained rate. */
export const breakpointRate = new Gauge('breakpoint_rate');
/** From the start of a conversation's create call to its customer.start event on the notification stream. */
export const eventLag = new Trend('event_lag', true);
/** Conversations whose event the stream delivered. */
export const eventsReceived = new Counter('events_received');
/** Conversations created whose event had not arrived when the test stopped waiting (tag after_outage). */
export const eventsMissed = new Counter('events_missed');
/** Stream sockets opened again after socket_closing, a drop or silence (tag reason). */
export const streamReconnects = new Counter('stream_reconnects');
/** GETs the analytics-lag polling loop would have sent to see the same changes (one per interval of lag, plus one). */
export const pollingRequestsSaved = new Counter('polling_requests_saved');
/** The stream's own Platform API calls: channel creations and subscription changes. */
export const streamRequests = new Counter('stream_requests');

// Web Messaging guests (lib/genesys/webmessaging.ts).
/** From a guest's accepted message to the bot's first reply after it. */
export const botReplyTime = new Trend('bot_reply_time', true);
/** A guest's socket from dial to close. */
export const guestSessionTime = new Trend('guest_session_time', true);
/** onMessage refused with TooManyRequestsErrorMessage (4029). */
export const guestThrottled = new Counter('guest_throttled');
/** Time a guest waited before resending a throttled message (retryAfter plus jitter). */
export const guestRetryWait = new Trend('guest_retry_wait', true);
/** Messages still throttled when their attempts or time budget ran out. */
export const guestRetryExhausted = new Counter('guest_retry_exhausted');
/** Sessions whose socket closed before the bot's goodbye (Presence Disconnect), tagged with the close code. */
export const guestSessionsWithoutGoodbye = new Counter('guest_sessions_without_goodbye');
/** Refused dials, error frames and replies that never came, tagged with the reason. */
export const guestErrors = new Counter('guest_errors');
/** onMessage requests the platform accepted (echoed back). */
export const guestMessages = new Counter('guest_messages');
/** Messages from the bot a guest received. */
export const guestReplies = new Counter('guest_replies');
