import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, basic, DEMO, emulator, sleep, token, tokenResponse } from './helpers.ts';

const ERROR_KEYS = ['code', 'contextId', 'details', 'errors', 'message', 'status'];

function assertPlatformError(
  r: { status: number; headers: Headers; body: any },
  status: number,
  code: string,
): void {
  assert.equal(r.status, status);
  assert.equal(r.body.code, code);
  assert.equal(r.body.status, status);
  assert.equal(r.body.contextId, r.headers.get('inin-correlation-id'));
  for (const k of ERROR_KEYS) assert.ok(k in r.body, `error body has ${k}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
}

describe('POST /oauth/token', async () => {
  const emu = await emulator({
    clients: [{ id: 'demo-client', secret: 'demo-secret', tokenLifetimeSeconds: 7200, permissions: ['*'] }],
  });

  it('issues a bearer token for valid client credentials', async () => {
    const res = await tokenResponse(emu.url);
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('inin-correlation-id'));
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(body.token_type, 'bearer');
    assert.equal(body.expires_in, 7200);
    assert.equal(typeof body.access_token, 'string');
  });

  it('answers an unknown client with 400 invalid_client "client not found"', async () => {
    const res = await tokenResponse(emu.url, 'nobody', 'x');
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: 'invalid_client',
      description: 'client not found',
      error_description: 'client not found',
    });
  });

  it('answers a wrong secret with 401 invalid_client "authentication failed"', async () => {
    const res = await tokenResponse(emu.url, DEMO.id, 'wrong');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed',
    });
  });

  it('answers a missing Basic header with 401 invalid_client', async () => {
    const res = await fetch(`${emu.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
  });

  it('answers another grant type with 400 unsupported_grant_type', async () => {
    for (const body of ['grant_type=password', 'foo=bar']) {
      const res = await fetch(`${emu.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: basic(DEMO.id, DEMO.secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body,
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'unsupported_grant_type');
    }
  });

  it('wants a form body: JSON gets 415 unsupported.media.type', async () => {
    const r = await api(
      emu.url,
      'POST',
      '/oauth/token',
      null,
      { grant_type: 'client_credentials' },
      {
        authorization: basic(DEMO.id, DEMO.secret),
      },
    );
    assertPlatformError(r, 415, 'unsupported.media.type');
  });

  it('answers GET with 405', async () => {
    const r = await api(emu.url, 'GET', '/oauth/token', null);
    assertPlatformError(r, 405, 'method.not.allowed');
    assert.equal(r.headers.get('allow'), 'POST');
  });
});

describe('bearer tokens on /api/v2', async () => {
  const emu = await emulator({
    timeScale: 600,
    clients: [
      { id: 'demo-client', secret: 'demo-secret', tokenLifetimeSeconds: 86400, permissions: ['*'] },
      // 600 emulated seconds at 600x: the token lives 1 s.
      { id: 'short', secret: 's', tokenLifetimeSeconds: 600, permissions: ['*'] },
      {
        id: 'reader',
        secret: 'r',
        tokenLifetimeSeconds: 86400,
        permissions: ['conversation:communication:view'],
      },
    ],
  });
  const good = await token(emu.url);

  it('401 authentication.required without a bearer token', async () => {
    assertPlatformError(
      await api(emu.url, 'GET', '/api/v2/conversations', null),
      401,
      'authentication.required',
    );
    const basicOnly = await api(emu.url, 'GET', '/api/v2/conversations', null, undefined, {
      authorization: basic(DEMO.id, DEMO.secret),
    });
    assertPlatformError(basicOnly, 401, 'authentication.required');
  });

  it('401 bad.credentials for an unknown token', async () => {
    assertPlatformError(
      await api(emu.url, 'GET', '/api/v2/conversations', 'not-a-token'),
      401,
      'bad.credentials',
    );
  });

  it('accepts a valid token', async () => {
    const r = await api(emu.url, 'GET', '/api/v2/conversations', good);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.entities, []);
  });

  it('401 credentials.expired once the token lifetime (scaled) has passed', async () => {
    const res = await tokenResponse(emu.url, 'short', 's');
    const body = (await res.json()) as { access_token: string; expires_in: number };
    // expires_in is in real seconds under the time scale, at least 1.
    assert.equal(body.expires_in, 1);
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', body.access_token)).status, 200);
    await sleep(1100);
    assertPlatformError(
      await api(emu.url, 'GET', '/api/v2/conversations', body.access_token),
      401,
      'credentials.expired',
    );
  });

  it('403 missing.permissions names the missing permission', async () => {
    const reader = await token(emu.url, 'reader', 'r');
    assert.equal((await api(emu.url, 'GET', '/api/v2/conversations', reader)).status, 200);
    const r = await api(emu.url, 'POST', '/api/v2/conversations/calls', reader, { phoneNumber: '+15550100' });
    assertPlatformError(r, 403, 'missing.permissions');
    assert.match(r.body.message, /\[conversation:call:add\]/);
    assert.deepEqual(r.body.messageParams, { permissions: 'conversation:call:add' });
  });

  it('the demo client of the default config holds every permission the routes check', async () => {
    const { defaultConfig } = await import('../config.ts');
    const { textbotRoutes } = await import('../routes/textbots.ts');
    const { conversationRoutes } = await import('../routes/conversations.ts');
    const { analyticsRoutes } = await import('../routes/analytics.ts');
    const { notificationRoutes } = await import('../routes/notifications.ts');
    const { organizationRoutes } = await import('../routes/organizations.ts');
    const { webDeploymentRoutes } = await import('../routes/webdeployments.ts');
    const demo = defaultConfig().clients.find((c) => c.id === 'demo-client');
    assert.ok(demo);
    assert.equal(demo.secret, 'demo-secret');
    const routes = [
      ...textbotRoutes,
      ...conversationRoutes,
      ...analyticsRoutes,
      ...notificationRoutes,
      ...organizationRoutes,
      ...webDeploymentRoutes,
    ];
    for (const r of routes)
      if (r.permission) assert.ok(demo.permissions.includes(r.permission), r.permission);
  });
});
