// Where Web Messaging guests connect. A guest needs no OAuth client, only the org's region and a Messenger
// deployment: wss://webmessaging.{domain}/v1?deploymentId=<id>. With GENESYSCLOUD_API_URL (the emulator, or
// a proxy in front of an org) the socket is on that host; an "api." host means its "webmessaging." sibling.
import { ConfigError, readApiLocation, readString, type Env } from './config.ts';

/** The emulator's one deployment (emulator/config.default.json). */
export const EMULATOR_DEPLOYMENT_ID = '6c1f3a52-3d0e-4b8f-9a51-1d2c0e7b9a10';

export interface GuestTarget {
  /** ws(s)://host/v1?deploymentId=<id> */
  socketUrl: string;
  deploymentId: string;
  /** For the start-of-test line: the host, without the query. */
  where: string;
}

/** The API's host with its "webmessaging." sibling for "api.", over ws(s) as the API is over http(s). */
function socketBase(apiUrl: string): string {
  // k6 has no URL class; readApiLocation has checked the shape.
  const [, scheme, host] = /^(https?):\/\/([^/]+)/.exec(apiUrl)!;
  return `${scheme === 'https' ? 'wss' : 'ws'}://${host.replace(/^api\./, 'webmessaging.')}/v1`;
}

export function readGuestTarget(env: Env): GuestTarget {
  const api = readApiLocation(env);
  const base = socketBase(api.apiUrl);
  const deploymentId = readString(env, 'DEPLOYMENT_ID', api.override ? EMULATOR_DEPLOYMENT_ID : '');
  if (deploymentId === '') {
    throw new ConfigError(
      'DEPLOYMENT_ID is not set: give the id of a Messenger deployment of the org (Admin > Message > Messenger Deployments)',
    );
  }
  return { socketUrl: `${base}?deploymentId=${encodeURIComponent(deploymentId)}`, deploymentId, where: base };
}
