// http_req_failed counts a call's final answer only, on the runner and on each real k6: a connection reset
// that the retry wrapper repeats and that then succeeds is neither a failed request nor a final failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { realK6s } from '../../tools/test/real-k6.ts';
import { runOnEngine, RUNNER, type Engine } from '../../tools/test/engines.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'final-answers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const engines: Engine[] = [RUNNER, ...realK6s().binaries.map((k6) => ({ name: k6.version, k6 }))];

describe('final answers', { timeout: 10 * 60_000 }, () => {
  for (const engine of engines) {
    it(`${engine.k6 ? `k6 ${engine.k6.version}` : 'the runner'}: a retried connection reset is not a failed request`, async () => {
      // Half of the conversation reads (GET: idempotent, so retried) lose their connection.
      const config = path.join(dir, 'resets.json');
      writeFileSync(
        config,
        JSON.stringify({
          faults: { routes: { 'GET /api/v2/conversations/{conversationId}': { reset: 0.5 } } },
        }),
      );
      const r = await runOnEngine(
        engine,
        'smoke',
        { ITERATIONS: '6' },
        { emulatorArgs: ['--config', config] },
      );
      const m = r.summary?.data.metrics ?? {};
      const resets = r.stats.requests.byRoute['GET /api/v2/conversations/{conversationId}']?.['0'] ?? 0;
      assert.equal(r.code, 0, `${r.engine}: exit ${r.code}\n${r.stderr.slice(-2000)}`);
      assert.ok(resets >= 1, `the fault reset ${resets} connections`);
      // An engine repeats a GET whose reused connection was reset once by itself (as Go's HTTP client does),
      // so the script sees fewer resets than the emulator counts; those it sees, it retries.
      assert.ok((m.retries?.values.count ?? 0) >= 1, 'the wrapper retried a reset');
      assert.equal(m.http_req_failed?.values.passes ?? 0, 0, 'no request counted as failed');
      assert.equal(m.final_failures?.values.passes ?? 0, 0, 'no call failed in the end');
    });
  }
});
