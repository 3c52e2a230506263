// The refusals every route shares, as the SDK receives them: no or a bad token (401), a missing permission
// (403), a bad login, and the normalized 429 with its Retry-After.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answer, ok, refused, sdkClient, sdkOrg } from './harness.ts';

describe('errors through the SDK', async () => {
  const sdk = await sdkOrg({
    limits: { 'platform.api': { 'token.rate.per.minute': 3 } },
    clients: [
      {
        id: 'demo-client',
        secret: 'demo-secret',
        tokenLifetimeSeconds: 86400,
        permissions: ['*'],
      },
      { id: 'reader', secret: 'reader-secret', tokenLifetimeSeconds: 86400, permissions: [] },
    ],
  });

  it("refuses a bad login: the SDK rejects with the login host's answer", async () => {
    const stranger = sdkClient(sdk.emu);
    const r = await answer(stranger.client.loginClientCredentialsGrant('demo-client', 'wrong'));
    assert.equal(r.status, 401);
  });

  it('answers 401 to a call without a valid token', async () => {
    const anonymous = sdkClient(sdk.emu);
    anonymous.client.setAccessToken('not-a-token');
    await refused(anonymous.conversations.getConversations(), 401, 'bad.credentials');
  });

  it("answers 403 missing.permissions to a client without the route's permission", async () => {
    const reader = sdkClient(sdk.emu);
    await reader.client.loginClientCredentialsGrant('reader', 'reader-secret');
    const body = await refused(reader.conversations.getConversations(), 403, 'missing.permissions');
    assert.match(body.message, /conversation:communication:view/);
  });

  it("answers a platform route the emulator does not serve with the platform's 404", async () => {
    const routing = sdkClient(sdk.emu);
    await routing.client.loginClientCredentialsGrant('demo-client', 'demo-secret');
    await refused(routing.routing.getRoutingSkills(), 404, 'not.found');
  });

  it('answers the normalized 429 with Retry-After once the token is over its limit', async () => {
    for (let i = 0; i < 3; i++)
      await ok(sdk.conversations.getConversations(), 200, 'ConversationEntityListing');
    const r = await answer(sdk.conversations.getConversations());
    const body = await refused(Promise.reject(r), 429, 'too.many.requests.retry.after');
    const seconds = Number(r.headers['retry-after']);
    assert.ok(seconds >= 1, `Retry-After ${r.headers['retry-after']}`);
    assert.match(body.message, new RegExp(`\\[${seconds}\\] seconds`));
  });
});
