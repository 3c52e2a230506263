// lib/http.ts's send() and lib/api.ts under k6 stand-ins: what goes out per attempt (tags, response
// callback), how long it sleeps, and the samples it records.
import assert from 'node:assert/strict';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { sealToken } from '../core/seal.ts';
import { evaluate, type Evaluated } from './bundle.ts';
import { ROOT } from './processes.ts';

interface FakeResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
interface Sent {
  method: string;
  url: string;
  params: {
    tags: Record<string, string>;
    responseCallback: { expectedStatuses: unknown[] };
    headers: Record<string, string>;
  };
}

const ENV = {
  GENESYSCLOUD_API_URL: 'http://127.0.0.1:9',
  GENESYSCLOUD_OAUTHCLIENT_ID: 'demo-client',
  GENESYSCLOUD_OAUTHCLIENT_SECRET: 'demo-secret',
};
const POLICY = { maxAttempts: 3, budgetMs: 60_000, baseMs: 500, capMs: 8000 };

type Send = (
  method: string,
  url: string,
  body: string | null,
  opts: Record<string, unknown>,
) => { status: number };

let ev: Evaluated;
let queue: FakeResponse[];
let sent: Sent[];
let slept: number[];

async function load(): Promise<Evaluated> {
  const e = await evaluate(
    {
      source: "export { send } from './lib/http.ts'; export { api, useTokens } from './lib/api.ts';",
      resolveDir: ROOT,
    },
    ENV,
  );
  e.enterVU({
    id: 1,
    scenarioStart: Date.now(),
    request(method, url, _body, params) {
      sent.push(JSON.parse(JSON.stringify({ method, url, params })) as Sent);
      const r = queue.shift();
      if (!r) throw new Error(`unexpected request ${method} ${url}`);
      return {
        status: r.status,
        headers: r.headers ?? {},
        body: r.body ?? '',
        json: () => JSON.parse(r.body ?? 'null'),
      };
    },
    sleep(s) {
      slept.push(s);
    },
  });
  return e;
}

const samples = (metric: string) =>
  (
    JSON.parse(JSON.stringify(ev.recorded.samples)) as Array<{
      metric: string;
      value: number;
      tags: Record<string, string>;
    }>
  ).filter((s) => s.metric === metric);
const send = (method: string, opts: Record<string, unknown> = {}) =>
  (ev.exports.send as Send)(method, 'http://127.0.0.1:9/x', null, {
    name: 'GET /x',
    policy: POLICY,
    ...opts,
  });

describe('send()', () => {
  beforeEach(async () => {
    queue = [];
    sent = [];
    slept = [];
    ev = await load();
  });

  it('waits the announced Retry-After, then succeeds; the 429 is counted but not failed', () => {
    queue.push({ status: 429, headers: { 'Retry-After': '2' } }, { status: 200 });
    assert.equal(send('GET').status, 200);
    assert.deepEqual(slept, [2]);
    assert.deepEqual(
      sent.map((s) => [s.params.tags.attempt, s.params.tags.retry_reason]),
      [
        ['1', 'none'],
        ['2', 'rate_limited'],
      ],
    );
    assert.ok(
      sent[0].params.responseCallback.expectedStatuses.includes(429),
      'a 429 that will be retried is expected',
    );
    assert.deepEqual(
      samples('rate_limited').map((s) => s.value),
      [1, 0],
    );
    assert.deepEqual(samples('retries'), [
      { metric: 'retries', value: 1, tags: { name: 'GET /x', reason: 'rate_limited' } },
    ]);
    assert.deepEqual(
      samples('retry_wait').map((s) => s.value),
      [2000],
    );
    assert.deepEqual(
      samples('final_failures').map((s) => s.value),
      [0],
    );
  });

  it('on the last allowed attempt a 429 is a failed request and the budget is exhausted', () => {
    queue.push(
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 503 },
      { status: 429, headers: { 'Retry-After': '1' } },
    );
    assert.equal(send('GET').status, 429);
    assert.equal(sent.length, 3);
    assert.ok(sent[1].params.responseCallback.expectedStatuses.includes(503));
    assert.ok(
      !sent[2].params.responseCallback.expectedStatuses.includes(429),
      'final attempt: 429 counts in http_req_failed',
    );
    assert.deepEqual(
      samples('retry_budget_exhausted').map((s) => s.tags.reason),
      ['rate_limited'],
    );
    assert.deepEqual(
      samples('final_failures').map((s) => s.value),
      [1],
    );
    assert.equal(slept.length, 2);
    assert.ok(
      slept[1] >= 0 && slept[1] < 1,
      `503 without Retry-After backs off under the 1 s ceiling (${slept[1]})`,
    );
  });

  it('never retries early: a Retry-After beyond the budget ends the call at once', () => {
    queue.push({ status: 429, headers: { 'Retry-After': '120' } });
    assert.equal(send('GET').status, 429);
    assert.deepEqual(slept, []);
    assert.equal(samples('retry_budget_exhausted').length, 1);
  });

  it('repeats an unsafe POST only after a 429', () => {
    queue.push({ status: 503 });
    assert.equal(send('POST').status, 503);
    assert.equal(sent.length, 1);
    assert.ok(!sent[0].params.responseCallback.expectedStatuses.includes(503));
    assert.ok(sent[0].params.responseCallback.expectedStatuses.includes(429));
    assert.equal(samples('retry_budget_exhausted').length, 0, 'not retryable is not exhaustion');

    queue.push({ status: 503 }, { status: 200 });
    assert.equal(send('POST', { safe: true }).status, 200);
    assert.equal(sent.length, 3);
  });

  it('retries a network error (status 0) on GET', () => {
    queue.push({ status: 0 }, { status: 200 });
    assert.equal(send('GET').status, 200);
    assert.equal(sent[1].params.tags.retry_reason, 'network');
  });

  it('treats statuses the caller expects as answers, not failures', () => {
    queue.push({ status: 404 });
    assert.equal(send('GET', { expect: [404] }).status, 404);
    assert.deepEqual(
      samples('final_failures').map((s) => s.value),
      [0],
    );
    assert.ok(sent[0].params.responseCallback.expectedStatuses.includes(404));
  });
});

