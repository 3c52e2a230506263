import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { seededRandom } from '../random.ts';
import { api, emulator, SESSION_BODY, token } from './helpers.ts';

describe('bad input gets the platform error body', async () => {
  const emu = await emulator({ limits: { 'platform.api': { 'request.bytes.max': 2048 } } });
  const bearer = await token(emu.url);

  const missing: [string, unknown, string][] = [
    ['/api/v2/textbots/botflows/sessions', { ...SESSION_BODY, flow: {} }, 'flow.id'],
    [
      '/api/v2/textbots/botflows/sessions',
      { ...SESSION_BODY, externalSessionId: undefined },
      'externalSessionId',
    ],
    ['/api/v2/textbots/botflows/sessions', { ...SESSION_BODY, channel: undefined }, 'channel.name'],
    [
      '/api/v2/conversations/messages/agentless',
      { fromAddress: 'a', toAddress: 'b', textBody: 'x' },
      'toAddressMessengerType',
    ],
    [
      '/api/v2/conversations/messages/agentless',
      { fromAddress: 'a', toAddress: 'b', toAddressMessengerType: 'sms' },
      'textBody',
    ],
    ['/api/v2/conversations/calls', {}, 'phoneNumber'],
    ['/api/v2/conversations/callbacks', { queueId: 'q' }, 'callbackNumbers'],
    ['/api/v2/conversations/callbacks', { callbackNumbers: ['+1555'] }, 'queueId'],
    ['/api/v2/analytics/conversations/details/jobs', {}, 'interval'],
  ];
  for (const [path, body, field] of missing) {
    it(`400 bad.request names ${field} on POST ${path}`, async () => {
      const r = await api(emu.url, 'POST', path, bearer, body);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'bad.request');
      assert.equal(r.body.contextId, r.headers.get('inin-correlation-id'));
      assert.deepEqual(
        r.body.details.map((d: { fieldName: string }) => d.fieldName),
        [field],
      );
    });
  }

  it('400 for an invalid enum value and for a bad interval', async () => {
    const r = await api(emu.url, 'POST', '/api/v2/textbots/botflows/sessions', bearer, {
      ...SESSION_BODY,
      channel: { ...SESSION_BODY.channel, name: 'Fax' },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.details[0].fieldName, 'channel.name');
    const j = await api(emu.url, 'POST', '/api/v2/analytics/conversations/details/jobs', bearer, {
      interval: 'yesterday',
    });
    assert.equal(j.status, 400);
    assert.equal(j.body.details[0].fieldName, 'interval');
  });

  it('400 for malformed JSON and for a body that is not an object', async () => {
    for (const raw of ['{"flow":', 'nul', '[1,2]', '"text"']) {
      const r = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, raw);
      assert.equal(r.status, 400, raw);
      assert.equal(r.body.code, 'bad.request');
    }
  });

  it('400 when a required body is missing', async () => {
    const r = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer);
    assert.equal(r.status, 400);
    assert.equal(r.body.details[0].fieldName, 'body');
  });

  it('415 unsupported.media.type for a non-JSON content type', async () => {
    const r = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, 'phoneNumber=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    assert.equal(r.status, 415);
    assert.equal(r.body.code, 'unsupported.media.type');
  });

  it('413 payload.too.large past request.bytes.max, declared or streamed', async () => {
    const big = JSON.stringify({ phoneNumber: 'x'.repeat(4000) });
    const r = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, big);
    assert.equal(r.status, 413);
    assert.equal(r.body.code, 'payload.too.large');
    assert.equal(r.body.message, 'The request is over the size limit. Maximum bytes: 2048');
    // No content-length: a streamed body is cut off at the limit.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('x'.repeat(500)));
        c.close();
      },
    });
    const res = await fetch(`${emu.url}/api/v2/conversations/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { code: string }).code, 'payload.too.large');
    // A body just under the limit is still read.
    const ok = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, {
      phoneNumber: 'x'.repeat(1900),
    });
    assert.equal(ok.status, 200);
  });

  it('404 not.found for unknown routes and unknown ids, with or without a token', async () => {
    for (const path of ['/api/v2/nope', '/api/v2/conversations/x/y/z', '/', '/api/v2/conversations/']) {
      const r = await api(emu.url, 'GET', path, null);
      assert.equal(r.status, 404, path);
      assert.equal(r.body.code, 'not.found');
    }
    const r = await api(emu.url, 'GET', '/api/v2/conversations/00000000-0000-0000-0000-000000000000', bearer);
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not.found');
  });

  it('405 for a wrong method, naming the allowed ones', async () => {
    const r = await api(emu.url, 'PUT', '/api/v2/conversations/abc', bearer, {});
    assert.equal(r.status, 405);
    assert.equal(r.body.code, 'method.not.allowed');
    assert.equal(r.headers.get('allow'), 'GET, DELETE');
  });
});

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

function randomText(rand: () => number, max: number): string {
  const alphabet = 'abc{}[]":,0123456789 \\/\u00e9\u0000\ud83d\n%?&=';
  let s = '';
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/** Sends raw bytes and collects every status code the server answers with before it closes or goes quiet. */
function rawExchange(port: number, payload: Buffer): Promise<number[]> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(payload));
    const finish = () => {
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve([...text.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1])));
    };
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.setTimeout(1000, finish);
  });
}

describe('fuzzing malformed requests', async () => {
  const emu = await emulator();
  const bearer = await token(emu.url);
  const rand = seededRandom(20240229);
  const paths = [
    '/api/v2/textbots/botflows/sessions',
    '/api/v2/textbots/botflows/sessions/%E0%A4%A/turns',
    '/api/v2/conversations/messages/agentless',
    '/api/v2/conversations/calls',
    '/api/v2/conversations/callbacks',
    '/api/v2/conversations',
    '/api/v2/conversations/%zz',
    '/api/v2/analytics/conversations/details/jobs',
    '/api/v2/analytics/conversations/details/jobs/x/results?pageSize=-1&cursor=%%%',
    '/api/v2/notifications/channels',
    '/api/v2/organizations/limits/namespaces/..',
    '/oauth/token',
    '/__emulator/stats',
    '//api//v2',
  ];
  const bodies = [
    () => randomText(rand, 200),
    () =>
      JSON.stringify({
        flow: pick(rand, [null, 1, 'x', { id: [] }, {}]),
        channel: pick(rand, [null, [], { name: 1 }]),
      }),
    () =>
      JSON.stringify(
        pick(rand, [
          null,
          0,
          [],
          [{}],
          { inputEventType: 'UserInput', inputEventUserInput: { alternatives: [null] } },
        ]),
      ),
    () =>
      JSON.stringify({
        callbackNumbers: pick(rand, [[1], 'x', [], [null]]),
        queueId: pick(rand, [1, null, {}]),
      }),
    () =>
      JSON.stringify({
        interval: pick(rand, [1, '/', 'a/b/c', '2020-01-01T00:00:00Z/2019-01-01T00:00:00Z']),
      }),
    () => '{"a":'.repeat(Math.floor(rand() * 5000)),
    () => '['.repeat(100_000) + ']'.repeat(100_000),
    // Objects whose String() throws, where a route turns a value into display text.
    () =>
      JSON.stringify({
        ...SESSION_BODY,
        channel: { ...SESSION_BODY.channel, userAgent: { name: { toString: 1, valueOf: 2 } } },
      }),
    () => JSON.stringify({ callbackNumbers: ['+1555'], routingData: { queueId: { toString: 1 } } }),
  ];

  it('structured requests: every answer is a 4xx (or 2xx), never a 500, never a crash', async () => {
    const statuses = new Set<number>();
    for (let i = 0; i < 600; i++) {
      const method = pick(rand, ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
      const headers: Record<string, string> = {
        'content-type': pick(rand, [
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          '',
          '*/*;;',
        ]),
      };
      if (!headers['content-type']) delete headers['content-type'];
      const auth = pick(rand, [
        `Bearer ${bearer}`,
        'Bearer',
        'Basic ###',
        `bearer ${bearer}`,
        '',
        'Basic ' + Buffer.from('%zz:%E0%A4%A').toString('base64'),
      ]);
      if (auth) headers.authorization = auth;
      const body = method === 'GET' || method === 'DELETE' ? undefined : pick(rand, bodies)();
      const res = await fetch(emu.url + pick(rand, paths), { method, headers, body });
      await res.arrayBuffer();
      statuses.add(res.status);
      assert.ok(res.status < 500, `status ${res.status}`);
    }
    assert.ok(statuses.size > 4, `varied answers: ${[...statuses]}`);
  });

  it('every body route against every hostile body, with a valid token: no 500', async () => {
    const session = await fetch(`${emu.url}/api/v2/textbots/botflows/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(SESSION_BODY),
    });
    const { id } = (await session.json()) as { id: string };
    const channel = await fetch(`${emu.url}/api/v2/notifications/channels`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}` },
    });
    const { id: channelId } = (await channel.json()) as { id: string };
    const targets = [
      ['POST', '/api/v2/textbots/botflows/sessions'],
      ['POST', `/api/v2/textbots/botflows/sessions/${id}/turns`],
      ['POST', '/api/v2/conversations/messages/agentless'],
      ['POST', '/api/v2/conversations/calls'],
      ['POST', '/api/v2/conversations/callbacks'],
      ['POST', '/api/v2/analytics/conversations/details/jobs'],
      ['POST', '/api/v2/notifications/channels'],
      ['PUT', `/api/v2/notifications/channels/${channelId}/subscriptions`],
      ['POST', `/api/v2/notifications/channels/${channelId}/subscriptions`],
    ];
    for (const [method, path] of targets) {
      for (const make of bodies) {
        for (let k = 0; k < 2; k++) {
          const res = await fetch(emu.url + path, {
            method,
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: make(),
          });
          await res.arrayBuffer();
          assert.ok(res.status < 500, `${method} ${path}: ${res.status}`);
        }
      }
    }
  });

  it('raw malformed HTTP: answered with 4xx or closed, and the server keeps serving', async () => {
    const payloads = [
      'GARBAGE\r\n\r\n',
      'GET /api/v2/conversations HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
      'POST /api/v2/conversations/calls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\nzz\r\n',
      `GET /api/v2/conversations HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`,
      'GET /\u0000 HTTP/1.1\r\n\r\n',
      `POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc`,
    ];
    for (let i = 0; i < 40; i++) payloads.push(randomText(rand, 300) + '\r\n\r\n');
    for (const p of payloads) {
      const statuses = await rawExchange(emu.port, Buffer.from(p, 'latin1'));
      for (const s of statuses)
        assert.ok(s >= 400 && s < 500, `raw status ${s} for ${JSON.stringify(p.slice(0, 60))}`);
    }
    const health = await fetch(`${emu.url}/__emulator/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const byRoute = (emu.stats() as any).requests.byRoute as Record<string, Record<string, number>>;
    for (const [route, counts] of Object.entries(byRoute)) assert.ok(!('500' in counts), `500 on ${route}`);
  });
});
