// HTTP Digest authentication (RFC 7616) for `auth: 'digest'`: k6 sends the request without
// credentials, and on a 401 carrying a Digest challenge sends it again with the answer.
import { createHash, randomBytes } from 'node:crypto';

export interface Challenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** MD5 (the default), MD5-sess, SHA-256 or SHA-256-sess */
  algorithm: string;
  /** the qop the server offers, e.g. "auth" or "auth,auth-int" */
  qop?: string;
}

/** The Digest challenge of a WWW-Authenticate value, or null when it is another scheme. */
export function parseChallenge(header: string | undefined): Challenge | null {
  if (!header) return null;
  const m = /^\s*Digest\s+(.*)$/is.exec(header);
  if (!m) return null;
  const fields: Record<string, string> = {};
  const re = /([a-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/gi;
  for (let f = re.exec(m[1]); f; f = re.exec(m[1])) {
    fields[f[1].toLowerCase()] = f[2] !== undefined ? f[2].replace(/\\(.)/g, '$1') : f[3];
  }
  if (fields.nonce === undefined) return null;
  return {
    realm: fields.realm ?? '',
    nonce: fields.nonce,
    opaque: fields.opaque,
    algorithm: fields.algorithm ?? 'MD5',
    qop: fields.qop,
  };
}

const HASHES: Record<string, string> = { md5: 'md5', 'sha-256': 'sha256', 'sha-512-256': 'sha512-256' };

/** The Authorization value answering `c` for one request; throws on an algorithm it cannot compute. */
export function authorization(
  c: Challenge,
  user: string,
  password: string,
  method: string,
  uri: string,
  body: Buffer | undefined,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const alg = c.algorithm.toLowerCase();
  const sess = alg.endsWith('-sess');
  const hashName = HASHES[sess ? alg.slice(0, -5) : alg];
  if (!hashName) throw new Error(`unsupported digest algorithm ${c.algorithm}`);
  const h = (s: string | Buffer) => createHash(hashName).update(s).digest('hex');
  const offered = (c.qop ?? '').split(',').map((q) => q.trim());
  const qop = offered.includes('auth') ? 'auth' : offered.includes('auth-int') ? 'auth-int' : '';
  const nc = '00000001';
  let ha1 = h(`${user}:${c.realm}:${password}`);
  if (sess) ha1 = h(`${ha1}:${c.nonce}:${cnonce}`);
  const ha2 = qop === 'auth-int' ? h(`${method}:${uri}:${h(body ?? '')}`) : h(`${method}:${uri}`);
  const response = qop ? h(`${ha1}:${c.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : h(`${ha1}:${c.nonce}:${ha2}`);
  const q = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  let out = `Digest username=${q(user)}, realm=${q(c.realm)}, nonce=${q(c.nonce)}, uri=${q(uri)}`;
  out += `, algorithm=${c.algorithm}, response=${q(response)}`;
  if (c.opaque !== undefined) out += `, opaque=${q(c.opaque)}`;
  if (qop) out += `, qop=${qop}, nc=${nc}, cnonce=${q(cnonce)}`;
  return out;
}
