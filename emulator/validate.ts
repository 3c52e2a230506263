// Small checks for request bodies that answer with the platform's 400 and the offending fieldName.
import { badRequest, invalidField, missingField } from './errors.ts';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body as an object, or 400 when it is missing or not a JSON object. */
export function requireBody(body: unknown): Json {
  if (body === undefined)
    throw badRequest('A request body is required.', [{ errorCode: 'missing.body', fieldName: 'body' }]);
  if (!isObject(body)) throw invalidField('body', 'must be a JSON object');
  return body;
}

/** Walks a dotted path; a non-object on the way reads as missing. */
export function at(obj: Json, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function requireString(obj: Json, path: string, allowed?: readonly string[]): string {
  const v = at(obj, path);
  if (v === undefined || v === null || v === '') throw missingField(path);
  if (typeof v !== 'string') throw invalidField(path, 'must be a string');
  if (allowed && !allowed.includes(v)) throw invalidField(path, `must be one of ${allowed.join(', ')}`);
  return v;
}

export function optionalString(obj: Json, path: string, allowed?: readonly string[]): string | undefined {
  const v = at(obj, path);
  if (v === undefined || v === null) return undefined;
  return requireString(obj, path, allowed);
}

export function optionalObject(obj: Json, path: string): Json | undefined {
  const v = at(obj, path);
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw invalidField(path, 'must be an object');
  return v;
}

export function requireArray(obj: Json, path: string): unknown[] {
  const v = at(obj, path);
  if (v === undefined || v === null) throw missingField(path);
  if (!Array.isArray(v)) throw invalidField(path, 'must be an array');
  return v;
}

export function optionalBoolean(obj: Json, path: string): boolean | undefined {
  const v = at(obj, path);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw invalidField(path, 'must be a boolean');
  return v;
}

/** A display string for any JSON value; String() would throw on {"toString": 1}. */
export function asText(v: unknown, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A request model's JSON types, as the platform's models declare them; keys not listed are ignored. */
export type Shape =
  | 'string'
  | 'integer'
  | 'boolean'
  | { array: Shape }
  | { object: Record<string, Shape> }
  /** A JSON object with free keys, e.g. attributes: {[key]: string}. */
  | { map: Shape };

const shapeName = (s: Shape): string =>
  typeof s === 'string'
    ? s === 'integer'
      ? 'an integer'
      : `a ${s}`
    : 'array' in s
      ? 'an array'
      : 'an object';

/** `participants[0].address`, `messagingTemplate.parameters[1].id`: the fieldName a 400 names. */
const join = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * 400 invalid.value naming the first field whose JSON type is not the one the model declares. null reads as
 * absent, as the platform's deserializer treats it; whether a field is required is the route's rule.
 */
export function checkShape(value: unknown, shape: Shape, path = ''): void {
  if (value === null || value === undefined) return;
  const ok =
    shape === 'string'
      ? typeof value === 'string'
      : shape === 'integer'
        ? Number.isInteger(value)
        : shape === 'boolean'
          ? typeof value === 'boolean'
          : 'array' in shape
            ? Array.isArray(value)
            : isObject(value);
  if (!ok) throw invalidField(path || 'body', `must be ${shapeName(shape)}`);
  if (typeof shape === 'string') return;
  if ('array' in shape)
    (value as unknown[]).forEach((v, i) => {
      // A null inside a list is not an absent field: it is an item of the wrong type.
      if (v === null) throw invalidField(join(path, i), `must be ${shapeName(shape.array)}`);
      checkShape(v, shape.array, join(path, i));
    });
  else if ('map' in shape)
    for (const [k, v] of Object.entries(value as Json)) checkShape(v, shape.map, join(path, k));
  else for (const [k, s] of Object.entries(shape.object)) checkShape((value as Json)[k], s, join(path, k));
}
