// What makes a k6 threshold valid for this suite: the metric exists, the aggregation fits its type, and
// every tag selector can match a sample the suite actually emits. Stricter than k6 in two ways that
// catch real mistakes: `rate` on a Counter (per second, not a ratio) and selectors no sample carries.
import { ENDPOINTS } from '../core/endpoints.ts';
import { parseDuration } from '../core/duration.ts';

export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

export const BUILTIN_METRICS: Record<string, MetricType> = {
  vus: 'gauge',
  vus_max: 'gauge',
  iterations: 'counter',
  iteration_duration: 'trend',
  dropped_iterations: 'counter',
  data_sent: 'counter',
  data_received: 'counter',
  checks: 'rate',
  group_duration: 'trend',
  http_reqs: 'counter',
  http_req_duration: 'trend',
  http_req_blocked: 'trend',
  http_req_connecting: 'trend',
  http_req_tls_handshaking: 'trend',
  http_req_sending: 'trend',
  http_req_waiting: 'trend',
  http_req_receiving: 'trend',
  http_req_failed: 'rate',
};

const RETRY_REASONS = [
  'rate_limited',
  'bad_gateway',
  'unavailable',
  'gateway_timeout',
  'network',
  'token_expired',
];
const ENDPOINT_NAMES: string[] = Object.values(ENDPOINTS);

const HTTP_TAGS = [
  'name',
  'method',
  'status',
  'url',
  'expected_response',
  'scenario',
  'group',
  'proto',
  'tls_version',
  'error_code',
  'attempt',
  'retry_reason',
];

/** Which tags the samples of each metric carry (what a selector may filter on). */
function tagsOf(metric: string): string[] {
  if (metric === 'http_reqs' || metric.startsWith('http_req_')) return HTTP_TAGS;
  if (metric === 'checks') return ['check', 'scenario', 'group'];
  if (metric === 'rate_limited' || metric === 'final_failures') return ['name', 'scenario', 'group'];
  if (metric === 'retries' || metric === 'retry_wait' || metric === 'retry_budget_exhausted') {
    return ['name', 'reason', 'scenario', 'group'];
  }
  if (metric === 'dropped_iterations') return ['scenario'];
  if (metric === 'events_missed') return ['after_outage', 'scenario', 'group'];
  return ['scenario', 'group'];
}

