// Analytics: conversation details polled until they land (the platform's analytics lag), and the async
// conversation details jobs (create, poll, page through results).
import { check, sleep } from 'k6';
import { api, json } from '../api.ts';
import { ENDPOINTS } from '../core/endpoints.ts';
import { timeToAnalytics } from '../metrics.ts';

const DETAILS = ENDPOINTS.analyticsDetails;
const JOBS = ENDPOINTS.detailsJobs;
const JOB = ENDPOINTS.detailsJob;
const JOB_RESULTS = ENDPOINTS.detailsJobResults;

export interface PollSettings {
  /** Seconds between polls. */
  intervalS: number;
  /** Give up after this many seconds. */
  timeoutS: number;
}

/** One read of a conversation's details: the body once analytics has it, undefined while it lags (404). */
export function conversationDetails(conversationId: string): { conversationId: string } | undefined {
  // 404 is the expected answer until the data lands: not a failure.
  const res = api('GET', `/api/v2/analytics/conversations/${conversationId}/details`, undefined, {
    name: DETAILS,
    expect: [404],
  });
  return res.status === 200 ? json<{ conversationId: string }>(res) : undefined;
}

/**
 * Polls until the details land and records time_to_analytics from `sinceMs` (epoch ms, when the
 * conversation was created or ended). Returns the lag in ms, or undefined on timeout.
 */
export function waitForAnalytics(
  conversationId: string,
  sinceMs: number,
  poll: PollSettings,
): number | undefined {
  const deadline = Date.now() + poll.timeoutS * 1000;
  for (;;) {
    const details = conversationDetails(conversationId);
    if (details) {
      const lag = Date.now() - sinceMs;
      timeToAnalytics.add(lag);
      check(details, { 'analytics details landed': (d) => d.conversationId === conversationId });
      return lag;
    }
    if (Date.now() + poll.intervalS * 1000 > deadline) {
      check(null, { 'analytics details landed': () => false });
      return undefined;
    }
    sleep(poll.intervalS);
  }
}

export type JobState = 'QUEUED' | 'PENDING' | 'FAILED' | 'CANCELLED' | 'FULFILLED' | 'EXPIRED';

/** Starts a details job over [startMs, endMs); returns its id. */
export function createDetailsJob(startMs: number, endMs: number): string | undefined {
  const interval = `${new Date(startMs).toISOString()}/${new Date(endMs).toISOString()}`;
  const res = api('POST', '/api/v2/analytics/conversations/details/jobs', { interval }, { name: JOBS });
  const body = json<{ jobId?: string }>(res);
  const ok = check(res, {
    'details job accepted': (r) => r.status === 202 && typeof body?.jobId === 'string',
  });
  return ok ? body?.jobId : undefined;
}

/** Polls a job until it leaves QUEUED/PENDING; returns the final state (or undefined on timeout). */
export function waitForJob(jobId: string, poll: PollSettings): JobState | undefined {
  const deadline = Date.now() + poll.timeoutS * 1000;
  for (;;) {
    const res = api('GET', `/api/v2/analytics/conversations/details/jobs/${jobId}`, undefined, { name: JOB });
    const state = json<{ state?: JobState }>(res)?.state;
    if (state && state !== 'QUEUED' && state !== 'PENDING') {
      check(state, { 'details job fulfilled': (s) => s === 'FULFILLED' });
      return state;
    }
    if (res.status !== 200 || Date.now() + poll.intervalS * 1000 > deadline) {
      check(null, { 'details job fulfilled': () => false });
      return undefined;
    }
    sleep(poll.intervalS);
  }
}

/** Every conversation id in a fulfilled job's results, following the cursor. */
export function jobConversationIds(jobId: string, pageSize = 100, maxPages = 50): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const q = `pageSize=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = api('GET', `/api/v2/analytics/conversations/details/jobs/${jobId}/results?${q}`, undefined, {
      name: JOB_RESULTS,
    });
    const body = json<{ conversations?: Array<{ conversationId: string }>; cursor?: string }>(res);
    if (
      !check(res, {
        'details job results readable': (r) => r.status === 200 && Array.isArray(body?.conversations),
      })
    ) {
      break;
    }
    for (const c of body?.conversations ?? []) ids.push(c.conversationId);
    cursor = body?.cursor;
    if (!cursor) break;
  }
  return ids;
}
