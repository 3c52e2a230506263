import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENDPOINTS } from '../core/endpoints.ts';
import { evaluate } from './bundle.ts';
import { fakePlatform } from './fake-platform.ts';
import { SUITE_METRICS } from './suite-metrics.ts';
import { BUILTIN_METRICS, expressionProblem, parseSelector, thresholdProblems } from './threshold-rules.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'thresholds');
const known = {
  ...BUILTIN_METRICS,
  ...Object.fromEntries(Object.entries(SUITE_METRICS).map(([n, m]) => [n, m.type])),
};
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
// Web Messaging guests make no Platform API call and hold no OAuth token: their gates are the bot's replies
// and the guest rate limit.
const GUEST_TESTS = ['web-messaging'];
const REST_MUSTS = [
  'http_req_duration{expected_response:true}',
  'rate_limited',
  'final_failures',
  'checks',
  'dropped_iterations',
];
const GUEST_MUSTS = ['bot_reply_time', 'guest_throttled', 'guest_retry_exhausted', 'guest_errors', 'checks'];

describe('threshold files', () => {
  it('exist for every test profile', () => {
    const tests = readdirSync(path.join(dir, '..', 'tests')).filter((f) => f.endsWith('.ts'));
    for (const t of tests) assert.ok(files.includes(t.replace(/\.ts$/, '.json')), `thresholds for ${t}`);
  });

  for (const file of files) {
    it(`${file} is valid and gates what every run must`, () => {
      const t = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown[]>;
      assert.deepEqual(thresholdProblems(t, known), []);
      const guest = GUEST_TESTS.includes(file.replace(/\.json$/, ''));
      for (const must of guest ? GUEST_MUSTS : REST_MUSTS) {
        assert.ok(t[must], `${file} gates ${must}`);
      }
      const p95 = t[guest ? 'bot_reply_time' : 'http_req_duration{expected_response:true}'].some((e) =>
        /^p\(95\)</.test(typeof e === 'string' ? e : (e as { threshold: string }).threshold),
      );
      assert.ok(p95, `${file} gates p(95) latency`);
      const aborts = Object.values(t)
        .flat()
        .filter(
          (e): e is { abortOnFail: boolean; delayAbortEval?: string } => typeof e === 'object' && e !== null,
        );
      assert.ok(
        aborts.some((a) => a.abortOnFail && a.delayAbortEval) || file === 'smoke.json',
        `${file} can stop a runaway 429 (or 4029) storm`,
      );
    });
  }
});

// k6 hands handleSummary only the sub-metrics a threshold names, so summary.md shows p95 per endpoint only
// for `http_req_duration{name:...}` entries. Which endpoints a test drives is read off the test itself:
// its setup() and one iteration run against fakePlatform, and the names its requests carried must be
// exactly the endpoints its file bounds (setup's one limits read aside: a single sample says nothing).
describe('per-endpoint latency thresholds', () => {
  const env = {
    GENESYSCLOUD_API_URL: 'http://127.0.0.1:9',
    GENESYSCLOUD_OAUTHCLIENT_ID: 'demo-client',
    GENESYSCLOUD_OAUTHCLIENT_SECRET: 'demo-secret',
  };
  const tests = readdirSync(path.join(dir, '..', 'tests')).filter((f) => f.endsWith('.ts'));
  for (const file of tests) {
    const name = file.replace(/\.ts$/, '');
    it(`${name}.json bounds p(95) of every endpoint ${name} drives, and only those`, async () => {
      const ev = await evaluate(path.join(dir, '..', 'tests', file), env);
      const platform = fakePlatform();
      ev.enterVU(platform.hooks);
      const data = (ev.exports.setup as () => unknown)();
      (ev.exports.default as (d: unknown) => void)(data);
      assert.deepEqual(platform.unknown, [], 'the fake platform answered every request');
      assert.ok(
        ev.recorded.checks.length > 0 && ev.recorded.checks.every((c) => c.ok),
        'the iteration ran through',
      );
      const driven = new Set(platform.names.filter((n) => n !== ENDPOINTS.limits));
      if (!GUEST_TESTS.includes(name)) assert.ok(driven.has(ENDPOINTS.token));

      const t = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as Record<string, unknown[]>;
      const bounded = new Map<string, unknown[]>();
      for (const [key, list] of Object.entries(t)) {
        const sel = parseSelector(key);
        if (typeof sel === 'string' || sel.metric !== 'http_req_duration') continue;
        const tag = sel.tags.find(([k]) => k === 'name');
        if (tag && sel.tags.length === 1) bounded.set(tag[1], list);
      }
      assert.deepEqual([...bounded.keys()].sort(), [...driven].sort());
      for (const [endpoint, list] of bounded) {
        assert.ok(
          list.some((e) => typeof e === 'string' && /^p\(95\)<\d+$/.test(e)),
          `${endpoint} has a p(95) bound in ms`,
        );
      }
    });
  }
});

