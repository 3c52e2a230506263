// The org's queues and flows, as configured: listed the way the platform pages them, and the ids a request
// may name. An unknown id in a path is a 404, in a body a 400 invalid.value, as on the platform.
import { ApiError, invalidField, notFound } from '../errors.ts';
import type { EmulatorConfig } from '../config.ts';
import type { RouteSpec } from '../router.ts';
import { DIVISION_ID } from '../state.ts';

export function requireQueue(config: EmulatorConfig, id: string | undefined, fieldName: string): void {
  if (id !== undefined && !config.queues.some((q) => q.id === id))
    throw invalidField(fieldName, `queue ${id} does not exist`);
}

export function requireFlow(config: EmulatorConfig, id: string, fieldName: string): void {
  if (!config.flows.some((f) => f.id === id)) throw invalidField(fieldName, `flow ${id} does not exist`);
}

const division = { id: DIVISION_ID, name: 'Home', selfUri: `/api/v2/authorization/divisions/${DIVISION_ID}` };

function whole(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  const n = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw invalidField(name, `must be a whole number from 1 to ${max}`);
  return n;
}

/** `name` as the platform matches it: case-insensitive, `*` for any run of characters. */
function nameMatcher(pattern: string | null): (name: string) => boolean {
  if (pattern === null || pattern === '') return () => true;
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return (name) => re.test(name);
}

/** One page of `all` with the SDK's EntityListing paging fields. */
function page<T>(all: T[], query: URLSearchParams, path: string, maxPageSize: number) {
  const pageSize = whole(query, 'pageSize', 25, maxPageSize);
  const pageNumber = whole(query, 'pageNumber', 1, Number.MAX_SAFE_INTEGER);
  const pageCount = Math.max(1, Math.ceil(all.length / pageSize));
  const uri = (n: number) => `${path}?pageSize=${pageSize}&pageNumber=${n}`;
  const body: Record<string, unknown> = {
    entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total: all.length,
    pageCount,
    firstUri: uri(1),
    lastUri: uri(pageCount),
    selfUri: uri(pageNumber),
  };
  if (pageNumber < pageCount) body.nextUri = uri(pageNumber + 1);
  if (pageNumber > 1) body.previousUri = uri(pageNumber - 1);
  return body;
}

const queueView = (q: EmulatorConfig['queues'][number]) => ({
  id: q.id,
  name: q.name ?? q.id,
  division,
  memberCount: 0,
  userMemberCount: 0,
  joinedMemberCount: 0,
  selfUri: `/api/v2/routing/queues/${q.id}`,
});

const flowView = (f: EmulatorConfig['flows'][number]) => ({
  id: f.id,
  name: f.name ?? f.id,
  division,
  // Architect names types in lower case in queries and in upper case in flows.
  type: f.type.toUpperCase(),
  active: true,
  system: false,
  deleted: false,
  selfUri: `/api/v2/flows/${f.id}`,
});

export const lookupRoutes: RouteSpec[] = [
  {
    method: 'GET',
    pattern: '/api/v2/routing/queues',
    permission: 'routing:queue:view',
    body: false,
    handler({ query, config }) {
      const name = nameMatcher(query.get('name'));
      const ids = query.getAll('id').flatMap((v) => v.split(','));
      const queues = config.queues.filter(
        (q) => name(q.name ?? q.id) && (ids.length === 0 || ids.includes(q.id)),
      );
      return { status: 200, body: page(queues.map(queueView), query, '/api/v2/routing/queues', 500) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/routing/queues/{queueId}',
    permission: 'routing:queue:view',
    body: false,
    handler({ params, config }) {
      const q = config.queues.find((x) => x.id === params.queueId);
      if (!q) throw notFound(`Queue ${params.queueId} was not found.`);
      return { status: 200, body: queueView(q) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/flows',
    permission: 'architect:flow:view',
    body: false,
    handler({ query, config }) {
      const types = query.getAll('type').flatMap((v) => v.split(',').map((t) => t.toLowerCase()));
      const ids = query.getAll('id').flatMap((v) => v.split(','));
      const name = nameMatcher(query.get('name'));
      const flows = config.flows.filter(
        (f) =>
          (types.length === 0 || types.includes(f.type.toLowerCase())) &&
          (ids.length === 0 || ids.includes(f.id)) &&
          name(f.name ?? f.id),
      );
      return { status: 200, body: page(flows.map(flowView), query, '/api/v2/flows', 100) };
    },
  },
  {
    method: 'GET',
    pattern: '/api/v2/users/me',
    permission: null,
    body: false,
    handler() {
      // Every emulated token is a client-credentials token: there is no user behind it.
      throw new ApiError(
        400,
        'bad.request',
        'This request requires a user context. Client credentials cannot be used for requests to this resource.',
      );
    },
  },
];
