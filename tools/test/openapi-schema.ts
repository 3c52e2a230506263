// Checks a manifest against a CRD's openAPIV3Schema the way the API server and `kubectl apply` (strict field
// validation, its default) judge it: wrong types, missing required fields, values outside an enum or pattern,
// and fields the schema does not name. Only the keywords in KEYWORDS are understood; a schema using another
// one is refused rather than half-checked.

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  anyOf?: Schema[];
  default?: unknown;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
}

/** What validate() knows; `default` and `x-kubernetes-map-type` steer defaulting and server-side apply. */
export const KEYWORDS = new Set([
  'type',
  'properties',
  'additionalProperties',
  'required',
  'items',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'anyOf',
  'default',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
]);

/** Keywords in the schema that validate() does not understand, each with where it is. */
export function unknownKeywords(schema: Schema, at = '$'): string[] {
  const out = Object.keys(schema)
    .filter((k) => !KEYWORDS.has(k))
    .map((k) => `${at}: ${k}`);
  for (const [name, s] of Object.entries(schema.properties ?? {}))
    out.push(...unknownKeywords(s, `${at}.${name}`));
  if (schema.items) out.push(...unknownKeywords(schema.items, `${at}[]`));
  if (typeof schema.additionalProperties === 'object')
    out.push(...unknownKeywords(schema.additionalProperties, `${at}.*`));
  for (const [i, s] of (schema.anyOf ?? []).entries()) out.push(...unknownKeywords(s, `${at}|${i}`));
  return out;
}

const INT_RANGE: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeFits(type: Schema['type'], value: unknown): boolean {
  const t = typeOf(value);
  return type === t || (type === 'number' && t === 'integer');
}

/** Every problem of value against schema, each as `path: what is wrong`; none means the server accepts it. */
export function validate(value: unknown, schema: Schema, at = ''): string[] {
  const where = at || '<root>';
  if (schema['x-kubernetes-int-or-string']) {
    if (typeOf(value) !== 'integer' && typeof value !== 'string')
      return [`${where}: must be an integer or a string, got ${typeOf(value)}`];
  } else if (schema.type && !typeFits(schema.type, value)) {
    return [`${where}: must be ${schema.type}, got ${typeOf(value)} ${JSON.stringify(value)}`];
  }
  const problems: string[] = [];
  if (schema.anyOf && !schema.anyOf.some((s) => validate(value, s, at).length === 0))
    problems.push(`${where}: matches none of ${schema.anyOf.map((s) => s.type).join(', ')}`);
  if (schema.enum && !schema.enum.some((e) => e === value))
    problems.push(`${where}: must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  if (typeof value === 'string') problems.push(...stringProblems(value, schema, where));
  if (typeof value === 'number') {
    const range = schema.format ? INT_RANGE[schema.format] : undefined;
    if (range && (value < range[0] || value > range[1]))
      problems.push(`${where}: ${value} is out of ${schema.format} range`);
    if (schema.minimum !== undefined && value < schema.minimum)
      problems.push(`${where}: must be at least ${schema.minimum}`);
  }
  if (Array.isArray(value)) problems.push(...arrayProblems(value, schema, at));
  else if (typeOf(value) === 'object')
    problems.push(...objectProblems(value as Record<string, unknown>, schema, at));
  return problems;
}

function stringProblems(value: string, schema: Schema, where: string): string[] {
  const problems: string[] = [];
  if (schema.pattern && !new RegExp(schema.pattern).test(value))
    problems.push(`${where}: "${value}" does not match ${schema.pattern}`);
  if (schema.minLength !== undefined && value.length < schema.minLength)
    problems.push(`${where}: shorter than ${schema.minLength}`);
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    problems.push(`${where}: longer than ${schema.maxLength}`);
  if (schema.format === 'date-time' && Number.isNaN(Date.parse(value)))
    problems.push(`${where}: "${value}" is not a date-time`);
  return problems;
}

function arrayProblems(value: unknown[], schema: Schema, at: string): string[] {
  const problems = schema.items ? value.flatMap((v, i) => validate(v, schema.items!, `${at}[${i}]`)) : [];
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set' || listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'];
    const seen = new Set<string>();
    for (const v of value) {
      const key = JSON.stringify(
        listType === 'map' && keys ? keys.map((k) => (v as Record<string, unknown>)[k]) : v,
      );
      if (seen.has(key)) problems.push(`${at}: duplicate entry ${key}`);
      seen.add(key);
    }
  }
  return problems;
}

function objectProblems(value: Record<string, unknown>, schema: Schema, at: string): string[] {
  const problems: string[] = [];
  const prefix = at ? `${at}.` : '';
  for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${prefix}${name}: required`);
  const open = schema['x-kubernetes-preserve-unknown-fields'] === true;
  for (const [name, v] of Object.entries(value)) {
    const own = schema.properties?.[name];
    const extra = schema.additionalProperties;
    if (own) problems.push(...validate(v, own, `${prefix}${name}`));
    else if (typeof extra === 'object') problems.push(...validate(v, extra, `${prefix}${name}`));
    else if (!open && extra !== true) problems.push(`${prefix}${name}: unknown field`);
  }
  return problems;
}
