// Bearer tokens cross from setup() to the VUs inside setup data, and k6 also hands that data to
// handleSummary and writes it into a --summary-export file. So setup() seals each token: XOR with a
// keystream of HMAC-SHA256(client secret, "nonce:client:block") blocks, hex-encoded, plus a short tag that
// tells a wrong secret from a damaged token. Every VU already holds the secret (from __ENV) and unseals
// on first use; the files only ever see ciphertext. The HMAC is passed in: k6/crypto in a VU, node:crypto
// under node:test.

/** HMAC-SHA256 of `data` under `key`, as 64 lowercase hex digits. */
export type HmacSha256Hex = (key: string, data: string) => string;

/** A token as setup data carries it: when it expires is no secret, the bearer value is sealed. */
export interface SealedToken {
  /** Which configured OAuth client issued it (index into the client list); its secret unseals it. */
  client: number;
  expiresAt: number;
  lifetimeMs: number;
  /** Random per run (hex), so no two runs reuse a keystream. */
  nonce: string;
  /** The access token's UTF-16 code units XOR the keystream, four hex digits each. */
  sealed: string;
  /** First 16 hex digits of HMAC(secret, "tag:nonce:client:sealed"). */
  tag: string;
}

export class SealError extends Error {}

const HEX = /^[0-9a-f]*$/;

/** Lowercase hex of raw bytes, e.g. k6/crypto randomBytes() output. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (let i = 0; i < b.length; i++) out += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return out;
}

/** `units` 16-bit keystream words: two bytes each from successive HMAC blocks of 32 bytes. */
function keystream(hmac: HmacSha256Hex, secret: string, nonce: string, client: number, units: number) {
  const words: number[] = [];
  for (let block = 0; words.length < units; block++) {
    const digest = hmac(secret, `${nonce}:${client}:${block}`);
    if (digest.length !== 64 || !HEX.test(digest)) throw new SealError('HMAC-SHA256 did not return hex');
    for (let i = 0; i < 64 && words.length < units; i += 4) words.push(parseInt(digest.slice(i, i + 4), 16));
  }
  return words;
}

function tagOf(hmac: HmacSha256Hex, secret: string, nonce: string, client: number, sealed: string): string {
  return hmac(secret, `tag:${nonce}:${client}:${sealed}`).slice(0, 16);
}

function xorUnits(text: string, ks: number[]): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += ('000' + (text.charCodeAt(i) ^ ks[i]).toString(16)).slice(-4);
  return out;
}

export function sealToken(
  token: { accessToken: string; client: number; expiresAt: number; lifetimeMs: number },
  secret: string,
  nonce: string,
  hmac: HmacSha256Hex,
): SealedToken {
  if (nonce === '') throw new SealError('sealing a token needs a nonce');
  const ks = keystream(hmac, secret, nonce, token.client, token.accessToken.length);
  const sealed = xorUnits(token.accessToken, ks);
  return {
    client: token.client,
    expiresAt: token.expiresAt,
    lifetimeMs: token.lifetimeMs,
    nonce,
    sealed,
    tag: tagOf(hmac, secret, nonce, token.client, sealed),
  };
}

/** The bearer value back, or a SealError when the secret is not the one that sealed it. */
export function unsealToken(s: SealedToken, secret: string, hmac: HmacSha256Hex): string {
  if (
    !s ||
    typeof s.sealed !== 'string' ||
    typeof s.nonce !== 'string' ||
    s.sealed.length % 4 !== 0 ||
    !HEX.test(s.sealed)
  ) {
    throw new SealError('setup data holds no sealed token');
  }
  if (tagOf(hmac, secret, s.nonce, s.client, s.sealed) !== s.tag) {
    throw new SealError(
      `the token of OAuth client ${s.client + 1} was sealed with another client secret than this VU has`,
    );
  }
  const ks = keystream(hmac, secret, s.nonce, s.client, s.sealed.length / 4);
  let out = '';
  for (let i = 0; i < ks.length; i++) {
    out += String.fromCharCode(parseInt(s.sealed.slice(i * 4, i * 4 + 4), 16) ^ ks[i]);
  }
  return out;
}
