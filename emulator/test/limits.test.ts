import assert from 'node:assert/strict';
import { Agent, get as httpGet } from 'node:http';
import { after, describe, it } from 'node:test';
import { admit, RateLimiter, retryAfterSeconds } from '../limits.ts';
import { api, emulator, sleep, token, tokenResponse } from './helpers.ts';

describe('RateLimiter (sliding-window log)', () => {
  it('admits exactly the limit in any window and frees a slot when the oldest admission ages out', () => {
    const l = new RateLimiter('t', 3, 1000);
    const admitted: number[] = [];
    for (let t = 0; t < 3000; t += 100) if (admit([{ limiter: l, key: 'k' }], t) === 0) admitted.push(t);
    assert.deepEqual(admitted, [0, 100, 200, 1000, 1100, 1200, 2000, 2100, 2200]);
    // No window of 1000 ms, wherever it starts, holds more than 3.
    for (const start of admitted)
      assert.ok(admitted.filter((t) => t >= start && t < start + 1000).length <= 3);
  });

  it('reports the exact wait until a slot frees', () => {
    const l = new RateLimiter('t', 2, 1000);
    l.record('k', 100);
    l.record('k', 400);
    assert.equal(l.waitMs('k', 500), 600);
    assert.equal(l.waitMs('k', 1099), 1);
    assert.equal(l.waitMs('k', 1100), 0);
    assert.equal(l.waitMs('other', 500), 0);
  });

  it('records in every limiter only when all admit, and counts throttles per limiter', () => {
    const a = new RateLimiter('a', 1, 1000);
    const b = new RateLimiter('b', 5, 1000);
    const checks = [
      { limiter: a, key: 'x' },
      { limiter: b, key: 'y' },
    ];
    assert.equal(admit(checks, 0), 0);
    assert.equal(admit(checks, 10), 990);
    assert.equal(a.admitted, 1);
    assert.equal(b.admitted, 1);
    assert.equal(a.throttled, 1);
    assert.equal(b.throttled, 0);
  });

  it('grows past its initial buffer and stays exact', () => {
    const l = new RateLimiter('t', 1000, 60_000);
    let ok = 0;
    for (let i = 0; i < 1500; i++) if (admit([{ limiter: l, key: 'k' }], i) === 0) ok++;
    assert.equal(ok, 1000);
    assert.equal(l.waitMs('k', 1500), 60_000 - 1500);
  });

  it('takes only whole limits from 1: a count it can enforce exactly', () => {
    for (const bad of [0, 0.5, 2.5, -1]) assert.throws(() => new RateLimiter('t', bad, 1000), RangeError);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    assert.equal(retryAfterSeconds(1), 1);
    assert.equal(retryAfterSeconds(1000), 1);
    assert.equal(retryAfterSeconds(1001), 2);
    assert.equal(retryAfterSeconds(41_200), 42);
  });
});

async function statusCounts(requests: Promise<{ status: number }>[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const r of await Promise.all(requests)) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return counts;
}

