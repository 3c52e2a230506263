// Reading a request body with the platform's size limit and content-type rules.
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './errors.ts';

/** The client went away before its body arrived: nothing to answer. */
export class ClientGone extends Error {}

export function tooLarge(max: number): ApiError {
  return new ApiError(413, 'payload.too.large', `The request is over the size limit. Maximum bytes: ${max}`);
}

/** Resolves the raw body, or rejects with 413 as soon as it passes `max` bytes (the rest is discarded). */
export function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooLarge(max));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > max) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge(max));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    req.on('error', () => reject(new ClientGone('client closed the connection')));
  });
}

/** The media type without parameters, lower-cased ("application/json; charset=utf-8" -> "application/json"). */
export function mediaType(req: IncomingMessage): string {
  const ct = req.headers['content-type'];
  if (!ct) return '';
  const semi = ct.indexOf(';');
  return (semi < 0 ? ct : ct.slice(0, semi)).trim().toLowerCase();
}

export function unsupportedMediaType(type: string, expected: string): ApiError {
  return new ApiError(
    415,
    'unsupported.media.type',
    `Unsupported Media Type: ${type || '(none)'}; this endpoint accepts ${expected}`,
  );
}

/** A JSON body (or undefined when there is none). Throws 415 for other media types, 400 for bad JSON. */
export function parseJson(req: IncomingMessage, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = mediaType(req);
  if (type !== 'application/json' && !type.endsWith('+json'))
    throw unsupportedMediaType(type, 'application/json');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(
      `The request could not be understood by the server due to malformed syntax: ${(err as Error).message}`,
    );
  }
}
