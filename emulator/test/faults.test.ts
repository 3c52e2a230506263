import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { ConfigError } from '../config.ts';
import { startEmulator } from '../server.ts';
import { api, emulator, token, tokenResponse } from './helpers.ts';

const ROUTE = 'GET /api/v2/conversations';

async function statusSequence(seed: number, n: number): Promise<number[]> {
  const emu = await emulator({
    seed,
    faults: { routes: { [ROUTE]: { '502': 0.1, '503': 0.2, '504': 0.1 } } },
  });
  const bearer = await token(emu.url);
  const out = [];
  for (let i = 0; i < n; i++) out.push((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status);
  return out;
}

/** A port nothing listens on; binding it again afterwards proves nothing was left listening there. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

describe('fault injection', () => {
  it('refuses a misspelt fault key, which used to run the test with no faults, before listening', async () => {
    const port = await freePort();
    await assert.rejects(
      startEmulator({ port, faults: { defualt: { '503': 1 } } } as never),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message ===
          'config key "faults.defualt" is unknown (did you mean "default"?); known: default, routes',
    );
    await assert.rejects(
      startEmulator({ port, faults: { routes: { [ROUTE]: { '053': 1 } } } } as never),
      /config key "faults\.routes\["GET \/api\/v2\/conversations"\]\.053" is unknown \(did you mean "503"\?\)/,
    );
    const probe = createServer().listen(port, '127.0.0.1');
    await once(probe, 'listening');
    probe.close();
    // Spelt right, the same config fails every request, the token request first.
    const emu = await emulator({ faults: { default: { '503': 1 } } });
    assert.equal((await tokenResponse(emu.url)).status, 503);
  });

  it('replays the same faults from the same seed, and other faults from another', async () => {
    const a = await statusSequence(7, 60);
    const b = await statusSequence(7, 60);
    const c = await statusSequence(8, 60);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const failed = a.filter((s) => s !== 200);
    assert.ok(failed.length > 10 && failed.length < 45, `${failed.length} of 60 failed`);
    assert.ok(a.includes(502) && a.includes(503) && a.includes(504));
  });

  it('answers injected 5xx with the platform error body, only on the configured route', async () => {
    const emu = await emulator({ faults: { routes: { [ROUTE]: { '503': 1 } } } });
    const bearer = await token(emu.url);
    const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(r.status, 503);
    assert.equal(r.body.code, 'service.unavailable');
    assert.equal(r.body.contextId, r.headers.get('inin-correlation-id'));
    const other = await api(emu.url, 'GET', '/api/v2/organizations/limits/namespaces/oauth', bearer);
    assert.equal(other.status, 200);
    assert.equal((emu.stats() as any).faults['503'], 1);
  });

  it('resets connections', async () => {
    const emu = await emulator({ faults: { routes: { [ROUTE]: { reset: 1 } } } });
    const bearer = await token(emu.url);
    await assert.rejects(api(emu.url, 'GET', '/api/v2/conversations', bearer));
    assert.equal((emu.stats() as any).requests.byRoute[ROUTE]['0'], 1);
  });

  it('slows responses by slowMs', async () => {
    const emu = await emulator({ faults: { routes: { [ROUTE]: { slow: 1, slowMs: 300 } } } });
    const bearer = await token(emu.url);
    const started = performance.now();
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
    assert.ok(performance.now() - started >= 290);
  });

  it('revokes the token: the next request gets 401 bad.credentials', async () => {
    const emu = await emulator({ faults: { routes: { [ROUTE]: { revokeToken: 1 } } } });
    const bearer = await token(emu.url);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).status, 200);
    const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'bad.credentials');
    assert.equal((emu.stats() as any).tokens.revoked, 1);
  });

  it('adds latency around the configured median', async () => {
    const emu = await emulator({ seed: 3, latency: { routes: { [ROUTE]: { median: 40, p99: 80 } } } });
    const bearer = await token(emu.url);
    const took: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await api(emu.url, 'GET', '/api/v2/conversations', bearer);
      took.push(performance.now() - t);
    }
    took.sort((x, y) => x - y);
    const median = took[7];
    assert.ok(median >= 25, `median ${median}`);
  });
});
