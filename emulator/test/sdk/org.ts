// The org as the SDK reads it: its token, organization, limits, queues, flows, web deployments, the user a
// client-credentials token does not have, and notification channels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { empty, answer, detail, ok, refused, sdkClient, sdkOrg } from './harness.ts';

describe('the org through the SDK', async () => {
  const sdk = await sdkOrg();

  it('reads the token, checks it with HEAD, and revokes it: the token then answers 401', async () => {
    const own = sdkClient(sdk.emu);
    await own.client.loginClientCredentialsGrant('demo-client', 'demo-secret');
    const info = await ok(own.tokens.getTokensMe(), 200, 'TokenInfo');
    assert.equal(info.OAuthClient.id, 'demo-client');
    assert.equal(info.organization.id, sdk.emu.config.organization.id);
    assert.equal((await answer(own.tokens.headTokensMe())).status, 200);
    await empty(own.tokens.deleteTokensMe(), 204);
    await refused(own.tokens.getTokensMe(), 401, 'bad.credentials');
    assert.equal((await answer(own.tokens.headTokensMe())).status, 401);
    await ok(sdk.tokens.getTokensMe(), 200, 'TokenInfo');
  });

  it('reads the organization and its limits, the defaults alike', async () => {
    const org = await ok(sdk.organization.getOrganizationsMe(), 200, 'Organization');
    assert.equal(org.name, sdk.emu.config.organization.name);
    const namespaces = await ok(sdk.organization.getOrganizationsLimitsNamespaces(), 200);
    assert.ok(namespaces.entities.some((n: any) => n.name === 'platform.api'));
    const limits = await ok(
      sdk.organization.getOrganizationsLimitsNamespace('platform.api'),
      200,
      'LimitsEntityListing',
    );
    const defaults = await ok(
      sdk.organization.getOrganizationsLimitsNamespaceDefaults('platform.api'),
      200,
      'LimitsEntityListing',
    );
    assert.deepEqual(defaults, limits);
    assert.ok(limits.entities.every((l: any) => l.namespace === 'platform.api'));
    await refused(sdk.organization.getOrganizationsLimitsNamespace('no.such.namespace'), 404, 'not.found');
  });

  it('lists the configured queues and flows and refuses unknown ids', async () => {
    const queues = await ok(sdk.routing.getRoutingQueues(), 200, 'QueueEntityListing');
    assert.deepEqual(
      queues.entities.map((q: any) => q.id),
      ['demo-queue'],
    );
    assert.equal(queues.total, 1);
    const named = await ok(sdk.routing.getRoutingQueues({ name: 'demo*' }), 200, 'QueueEntityListing');
    assert.equal(named.entities.length, 1);
    const none = await ok(sdk.routing.getRoutingQueues({ name: 'nothing' }), 200, 'QueueEntityListing');
    assert.equal(none.total, 0);
    await ok(sdk.routing.getRoutingQueue('demo-queue'), 200, 'Queue');
    await refused(sdk.routing.getRoutingQueue('no-such-queue'), 404, 'not.found');
    const bots = await ok(sdk.architect.getFlows({ type: ['digitalbot'] }), 200, 'FlowEntityListing');
    assert.deepEqual(
      bots.entities.map((f: any) => [f.id, f.type]),
      [['demo-bot-flow', 'DIGITALBOT']],
    );
    const calls = await ok(sdk.architect.getFlows({ type: ['inboundcall'] }), 200, 'FlowEntityListing');
    assert.equal(calls.total, 0);
    const big = await refused(sdk.routing.getRoutingQueues({ pageSize: 501 }), 400, 'bad.request');
    assert.deepEqual(detail(big), ['pageSize', 'invalid.value']);
  });

  it('answers users/me for a client-credentials token as the platform does: 400, no user context', async () => {
    await refused(sdk.users.getUsersMe(), 400, 'bad.request');
  });

  it('lists and reads web deployments', async () => {
    const list = await ok(
      sdk.webDeployments.getWebdeploymentsDeployments(),
      200,
      'ExpandableWebDeploymentEntityListing',
    );
    const [first] = list.entities;
    await ok(sdk.webDeployments.getWebdeploymentsDeployment(first.id), 200, 'WebDeployment');
    await refused(sdk.webDeployments.getWebdeploymentsDeployment('no-such-deployment'), 404, 'not.found');
  });

  it('opens a channel, checks it with HEAD, manages its topics and lists the available ones', async () => {
    const n = sdk.notifications;
    const ch = await ok(n.postNotificationsChannels(), 200, 'Channel');
    const list = await ok(n.getNotificationsChannels(), 200, 'ChannelEntityListing');
    assert.ok(list.entities.some((e: any) => e.id === ch.id));
    assert.equal((await answer(n.headNotificationsChannel(ch.id))).status, 200);
    assert.equal((await answer(n.headNotificationsChannel('no-such-channel'))).status, 404);
    const topic = (id: string) => [{ id: `v2.detail.events.conversation.${id}.customer.start` }];
    const put = await ok(
      n.putNotificationsChannelSubscriptions(ch.id, topic('a')),
      200,
      'ChannelTopicEntityListing',
    );
    assert.equal(put.entities.length, 1);
    const post = await ok(
      n.postNotificationsChannelSubscriptions(ch.id, topic('b')),
      200,
      'ChannelTopicEntityListing',
    );
    assert.equal(post.entities.length, 2);
    await ok(n.getNotificationsChannelSubscriptions(ch.id), 200, 'ChannelTopicEntityListing');
    await empty(n.deleteNotificationsChannelSubscriptions(ch.id), 204);
    const emptied = await ok(n.getNotificationsChannelSubscriptions(ch.id), 200, 'ChannelTopicEntityListing');
    assert.equal(emptied.entities.length, 0);
    const topics = await ok(n.getNotificationsAvailabletopics(), 200, 'AvailableTopicEntityListing');
    assert.ok(topics.entities.length > 0);
  });
});
