// --summary-export: the legacy JSON k6 v0.49 writes (its "old" summary format), indented 4 spaces.
import type { GroupData } from '../metrics/groups.ts';
import type { SummaryData } from './data.ts';

interface LegacyGroup {
  name: string;
  path: string;
  id: string;
  groups: Record<string, LegacyGroup>;
  checks: Record<string, { name: string; path: string; id: string; passes: number; fails: number }>;
}

function legacyGroup(g: GroupData): LegacyGroup {
  const groups: LegacyGroup['groups'] = {};
  for (const sub of g.groups) groups[sub.name] = legacyGroup(sub);
  const checks: LegacyGroup['checks'] = {};
  for (const c of g.checks) checks[c.name] = { ...c };
  return { name: g.name, path: g.path, id: g.id, groups, checks };
}

/** The export object: values flattened per metric, Rate `rate` renamed `value`, thresholds as "failed?" flags. */
export function summaryExportObject(data: SummaryData): Record<string, unknown> {
  const metrics: Record<string, Record<string, unknown>> = {};
  for (const [name, m] of Object.entries(data.metrics)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(m.values)) out[m.type === 'rate' && k === 'rate' ? 'value' : k] = v;
    if (m.thresholds) {
      const th: Record<string, boolean> = {};
      for (const [expr, t] of Object.entries(m.thresholds)) th[expr] = !t.ok;
      out.thresholds = th;
    }
    metrics[name] = out;
  }
  const obj: Record<string, unknown> = { root_group: legacyGroup(data.root_group), metrics };
  if ('setup_data' in data) obj.setup_data = data.setup_data;
  return obj;
}

export function summaryExport(data: SummaryData): string {
  return JSON.stringify(summaryExportObject(data), null, 4);
}
