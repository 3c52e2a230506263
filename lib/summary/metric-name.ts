// k6 names a sub-metric `metric{tag:value,tag2:value2}`; thresholds on such names are how per-endpoint
// numbers reach handleSummary (k6 only keeps sub-metrics that a threshold declares).

export interface MetricName {
  base: string;
  tags: Record<string, string>;
}

export function parseMetricName(full: string): MetricName {
  // The first '{' opens the tags; values may hold braces of their own (`name:GET /x/{id}`).
  const open = full.indexOf('{');
  if (open < 0 || !full.endsWith('}')) return { base: full, tags: {} };
  const tags: Record<string, string> = {};
  for (const pair of full.slice(open + 1, -1).split(',')) {
    const colon = pair.indexOf(':');
    if (colon < 0) continue;
    const key = pair.slice(0, colon).trim();
    // k6 accepts quoted values (`name:"GET /x"`) and strips the quotes.
    if (key)
      tags[key] = pair
        .slice(colon + 1)
        .trim()
        .replace(/^["']|["']$/g, '');
  }
  return { base: full.slice(0, open).trim(), tags };
}
