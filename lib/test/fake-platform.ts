// The smallest Platform API that lets every test's setup() and one iteration run to the end under the k6
// stand-ins of bundle.ts: one happy answer per endpoint, in the shapes lib/genesys reads. It records the
// `name` tag of every request, which is what a threshold selects per endpoint. Its notification stream
// runs a socket's timers back to back and sends each newly subscribed topic one event.
import type { VUHooks } from './bundle.ts';
import { fakeGuestSocket } from './fake-guest.ts';

interface Answer {
  status: number;
  body: unknown;
}

type Route = [string, RegExp, (path: string, body: unknown) => Answer];

function routes(stream: { conversations: number; topics: string[] }): Route[] {
  const subscribed = (_p: string, b: unknown): Answer => {
    for (const t of b as Array<{ id: string }>) stream.topics.push(t.id);
    return { status: 200, body: { entities: b } };
  };
  return [
    ...ROUTES,
    [
      'POST',
      /^\/api\/v2\/conversations\/messages\/agentless$/,
      () => ({ status: 202, body: { conversationId: `c-${++stream.conversations}` } }),
    ],
    [
      'POST',
      /^\/api\/v2\/notifications\/channels$/,
      () => ({ status: 200, body: { id: 'ch-1', connectUri: 'ws://fake.invalid/channels/ch-1' } }),
    ],
    ['POST', /^\/api\/v2\/notifications\/channels\/[^/]+\/subscriptions$/, subscribed],
    ['PUT', /^\/api\/v2\/notifications\/channels\/[^/]+\/subscriptions$/, subscribed],
  ];
}

const ROUTES: Route[] = [
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

interface FakeSocket {
  on(event: string, fn: (arg?: unknown) => void): void;
  send(text: string): void;
  close(code?: number): void;
  setInterval(fn: () => void, ms: number): void;
  setTimeout(fn: () => void, ms: number): void;
}

/** ws.connect: the session's timers run in order of their due times, without waiting for them. */
function fakeConnect(stream: { topics: string[] }, fn: (socket: FakeSocket) => void): unknown {
  const handlers: Record<string, Array<(arg?: unknown) => void>> = {};
  const timers: Array<{ fn: () => void; every?: number; due: number }> = [];
  let closed = false;
  let delivered = stream.topics.length;
  let clock = 0;
  const fire = (event: string, arg?: unknown) => (handlers[event] ?? []).forEach((h) => h(arg));
  const socket: FakeSocket = {
    on: (event, h) => void (handlers[event] ??= []).push(h),
    send: () => {},
    close: (code = 1001) => {
      if (closed) return;
      closed = true;
      fire('close', code);
    },
    setInterval: (f, ms) => void timers.push({ fn: f, every: ms, due: ms }),
    setTimeout: (f, ms) => void timers.push({ fn: f, due: ms }),
  };
  fn(socket);
  fire('open');
  for (let step = 0; !closed; step++) {
    if (step > 100_000 || timers.length === 0) throw new Error('fake socket: the session never closed');
    for (; delivered < stream.topics.length && !closed; delivered++) {
      const topicName = stream.topics[delivered];
      const conversationId = topicName.split('.')[4];
      fire('message', JSON.stringify({ topicName, version: '2', eventBody: { conversationId } }));
    }
    if (closed) break;
    timers.sort((a, b) => a.due - b.due);
    const t = timers[0];
    clock = t.due;
    if (t.every) t.due = clock + t.every;
    else timers.shift();
    t.fn();
  }
  return { status: 101, url: '', headers: {}, body: '', error: '' };
}

export function fakePlatform(vuId = 1): FakePlatform {
  const names: string[] = [];
  const unknown: string[] = [];
  const stream = { conversations: 0, topics: [] as string[] };
  const table = routes(stream);
  const guest = fakeGuestSocket();
  const hooks: VUHooks = {
    id: vuId,
    scenarioStart: Date.now(),
    request(method, url, body, params) {
      const tags = (params.tags ?? {}) as Record<string, string>;
      names.push(tags.name);
      const path = new URL(url).pathname;
      const route = table.find(([m, re]) => m === method && re.test(path));
      if (!route) unknown.push(`${method} ${path}`);
      let parsed: unknown = {};
      if (typeof body === 'string' && /^[{[]/.test(body)) parsed = JSON.parse(body);
      const answer = route ? route[2](path, parsed) : { status: 404, body: {} };
      const text = JSON.stringify(answer.body);
      return { status: answer.status, headers: {}, body: text, json: () => JSON.parse(text) };
    },
    sleep() {},
    // Guests dial the Web Messaging host; every other socket is the notification channel's connectUri.
    connect: (url, params, fn) =>
      /\/v1\?deploymentId=/.test(url)
        ? guest.connect(url, params, fn as (socket: unknown) => void)
        : fakeConnect(stream, fn as (socket: FakeSocket) => void),
  };
  return { hooks, names, unknown };
}