function valueProblem(tag: string, value: string, scenarios: string[] | undefined): string | undefined {
  const oneOf = (list: string[]) => (list.includes(value) ? undefined : `is not one of ${list.join(', ')}`);
  switch (tag) {
    case 'status':
      return /^(0|[1-5]\d\d)$/.test(value)
        ? undefined
        : 'must be one status code such as 429 (no ranges like 5xx)';
    case 'expected_response':
    case 'after_outage':
      return oneOf(['true', 'false']);
    case 'method':
      return oneOf(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    case 'attempt':
      return /^[1-9]\d*$/.test(value) ? undefined : 'must be a whole attempt number from 1';
    case 'retry_reason':
      return oneOf(['none', ...RETRY_REASONS]);
    case 'reason':
      return oneOf(RETRY_REASONS);
    case 'name':
      return oneOf(ENDPOINT_NAMES);
    case 'scenario':
      return scenarios ? oneOf(scenarios) : undefined;
    default:
      return value === '' ? 'is empty' : undefined;
  }
}

/** Splits `metric{k:v,...}` the way k6 does: parts on `,`, each on its first `:`, quotes stripped. */
export function parseSelector(key: string): { metric: string; tags: Array<[string, string]> } | string {
  const brace = key.indexOf('{');
  if (brace < 0) return { metric: key, tags: [] };
  if (!key.endsWith('}')) return 'a tag selector must end with }';
  const inner = key.slice(brace + 1, -1);
  const tags: Array<[string, string]> = [];
  for (const part of inner.split(',')) {
    const colon = part.indexOf(':');
    if (colon < 0) return `selector part "${part.trim()}" is not tag:value`;
    const strip = (s: string) => s.trim().replace(/^["']|["']$/g, '');
    tags.push([strip(part.slice(0, colon)), strip(part.slice(colon + 1))]);
  }
  return { metric: key.slice(0, brace), tags };
}

const EXPRESSION =
  /^\s*(avg|min|max|med|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(<=|<|>=|>|===|==|!=)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/;

const AGGREGATIONS: Record<MetricType, string[]> = {
  counter: ['count'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

export function expressionProblem(expr: string, type: MetricType): string | undefined {
  const m = EXPRESSION.exec(expr);
  if (!m) return `"${expr}" is not "aggregation operator number"`;
  const agg = m[1].startsWith('p(') ? 'p' : m[1];
  if (agg === 'p' && Number(m[2]) > 100) return `"${expr}": a percentile is 0 to 100`;
  if (type === 'counter' && agg === 'rate') {
    return `"${expr}": rate on a Counter is per second, not a ratio; use count, or a Rate metric for a share`;
  }
  if (!AGGREGATIONS[type].includes(agg)) {
    return `"${expr}": ${m[1]} does not apply to a ${type} (use ${AGGREGATIONS[type].map((a) => (a === 'p' ? 'p(N)' : a)).join(', ')})`;
  }
  return undefined;
}

/**
 * Every problem in a thresholds object, one line each; empty when it is valid.
 * `metrics` are the metrics that exist (built-in plus the suite's custom ones); `scenarios`, when given,
 * are the only valid values of a `scenario` tag.
 */
export function thresholdProblems(
  thresholds: unknown,
  metrics: Record<string, MetricType>,
  scenarios?: string[],
): string[] {
  const problems: string[] = [];
  if (thresholds === null || typeof thresholds !== 'object' || Array.isArray(thresholds)) {
    return ['thresholds must be an object of metric -> expressions'];
  }
  for (const [key, list] of Object.entries(thresholds)) {
    const at = (msg: string) => problems.push(`${key}: ${msg}`);
    const sel = parseSelector(key);
    if (typeof sel === 'string') {
      at(sel);
      continue;
    }
    const type = metrics[sel.metric];
    if (!type) {
      at(`unknown metric ${sel.metric}`);
      continue;
    }
    const allowed = tagsOf(sel.metric);
    for (const [tag, value] of sel.tags) {
      if (tag === 'vu' || tag === 'iter') at(`${tag} is not indexed: a ${tag} selector never matches`);
      else if (!allowed.includes(tag)) at(`${sel.metric} samples carry no ${tag} tag`);
      else {
        const p = valueProblem(tag, value, scenarios);
        if (p) at(`${tag}:${value} ${p}`);
      }
    }
    if (!Array.isArray(list) || list.length === 0) {
      at('needs a non-empty array of expressions');
      continue;
    }
    for (const item of list) {
      let expr: unknown = item;
      if (item !== null && typeof item === 'object') {
        const o = item as Record<string, unknown>;
        for (const k of Object.keys(o)) {
          if (!['threshold', 'abortOnFail', 'delayAbortEval'].includes(k)) at(`unknown threshold field ${k}`);
        }
        if (o.abortOnFail !== undefined && typeof o.abortOnFail !== 'boolean')
          at('abortOnFail must be true or false');
        if (o.delayAbortEval !== undefined) {
          const d = typeof o.delayAbortEval === 'string' ? parseDuration(o.delayAbortEval) : undefined;
          if (d === undefined) at(`delayAbortEval "${String(o.delayAbortEval)}" is not a duration`);
        }
        expr = o.threshold;
      }
      if (typeof expr !== 'string') {
        at('each threshold is an expression string or {threshold, abortOnFail, delayAbortEval}');
        continue;
      }
      const p = expressionProblem(expr, type);
      if (p) at(p);
    }
  }
  return problems;
}
