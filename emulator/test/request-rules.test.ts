// The rules beyond JSON types on calls and agentless messages: the SDK docs' required fields and limits, and
// the emulator's documented choices where the platform's behaviour is not published.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { api, emulator, token } from './helpers.ts';
import { mismatches } from './sdk-models.ts';

const CALLS = '/api/v2/conversations/calls';
const AGENTLESS = '/api/v2/conversations/messages/agentless';

describe('rules on calls and agentless messages', async () => {
  const emu = await emulator();
  const bearer = await token(emu.url);
  const post = (path: string, body: unknown) => api(emu.url, 'POST', path, bearer, body);

  async function refused(
    path: string,
    body: unknown,
    fieldName: string,
    errorCode: string,
    message?: RegExp,
  ) {
    const r = await post(path, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.deepEqual(mismatches(r.body, 'ErrorBody'), []);
    assert.equal(r.body.code, 'bad.request');
    assert.deepEqual(r.body.details, [{ errorCode, fieldName }], JSON.stringify(body));
    if (message) assert.match(r.body.message, message);
  }

  it('a call needs exactly one target, a conference at least one reachable destination', async () => {
    await refused(CALLS, { callerId: '+15550100' }, 'phoneNumber', 'missing.required.field');
    await refused(CALLS, { phoneNumber: '', callUserId: null }, 'phoneNumber', 'missing.required.field');
    await refused(
      CALLS,
      { phoneNumber: '+15550100', callQueueId: 'demo-queue' },
      'callQueueId',
      'invalid.value',
      /give one of phoneNumber, callUserId, callQueueId, participants, conversationIds; phoneNumber is given/,
    );
    await refused(CALLS, { participants: [] }, 'participants', 'invalid.value');
    await refused(CALLS, { conversationIds: [] }, 'conversationIds', 'invalid.value');
    await refused(CALLS, { conversationIds: ['c-1', ''] }, 'conversationIds[1]', 'missing.required.field');
    await refused(
      CALLS,
      { participants: [{ address: '+15550101' }, { name: 'nobody' }] },
      'participants[1].address',
      'missing.required.field',
    );
    await refused(CALLS, { participants: [null] }, 'participants[0]', 'invalid.value');
    // The Java SDK declares priority an Integer.
    await refused(CALLS, { callQueueId: 'demo-queue', priority: 1.5 }, 'priority', 'invalid.value');
  });

  it('a conference has one customer per destination', async () => {
    const r = await post(CALLS, { participants: [{ address: '+15550101' }, { userId: 'user-2' }] });
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'Conference');
    const c = await api(emu.url, 'GET', `/api/v2/conversations/${r.body.id}`, bearer);
    assert.deepEqual(
      c.body.participants.map((p: { purpose: string; address?: string }) => [p.purpose, p.address]),
      [
        ['agent', undefined],
        ['customer', '+15550101'],
        ['customer', 'user-2'],
      ],
    );
  });

  const sms = { fromAddress: '+15550100', toAddress: '+15550101', toAddressMessengerType: 'sms' };
  const whatsapp = { ...sms, toAddressMessengerType: 'whatsapp' };
  const template = { responseId: 'response-1', bodyParameters: [{ id: 'name', value: 'Ada' }] };

  it('textBody and messagingTemplate are never sent together', async () => {
    for (const base of [sms, whatsapp])
      await refused(
        AGENTLESS,
        { ...base, textBody: 'hi', messagingTemplate: template },
        'messagingTemplate',
        'invalid.value',
        /textBody and messagingTemplate cannot be sent together/,
      );
  });

  it('SMS and open messaging send textBody, WhatsApp an approved template (the SDK docs)', async () => {
    await refused(AGENTLESS, { ...sms, messagingTemplate: template }, 'textBody', 'missing.required.field');
    await refused(
      AGENTLESS,
      { ...sms, toAddressMessengerType: 'open' },
      'textBody',
      'missing.required.field',
    );
    await refused(AGENTLESS, { ...whatsapp, textBody: 'hi' }, 'messagingTemplate', 'missing.required.field');
    await refused(AGENTLESS, whatsapp, 'messagingTemplate', 'missing.required.field');
    const ok = await post(AGENTLESS, { ...whatsapp, messagingTemplate: template });
    assert.equal(ok.status, 202);
    assert.equal(ok.body.messengerType, 'whatsapp');
  });

  it('textBody holds at most 765 characters on SMS and 2000 elsewhere (the SDK docs)', async () => {
    assert.equal((await post(AGENTLESS, { ...sms, textBody: 'x'.repeat(765) })).status, 202);
    await refused(
      AGENTLESS,
      { ...sms, textBody: 'x'.repeat(766) },
      'textBody',
      'invalid.value',
      /at most 765/,
    );
    const open = { ...sms, toAddressMessengerType: 'open', toAddress: 'user@example.com' };
    assert.equal((await post(AGENTLESS, { ...open, textBody: 'x'.repeat(2000) })).status, 202);
    await refused(
      AGENTLESS,
      { ...open, textBody: 'x'.repeat(2001) },
      'textBody',
      'invalid.value',
      /at most 2000/,
    );
  });

  it('a template names its response, and each parameter its id and value', async () => {
    await refused(
      AGENTLESS,
      { ...whatsapp, messagingTemplate: {} },
      'messagingTemplate.responseId',
      'missing.required.field',
    );
    await refused(
      AGENTLESS,
      { ...whatsapp, messagingTemplate: { responseId: 'r', headerParameters: [{ value: 'x' }] } },
      'messagingTemplate.headerParameters[0].id',
      'missing.required.field',
    );
    await refused(
      AGENTLESS,
      { ...whatsapp, messagingTemplate: { responseId: 'r', parameters: [{ id: 'name' }] } },
      'messagingTemplate.parameters[0].value',
      'missing.required.field',
    );
    await refused(
      AGENTLESS,
      {
        ...whatsapp,
        messagingTemplate: {
          responseId: 'r',
          carouselParameters: { cardParameters: [{ bodyParameters: [{ value: 'v' }] }] },
        },
      },
      'messagingTemplate.carouselParameters.cardParameters[0].bodyParameters[0].id',
      'missing.required.field',
    );
  });

  it('the messenger type is one of the SDK enum values, the recipient an address or an external contact', async () => {
    // ToAddressMessengerTypeEnum: sms, whatsapp, open (and the SDK's own OutdatedSdkVersion placeholder).
    for (const t of ['facebook', 'OutdatedSdkVersion', 'SMS'])
      await refused(
        AGENTLESS,
        { ...sms, toAddressMessengerType: t, textBody: 'hi' },
        'toAddressMessengerType',
        'invalid.value',
      );
    await refused(
      AGENTLESS,
      { fromAddress: 'a', toAddressMessengerType: 'sms', textBody: 'hi' },
      'toAddress',
      'missing.required.field',
    );
    await refused(
      AGENTLESS,
      { toAddress: 'b', toAddressMessengerType: 'sms', textBody: 'hi' },
      'fromAddress',
      'missing.required.field',
    );
    const r = await post(AGENTLESS, {
      fromAddress: 'a',
      externalContactId: 'contact-1',
      toAddressMessengerType: 'sms',
      textBody: 'hi',
    });
    assert.equal(r.status, 202);
    assert.equal(r.body.toAddress, undefined);
  });
});
