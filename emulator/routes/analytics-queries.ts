// Synchronous analytics queries over the conversations analytics holds (ended, and past the lag): details
// query (paged, totalHits), aggregates (one bucket over the whole interval) and a batch read by id.
import { invalidField, missingField } from '../errors.ts';
import type { RequestContext, RouteSpec } from '../router.ts';
import type { Conversation } from '../state.ts';
import { checkShape, requireBody, requireString, type Json, type Shape } from '../validate.ts';
import { parseInterval } from './analytics.ts';

/** The platform's paging of a details query: 25 a page by default, 100 at most. */
const DETAILS_PAGE_DEFAULT = 25;
const DETAILS_PAGE_MAX = 100;
/** GET /api/v2/analytics/conversations/details reads at most this many ids at once. */
const BATCH_MAX = 100;

const PAGING: Shape = { object: { pageSize: 'integer', pageNumber: 'integer' } };

/** What analytics holds of the caller's (and the org's guests') conversations that started in [start, end). */
function held({ client, state, now }: RequestContext, start: number, end: number): Conversation[] {
  const out: Conversation[] = [];
  for (const conv of state.conversations.values())
    if (
      (conv.clientId === client.id || conv.deploymentId !== undefined) &&
      conv.startTime >= start &&
      conv.startTime < end &&
      state.analyticsReady(conv, now)
    )
      out.push(conv);
  return out;
}

function paging(b: Json): { pageSize: number; pageNumber: number } {
  checkShape(b, { object: { paging: PAGING, order: 'string' } });
  const p = (b.paging ?? {}) as Json;
  const pageSize = (p.pageSize as number | undefined) ?? DETAILS_PAGE_DEFAULT;
  const pageNumber = (p.pageNumber as number | undefined) ?? 1;
  if (pageSize < 1 || pageSize > DETAILS_PAGE_MAX)
    throw invalidField('paging.pageSize', `must be from 1 to ${DETAILS_PAGE_MAX}`);
  if (pageNumber < 1) throw invalidField('paging.pageNumber', 'must be from 1');
  return { pageSize, pageNumber };
}

const duration = (c: Conversation) => (c.endTime ?? c.startTime) - c.startTime;
const has = (c: Conversation, purpose: string) => c.participants.some((p) => p.purpose === purpose);

/** The metrics an aggregate query may ask for: which conversations count, and what each measures (ms). */
const METRICS: Record<
  string,
  { counts: (c: Conversation) => boolean; measure?: (c: Conversation) => number }
> = {
  nConversations: { counts: () => true },
  tConversationDuration: { counts: () => true, measure: duration },
  nOffered: { counts: (c) => has(c, 'acd') },
  nFlow: { counts: (c) => has(c, 'bot') },
  tFlow: { counts: (c) => has(c, 'bot'), measure: duration },
};
const GROUP_BY: Record<string, (c: Conversation) => string> = {
  mediaType: (c) => c.mediaType,
  originatingDirection: (c) => c.originatingDirection,
};

function stats(convs: Conversation[], metric: string): Json | undefined {
  const m = METRICS[metric];
  const counted = convs.filter(m.counts);
  if (counted.length === 0) return undefined;
  if (!m.measure) return { count: counted.length };
  const values = counted.map(m.measure);
  return {
    max: Math.max(...values),
    min: Math.min(...values),
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
  };
}

export const analyticsQueryRoutes: RouteSpec[] = [
  {
    method: 'POST',
    pattern: '/api/v2/analytics/conversations/details/query',
    permission: 'analytics:conversationDetail:view',
    body: true,
    handler(ctx) {
      const b = requireBody(ctx.body);
      const [start, end] = parseInterval(requireString(b, 'interval'));
      const { pageSize, pageNumber } = paging(b);
      const all = held(ctx, start, end).sort((x, y) => x.startTime - y.startTime);
      if (b.order === 'desc') all.reverse();
      else if (b.order !== undefined && b.order !== 'asc') throw invalidField('order', 'must be asc or desc');
      const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
      const body: Json = { totalHits: all.length };
      // The platform leaves conversations out when the page is empty.
      if (page.length) body.conversations = page.map((c) => ctx.state.analyticsView(c));
      return { status: 200, body };
    },
  },
  {
    method: 'POST',
    pattern: '/api/v2/analytics/conversations/aggregates/query',
    permission: 'analytics:conversationAggregate:view',
    body: true,
    handler(ctx) {
      const b = requireBody(ctx.body);
      const interval = requireString(b, 'interval');
      const [start, end] = parseInterval(interval);
      checkShape(b, { object: { metrics: { array: 'string' }, groupBy: { array: 'string' } } });
      const metrics = (b.metrics ?? []) as string[];
      if (metrics.length === 0) throw missingField('metrics');
      metrics.forEach((m, i) => {
        if (!(m in METRICS))
          throw invalidField(`metrics[${i}]`, `the emulator computes ${Object.keys(METRICS).join(', ')}`);
      });
      const groupBy = (b.groupBy ?? []) as string[];
      groupBy.forEach((g, i) => {
        if (!(g in GROUP_BY))
          throw invalidField(`groupBy[${i}]`, `the emulator groups by ${Object.keys(GROUP_BY).join(', ')}`);
      });
      const groups = new Map<string, { group: Record<string, string>; convs: Conversation[] }>();
      for (const c of held(ctx, start, end)) {
        const group = Object.fromEntries(groupBy.map((g) => [g, GROUP_BY[g](c)]));
        const key = JSON.stringify(group);
        const entry = groups.get(key) ?? { group, convs: [] };
        entry.convs.push(c);
        groups.set(key, entry);
      }
      const results = [...groups.values()].map(({ group, convs }) => ({
        group,
        data: [
          {
            interval,
            metrics: metrics.flatMap((metric) => {
              const s = stats(convs, metric);
              return s ? [{ metric, stats: s }] : [];
            }),
          },
        ],
      }));
      // No data is an empty object on the platform, not an empty list.
      return { status: 200, body: results.length ? { results } : {} };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/analytics/conversations/details',
    permission: 'analytics:conversationDetail:view',
    body: false,
    handler(ctx) {
      const ids = ctx.query
        .getAll('id')
        .flatMap((v) => v.split(','))
        .filter((v) => v !== '');
      if (ids.length === 0) throw missingField('id');
      if (ids.length > BATCH_MAX) throw invalidField('id', `at most ${BATCH_MAX} ids at once`);
      // Ids analytics does not hold (yet) are left out, as on the platform.
      const conversations = ids.flatMap((id) => {
        const c = ctx.state.conversations.get(id);
        return c && ctx.state.analyticsReady(c, ctx.now) ? [ctx.state.analyticsView(c)] : [];
      });
      return { status: 200, body: { conversations } };
    },
  },
];
