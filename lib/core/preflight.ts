// Pre-flight: will the planned request rate cross a rate limit, and when? One token serves every VU of an
// instance, so the whole test shares the per-token limit; every token of one OAuth client shares the
// per-client (org.app.user) limit.
import { formatSeconds } from './duration.ts';
import type { RateLimits } from './limits.ts';
import { peakRate, planDurationS, rateAt, type RatePlan } from './plan.ts';

export interface PreflightInput {
  plan: RatePlan;
  limits: RateLimits;
  /** OAuth clients in use; VUs spread evenly over them. */
  clients: number;
  /** k6 instances, each fetching its own token per client in its setup() (k6-operator, cloud). */
  instances?: number;
  /** Length of the platform's "minute" in real seconds: 60, or 60 / the emulator's time scale. */
  windowS?: number;
}

export interface Crossing {
  key: string;
  /** Requests per window the limit allows. */
  limit: number;
  scope: 'token' | 'client';
  /** Seconds into the scenario when the trailing window first holds more than the limit. */
  atS: number;
}

export interface PreflightResult {
  /** Most requests any one token sees in a trailing window. */
  peakPerToken: number;
  peakPerClient: number;
  crossings: Crossing[];
  line: string;
}

export function preflight(input: PreflightInput): PreflightResult {
  const { plan, limits } = input;
  const clients = Math.max(1, input.clients);
  const tokens = clients * Math.max(1, input.instances ?? 1);
  const windowS = input.windowS ?? 60;
  const totalS = planDurationS(plan);
  const tokenLimit = Math.min(limits.tokenPerMinute, limits.clientCredentialsTokenPerMinute);
  const tokenKey =
    limits.clientCredentialsTokenPerMinute < limits.tokenPerMinute
      ? 'client.credentials.token.rate.per.minute'
      : 'token.rate.per.minute';

  // Integrate the request rate on a fine grid; the trailing window count is N(t) - N(t - window).
  const dt = Math.max(0.05, totalS / 20000);
  const steps = Math.ceil(totalS / dt);
  const cumulative = new Float64Array(steps + 1);
  for (let i = 0; i < steps; i++) {
    const rps = rateAt(plan, (i + 0.5) * dt) * plan.requestsPerIteration;
    cumulative[i + 1] = cumulative[i] + rps * dt;
  }
  const back = Math.round(windowS / dt);
  let peak = 0;
  let tokenAt: number | undefined;
  let clientAt: number | undefined;
  const eps = 1e-9;
  for (let i = 1; i <= steps; i++) {
    const inWindow = cumulative[i] - cumulative[Math.max(0, i - back)];
    peak = Math.max(peak, inWindow);
    if (tokenAt === undefined && inWindow / tokens > tokenLimit + eps) tokenAt = i * dt;
    if (clientAt === undefined && inWindow / clients > limits.orgAppPerMinute + eps) clientAt = i * dt;
  }
  const crossings: Crossing[] = [];
  if (tokenAt !== undefined)
    crossings.push({ key: tokenKey, limit: tokenLimit, scope: 'token', atS: tokenAt });
  if (clientAt !== undefined) {
    crossings.push({
      key: 'org.app.user.rate.per.minute',
      limit: limits.orgAppPerMinute,
      scope: 'client',
      atS: clientAt,
    });
  }
  crossings.sort((a, b) => a.atS - b.atS);

  const peakPerToken = peak / tokens;
  const peakPerClient = peak / clients;
  const from = limits.source === 'org' ? 'from the org' : 'documented default';
  const scaled = windowS === 60 ? '' : ` (a minute is ${formatSeconds(windowS)} here)`;
  const peakRps = (peakRate(plan) * plan.requestsPerIteration).toFixed(2);
  let line: string;
  if (crossings.length === 0) {
    const share = Math.round((100 * peakPerToken) / tokenLimit);
    line =
      `pre-flight: plan peaks at ${Math.round(peakPerToken)} requests/min per token${scaled} ` +
      `(${peakRps} req/s over ${tokens} token${tokens > 1 ? 's' : ''}), ${share}% of ${tokenKey}=${tokenLimit} (${from}); no limit crossed`;
  } else {
    const first = crossings[0];
    const perScope = first.scope === 'token' ? peakPerToken : peakPerClient;
    line =
      `pre-flight: plan crosses ${first.key}=${first.limit} per ${first.scope} (${from}) ` +
      `${formatSeconds(first.atS)} into the run: it peaks at ${Math.round(perScope)} requests/min per ${first.scope}${scaled} ` +
      `(${peakRps} req/s); expect 429s from then on`;
  }
  return { peakPerToken, peakPerClient, crossings, line };
}
