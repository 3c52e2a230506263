// A real run with two OAuth clients (runner + emulator): setup data, the --summary-export file, the JSON
// output, the reports and everything printed carry neither a bearer token nor a client secret, while the
// VUs still authenticate with the tokens setup() fetched (no VU fetches its own).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unsealToken, type SealedToken } from '../core/seal.ts';
import { emulatorEnv, ensureBuilt, runRunner, startEmulator } from './processes.ts';

const CLIENTS = [
  { id: 'demo-client', secret: 'demo-secret' },
  { id: 'ops-client', secret: 'ops-secret-2f7c' },
];
const hmac = (key: string, data: string) => createHmac('sha256', key).update(data).digest('hex');

let dir = '';
before(() => {
  ensureBuilt();
  dir = mkdtempSync(path.join(tmpdir(), 'suite-secrets-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function filesUnder(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(d, e.name)) : [path.join(d, e.name)],
  );
}

describe('secrets in a real run', { timeout: 120_000 }, () => {
  it('setup data holds sealed tokens only, and VUs on two OAuth clients still authenticate', async () => {
    const config = path.join(dir, 'clients.json');
    writeFileSync(
      config,
      JSON.stringify({
        clients: CLIENTS.map((c) => ({ ...c, tokenLifetimeSeconds: 86_400, permissions: ['*'] })),
      }),
    );
    const emulator = await startEmulator(['--time-scale', '10', '--config', config]);
    try {
      const reports = path.join(dir, 'reports');
      const exportFile = path.join(dir, 'export.json');
      const outFile = path.join(dir, 'samples.json');
      const r = await runRunner(
        ['--summary-export', exportFile, '--out', `json=${outFile}`, 'build/tests/load.js'],
        emulatorEnv(emulator, {
          GENESYSCLOUD_OAUTHCLIENTS: CLIENTS.map((c) => `${c.id}:${c.secret}`).join(','),
          TIME_SCALE: '10',
          VUS: '2',
          DURATION: '3s',
          REPORT_DIR: reports,
        }),
      );
      assert.equal(r.code, 0, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);

      const setupData = (
        JSON.parse(readFileSync(exportFile, 'utf8')) as { setup_data: { tokens: SealedToken[] } }
      ).setup_data;
      assert.deepEqual(
        setupData.tokens.map((t) => t.client),
        [0, 1],
        'one token per client',
      );
      // Each unseals under its own client's secret to a token the platform accepts.
      const tokens = setupData.tokens.map((t) => unsealToken(t, CLIENTS[t.client].secret, hmac));
      for (const token of tokens) {
        const res = await fetch(`${emulator.url}/api/v2/organizations/limits/namespaces/platform.api`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, 'the sealed token is the live one');
        await res.body?.cancel();
      }

      const stats = await emulator.stats();
      assert.equal(stats.tokens.issued, 2, 'setup() fetched the tokens once; no VU fetched its own');
      assert.ok((stats.requests.byRoute['POST /api/v2/textbots/botflows/sessions']?.['200'] ?? 0) > 5);
      const unauthorized = Object.values(stats.requests.byRoute).reduce((n, s) => n + (s['401'] ?? 0), 0);
      assert.equal(unauthorized, 0, 'every VU request authenticated');

      const places: Array<[string, string]> = [
        ['setup data', JSON.stringify(setupData)],
        ['stdout and stderr', r.stdout + r.stderr],
        ['--summary-export', readFileSync(exportFile, 'utf8')],
        ['--out json', readFileSync(outFile, 'utf8')],
        ...filesUnder(reports).map((f): [string, string] => [path.relative(dir, f), readFileSync(f, 'utf8')]),
      ];
      assert.ok(
        places.some(([p]) => p.endsWith('summary.md')),
        'the reports were written',
      );
      for (const [where, text] of places) {
        const unsealed = tokens.map((t) =>
          [...t].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join(''),
        );
        for (const secret of [...tokens, ...unsealed, ...CLIENTS.map((c) => c.secret)]) {
          assert.ok(!text.includes(secret), `${where} contains a token or secret`);
        }
      }
    } finally {
      await emulator.stop();
    }
  });
});
