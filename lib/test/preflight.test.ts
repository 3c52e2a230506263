import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_LIMITS, limitsFromResponse } from '../core/limits.ts';
import { averageRate, constantPlan, peakRate, planDurationS, rateAt, type RatePlan } from '../core/plan.ts';
import { preflight } from '../core/preflight.ts';

const near = (actual: number, expected: number, tol = 0.2) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

describe('rate plans', () => {
  it('interpolates linearly between stage targets, like ramping-arrival-rate', () => {
    const plan: RatePlan = {
      startRate: 1,
      stages: [
        { durationS: 10, target: 3 },
        { durationS: 10, target: 3 },
        { durationS: 0, target: 9 },
        { durationS: 10, target: 0 },
      ],
      requestsPerIteration: 4,
    };
    assert.equal(rateAt(plan, 0), 1);
    assert.equal(rateAt(plan, 5), 2);
    assert.equal(rateAt(plan, 15), 3);
    assert.equal(rateAt(plan, 25), 4.5, 'a zero-length stage jumps');
    assert.equal(rateAt(plan, 31), 0, 'nothing after the end');
    assert.equal(planDurationS(plan), 30);
    assert.equal(peakRate(plan), 9);
  });
});

describe('preflight', () => {
  it('says when a constant plan crosses the per-token limit', () => {
    // 10 requests/s against 300/min: the trailing minute holds 300 after 30 s.
    const r = preflight({ plan: constantPlan(1, 60, 10), limits: DEFAULT_LIMITS, clients: 1 });
    assert.equal(r.crossings.length, 1);
    assert.equal(r.crossings[0].key, 'token.rate.per.minute');
    assert.equal(r.crossings[0].scope, 'token');
    near(r.crossings[0].atS, 30);
    near(r.peakPerToken, 600, 1);
    assert.match(
      r.line,
      /^pre-flight: plan crosses token\.rate\.per\.minute=300 per token \(documented default\) 30s into the run/,
    );
  });

  it('splits the load over several OAuth clients', () => {
    const r = preflight({ plan: constantPlan(1, 60, 9), limits: DEFAULT_LIMITS, clients: 2 });
    assert.deepEqual(r.crossings, []);
    near(r.peakPerToken, 270, 1);
    assert.match(
      r.line,
      /270 requests\/min per token .*90% of token\.rate\.per\.minute=300 .*no limit crossed$/,
    );
  });

  it('counts the per-client limit across instances, the per-token limit per instance', () => {
    const limits = { ...DEFAULT_LIMITS, orgAppPerMinute: 500, source: 'org' as const };
    const r = preflight({ plan: constantPlan(1, 60, 10), limits, clients: 1, instances: 4 });
    assert.equal(r.crossings.length, 1, 'four tokens carry 150/min each');
    assert.equal(r.crossings[0].key, 'org.app.user.rate.per.minute');
    assert.equal(r.crossings[0].scope, 'client');
    near(r.crossings[0].atS, 50);
    assert.match(r.line, /\(from the org\)/);
  });

  it('finds the crossing on a ramp', () => {
    // r(t) = t/3 requests/s, so the first minute holds t²/6: 300 at √1800 ≈ 42.4 s.
    const plan: RatePlan = { startRate: 0, stages: [{ durationS: 60, target: 4 }], requestsPerIteration: 5 };
    const r = preflight({ plan, limits: DEFAULT_LIMITS, clients: 1 });
    near(r.crossings[0].atS, Math.sqrt(1800));
  });

  it('uses the stricter of the two token limits', () => {
    const limits = { ...DEFAULT_LIMITS, clientCredentialsTokenPerMinute: 120 };
    const r = preflight({ plan: constantPlan(1, 60, 3), limits, clients: 1 });
    assert.equal(r.crossings[0].key, 'client.credentials.token.rate.per.minute');
    near(r.crossings[0].atS, 40);
  });

  it('measures windows in the emulator time scale', () => {
    const ok = preflight({ plan: constantPlan(1, 60, 10), limits: DEFAULT_LIMITS, clients: 1, windowS: 6 });
    assert.deepEqual(ok.crossings, [], '60 requests per 6 s window');
    assert.match(ok.line, /a minute is 6s here/);
    const over = preflight({
      plan: constantPlan(10, 60, 10),
      limits: DEFAULT_LIMITS,
      clients: 1,
      windowS: 6,
    });
    near(over.crossings[0].atS, 3);
  });
});

describe('limitsFromResponse', () => {
  it('reads the emulator/platform entity list', () => {
    const body = {
      namespace: 'platform.api',
      entities: [
        { key: 'token.rate.per.minute', value: 600, namespace: 'platform.api' },
        { key: 'org.app.user.rate.per.minute', value: 2000 },
        { key: 'request.bytes.max', value: 512000 },
      ],
    };
    assert.deepEqual(limitsFromResponse(body), {
      tokenPerMinute: 600,
      clientCredentialsTokenPerMinute: 300,
      orgAppPerMinute: 2000,
      source: 'org',
    });
  });

  it('reads a flat map too', () => {
    assert.equal(limitsFromResponse({ 'token.rate.per.minute': 120 }).tokenPerMinute, 120);
  });

  it('keeps the defaults when nothing usable is there', () => {
    assert.deepEqual(
      limitsFromResponse({ entities: [{ key: 'token.rate.per.minute', value: 'x' }] }),
      DEFAULT_LIMITS,
    );
    assert.deepEqual(limitsFromResponse(null), DEFAULT_LIMITS);
  });
});

describe('averageRate', () => {
  it('averages the plan over a window, counting time before the start as idle', () => {
    const plan: RatePlan = { startRate: 0, stages: [{ durationS: 60, target: 6 }], requestsPerIteration: 1 };
    near(averageRate(plan, 0, 60), 3, 0.01);
    near(averageRate(plan, -60, 0), 0, 0.01);
    near(averageRate(plan, -30, 30), 0.75, 0.01);
    assert.equal(averageRate(constantPlan(2, 10, 1), 4, 4), 2);
  });
});
