// The cloud tools with real k6 (every release real-k6.ts finds) against a stand-in for Grafana Cloud k6 on
// 127.0.0.1, with recognisable secrets in the shell: every bundle archived and uploaded, one cloud run and
// one local execution per release. What reaches the stand-in is read back: names, projects, every file of
// every archive, every request body. k6 goes nowhere else: the stand-in is also its proxy and counts strays.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../../lib/test/processes.ts';
import { readTar, type TarEntry } from '../tar.ts';
import { REFUSAL, startStandin, type Standin } from './cloud-standin.ts';
import { realK6sOrSkipReason, type RealK6 } from './real-k6.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'tools', 'cloud.mjs');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'cloud-k6-'));
const binaries = realK6sOrSkipReason();

const tag = Math.random().toString(36).slice(2, 10);
/** In the shell of every run: none of these may reach the stand-in except the cloud token, where k6 puts it. */
const GENESYS_SECRETS = {
  GENESYSCLOUD_OAUTHCLIENT_SECRET: `genesys-secret-${tag}`,
  GENESYSCLOUD_OAUTHCLIENTS: `client-2:genesys-second-secret-${tag}`,
};
const CLOUD_TOKEN = `k6-cloud-token-${tag}`;
const SHELL = {
  ...GENESYS_SECRETS,
  GENESYSCLOUD_REGION: 'eu-west-1',
  GENESYSCLOUD_OAUTHCLIENT_ID: `client-1-${tag}`,
  BOT_FLOW_ID: `flow-in-the-shell-${tag}`,
  K6_CLOUD_TOKEN: CLOUD_TOKEN,
  K6_CLOUD_STACK_ID: '4242',
  K6_CLOUD_PROJECT_ID: '3710',
  RATE: '2',
};
const NEVER = [...Object.values(GENESYS_SECRETS), 'genesys-second-secret', 'demo-secret'];
/** The -e values every archive holds: the load shape and the project, nothing of the org. */
const ARCHIVE_ENV = { K6_CLOUD_PROJECT_ID: '3710', RATE: '2' };

let standin: Standin;
let bundles: string[] = [];

before(async () => {
  if (binaries.length === 0) return;
  ensureBuilt();
  bundles = readdirSync(path.join(root, 'build', 'tests'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => f.slice(0, -3))
    .sort();
  standin = await startStandin();
});
after(() => standin?.close());

interface Run {
  code: number | null;
  output: string;
}

/** `node tools/cloud.mjs <args>` with real k6, the stand-in as cloud and proxy, and the secrets in the shell. */
function tool(k6: RealK6, args: string[], extra: Record<string, string> = {}): Promise<Run> {
  const home = path.join(tmp, 'home');
  mkdirSync(home, { recursive: true });
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    REPORT_DIR: tmp,
    XDG_CONFIG_HOME: home,
    K6: k6.file,
    K6_CLOUD_HOST: standin.url,
    K6_CLOUD_HOST_V6: standin.url,
    // Without these k6 would tail cloud logs from cloudlogs.k6.io and report usage to grafana.com.
    K6_SHOW_CLOUD_LOGS: 'false',
    K6_NO_USAGE_REPORT: 'true',
    HTTP_PROXY: standin.url,
    HTTPS_PROXY: standin.url,
    NO_PROXY: '127.0.0.1',
    ...SHELL,
    ...extra,
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Runs fn over items, two at a time: k6 v0.49 spends seconds of CPU on each bundle's init. */
async function inPairs<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  };
  await Promise.all([worker(), worker()]);
}

function assertNoSecret(where: string, files: TarEntry[] | Buffer[], allowToken = false): void {
  for (const f of files) {
    const [name, data] = Buffer.isBuffer(f) ? ['request body', f] : [f.name, f.data];
    for (const s of NEVER) assert.ok(!data.includes(s), `${where}: ${name} holds a Genesys secret`);
    if (!allowToken) assert.ok(!data.includes(CLOUD_TOKEN), `${where}: ${name} holds K6_CLOUD_TOKEN`);
  }
}