describe('limits under 200 concurrent clients', () => {
  it('one shared token: admits exactly token.rate.per.minute, throttles the rest', async () => {
    const emu = await emulator();
    const bearer = await token(emu.url);
    // 200 clients, 4 requests each, all in flight together: 800 demanded against 300.
    const requests = [];
    for (let c = 0; c < 200; c++) {
      for (let i = 0; i < 4; i++) requests.push(api(emu.url, 'GET', '/api/v2/conversations', bearer));
    }
    const counts = await statusCounts(requests);
    assert.deepEqual([...counts].sort(), [
      [200, 300],
      [429, 500],
    ]);
    const s = emu.stats() as any;
    assert.equal(s.limiters['token.rate.per.minute'].admitted, 300);
  });

  it('200 tokens of one client: admits exactly org.app.user.rate.per.minute', async () => {
    const emu = await emulator({
      limits: {
        'platform.api': { 'org.app.user.rate.per.minute': 450 },
        oauth: { 'token.creation.rate.per.minute': 1000 },
      },
    });
    const tokens = await Promise.all(Array.from({ length: 200 }, () => token(emu.url)));
    const requests = [];
    for (const t of tokens)
      for (let i = 0; i < 4; i++) requests.push(api(emu.url, 'GET', '/api/v2/conversations', t));
    const counts = await statusCounts(requests);
    assert.equal(counts.get(200), 450);
    assert.equal(counts.get(429), 350);
    assert.equal(counts.size, 2);
  });

  it('keeps to the limit in every window while the windows roll (time scale 60: 1 s windows)', async () => {
    const emu = await emulator({
      timeScale: 60,
      limits: { 'platform.api': { 'token.rate.per.minute': 20 } },
    });
    const bearer = await token(emu.url);
    const started = performance.now();
    const admittedAt: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (performance.now() - started < 2500) {
          const sent = performance.now();
          const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
          if (r.status === 200) admittedAt.push(sent - started);
          else assert.equal(r.status, 429);
          await sleep(20);
        }
      }),
    );
    const s = emu.stats() as any;
    assert.equal(s.limiters['token.rate.per.minute'].admitted, admittedAt.length);
    // 2.5 s of demand far over the limit spans three 1 s windows at most, and fills at least two.
    assert.ok(admittedAt.length <= 60, `admitted ${admittedAt.length}`);
    assert.ok(admittedAt.length >= 40, `admitted ${admittedAt.length}`);
  });

  it('admits everything while demand stays under the limits', async () => {
    const emu = await emulator();
    const bearer = await token(emu.url);
    const counts = await statusCounts(
      Array.from({ length: 250 }, () => api(emu.url, 'GET', '/api/v2/conversations', bearer)),
    );
    assert.deepEqual([...counts], [[200, 250]]);
  });
});

