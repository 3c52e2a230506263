// Analytics conversation details: one conversation once the lag has passed, and async details jobs
// (QUEUED -> PENDING -> FULFILLED, or FAILED for the configured share, after the configured delay; EXPIRED once
// their results are gone) with cursor-paged results, deletable, and the date analytics holds data up to.
import { randomUUID } from 'node:crypto';
import { badRequest, invalidField, notFound } from '../errors.ts';
import type { RouteSpec } from '../router.ts';
import type { AnalyticsJob, OrgState } from '../state.ts';
import { requireBody, requireString } from '../validate.ts';

export function parseInterval(interval: string): [number, number] {
  const [a, b, extra] = interval.split('/');
  const start = Date.parse(a);
  const end = Date.parse(b ?? '');
  if (extra !== undefined || Number.isNaN(start) || Number.isNaN(end) || end < start) {
    throw invalidField('interval', 'must be "start/end" in ISO-8601 with start before end');
  }
  return [start, end];
}

type JobState = 'QUEUED' | 'PENDING' | 'FULFILLED' | 'FAILED' | 'EXPIRED';

function jobState(job: AnalyticsJob, now: number): JobState {
  if (now >= job.expiresAt) return 'EXPIRED';
  if (now >= job.fulfilledAt) return job.fails ? 'FAILED' : 'FULFILLED';
  return now < job.createdAt + (job.fulfilledAt - job.createdAt) / 2 ? 'QUEUED' : 'PENDING';
}

function findJob(state: OrgState, id: string, clientId: string): AnalyticsJob {
  const job = state.jobs.get(id);
  if (!job || job.clientId !== clientId) throw notFound(`Analytics job ${id} was not found.`);
  return job;
}

const encodeCursor = (offset: number) => Buffer.from(`o:${offset}`).toString('base64url');
function decodeCursor(cursor: string): number {
  const m = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw invalidField('cursor', 'is not a cursor this job returned');
  return Number(m[1]);
}

export const analyticsRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/api/v2/analytics/conversations/{conversationId}/details',
    permission: 'analytics:conversationDetail:view',
    body: false,
    handler({ params, state, now }) {
      const conv = state.conversations.get(params.conversationId);
      if (!conv || !state.analyticsReady(conv, now)) {
        throw notFound(`Analytics data for conversation ${params.conversationId} was not found.`);
      }
      return { status: 200, body: state.analyticsView(conv) };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/analytics/conversations/details/jobs',
    permission: 'analytics:conversationDetailJob:add',
    body: true,
    handler({ body, client, state, config, now }) {
      const b = requireBody(body);
      const [start, end] = parseInterval(requireString(b, 'interval'));
      const share = config.analytics.jobFailureShare;
      const fulfilledAt = now + state.scaled(config.analytics.jobDelaySeconds);
      const job: AnalyticsJob = {
        id: randomUUID(),
        clientId: client.id,
        createdAt: now,
        fulfilledAt,
        start,
        end,
        // No draw without a share, so configs without failures keep the stream where it was.
        fails: share > 0 && state.jobDraws() < share,
        expiresAt: fulfilledAt + state.scaled(config.analytics.jobExpirySeconds),
      };
      state.jobs.set(job.id, job);
      return { status: 202, body: { jobId: job.id } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/analytics/conversations/details/jobs/{jobId}',
    permission: 'analytics:conversationDetailJob:view',
    body: false,
    handler({ params, client, state, now }) {
      const job = findJob(state, params.jobId, client.id);
      const s = jobState(job, now);
      const body: Record<string, unknown> = {
        state: s,
        submissionDate: new Date(job.createdAt).toISOString(),
      };
      if (s === 'FULFILLED' || s === 'FAILED' || s === 'EXPIRED') {
        body.completionDate = new Date(job.fulfilledAt).toISOString();
        body.expirationDate = new Date(job.expiresAt).toISOString();
      }
      if (job.fails && s !== 'QUEUED' && s !== 'PENDING')
        body.errorMessage = 'The analytics job failed; submit it again.';
      return { status: 200, body };
    },
  },
  {
    method: 'DELETE',
    pattern: '/api/v2/analytics/conversations/details/jobs/{jobId}',
    permission: 'analytics:conversationDetailJob:view',
    body: false,
    handler({ params, client, state }) {
      state.jobs.delete(findJob(state, params.jobId, client.id).id);
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/analytics/conversations/details/jobs/availability',
    permission: 'analytics:conversationDetailJob:view',
    body: false,
    handler({ state, config, now }) {
      // Conversations that ended more than the lag ago are in analytics: its data reaches that far.
      const date = new Date(now - state.scaled(config.analytics.lagSeconds)).toISOString();
      return { status: 200, body: { dataAvailabilityDate: date } };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/analytics/conversations/details/jobs/{jobId}/results',
    permission: 'analytics:conversationDetailJob:view',
    body: false,
    handler({ params, query, client, state, config, now }) {
      const job = findJob(state, params.jobId, client.id);
      const s = jobState(job, now);
      if (s === 'EXPIRED') throw notFound(`The results of analytics job ${job.id} have expired.`);
      if (s !== 'FULFILLED') {
        throw badRequest(
          s === 'FAILED'
            ? `Analytics job ${job.id} failed.`
            : `Analytics job ${job.id} is not fulfilled yet.`,
          [{ errorCode: 'job.not.fulfilled', fieldName: 'jobId' }],
        );
      }
      const rawSize = query.get('pageSize');
      const pageSize = rawSize === null ? config.analytics.defaultPageSize : Number(rawSize);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > config.analytics.maxPageSize) {
        throw invalidField('pageSize', `must be an integer from 1 to ${config.analytics.maxPageSize}`);
      }
      const cursor = query.get('cursor');
      const offset = cursor ? decodeCursor(cursor) : 0;
      // The job holds what analytics held when it completed: a fixed set, so cursors stay valid.
      const ready = [];
      for (const conv of state.conversations.values()) {
        // A guest's conversation belongs to the org, so every client's job sees it.
        if (
          (conv.clientId === job.clientId || conv.deploymentId !== undefined) &&
          conv.startTime >= job.start &&
          conv.startTime < job.end &&
          state.analyticsReady(conv, job.fulfilledAt)
        ) {
          ready.push(conv);
        }
      }
      const page = ready.slice(offset, offset + pageSize);
      const body: Record<string, unknown> = {
        conversations: page.map((c) => state.analyticsView(c)),
        dataAvailabilityDate: new Date(job.fulfilledAt).toISOString(),
      };
      if (offset + pageSize < ready.length) body.cursor = encodeCursor(offset + pageSize);
      return { status: 200, body };
    },
  },
];
