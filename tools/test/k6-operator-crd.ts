// Would the API server take this TestRun? k6-operator's CRD schema (a trimmed copy in fixtures/k6-operator)
// for the body, and Kubernetes' own rules for metadata, which a CRD schema leaves to the server.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { validate, type Schema } from './openapi-schema.ts';

export const CRD_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'fixtures',
  'k6-operator',
  'testrun-crd-v1.6.0.yaml',
);

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: Schema } }[];
  };
}

export function loadCrd(file = CRD_FILE): { apiVersion: string; kind: string; schema: Schema } {
  const crd = YAML.parse(readFileSync(file, 'utf8')) as Crd;
  const [version] = crd.spec.versions;
  return {
    apiVersion: `${crd.spec.group}/${version.name}`,
    kind: crd.spec.names.kind,
    schema: version.schema.openAPIV3Schema,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function dnsLabel(s: string): boolean {
  return s.length <= 63 && DNS_LABEL.test(s);
}

function dnsSubdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every(dnsLabel);
}

function labelProblems(labels: unknown): string[] {
  if (labels === undefined) return [];
  if (typeof labels !== 'object' || labels === null) return ['metadata.labels: must be a map'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const [prefix, name] = key.includes('/') ? key.split(/\/(.*)/s) : [undefined, key];
    if ((prefix !== undefined && !dnsSubdomain(prefix)) || name.length > 63 || !LABEL_NAME.test(name))
      problems.push(`metadata.labels: "${key}" is not a label key`);
    if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value)))
      problems.push(`metadata.labels.${key}: ${JSON.stringify(value)} is not a label value`);
  }
  return problems;
}

/** Every reason the server or k6-operator would refuse the TestRun; empty when it is taken. */
export function testRunProblems(doc: unknown, crd = loadCrd()): string[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return ['<root>: not an object'];
  const { metadata, ...body } = doc as Record<string, unknown>;
  const problems = validate(body, crd.schema);
  if (body.apiVersion !== crd.apiVersion) problems.push(`apiVersion: must be ${crd.apiVersion}`);
  if (body.kind !== crd.kind) problems.push(`kind: must be ${crd.kind}`);
  const meta = (metadata ?? {}) as Record<string, unknown>;
  const name = meta.name;
  if (typeof name !== 'string' || !dnsSubdomain(name)) {
    problems.push(`metadata.name: ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  } else if (`${name}-initializer`.length > 63) {
    // The operator's jobs carry their name in the job-name label, which holds 63 characters.
    problems.push(`metadata.name: "${name}" is too long for k6-operator's job names (at most 51)`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !dnsLabel(meta.namespace)))
    problems.push(`metadata.namespace: ${JSON.stringify(meta.namespace)} is not a DNS-1123 label`);
  problems.push(...labelProblems(meta.labels));
  return problems;
}