describe('threshold rules', () => {
  it('rejects unknown metrics', () => {
    assert.deepEqual(thresholdProblems({ http_req_duraton: ['p(95)<500'] }, known), [
      'http_req_duraton: unknown metric http_req_duraton',
    ]);
  });

  it('rejects aggregations that do not fit the metric type', () => {
    assert.match(
      expressionProblem('rate>10', 'counter') ?? '',
      /rate on a Counter is per second, not a ratio/,
    );
    assert.match(expressionProblem('p(95)<1', 'rate') ?? '', /p\(95\) does not apply to a rate/);
    assert.match(expressionProblem('count<1', 'trend') ?? '', /does not apply to a trend/);
    assert.match(expressionProblem('value>1', 'counter') ?? '', /does not apply to a counter/);
    assert.equal(expressionProblem('count<5', 'counter'), undefined);
    assert.equal(expressionProblem('p(99.9) <= 2000', 'trend'), undefined);
    assert.equal(expressionProblem('rate==0', 'rate'), undefined);
    assert.equal(expressionProblem('value>=1', 'gauge'), undefined);
  });

  it('rejects bad syntax and percentiles over 100', () => {
    assert.match(expressionProblem('p95 < 500', 'trend') ?? '', /is not "aggregation operator number"/);
    assert.match(expressionProblem('avg < fast', 'trend') ?? '', /is not/);
    assert.match(expressionProblem('p(150)<1', 'trend') ?? '', /percentile is 0 to 100/);
  });

  it('rejects selectors that can never match', () => {
    const problems = thresholdProblems(
      {
        'http_reqs{status:5xx}': ['count<1'],
        'http_req_duration{vu:1}': ['p(95)<1'],
        'checks{name:POST /oauth/token}': ['rate>0.9'],
        'http_req_duration{name:POST /api/v2/conversations}': ['p(95)<1'],
        'rate_limited{scenario:lod}': ['rate<0.1'],
        'http_req_failed{expected_response:yes}': ['rate<0.1'],
        'retries{reason:429}': ['count<1'],
        'http_reqs{status:429': ['count<1'],
      },
      known,
      ['load'],
    );
    assert.deepEqual(problems, [
      'http_reqs{status:5xx}: status:5xx must be one status code such as 429 (no ranges like 5xx)',
      'http_req_duration{vu:1}: vu is not indexed: a vu selector never matches',
      'checks{name:POST /oauth/token}: checks samples carry no name tag',
      'http_req_duration{name:POST /api/v2/conversations}: name:POST /api/v2/conversations is not one of ' +
        thresholdProblems({ 'http_reqs{name:x}': ['count<1'] }, known)[0].split(' is not one of ')[1],
      'rate_limited{scenario:lod}: scenario:lod is not one of load',
      'http_req_failed{expected_response:yes}: expected_response:yes is not one of true, false',
      'retries{reason:429}: reason:429 is not one of rate_limited, bad_gateway, unavailable, gateway_timeout, network, token_expired',
      'http_reqs{status:429: a tag selector must end with }',
    ]);
  });

  it('accepts the selectors the suite emits', () => {
    const ok = {
      'http_req_duration{expected_response:true}': ['p(95)<1000'],
      'http_reqs{status:429}': ['count<10'],
      "http_req_duration{name:'POST /api/v2/textbots/botflows/sessions/{sessionId}/turns'}": ['p(95)<1000'],
      'retries{reason:rate_limited}': ['count<100'],
      'http_req_duration{attempt:1,retry_reason:none}': ['p(95)<1000'],
      'rate_limited{scenario:load}': [{ threshold: 'rate<0.1', abortOnFail: true, delayAbortEval: '10s' }],
    };
    assert.deepEqual(thresholdProblems(ok, known, ['load']), []);
  });

  it('checks the abortOnFail object form', () => {
    assert.deepEqual(
      thresholdProblems(
        { checks: [{ threshold: 'rate>0.9', abortOnFail: 'yes', delayAbortEval: 'soon', extra: 1 }] },
        known,
      ),
      [
        'checks: unknown threshold field extra',
        'checks: abortOnFail must be true or false',
        'checks: delayAbortEval "soon" is not a duration',
      ],
    );
  });

  it('parses selectors as k6 does', () => {
    assert.deepEqual(parseSelector('http_reqs{ status : "429" ,method:GET}'), {
      metric: 'http_reqs',
      tags: [
        ['status', '429'],
        ['method', 'GET'],
      ],
    });
  });
});
