// What every test in tests/ shares: options (scenarios from lib/core/profiles, thresholds from
// thresholds/*.json, the cloud block) and setup(): the target's settings checked before any request, sealed
// tokens, the org's limits and the pre-flight line. Init reads only the load shape (lib/settings.ts).
import exec from 'k6/execution';
import type { Options } from 'k6/options';
import { cloudBlock, cloudOptions, knowsCloudOption } from './core/cloud.ts';
import { DEFAULT_LIMITS, type RateLimits } from './core/limits.ts';
import { preflight } from './core/preflight.ts';
import { profileFor, type Profile, type TestName } from './core/profiles.ts';
import type { SealedToken } from './core/seal.ts';
import { settings, useTokens } from './api.ts';
import { fetchSealedTokens } from './auth.ts';
import { readRateLimits } from './genesys/limits.ts';
import { orStop } from './settings.ts';

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

export function defineTest(
  test: TestName,
  spec: { thresholds: Thresholds; requestsPerIteration: number; options?: Options },
): TestDefinition {
  const tokens = settings.oauthClients * settings.instances;
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
    ...cloudBlock(
      orStop(() => cloudOptions(__ENV, `genesys-cloud ${test}`)),
      knowsCloudOption(globalThis as { setTimeout?: unknown }),
    ),
    ...spec.options,
  } as Options;

  return {
    options,
    profile,
    setup(): SetupData {
      // The org and its credentials are read here, before the first request: a missing or bad one stops
      // the run with its one line (exit 107), as a bad load shape does in init.
      const clients = settings.connection.clients.length;
      if (clients !== settings.oauthClients) {
        console.warn(
          `${test}: the plan assumed ${settings.oauthClients} OAuth client(s) but ${clients} are configured; set OAUTH_CLIENTS=${clients} so init plans for them`,
        );
      }
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
