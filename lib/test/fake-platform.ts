// The smallest Platform API that lets every test's setup() and one iteration run to the end under the k6
// stand-ins of bundle.ts: one happy answer per endpoint, in the shapes lib/genesys reads. It records the
// `name` tag of every request, which is what a threshold selects per endpoint.
import type { VUHooks } from './bundle.ts';
import { fakeGuestSocket } from './fake-guest.ts';

interface Answer {
  status: number;
  body: unknown;
}

const ROUTES: Array<[string, RegExp, (path: string, body: Record<string, unknown>) => Answer]> = [
  [
    'POST',
    /^\/oauth\/token$/,
    () => ({ status: 200, body: { access_token: 'fake-token', expires_in: 86_400 } }),
  ],
  ['GET', /^\/api\/v2\/organizations\/limits\/namespaces\/[^/]+$/, () => ({ status: 404, body: {} })],
  ['POST', /^\/api\/v2\/textbots\/botflows\/sessions$/, () => ({ status: 200, body: { id: 'session-1' } })],
  [
    'POST',
    /^\/api\/v2\/textbots\/botflows\/sessions\/[^/]+\/turns$/,
    (_p, b) => ({
      status: 200,
      // The bot waits for input until the user says goodbye.
      body: {
        id: `turn-${Math.random()}`,
        nextActionType: /bye/i.test(JSON.stringify(b)) ? 'Exit' : 'WaitForInput',
      },
    }),
  ],
  [
    'POST',
    /^\/api\/v2\/conversations\/messages\/agentless$/,
    () => ({ status: 202, body: { conversationId: 'c-1' } }),
  ],
  [
    'POST',
    /^\/api\/v2\/conversations\/callbacks$/,
    () => ({ status: 202, body: { conversation: { id: 'c-2' } } }),
  ],
  ['GET', /^\/api\/v2\/conversations\/[^/]+$/, (p) => ({ status: 200, body: { id: p.split('/').pop() } })],
  [
    'GET',
    /^\/api\/v2\/analytics\/conversations\/[^/]+\/details$/,
    (p) => ({ status: 200, body: { conversationId: p.split('/')[5] } }),
  ],
  [
    'POST',
    /^\/api\/v2\/analytics\/conversations\/details\/jobs$/,
    () => ({ status: 202, body: { jobId: 'job-1' } }),
  ],
  [
    'GET',
    /^\/api\/v2\/analytics\/conversations\/details\/jobs\/[^/]+$/,
    () => ({ status: 200, body: { state: 'FULFILLED' } }),
  ],
  [
    'GET',
    /^\/api\/v2\/analytics\/conversations\/details\/jobs\/[^/]+\/results$/,
    () => ({ status: 200, body: { conversations: [{ conversationId: 'c-1' }] } }),
  ],
];

export interface FakePlatform {
  hooks: VUHooks;
  /** The `name` tag of every request, in order. */
  names: string[];
  /** Requests no route answered (a test would then stop early and drive less than it should). */
  unknown: string[];
}

export function fakePlatform(vuId = 1): FakePlatform {
  const names: string[] = [];
  const unknown: string[] = [];
  const hooks: VUHooks = {
    id: vuId,
    scenarioStart: Date.now(),
    request(method, url, body, params) {
      const tags = (params.tags ?? {}) as Record<string, string>;
      names.push(tags.name);
      const path = new URL(url).pathname;
      const route = ROUTES.find(([m, re]) => m === method && re.test(path));
      if (!route) unknown.push(`${method} ${path}`);
      let parsed: Record<string, unknown> = {};
      if (typeof body === 'string' && body.startsWith('{'))
        parsed = JSON.parse(body) as Record<string, unknown>;
      const answer = route ? route[2](path, parsed) : { status: 404, body: {} };
      const text = JSON.stringify(answer.body);
      return { status: answer.status, headers: {}, body: text, json: () => JSON.parse(text) };
    },
    sleep() {},
    connect: fakeGuestSocket().connect,
  };
  return { hooks, names, unknown };
}
