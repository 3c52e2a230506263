// Analytics through the SDK: conversations end at once and reach analytics without lag, so details, queries,
// aggregates and jobs read them straight away; jobs that fail or expire come from orgs configured so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from '../helpers.ts';
import { detail, empty, ok, refused, sdkOrg } from './harness.ts';

const INSTANT = {
  conversations: { durationSeconds: 0 },
  analytics: { lagSeconds: 0, jobDelaySeconds: 0 },
};
const interval = () =>
  `${new Date(Date.now() - 60_000).toISOString()}/${new Date(Date.now() + 60_000).toISOString()}`;

describe('analytics through the SDK', async () => {
  const sdk = await sdkOrg(INSTANT);
  const a = sdk.analytics;
  const ids: string[] = [];
  for (const phoneNumber of ['+15550110', '+15550111', '+15550112'])
    ids.push(
      (await ok(sdk.conversations.postConversationsCalls({ phoneNumber }), 200, 'CreateCallResponse')).id,
    );
  const cb = { callbackNumbers: ['+15550113'], queueId: 'demo-queue' };
  const callback = await ok(sdk.conversations.postConversationsCallbacks(cb), 200, 'CreateCallbackResponse');
  ids.push(callback.conversation.id);

  it('reads one conversation and a batch by id, leaving unknown ids out', async () => {
    const one = await ok(
      a.getAnalyticsConversationDetails(ids[0]),
      200,
      'AnalyticsConversationWithoutAttributes',
    );
    assert.equal(one.conversationId, ids[0]);
    const batch = await ok(
      a.getAnalyticsConversationsDetails({ id: [ids[0], ids[1], 'no-such-conversation'] }),
      200,
      'AnalyticsConversationWithoutAttributesMultiGetResponse',
    );
    assert.deepEqual(
      batch.conversations.map((c: any) => c.conversationId),
      [ids[0], ids[1]],
    );
    await refused(a.getAnalyticsConversationDetails('no-such-conversation'), 404, 'not.found');
  });

  it('pages a details query and reports totalHits', async () => {
    const body = { interval: interval(), paging: { pageSize: 3, pageNumber: 1 } };
    const first = await ok(
      a.postAnalyticsConversationsDetailsQuery(body),
      200,
      'AnalyticsConversationQueryResponse',
    );
    assert.equal(first.totalHits, 4);
    assert.equal(first.conversations.length, 3);
    const second = await ok(
      a.postAnalyticsConversationsDetailsQuery({ ...body, paging: { pageSize: 3, pageNumber: 2 } }),
      200,
      'AnalyticsConversationQueryResponse',
    );
    assert.equal(second.conversations.length, 1);
    const bad = await refused(
      a.postAnalyticsConversationsDetailsQuery({ ...body, paging: { pageSize: 101, pageNumber: 1 } }),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(bad), ['paging.pageSize', 'invalid.value']);
  });

  it('aggregates the supported metrics, grouped, and refuses another metric', async () => {
    const metrics = ['nConversations', 'tConversationDuration', 'nOffered', 'nFlow', 'tFlow'];
    const r = await ok(
      a.postAnalyticsConversationsAggregatesQuery({ interval: interval(), metrics, groupBy: ['mediaType'] }),
      200,
      'ConversationAggregateQueryResponse',
    );
    const byMedia = Object.fromEntries(r.results.map((x: any) => [x.group.mediaType, x.data[0].metrics]));
    const n = (media: string, metric: string) =>
      byMedia[media].find((m: any) => m.metric === metric)?.stats.count;
    assert.equal(n('call', 'nConversations'), 3);
    assert.equal(n('callback', 'nConversations'), 1);
    assert.equal(n('callback', 'nOffered'), 1, 'the callback waits in a queue');
    assert.equal(n('call', 'nOffered'), undefined);
    const bad = await refused(
      a.postAnalyticsConversationsAggregatesQuery({
        interval: interval(),
        metrics: ['nConversations', 'tTalk'],
      }),
      400,
      'bad.request',
    );
    assert.deepEqual(detail(bad), ['metrics[1]', 'invalid.value']);
  });

  it('runs a details job to its results, reports availability, and deletes the job (204)', async () => {
    const job = await ok(
      a.postAnalyticsConversationsDetailsJobs({ interval: interval() }),
      202,
      'AsyncQueryResponse',
    );
    const status = await ok(a.getAnalyticsConversationsDetailsJob(job.jobId), 200, 'AsyncQueryStatus');
    assert.equal(status.state, 'FULFILLED');
    assert.ok(Date.parse(status.expirationDate) > Date.now());
    const results = await ok(
      a.getAnalyticsConversationsDetailsJobResults(job.jobId, { pageSize: 2 }),
      200,
      'AnalyticsConversationAsyncQueryResponse',
    );
    assert.equal(results.conversations.length, 2);
    assert.equal(typeof results.cursor, 'string');
    await ok(a.getAnalyticsConversationsDetailsJobsAvailability(), 200, 'DataAvailabilityResponse');
    await empty(a.deleteAnalyticsConversationsDetailsJob(job.jobId), 204);
    await refused(a.getAnalyticsConversationsDetailsJob(job.jobId), 404, 'not.found');
    await refused(a.deleteAnalyticsConversationsDetailsJob(job.jobId), 404, 'not.found');
  });

  it('ends a job FAILED for the configured share, and EXPIRED once its results are gone', async () => {
    const failing = await sdkOrg({ ...INSTANT, analytics: { ...INSTANT.analytics, jobFailureShare: 1 } });
    const job = await ok(
      failing.analytics.postAnalyticsConversationsDetailsJobs({ interval: interval() }),
      202,
      'AsyncQueryResponse',
    );
    const failed = await ok(
      failing.analytics.getAnalyticsConversationsDetailsJob(job.jobId),
      200,
      'AsyncQueryStatus',
    );
    assert.equal(failed.state, 'FAILED');
    assert.equal(typeof failed.errorMessage, 'string');
    await refused(
      failing.analytics.getAnalyticsConversationsDetailsJobResults(job.jobId),
      400,
      'bad.request',
    );
    // One emulated second of expiry at 100x: 10 ms of real time.
    const expiring = await sdkOrg({
      ...INSTANT,
      timeScale: 100,
      analytics: { ...INSTANT.analytics, jobExpirySeconds: 1 },
    });
    const short = await ok(
      expiring.analytics.postAnalyticsConversationsDetailsJobs({ interval: interval() }),
      202,
      'AsyncQueryResponse',
    );
    await sleep(50);
    const expired = await ok(
      expiring.analytics.getAnalyticsConversationsDetailsJob(short.jobId),
      200,
      'AsyncQueryStatus',
    );
    assert.equal(expired.state, 'EXPIRED');
    await refused(
      expiring.analytics.getAnalyticsConversationsDetailsJobResults(short.jobId),
      404,
      'not.found',
    );
  });
});
