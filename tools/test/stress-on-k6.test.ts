// `make stress` as a user with k6 on PATH runs it: a fresh clone of HEAD, real k6 found on PATH, the local
// emulator, and reports/latest/report.html opened in headless Chromium, where the suite's rate-limit view
// (429s, retries, failures after retries, the threshold table) must show what k6 handed to handleSummary.
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { noChromium, renderInChromium } from '../../runner/test/chromium.ts';
import { realK6sOrSkipReason } from './real-k6.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const k6 = noChromium ? undefined : realK6sOrSkipReason()[0];
let clone = '';
after(() => clone && rmSync(clone, { recursive: true, force: true }));

describe('make stress with real k6 on PATH', { timeout: 5 * 60_000 }, () => {
  it(
    `report.html shows the rate-limit view (${k6 ? `k6 ${k6.version}` : 'skipped'})`,
    { skip: noChromium || !k6 },
    async () => {
      clone = mkdtempSync(path.join(tmpdir(), 'stress-k6-'));
      execFileSync('git', ['clone', '--quiet', repo, clone]);
      symlinkSync(path.join(repo, 'node_modules'), path.join(clone, 'node_modules'));
      const bin = path.join(clone, '.k6bin');
      mkdirSync(bin);
      symlinkSync(k6!.file, path.join(bin, 'k6'));
      const env: Record<string, string> = {};
      for (const [key, v] of Object.entries(process.env)) {
        if (v !== undefined && !/^(GENESYSCLOUD_|K6|REPORT_DIR|TEST_NAME|RATE$|DURATION$|VUS$)/.test(key))
          env[key] = v;
      }
      Object.assign(env, { PATH: `${bin}:${env.PATH ?? ''}`, TIME_SCALE: '10', DURATION: '15s' });
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        // -o: the shared node_modules is installed already; make must not run npm ci over it.
        const child = spawn('make', ['-s', '-o', 'node_modules/.package-lock.json', 'stress'], {
          cwd: clone,
          env,
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.stdout.resume();
        child.on('close', (code) => resolve({ code, stderr }));
      });
      assert.match(
        run.stderr,
        new RegExp(`stress with k6 v${k6!.version.replace(/\./g, '\\.')}`),
        run.stderr,
      );
      const dir = path.join(clone, 'reports', 'latest');
      const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
      const page = await renderInChromium(path.join(dir, 'report.html'));
      assert.deepEqual(page.problems, []);
      assert.deepEqual(page.requests, [], 'opens offline');
      assert.equal(Number(page.totals.status429), summary.resilience.rateLimited.passes);
      assert.equal(Number(page.totals.retries), summary.resilience.retries);
      assert.equal(Number(page.totals.finalFailures), summary.resilience.finalFailures.passes);
      assert.ok(
        Number(page.totals.status429) > 0 && Number(page.totals.retries) > 0,
        JSON.stringify(page.totals),
      );
      assert.deepEqual(
        page.thresholds
          .map(([metric, source, , result]) => `${metric} ${source} ${/pass/.test(result)}`)
          .sort(),
        summary.thresholds
          .map(
            (t: { metric: string; expression: string; ok: boolean }) => `${t.metric} ${t.expression} ${t.ok}`,
          )
          .sort(),
      );
      for (const id of ['r429', 'retries', 'final']) {
        const chart = page.charts.find((c) => c.id === id);
        assert.ok(
          chart && chart.peak > 0,
          `${id} rises above zero: ${JSON.stringify(page.charts.map((c) => c.id))}`,
        );
      }
    },
  );
});
