// The cloud block every bundle carries for Grafana Cloud k6: test name, project and load zones, under the key
// the running k6 reads. `options.cloud` exists from k6 v0.50 and `options.ext.loadimpact` was removed in v2.0;
// k6 up to v0.49 warns about an unknown field `cloud`, so each version gets only its own form.
import { ConfigError, type Env } from './config.ts';

export interface CloudOptions {
  name: string;
  projectID?: number;
  distribution?: Record<string, { loadZone: string; percent: number }>;
}

/**
 * K6_CLOUD_PROJECT_ID (a number; omitted when unset) and K6_CLOUD_DISTRIBUTION, a list of
 * "loadZone:percent" such as "amazon:us:ashburn:50,amazon:ie:dublin:50" (percents add up to 100).
 */
export function cloudOptions(env: Env, name: string): CloudOptions {
  const out: CloudOptions = { name };
  const project = env.K6_CLOUD_PROJECT_ID?.trim();
  if (project) {
    if (!/^\d+$/.test(project))
      throw new ConfigError(`K6_CLOUD_PROJECT_ID must be a number, got "${project}"`);
    out.projectID = Number(project);
  }
  const dist = env.K6_CLOUD_DISTRIBUTION?.trim();
  if (dist) {
    const zones: CloudOptions['distribution'] = {};
    let total = 0;
    for (const entry of dist.split(',')) {
      const m = /^\s*([a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+):(\d+(?:\.\d+)?)\s*$/.exec(entry);
      if (!m) {
        throw new ConfigError(
          `K6_CLOUD_DISTRIBUTION entry "${entry.trim()}" must be loadZone:percent, e.g. amazon:us:ashburn:50`,
        );
      }
      const label = m[1].split(':')[2];
      if (zones[label]) throw new ConfigError(`K6_CLOUD_DISTRIBUTION lists ${m[1]} twice`);
      zones[label] = { loadZone: m[1], percent: Number(m[2]) };
      total += Number(m[2]);
    }
    if (Math.abs(total - 100) > 1e-9) {
      throw new ConfigError(`K6_CLOUD_DISTRIBUTION percents must add up to 100, got ${total}`);
    }
    out.distribution = zones;
  }
  return out;
}

/**
 * True where k6 reads `options.cloud`. k6 made the timers global in v0.51 (one release after `options.cloud`
 * arrived), so a global setTimeout means a k6 that knows `cloud`; v0.50 reads both forms.
 */
export function knowsCloudOption(global: { setTimeout?: unknown }): boolean {
  return typeof global.setTimeout === 'function';
}

/** `{cloud}` for k6 v0.51 and later, `{ext: {loadimpact}}` for older releases. */
export function cloudBlock(
  block: CloudOptions,
  modern: boolean,
): { cloud: CloudOptions } | { ext: { loadimpact: CloudOptions } } {
  return modern ? { cloud: block } : { ext: { loadimpact: block } };
}