const noWarning = (where: string, r: Run) =>
  assert.doesNotMatch(r.output, /level=warn|WARN\[/, `${where}: k6 warned\n${r.output}`);

/**
 * The bundles to upload: all of them, but two where k6 transpiles each with Babel (before v0.53, seconds of
 * CPU a bundle); the archive test has already read every bundle's cloud block on that release.
 */
const toUpload = (k6: RealK6) =>
  k6.major > 0 || k6.minor >= 53 ? bundles : bundles.filter((b) => b === 'load' || b === 'smoke');

/** Where this release reads the cloud block: options.cloud from v0.51, ext.loadimpact before. */
function cloudBlock(k6: RealK6, metadata: Record<string, any>): Record<string, unknown> {
  const o = metadata.options ?? {};
  return k6.major > 0 || k6.minor >= 51 ? o.cloud : o.ext?.loadimpact;
}

for (const k6 of binaries) {
  describe(`k6 v${k6.version}`, () => {
    test('make cloud-archive: every bundle, no secret or token in any file of the archive', async () => {
      await inPairs(bundles, async (name) => {
        const r = await tool(k6, ['cloud-archive', name]);
        assert.equal(r.code, 0, `${name}: ${r.output}`);
        noWarning(name, r);
        const files = readTar(readFileSync(path.join(root, 'build', 'archives', `${name}.tar`)));
        assert.deepEqual(files.map((f) => f.name).slice(0, 2), ['metadata.json', 'data'], name);
        assertNoSecret(name, files);
        const metadata = JSON.parse(files[0].data.toString('utf8'));
        assert.deepEqual(metadata.env, ARCHIVE_ENV, `${name}: only the shape and the project go with -e`);
        assert.deepEqual(cloudBlock(k6, metadata), { name: `genesys-cloud ${name}`, projectID: 3710 }, name);
        assert.equal(metadata.options.cloud === undefined, !(k6.major > 0 || k6.minor >= 51), name);
      });
    });

    test('make cloud-upload: each bundle arrives with its name and project and no Genesys secret', async () => {
      standin.reset();
      const names = toUpload(k6);
      await inPairs(names, async (name) => {
        const r = await tool(k6, ['cloud-upload', name]);
        assert.equal(r.code, 0, `${name}: ${r.output}`);
        noWarning(name, r);
        assert.match(r.output, /test status: Archived/, name);
      });
      assert.deepEqual(standin.strays, []);
      const byName = new Map(standin.uploads.map((u) => [u.fields.name, u]));
      assert.equal(standin.uploads.length, names.length);
      for (const name of names) {
        const u = byName.get(`genesys-cloud ${name}`);
        assert.ok(u, `${name}: no upload named "genesys-cloud ${name}"`);
        assert.equal(u.projectId, 3710, name);
        if (!k6.hasCloudRun) assert.equal(u.fields.upload_only, 'true', name);
        assert.deepEqual(u.metadata.env, ARCHIVE_ENV, name);
        const block = cloudBlock(k6, u.metadata);
        assert.equal(block.name, `genesys-cloud ${name}`);
        assert.equal(block.projectID, 3710);
        // k6 itself adds the token it authenticates with to the cloud options it uploads (internal/cmd/cloud.go,
        // every release): there and nowhere else.
        assert.equal(block.token, CLOUD_TOKEN, `${name}: k6 no longer adds the token: update README`);
        delete block.token;
        const rest = [Buffer.from(JSON.stringify(u.metadata)), ...u.files.slice(1).map((f) => f.data)];
        assertNoSecret(name, rest);
      }
      assertNoSecret(
        'calls',
        standin.calls.map((c) => c.body),
        true,
      );
      for (const c of standin.calls) {
        assert.equal(c.authorization, `${k6.major >= 2 ? 'Bearer' : 'Token'} ${CLOUD_TOKEN}`);
        if (k6.major >= 2) assert.equal(c.stackId, '4242');
      }
    });

    test('make cloud-run: uploaded and started; k6 follows the run until the cloud reports it passed', async () => {
      standin.reset();
      const started = Date.now();
      const r = await tool(k6, ['cloud-run', 'load']);
      assert.equal(r.code, 0, r.output);
      noWarning('load', r);
      assert.match(r.output, /test status: Finished/);
      assert.ok(Date.now() - started < 60_000);
      const paths = standin.calls.map((c) => `${c.method} ${c.path}`);
      if (k6.major >= 2) {
        assert.deepEqual(paths.slice(0, 3), [
          'POST /cloud/v6/validate_options',
          'POST /cloud/v6/projects/3710/load_tests',
          'POST /cloud/v6/load_tests/1/start',
        ]);
        assert.ok(paths.includes('GET /cloud/v6/test_runs/1'), paths.join(', '));
      } else {
        assert.deepEqual(paths.slice(0, 3), [
          'POST /v1/validate-options',
          'POST /v1/archive-upload',
          'GET /v1/test-progress/ref-0',
        ]);
      }
      const [u] = standin.uploads;
      assert.equal(u.fields.name, 'genesys-cloud load');
      assert.equal(u.projectId, 3710);
      assert.equal(u.fields.upload_only, undefined);
      assertNoSecret(
        'cloud run',
        standin.calls.map((c) => c.body),
        true,
      );
      assert.deepEqual(standin.strays, []);
    });

    test('make cloud-run LOCAL=1: the test is created with its name and project, no archive and no secret', async () => {
      standin.reset();
      const r = await tool(k6, ['cloud-run', 'load'], { LOCAL: '1' });
      // The stand-in refuses to start the run, so k6 stops there instead of streaming metrics.
      assert.notEqual(r.code, 0, r.output);
      assert.ok(r.output.includes(REFUSAL), r.output);
      assert.deepEqual(standin.uploads, [], 'a local execution sends no archive');
      const bodies = standin.calls.map((c) => c.body);
      assertNoSecret('local execution', bodies);
      if (k6.major >= 2) {
        const create = standin.calls.find((c) => c.path === '/cloud/v6/projects/3710/load_tests');
        assert.ok(create?.body.includes('genesys-cloud load'), 'created by name in project 3710');
        const start = standin.calls.find((c) => c.path.endsWith('/start_local_execution'));
        const body = JSON.parse(start!.body.toString('utf8'));
        assert.equal(body.archive_size, null);
        assert.deepEqual(body.options.cloud, { name: 'genesys-cloud load', projectID: 3710 });
      } else {
        const create = standin.calls.find((c) => c.path === '/v1/tests');
        const body = JSON.parse(create!.body.toString('utf8'));
        assert.equal(body.name, 'genesys-cloud load');
        assert.equal(body.project_id, 3710);
      }
      assert.deepEqual(standin.strays, []);
    });

    test('make cloud-run LOCAL=1: the script on this machine reads the credentials from this shell', async () => {
      // Names only: the probe prints which connection variables its __ENV has.
      const probe = path.join(tmp, 'probe.js');
      writeFileSync(
        probe,
        `export const options = { iterations: 1 };\n` +
          `console.log('seen: ' + ['GENESYSCLOUD_REGION', 'GENESYSCLOUD_OAUTHCLIENT_SECRET', 'BOT_FLOW_ID']` +
          `.filter((n) => __ENV[n]).join(','));\nexport default function () {}\n`,
      );
      const r = await tool(k6, ['cloud-run', probe], { LOCAL: '1' });
      assert.match(r.output, /seen: GENESYSCLOUD_REGION,GENESYSCLOUD_OAUTHCLIENT_SECRET,BOT_FLOW_ID/);
    });
  });
}