const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');
/** A token as setup() hands it over: sealed under a client secret. */
const sealed = (accessToken: string, expiresInMs: number, lifetimeMs: number, secret = 'demo-secret') =>
  sealToken(
    { accessToken, expiresAt: Date.now() + expiresInMs, lifetimeMs, client: 0 },
    secret,
    'ab12',
    hmac,
  );

describe('api()', () => {
  beforeEach(async () => {
    queue = [];
    sent = [];
    slept = [];
    ev = await load();
  });

  it('sends the bearer token and refreshes once on credentials.expired', () => {
    const useTokens = ev.exports.useTokens as (t: unknown[]) => void;
    useTokens([sealed('first', 3_600_000, 3_600_000)]);
    queue.push(
      { status: 401, body: JSON.stringify({ code: 'credentials.expired', status: 401 }) },
      { status: 200, body: JSON.stringify({ access_token: 'second', expires_in: 3600 }) },
      { status: 200, body: '{}' },
    );
    const api = ev.exports.api as (m: string, p: string, b: unknown, o: unknown) => { status: number };
    assert.equal(
      api('GET', '/api/v2/conversations/abc', undefined, {
        name: 'GET /api/v2/conversations/{conversationId}',
      }).status,
      200,
    );
    assert.deepEqual(
      sent.map((s) => [s.method, s.url, s.params.headers.Authorization]),
      [
        ['GET', 'http://127.0.0.1:9/api/v2/conversations/abc', 'Bearer first'],
        ['POST', 'http://127.0.0.1:9/oauth/token', `Basic ${btoa('demo-client:demo-secret')}`],
        ['GET', 'http://127.0.0.1:9/api/v2/conversations/abc', 'Bearer second'],
      ],
    );
    assert.equal(sent[2].params.tags.retry_reason, 'token_expired');
  });

  it('fetches a fresh token before the old one expires', () => {
    const useTokens = ev.exports.useTokens as (t: unknown[]) => void;
    useTokens([sealed('old', 30_000, 86_400_000)]);
    queue.push(
      { status: 200, body: JSON.stringify({ access_token: 'new', expires_in: 86400 }) },
      { status: 200, body: '{}' },
    );
    const api = ev.exports.api as (m: string, p: string, b: unknown, o: unknown) => { status: number };
    api('GET', '/api/v2/conversations/abc', undefined, {
      name: 'GET /api/v2/conversations/{conversationId}',
    });
    assert.equal(sent[0].url, 'http://127.0.0.1:9/oauth/token', 'inside the 60 s margin: refresh first');
    assert.equal(sent[1].params.headers.Authorization, 'Bearer new');
  });

  it('refuses a token sealed under another secret with one line, and sends nothing', () => {
    const useTokens = ev.exports.useTokens as (t: unknown[]) => void;
    useTokens([sealed('first', 3_600_000, 3_600_000, 'other-secret')]);
    const api = ev.exports.api as (m: string, p: string, b: unknown, o: unknown) => { status: number };
    assert.throws(
      () =>
        api('GET', '/api/v2/conversations/abc', undefined, {
          name: 'GET /api/v2/conversations/{conversationId}',
        }),
      /the token of OAuth client 1 was sealed with another client secret than this VU has/,
    );
    assert.equal(sent.length, 0);
  });
});