describe('the 429 response', () => {
  it('carries the normalized body, a whole-second Retry-After and the correlation id', async () => {
    const emu = await emulator({ limits: { 'platform.api': { 'token.rate.per.minute': 2 } } });
    const bearer = await token(emu.url);
    await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(r.status, 429);
    const retryAfter = r.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/);
    const seconds = Number(retryAfter);
    // A one-minute window opened a moment ago: the slot frees in just under 60 s.
    assert.ok(seconds >= 59 && seconds <= 60, `Retry-After ${seconds}`);
    const id = r.headers.get('inin-correlation-id');
    assert.ok(id);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(r.body, {
      message: `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
      code: 'too.many.requests.retry.after',
      status: 429,
      contextId: id,
      details: [],
      errors: [],
    });
  });

  it('Retry-After is honest: a request sent when it says is admitted', async () => {
    // 20x clock: the minute window lasts 3 s, so Retry-After values of 1-3 s are exercised.
    const emu = await emulator({ timeScale: 20, limits: { 'platform.api': { 'token.rate.per.minute': 4 } } });
    const bearer = await token(emu.url);
    for (let i = 0; i < 4; i++) {
      assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
      await sleep(250);
    }
    for (let round = 0; round < 2; round++) {
      const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
      assert.equal(r.status, 429);
      const seconds = Number(r.headers.get('retry-after'));
      assert.ok(seconds >= 1 && seconds <= 3, `Retry-After ${seconds}`);
      await sleep(seconds * 1000);
      assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
    }
  });

  /** GET over `agent`: with one keep-alive socket, every request rides the connection that carried the 429. */
  function getOver(agent: Agent | false, url: string, bearer: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const req = httpGet(url, { agent, headers: { authorization: `Bearer ${bearer}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
    });
  }

  it('counts early retries: requests on the connection that carried the 429, before its Retry-After', async () => {
    const emu = await emulator({ timeScale: 60, limits: { 'platform.api': { 'token.rate.per.minute': 1 } } });
    const bearer = await token(emu.url);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    after(() => agent.destroy());
    const url = `${emu.url}/api/v2/conversations`;
    assert.equal(await getOver(agent, url, bearer), 200);
    const first = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(first.status, 429);
    assert.equal(await getOver(agent, url, bearer), 429);
    assert.equal((emu.stats() as any).earlyRetries, 0, 'that connection never carried a 429');
    assert.equal(await getOver(agent, url, bearer), 429);
    assert.equal(await getOver(agent, url, bearer), 429);
    assert.equal((emu.stats() as any).earlyRetries, 2);
    await sleep(Number(first.headers.get('retry-after')) * 1000 + 50);
    assert.equal(await getOver(agent, url, bearer), 200);
    const stats = emu.stats() as any;
    assert.equal(stats.earlyRetries, 2);
    assert.equal(stats.requestsWhileWaiting, 1, 'the request whose connection had not seen the 429');
  });

  it('counts a request on another connection during the wait as requestsWhileWaiting, not an early retry', async () => {
    const emu = await emulator({ timeScale: 60, limits: { 'platform.api': { 'token.rate.per.minute': 1 } } });
    const bearer = await token(emu.url);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 429);
    // A connection of its own: it never carried the 429, as a request already in flight did not.
    assert.equal(await getOver(false, `${emu.url}/api/v2/conversations`, bearer), 429);
    const stats = emu.stats() as any;
    assert.equal(stats.requestsWhileWaiting, 1);
    assert.equal(stats.earlyRetries, 0);
  });

  it('limits token requests per client', async () => {
    const emu = await emulator({ limits: { oauth: { 'token.creation.rate.per.minute': 2 } } });
    assert.equal((await tokenResponse(emu.url)).status, 200);
    assert.equal((await tokenResponse(emu.url)).status, 200);
    const res = await tokenResponse(emu.url);
    assert.equal(res.status, 429);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(((await res.json()) as { code: string }).code, 'too.many.requests.retry.after');
  });

  it('applies per-endpoint overrides from config without touching other routes', async () => {
    const emu = await emulator({ limits: { analytics: { 'conversation.details.job.rate.per.minute': 2 } } });
    const bearer = await token(emu.url);
    const job = () =>
      api(emu.url, 'POST', '/api/v2/analytics/conversations/details/jobs', bearer, {
        interval: '2020-01-01T00:00:00Z/2030-01-01T00:00:00Z',
      });
    assert.equal((await job()).status, 202);
    assert.equal((await job()).status, 202);
    assert.equal((await job()).status, 429);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
    assert.equal((emu.stats() as any).limiters['conversation.details.job.rate.per.minute'].throttled, 1);
  });

  it('enforces exactly the limits the limits endpoint reports, built-in and endpointLimits alike', async () => {
    const calls = 'POST /api/v2/conversations/calls';
    const emu = await emulator({
      limits: {
        analytics: { 'conversation.details.job.rate.per.minute': 1 },
        textbots: { 'calls.rate.per.minute': 3 },
      },
      // Arrays replace: this list does not drop the built-in analytics job limit.
      endpointLimits: [{ route: calls, namespace: 'textbots', key: 'calls.rate.per.minute' }],
    });
    const bearer = await token(emu.url);
    const reported = async (ns: string) =>
      Object.fromEntries(
        (
          await api(emu.url, 'GET', `/api/v2/organizations/limits/namespaces/${ns}`, bearer)
        ).body.entities.map((e: { key: string; value: number }) => [e.key, e.value]),
      );
    assert.deepEqual(await reported('textbots'), { 'calls.rate.per.minute': 3 });
    assert.deepEqual(await reported('analytics'), { 'conversation.details.job.rate.per.minute': 1 });
    const call = () =>
      api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, { phoneNumber: '+15550100' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await call()).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const job = () =>
      api(emu.url, 'POST', '/api/v2/analytics/conversations/details/jobs', bearer, {
        interval: '2020-01-01T00:00:00Z/2030-01-01T00:00:00Z',
      });
    assert.equal((await job()).status, 202);
    assert.equal((await job()).status, 429);
    const limiters = (emu.stats() as any).limiters;
    assert.deepEqual(limiters['calls.rate.per.minute'], { limit: 3, admitted: 3, throttled: 1 });
    assert.equal(limiters['conversation.details.job.rate.per.minute'].limit, 1);
  });

  it('reset clears limiter windows and stats', async () => {
    const emu = await emulator({ limits: { 'platform.api': { 'token.rate.per.minute': 1 } } });
    const bearer = await token(emu.url);
    await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 429);
    const reset = await api(emu.url, 'POST', '/__emulator/reset', null);
    assert.equal(reset.status, 200);
    assert.equal((emu.stats() as any).requests.total, 0);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
  });
});
