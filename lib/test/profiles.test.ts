import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cloudOptions } from '../core/cloud.ts';
import { formatSeconds, parseDuration } from '../core/duration.ts';
import { planDurationS, rateAt } from '../core/plan.ts';
import {
  analyticsPoll,
  guestThinkTime,
  limitIterationRate,
  profileFor,
  TESTS,
  type ProfileContext,
} from '../core/profiles.ts';

const ctx: ProfileContext = {
  tokenLimitPerMinute: 300,
  timeScale: 1,
  tokens: 1,
  targetUtilization: 0.97,
  requestsPerIteration: 4,
};

describe('durations', () => {
  it('parses k6 durations', () => {
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('2d3h'), 183_600_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1500'), 1500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('5 m'), undefined);
  });

  it('formats whole seconds the way k6 reads them', () => {
    assert.equal(formatSeconds(45), '45s');
    assert.equal(formatSeconds(90), '1m30s');
    assert.equal(formatSeconds(3600), '1h');
    assert.equal(formatSeconds(0), '0s');
  });
});

describe('profiles', () => {
  it('aims the load test at 97 % of the per-token limit, in whole conversations per minute', () => {
    assert.equal(limitIterationRate(ctx), 1.25);
    const p = profileFor('load', {}, ctx);
    assert.deepEqual(p.scenarios.load, {
      executor: 'constant-arrival-rate',
      rate: 72,
      timeUnit: '1m',
      duration: '1m',
      preAllocatedVUs: 5,
      maxVUs: 5,
    });
    // 72 conversations × 4 requests = 288 of 300 per minute.
    assert.equal(rateAt(p.plan, 30) * 60 * p.plan.requestsPerIteration, 288);
  });

  it('scales the default rate with clients and the emulator time scale', () => {
    const p = profileFor('load', {}, { ...ctx, tokens: 2, timeScale: 10 });
    assert.equal(p.scenarios.load.rate, 1455);
  });

  it('lets RATE, DURATION and VUS override', () => {
    const p = profileFor('load', { RATE: '2', DURATION: '5m', VUS: '7' }, ctx);
    assert.equal(p.scenarios.load.rate, 120);
    assert.equal(p.scenarios.load.duration, '5m');
    assert.equal(p.scenarios.load.maxVUs, 7);
    assert.equal(planDurationS(p.plan), 300);
  });

  it('ramps stress past the limit and holds', () => {
    const p = profileFor('stress', {}, ctx);
    const s = p.scenarios.stress as Record<string, unknown>;
    assert.equal(s.executor, 'ramping-arrival-rate');
    assert.equal(s.startRate, 18);
    assert.deepEqual(s.stages, [
      { duration: '45s', target: 150 },
      { duration: '15s', target: 150 },
    ]);
  });

  it('puts a short burst in the spike test', () => {
    const p = profileFor('spike', {}, ctx);
    const stages = (p.scenarios.spike as unknown as { stages: Array<{ target: number }> }).stages;
    assert.equal(Math.max(...stages.map((s) => s.target)), 300);
    assert.equal(stages[stages.length - 1].target, 22);
    assert.equal(planDurationS(p.plan), 60);
  });

  it('runs the closed-model tests on VUs', () => {
    assert.deepEqual(profileFor('smoke', {}, ctx).scenarios.smoke, {
      executor: 'per-vu-iterations',
      vus: 1,
      iterations: 1,
      maxDuration: '2m',
    });
    assert.equal(profileFor('bot-conversation', { VUS: '4' }, ctx).scenarios.bot_conversation.vus, 4);
  });

  it('holds 200 web messaging guests for 2m at a human pace by default', () => {
    const p = profileFor('web-messaging', {}, ctx);
    assert.deepEqual(p.scenarios, { web_messaging: { executor: 'constant-vus', vus: 200, duration: '2m' } });
    assert.match(p.describe, /^200 web messaging guests .* 2m, ~3s think time$/);
    const short = profileFor('web-messaging', { VUS: '10', DURATION: '10s', THINK_TIME: '0' }, ctx);
    assert.deepEqual(short.scenarios.web_messaging, { executor: 'constant-vus', vus: 10, duration: '10s' });
    assert.throws(
      () => profileFor('web-messaging', { VUS: '6000' }, ctx),
      /^ConfigError: VUS needs 6000 VUs, above MAX_VUS=5000/,
    );
  });

  it('scales the default guest think time with the platform clock, never a THINK_TIME given', () => {
    assert.equal(guestThinkTime({}, 1), 3);
    assert.equal(guestThinkTime({}, 4), 0.75);
    assert.equal(guestThinkTime({ THINK_TIME: '2' }, 4), 2);
    assert.throws(() => guestThinkTime({ THINK_TIME: '-1' }, 1), /THINK_TIME must be a number >= 0/);
  });

  it('shrinks analytics polling with the time scale', () => {
    assert.deepEqual(analyticsPoll({}, 1), { intervalS: 5, timeoutS: 300 });
    assert.deepEqual(analyticsPoll({}, 20), { intervalS: 0.25, timeoutS: 15 });
  });

  it('rejects a bad knob with one line', () => {
    assert.throws(() => profileFor('load', { RATE: '-1' }, ctx), {
      message: 'RATE must be a number >= 0.001, got "-1"',
    });
    assert.throws(
      () => profileFor('stress', { DURATION: 'long' }, ctx),
      /^ConfigError: DURATION must be a duration/,
    );
  });

  it('knows every test', () => {
    for (const t of TESTS) assert.ok(Object.keys(profileFor(t, {}, ctx).scenarios).length === 1, t);
  });
});

describe('cloud options', () => {
  it('carries the name, and the project only when set', () => {
    assert.deepEqual(cloudOptions({}, 'genesys-cloud load'), { name: 'genesys-cloud load' });
    assert.deepEqual(cloudOptions({ K6_CLOUD_PROJECT_ID: '3712' }, 'x'), { name: 'x', projectID: 3712 });
    assert.throws(
      () => cloudOptions({ K6_CLOUD_PROJECT_ID: 'abc' }, 'x'),
      /K6_CLOUD_PROJECT_ID must be a number/,
    );
  });

  it('turns K6_CLOUD_DISTRIBUTION into load zones', () => {
    const c = cloudOptions({ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:50,amazon:ie:dublin:50' }, 'x');
    assert.deepEqual(c.distribution, {
      ashburn: { loadZone: 'amazon:us:ashburn', percent: 50 },
      dublin: { loadZone: 'amazon:ie:dublin', percent: 50 },
    });
    assert.throws(
      () => cloudOptions({ K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:60,amazon:ie:dublin:50' }, 'x'),
      /add up to 100, got 110/,
    );
    assert.throws(() => cloudOptions({ K6_CLOUD_DISTRIBUTION: 'ashburn' }, 'x'), /must be loadZone:percent/);
  });
});
