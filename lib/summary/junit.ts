// JUnit XML for CI: one testcase per threshold; a crossed threshold is a <failure> carrying the observed value.
import type { ThresholdResult } from './thresholds.ts';

export function escapeXml(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export function failureMessage(t: ThresholdResult): string {
  const observed = t.observed === undefined ? `${t.stat} not in the summary` : `${t.stat}=${t.observedText}`;
  return `${t.metric}: ${observed}, threshold ${t.expression} crossed`;
}

export function junitXml(
  testName: string,
  thresholds: ThresholdResult[],
  durationMs: number,
  properties: [name: string, value: string][] = [],
): string {
  const failures = thresholds.filter((t) => !t.ok).length;
  const seconds = (durationMs / 1000).toFixed(3);
  const suite = escapeXml(`${testName} thresholds`);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`k6 ${testName}`)}" tests="${thresholds.length}" failures="${failures}" errors="0" time="${seconds}">`,
    `  <testsuite name="${suite}" tests="${thresholds.length}" failures="${failures}" errors="0" skipped="0" time="${seconds}">`,
  ];
  if (properties.length) {
    lines.push('    <properties>');
    for (const [name, value] of properties) {
      lines.push(`      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
    }
    lines.push('    </properties>');
  }
  for (const t of thresholds) {
    const attrs = `name="${escapeXml(`${t.metric} ${t.expression}`)}" classname="${escapeXml(`${testName}.${t.metric}`)}" time="0"`;
    if (t.ok) {
      lines.push(`    <testcase ${attrs}/>`);
      continue;
    }
    const body = [
      `metric:    ${t.metric}`,
      `threshold: ${t.expression}`,
      `observed:  ${t.observed === undefined ? 'n/a' : `${t.stat}=${t.observed} (${t.observedText})`}`,
    ].join('\n');
    lines.push(
      `    <testcase ${attrs}>`,
      `      <failure type="threshold" message="${escapeXml(failureMessage(t))}">${escapeXml(body)}</failure>`,
      '    </testcase>',
    );
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}
