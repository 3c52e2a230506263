// Authentication trouble in a real run, on the runner and on each real k6: a revoked token is replaced and
// the run goes on; a client the login service stops accepting ends the run early with one line, instead of
// hours of 401s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { realK6s } from '../../tools/test/real-k6.ts';
import { runOnEngine, RUNNER, type Engine, type EngineRun } from '../../tools/test/engines.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'auth-e2e-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const engines: Engine[] = [RUNNER, ...realK6s().binaries.map((k6) => ({ name: k6.version, k6 }))];
const metric = (r: EngineRun, name: string) => r.summary?.data.metrics[name]?.values ?? {};
const show = (r: EngineRun) => `${r.engine}: exit ${r.code}\n${r.stderr.slice(-2500)}`;

describe('authentication failures in a run', { timeout: 10 * 60_000 }, () => {
  for (const engine of engines) {
    const name = engine.k6 ? `k6 ${engine.k6.version}` : 'the runner';

    it(`${name}: revoked tokens are replaced and every call still ends well`, async () => {
      // One bot turn in ten revokes the token that sent it, as a secret rotation on the platform would.
      const config = path.join(dir, 'revoke.json');
      writeFileSync(
        config,
        JSON.stringify({
          faults: {
            routes: { 'POST /api/v2/textbots/botflows/sessions/{sessionId}/turns': { revokeToken: 0.1 } },
          },
        }),
      );
      const r = await runOnEngine(
        engine,
        'load',
        { TIME_SCALE: '4', DURATION: '6s' },
        {
          emulatorArgs: ['--time-scale', '4', '--config', config],
        },
      );
      assert.equal(r.code, 0, show(r));
      assert.ok(r.stats.tokens.revoked > 0, 'the fault revoked tokens');
      assert.ok((metric(r, 'token_refreshes').count ?? 0) >= 1, show(r));
      assert.equal(metric(r, 'final_failures').passes ?? 0, 0, show(r));
      assert.equal(metric(r, 'auth_failures').count ?? 0, 0, show(r));
    });

    it(`${name}: a client the login service refuses stops the run within seconds (exit 108)`, async () => {
      let revokedAt = 0;
      const r = await runOnEngine(
        engine,
        'load',
        { TIME_SCALE: '4', DURATION: '40s' },
        {
          emulatorArgs: ['--time-scale', '4'],
          during: async (url, since) => {
            // Once the load is under way (setup() done, VUs sending): k6 releases that compile with Babel
            // take seconds longer to get there.
            for (let i = 0; i < 300; i++) {
              const stats = (await (await fetch(`${url}/__emulator/stats`)).json()) as {
                requests: { byRoute: Record<string, Record<string, number>> };
              };
              const sessions = stats.requests.byRoute['POST /api/v2/textbots/botflows/sessions'] ?? {};
              if ((sessions['200'] ?? 0) >= 3) break;
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
            const res = await fetch(`${url}/__emulator/clients/demo-client/revoke?disable=true`, {
              method: 'POST',
            });
            assert.equal(res.status, 200);
            revokedAt = since();
          },
        },
      );
      assert.equal(r.code, 108, show(r));
      assert.match(
        r.stderr,
        /authentication failed: OAuth token request for client 1 \(demo-client\) failed with status 401/,
      );
      assert.doesNotMatch(r.stdout + r.stderr, /demo-secret/);
      assert.ok(
        revokedAt > 0 && r.wallMs - revokedAt < 15_000,
        `stopped ${r.wallMs - revokedAt} ms after the revocation`,
      );
      assert.ok((metric(r, 'auth_failures').count ?? 0) >= 1, show(r));
    });
  }
});
