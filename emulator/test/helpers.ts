// Shared test plumbing: an in-process emulator and small request helpers.
import { after } from 'node:test';
import type { ConfigOverrides } from '../config.ts';
import { startEmulator, type Emulator } from '../server.ts';

export const DEMO = { id: 'demo-client', secret: 'demo-secret' };

/** Starts an emulator on a free port that is closed when the test file ends. */
export async function emulator(overrides: ConfigOverrides = {}): Promise<Emulator> {
  const emu = await startEmulator({ port: 0, ...overrides });
  after(() => emu.close());
  return emu;
}

export function basic(id: string, secret: string): string {
  return 'Basic ' + Buffer.from(`${id}:${secret}`).toString('base64');
}

export async function tokenResponse(url: string, id = DEMO.id, secret = DEMO.secret): Promise<Response> {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(id, secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
}

export async function token(url: string, id = DEMO.id, secret = DEMO.secret): Promise<string> {
  const res = await tokenResponse(url, id, secret);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any;
}

/** One API call with a bearer token; a JSON body is sent as application/json. */
export async function api(
  url: string,
  method: string,
  path: string,
  bearer: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult> {
  const h: Record<string, string> = { ...headers };
  if (bearer) h.authorization = `Bearer ${bearer}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= 'application/json';
  }
  const res = await fetch(url + path, { method, headers: h, body: payload }).catch((err) => {
    throw new Error(`${method} ${path}: ${err.message} (${err.cause?.code ?? err.cause})`);
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the raw text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const SESSION_BODY = {
  flow: { id: 'demo-bot-flow' },
  externalSessionId: 'ext-1',
  channel: { name: 'Messaging', inputModes: ['Text'], outputModes: ['Text'], userAgent: { name: 'k6' } },
};
