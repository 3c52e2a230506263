// The end-of-test text summary in k6 v0.49's layout: checks and groups first, then one line per metric.
import type { GroupData, CheckData } from '../metrics/groups.ts';
import type { MetricData, SummaryData } from './data.ts';
import { humanizeValue } from './format.ts';

export interface TextOptions {
  enableColors?: boolean;
  /** default ' ' (one space), as in k6 */
  indent?: string;
}

const GROUP = '█';
const DETAILS = '↳';
const PASS = '✓';
const FAIL = '✗';
const GREEN = 32;
const RED = 31;
const CYAN = 36;
const FAINT = 2;

type Decorate = (text: string, ...codes: number[]) => string;

/** Display width: code points after NFKC, ANSI escape sequences excluded. */
export function strWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  return [...s.normalize('NFKC').replace(/\x1b\[[0-9;]*[@-~]/g, '')].length;
}

function summarizeCheck(indent: string, c: CheckData, decorate: Decorate): string {
  if (c.fails === 0) return decorate(`${indent}${PASS} ${c.name}`, GREEN);
  const pct = Math.floor((100 * c.passes) / (c.passes + c.fails));
  return decorate(
    `${indent}${FAIL} ${c.name}\n${indent} ${DETAILS}  ${pct}% — ${PASS} ${c.passes} / ${FAIL} ${c.fails}`,
    RED,
  );
}

function summarizeGroup(indent: string, g: GroupData, decorate: Decorate): string[] {
  const out: string[] = [];
  if (g.name !== '') {
    out.push(`${indent}${GROUP} ${g.name}`, '');
    indent += '  ';
  }
  for (const c of g.checks) out.push(summarizeCheck(indent, c, decorate));
  if (g.checks.length > 0) out.push('');
  for (const sub of g.groups) out.push(...summarizeGroup(indent, sub, decorate));
  return out;
}

const displayName = (name: string) => {
  const at = name.indexOf('{');
  return at >= 0 ? `{ ${name.slice(at + 1, -1)} }` : name;
};
const subIndent = (name: string) => (name.includes('{') ? '  ' : '');

function nonTrendValues(m: MetricData, timeUnit: string): string[] {
  const v = m.values;
  const h = (x: number) => humanizeValue(x, m, timeUnit);
  switch (m.type) {
    case 'counter':
      return [h(v.count), `${h(v.rate)}/s`];
    case 'gauge':
      return [h(v.value), `min=${h(v.min)}`, `max=${h(v.max)}`];
    case 'rate':
      return [h(v.rate), `${PASS} ${v.passes}`, `${FAIL} ${v.fails}`];
    default:
      return ['[no data]'];
  }
}

/** Sorted by parent name, sub-metrics right after their parent. */
export function sortMetricNames(names: string[]): string[] {
  return names.sort((a, b) => {
    const pa = a.split('{', 1)[0];
    const pb = b.split('{', 1)[0];
    const byParent = pa.localeCompare(pb);
    if (byParent !== 0) return byParent;
    return a.slice(pa.length).localeCompare(b.slice(pb.length));
  });
}

function summarizeMetrics(data: SummaryData, indentBase: string, decorate: Decorate): string[] {
  const indent = indentBase + '  ';
  const stats = data.options.summaryTrendStats;
  const timeUnit = data.options.summaryTimeUnit ?? '';
  const names: string[] = [];
  let nameMax = 0;
  const trendCols = new Map<string, string[]>();
  const trendMax = new Array<number>(stats.length).fill(0);
  const firsts = new Map<string, string>();
  const extras = new Map<string, string[]>();
  let firstMax = 0;
  const extraMax = [0, 0];

  for (const [name, m] of Object.entries(data.metrics)) {
    names.push(name);
    nameMax = Math.max(nameMax, strWidth(subIndent(name) + displayName(name)));
    if (m.type === 'trend') {
      const cols = stats.map((stat, i) => {
        const v = m.values[stat];
        const text = stat === 'count' ? String(v) : humanizeValue(v, m, timeUnit);
        trendMax[i] = Math.max(trendMax[i], strWidth(text));
        return text;
      });
      trendCols.set(name, cols);
      continue;
    }
    const values = nonTrendValues(m, timeUnit);
    firsts.set(name, values[0]);
    firstMax = Math.max(firstMax, strWidth(values[0]));
    extras.set(name, values.slice(1));
    for (let i = 1; i < values.length; i++)
      extraMax[i - 1] = Math.max(extraMax[i - 1] ?? 0, strWidth(values[i]));
  }

  const pad = (text: string, width: number) => ' '.repeat(Math.max(0, width - strWidth(text)));
  const valueText = (name: string): string => {
    const cols = trendCols.get(name);
    if (cols) {
      return cols.map((c, i) => `${stats[i]}=${decorate(c, CYAN)}${pad(c, trendMax[i])}`).join(' ');
    }
    const first = firsts.get(name)!;
    let out = decorate(first, CYAN) + pad(first, firstMax);
    const rest = extras.get(name)!;
    if (rest.length === 1) out += ' ' + decorate(rest[0], CYAN, FAINT);
    else if (rest.length > 1) {
      out += ' ' + rest.map((x, i) => decorate(x, CYAN, FAINT) + pad(x, extraMax[i])).join(' ');
    }
    return out;
  };

  const lines: string[] = [];
  for (const name of sortMetricNames(names)) {
    const m = data.metrics[name];
    let mark = ' ';
    let color: (s: string) => string = (s) => s;
    if (m.thresholds) {
      const failed = Object.values(m.thresholds).some((t) => !t.ok);
      mark = failed ? FAIL : PASS;
      color = (s) => decorate(s, failed ? RED : GREEN);
    }
    const ind = subIndent(name);
    const shown = displayName(name);
    const dots = decorate(
      '.'.repeat(Math.max(0, nameMax - strWidth(shown) - strWidth(ind) + 3)) + ':',
      FAINT,
    );
    lines.push(`${indent}${ind}${color(mark)} ${shown}${dots} ${valueText(name)}`);
  }
  return lines;
}

/** k6's text summary; the CLI prints "\n" + text + "\n\n" to stdout. */
export function textSummary(data: SummaryData, opts: TextOptions = {}): string {
  const indent = opts.indent ?? ' ';
  const decorate: Decorate = opts.enableColors
    ? (text, ...codes) => `\x1b[${codes.join(';')}m${text}\x1b[0m`
    : (text) => text;
  return [
    ...summarizeGroup(indent + '    ', data.root_group, decorate),
    ...summarizeMetrics(data, indent, decorate),
  ].join('\n');
}
