// What every test in tests/ shares: options (scenarios from lib/core/profiles, thresholds from
// thresholds/*.json, the cloud block) and setup(): sealed tokens, the org's limits and the pre-flight line.
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { cloudOptions } from './core/cloud.ts';
import { ConfigError } from './core/config.ts';
import { DEFAULT_LIMITS, type RateLimits } from './core/limits.ts';
import { preflight } from './core/preflight.ts';
import { profileFor, type Profile, type TestName } from './core/profiles.ts';
import type { SealedToken } from './core/seal.ts';
import { settings, useTokens } from './api.ts';
import { fetchSealedTokens } from './auth.ts';
import { readRateLimits } from './genesys/limits.ts';

export { settings } from './api.ts';

export type Thresholds = NonNullable<Options['thresholds']>;

/**
 * What setup() hands every VU. k6 also passes this to handleSummary and writes it into a --summary-export
 * file, so the tokens travel sealed: only a holder of the client secret can use them.
 */
export interface SetupData {
  tokens: SealedToken[];
  limits: RateLimits;
  preflight: string;
}

export interface TestDefinition {
  options: Options;
  profile: Profile;
  setup(): SetupData;
  /** Call first in every iteration. */
  begin(data: SetupData): void;
}

function orStop<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}

export function defineTest(
  test: TestName,
  spec: { thresholds: Thresholds; requestsPerIteration: number; options?: Options },
): TestDefinition {
  const tokens = settings.connection.clients.length * settings.instances;
  const profile = orStop(() =>
    profileFor(test, __ENV, {
      tokenLimitPerMinute: DEFAULT_LIMITS.tokenPerMinute,
      timeScale: settings.timeScale,
      tokens,
      targetUtilization: settings.targetUtilization,
      requestsPerIteration: spec.requestsPerIteration,
    }),
  );
  const options: Options = {
    scenarios: profile.scenarios as Options['scenarios'],
    thresholds: spec.thresholds,
    // Token fetch and limits read honour Retry-After, which can outlast k6's 60 s default.
    setupTimeout: '3m',
    summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'],
    cloud: orStop(() => cloudOptions(__ENV, `genesys-cloud ${test}`)) as Options['cloud'],
    ...spec.options,
  } as Options;

  return {
    options,
    profile,
    setup(): SetupData {
      const t = fetchSealedTokens(settings);
      useTokens(t);
      const limits = readRateLimits();
      const pf = preflight({
        plan: profile.plan,
        limits,
        clients: settings.connection.clients.length,
        instances: settings.instances,
        windowS: 60 / settings.timeScale,
      });
      console.log(`${test}: ${profile.describe} against ${settings.connection.apiUrl}`);
      console.log(pf.line);
      if (settings.strictLimits && pf.crossings.length > 0) {
        exec.test.abort(
          `STRICT_LIMITS=1 and the plan crosses ${pf.crossings[0].key}; lower RATE or add OAuth clients`,
        );
      }
      return { tokens: t, limits, preflight: pf.line };
    },
    begin(data: SetupData): void {
      useTokens(data && data.tokens);
    },
  };
}
