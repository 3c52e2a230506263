// The suite's environment variables, sorted by how a run outside this machine gets them.

/** How the load runs: no secret and nothing of one org among them, so remote runs get them with -e. */
export const SHAPE = [
  'RATE',
  'DURATION',
  'VUS',
  'MAX_VUS',
  'ITERATIONS',
  'THINK_TIME',
  'TARGET_UTILIZATION',
  'OAUTH_CLIENTS',
  'STRICT_LIMITS',
  'RETRY_MAX_ATTEMPTS',
  'RETRY_BUDGET',
  'POLL_INTERVAL',
  'ANALYTICS_TIMEOUT',
  'CONVERSATIONS',
  'EVENT_TIMEOUT',
  'PING_INTERVAL',
  'MAX_TOPICS',
  'WATCH',
  'REPLY_TIMEOUT',
];

/**
 * Resources of the org the test drives: not secret, but they belong with that org's connection. k6-operator
 * passes them with -e (its Secret holds only the credentials); a Grafana Cloud k6 test reads them from the
 * cloud's environment variables, where the org is set, rather than from an archive anyone in the project
 * can download. Init never reads them.
 */
export const ORG = [
  'BOT_FLOW_ID',
  'CALLBACK_QUEUE_ID',
  'MESSAGING_FROM_ADDRESS',
  'MESSAGING_TO_ADDRESS',
  'MESSAGING_TYPE',
  'DEPLOYMENT_ID',
];

/** Everything a run outside this machine may be given with -e. */
export const SETTINGS = [...SHAPE, ...ORG];

/** Where the org is and how to log in: from a Kubernetes Secret or Grafana Cloud k6's environment variables. */
export const CONNECTION = [
  'GENESYSCLOUD_REGION',
  'GENESYSCLOUD_OAUTHCLIENT_ID',
  'GENESYSCLOUD_OAUTHCLIENT_SECRET',
  'GENESYSCLOUD_OAUTHCLIENTS',
  'GENESYSCLOUD_API_URL',
  'GENESYSCLOUD_LOGIN_URL',
];

/** Set by the tools themselves (run-test, k6-operator) or only meaningful with the local emulator. */
export const SET_BY_TOOLS = ['INSTANCES', 'TEST_NAME', 'REPORT_DIR', 'TIME_SCALE'];

/** Read by the bundle's cloud block. */
export const CLOUD = ['K6_CLOUD_PROJECT_ID', 'K6_CLOUD_DISTRIBUTION'];

/** `-e NAME=value` pairs for the names that are set (non-empty) in env. */
export function settingsFrom(
  env: Record<string, string | undefined>,
  names: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = env[name]?.trim();
    if (v) out[name] = v;
  }
  return out;
}
