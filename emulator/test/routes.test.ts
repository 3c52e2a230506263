import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GREETING } from '../bot.ts';
import { api, emulator, SESSION_BODY, sleep, token } from './helpers.ts';

const say = (text: string, previous: string) => ({
  previousTurn: { id: previous },
  inputEventType: 'UserInput',
  inputEventUserInput: { mode: 'Text', alternatives: [{ transcript: { text, confidence: 1 } }] },
});

describe('text bot flow sessions', async () => {
  const emu = await emulator({ bot: { maxTurns: 4 } });
  const bearer = await token(emu.url);
  const turns = (id: string) => `/api/v2/textbots/botflows/sessions/${id}/turns`;

  async function start(): Promise<{ session: string; turn: string }> {
    const s = await api(emu.url, 'POST', '/api/v2/textbots/botflows/sessions', bearer, SESSION_BODY);
    assert.equal(s.status, 200);
    const t = await api(emu.url, 'POST', turns(s.body.id), bearer, { inputEventType: 'NoOp' });
    assert.equal(t.status, 200);
    return { session: s.body.id, turn: t.body.id };
  }

  it('greets, answers keywords, asks for input, and exits after maxTurns', async () => {
    const s = await api(emu.url, 'POST', '/api/v2/textbots/botflows/sessions', bearer, SESSION_BODY);
    const first = await api(emu.url, 'POST', turns(s.body.id), bearer, { inputEventType: 'NoOp' });
    assert.equal(first.body.nextActionType, 'WaitForInput');
    assert.deepEqual(first.body.prompts.textPrompts.segments, [{ text: GREETING, type: 'Text' }]);
    assert.equal(first.body.prompts.outputLanguage, 'en-us');

    const hours = await api(
      emu.url,
      'POST',
      turns(s.body.id),
      bearer,
      say('when are you open?', first.body.id),
    );
    assert.match(hours.body.prompts.textPrompts.segments[0].text, /9am to 5pm/);
    assert.deepEqual(hours.body.previousTurn, { id: first.body.id });
    assert.equal(hours.body.nextActionType, 'WaitForInput');

    const order = await api(
      emu.url,
      'POST',
      turns(s.body.id),
      bearer,
      say('where is my order', hours.body.id),
    );
    assert.match(order.body.prompts.textPrompts.segments[0].text, /order number/);

    // The fourth turn is the last one allowed: the bot answers and exits.
    const last = await api(emu.url, 'POST', turns(s.body.id), bearer, say('it is 12345', order.body.id));
    assert.match(last.body.prompts.textPrompts.segments[0].text, /Order 12345 has shipped/);
    assert.equal(last.body.nextActionType, 'Exit');
    assert.equal(last.body.nextActionExit.reason, 'MaxTurns');

    const after = await api(emu.url, 'POST', turns(s.body.id), bearer, say('hello?', last.body.id));
    assert.equal(after.status, 400);
  });

  it('exits with TransferToAgent when asked for an agent and ends the conversation', async () => {
    const { session, turn } = await start();
    const r = await api(emu.url, 'POST', turns(session), bearer, say('let me talk to an agent', turn));
    assert.equal(r.body.nextActionType, 'Exit');
    assert.equal(r.body.nextActionExit.reason, 'TransferToAgent');
    assert.equal(r.body.nextActionExit.activeIntent, 'Agent');
  });

  it('disconnects on UserDisconnect', async () => {
    const { session, turn } = await start();
    const r = await api(emu.url, 'POST', turns(session), bearer, {
      previousTurn: { id: turn },
      inputEventType: 'UserDisconnect',
    });
    assert.equal(r.body.nextActionType, 'Disconnect');
  });

  it('rejects a stale previousTurn and a UserInput without text', async () => {
    const { session, turn } = await start();
    const stale = await api(emu.url, 'POST', turns(session), bearer, say('hi', 'not-the-last-turn'));
    assert.equal(stale.status, 400);
    assert.equal(stale.body.details[0].fieldName, 'previousTurn.id');
    const empty = await api(emu.url, 'POST', turns(session), bearer, {
      previousTurn: { id: turn },
      inputEventType: 'UserInput',
      inputEventUserInput: { alternatives: [] },
    });
    assert.equal(empty.status, 400);
  });

  it('404 for an unknown session', async () => {
    const r = await api(emu.url, 'POST', turns('nope'), bearer, { inputEventType: 'NoOp' });
    assert.equal(r.status, 404);
    assert.equal(r.body.code, 'not.found');
  });
});

