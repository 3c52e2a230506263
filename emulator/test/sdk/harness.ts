// The emulator as an integrator's code sees it: the official JavaScript SDK pointed at it with setGateway,
// its answers read with extended responses (status, headers, body) and held against the SDK's models.
// Every emulator started here is remembered, so the cross-check can tell which routes the SDK drove.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import platformClient from 'purecloud-platform-client-v2';
import type { ConfigOverrides } from '../../config.ts';
import { startEmulator, type Emulator } from '../../server.ts';
import { DEMO } from '../helpers.ts';
import { mismatches } from '../sdk-models.ts';

type ApiClient = typeof platformClient.ApiClient;
const ApiClientClass = (platformClient as unknown as { ApiClientClass: new () => ApiClient }).ApiClientClass;

/** Every emulator the SDK tests started, open or closed: their stats say which routes were driven. */
export const started: Emulator[] = [];

export interface Sdk {
  client: ApiClient;
  conversations: InstanceType<typeof platformClient.ConversationsApi>;
  analytics: InstanceType<typeof platformClient.AnalyticsApi>;
  textbots: InstanceType<typeof platformClient.TextbotsApi>;
  notifications: InstanceType<typeof platformClient.NotificationsApi>;
  organization: InstanceType<typeof platformClient.OrganizationApi>;
  tokens: InstanceType<typeof platformClient.TokensApi>;
  routing: InstanceType<typeof platformClient.RoutingApi>;
  architect: InstanceType<typeof platformClient.ArchitectApi>;
  users: InstanceType<typeof platformClient.UsersApi>;
  webDeployments: InstanceType<typeof platformClient.WebDeploymentsApi>;
}

/** An SDK client of its own pointed at `emu`, not logged in. */
export function sdkClient(emu: Emulator): Sdk {
  const client = new ApiClientClass();
  client.setGateway({ host: emu.host, protocol: 'http', port: emu.port });
  client.setReturnExtendedResponses(true);
  return {
    client,
    conversations: new platformClient.ConversationsApi(client),
    analytics: new platformClient.AnalyticsApi(client),
    textbots: new platformClient.TextbotsApi(client),
    notifications: new platformClient.NotificationsApi(client),
    organization: new platformClient.OrganizationApi(client),
    tokens: new platformClient.TokensApi(client),
    routing: new platformClient.RoutingApi(client),
    architect: new platformClient.ArchitectApi(client),
    users: new platformClient.UsersApi(client),
    webDeployments: new platformClient.WebDeploymentsApi(client),
  };
}

/** An emulator closed when the test file ends, and an SDK client logged in to it. */
export async function sdkOrg(
  overrides: ConfigOverrides = {},
  credentials = DEMO,
): Promise<Sdk & { emu: Emulator }> {
  const emu = await startEmulator({ port: 0, ...overrides });
  started.push(emu);
  after(() => emu.close());
  const sdk = sdkClient(emu);
  await sdk.client.loginClientCredentialsGrant(credentials.id, credentials.secret);
  return { ...sdk, emu };
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: any;
}

/** What the SDK resolved or rejected with: with extended responses both carry status, headers and body. */
export async function answer(call: Promise<unknown>): Promise<Answer> {
  let r: any;
  try {
    r = await call;
  } catch (err: any) {
    if (typeof err?.status !== 'number') throw err;
    r = err;
  }
  return { status: r.status, headers: r.headers ?? {}, body: r.body };
}

/** The call answered `status` with a body in `model`'s shape; without a model (the SDK's `object`), any JSON. */
export async function ok(call: Promise<unknown>, status: number, model?: string): Promise<any> {
  const a = await answer(call);
  assert.equal(a.status, status, JSON.stringify(a.body));
  if (model) assert.deepEqual(mismatches(a.body, model), [], `${model}: ${JSON.stringify(a.body)}`);
  return a.body;
}

/** The call answered `status` with no body, as the SDK's `Promise<void>` (and disconnect's) expect. */
export async function empty(call: Promise<unknown>, status: number): Promise<void> {
  const a = await answer(call);
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.ok(a.body === undefined || a.body === '' || a.body === null, JSON.stringify(a.body));
}

/** The call was refused with `status`, an SDK ErrorBody whose code is `code`; returns that body. */
export async function refused(call: Promise<unknown>, status: number, code: string): Promise<any> {
  const a = await answer(call);
  assert.equal(a.status, status, JSON.stringify(a.body));
  assert.deepEqual(mismatches(a.body, 'ErrorBody'), [], JSON.stringify(a.body));
  assert.equal(a.body.code, code, JSON.stringify(a.body));
  assert.equal(a.body.status, status);
  assert.equal(a.body.contextId, a.headers['inin-correlation-id']);
  return a.body;
}

/** The fieldName of a 400's only detail, and its errorCode. */
export function detail(body: any): [string, string] {
  assert.equal(body.details.length, 1, JSON.stringify(body));
  return [body.details[0].fieldName, body.details[0].errorCode];
}
