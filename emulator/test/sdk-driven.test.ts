// The emulator driven through the official JavaScript SDK, every route and the errors an integrator meets,
// each answer held against the SDK's model; and a cross-check that no emulated route is left undriven.
import assert from 'node:assert/strict';
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
