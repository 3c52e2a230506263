// The host half of k6/crypto and k6/encoding: digests, HMAC, random bytes, base64 variants.
import crypto from 'node:crypto';
import { HmacMd4, Md4 } from './md4.ts';

const ALGS: Record<string, string> = {
  md4: 'md4',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  sha512_224: 'sha512-224',
  sha512_256: 'sha512-256',
  ripemd160: 'ripemd160',
};

export type Bytes = string | Uint8Array;

function buf(x: Bytes): Buffer {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : Buffer.from(x.buffer, x.byteOffset, x.byteLength);
}

export function nodeAlgorithm(alg: string): string {
  const a = ALGS[alg];
  if (!a) throw new Error(`invalid hash algorithm: ${alg}`);
  return a;
}

/** Encodes a digest as k6 does; `binary` gives the bytes back (an ArrayBuffer in the VM). */
export function encodeDigest(d: Buffer, enc: string): string | Uint8Array {
  switch (enc) {
    case 'hex':
      return d.toString('hex');
    case 'base64':
      return d.toString('base64');
    case 'base64url':
      return d.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'base64rawurl':
      return d.toString('base64url');
    case 'binary':
      return new Uint8Array(d);
    default:
      throw new Error(`invalid output encoding: ${enc}`);
  }
}

export class Hashers {
  private next = 1;
  private live = new Map<number, { update(b: Buffer): unknown; digest(): Buffer }>();

  create(alg: string, key: Bytes | null): number {
    const a = nodeAlgorithm(alg);
    const h =
      a === 'md4'
        ? key === null
          ? new Md4()
          : new HmacMd4(buf(key))
        : key === null
          ? crypto.createHash(a)
          : crypto.createHmac(a, buf(key));
    const id = this.next++;
    this.live.set(id, h);
    return id;
  }

  update(id: number, data: Bytes): void {
    const h = this.live.get(id);
    if (!h) throw new Error('hasher already digested');
    h.update(buf(data));
  }

  digest(id: number, enc: string): string | Uint8Array {
    const h = this.live.get(id);
    if (!h) throw new Error('hasher already digested');
    this.live.delete(id);
    return encodeDigest(h.digest(), enc);
  }
}

export function randomBytes(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 1) throw new Error('invalid size');
  return new Uint8Array(crypto.randomBytes(n));
}

export function hexEncode(data: Bytes): string {
  return buf(data).toString('hex');
}

export function b64encode(data: Bytes, enc: string): string {
  const b = buf(data);
  switch (enc) {
    case 'std':
      return b.toString('base64');
    case 'rawstd':
      return b.toString('base64').replace(/=+$/, '');
    case 'url':
      return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    case 'rawurl':
      return b.toString('base64url');
    default:
      throw new Error(`unknown base64 encoding: ${enc}`);
  }
}

const ALPHABET: Record<string, RegExp> = {
  std: /^[A-Za-z0-9+/]*={0,2}$/,
  rawstd: /^[A-Za-z0-9+/]*$/,
  url: /^[A-Za-z0-9_-]*={0,2}$/,
  rawurl: /^[A-Za-z0-9_-]*$/,
};

export function b64decode(text: string, enc: string): Buffer {
  const re = ALPHABET[enc];
  if (!re) throw new Error(`unknown base64 encoding: ${enc}`);
  const padded = enc === 'std' || enc === 'url';
  if (!re.test(text) || (padded && text.length % 4 !== 0) || (!padded && text.length % 4 === 1)) {
    throw new Error('illegal base64 data');
  }
  return Buffer.from(text, enc === 'std' || enc === 'rawstd' ? 'base64' : 'base64url');
}
