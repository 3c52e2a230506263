// Where Web Messaging guests connect. A guest needs no OAuth client, only the org's region and a Messenger
// deployment: wss://webmessaging.{domain}/v1?deploymentId=<id>. With GENESYSCLOUD_API_URL (the emulator, or
// a proxy in front of an org) the socket is on that host; an "api." host means its "webmessaging." sibling.
import { ConfigError, readString, type Env } from './config.ts';
import { regionDomain, regionNames } from './regions.ts';

/** The emulator's one deployment (emulator/config.default.json). */
export const EMULATOR_DEPLOYMENT_ID = '6c1f3a52-3d0e-4b8f-9a51-1d2c0e7b9a10';

export interface GuestTarget {
  /** ws(s)://host/v1?deploymentId=<id> */
  socketUrl: string;
  deploymentId: string;
  /** For the start-of-test line: the host, without the query. */
  where: string;
}

function socketBase(env: Env): string {
  const api = (env.GENESYSCLOUD_API_URL ?? '').trim();
  if (api !== '') {
    const m = /^(https?):\/\/([^\s/]+)(\/[^\s]*)?$/.exec(api);
    if (!m) {
      throw new ConfigError(
        `GENESYSCLOUD_API_URL must be an http(s) URL such as https://api.mypurecloud.com, got "${api}"`,
      );
    }
    const scheme = m[1] === 'https' ? 'wss' : 'ws';
    return `${scheme}://${m[2].replace(/^api\./, 'webmessaging.')}/v1`;
  }
  const region = (env.GENESYSCLOUD_REGION ?? '').trim();
  if (region === '') {
    throw new ConfigError(
      `GENESYSCLOUD_REGION is not set: give one of ${regionNames().join(', ')} (or GENESYSCLOUD_API_URL for the emulator)`,
    );
  }
  const domain = regionDomain(region);
  if (domain === undefined) {
    throw new ConfigError(
      `GENESYSCLOUD_REGION "${region}" is not a region; valid: ${regionNames().join(', ')}`,
    );
  }
  return `wss://webmessaging.${domain}/v1`;
}

export function readGuestTarget(env: Env): GuestTarget {
  const base = socketBase(env);
  const emulator = (env.GENESYSCLOUD_API_URL ?? '').trim() !== '';
  const deploymentId = readString(env, 'DEPLOYMENT_ID', emulator ? EMULATOR_DEPLOYMENT_ID : '');
  if (deploymentId === '') {
    throw new ConfigError(
      'DEPLOYMENT_ID is not set: give the id of a Messenger deployment of the org (Admin > Message > Messenger Deployments)',
    );
  }
  return { socketUrl: `${base}?deploymentId=${encodeURIComponent(deploymentId)}`, deploymentId, where: base };
}
