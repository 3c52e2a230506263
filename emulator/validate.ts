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
