// The suite against the real emulator through the Node runner: smoke is green, and a 429 burst is waited
// out for exactly the announced Retry-After, counted in rate_limited and not in final_failures.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { emulatorEnv, ensureBuilt, runRunner, startEmulator } from './processes.ts';

type Export = { metrics: Record<string, Record<string, number>> };

let dir = '';
before(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'suite-e2e-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('suite against the emulator', { timeout: 120_000 }, () => {
  it('smoke runs green', async () => {
    const emulator = await startEmulator(['--time-scale', '10']);
    try {
      const exportFile = path.join(dir, 'smoke.json');
      const r = await runRunner(
        ['--summary-export', exportFile, 'build/tests/smoke.js'],
        emulatorEnv(emulator, { TIME_SCALE: '10', REPORT_DIR: dir }),
      );
      assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      assert.match(r.stderr, /pre-flight: plan peaks at \d+ requests/);
      const m = (JSON.parse(readFileSync(exportFile, 'utf8')) as Export).metrics;
      assert.equal(m.checks.fails, 0);
      assert.ok(m.checks.passes >= 8, `every helper checked (${m.checks.passes} checks)`);
      assert.equal(m.final_failures.passes, 0);
      assert.ok(m.final_failures.fails >= 10, 'every call counted');
      const stats = await emulator.stats();
      for (const route of [
        'POST /api/v2/textbots/botflows/sessions',
        'POST /api/v2/conversations/messages/agentless',
        'POST /api/v2/conversations/callbacks',
        'GET /api/v2/conversations/{conversationId}',
        'POST /api/v2/analytics/conversations/details/jobs',
      ]) {
        assert.ok(
          stats.requests.byRoute[route]?.['200'] || stats.requests.byRoute[route]?.['202'],
          `${route} answered`,
        );
      }
      // The secret never shows in anything the run printed.
      assert.doesNotMatch(r.stdout + r.stderr, /demo-secret/);
    } finally {
      await emulator.stop();
    }
  });

  it('retries a 429 burst after the announced Retry-After, outside final_failures and http_req_failed', async () => {
    // 6 requests per token per window, a window of 1 s (time scale 60), 5-second tokens: one VU chatting
    // without pause bursts past the limit every second and outlives its first token.
    const config = path.join(dir, 'burst.json');
    writeFileSync(
      config,
      JSON.stringify({
        limits: { 'platform.api': { 'token.rate.per.minute': 6 } },
        clients: [
          { id: 'demo-client', secret: 'demo-secret', tokenLifetimeSeconds: 300, permissions: ['*'] },
        ],
      }),
    );
    const emulator = await startEmulator(['--time-scale', '60', '--config', config]);
    try {
      const exportFile = path.join(dir, 'burst-export.json');
      const r = await runRunner(
        ['--summary-export', exportFile, 'build/tests/bot-conversation.js'],
        emulatorEnv(emulator, {
          TIME_SCALE: '60',
          VUS: '1',
          THINK_TIME: '0',
          DURATION: '8s',
          REPORT_DIR: dir,
        }),
      );
      // The profile's own gate (rate_limited < 1 %) fails, as it should for a burst: exit 99, not an error.
      assert.equal(r.code, 99, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
      assert.match(
        r.stderr,
        /pre-flight: plan crosses token\.rate\.per\.minute=6 per token \(from the org\)/,
      );
      const m = (JSON.parse(readFileSync(exportFile, 'utf8')) as Export).metrics;
      const stats = await emulator.stats();
      const throttled = Object.values(stats.requests.byRoute).reduce((n, s) => n + (s['429'] ?? 0), 0);

      assert.ok(throttled >= 3, `the burst was throttled (${throttled} 429s)`);
      assert.equal(m.rate_limited.passes, throttled, 'every 429 is in rate_limited');
      assert.equal(m.retries.count, throttled, 'every 429 was retried');
      assert.equal(m.final_failures.passes, 0, 'no call failed in the end');
      assert.equal(m.http_req_failed.passes, 0, 'retried 429s are not failed requests');
      assert.equal(m.checks.fails, 0);
      assert.ok(m.retry_wait.min >= 1000, `waits follow Retry-After (>= 1 s), min was ${m.retry_wait.min}`);
      assert.equal(stats.earlyRetries, 0, 'no request came back before its Retry-After');
      assert.ok(stats.tokens.issued >= 2, 'the VU refreshed its 5-second token');
      assert.equal(
        Object.values(stats.requests.byRoute).reduce((n, s) => n + (s['401'] ?? 0), 0),
        0,
        'refreshed before expiry, never used an expired token',
      );
    } finally {
      await emulator.stop();
    }
  });

  it('STRICT_LIMITS=1 stops a plan that would cross a limit before any load', async () => {
    const emulator = await startEmulator();
    try {
      const r = await runRunner(
        ['build/tests/load.js'],
        emulatorEnv(emulator, { STRICT_LIMITS: '1', RATE: '5', DURATION: '20s', REPORT_DIR: dir }),
      );
      assert.equal(r.code, 108, r.stderr);
      // 20 requests/s: the trailing minute passes 300 after 15 s; 10 s would have stayed under.
      assert.match(
        r.stderr,
        /plan crosses token\.rate\.per\.minute=300 per token \(from the org\) 15s into the run/,
      );
      assert.match(r.stderr, /STRICT_LIMITS=1 and the plan crosses token\.rate\.per\.minute/);
      const stats = await emulator.stats();
      assert.equal(
        stats.requests.byRoute['POST /api/v2/textbots/botflows/sessions'],
        undefined,
        'no load was sent',
      );
    } finally {
      await emulator.stop();
    }
  });

  it('a bad setting stops setup() with one line naming it (test.abort, exit 108), never echoing the secret', async () => {
    const r = await runRunner(['build/tests/load.js'], {
      GENESYSCLOUD_REGION: 'mars-1',
      GENESYSCLOUD_OAUTHCLIENT_ID: 'x',
      GENESYSCLOUD_OAUTHCLIENT_SECRET: 'e2e-secret-77',
      GENESYSCLOUD_API_URL: '',
    });
    assert.equal(r.code, 108);
    assert.match(r.stderr, /GENESYSCLOUD_REGION \\?"mars-1\\?" is not a region; valid: us-east-1, /);
    assert.doesNotMatch(r.stdout + r.stderr, /e2e-secret-77/);
  });
});
