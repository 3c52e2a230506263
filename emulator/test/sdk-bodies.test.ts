// Request and response bodies held against the SDK's models: every field the SDK declares is accepted with
// its declared JSON type and refused with any other, the 400 naming it; answers carry the SDK's fields only.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, emulator, token } from './helpers.ts';
import { mismatches, sample, wrongTyped } from './sdk-models.ts';

const CALLS = '/api/v2/conversations/calls';
const AGENTLESS = '/api/v2/conversations/messages/agentless';

const without = (o: unknown, ...keys: string[]) =>
  Object.fromEntries(Object.entries(o as Record<string, unknown>).filter(([k]) => !keys.includes(k)));

describe('request and response bodies against the SDK models', async () => {
  // The samples name queue "sample": the emulator refuses queues the org does not have.
  const emu = await emulator({ queues: [{ id: 'sample' }] });
  const bearer = await token(emu.url);
  const post = (path: string, body: unknown) => api(emu.url, 'POST', path, bearer, body);

  async function refusedNaming(path: string, body: unknown, fieldName: string): Promise<void> {
    const r = await post(path, body);
    assert.equal(r.status, 400, `${fieldName}: ${JSON.stringify(body)}`);
    assert.deepEqual(mismatches(r.body, 'ErrorBody'), [], 'the 400 is an SDK ErrorBody');
    assert.equal(r.body.code, 'bad.request');
    assert.equal(r.body.status, 400);
    assert.equal(r.body.contextId, r.headers.get('inin-correlation-id'));
    assert.deepEqual(
      r.body.details.map((d: { fieldName: string }) => d.fieldName),
      [fieldName],
      JSON.stringify(body),
    );
  }

  it('accepts a CreateCallRequest with every SDK field (one call target) and answers a CreateCallResponse', async () => {
    // The targets are alternatives: a number, a user, a queue, or a conference of destinations or calls.
    const body = without(
      sample('Models.CreateCallRequest'),
      'callUserId',
      'callQueueId',
      'participants',
      'conversationIds',
    );
    assert.deepEqual(mismatches(body, 'CreateCallRequest'), []);
    const r = await post(CALLS, body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(mismatches(r.body, 'CreateCallResponse'), []);
    for (const target of ['callUserId', 'callQueueId', 'participants', 'conversationIds']) {
      const alone = { [target]: (sample('Models.CreateCallRequest') as Record<string, unknown>)[target] };
      const t = await post(CALLS, alone);
      assert.equal(t.status, 200, `${target}: ${JSON.stringify(t.body)}`);
      assert.deepEqual(mismatches(t.body, 'CreateCallResponse'), []);
    }
  });

  it('refuses each CreateCallRequest and Destination field of another JSON type, naming it', async () => {
    const cases = [...wrongTyped('CreateCallRequest', { phoneNumber: '+15550100' }, (o) => o)];
    assert.ok(cases.some(([f]) => f === 'participants[0].address'));
    for (const [field, body] of cases) await refusedNaming(CALLS, body, field);
  });

  const sms = {
    fromAddress: '+15550100',
    toAddress: '+15550101',
    toAddressMessengerType: 'sms',
    textBody: 'hello',
  };

  it('accepts SendAgentlessOutboundMessageRequests with every SDK field and answers the SDK response', async () => {
    const all = sample('Models.SendAgentlessOutboundMessageRequest') as Record<string, unknown>;
    // textBody is for SMS and open messaging, messagingTemplate for WhatsApp: never both.
    const text = { ...without(all, 'messagingTemplate'), toAddressMessengerType: 'sms' };
    const templated = { ...without(all, 'textBody'), toAddressMessengerType: 'whatsapp' };
    for (const body of [text, templated]) {
      assert.deepEqual(mismatches(body, 'SendAgentlessOutboundMessageRequest'), []);
      const r = await post(AGENTLESS, body);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      assert.deepEqual(mismatches(r.body, 'SendAgentlessOutboundMessageResponse'), []);
      assert.equal(r.body.messengerType, body.toAddressMessengerType);
    }
  });

  it('refuses each agentless field and template field of another JSON type, naming it', async () => {
    const cases = [...wrongTyped('SendAgentlessOutboundMessageRequest', sms, (o) => o)];
    for (const f of ['messagingTemplate.parameters[0].value', 'messagingTemplate.responseId'])
      assert.ok(
        cases.some(([name]) => name === f),
        f,
      );
    for (const [field, body] of cases) await refusedNaming(AGENTLESS, body, field);
  });
});
