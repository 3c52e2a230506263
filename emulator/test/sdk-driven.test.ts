// The emulator driven through the official JavaScript SDK, every route and the errors an integrator meets,
// each answer held against the SDK's model; and a cross-check that no emulated route is left undriven.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { it } from 'node:test';
import './sdk/analytics.ts';
import './sdk/bots.ts';
import './sdk/conversations.ts';
import './sdk/errors.ts';
import './sdk/org.ts';
import { started } from './sdk/harness.ts';

/** Routes whose every answer to an emulated (client-credentials) token is an error, by design. */
const NO_SUCCESS: Record<string, number> = { 'GET /api/v2/users/me': 400 };

it('every emulated route answered the SDK with a success at least once', () => {
  const answered = new Map<string, Set<number>>();
  for (const emu of started) {
    const { byRoute } = emu.stats().requests as { byRoute: Record<string, Record<string, number>> };
    for (const [route, statuses] of Object.entries(byRoute)) {
      const seen = answered.get(route) ?? new Set();
      for (const s of Object.keys(statuses)) seen.add(Number(s));
      answered.set(route, seen);
    }
  }
  const undriven = started[0].routes.filter((r) => {
    const seen = [...(answered.get(r) ?? [])];
    return r in NO_SUCCESS ? !seen.includes(NO_SUCCESS[r]) : !seen.some((s) => s >= 200 && s < 300);
  });
  assert.deepEqual(undriven, [], 'routes no SDK-driven test reached with their answer');
});

/** "METHOD /path" of every operation the SDK's API classes call, path parameters written as {}. */
function sdkOperations(): Set<string> {
  const main = createRequire(import.meta.url).resolve('purecloud-platform-client-v2/package.json');
  const dir = join(dirname(main), 'src/purecloud-platform-client-v2/api');
  const ops = new Set<string>();
  for (const file of readdirSync(dir)) {
    const source = readFileSync(join(dir, file), 'utf8');
    for (const m of source.matchAll(/callApi\(\s*'([^']+)',\s*'([A-Z]+)'/g))
      ops.add(`${m[2]} ${m[1].replace(/\{[^}]+\}/g, '{}')}`);
  }
  return ops;
}

it('every emulated route is an operation of the SDK: the emulator serves nothing the platform lacks', () => {
  const ops = sdkOperations();
  assert.ok(ops.size > 1000, `read ${ops.size} SDK operations`);
  const api = started[0].routes.filter((r) => r.includes(' /api/'));
  const unknown = api.filter((r) => !ops.has(r.replace(/\{[^}]+\}/g, '{}')));
  assert.deepEqual(unknown, []);
});
