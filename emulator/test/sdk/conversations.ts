// Conversations through the SDK: creating each media, reading them back in the SDK's models (participants
// with their communications), updating, disconnecting, and the refusals an integrator meets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { empty, detail, ok, refused, sdkOrg } from './harness.ts';

const SMS = {
  fromAddress: '+15550100',
  toAddress: '+15550101',
  toAddressMessengerType: 'sms',
  textBody: 'hi',
};

describe('conversations through the SDK', async () => {
  const sdk = await sdkOrg();
  const c = sdk.conversations;

  it('sends an agentless message and reads its conversation, message conversation and message details', async () => {
    const sent = await ok(
      c.postConversationsMessagesAgentless(SMS),
      202,
      'SendAgentlessOutboundMessageResponse',
    );
    const conv = await ok(c.getConversation(sent.conversationId), 200, 'Conversation');
    assert.equal(conv.participants.length, 2);
    for (const p of conv.participants) {
      assert.equal(p.messages.length, 1, 'a message participant has one message communication');
      assert.equal(typeof p.messages[0].id, 'string');
      assert.notEqual(p.messages[0].id, p.id, 'the communication has an id of its own');
      assert.equal(p.messages[0].state, 'connected');
    }
    const mc = await ok(c.getConversationsMessage(sent.conversationId), 200, 'MessageConversation');
    const agent = mc.participants.find((p: any) => p.purpose === 'agent');
    assert.deepEqual(
      agent.messages.map((m: any) => m.messageId),
      [sent.id],
    );
    const data = await ok(c.getConversationsMessageDetails(sent.id), 200, 'MessageData');
    assert.equal(data.conversationId, sent.conversationId);
    assert.equal(data.messengerType, 'sms');
    await refused(c.getConversationsMessageDetails('no-such-message'), 404, 'not.found');
  });

  it('places a call, lists it under communicationType=Call only, and pages the listing', async () => {
    const call = await ok(c.postConversationsCalls({ phoneNumber: '+15550102' }), 200, 'CreateCallResponse');
    await ok(c.postConversationsMessagesAgentless(SMS), 202, 'SendAgentlessOutboundMessageResponse');
    const all = await ok(c.getConversations(), 200, 'ConversationEntityListing');
    const calls = await ok(
      c.getConversations({ communicationType: 'Call' }),
      200,
      'ConversationEntityListing',
    );
    assert.ok(all.entities.length > calls.entities.length);
    assert.ok(calls.entities.some((e: any) => e.id === call.id));
    for (const e of calls.entities) assert.ok(e.participants.every((p: any) => p.calls?.length === 1));
    assert.equal(calls.pageNumber, 1);
    assert.equal(calls.total, calls.entities.length);
    assert.ok(calls.pageSize >= calls.entities.length && calls.pageSize <= 100);
    const bad = await refused(c.getConversations({ communicationType: 'Pigeon' }), 400, 'bad.request');
    assert.deepEqual(detail(bad), ['communicationType', 'invalid.value']);
  });

  it('schedules a callback on a configured queue and refuses an unknown one', async () => {
    const body = { callbackNumbers: ['+15550103'], queueId: 'demo-queue' };
    const cb = await ok(c.postConversationsCallbacks(body), 200, 'CreateCallbackResponse');
    const conv = await ok(c.getConversation(cb.conversation.id), 200, 'Conversation');
    assert.ok(conv.participants.every((p: any) => p.callbacks?.length === 1));
    const bad = await refused(
      c.postConversationsCallbacks({ ...body, queueId: 'no-such-queue' }),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(bad), ['queueId', 'invalid.value']);
    const q = await refused(c.postConversationsCalls({ callQueueId: 'no-such-queue' }), 400, 'bad.request');
    assert.deepEqual(detail(q), ['callQueueId', 'invalid.value']);
  });

  it('a fixed path is not taken for a conversation id', async () => {
    // GET /api/v2/conversations/callbacks is a platform route the emulator does not serve: a 405, not a 404
    // saying conversation "callbacks" was not found.
    const body = await refused(c.getConversationsCallbacks(), 405, 'method.not.allowed');
    assert.doesNotMatch(body.message, /was not found/);
  });

  it('disconnects one participant with PATCH (202), then the whole conversation (202)', async () => {
    const sent = await ok(
      c.postConversationsMessagesAgentless(SMS),
      202,
      'SendAgentlessOutboundMessageResponse',
    );
    const before = await ok(c.getConversation(sent.conversationId), 200, 'Conversation');
    const [first, second] = before.participants;
    await empty(
      c.patchConversationParticipant(sent.conversationId, first.id, { state: 'disconnected' }),
      202,
    );
    const mid = await ok(c.getConversation(sent.conversationId), 200, 'Conversation');
    assert.equal(mid.state, 'connected');
    const left = mid.participants.find((p: any) => p.id === first.id);
    assert.equal(left.messages[0].state, 'disconnected');
    assert.equal(typeof left.endTime, 'string');
    const bad = await refused(
      c.patchConversationParticipant(sent.conversationId, second.id, { state: 'flying' }),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(bad), ['state', 'invalid.value']);
    await refused(
      c.patchConversationParticipant(sent.conversationId, 'nobody', { held: true }),
      404,
      'not.found',
    );
    await empty(c.postConversationDisconnect(sent.conversationId), 202);
    const after = await ok(c.getConversation(sent.conversationId), 200, 'Conversation');
    assert.equal(after.state, 'disconnected');
    assert.ok(after.participants.every((p: any) => p.messages[0].state === 'disconnected'));
    await refused(c.postConversationDisconnect('no-such-conversation'), 404, 'not.found');
  });

  it('ends a call with DELETE and refuses unknown conversations with 404', async () => {
    const call = await ok(c.postConversationsCalls({ phoneNumber: '+15550104' }), 200, 'CreateCallResponse');
    await empty(c.deleteConversation(call.id), 202);
    const ended = await ok(c.getConversation(call.id), 200, 'Conversation');
    assert.equal(typeof ended.endTime, 'string');
    await refused(c.getConversation('no-such-conversation'), 404, 'not.found');
    await refused(c.getConversationsMessage(call.id), 404, 'not.found');
  });
});
