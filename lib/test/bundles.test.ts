// Every tests/*.ts builds, and its options pass (init code with __VU = 0) yields valid k6 options:
// scenarios, thresholds against the metrics that exist, the cloud block; secrets never reach the options.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { evaluate, type Evaluated } from './bundle.ts';
import { ensureBuilt } from './processes.ts';
import { scenarioProblems } from './scenario-rules.ts';
import { SUITE_METRICS } from './suite-metrics.ts';
import { BUILTIN_METRICS, thresholdProblems, type MetricType } from './threshold-rules.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tests = readdirSync(path.join(root, 'tests'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
const SECRET = 'bundle-test-secret-9f3a';
const ENV = {
  GENESYSCLOUD_API_URL: 'http://127.0.0.1:8089',
  GENESYSCLOUD_OAUTHCLIENT_ID: 'demo-client',
  GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
};
const ALLOWED_MODULES = ['k6', 'k6/crypto', 'k6/encoding', 'k6/execution', 'k6/http', 'k6/metrics', 'k6/ws'];

const entry = (t: string) => path.join(root, 'tests', `${t}.ts`);

describe('k6 bundles', () => {
  before(() => {
    ensureBuilt();
  });

  it('there is one per runnable test', () => {
    assert.deepEqual([...tests].sort(), [
      'analytics-lag',
      'bot-conversation',
      'breakpoint',
      'load',
      'notifications',
      'smoke',
      'soak',
      'spike',
      'stress',
      'web-messaging',
    ]);
  });

  for (const t of tests) {
    describe(t, () => {
      let ev: Evaluated;
      before(async () => {
        ev = await evaluate(entry(t), ENV);
      });

      it('builds to build/tests with only k6 modules left external, nothing v0.49 lacks', () => {
        const code = readFileSync(path.join(root, 'build', 'tests', `${t}.js`), 'utf8');
        const imports = [...code.matchAll(/^import\s.*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
        for (const m of imports) assert.ok(ALLOWED_MODULES.includes(m), `${t} imports ${m}`);
        assert.doesNotMatch(
          code,
          /(?<![.\w])setTimeout\s*\(|(?<![.\w])setInterval\s*\(|k6\/timers|k6\/experimental|require\(|node:/,
        );
        assert.doesNotMatch(code, /demo-secret/);
        // Runtime methods newer than the goja in k6 v0.49 (esbuild lowers syntax, not library calls).
        assert.doesNotMatch(
          code,
          /\.matchAll\(|\.replaceAll\(|structuredClone|Object\.hasOwn\(|\.findLast\(|\.toSorted\(/,
        );
      });

      it('exports options, setup, the default function and handleSummary', () => {
        assert.deepEqual(
          ev.modules.filter((m) => !ALLOWED_MODULES.includes(m)),
          [],
        );
        assert.equal(typeof ev.exports.default, 'function');
        assert.equal(typeof ev.exports.setup, 'function');
        assert.equal(typeof ev.exports.handleSummary, 'function');
        assert.equal(typeof ev.exports.options, 'object');
      });

      it('declares the suite metrics with the promised types', () => {
        for (const [name, want] of Object.entries(SUITE_METRICS)) {
          const got = ev.metrics.filter((m) => m.name === name);
          assert.equal(got.length, 1, `${name} declared once`);
          assert.equal(got[0].type, want.type, name);
          assert.equal(got[0].isTime, want.isTime, name);
        }
      });

      it('has valid scenarios and thresholds', () => {
        const options = ev.options as Record<string, unknown>;
        const scenarios = options.scenarios as Record<string, Record<string, unknown>>;
        assert.ok(Object.keys(scenarios).length > 0);
        for (const [name, s] of Object.entries(scenarios)) assert.deepEqual(scenarioProblems(name, s), []);
        const metrics: Record<string, MetricType> = { ...BUILTIN_METRICS };
        for (const m of ev.metrics) metrics[m.name] = m.type;
        assert.deepEqual(thresholdProblems(options.thresholds, metrics, Object.keys(scenarios)), []);
        assert.deepEqual(
          options.thresholds,
          JSON.parse(readFileSync(path.join(root, 'thresholds', `${t}.json`), 'utf8')),
        );
      });

      it('carries the cloud block in the form each k6 reads, and no secret', async () => {
        // k6 up to v0.50 reads ext.loadimpact (and warns about an unknown `cloud`); v0.51+ has global
        // timers and reads `cloud` (v2.0 dropped ext.loadimpact).
        const legacy = ev.options as { cloud?: unknown; ext?: { loadimpact?: unknown } };
        assert.deepEqual(legacy.ext, { loadimpact: { name: `genesys-cloud ${t}` } });
        assert.equal(legacy.cloud, undefined);
        const modern = (await evaluate(entry(t), ENV, { setTimeout })).options;
        assert.deepEqual(modern.cloud, { name: `genesys-cloud ${t}` });
        assert.equal(modern.ext, undefined);
        assert.doesNotMatch(JSON.stringify(ev.options), new RegExp(SECRET));
      });

      it('init reads nothing secret or org-specific: it passes with an empty environment', async () => {
        const bare = await evaluate(entry(t), {});
        assert.deepEqual(bare.options, ev.options);
      });
    });
  }

  it('takes the cloud project and load zones from the environment', async () => {
    const ev = await evaluate(
      entry('load'),
      {
        ...ENV,
        K6_CLOUD_PROJECT_ID: '123456',
        K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:50,amazon:ie:dublin:50',
      },
      { setTimeout },
    );
    assert.deepEqual((ev.options as { cloud: unknown }).cloud, {
      name: 'genesys-cloud load',
      projectID: 123456,
      distribution: {
        ashburn: { loadZone: 'amazon:us:ashburn', percent: 50 },
        dublin: { loadZone: 'amazon:ie:dublin', percent: 50 },
      },
    });
  });

  it('RATE, DURATION and VUS reach the scenario', async () => {
    const ev = await evaluate(entry('load'), { ...ENV, RATE: '3', DURATION: '2m', VUS: '9' });
    assert.deepEqual((ev.options as { scenarios: unknown }).scenarios, {
      load: {
        executor: 'constant-arrival-rate',
        rate: 180,
        timeUnit: '1m',
        duration: '2m',
        preAllocatedVUs: 9,
        maxVUs: 9,
      },
    });
  });

  it('stops init with one line when the load shape is bad, never echoing the secret', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ RATE: 'lots' }, /^RATE must be a number >= 0\.001, got "lots"$/],
      [{ ...ENV, TIME_SCALE: '0' }, /^TIME_SCALE must be a number >= 0\.001, got "0"$/],
      [{ OAUTH_CLIENTS: '1.5' }, /^OAUTH_CLIENTS must be an integer >= 1, got "1\.5"$/],
      [
        { K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn:70' },
        /^K6_CLOUD_DISTRIBUTION percents must add up to 100, got 70$/,
      ],
    ];
    for (const [env, want] of cases) {
      await assert.rejects(evaluate(entry('load'), env), (err: Error) => {
        assert.match(err.message, want);
        assert.doesNotMatch(err.message, /\n/);
        assert.doesNotMatch(err.message, new RegExp(SECRET));
        return true;
      });
    }
  });

  it('stops setup() with test.abort() before any request, one line, when the target is missing or bad', async () => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['load', {}, /^test aborted: GENESYSCLOUD_REGION is not set: give one of us-east-1, /],
      [
        'load',
        {
          GENESYSCLOUD_REGION: 'mars-1',
          GENESYSCLOUD_OAUTHCLIENT_ID: 'x',
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
        },
        /^test aborted: GENESYSCLOUD_REGION "mars-1" is not a region; valid: us-east-1, /,
      ],
      [
        'load',
        { GENESYSCLOUD_REGION: 'eu-west-1', GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET },
        /^test aborted: GENESYSCLOUD_OAUTHCLIENT_ID is not set/,
      ],
      [
        'smoke',
        {
          GENESYSCLOUD_REGION: 'eu-west-1',
          GENESYSCLOUD_OAUTHCLIENT_ID: 'x',
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
        },
        /^test aborted: BOT_FLOW_ID is not set/,
      ],
      [
        'analytics-lag',
        {
          GENESYSCLOUD_REGION: 'eu-west-1',
          GENESYSCLOUD_OAUTHCLIENT_ID: 'x',
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
          BOT_FLOW_ID: 'f',
        },
        /^test aborted: analytics-lag sends agentless messages: set MESSAGING_FROM_ADDRESS/,
      ],
      [
        'notifications',
        {
          GENESYSCLOUD_REGION: 'eu-west-1',
          GENESYSCLOUD_OAUTHCLIENT_ID: 'x',
          GENESYSCLOUD_OAUTHCLIENT_SECRET: SECRET,
          BOT_FLOW_ID: 'f',
        },
        /^test aborted: notifications sends agentless messages: set MESSAGING_FROM_ADDRESS/,
      ],
      ['web-messaging', {}, /^test aborted: GENESYSCLOUD_REGION is not set: give one of us-east-1, /],
      // Guests need no OAuth client, only the deployment.
      ['web-messaging', { GENESYSCLOUD_REGION: 'eu-west-1' }, /^test aborted: DEPLOYMENT_ID is not set/],
    ];
    for (const [t, env, want] of cases) {
      const ev = await evaluate(entry(t), env);
      const requests: string[] = [];
      ev.enterVU({
        id: 0,
        scenarioStart: Date.now(),
        request: (method, url) => {
          requests.push(`${method} ${url}`);
          throw new Error('no request may leave before the settings are checked');
        },
        sleep: () => {},
      });
      assert.throws(
        () => (ev.exports.setup as () => unknown)(),
        (err: Error) => {
          assert.match(err.message, want);
          assert.doesNotMatch(err.message, /\n/);
          assert.doesNotMatch(err.message, new RegExp(SECRET));
          return true;
        },
        t,
      );
      assert.deepEqual(requests, [], t);
    }
  });
});