describe('conversations and analytics', async () => {
  // 60x: conversations last 120 emulated s (2 s), analytics lags 60 s (1 s), jobs take 60 s (1 s).
  const emu = await emulator({
    timeScale: 60,
    conversations: { durationSeconds: 120 },
    analytics: { lagSeconds: 60, jobDelaySeconds: 60 },
  });
  const bearer = await token(emu.url);

  it('creates agentless messages, calls and callbacks that GET /api/v2/conversations/{id} returns', async () => {
    const msg = await api(emu.url, 'POST', '/api/v2/conversations/messages/agentless', bearer, {
      fromAddress: '+15550100',
      toAddress: '+15550101',
      toAddressMessengerType: 'sms',
      textBody: 'hello',
    });
    assert.equal(msg.status, 202);
    assert.equal(msg.body.messengerType, 'sms');
    const call = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, {
      phoneNumber: '+15550102',
    });
    assert.equal(call.status, 200);
    const cb = await api(emu.url, 'POST', '/api/v2/conversations/callbacks', bearer, {
      callbackNumbers: ['+15550103'],
      queueId: 'demo-queue',
    });
    assert.equal(cb.status, 200);
    assert.equal(cb.body.callbackIdentifiers.length, 1);
    for (const id of [msg.body.conversationId, call.body.id, cb.body.conversation.id]) {
      const c = await api(emu.url, 'GET', `/api/v2/conversations/${id}`, bearer);
      assert.equal(c.status, 200);
      assert.equal(c.body.id, id);
      assert.equal(c.body.state, 'connected');
      assert.equal(c.body.participants.length, 2);
    }
    const list = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(list.body.entities.length, 3);
  });

  it('DELETE disconnects a conversation; analytics 404s until the lag has passed after its end', async () => {
    const call = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, {
      phoneNumber: '+15550104',
    });
    const id = call.body.id;
    const details = () => api(emu.url, 'GET', `/api/v2/analytics/conversations/${id}/details`, bearer);
    assert.equal((await details()).status, 404);
    assert.equal((await api(emu.url, 'DELETE', `/api/v2/conversations/${id}`, bearer)).status, 202);
    const list = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.ok(
      !list.body.entities.some((c: { id: string }) => c.id === id),
      'ended conversations leave the list',
    );
    const ended = await api(emu.url, 'GET', `/api/v2/conversations/${id}`, bearer);
    assert.equal(ended.body.state, 'disconnected');
    assert.ok(ended.body.endTime);
    await sleep(300);
    assert.equal((await details()).status, 404, 'still inside the analytics lag');
    await sleep(900);
    const d = await details();
    assert.equal(d.status, 200);
    assert.equal(d.body.conversationId, id);
    assert.equal(d.body.conversationEnd, ended.body.endTime);
    assert.deepEqual(Object.keys(d.body).sort(), [
      'conversationEnd',
      'conversationId',
      'conversationStart',
      'divisionIds',
      'originatingDirection',
      'participants',
    ]);
  });

  it('details jobs go QUEUED then FULFILLED and page results with a cursor', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 5; i++) {
      const call = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, {
        phoneNumber: `+1555020${i}`,
      });
      await api(emu.url, 'DELETE', `/api/v2/conversations/${call.body.id}`, bearer);
    }
    await sleep(1200); // past the analytics lag (1 s)
    const interval = `${since}/${new Date(Date.now() + 1000).toISOString()}`;
    const created = await api(emu.url, 'POST', '/api/v2/analytics/conversations/details/jobs', bearer, {
      interval,
    });
    assert.equal(created.status, 202);
    const jobId = created.body.jobId;
    const status = await api(emu.url, 'GET', `/api/v2/analytics/conversations/details/jobs/${jobId}`, bearer);
    assert.equal(status.body.state, 'QUEUED');
    const early = await api(
      emu.url,
      'GET',
      `/api/v2/analytics/conversations/details/jobs/${jobId}/results`,
      bearer,
    );
    assert.equal(early.status, 400);
    await sleep(1100);
    const done = await api(emu.url, 'GET', `/api/v2/analytics/conversations/details/jobs/${jobId}`, bearer);
    assert.equal(done.body.state, 'FULFILLED');
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const q = `pageSize=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api(
        emu.url,
        'GET',
        `/api/v2/analytics/conversations/details/jobs/${jobId}/results?${q}`,
        bearer,
      );
      assert.equal(page.status, 200);
      seen.push(...page.body.conversations.map((c: { conversationId: string }) => c.conversationId));
      cursor = page.body.cursor;
      pages++;
    } while (cursor);
    assert.ok(seen.length >= 5);
    assert.equal(new Set(seen).size, seen.length);
    assert.equal(pages, Math.ceil(seen.length / 2));
    const bad = await api(
      emu.url,
      'GET',
      `/api/v2/analytics/conversations/details/jobs/${jobId}/results?pageSize=0`,
      bearer,
    );
    assert.equal(bad.status, 400);
    assert.equal(bad.body.details[0].fieldName, 'pageSize');
    assert.equal(
      (await api(emu.url, 'GET', '/api/v2/analytics/conversations/details/jobs/nope', bearer)).status,
      404,
    );
  });
});

describe('notification channels', async () => {
  const emu = await emulator();
  const bearer = await token(emu.url);

  it('creates channels with a connectUri; the 21st evicts the oldest', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 21; i++) {
      const r = await api(emu.url, 'POST', '/api/v2/notifications/channels', bearer);
      assert.equal(r.status, 200);
      assert.match(r.body.connectUri, /^ws:\/\/127\.0\.0\.1:\d+\/channels\//);
      assert.ok(Date.parse(r.body.expires) > Date.now());
      ids.push(r.body.id);
    }
    const list = await api(emu.url, 'GET', '/api/v2/notifications/channels', bearer);
    const listed = list.body.entities.map((c: { id: string }) => c.id);
    assert.equal(listed.length, 20);
    assert.ok(!listed.includes(ids[0]));
    assert.ok(listed.includes(ids[20]));
    assert.equal(
      (await api(emu.url, 'GET', `/api/v2/notifications/channels/${ids[0]}/subscriptions`, bearer)).status,
      404,
    );
  });

  it('PUT replaces and POST adds subscriptions', async () => {
    const ch = await api(emu.url, 'POST', '/api/v2/notifications/channels', bearer);
    const path = `/api/v2/notifications/channels/${ch.body.id}/subscriptions`;
    const put = await api(emu.url, 'PUT', path, bearer, [
      { id: 'v2.detail.events.conversation.1.customer.start' },
    ]);
    assert.deepEqual(put.body.entities, [{ id: 'v2.detail.events.conversation.1.customer.start' }]);
    await api(emu.url, 'POST', path, bearer, [{ id: 'channel.metadata' }]);
    const got = await api(emu.url, 'GET', path, bearer);
    assert.equal(got.body.entities.length, 2);
    const cleared = await api(emu.url, 'DELETE', path, bearer);
    assert.equal(cleared.status, 204);
    assert.equal(cleared.headers.get('content-length'), null);
    assert.ok(cleared.headers.get('inin-correlation-id'));
    assert.deepEqual((await api(emu.url, 'GET', path, bearer)).body.entities, []);
    const bad = await api(emu.url, 'PUT', path, bearer, { id: 'x' });
    assert.equal(bad.status, 400);
  });
});

describe('organization limits', async () => {
  const emu = await emulator({ limits: { 'platform.api': { 'token.rate.per.minute': 123 } } });
  const bearer = await token(emu.url);

  it('reports the configured limits of a namespace', async () => {
    const r = await api(emu.url, 'GET', '/api/v2/organizations/limits/namespaces/platform.api', bearer);
    assert.equal(r.status, 200);
    const values = Object.fromEntries(
      r.body.entities.map((e: { key: string; value: number }) => [e.key, e.value]),
    );
    assert.equal(values['token.rate.per.minute'], 123);
    assert.equal(values['org.app.user.rate.per.minute'], 3000);
    assert.equal(values['request.bytes.max'], 512000);
    assert.equal(
      (await api(emu.url, 'GET', '/api/v2/organizations/limits/namespaces/nope', bearer)).status,
      404,
    );
  });
});

describe('POST /__emulator/reset', async () => {
  const emu = await emulator();
  const bearer = await token(emu.url);

  it('forgets conversations but keeps tokens, unless tokens=true', async () => {
    const call = await api(emu.url, 'POST', '/api/v2/conversations/calls', bearer, {
      phoneNumber: '+15550300',
    });
    assert.equal((await api(emu.url, 'POST', '/__emulator/reset', null)).status, 200);
    assert.equal((await api(emu.url, 'GET', `/api/v2/conversations/${call.body.id}`, bearer)).status, 404);
    assert.deepEqual((await api(emu.url, 'GET', '/api/v2/conversations', bearer)).body.entities, []);
    assert.equal((await api(emu.url, 'GET', '/__emulator/reset', null)).status, 405);
    assert.equal((await api(emu.url, 'POST', '/__emulator/reset?tokens=true', null)).status, 200);
    const r = await api(emu.url, 'GET', '/api/v2/conversations', bearer);
    assert.equal(r.status, 401);
    assert.equal(r.body.code, 'bad.credentials');
  });
});
