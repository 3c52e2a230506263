// The Genesys Cloud SDK's models (purecloud-platform-client-v2's index.d.ts), read as data: the fields each
// request and response model declares, their JSON types and which are required. Tests hold the emulator's
// bodies against these rather than against the emulator's own idea of them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface SdkField {
  name: string;
  /** The declared TypeScript type: string, number, boolean, Array<T>, Models.X, { [key: string]: T; }. */
  type: string;
  required: boolean;
}

const DTS = readFileSync(
  createRequire(import.meta.url).resolve('purecloud-platform-client-v2/index.d.ts'),
  'utf8',
);
const cache = new Map<string, SdkField[]>();

export function sdkModel(name: string): SdkField[] {
  let fields = cache.get(name);
  if (fields) return fields;
  const start = DTS.indexOf(`\texport interface ${name} { `);
  if (start < 0) throw new Error(`the SDK declares no model ${name}`);
  const body = DTS.slice(DTS.indexOf('\n', start) + 1, DTS.indexOf('\n\t}', start));
  fields = body.split('\n').map((line) => {
    const m = /^\t\t"([^"]+)"(\?)?: (.+);$/.exec(line);
    if (!m) throw new Error(`cannot read ${name}: ${line}`);
    return { name: m[1], type: m[3], required: !m[2] };
  });
  cache.set(name, fields);
  return fields;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const MODEL = /^Models\.(\w+)$/;

/** The model a field holds, directly or as the items of a list. */
export function modelOf(type: string): { name: string; array: boolean } | undefined {
  const inner = ARRAY.exec(type)?.[1];
  const m = MODEL.exec(inner ?? type);
  return m ? { name: m[1], array: inner !== undefined } : undefined;
}

/** A value of the declared type: every field of a model, recursively. */
export function sample(type: string): unknown {
  if (type === 'string') return 'sample';
  if (type === 'number') return 1;
  if (type === 'boolean') return true;
  const item = ARRAY.exec(type)?.[1];
  if (item) return [sample(item)];
  const value = MAP.exec(type)?.[1];
  if (value) return { key: sample(value) };
  const model = MODEL.exec(type)?.[1];
  if (model) return Object.fromEntries(sdkModel(model).map((f) => [f.name, sample(f.type)]));
  throw new Error(`no sample for SDK type ${type}`);
}

/** A value of another JSON type than the declared one. */
function wrong(type: string): unknown {
  return type === 'string' ? 5 : 'not-the-declared-type';
}

/**
 * For every field of `model`, reached from `base` and nested models alike: the fieldName a platform 400
 * would name and a body (`wrap` of the object) whose only fault is that field's JSON type.
 */
export function* wrongTyped(
  model: string,
  base: Record<string, unknown>,
  wrap: (o: Record<string, unknown>) => unknown,
  prefix = '',
  bases: Record<string, Record<string, unknown>> = {},
): Generator<[string, unknown]> {
  for (const f of sdkModel(model)) {
    const at = (v: unknown) => wrap({ ...base, [f.name]: v });
    yield [prefix + f.name, at(wrong(f.type))];
    const item = ARRAY.exec(f.type)?.[1];
    if (item && !MODEL.test(item)) yield [`${prefix}${f.name}[0]`, at([wrong(item)])];
    const value = MAP.exec(f.type)?.[1];
    if (value) yield [`${prefix}${f.name}.key`, at({ key: wrong(value) })];
    const inner = modelOf(f.type);
    if (inner) {
      const innerBase = bases[inner.name] ?? {};
      const path = `${prefix}${f.name}${inner.array ? '[0]' : ''}.`;
      yield* wrongTyped(inner.name, innerBase, (o) => at(inner.array ? [o] : o), path, bases);
    }
  }
}

/** Where `value` departs from `model`: unknown keys, wrong JSON types, missing required fields. */
export function mismatches(value: unknown, model: string, path = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return [`${path || model}: not an object`];
  const fields = new Map(sdkModel(model).map((f) => [f.name, f]));
  const out: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const f = fields.get(k);
    if (!f) out.push(`${path}${k}: not in ${model}`);
    else out.push(...typeMismatches(v, f.type, `${path}${k}`));
  }
  for (const f of fields.values())
    if (f.required && !(f.name in value)) out.push(`${path}${f.name}: missing`);
  return out;
}

function typeMismatches(v: unknown, type: string, path: string): string[] {
  if (type === 'string' || type === 'number' || type === 'boolean')
    return typeof v === type ? [] : [`${path}: not a ${type}`];
  const item = ARRAY.exec(type)?.[1];
  if (item)
    return Array.isArray(v)
      ? v.flatMap((x, i) => typeMismatches(x, item, `${path}[${i}]`))
      : [`${path}: not an array`];
  const value = MAP.exec(type)?.[1];
  if (value) {
    if (typeof v !== 'object' || v === null) return [`${path}: not an object`];
    return Object.entries(v).flatMap(([k, x]) => typeMismatches(x, value, `${path}.${k}`));
  }
  const model = MODEL.exec(type)?.[1];
  if (model) return mismatches(v, model, `${path}.`);
  return [];
}
